#include "common.hpp"

#include "RTC/RateCalculator.hpp"

#include <catch2/catch.hpp>

using RTC::RateCalculator;

TEST_CASE("RateCalculator gives bits per second over its window", "[RateCalculator]")
{
	RateCalculator rate(1000u);
	uint64_t nowMs{ 5000u };

	SECTION("nothing counted gives 0")
	{
		REQUIRE(rate.GetRate(nowMs) == 0u);
	}

	SECTION("1000 bytes every 100 ms is 80 kbps")
	{
		for (int i = 0; i < 20; ++i)
		{
			rate.Update(1000u, nowMs);
			nowMs += 100u;
		}

		// The window holds the last 10 updates.
		REQUIRE(rate.GetRate(nowMs - 1u) == 80000u);
		REQUIRE(rate.GetBytes() == 20000u);
	}

	SECTION("the rate decays to 0 once the window has passed")
	{
		rate.Update(5000u, nowMs);

		REQUIRE(rate.GetRate(nowMs) == 40000u);
		REQUIRE(rate.GetRate(nowMs + 500u) == 40000u);
		REQUIRE(rate.GetRate(nowMs + 1000u) == 0u);
		REQUIRE(rate.GetRate(nowMs + 1000000u) == 0u);
		REQUIRE(rate.GetBytes() == 5000u);
	}

	SECTION("time going backwards counts as no time passing")
	{
		rate.Update(1000u, nowMs);
		rate.Update(1000u, nowMs - 300u);

		REQUIRE(rate.GetRate(nowMs) == 16000u);
	}

	SECTION("reset forgets everything")
	{
		rate.Update(1000u, nowMs);
		rate.Reset();

		REQUIRE(rate.GetRate(nowMs) == 0u);
		REQUIRE(rate.GetBytes() == 0u);
	}
}
