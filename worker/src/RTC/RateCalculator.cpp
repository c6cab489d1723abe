#define MS_CLASS "RTC::RateCalculator"

#include "RTC/RateCalculator.hpp"

#include <algorithm>

namespace RTC
{
	RateCalculator::RateCalculator(uint64_t windowMs)
			: windowMs(std::max<uint64_t>(windowMs, Buckets)), bucketMs(this->windowMs / Buckets)
	{
	}

	void RateCalculator::Update(size_t size, uint64_t nowMs)
	{
		Advance(nowMs);

		this->buckets[this->newestIndex] += static_cast<uint32_t>(size);
		this->windowBytes += size;
		this->bytes += size;
	}

	uint32_t RateCalculator::GetRate(uint64_t nowMs)
	{
		Advance(nowMs);

		const uint64_t bitsPerSecond = this->windowBytes * 8u * 1000u / this->windowMs;

		return static_cast<uint32_t>(std::min<uint64_t>(bitsPerSecond, UINT32_MAX));
	}

	void RateCalculator::Reset()
	{
		this->buckets.fill(0u);
		this->started     = false;
		this->windowBytes = 0u;
		this->bytes       = 0u;
	}

	void RateCalculator::Advance(uint64_t nowMs)
	{
		if (!this->started)
		{
			this->started             = true;
			this->newestBucketStartMs = nowMs;
			this->newestIndex         = 0u;

			return;
		}

		if (nowMs < this->newestBucketStartMs + this->bucketMs)
		{
			return;
		}

		const uint64_t steps = (nowMs - this->newestBucketStartMs) / this->bucketMs;

		// Expire the buckets that fall out of the window (all of them after a
		// long pause).
		const uint64_t expired = std::min<uint64_t>(steps, Buckets);

		for (uint64_t i = 0; i < expired; ++i)
		{
			this->newestIndex = (this->newestIndex + 1u) % Buckets;
			this->windowBytes -= this->buckets[this->newestIndex];
			this->buckets[this->newestIndex] = 0u;
		}

		this->newestBucketStartMs += steps * this->bucketMs;
	}
} // namespace RTC
