#define MS_CLASS "RTC::DelayTrendEstimator"

#include "RTC/DelayTrendEstimator.hpp"

#include <algorithm>
#include <cmath>

namespace RTC
{
	void DelayTrendEstimator::Update(double arrivalDeltaMs, double sendDeltaMs, uint64_t arrivalUs)
	{
		const double variation =
			std::clamp(arrivalDeltaMs - sendDeltaMs, -MaxDelayVariationMs, MaxDelayVariationMs);

		if (this->numDeltas == 0u)
		{
			this->firstArrivalUs = arrivalUs;
		}

		this->numDeltas++;

		// Accumulated, the variations are the queueing delay up to a constant;
		// smoothing takes the edge off the jitter before the fit.
		this->accumulatedMs += variation;
		this->smoothedMs = Smoothing * this->smoothedMs + (1.0 - Smoothing) * this->accumulatedMs;

		// Times relative to the first group keep the doubles small; arrival
		// times never go back (the grouper sees to that).
		const double timeMs =
			static_cast<double>(std::max(arrivalUs, this->firstArrivalUs) - this->firstArrivalUs) /
			1000.0;

		this->window[this->next] = { timeMs, this->smoothedMs };
		this->next               = (this->next + 1u) % WindowSize;
		this->count              = std::min(this->count + 1u, WindowSize);

		if (this->count < WindowSize)
		{
			return;
		}

		double meanTime{ 0.0 };
		double meanDelay{ 0.0 };

		for (const auto& point : this->window)
		{
			meanTime += point.timeMs;
			meanDelay += point.delayMs;
		}

		meanTime /= static_cast<double>(WindowSize);
		meanDelay /= static_cast<double>(WindowSize);

		double covariance{ 0.0 };
		double variance{ 0.0 };

		for (const auto& point : this->window)
		{
			covariance += (point.timeMs - meanTime) * (point.delayMs - meanDelay);
			variance += (point.timeMs - meanTime) * (point.timeMs - meanTime);
		}

		// All points at the same time (a burst in one instant): no slope to
		// fit, keep the last one.
		if (variance <= 0.0)
		{
			return;
		}

		const double trend = covariance / variance * TrendGainMs;

		if (std::isfinite(trend))
		{
			this->trendMs = trend;
		}
	}

	void DelayTrendEstimator::Reset()
	{
		this->count         = 0u;
		this->next          = 0u;
		this->numDeltas     = 0u;
		this->accumulatedMs = 0.0;
		this->smoothedMs    = 0.0;
		this->trendMs       = 0.0;
	}
} // namespace RTC
