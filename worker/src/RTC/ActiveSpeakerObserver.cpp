#define MS_CLASS "RTC::ActiveSpeakerObserver"

#include "RTC/ActiveSpeakerObserver.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

#include <algorithm>

namespace RTC
{
	ActiveSpeakerObserver::ActiveSpeakerObserver(
		Shared* shared,
		const std::string& id,
		RtpObserver::Listener* listener,
		const FBS::ActiveSpeakerObserver::ActiveSpeakerObserverOptions* options)
			: RtpObserver(shared, id, listener),
				intervalMs(std::clamp(options->interval(), MinIntervalMs, MaxIntervalMs))
	{
		this->timer = std::make_unique<TimerHandle>(this);

		this->timer->Start(this->intervalMs, this->intervalMs);
	}

	ActiveSpeakerObserver::~ActiveSpeakerObserver() = default;

	void ActiveSpeakerObserver::ProducerPaused(Producer* producer)
	{
		this->detector.SetSpeakerPaused(producer->GetId(), true, DepLibUV::GetTimeMs());
	}

	void ActiveSpeakerObserver::ProducerResumed(Producer* producer)
	{
		this->detector.SetSpeakerPaused(producer->GetId(), false, DepLibUV::GetTimeMs());
	}

	void ActiveSpeakerObserver::AddProducer(Producer* producer)
	{
		if (producer->GetKind() != MediaKind::AUDIO)
		{
			MS_THROW_TYPE_ERROR("not an audio Producer");
		}

		if (this->detector.HasSpeaker(producer->GetId()))
		{
			MS_THROW_ERROR("Producer already added");
		}

		const uint64_t nowMs = DepLibUV::GetTimeMs();

		this->detector.AddSpeaker(producer->GetId(), nowMs);

		// Added while paused: it cannot be the dominant speaker until resumed.
		if (producer->IsPaused())
		{
			this->detector.SetSpeakerPaused(producer->GetId(), true, nowMs);
		}
	}

	void ActiveSpeakerObserver::RemoveProducer(Producer* producer)
	{
		// When it was the dominant speaker, the next decision picks another one.
		this->detector.RemoveSpeaker(producer->GetId());
	}

	void ActiveSpeakerObserver::ObserveRtpPacket(Producer* producer, const RtpPacket& packet)
	{
		// The packet is in the Router's view: its extension ids were remapped
		// by the Producer, the reader follows them.
		const auto level = packet.ReadSsrcAudioLevel();

		if (!level)
		{
			return;
		}

		this->detector.AddLevel(producer->GetId(), level->first, DepLibUV::GetTimeMs());
	}

	void ActiveSpeakerObserver::Paused()
	{
		this->timer->Stop();
	}

	void ActiveSpeakerObserver::Resumed()
	{
		this->timer->Start(this->intervalMs, this->intervalMs);
	}

	void ActiveSpeakerObserver::OnTimer(TimerHandle* /*timer*/)
	{
		const auto dominant = this->detector.Decide(DepLibUV::GetTimeMs());

		if (dominant)
		{
			NotifyDominantSpeaker(*dominant);
		}
	}

	void ActiveSpeakerObserver::NotifyDominantSpeaker(const std::string& producerId)
	{
		namespace Fbs = FBS::ActiveSpeakerObserver;

		auto& builder = this->shared->channel->GetNotificationBuilder();
		auto body = Fbs::CreateDominantSpeakerNotification(builder, builder.CreateString(producerId));

		this->shared->channel->SendNotification(
			this->id,
			FBS::Notification::Event::ACTIVESPEAKEROBSERVER_DOMINANT_SPEAKER,
			FBS::Notification::Body::ActiveSpeakerObserver_DominantSpeakerNotification,
			body.Union());
	}
} // namespace RTC
