#include "common.hpp"

#include "RTC/AbsSendTimeUnwrapper.hpp"

#include <catch2/catch.hpp>

#include <random>

using RTC::AbsSendTimeUnwrapper;

TEST_CASE("AbsSendTimeUnwrapper turns 6.18 fixed point into microseconds", "[remb]")
{
	SECTION("units")
	{
		REQUIRE(AbsSendTimeUnwrapper::ToUs(0u) == 0u);
		REQUIRE(AbsSendTimeUnwrapper::ToUs(1u << 18u) == 1000000u);
		// 1/2^18 s = 3.81 us, rounded down.
		REQUIRE(AbsSendTimeUnwrapper::ToUs(1u) == 3u);
		REQUIRE(AbsSendTimeUnwrapper::ToUs(3u << 16u) == 750000u);
	}

	SECTION("across the 64 s wrap, forwards and back")
	{
		AbsSendTimeUnwrapper unwrapper;

		const uint64_t first = unwrapper.Unwrap(0xFFFF00u);
		// 256 units (977 us) later, across the wrap.
		const uint64_t second = unwrapper.Unwrap(0x000000u);
		// A reordered packet from before the wrap.
		const uint64_t reordered = unwrapper.Unwrap(0xFFFF80u);
		const uint64_t third     = unwrapper.Unwrap(0x000100u);

		REQUIRE(
			second - first ==
			AbsSendTimeUnwrapper::ToUs(0x1000000u) - AbsSendTimeUnwrapper::ToUs(0xFFFF00u));
		REQUIRE(reordered > first);
		REQUIRE(reordered < second);
		REQUIRE(third > second);
		REQUIRE(third - first == 1953u);
	}

	SECTION("only the low 24 bits count")
	{
		AbsSendTimeUnwrapper a;
		AbsSendTimeUnwrapper b;

		REQUIRE(a.Unwrap(0xAB123456u) == b.Unwrap(0x00123456u));
	}

	SECTION("garbage never goes below zero nor more than 32 s behind the newest")
	{
		std::mt19937 random(3u);
		AbsSendTimeUnwrapper unwrapper;
		uint64_t newest{ 0u };

		for (int i = 0; i < 100000; ++i)
		{
			const uint64_t us = unwrapper.Unwrap(random());

			REQUIRE(us + 32000000u >= newest);

			newest = std::max(newest, us);
		}
	}
}
