#include "common.hpp"

#include "RTC/StandingQueueDetector.hpp"

#include <catch2/catch.hpp>

using RTC::StandingQueueDetector;

TEST_CASE("StandingQueueDetector reports a delay far above the recent base", "[remb]")
{
	StandingQueueDetector detector;
	uint64_t nowUs{ 1000000u };

	REQUIRE(!detector.Update(20.0, nowUs));

	SECTION("more than 150 ms above the lowest delay of the last 10 s")
	{
		nowUs += 100000u;
		REQUIRE(!detector.Update(170.0, nowUs));
		nowUs += 100000u;
		REQUIRE(detector.Update(171.0, nowUs));
		REQUIRE(detector.GetReportCount() == 1u);
	}

	SECTION("the base is forgotten after 10 s")
	{
		for (int i = 0; i < 110; ++i)
		{
			nowUs += 100000u;
			detector.Update(300.0, nowUs);
		}

		REQUIRE(!detector.Update(300.0, nowUs));
	}

	SECTION("garbage does not count")
	{
		REQUIRE(!detector.Update(std::numeric_limits<double>::infinity(), nowUs + 1u));
		REQUIRE(!detector.Update(std::numeric_limits<double>::quiet_NaN(), nowUs + 2u));
		REQUIRE(!detector.Update(100.0, nowUs + 3u));
	}
}
