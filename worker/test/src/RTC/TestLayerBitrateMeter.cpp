#include "common.hpp"

#include "RTC/LayerBitrateMeter.hpp"

#include <catch2/catch.hpp>

using RTC::LayerBitrateMeter;

namespace
{
	// One second of packets: `bytesPerSecond` per layer, in 10 ms steps,
	// from `startMs`; returns the time after it.
	uint64_t Feed(
		LayerBitrateMeter& meter,
		const std::vector<std::tuple<uint8_t, uint8_t, size_t>>& layers,
		uint64_t startMs)
	{
		for (uint64_t ms = 0; ms < 1000u; ms += 10u)
		{
			for (const auto& [s, t, bytesPerSecond] : layers)
			{
				meter.Update(s, t, bytesPerSecond / 100u, startMs + ms);
			}
		}

		return startMs + 1000u;
	}
} // namespace

TEST_CASE("simulcast: a layer costs its encoding's temporal layers up to it", "[LayerBitrateMeter]")
{
	LayerBitrateMeter meter(LayerBitrateMeter::Stacking::SEPARATE);

	// Encoding 0: 10 + 5 kB/s, encoding 1: 40 + 20 kB/s.
	const uint64_t nowMs =
		Feed(meter, { { 0, 0, 10000 }, { 0, 1, 5000 }, { 1, 0, 40000 }, { 1, 1, 20000 } }, 1000u);
	const auto costs = meter.GetCosts(nowMs - 1u);

	REQUIRE(costs[0][0] == Approx(80000).epsilon(0.1));
	REQUIRE(costs[0][1] == Approx(120000).epsilon(0.1));
	REQUIRE(costs[1][0] == Approx(320000).epsilon(0.1));
	REQUIRE(costs[1][1] == Approx(480000).epsilon(0.1));
	// Not received: 0.
	REQUIRE(costs[0][2] == 0u);
	REQUIRE(costs[2][0] == 0u);
	REQUIRE(meter.GetLayerBitrate(1, 1, nowMs - 1u) == Approx(160000).epsilon(0.1));
	REQUIRE(meter.GetActiveMask(nowMs - 1u) == 0b0011'0011u);
	REQUIRE(meter.GetHighestActiveSpatial(nowMs - 1u) == 1u);
}

TEST_CASE("full SVC: a layer costs every spatial layer below it too", "[LayerBitrateMeter]")
{
	LayerBitrateMeter meter(LayerBitrateMeter::Stacking::STACKED);

	const uint64_t nowMs =
		Feed(meter, { { 0, 0, 10000 }, { 0, 1, 5000 }, { 1, 0, 40000 }, { 1, 1, 20000 } }, 0u);
	const auto costs = meter.GetCosts(nowMs - 1u);

	REQUIRE(costs[1][0] == Approx(400000).epsilon(0.1));
	REQUIRE(costs[1][1] == Approx(600000).epsilon(0.1));
}

TEST_CASE("a layer that stops is gone after the window", "[LayerBitrateMeter]")
{
	LayerBitrateMeter meter(LayerBitrateMeter::Stacking::SEPARATE);

	uint64_t nowMs = Feed(meter, { { 0, 0, 10000 }, { 2, 0, 90000 } }, 0u);

	REQUIRE(meter.GetHighestActiveSpatial(nowMs - 1u) == 2u);

	// Layer 2 stops.
	nowMs = Feed(meter, { { 0, 0, 10000 } }, nowMs);
	nowMs = Feed(meter, { { 0, 0, 10000 } }, nowMs);

	REQUIRE(meter.GetCosts(nowMs - 1u)[2][0] == 0u);
	REQUIRE(meter.GetHighestActiveSpatial(nowMs - 1u) == 0u);

	// Everything stops.
	REQUIRE(!meter.GetHighestActiveSpatial(nowMs + 5000u));
	// Out of bounds layers are ignored.
	meter.Update(9, 0, 1000, nowMs);
	meter.Update(0, 9, 1000, nowMs);
	REQUIRE(meter.GetActiveMask(nowMs) == 0u);
}
