#ifndef MS_RTC_REMB_ESTIMATOR_HPP
#define MS_RTC_REMB_ESTIMATOR_HPP

#include "common.hpp"

#include "RTC/AbsSendTimeUnwrapper.hpp"
#include "RTC/AimdRateController.hpp"
#include "RTC/DelayBasedUsage.hpp"
#include "RTC/IncomingRate.hpp"

#include <optional>

namespace RTC
{
	// The receive-side, delay-based bandwidth estimate of Google Congestion
	// Control (draft-ietf-rmcat-gcc-02, 5) for a sender that negotiated
	// goog-remb and not transport-cc, announced to it as REMB
	// (draft-alvestrand-rmcat-remb). One per transport: abs-send-time values
	// of all its streams come from the same sender clock.
	//
	//   abs-send-time -> AbsSendTimeUnwrapper -> InterArrivalGrouper
	//     -> DelayTrendEstimator -> OveruseDetector -> AimdRateController
	//                           \-> StandingQueueDetector -/
	//   sizes -> IncomingRate -> AimdRateController
	//
	// Clock-free and without I/O: the caller gives arrival times and the
	// current time in microseconds, comes back at GetNextDeadlineUs() and
	// sends the REMB that Process() returns.
	class RembEstimator
	{
	public:
		// A REMB is due at once when the estimate falls below this fraction
		// of the last one announced.
		static constexpr double PromptDecreaseRatio{ 0.97 };
		// And otherwise this often while packets arrive.
		static constexpr uint64_t RembIntervalUs{ 1000000u };
		// Or this soon after the last one when the estimate has grown past
		// PromptIncreaseRatio times it. libwebrtc's receiver announces every
		// 200 ms; a sender that hears of an increase only once a second lags
		// the estimate by that much, and a rising estimate then overshoots the
		// capacity by a second of growth before the sender shows it a queue.
		static constexpr uint64_t MinRembIntervalUs{ 200000u };
		static constexpr double PromptIncreaseRatio{ 1.03 };
		// The incoming rate window: the draft allows 0.5 to 1 s; the shorter
		// one lets a decrease see the rate the queue drains at sooner.
		static constexpr uint64_t RateWindowUs{ 500000u };
		// Larger packet sizes count as this (an IP packet holds no more).
		static constexpr size_t MaxPacketSize{ InterArrivalGrouper::MaxPacketSize };

	public:
		RembEstimator();

	public:
		// absSendTime: the 24-bit value of the abs-send-time extension.
		void ReceivePacket(uint64_t arrivalUs, uint32_t absSendTime, size_t size);
		// When Process() next has something to say: a REMB is sent at once
		// when the estimate drops by more than ~3 %, 200 ms after the last one
		// when it has grown by more than ~3 %, otherwise about once a second
		// while packets arrive. nullopt if idle.
		std::optional<uint64_t> GetNextDeadlineUs() const;
		// The bitrate (bit/s) to announce in a REMB now, or nullopt when none
		// is due.
		std::optional<uint32_t> Process(uint64_t nowUs);
		// The current estimate in bit/s (0 before the first packets), for
		// getStats().
		uint32_t GetEstimate() const;
		// Arrival times earlier than a previous one (counted as that one).
		uint64_t GetClockStepBackCount() const { return this->clockStepBackCount; }
		const InterArrivalGrouper& GetGrouper() const { return this->delayBased.GetGrouper(); }
		const OveruseDetector& GetDetector() const { return this->delayBased.GetDetector(); }
		const StandingQueueDetector& GetStandingQueueDetector() const
		{
			return this->delayBased.GetStandingQueueDetector();
		}
		const AimdRateController& GetRateController() const { return this->rateController; }

	private:
		// Allocated by this.
		AbsSendTimeUnwrapper unwrapper;
		DelayBasedUsage delayBased;
		AimdRateController rateController;
		IncomingRate incomingRate;
		// Others.
		std::optional<uint64_t> firstArrivalUs;
		uint64_t lastArrivalUs{ 0u };
		double averagePacketBits{ 8.0 * 1200.0 };
		// The last REMB announced, and when.
		std::optional<uint64_t> lastRembUs;
		uint32_t lastRembBitrate{ 0u };
		bool arrivedSinceRemb{ false };
		// Set when the estimate fell enough for a REMB at once.
		std::optional<uint64_t> promptUs;
		uint64_t clockStepBackCount{ 0u };
	};
} // namespace RTC

#endif
