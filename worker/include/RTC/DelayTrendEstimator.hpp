#ifndef MS_RTC_DELAY_TREND_ESTIMATOR_HPP
#define MS_RTC_DELAY_TREND_ESTIMATOR_HPP

#include "common.hpp"

#include <array>

namespace RTC
{
	// Whether the one-way queueing delay is growing, from the delay variations
	// of consecutive packet groups (InterArrivalGrouper). It plays the part of
	// the arrival-time filter of draft-ietf-rmcat-gcc-02 (5.3), but instead of
	// the draft's Kalman filter it fits a line, by least squares, through the
	// last WindowSize points (arrival time, smoothed accumulated delay): the
	// slope is how many milliseconds of queue each millisecond adds.
	//
	// Why a regression and not the Kalman filter: the draft's m(i) is a delay
	// variation per group, so its size depends on how far apart groups are (5
	// ms at high rates), and a link 10 % over capacity moves it by half a
	// millisecond, lost in jitter and never near the 6-600 ms threshold. The
	// slope does not depend on the group spacing, averages the jitter over the
	// window, and a 10 % overload gives a slope of 0.1 at any rate.
	//
	// GetTrend() reports the slope scaled to milliseconds (times TrendGainMs:
	// the queue the trend would build over that long), which is what the
	// over-use detector compares with its threshold. It is 0 until the window
	// has filled, and after Reset().
	class DelayTrendEstimator
	{
	public:
		// 20 groups: 100 ms at high rates, about 400 ms at 500 kbit/s.
		static constexpr size_t WindowSize{ 20u };
		// Weight of the past in the smoothing of the accumulated delay.
		static constexpr double Smoothing{ 0.9 };
		static constexpr double TrendGainMs{ 240.0 };
		// A single delay variation beyond this is clamped: more than any queue
		// we care about, and it keeps garbage from dominating the fit.
		static constexpr double MaxDelayVariationMs{ 1000.0 };

	public:
		// The delay variation of one group against the previous one, and when
		// the group arrived.
		void Update(double arrivalDeltaMs, double sendDeltaMs, uint64_t arrivalUs);
		double GetTrend() const { return this->trendMs; }
		// The smoothed accumulated delay: the queueing delay up to a constant.
		double GetSmoothedDelay() const { return this->smoothedMs; }
		// Groups seen since the last reset.
		uint64_t GetNumDeltas() const { return this->numDeltas; }
		void Reset();

	private:
		struct Point
		{
			double timeMs{ 0.0 };
			double delayMs{ 0.0 };
		};

	private:
		// A ring of the last WindowSize points.
		std::array<Point, WindowSize> window{};
		size_t count{ 0u };
		size_t next{ 0u };
		uint64_t firstArrivalUs{ 0u };
		uint64_t numDeltas{ 0u };
		double accumulatedMs{ 0.0 };
		double smoothedMs{ 0.0 };
		double trendMs{ 0.0 };
	};
} // namespace RTC

#endif
