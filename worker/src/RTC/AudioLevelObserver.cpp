#define MS_CLASS "RTC::AudioLevelObserver"

#include "RTC/AudioLevelObserver.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

#include <algorithm>

namespace RTC
{
	AudioLevelObserver::AudioLevelObserver(
		Shared* shared,
		const std::string& id,
		RtpObserver::Listener* listener,
		const FBS::AudioLevelObserver::AudioLevelObserverOptions* options)
			: RtpObserver(shared, id, listener),
				aggregator(options->max_entries(), options->threshold()),
				intervalMs(std::clamp(options->interval(), MinIntervalMs, MaxIntervalMs))
	{
		// Node validates the options; what is out of range anyway (maxEntries 0,
		// a positive threshold) is clamped by the aggregator rather than refused.
		this->timer = std::make_unique<TimerHandle>(this);

		this->timer->Start(this->intervalMs, this->intervalMs);
	}

	AudioLevelObserver::~AudioLevelObserver() = default;

	void AudioLevelObserver::ProducerPaused(Producer* producer)
	{
		// What it sent earlier in the interval belongs to a Producer that is
		// not heard any more.
		this->aggregator.ResetProducer(producer->GetId());
	}

	void AudioLevelObserver::ProducerResumed(Producer* /*producer*/)
	{
		// Nothing to do: it counts again from its next packet.
	}

	void AudioLevelObserver::AddProducer(Producer* producer)
	{
		if (producer->GetKind() != MediaKind::AUDIO)
		{
			MS_THROW_TYPE_ERROR("not an audio Producer");
		}

		this->aggregator.AddProducer(producer->GetId());
	}

	void AudioLevelObserver::RemoveProducer(Producer* producer)
	{
		this->aggregator.RemoveProducer(producer->GetId());
	}

	void AudioLevelObserver::ObserveRtpPacket(Producer* producer, const RtpPacket& packet)
	{
		// The packet is in the Router's view: its extension ids were remapped
		// by the Producer, the reader follows them.
		const auto level = packet.ReadSsrcAudioLevel();

		if (!level)
		{
			return;
		}

		this->aggregator.AddLevel(producer->GetId(), level->first);
	}

	void AudioLevelObserver::Paused()
	{
		this->timer->Stop();

		if (this->aggregator.Pause())
		{
			NotifySilence();
		}
	}

	void AudioLevelObserver::Resumed()
	{
		// A full interval from now, not what was left of the one paused.
		this->timer->Start(this->intervalMs, this->intervalMs);
	}

	void AudioLevelObserver::OnTimer(TimerHandle* /*timer*/)
	{
		switch (this->aggregator.CloseInterval(this->volumes))
		{
			case AudioLevelAggregator::Report::VOLUMES:
			{
				NotifyVolumes();

				break;
			}

			case AudioLevelAggregator::Report::SILENCE:
			{
				NotifySilence();

				break;
			}

			case AudioLevelAggregator::Report::NONE:
			{
				break;
			}
		}
	}

	void AudioLevelObserver::NotifyVolumes()
	{
		auto& builder = this->shared->channel->GetNotificationBuilder();
		std::vector<flatbuffers::Offset<FBS::AudioLevelObserver::Volume>> entries;

		entries.reserve(this->volumes.size());

		for (const auto& volume : this->volumes)
		{
			entries.push_back(FBS::AudioLevelObserver::CreateVolumeDirect(
				builder, volume.producerId.c_str(), volume.volume));
		}

		auto body = FBS::AudioLevelObserver::CreateVolumesNotificationDirect(builder, &entries);

		this->shared->channel->SendNotification(
			this->id,
			FBS::Notification::Event::AUDIOLEVELOBSERVER_VOLUMES,
			FBS::Notification::Body::AudioLevelObserver_VolumesNotification,
			body.Union());
	}

	void AudioLevelObserver::NotifySilence()
	{
		this->shared->channel->SendNotification(
			this->id, FBS::Notification::Event::AUDIOLEVELOBSERVER_SILENCE);
	}
} // namespace RTC
