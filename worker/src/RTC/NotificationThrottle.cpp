#define MS_CLASS "RTC::NotificationThrottle"
// #define MS_LOG_DEV

#include "RTC/NotificationThrottle.hpp"

#include <algorithm>

namespace RTC
{
	bool NotificationThrottle::OnChange(uint64_t nowMs)
	{
		this->lastNowMs = std::max(this->lastNowMs, nowMs);

		if (this->held)
		{
			// Coalesced with the one already held.
			return false;
		}

		if (this->lastNotifiedMs && this->lastNowMs < *this->lastNotifiedMs + this->intervalMs)
		{
			this->held = true;

			return false;
		}

		this->lastNotifiedMs = this->lastNowMs;

		return true;
	}

	bool NotificationThrottle::OnTimeout(uint64_t nowMs)
	{
		this->lastNowMs = std::max(this->lastNowMs, nowMs);

		const auto deadline = GetDeadlineMs();

		if (!deadline || this->lastNowMs < *deadline)
		{
			return false;
		}

		this->held           = false;
		this->lastNotifiedMs = this->lastNowMs;

		return true;
	}

	std::optional<uint64_t> NotificationThrottle::GetDeadlineMs() const
	{
		if (!this->held || !this->lastNotifiedMs)
		{
			return std::nullopt;
		}

		return *this->lastNotifiedMs + this->intervalMs;
	}
} // namespace RTC
