#ifndef MS_RTC_STANDING_QUEUE_DETECTOR_HPP
#define MS_RTC_STANDING_QUEUE_DETECTOR_HPP

#include "common.hpp"

#include <array>
#include <optional>

namespace RTC
{
	// Sees a queue that stands instead of growing. The delay trend only sees
	// a queue while it grows: once a drop-tail queue is full the delay is flat
	// (the excess is lost instead), the trend says "normal", and an estimate
	// above the capacity can stay there, with the queue full and the loss,
	// for good. This keeps the lowest smoothed delay of the last
	// BaseDelaySlots seconds (the path without queue, as LEDBAT does, RFC
	// 6817) and reports a standing queue while the delay is more than
	// StandingQueueMs above it. The caller decides what it means (a path
	// whose delay grew for good, on a new route, looks the same for
	// BaseDelaySlots seconds).
	class StandingQueueDetector
	{
	public:
		static constexpr size_t BaseDelaySlots{ 10u };
		static constexpr uint64_t SlotUs{ 1000000u };
		static constexpr double StandingQueueMs{ 150.0 };

	public:
		// `delayMs`: the smoothed accumulated delay (up to a constant).
		// Whether the queue stands now.
		bool Update(double delayMs, uint64_t nowUs);
		void Reset();
		// Updates that found a standing queue.
		uint64_t GetReportCount() const { return this->reportCount; }

	private:
		// Minimum per slot of SlotUs, a ring; the newest at `newest`.
		std::array<double, BaseDelaySlots> minima{};
		size_t newest{ 0u };
		size_t used{ 0u };
		std::optional<uint64_t> slotStartUs;
		uint64_t reportCount{ 0u };
	};
} // namespace RTC

#endif
