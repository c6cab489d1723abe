#include "common.hpp"

#include "RTC/ScalabilityMode.hpp"

#include <catch2/catch.hpp>

#include <string_view>

using RTC::ScalabilityMode;

TEST_CASE("ScalabilityMode::Parse", "[rtp][scalability]")
{
	struct Case
	{
		std::string_view mode;
		uint8_t spatial;
		uint8_t temporal;
		bool ksvc;
	};

	// clang-format off
	const Case cases[] = {
		{ "L1T3",           1u,  3u,  false },
		{ "L3T2_KEY",       3u,  2u,  true  },
		{ "L4T7_KEY_SHIFT", 4u,  7u,  true  },
		{ "S2T3",           2u,  3u,  false },
		{ "L20T3",          20u, 3u,  false },
		{ "L1T3h",          1u,  3u,  false },
		{ "S0T3",           1u,  1u,  false },
		{ "S200T3",         1u,  1u,  false },
		{ "L2T0",           1u,  1u,  false },
		{ "foo",            1u,  1u,  false },
		{ "",               1u,  1u,  false },
		{ "L",              1u,  1u,  false },
		{ "L2",             1u,  1u,  false },
		{ "L2T",            1u,  1u,  false },
	};
	// clang-format on

	for (const auto& c : cases)
	{
		INFO(c.mode);

		const auto parsed = ScalabilityMode::Parse(c.mode);

		REQUIRE(parsed.spatialLayers == c.spatial);
		REQUIRE(parsed.temporalLayers == c.temporal);
		REQUIRE(parsed.ksvc == c.ksvc);
	}
}
