#define MS_CLASS "RTC::RtpStreamSend"

#include "RTC/RtpStreamSend.hpp"

#include "Logger.hpp"
#include "RTC/RTCP/Ntp.hpp"

#include <algorithm>
#include <array>

namespace RTC
{
	namespace
	{
		// Where RTX packets are built, shared by every stream: the worker is
		// single threaded and each packet is sent before the next is built.
		uint8_t RtxBuffer[RetransmissionBuffer::MaxPacketSize + RtpPacket::RtxOsnSize];
	} // namespace

	RtpStreamSend::RtpStreamSend(const Params& params) : params(params)
	{
		if (this->params.clockRate == 0u)
		{
			this->params.clockRate = 90000u;
		}
	}

	void RtpStreamSend::PacketSent(const RtpPacket& packet, uint64_t nowMs)
	{
		++this->packetCount;
		this->transmission.Update(packet.GetSize(), nowMs);
		this->lastRtpTimestamp = packet.GetTimestamp();
		this->lastPacketMs     = nowMs;

		if (!this->params.useNack)
		{
			return;
		}

		if (!this->buffer)
		{
			this->buffer = std::make_unique<RetransmissionBuffer>(this->params.bufferCapacity);
		}

		this->buffer->Insert(
			packet.GetSequenceNumber(), packet.GetTimestamp(), packet.GetData(), nowMs);
	}

	void RtpStreamSend::ReceiveNack(const RTCP::Nack& nack, uint64_t nowMs, const ResendFn& resend)
	{
		++this->nackCount;

		std::array<uint16_t, RTCP::Nack::Item::MaxLostSequenceNumbers> lost{};
		const uint64_t nowUs = nowMs * 1000u;
		// Once a resend is refused for lack of budget, the rest of the NACK is
		// only counted.
		bool overBudget{ false };

		if (this->buffer)
		{
			const auto share = static_cast<uint32_t>(
				static_cast<double>(this->transmission.GetRate(nowMs)) * RetransmissionShare);

			this->retransmissionBudget.SetRate(std::max(share, MinRetransmissionBitrate), nowUs);
		}

		for (const auto& item : nack.GetItems())
		{
			const size_t count = item.GetLostSequenceNumbers(lost);

			this->nackPacketCount += count;

			if (!this->buffer)
			{
				continue;
			}

			for (size_t i = 0; i < count; ++i)
			{
				const uint16_t seq = lost[i];
				// Not before an RTT has passed since the last resend of it (the
				// receiver's retries are paced by the RTT too), nor too often.
				const auto stored =
					this->buffer->FindForResend(seq, nowMs, this->hasRtt ? this->rttMs : UnknownRttMs);

				if (!stored)
				{
					continue;
				}

				const size_t len =
					stored->size() + (this->params.rtxSsrc != 0u ? RtpPacket::RtxOsnSize : 0u);

				if (overBudget || !this->retransmissionBudget.TryTake(len, nowUs))
				{
					overBudget = true;
					++this->overBudgetCount;

					continue;
				}

				if (this->params.rtxSsrc == 0u)
				{
					if (!resend(stored->data(), stored->size()))
					{
						overBudget = true;
						++this->overBudgetCount;

						continue;
					}

					this->buffer->MarkResent(seq, nowMs);
					++this->retransmittedCount;

					continue;
				}

				// RTX (RFC 4588): encode a copy, leaving the held packet as is.
				std::copy(stored->begin(), stored->end(), RtxBuffer);

				auto original = RtpPacket::Parse(std::span<uint8_t>(RtxBuffer, stored->size()));
				size_t rtxLen{ 0u };

				if (
					!original || !original->RtxEncode(
												 std::span<uint8_t>(RtxBuffer, sizeof(RtxBuffer)),
												 this->params.rtxPayloadType,
												 this->params.rtxSsrc,
												 this->rtxSeq,
												 rtxLen))
				{
					continue;
				}

				if (!resend(RtxBuffer, rtxLen))
				{
					overBudget = true;
					++this->overBudgetCount;

					continue;
				}

				this->buffer->MarkResent(seq, nowMs);
				++this->rtxSeq;
				++this->retransmittedCount;
			}
		}
	}

	uint64_t RtpStreamSend::GetRetransmissionsSuppressed() const
	{
		return this->buffer ? this->buffer->GetSuppressedCount() : 0u;
	}

	void RtpStreamSend::ReceiveKeyFrameRequest(bool isFir)
	{
		if (isFir)
		{
			++this->firCount;
		}
		else
		{
			++this->pliCount;
		}
	}

	void RtpStreamSend::ReceiveReportBlock(const RTCP::ReportBlock& block, uint64_t nowMs)
	{
		this->fractionLost = block.fractionLost;
		this->packetsLost  = block.cumulativeLost;

		if (
			const auto rtt =
				RTCP::ComputeRttMsAt(nowMs, block.lastSenderReport, block.delaySinceLastSenderReport))
		{
			this->rttMs  = static_cast<uint32_t>(*rtt);
			this->hasRtt = true;
		}

		if (this->hasReport)
		{
			const uint32_t expected = block.extendedHighestSequenceNumber - this->lastReportedHighest;
			const int32_t lost      = block.cumulativeLost - this->lastReportedLost;

			// Nothing expected since the previous report (nothing sent, e.g.
			// paused): no sample, the score stays.
			if (expected > 0u && expected < 0x80000000u)
			{
				this->score.AddSample(expected, lost > 0 ? static_cast<uint32_t>(lost) : 0u);
			}
		}

		this->lastReportedHighest = block.extendedHighestSequenceNumber;
		this->lastReportedLost    = block.cumulativeLost;
		this->hasReport           = true;
	}

	std::optional<RTCP::SenderReport> RtpStreamSend::GetSenderReport(uint64_t nowMs, uint64_t ntpMs)
	{
		if (this->packetCount == 0u)
		{
			return std::nullopt;
		}

		RTCP::SenderReport report;

		// The RTP time now, extrapolated from the last packet sent (RFC 3550
		// 6.4.1: it matches the NTP timestamp, not that packet).
		const uint64_t elapsedMs = nowMs - this->lastPacketMs;
		const auto rtpTs =
			static_cast<uint32_t>(this->lastRtpTimestamp + (elapsedMs * this->params.clockRate / 1000u));

		report.SetSsrc(this->params.ssrc);
		report.SetNtpTime(RTCP::NtpTime::FromMs(ntpMs));
		report.SetRtpTimestamp(rtpTs);
		report.SetPacketCount(static_cast<uint32_t>(this->packetCount));
		report.SetOctetCount(static_cast<uint32_t>(this->transmission.GetBytes()));

		return report;
	}

	void RtpStreamSend::ClearBuffer()
	{
		if (this->buffer)
		{
			this->buffer->Clear();
		}
	}
} // namespace RTC
