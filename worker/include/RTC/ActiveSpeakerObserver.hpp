#ifndef MS_RTC_ACTIVE_SPEAKER_OBSERVER_HPP
#define MS_RTC_ACTIVE_SPEAKER_OBSERVER_HPP

#include "common.hpp"

#include "FBS/activeSpeakerObserver_generated.h"
#include "RTC/DominantSpeakerDetector.hpp"
#include "RTC/RtpObserver.hpp"
#include "handles/TimerHandle.hpp"

#include <memory>

namespace RTC
{
	// Tells, every interval, whether the dominant speaker among the audio
	// Producers added to it changed (`dominantspeaker`). The decision is
	// DominantSpeakerDetector's; this class owns the timer, reads the loop
	// clock and talks to the channel.
	class ActiveSpeakerObserver : public RtpObserver, public TimerHandle::Listener
	{
	public:
		static constexpr uint16_t MinIntervalMs{ 100u };
		static constexpr uint16_t MaxIntervalMs{ 5000u };

	public:
		// Throws MediaSoupError if the id is already registered.
		ActiveSpeakerObserver(
			Shared* shared,
			const std::string& id,
			RtpObserver::Listener* listener,
			const FBS::ActiveSpeakerObserver::ActiveSpeakerObserverOptions* options);
		~ActiveSpeakerObserver() override;

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
		void NotifyDominantSpeaker(const std::string& producerId);

	private:
		// Allocated by this.
		std::unique_ptr<TimerHandle> timer;
		// Others.
		DominantSpeakerDetector detector;
		uint16_t intervalMs{ 300u };
	};
} // namespace RTC

#endif
