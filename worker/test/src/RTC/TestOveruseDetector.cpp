#include "common.hpp"

#include "RTC/OveruseDetector.hpp"

#include <catch2/catch.hpp>

#include <limits>

using RTC::BandwidthUsage;
using RTC::OveruseDetector;

TEST_CASE("OveruseDetector compares the trend with an adaptive threshold", "[remb]")
{
	OveruseDetector detector;
	uint64_t nowUs{ 1000000u };

	SECTION("over-use needs two samples over 10 ms above the threshold, not falling")
	{
		REQUIRE(detector.Detect(20.0, nowUs) == BandwidthUsage::Normal);
		nowUs += 5000u;
		// Two samples, only 5 ms.
		REQUIRE(detector.Detect(21.0, nowUs) == BandwidthUsage::Normal);
		nowUs += 5000u;
		REQUIRE(detector.Detect(22.0, nowUs) == BandwidthUsage::Overusing);
	}

	SECTION("a falling trend above the threshold does not signal over-use")
	{
		detector.Detect(30.0, nowUs);
		nowUs += 20000u;
		REQUIRE(detector.Detect(25.0, nowUs) == BandwidthUsage::Normal);
	}

	SECTION("under-use at once below minus the threshold; normal within it")
	{
		REQUIRE(detector.Detect(-20.0, nowUs) == BandwidthUsage::Underusing);
		nowUs += 5000u;
		REQUIRE(detector.Detect(1.0, nowUs) == BandwidthUsage::Normal);
	}

	SECTION("the threshold follows a small trend down, slowly, to its floor")
	{
		for (int i = 0; i < 100; ++i)
		{
			nowUs += 10000u;
			detector.Detect(0.0, nowUs);
		}

		// 1 s: 12.5 * (1 - 0.00018)^1000 ms, about 10.4.
		REQUIRE(detector.GetThreshold() == Approx(10.4).epsilon(0.02));

		for (int i = 0; i < 10000; ++i)
		{
			nowUs += 10000u;
			detector.Detect(0.0, nowUs);
		}

		REQUIRE(detector.GetThreshold() == OveruseDetector::MinThresholdMs);
	}

	SECTION("the threshold rises fast towards a trend just above it, not towards a spike")
	{
		detector.Detect(20.0, nowUs);
		nowUs += 10000u;
		detector.Detect(20.0, nowUs);
		// 12.5 + 0.01 * 10 * 7.5.
		REQUIRE(detector.GetThreshold() == Approx(13.25));

		nowUs += 10000u;
		detector.Detect(500.0, nowUs);
		REQUIRE(detector.GetThreshold() == Approx(13.25));
	}

	SECTION("NaN counts as no trend")
	{
		REQUIRE(
			detector.Detect(std::numeric_limits<double>::quiet_NaN(), nowUs) == BandwidthUsage::Normal);
		REQUIRE(std::isfinite(detector.GetThreshold()));
	}
}
