#define MS_CLASS "RTC::RtpStreamRecv"

#include "RTC/RtpStreamRecv.hpp"

#include "Logger.hpp"

namespace RTC
{
	RtpStreamRecv::RtpStreamRecv(const Params& params)
			: params(params),
				tracker(params.clockRate == 0u ? 90000u : params.clockRate),
				keyFrameRequestManager(params.keyFrameRequestDelayMs)
	{
	}

	bool RtpStreamRecv::IsKeyFrame(const RtpPacket& packet) const
	{
		return Codecs::IsKeyFrame(this->params.codecKind, packet.GetPayload());
	}

	bool RtpStreamRecv::ReceivePacket(const RtpPacket& packet, uint64_t nowMs)
	{
		const auto result =
			this->tracker.ReceivePacket(packet.GetSequenceNumber(), packet.GetTimestamp(), nowMs);

		switch (result)
		{
			case RtpSeqTracker::ReceiveResult::DUPLICATE:
			case RtpSeqTracker::ReceiveResult::INVALID:
			{
				return false;
			}

			case RtpSeqTracker::ReceiveResult::RESTARTED:
			{
				// New numbering: the old holes can never be filled.
				this->nackGenerator.Reset();

				break;
			}

			default:;
		}

		++this->packetCount;
		this->transmission.Update(packet.GetSize(), nowMs);
		this->lastPacketMs = nowMs;
		this->receivedAny  = true;

		const bool isKeyFrame = IsKeyFrame(packet);

		if (this->params.useNack)
		{
			this->nackGenerator.ReceivePacket(packet.GetSequenceNumber(), isKeyFrame, false, nowMs);
		}

		if (isKeyFrame)
		{
			this->keyFrameRequestManager.KeyFrameReceived();
		}

		return true;
	}

	bool RtpStreamRecv::ReceiveRecoveredPacket(const RtpPacket& packet, uint64_t nowMs)
	{
		const auto result     = this->tracker.ReceiveRecoveredPacket(packet.GetSequenceNumber(), nowMs);
		const bool isKeyFrame = IsKeyFrame(packet);

		if (this->params.useNack)
		{
			this->nackGenerator.ReceivePacket(packet.GetSequenceNumber(), isKeyFrame, true, nowMs);
		}

		if (
			result != RtpSeqTracker::ReceiveResult::OUT_OF_ORDER &&
			result != RtpSeqTracker::ReceiveResult::ACCEPTED)
		{
			return false;
		}

		++this->repairedCount;
		++this->repairedInInterval;

		if (isKeyFrame)
		{
			this->keyFrameRequestManager.KeyFrameReceived();
		}

		return true;
	}

	void RtpStreamRecv::ReceiveRtxPacketCount(size_t size, uint64_t nowMs)
	{
		++this->rtxPacketCount;
		this->transmission.Update(size, nowMs);
	}

	void RtpStreamRecv::ReceiveSenderReport(uint32_t ntpCompact, uint64_t nowMs)
	{
		this->tracker.ReceiveSenderReport(ntpCompact, nowMs);
	}

	std::optional<RTCP::ReportBlock> RtpStreamRecv::GetReportBlock(uint64_t nowMs)
	{
		auto values = this->tracker.GetReportBlock(nowMs);

		if (!values)
		{
			return std::nullopt;
		}

		const auto repaired = static_cast<uint32_t>(this->repairedInInterval);

		this->repairedInInterval = 0u;
		this->fractionLost       = values->fractionLost;

		// Packets recovered by RTX did arrive: they are not lost for the score,
		// but cost a little.
		const uint32_t lost =
			values->lostInInterval > repaired ? values->lostInInterval - repaired : 0u;

		this->score.AddSample(values->expectedInInterval, lost, repaired);

		RTCP::ReportBlock block;

		block.ssrc                          = this->params.ssrc;
		block.fractionLost                  = values->fractionLost;
		block.cumulativeLost                = values->totalLost;
		block.extendedHighestSequenceNumber = values->highestSeqExtended;
		block.jitter                        = values->jitter;
		block.lastSenderReport              = values->lastSrTimestamp;
		block.delaySinceLastSenderReport    = values->delaySinceLastSr;

		return block;
	}

	std::vector<uint16_t> RtpStreamRecv::GetNacks(uint64_t nowMs)
	{
		if (!this->params.useNack)
		{
			return {};
		}

		auto nacks = this->nackGenerator.GetNacks(nowMs, this->rttMs);

		if (!nacks.empty())
		{
			++this->nackCount;
			this->nackPacketCount += nacks.size();
		}

		return nacks;
	}

	RtpStreamRecv::KeyFrameRequestType RtpStreamRecv::CountRequest()
	{
		if (this->params.usePli)
		{
			++this->pliCount;

			return KeyFrameRequestType::PLI;
		}

		if (this->params.useFir)
		{
			++this->firCount;

			return KeyFrameRequestType::FIR;
		}

		return KeyFrameRequestType::NONE;
	}

	RtpStreamRecv::KeyFrameRequestType RtpStreamRecv::RequestKeyFrame(uint64_t nowMs)
	{
		if (!this->params.usePli && !this->params.useFir)
		{
			return KeyFrameRequestType::NONE;
		}

		if (!this->keyFrameRequestManager.RequestKeyFrame(nowMs))
		{
			return KeyFrameRequestType::NONE;
		}

		return CountRequest();
	}

	RtpStreamRecv::KeyFrameRequestType RtpStreamRecv::OnKeyFrameTimeout(uint64_t nowMs)
	{
		// An overflowing NACK list means the decoder will not recover by
		// retransmissions: ask for a key frame instead.
		if (this->nackGenerator.TakeKeyFrameRequired())
		{
			const auto type = RequestKeyFrame(nowMs);

			if (type != KeyFrameRequestType::NONE)
			{
				return type;
			}
		}

		const auto deadline = this->keyFrameRequestManager.GetNextDeadlineMs();

		if (!deadline || *deadline > nowMs)
		{
			return KeyFrameRequestType::NONE;
		}

		if (!this->keyFrameRequestManager.OnTimeout(nowMs))
		{
			return KeyFrameRequestType::NONE;
		}

		return CountRequest();
	}

	std::optional<uint64_t> RtpStreamRecv::GetNextDeadlineMs() const
	{
		std::optional<uint64_t> deadline;

		if (this->params.useNack)
		{
			deadline = this->nackGenerator.GetNextDeadlineMs();
		}

		if (const auto keyFrameDeadline = this->keyFrameRequestManager.GetNextDeadlineMs())
		{
			if (!deadline || *keyFrameDeadline < *deadline)
			{
				deadline = keyFrameDeadline;
			}
		}

		return deadline;
	}

	bool RtpStreamRecv::TakeScoreChanged()
	{
		const uint8_t current = this->score.GetScore();

		if (current == this->lastNotifiedScore)
		{
			return false;
		}

		this->lastNotifiedScore = current;

		return true;
	}

	void RtpStreamRecv::MarkInactive()
	{
		// A sample with nothing expected scores 0.
		this->score.AddSample(0u, 0u, 0u);
	}
} // namespace RTC
