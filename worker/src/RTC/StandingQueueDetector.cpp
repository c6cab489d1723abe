#define MS_CLASS "RTC::StandingQueueDetector"

#include "RTC/StandingQueueDetector.hpp"

#include <algorithm>
#include <cmath>

namespace RTC
{
	bool StandingQueueDetector::Update(double delayMs, uint64_t nowUs)
	{
		if (!std::isfinite(delayMs))
		{
			return false;
		}

		if (!this->slotStartUs)
		{
			this->slotStartUs = nowUs;
			this->newest      = 0u;
			this->used        = 1u;
			this->minima[0u]  = delayMs;

			return false;
		}

		// Time going back counts as none passing.
		if (nowUs >= *this->slotStartUs + SlotUs)
		{
			const uint64_t steps =
				std::min<uint64_t>((nowUs - *this->slotStartUs) / SlotUs, BaseDelaySlots);

			for (uint64_t i = 0u; i < steps; ++i)
			{
				this->newest               = (this->newest + 1u) % BaseDelaySlots;
				this->minima[this->newest] = delayMs;
			}

			this->used        = std::min(this->used + static_cast<size_t>(steps), BaseDelaySlots);
			this->slotStartUs = nowUs;
		}

		this->minima[this->newest] = std::min(this->minima[this->newest], delayMs);

		double base = this->minima[this->newest];

		for (size_t i = 0u; i < this->used; ++i)
		{
			base = std::min(base, this->minima[(this->newest + BaseDelaySlots - i) % BaseDelaySlots]);
		}

		if (delayMs - base <= StandingQueueMs)
		{
			return false;
		}

		this->reportCount++;

		return true;
	}

	void StandingQueueDetector::Reset()
	{
		this->slotStartUs.reset();
		this->used = 0u;
	}
} // namespace RTC
