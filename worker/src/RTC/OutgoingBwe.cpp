#define MS_CLASS "RTC::OutgoingBwe"

#include "RTC/OutgoingBwe.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"

#include <algorithm>
#include <cstring>

namespace RTC
{
	OutgoingBwe::OutgoingBwe(Listener* listener, uint32_t initialBitrate)
			: listener(listener),
				estimator(initialBitrate),
				initialBitrate(
					initialBitrate == 0u ? SendSideBandwidthEstimator::DefaultInitialBitrate : initialBitrate)
	{
		this->probeController.SetEstimate(this->estimator.GetTargetBitrate(), false);
	}

	OutgoingBwe::~OutgoingBwe()
	{
		this->allocationTimer.reset();
		this->probeTimer.reset();
	}

	void OutgoingBwe::AddConsumer(Consumer* consumer)
	{
		ConsumerInfo info;
		const auto& rtpParameters = consumer->GetRtpParameters();

		info.type = GetBweType(rtpParameters);

		switch (info.type)
		{
			case BweType::TRANSPORT_CC:
			{
				info.ids.transportWideCc01 = rtpParameters.GetHeaderExtensionId(TransportWideCc01Uri);
				++this->transportCcConsumers;

				break;
			}

			case BweType::REMB:
			{
				info.ids.absSendTime = rtpParameters.GetHeaderExtensionId(AbsSendTimeUri);

				break;
			}

			case BweType::NONE:
			{
				break;
			}
		}

		this->consumers[consumer] = info;

		if (info.type == BweType::NONE)
		{
			return;
		}

		this->measured.push_back(consumer);
		consumer->SetLayersManaged(true);

		if (!this->allocationTimer)
		{
			this->allocationTimer = std::make_unique<TimerHandle>(this);
			this->allocationTimer->Start(AllocationIntervalMs, AllocationIntervalMs);
		}

		Allocate(DepLibUV::GetTimeUsNow());
	}

	void OutgoingBwe::RemoveConsumer(const Consumer* consumer)
	{
		const auto it = this->consumers.find(consumer);

		if (it == this->consumers.end())
		{
			return;
		}

		if (it->second.type == BweType::TRANSPORT_CC)
		{
			--this->transportCcConsumers;
		}

		this->consumers.erase(it);
		std::erase(this->measured, consumer);

		if (this->measured.empty())
		{
			this->allocationTimer.reset();
			this->probeTimer.reset();
			this->probePacer.Clear();
		}
	}

	BweType OutgoingBwe::GetConsumerBweType(const Consumer* consumer) const
	{
		const auto it = this->consumers.find(consumer);

		return it != this->consumers.end() ? it->second.type : BweType::NONE;
	}

	BweType OutgoingBwe::GetType() const
	{
		if (this->transportCcConsumers > 0u)
		{
			return BweType::TRANSPORT_CC;
		}

		return this->measured.empty() ? BweType::NONE : BweType::REMB;
	}

	void OutgoingBwe::SetMinBitrate(uint32_t bitrate)
	{
		this->estimator.SetMinBitrate(bitrate);
	}

	void OutgoingBwe::SetMaxBitrate(uint32_t bitrate)
	{
		this->estimator.SetMaxBitrate(bitrate);
		this->probeController.SetMaxBitrate(bitrate);
		this->probePacer.SetMaxBitrate(bitrate);

		Allocate(DepLibUV::GetTimeUsNow());
	}

	bool OutgoingBwe::IsMeasuring(uint64_t nowUs) const
	{
		if (this->lastFeedbackUs)
		{
			return nowUs - *this->lastFeedbackUs < NoFeedbackTimeoutUs;
		}

		// Nothing yet: the initial estimate holds while the first feedback may
		// still come.
		return !this->firstMeasuredSendUs || nowUs - *this->firstMeasuredSendUs < NoFeedbackTimeoutUs;
	}

	std::span<const uint8_t>
	OutgoingBwe::PrepareRtp(const Consumer* consumer, RtpPacket& packet, uint64_t nowUs)
	{
		// Most transports measure nothing: skip the lookup on the hot path.
		if (this->measured.empty())
		{
			return packet.GetData();
		}

		const auto it = this->consumers.find(consumer);

		if (it == this->consumers.end() || it->second.type == BweType::NONE)
		{
			return packet.GetData();
		}

		return Stamp(it->second, packet, nowUs);
	}

	bool OutgoingBwe::AllowRetransmission(size_t len, uint64_t nowUs)
	{
		// Only a path the endpoint's feedback measures has a budget.
		if (this->measured.empty() || !IsMeasuring(nowUs))
		{
			return true;
		}

		const auto share =
			static_cast<uint32_t>(static_cast<double>(GetAvailableBitrate()) * RetransmissionShare);

		this->retransmissionBudget.SetRate(std::max(share, MinRetransmissionBitrate), nowUs);

		if (!this->retransmissionBudget.TryTake(len, nowUs))
		{
			MS_DEBUG_DEV("no budget for a retransmission of %zu bytes", len);

			return false;
		}

		return true;
	}

