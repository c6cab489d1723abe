#define MS_CLASS "RTC::Transport"

// The bandwidth side of Transport: the REMB we send a remote sender, the
// probes and allocations of the outgoing estimate, and their 'bwe' and
// 'probation' trace events.

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "RTC/Transport.hpp"

#include <algorithm>

namespace RTC
{
	void Transport::OnOutgoingBweSendProbe(std::span<const uint8_t> packet)
	{
		const size_t sent = SendRtpData(packet.data(), packet.size());

		if (sent == 0u)
		{
			return;
		}

		const uint64_t nowMs = DepLibUV::GetTimeMs();

		this->sendTransmission.Update(sent, nowMs);
		this->sendProbationTransmission.Update(sent, nowMs);

		if (std::ranges::find(this->traceEventTypes, "probation") != this->traceEventTypes.end())
		{
			auto& builder = GetNotificationBuilder();

			Notify(
				FBS::Notification::Event::TRANSPORT_TRACE,
				FBS::Notification::Body::Transport_TraceNotification,
				FBS::Transport::CreateTraceNotification(
					builder,
					FBS::Transport::TraceEventType::PROBATION,
					nowMs,
					FBS::Transport::TraceDirection::DIRECTION_OUT)
					.Union());
		}
	}

	void Transport::OnOutgoingBweAllocated(uint64_t desiredBitrate)
	{
		const uint32_t available = this->outgoingBwe.GetAvailableBitrate();

		if (
			available == this->lastTracedAvailableBitrate &&
			desiredBitrate == this->lastTracedDesiredBitrate)
		{
			return;
		}

		this->lastTracedAvailableBitrate = available;
		this->lastTracedDesiredBitrate   = desiredBitrate;

		MS_DEBUG_TAG(
			bwe,
			"available outgoing bitrate %" PRIu32 " bps, desired %" PRIu64 " bps",
			available,
			desiredBitrate);

		if (std::ranges::find(this->traceEventTypes, "bwe") == this->traceEventTypes.end())
		{
			return;
		}

		const auto& estimator = this->outgoingBwe.GetEstimator();
		const uint32_t desired32 =
			static_cast<uint32_t>(std::min<uint64_t>(desiredBitrate, UINT32_MAX));
		const uint32_t maxBitrate = estimator.GetMaxBitrate();
		auto& builder             = GetNotificationBuilder();
		const auto info           = FBS::Transport::CreateBweTraceInfo(
      builder,
      this->outgoingBwe.GetType() == BweType::REMB ? FBS::Transport::BweType::REMB
																														 : FBS::Transport::BweType::TRANSPORT_CC,
      desired32,
      maxBitrate != 0u ? std::min(desired32, maxBitrate) : desired32,
      estimator.GetMinBitrate(),
      maxBitrate,
      this->outgoingBwe.GetInitialBitrate(),
      0u,
      available);

		Notify(
			FBS::Notification::Event::TRANSPORT_TRACE,
			FBS::Notification::Body::Transport_TraceNotification,
			FBS::Transport::CreateTraceNotification(
				builder,
				FBS::Transport::TraceEventType::BWE,
				DepLibUV::GetTimeMs(),
				FBS::Transport::TraceDirection::DIRECTION_OUT,
				FBS::Transport::TraceInfo::BweTraceInfo,
				info.Union())
				.Union());
	}

	void Transport::ScheduleIncomingBwe(uint64_t nowUs)
	{
		const auto deadlineUs = this->incomingBwe.GetNextDeadlineUs();

		if (!deadlineUs)
		{
			return;
		}

		if (!this->incomingBweTimer)
		{
			this->incomingBweTimer = std::make_unique<TimerHandle>(&this->timerListener);
		}

		if (this->incomingBweTimer->IsActive() && this->incomingBweDeadlineUs <= *deadlineUs)
		{
			return;
		}

		this->incomingBweDeadlineUs = *deadlineUs;

		// Rounded up: the timer has millisecond resolution and running early
		// would find nothing due.
		const uint64_t delayUs = *deadlineUs > nowUs ? *deadlineUs - nowUs : 0u;

		this->incomingBweTimer->Start((delayUs + 999u) / 1000u);
	}

	void Transport::SendIncomingBwe(uint64_t nowUs)
	{
		const auto rembBitrate = this->incomingBwe.Process(
			nowUs, this->rtcpSsrc, [this](std::span<const uint8_t> packet) { SendRtcpBytes(packet); });

		if (!rembBitrate)
		{
			return;
		}

		// The SSRCs of the streams the remote sender sends us with feedback
		// (receivers apply a REMB to the whole session anyway).
		RTCP::Remb remb;

		remb.SetSenderSsrc(this->rtcpSsrc);
		remb.SetBitrate(*rembBitrate);

		for (const auto& [ssrc, producer] : this->mapSsrcProducer)
		{
			if (producer->GetBweType() != BweType::NONE && !remb.AddSsrc(ssrc))
			{
				break;
			}
		}

		MS_DEBUG_TAG(bwe, "sending REMB of %" PRIu64 " bps", *rembBitrate);

		RTCP::CompoundPacket::Builder builder;

		builder.Add(remb);
		SendRtcpCompound(builder);

		if (std::ranges::find(this->traceEventTypes, "bwe") != this->traceEventTypes.end())
		{
			// Our own estimate when the sender is a REMB one; else the REMB only
			// carries the cap for a transport-cc sender.
			const auto type           = this->incomingBwe.GetAvailableIncomingBitrate()
																		? FBS::Transport::BweType::REMB
																		: FBS::Transport::BweType::TRANSPORT_CC;
			auto& notificationBuilder = GetNotificationBuilder();
			const auto info           = FBS::Transport::CreateBweTraceInfo(
        notificationBuilder,
        type,
        0u,
        0u,
        0u,
        this->incomingBwe.GetMaxIncomingBitrate(),
        0u,
        0u,
        static_cast<uint32_t>(std::min<uint64_t>(*rembBitrate, UINT32_MAX)));

			Notify(
				FBS::Notification::Event::TRANSPORT_TRACE,
				FBS::Notification::Body::Transport_TraceNotification,
				FBS::Transport::CreateTraceNotification(
					notificationBuilder,
					FBS::Transport::TraceEventType::BWE,
					DepLibUV::GetTimeMs(),
					FBS::Transport::TraceDirection::DIRECTION_IN,
					FBS::Transport::TraceInfo::BweTraceInfo,
					info.Union())
					.Union());
		}
	}
} // namespace RTC
