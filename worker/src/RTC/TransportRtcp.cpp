#define MS_CLASS "RTC::Transport"

// The RTCP side of Transport: what the endpoint's RTCP tells producers,
// consumers and the outgoing estimate, the reports we send at RFC 3550
// intervals, and the timers that pace them and the producers' feedback.

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "RTC/RtcpInterval.hpp"
#include "RTC/Transport.hpp"
#include "Utils/Crypto.hpp"

#include <algorithm>
#include <variant>

namespace RTC
{
	namespace
	{
		// Where outgoing RTCP is serialised, shared by every transport (the
		// worker is single threaded; each packet is sent before the next).
		uint8_t RtcpBuffer[1500];
	} // namespace

	bool Transport::ReceiveRtcpPacket(const uint8_t* data, size_t len)
	{
		const uint64_t nowMs = DepLibUV::GetTimeMs();
		const uint64_t nowUs = DepLibUV::GetTimeUsNow();
		RTCP::CompoundPacket::Reader reader(std::span<const uint8_t>(data, len));

		this->avgRtcpSize = RtcpInterval::UpdateAverageSize(this->avgRtcpSize, len);

		auto findConsumer = [this](uint32_t ssrc) -> Consumer*
		{
			const auto it = this->mapSsrcConsumer.find(ssrc);

			return it != this->mapSsrcConsumer.end() ? it->second : nullptr;
		};

		auto receiveReportBlocks = [&](std::span<const RTCP::ReportBlock> blocks)
		{
			for (const auto& block : blocks)
			{
				if (auto* consumer = findConsumer(block.ssrc))
				{
					consumer->ReceiveReportBlock(block, nowMs);
					this->outgoingBwe.ReceiveReportBlock(block, consumer->GetRttMs(), nowUs);

					// The RTT to this endpoint paces our NACK retries too.
					if (const auto rtt = consumer->GetRttMs())
					{
						for (auto& [id, producer] : this->mapProducers)
						{
							producer->SetRttMs(*rtt);
						}
					}
				}
			}
		};

		for (const auto& any : reader)
		{
			std::visit(
				[&](const auto& packet)
				{
					using T = std::decay_t<decltype(packet)>;

					if constexpr (std::is_same_v<T, RTCP::SenderReport>)
					{
						const auto it = this->mapSsrcProducer.find(packet.GetSsrc());

						if (it != this->mapSsrcProducer.end())
						{
							it->second->ReceiveSenderReport(packet, nowMs);
						}

						receiveReportBlocks(packet.GetReportBlocks());
					}
					else if constexpr (std::is_same_v<T, RTCP::ReceiverReport>)
					{
						receiveReportBlocks(packet.GetReportBlocks());
					}
					else if constexpr (std::is_same_v<T, RTCP::Nack>)
					{
						if (auto* consumer = findConsumer(packet.GetMediaSsrc()))
						{
							consumer->ReceiveNack(packet, nowMs);
						}
					}
					else if constexpr (std::is_same_v<T, RTCP::Pli>)
					{
						if (auto* consumer = findConsumer(packet.GetMediaSsrc()))
						{
							consumer->ReceiveKeyFrameRequest(packet.GetMediaSsrc(), false);
						}
					}
					else if constexpr (std::is_same_v<T, RTCP::Fir>)
					{
						for (const auto& entry : packet.GetEntries())
						{
							if (auto* consumer = findConsumer(entry.ssrc))
							{
								consumer->ReceiveKeyFrameRequest(entry.ssrc, true);
							}
						}
					}
					else if constexpr (std::is_same_v<T, RTCP::TransportWideCc>)
					{
						this->outgoingBwe.ReceiveTransportCc(packet, nowUs);
					}
					else if constexpr (std::is_same_v<T, RTCP::Remb>)
					{
						// From a REMB-only endpoint, or as an upper bound from one that
						// also sends transport-cc feedback: both are fine.
						this->outgoingBwe.ReceiveRemb(packet.GetBitrate());
					}
					else
					{
						// SDES, BYE, XR and unknown types carry nothing we act on.
					}
				},
				any);
		}

		if (reader.GetError() != RTCP::ParseError::NONE)
		{
			++this->dropped.invalidRtcp;

			return false;
		}

		return true;
	}

	void Transport::SendRtcpCompound(const RTCP::CompoundPacket::Builder& builder)
	{
		const size_t len = builder.Serialize(std::span<uint8_t>(RtcpBuffer));

		if (len == 0u)
		{
			return;
		}

		SendRtcpBytes(std::span<const uint8_t>(RtcpBuffer, len));
	}

	void Transport::SendRtcpBytes(std::span<const uint8_t> packet)
	{
		this->avgRtcpSize = RtcpInterval::UpdateAverageSize(this->avgRtcpSize, packet.size());

		const size_t sent = SendRtcpData(packet.data(), packet.size());

		if (sent > 0u)
		{
			this->sendTransmission.Update(sent, DepLibUV::GetTimeMs());
		}
	}

