#include "common.hpp"

#include "RTC/InterArrivalGrouper.hpp"

#include <catch2/catch.hpp>

using RTC::InterArrivalGrouper;
using Result = InterArrivalGrouper::Result;

TEST_CASE("InterArrivalGrouper compares groups of packets sent within 5 ms", "[remb]")
{
	InterArrivalGrouper grouper;
	const uint64_t base{ 1000000000u };

	SECTION("three packets in 4 ms form a group; deltas between the last packets")
	{
		// Group 1: sent at 0, 2, 4 ms; arrive at 50, 52, 54 ms.
		REQUIRE(grouper.AddPacket(base + 0u, base + 50000u, 1000u) == Result::Pending);
		REQUIRE(grouper.AddPacket(base + 2000u, base + 52000u, 1000u) == Result::Pending);
		REQUIRE(grouper.AddPacket(base + 4000u, base + 54000u, 1000u) == Result::Pending);
		// Group 2 starts at 10 ms: group 1 complete, nothing to compare yet.
		REQUIRE(grouper.AddPacket(base + 10000u, base + 60000u, 500u) == Result::Pending);
		REQUIRE(grouper.AddPacket(base + 12000u, base + 65000u, 500u) == Result::Pending);
		// Group 3 starts at 20 ms: group 2 against group 1.
		REQUIRE(grouper.AddPacket(base + 20000u, base + 75000u, 800u) == Result::Deltas);

		const auto& deltas = grouper.GetDeltas();

		REQUIRE(deltas.sendDeltaUs == 8000);
		REQUIRE(deltas.arrivalDeltaUs == 11000);
		REQUIRE(deltas.sizeDelta == -2000);
		REQUIRE(deltas.arrivalUs == base + 65000u);
	}

	SECTION("a packet sent before the current group is ignored and counted")
	{
		grouper.AddPacket(base + 0u, base + 50000u, 100u);
		grouper.AddPacket(base + 10000u, base + 60000u, 100u);
		REQUIRE(grouper.AddPacket(base + 3000u, base + 61000u, 100u) == Result::Reordered);
		REQUIRE(grouper.GetReorderedCount() == 1u);
		REQUIRE(grouper.AddPacket(base + 20000u, base + 70000u, 100u) == Result::Deltas);
		REQUIRE(grouper.GetDeltas().sendDeltaUs == 10000);
	}

	SECTION("a burst arriving faster than sent joins the group")
	{
		grouper.AddPacket(base + 0u, base + 50000u, 100u);
		// Sent 20 ms later but arriving 1 ms after: a queue draining at once.
		REQUIRE(grouper.AddPacket(base + 20000u, base + 51000u, 100u) == Result::Pending);
		REQUIRE(grouper.AddPacket(base + 40000u, base + 52000u, 100u) == Result::Pending);
		// Spaced as sent again: a new group.
		REQUIRE(grouper.AddPacket(base + 60000u, base + 72000u, 100u) == Result::Pending);
		REQUIRE(grouper.AddPacket(base + 80000u, base + 92000u, 100u) == Result::Deltas);
		REQUIRE(grouper.GetDeltas().sendDeltaUs == 20000);
		REQUIRE(grouper.GetDeltas().arrivalDeltaUs == 20000);
	}

	SECTION("a long pause or a jump in send time starts over")
	{
		grouper.AddPacket(base + 0u, base + 50000u, 100u);
		grouper.AddPacket(base + 10000u, base + 60000u, 100u);
		REQUIRE(grouper.AddPacket(base + 20000u, base + 4000000u, 100u) == Result::Reset);
		REQUIRE(grouper.AddPacket(base + 9000000u, base + 4010000u, 100u) == Result::Reset);
		REQUIRE(grouper.AddPacket(base - 9000000u, base + 4020000u, 100u) == Result::Reset);
		REQUIRE(grouper.GetResetCount() == 3u);
		// Nothing compared across a reset.
		REQUIRE(grouper.AddPacket(base - 8990000u, base + 4030000u, 100u) == Result::Pending);
	}

	SECTION("arrival time going back counts as none passing")
	{
		grouper.AddPacket(base + 0u, base + 50000u, 100u);
		grouper.AddPacket(base + 10000u, base + 60000u, 100u);
		// Taken as arriving at 60 ms with the one before: a burst.
		REQUIRE(grouper.AddPacket(base + 20000u, base + 10000u, 100u) == Result::Pending);
		REQUIRE(grouper.AddPacket(base + 40000u, base + 90000u, 100u) == Result::Deltas);
		REQUIRE(grouper.GetDeltas().sendDeltaUs == 20000);
		REQUIRE(grouper.GetDeltas().arrivalDeltaUs == 10000);
		REQUIRE(grouper.GetDeltas().sizeDelta == 100);
	}
}