	std::span<const uint8_t> OutgoingBwe::PrepareRetransmission(
		const Consumer* consumer, const uint8_t* data, size_t len, uint64_t nowUs)
	{
		if (this->measured.empty())
		{
			return { data, len };
		}

		const auto it = this->consumers.find(consumer);

		if (
			it == this->consumers.end() || it->second.type == BweType::NONE ||
			len > this->retransmissionBuffer.size())
		{
			return { data, len };
		}

		// The stream's stored copy is not ours to change: stamp a copy.
		std::memcpy(this->retransmissionBuffer.data(), data, len);

		auto packet = RtpPacket::Parse(std::span<uint8_t>(this->retransmissionBuffer.data(), len));

		if (!packet)
		{
			return { data, len };
		}

		return Stamp(it->second, *packet, nowUs);
	}

	std::span<const uint8_t>
	OutgoingBwe::Stamp(const ConsumerInfo& info, RtpPacket& packet, uint64_t nowUs)
	{
		const auto prepared = this->stamper.Prepare(packet, info.ids);

		if (!this->firstMeasuredSendUs)
		{
			this->firstMeasuredSendUs = nowUs;
		}

		this->lastMeasuredSendUs = nowUs;

		if (prepared.transportWideCc01)
		{
			// Media sent during a probe cluster counts towards it: the path sees
			// both.
			const auto clusterId = this->probePacer.GetActiveClusterId(nowUs);
			const uint16_t seq   = this->sendHistory.RecordSend(prepared.data.size(), nowUs, clusterId);

			if (clusterId)
			{
				this->probePacer.OnMediaSent(prepared.data.size(), nowUs);
			}

			OutgoingRtpStamper::WriteTransportWideCc01(prepared, seq);
		}

		if (prepared.absSendTime)
		{
			OutgoingRtpStamper::WriteAbsSendTime(prepared, OutgoingRtpStamper::ToAbsSendTime(nowUs));
		}

		return prepared.data;
	}

	void OutgoingBwe::ReceiveTransportCc(const RTCP::TransportWideCc& feedback, uint64_t nowUs)
	{
		this->gotTransportCc = true;
		this->lastFeedbackUs = nowUs;

		const auto& result = this->sendHistory.ReceiveFeedback(feedback, nowUs);

		if (!result.packets.empty())
		{
			this->estimator.ReceiveFeedback(result.packets, nowUs);
		}

		UpdateProbing(nowUs);
	}

	void OutgoingBwe::ReceiveRemb(uint64_t bitrate)
	{
		const uint64_t nowUs = DepLibUV::GetTimeUsNow();

		this->lastFeedbackUs = nowUs;
		this->estimator.ReceiveRemb(bitrate);

		UpdateProbing(nowUs);
	}

	void OutgoingBwe::ReceiveReportBlock(
		const RTCP::ReportBlock& block, std::optional<uint32_t> rttMs, uint64_t nowUs)
	{
		if (rttMs)
		{
			this->estimator.SetRtt(static_cast<uint64_t>(*rttMs) * 1000u);
		}

		if (!this->gotTransportCc && !this->measured.empty())
		{
			this->estimator.ReceiveReceiverReportLoss(block.fractionLost, nowUs);
		}
	}

	void OutgoingBwe::Allocate(uint64_t nowUs)
	{
		if (this->measured.empty())
		{
			return;
		}

		const uint64_t nowMs = nowUs / 1000u;

		this->entries.resize(this->measured.size());

		for (size_t idx = 0u; idx < this->measured.size(); ++idx)
		{
			this->entries[idx] = BitrateAllocator::Entry{};
			this->measured[idx]->FillAllocatorEntry(this->entries[idx], nowMs);
		}

		uint64_t budget = this->estimator.GetTargetBitrate();

		// Not measuring: what the app allows, or everything.
		if (!IsMeasuring(nowUs))
		{
			const uint32_t max = this->estimator.GetMaxBitrate();

			budget = max != 0u ? max : std::numeric_limits<uint32_t>::max();
		}

		const auto result = this->allocator.Allocate(budget, this->entries, nowUs);

		MS_DEBUG_TAG(
			bwe,
			"allocation [target:%u, delay:%u, loss:%u, remb:%u, acked:%u, usage:%d, desired:%" PRIu64
			", probation bytes:%" PRIu64 "]",
			this->estimator.GetTargetBitrate(),
			this->estimator.GetDelayBasedBitrate(),
			this->estimator.GetLossBasedBitrate(),
			this->estimator.GetRemb().value_or(0u),
			this->estimator.GetAckedBitrate().value_or(0u),
			static_cast<int>(this->estimator.GetUsage()),
			result.desiredBitrate,
			this->probePacer.GetProbationBytesSent());

		for (size_t idx = 0u; idx < this->measured.size(); ++idx)
		{
			auto layers       = result.allocations[idx].layers;
			const auto& entry = this->entries[idx];

			// Never black: a video consumer the budget has no room for still
			// gets its lowest layer (the allocator gives it first when it fits).
			// A picture that is too small beats none, and the estimate comes
			// back up once the path shows it carries it.
			if (!layers && !entry.paused && entry.kind == BitrateAllocator::Kind::Video)
			{
				layers = BitrateAllocator::Layers{};
			}

			this->measured[idx]->SetTargetLayers(layers);
		}

		this->lastDesiredBitrate = result.desiredBitrate;
		this->probeController.SetDesiredBitrate(static_cast<uint32_t>(std::min<double>(
			static_cast<double>(result.desiredBitrate) * DesiredHeadroom,
			std::numeric_limits<uint32_t>::max())));

		this->listener->OnOutgoingBweAllocated(result.desiredBitrate);

		UpdateProbing(nowUs);
	}