	void Transport::SendRtcpReports(uint64_t nowMs)
	{
		std::vector<RTCP::SenderReport> senderReports;
		std::vector<RTCP::ReportBlock> blocks;

		for (auto& [id, consumer] : this->mapConsumers)
		{
			consumer->FillSenderReports(senderReports, nowMs);
		}

		for (auto& [id, producer] : this->mapProducers)
		{
			producer->FillReportBlocks(blocks, nowMs);
		}

		if (senderReports.empty() && blocks.empty())
		{
			return;
		}

		// Report blocks go in an RR from our own SSRC (RFC 3550 6.4.2 allows
		// them in any SR too; an RR keeps them apart from the send streams).
		// One datagram per batch, so each stays under the MTU.
		constexpr size_t MaxSenderReportsPerPacket{ 10u };
		size_t srIdx{ 0u };
		size_t blockIdx{ 0u };

		while (srIdx < senderReports.size() || blockIdx < blocks.size())
		{
			RTCP::CompoundPacket::Builder builder;
			RTCP::ReceiverReport receiverReport;
			RTCP::Sdes sdes;
			const size_t srEnd = std::min(srIdx + MaxSenderReportsPerPacket, senderReports.size());

			for (size_t i = srIdx; i < srEnd; ++i)
			{
				builder.Add(senderReports[i]);
			}

			if (blockIdx < blocks.size() || srIdx == srEnd)
			{
				receiverReport.SetSsrc(this->rtcpSsrc);

				while (blockIdx < blocks.size() && receiverReport.AddReportBlock(blocks[blockIdx]))
				{
					++blockIdx;
				}

				builder.Add(receiverReport);
			}

			const uint32_t cnameSsrc = srIdx < srEnd ? senderReports[srIdx].GetSsrc() : this->rtcpSsrc;

			sdes.AddChunk(cnameSsrc);
			sdes.AddItem(RTCP::Sdes::ItemType::CNAME, this->rtcpCname);
			builder.Add(sdes);

			SendRtcpCompound(builder);

			srIdx = srEnd;
		}
	}

	void Transport::ScheduleRtcpReports(uint64_t nowMs, bool initial)
	{
		if (!this->rtcpTimer)
		{
			this->rtcpTimer = std::make_unique<TimerHandle>(&this->timerListener);
		}

		RtcpInterval::Input input;
		uint32_t senders{ 0u };

		for (const auto& [id, producer] : this->mapProducers)
		{
			senders += static_cast<uint32_t>(producer->GetScores().size());
		}

		const auto ourStreams = static_cast<uint32_t>(this->mapConsumers.size());

		input.members        = senders + std::max<uint32_t>(ourStreams, 1u);
		input.senders        = senders + ourStreams;
		input.weSent         = ourStreams > 0u;
		input.sessionBitrate = static_cast<uint64_t>(this->recvRtpTransmission.GetRate(nowMs)) +
													 this->sendRtpTransmission.GetRate(nowMs);
		input.avgRtcpSize = this->avgRtcpSize;
		input.initial     = initial;

		const uint64_t intervalMs = RtcpInterval::Randomize(
			RtcpInterval::ComputeMs(input),
			static_cast<double>(Utils::Crypto::GetRandomUInt(0u, 1000000u)) / 1000000.0);

		this->rtcpTimer->Start(intervalMs);
	}

	void Transport::ScheduleFeedback(uint64_t deadlineMs, uint64_t nowMs)
	{
		if (!this->feedbackTimer)
		{
			this->feedbackTimer = std::make_unique<TimerHandle>(&this->timerListener);
		}

		if (this->feedbackTimer->IsActive() && this->feedbackDeadlineMs <= deadlineMs)
		{
			return;
		}

		this->feedbackDeadlineMs = deadlineMs;
		this->feedbackTimer->Start(deadlineMs > nowMs ? deadlineMs - nowMs : 0u);
	}

	void Transport::OnTimer(TimerHandle* timer)
	{
		const uint64_t nowMs = DepLibUV::GetTimeMs();

		if (timer == this->rtcpTimer.get())
		{
			SendRtcpReports(nowMs);
			ScheduleRtcpReports(nowMs, false);
		}
		else if (timer == this->incomingBweTimer.get())
		{
			const uint64_t nowUs = DepLibUV::GetTimeUsNow();

			SendIncomingBwe(nowUs);
			ScheduleIncomingBwe(nowUs);
		}
		else if (timer == this->feedbackTimer.get())
		{
			std::optional<uint64_t> next;

			for (auto& [id, producer] : this->mapProducers)
			{
				producer->OnFeedbackTimer(nowMs);

				const auto deadline = producer->GetNextFeedbackDeadlineMs();

				if (deadline && (!next || *deadline < *next))
				{
					next = deadline;
				}
			}

			if (next)
			{
				// Never spin: a deadline already past runs on the next tick.
				ScheduleFeedback(std::max(*next, nowMs + 1u), nowMs);
			}
		}
	}
} // namespace RTC
