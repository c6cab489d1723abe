#define MS_CLASS "RTC::RetransmissionBudget"

#include "RTC/RetransmissionBudget.hpp"

#include <algorithm>

namespace RTC
{
	void RetransmissionBudget::SetRate(uint32_t bitrate, uint64_t nowUs)
	{
		// The first rate starts with a full bucket; later, what was earned at
		// the old rate stays earned.
		if (!this->started)
		{
			this->bitrate = bitrate;
		}

		Refill(nowUs);

		this->bitrate = bitrate;

		const double capacity = static_cast<double>(bitrate) / 8.0 * (WindowUs / 1e6);

		this->availableBytes = std::min(this->availableBytes, capacity);
	}

	bool RetransmissionBudget::TryTake(size_t bytes, uint64_t nowUs)
	{
		Refill(nowUs);

		if (static_cast<double>(bytes) > this->availableBytes)
		{
			++this->deniedCount;

			return false;
		}

		this->availableBytes -= static_cast<double>(bytes);

		return true;
	}

	void RetransmissionBudget::Refill(uint64_t nowUs)
	{
		// The first call starts the clock with a full bucket.
		const double capacity = static_cast<double>(this->bitrate) / 8.0 * (WindowUs / 1e6);

		if (!this->started)
		{
			this->started        = true;
			this->lastRefillUs   = nowUs;
			this->availableBytes = capacity;

			return;
		}

		// Time going back earns nothing.
		if (nowUs <= this->lastRefillUs)
		{
			return;
		}

		const double elapsedS = static_cast<double>(nowUs - this->lastRefillUs) / 1e6;

		this->lastRefillUs   = nowUs;
		this->availableBytes = std::min(
			capacity, this->availableBytes + static_cast<double>(this->bitrate) / 8.0 * elapsedS);
	}
} // namespace RTC
