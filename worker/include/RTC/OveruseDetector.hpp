#ifndef MS_RTC_OVERUSE_DETECTOR_HPP
#define MS_RTC_OVERUSE_DETECTOR_HPP

#include "common.hpp"

#include <optional>

namespace RTC
{
	// What the delay says about the bottleneck (draft-ietf-rmcat-gcc-02, 5.4).
	enum class BandwidthUsage : uint8_t
	{
		Normal,
		Overusing,
		Underusing,
	};

	const char* BandwidthUsageToString(BandwidthUsage usage);

	// The over-use detector of draft-ietf-rmcat-gcc-02 (5.4): compares the
	// delay trend (ms) with a threshold that adapts to it, so the detector
	// neither starves against loss-based flows that keep a queue standing nor
	// stays blind when the trend is small:
	//
	//   th(i) = th(i-1) + dt * K(i) * (|m(i)| - th(i-1)),
	//   K = KUp when |m| > th, KDown otherwise; th in [MinThresholdMs,
	//   MaxThresholdMs]; not updated when |m| is more than MaxThresholdJumpMs
	//   above it (a spike says nothing about the noise level).
	//
	// Over-use is signalled once the trend has stayed above the threshold for
	// OveruseTimeUs and at least two updates and is not falling; under-use as
	// soon as it is below -th; normal when it is within +-th.
	class OveruseDetector
	{
	public:
		static constexpr double InitialThresholdMs{ 12.5 };
		static constexpr double MinThresholdMs{ 6.0 };
		static constexpr double MaxThresholdMs{ 600.0 };
		static constexpr double MaxThresholdJumpMs{ 15.0 };
		// Per millisecond.
		static constexpr double KUp{ 0.01 };
		static constexpr double KDown{ 0.00018 };
		static constexpr uint64_t OveruseTimeUs{ 10000u };
		// A longer gap between updates adapts the threshold as if this long.
		static constexpr uint64_t MaxThresholdStepUs{ 100000u };

	public:
		BandwidthUsage Detect(double trendMs, uint64_t nowUs);
		BandwidthUsage GetState() const { return this->state; }
		double GetThreshold() const { return this->thresholdMs; }

	private:
		void UpdateThreshold(double trendMs, uint64_t nowUs);

	private:
		BandwidthUsage state{ BandwidthUsage::Normal };
		double thresholdMs{ InitialThresholdMs };
		double previousTrendMs{ 0.0 };
		std::optional<uint64_t> lastUpdateUs;
		std::optional<uint64_t> overSinceUs;
		size_t overCount{ 0u };
	};
} // namespace RTC

#endif