	void OutgoingBwe::UpdateProbing(uint64_t nowUs)
	{
		// Probes measure through transport-cc feedback only.
		if (this->transportCcConsumers == 0u)
		{
			return;
		}

		const bool limited =
			this->estimator.GetUsage() == BandwidthUsage::Overusing ||
			this->estimator.GetLossBasedBitrate() < this->estimator.GetDelayBasedBitrate();

		this->probeController.SetMediaFlowing(
			this->lastMeasuredSendUs && nowUs - *this->lastMeasuredSendUs < MediaFlowingUs);
		this->probeController.SetEstimate(this->estimator.GetTargetBitrate(), limited);
		this->probeController.ReadProbeResults(this->estimator.GetProbeRateEstimator(), nowUs);

		SendProbes(nowUs);
	}

	void OutgoingBwe::SendProbes(uint64_t nowUs)
	{
		while (const auto cluster = this->probeController.Poll(nowUs))
		{
			this->probePacer.AddCluster(*cluster, nowUs);
		}

		// The probation stream carries the transport-wide sequence number with
		// the id the consumers negotiated (the Router's).
		uint8_t twccId{ 0u };

		for (const auto& [consumer, info] : this->consumers)
		{
			if (info.ids.transportWideCc01 != 0u)
			{
				twccId = info.ids.transportWideCc01;

				break;
			}
		}

		static constexpr std::array<uint8_t, 2> Zeros{};
		const std::array<PaddingPacket::Extension, 1> extensions{ { { twccId, Zeros } } };
		RtpHeaderExtensionIds ids;

		ids.transportWideCc01 = twccId;

		while (const size_t size = this->probePacer.NextProbePacketSize(nowUs))
		{
			auto packet =
				this->probationStream.WriteNext(this->probeBuffer, size, extensions, ids, nowUs);

			if (!packet)
			{
				break;
			}

			const auto clusterId = this->probePacer.GetActiveClusterId(nowUs);
			const uint16_t seq   = this->sendHistory.RecordSend(packet->GetSize(), nowUs, clusterId);

			packet->UpdateTransportWideCc01(seq);
			this->probePacer.OnProbeSent(packet->GetSize(), nowUs);
			this->listener->OnOutgoingBweSendProbe(packet->GetData());
		}

		ScheduleProbeTimer(nowUs);
	}

	void OutgoingBwe::ScheduleProbeTimer(uint64_t nowUs)
	{
		std::optional<uint64_t> next = this->probePacer.GetNextSendUs();
		const auto controllerNext    = this->probeController.GetNextDeadlineUs();

		if (controllerNext && (!next || *controllerNext < *next))
		{
			next = controllerNext;
		}

		if (!next)
		{
			if (this->probeTimer)
			{
				this->probeTimer->Stop();
			}

			return;
		}

		if (!this->probeTimer)
		{
			this->probeTimer = std::make_unique<TimerHandle>(this);
		}

		// Never spin: a deadline already past runs on the next tick.
		const uint64_t delayMs = *next > nowUs ? (*next - nowUs + 999u) / 1000u : 1u;

		this->probeTimer->Start(std::max<uint64_t>(delayMs, 1u));
	}

	void OutgoingBwe::OnTimer(TimerHandle* timer)
	{
		const uint64_t nowUs = DepLibUV::GetTimeUsNow();

		if (timer == this->allocationTimer.get())
		{
			Allocate(nowUs);
		}
		else if (timer == this->probeTimer.get())
		{
			UpdateProbing(nowUs);
		}
	}
} // namespace RTC
