#include "common.hpp"

#include "RTC/RtcpInterval.hpp"

#include <catch2/catch.hpp>

using RTC::RtcpInterval;

TEST_CASE("RtcpInterval::ComputeMs", "[rtcp][interval]")
{
	SECTION("no bandwidth known: the standard minimum, halved before the first report")
	{
		RtcpInterval::Input input;

		REQUIRE(RtcpInterval::ComputeMs(input) == 5000u);

		input.initial = true;

		REQUIRE(RtcpInterval::ComputeMs(input) == 2500u);
	}

	SECTION("the reduced minimum follows the session bandwidth")
	{
		struct Case
		{
			uint64_t bitrate;
			uint64_t expectedMs;
		};

		// clang-format off
		const Case cases[] = {
			{ 32000u,     5000u }, // 11.25 s reduced minimum, capped at 5 s
			{ 72000u,     5000u },
			{ 144000u,    2500u },
			{ 1000000u,   360u  },
			{ 2000000u,   180u  },
			{ 100000000u, 100u  }, // never below MinIntervalMs
		};
		// clang-format on

		for (const auto& c : cases)
		{
			RtcpInterval::Input input;

			input.sessionBitrate = c.bitrate;
			input.members        = 2u;
			input.senders        = 1u;

			INFO(c.bitrate);
			REQUIRE(RtcpInterval::ComputeMs(input) == c.expectedMs);
		}
	}

	SECTION("many members on a thin session: the interval grows with them")
	{
		RtcpInterval::Input input;

		// 1 Mb/s, so 6250 B/s of RTCP; 200 members of 100 bytes: 3.2 s.
		input.sessionBitrate = 1000000u;
		input.members        = 200u;
		input.senders        = 100u;
		input.avgRtcpSize    = 100.0;

		REQUIRE(RtcpInterval::ComputeMs(input) == 3200u);
	}

	SECTION("few senders share a quarter of the RTCP bandwidth")
	{
		RtcpInterval::Input input;

		// 6250 B/s of RTCP; 2 senders of 100 members get 1562.5 B/s: 128 ms,
		// the reduced minimum (360 ms) wins.
		input.sessionBitrate = 1000000u;
		input.members        = 100u;
		input.senders        = 2u;
		input.weSent         = true;

		REQUIRE(RtcpInterval::ComputeMs(input) == 360u);

		// The 98 receivers get 4687.5 B/s: 2090 ms.
		input.weSent = false;

		REQUIRE(RtcpInterval::ComputeMs(input) == 2090u);
	}
}

TEST_CASE("RtcpInterval::Randomize", "[rtcp][interval]")
{
	REQUIRE(RtcpInterval::Randomize(1000u, 0.0) == 410u);
	REQUIRE(RtcpInterval::Randomize(1000u, 0.5) == 820u);
	REQUIRE(RtcpInterval::Randomize(1000u, 1.0) == 1231u);
	// Out of range randomness is clamped.
	REQUIRE(RtcpInterval::Randomize(1000u, 7.0) == 1231u);
}

TEST_CASE("RtcpInterval::UpdateAverageSize", "[rtcp][interval]")
{
	// 1/16 of the new size (with 28 bytes of IP and UDP) and 15/16 of the old.
	REQUIRE(RtcpInterval::UpdateAverageSize(100.0, 72u) == Approx(100.0));
	REQUIRE(RtcpInterval::UpdateAverageSize(100.0, 232u) == Approx(110.0));
}
