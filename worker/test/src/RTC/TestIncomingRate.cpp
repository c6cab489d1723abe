#include "common.hpp"

#include "RTC/IncomingRate.hpp"

#include <catch2/catch.hpp>

using RTC::IncomingRate;

TEST_CASE("IncomingRate measures what arrives over its window", "[remb]")
{
	IncomingRate rate(500000u);
	uint64_t nowUs{ 1000000u };

	SECTION("nothing to say until the packets span half the window")
	{
		REQUIRE(!rate.GetRate(nowUs));
		rate.Update(1000u, nowUs);
		nowUs += 200000u;
		rate.Update(1000u, nowUs);
		REQUIRE(!rate.GetRate(nowUs));
		nowUs += 50000u;
		rate.Update(1000u, nowUs);
		// 2000 bytes after the first, over 250 ms.
		REQUIRE(rate.GetRate(nowUs) == 64000u);
	}

	SECTION("1250 bytes every 10 ms is 1 Mbit/s, exactly")
	{
		for (int i = 0; i < 200; ++i)
		{
			nowUs += 10000u;
			rate.Update(1250u, nowUs);
		}

		REQUIRE(rate.GetRate(nowUs) == 1000000u);
		// The window keeps the last 500 ms (49 packets plus the newest).
		REQUIRE(rate.GetPacketCount() == 50u);
	}

	SECTION("a pause empties it")
	{
		rate.Update(1000u, nowUs);
		rate.Update(1000u, nowUs + 300000u);
		REQUIRE(!rate.GetRate(nowUs + 2000000u));
		REQUIRE(rate.GetPacketCount() == 0u);
	}

	SECTION("packets are capped in number, sizes in bytes")
	{
		for (size_t i = 0; i < IncomingRate::MaxPackets + 100u; ++i)
		{
			rate.Update(SIZE_MAX, nowUs + i);
		}

		REQUIRE(rate.GetPacketCount() == IncomingRate::MaxPackets);
		// Everything at once: too short a span to say.
		REQUIRE(!rate.GetRate(nowUs + IncomingRate::MaxPackets));
	}

	SECTION("time going back counts as none passing")
	{
		rate.Update(1000u, nowUs);
		rate.Update(1000u, nowUs + 400000u);
		rate.Update(1000u, nowUs + 100000u);
		REQUIRE(rate.GetRate(nowUs) == 40000u);
	}
}
