#include "common.hpp"

#include "RTC/RTCP/Pli.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

TEST_CASE("Pli", "[RTCP][Pli]")
{
	const auto bytes = RtcpTest::ChromePli();
	const auto pli   = RtcpTest::RoundTrip<Pli>(bytes);

	REQUIRE(pli.GetType() == Type::PSFB);
	REQUIRE(pli.GetSenderSsrc() == 0xfa17fa17u);
	REQUIRE(pli.GetMediaSsrc() == 0x2d9f152cu);
	REQUIRE(RtcpTest::Serialize(Pli(0xfa17fa17u, 0x2d9f152cu)) == bytes);

	RtcpTest::CheckTruncations<Pli>(bytes);

	SECTION("FCI is ignored, other FMTs and types refused")
	{
		const auto longer = Hex("81 ce 00 03 fa 17 fa 17 2d 9f 15 2c de ad be ef");

		REQUIRE(Pli::Parse(longer) == pli);
		REQUIRE_FALSE(Pli::Parse(Hex("82 ce 00 02 fa 17 fa 17 2d 9f 15 2c")).has_value());
		REQUIRE_FALSE(Pli::Parse(Hex("81 cd 00 02 fa 17 fa 17 2d 9f 15 2c")).has_value());
	}
}
