#ifndef MS_RTC_RATE_CALCULATOR_HPP
#define MS_RTC_RATE_CALCULATOR_HPP

#include "common.hpp"

#include <array>

namespace RTC
{
	// Bytes counted over a sliding window, giving a rate in bits per second.
	// Clock-free: every call takes the current time, so tests feed offsets.
	// Time going backwards is treated as no time passing.
	class RateCalculator
	{
	public:
		static constexpr uint64_t DefaultWindowMs{ 1000u };
		// The window is split into this many buckets of equal duration: 50 ms
		// steps in the default window, small enough for every stream and
		// transport to have several (a few hundred bytes less each).
		static constexpr size_t Buckets{ 20u };

	public:
		explicit RateCalculator(uint64_t windowMs = DefaultWindowMs);

	public:
		void Update(size_t size, uint64_t nowMs);
		// Bits per second over the last window.
		uint32_t GetRate(uint64_t nowMs);
		uint64_t GetBytes() const { return this->bytes; }
		void Reset();

	private:
		void Advance(uint64_t nowMs);

	private:
		uint64_t windowMs;
		uint64_t bucketMs;
		std::array<uint32_t, Buckets> buckets{};
		// Start time of the newest bucket, and its index.
		uint64_t newestBucketStartMs{ 0u };
		size_t newestIndex{ 0u };
		bool started{ false };
		uint64_t windowBytes{ 0u };
		uint64_t bytes{ 0u };
	};
} // namespace RTC

#endif
