#define MS_CLASS "RTC::OveruseDetector"

#include "RTC/OveruseDetector.hpp"

#include <algorithm>
#include <cmath>

namespace RTC
{
	const char* BandwidthUsageToString(BandwidthUsage usage)
	{
		switch (usage)
		{
			case BandwidthUsage::Normal:
				return "normal";
			case BandwidthUsage::Overusing:
				return "overusing";
			case BandwidthUsage::Underusing:
				return "underusing";
		}

		return "unknown";
	}

	BandwidthUsage OveruseDetector::Detect(double trendMs, uint64_t nowUs)
	{
		// Nothing sane compares with NaN: treat it as no trend.
		if (!std::isfinite(trendMs))
		{
			trendMs = 0.0;
		}

		if (this->lastUpdateUs && nowUs < *this->lastUpdateUs)
		{
			nowUs = *this->lastUpdateUs;
		}

		if (trendMs > this->thresholdMs)
		{
			if (!this->overSinceUs)
			{
				this->overSinceUs = nowUs;
				this->overCount   = 0u;
			}

			this->overCount++;

			if (
				nowUs - *this->overSinceUs >= OveruseTimeUs && this->overCount > 1u &&
				trendMs >= this->previousTrendMs)
			{
				this->state = BandwidthUsage::Overusing;
			}
		}
		else if (trendMs < -this->thresholdMs)
		{
			this->overSinceUs.reset();
			this->state = BandwidthUsage::Underusing;
		}
		else
		{
			this->overSinceUs.reset();
			this->state = BandwidthUsage::Normal;
		}

		this->previousTrendMs = trendMs;

		UpdateThreshold(trendMs, nowUs);

		return this->state;
	}

	void OveruseDetector::UpdateThreshold(double trendMs, uint64_t nowUs)
	{
		const uint64_t lastUs = this->lastUpdateUs.value_or(nowUs);

		this->lastUpdateUs = nowUs;

		const double magnitude = std::fabs(trendMs);

		if (magnitude - this->thresholdMs > MaxThresholdJumpMs)
		{
			return;
		}

		const double k = magnitude < this->thresholdMs ? KDown : KUp;
		const double stepMs =
			static_cast<double>(std::min(nowUs - lastUs, MaxThresholdStepUs)) / 1000.0;

		this->thresholdMs += k * (magnitude - this->thresholdMs) * stepMs;
		this->thresholdMs = std::clamp(this->thresholdMs, MinThresholdMs, MaxThresholdMs);
	}
} // namespace RTC
