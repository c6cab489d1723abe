#include "common.hpp"

#include "RTC/AimdRateController.hpp"

#include <catch2/catch.hpp>

using RTC::AimdRateController;
using RTC::BandwidthUsage;
using State = AimdRateController::State;

namespace
{
	constexpr double PacketBits{ 9600.0 };

	// Updates every 10 ms for `durationUs` with the same signal and rate.
	uint32_t Run(
		AimdRateController& controller,
		uint64_t& nowUs,
		BandwidthUsage usage,
		std::optional<uint32_t> incomingBps,
		uint64_t durationUs)
	{
		for (uint64_t t = 0u; t < durationUs; t += 10000u)
		{
			nowUs += 10000u;
			controller.Update(usage, incomingBps, PacketBits, nowUs);
		}

		return controller.GetBitrate();
	}
} // namespace

TEST_CASE("AimdRateController turns the detector's signal into a bitrate", "[remb]")
{
	AimdRateController controller;
	uint64_t nowUs{ 1000000u };

	REQUIRE(controller.GetBitrate() == AimdRateController::InitialBitrate);

	SECTION("far from congestion: multiplicative, as fast as the incoming rate allows")
	{
		// No rate measured yet: 2x per second.
		REQUIRE(
			Run(controller, nowUs, BandwidthUsage::Normal, std::nullopt, 1000000u) ==
			Approx(2 * AimdRateController::InitialBitrate).epsilon(0.03));
		// With the sender at 500 kbit/s, no further than 1.25 times that.
		REQUIRE(Run(controller, nowUs, BandwidthUsage::Normal, 500000u, 1000000u) == 635000u);
		REQUIRE(controller.GetState() == State::Increase);
	}

	SECTION("over-use: down to 0.85 times the incoming rate, then hold, then increase")
	{
		REQUIRE(Run(controller, nowUs, BandwidthUsage::Overusing, 200000u, 50000u) == 170000u);
		REQUIRE(controller.GetState() == State::Decrease);
		// Following the incoming rate down while over-use lasts.
		REQUIRE(Run(controller, nowUs, BandwidthUsage::Overusing, 150000u, 50000u) == 127500u);
		REQUIRE(Run(controller, nowUs, BandwidthUsage::Normal, 150000u, 10000u) == 127500u);
		REQUIRE(controller.GetState() == State::Hold);
		REQUIRE(controller.IsNearConvergence());
		REQUIRE(*controller.GetCongestionPoint() == 150000.0);
		REQUIRE(Run(controller, nowUs, BandwidthUsage::Normal, 150000u, 10000u) > 127500u);
		REQUIRE(controller.GetState() == State::Increase);
	}

	SECTION("near the congestion point: additive, and not past the band")
	{
		// A congestion point at 300 kbit/s (band: 5 % deviations).
		Run(controller, nowUs, BandwidthUsage::Overusing, 300000u, 10000u);
		Run(controller, nowUs, BandwidthUsage::Normal, 300000u, 20000u);
		REQUIRE(*controller.GetCongestionPoint() == 300000.0);
		// Back into the band.
		Run(controller, nowUs, BandwidthUsage::Normal, 300000u, 200000u);

		const uint32_t start = controller.GetBitrate();

		REQUIRE(start >= 255000u);
		// One 1200-byte packet per 200 ms response time: 48 kbit/s per second.
		REQUIRE(
			Run(controller, nowUs, BandwidthUsage::Normal, 300000u, 500000u) ==
			Approx(start + 24000u).epsilon(0.001));
		// Not past the top of the band: the point plus three deviations.
		REQUIRE(Run(controller, nowUs, BandwidthUsage::Normal, 300000u, 5000000u) == 345000u);
		REQUIRE(controller.IsNearConvergence());
		// The sender gets two deviations more through: the path has grown.
		Run(controller, nowUs, BandwidthUsage::Normal, 331000u, 10000u);
		REQUIRE(!controller.IsNearConvergence());
	}

	SECTION("under-use holds")
	{
		REQUIRE(Run(controller, nowUs, BandwidthUsage::Underusing, 1000000u, 1000000u) == 300000u);
		REQUIRE(controller.GetState() == State::Hold);
	}

	SECTION("never above 1.5 times the incoming rate plus 10 kbit/s, never below the floor")
	{
		REQUIRE(Run(controller, nowUs, BandwidthUsage::Underusing, 100000u, 10000u) == 160000u);
		REQUIRE(
			Run(controller, nowUs, BandwidthUsage::Overusing, 0u, 10000u) ==
			AimdRateController::MinBitrate);
	}

	SECTION("never above the maximum")
	{
		REQUIRE(
			Run(controller, nowUs, BandwidthUsage::Normal, UINT32_MAX, 60000000u) ==
			AimdRateController::MaxBitrate);
	}
}
