#include "common.hpp"

#include "RTC/DelayTrendEstimator.hpp"

#include <catch2/catch.hpp>

#include <random>

using RTC::DelayTrendEstimator;

namespace
{
	// Groups every 10 ms whose delay grows by `slope` ms per ms.
	double Feed(DelayTrendEstimator& trend, double slope, int groups, double jitterMs = 0.0)
	{
		std::mt19937 random(5u);
		std::uniform_real_distribution<double> jitter(-jitterMs, jitterMs);
		uint64_t arrivalUs{ 1000000u };

		for (int i = 0; i < groups; ++i)
		{
			arrivalUs += 10000u;
			trend.Update(10.0 + 10.0 * slope + jitter(random), 10.0, arrivalUs);
		}

		return trend.GetTrend();
	}
} // namespace

TEST_CASE("DelayTrendEstimator fits the growth of the queueing delay", "[remb]")
{
	DelayTrendEstimator trend;

	SECTION("0 until the window has filled")
	{
		REQUIRE(Feed(trend, 0.5, DelayTrendEstimator::WindowSize - 1) == 0.0);
		REQUIRE(Feed(trend, 0.5, 1) > 0.0);
	}

	SECTION("a growing queue gives its slope times the gain")
	{
		REQUIRE(Feed(trend, 0.1, 200) == Approx(0.1 * DelayTrendEstimator::TrendGainMs).epsilon(0.01));
	}

	SECTION("a draining queue gives a negative trend")
	{
		REQUIRE(
			Feed(trend, -0.2, 200) == Approx(-0.2 * DelayTrendEstimator::TrendGainMs).epsilon(0.01));
	}

	SECTION("a steady queue with jitter stays near 0")
	{
		REQUIRE(std::fabs(Feed(trend, 0.0, 500, 2.0)) < 6.0);
	}

	SECTION("reset forgets")
	{
		Feed(trend, 0.3, 100);
		trend.Reset();
		REQUIRE(trend.GetTrend() == 0.0);
		REQUIRE(trend.GetNumDeltas() == 0u);
	}

	SECTION("garbage variations are clamped: the trend stays finite")
	{
		uint64_t arrivalUs{ 0u };

		for (int i = 0; i < 1000; ++i)
		{
			trend.Update(i % 2 ? 1e300 : -1e300, 0.0, arrivalUs += (i % 3 ? 0u : 1u));
			REQUIRE(std::isfinite(trend.GetTrend()));
		}
	}
}
