#ifndef MS_RTC_AUDIO_LEVEL_OBSERVER_HPP
#define MS_RTC_AUDIO_LEVEL_OBSERVER_HPP

#include "common.hpp"

#include "FBS/audioLevelObserver_generated.h"
#include "RTC/AudioLevelAggregator.hpp"
#include "RTC/RtpObserver.hpp"
#include "handles/TimerHandle.hpp"

#include <memory>
#include <vector>

namespace RTC
{
	// Reports, every interval, the average audio level of the loudest audio
	// Producers added to it (`volumes`), or that all of them went quiet
	// (`silence`, once). The arithmetic is AudioLevelAggregator's; this class
	// owns the timer and talks to the channel.
	class AudioLevelObserver : public RtpObserver, public TimerHandle::Listener
	{
	public:
		static constexpr uint16_t MinIntervalMs{ 250u };
		static constexpr uint16_t MaxIntervalMs{ 5000u };

	public:
		// Throws MediaSoupError if the id is already registered.
		AudioLevelObserver(
			Shared* shared,
			const std::string& id,
			RtpObserver::Listener* listener,
			const FBS::AudioLevelObserver::AudioLevelObserverOptions* options);
		~AudioLevelObserver() override;

	public:
		void ProducerPaused(Producer* producer) override;
		void ProducerResumed(Producer* producer) override;

		/* Pure virtual methods inherited from RtpObserver. */
	protected:
		void AddProducer(Producer* producer) override;
		void RemoveProducer(Producer* producer) override;
		void ObserveRtpPacket(Producer* producer, const RtpPacket& packet) override;
		void Paused() override;
		void Resumed() override;

		/* Pure virtual methods inherited from TimerHandle::Listener. */
	public:
		void OnTimer(TimerHandle* timer) override;

	private:
		void NotifyVolumes();
		void NotifySilence();

	private:
		// Allocated by this.
		std::unique_ptr<TimerHandle> timer;
		// Others.
		AudioLevelAggregator aggregator;
		uint16_t intervalMs{ 1000u };
		// Reused every interval.
		std::vector<AudioLevelAggregator::Volume> volumes;
	};
} // namespace RTC

#endif
