#ifndef MS_RTC_NOTIFICATION_THROTTLE_HPP
#define MS_RTC_NOTIFICATION_THROTTLE_HPP

#include "common.hpp"

#include <optional>

namespace RTC
{
	// At most one notification of a changing value per interval. A change
	// within the interval after the last notification is held, and changes
	// held together are coalesced: when the interval ends one notification
	// reports the value as it is then, so the last value is always notified
	// eventually. Clock-free: the time comes with each call, and
	// GetDeadlineMs() tells when OnTimeout() is due.
	//
	// Why: a peer switching paths (or anyone who makes us believe so) must
	// not turn into one message to the application per packet.
	class NotificationThrottle
	{
	public:
		explicit NotificationThrottle(uint64_t intervalMs) : intervalMs(intervalMs) {}

	public:
		// The value changed. True: notify now. False: held until the deadline.
		// Time going backwards counts as no time passing.
		bool OnChange(uint64_t nowMs);
		// True when a held change is due: notify the current value now.
		bool OnTimeout(uint64_t nowMs);
		// When a held change is due; nullopt when none is held.
		std::optional<uint64_t> GetDeadlineMs() const;

	private:
		// Passed by argument.
		uint64_t intervalMs{ 0u };
		// Others.
		std::optional<uint64_t> lastNotifiedMs;
		bool held{ false };
		uint64_t lastNowMs{ 0u };
	};
} // namespace RTC

#endif
