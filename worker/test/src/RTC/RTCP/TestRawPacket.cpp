#include "common.hpp"

#include "RTC/RTCP/RawPacket.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

TEST_CASE("RawPacket keeps any packet as it came", "[RTCP][RawPacket]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		uint8_t type;
		uint8_t count;
		bool padding;
	};

	const std::vector<Row> rows{
		{ "APP", RtcpTest::AppPacket(), 204u, 1u, false },
		{ "APP with padding",
			Hex("a1 cc 00 04"   // V=2 P=1 subtype=1, PT=204 (APP), length=4
					"2d 9f 15 2c"   // SSRC
					"71 6f 73 31"   // name "qos1"
					"00 00 00 2a"   // data
					"00 00 00 04"), // padding, 4 bytes
			204u,
			1u,
			true },
		{ "SLI (PSFB FMT 2)", Hex("82 ce 00 03 fa 17 fa 17 2d 9f 15 2c 00 04 10 3f"), 206u, 2u, false },
		{ "unknown type 210", Hex("9f d2 00 01 01 02 03 04"), 210u, 31u, false },
		{ "SR bytes, as raw", RtcpTest::ChromeSenderReport(), 200u, 2u, false },
		{ "header only", Hex("80 d2 00 00"), 210u, 0u, false },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		const auto raw = RtcpTest::RoundTrip<RawPacket>(row.data);

		REQUIRE(static_cast<uint8_t>(raw.GetType()) == row.type);
		REQUIRE(raw.GetCount() == row.count);
		REQUIRE(raw.HasPadding() == row.padding);
		REQUIRE(raw.GetBody().size() == row.data.size() - 4u);

		RtcpTest::CheckTruncations<RawPacket>(row.data);
	}
}

TEST_CASE("RawPacket refuses bad headers", "[RTCP][RawPacket]")
{
	REQUIRE_FALSE(RawPacket::Parse(Hex("40 cc 00 00")).has_value());
	REQUIRE_FALSE(RawPacket::Parse(Hex("80 cc 00 01 00 00")).has_value());
	REQUIRE_FALSE(RawPacket::Parse(Hex("a0 cc 00 01 00 00 00 00")).has_value());
	// More bytes than the length says: not one packet.
	REQUIRE_FALSE(RawPacket::Parse(Hex("80 cc 00 00 00 00 00 00")).has_value());
}

TEST_CASE("RawPacket built from scratch", "[RTCP][RawPacket]")
{
	const auto body = Hex("2d 9f 15 2c 71 6f 73 31 00 00 00 2a");

	REQUIRE(RtcpTest::Serialize(RawPacket(Type::APP, 1u, body)) == RtcpTest::AppPacket());

	SECTION("a body not ending on a word is zero-padded")
	{
		const auto shortBody = Hex("01 02 03 04 05");
		const auto written   = RtcpTest::Serialize(RawPacket(static_cast<Type>(210u), 0u, shortBody));

		REQUIRE(written == Hex("80 d2 00 02 01 02 03 04 05 00 00 00"));
	}

	SECTION("padding needs a valid count at the end of the body")
	{
		REQUIRE(RawPacket(Type::APP, 0u, Hex("00 00 00 00"), true).GetSize() == 0u);
		REQUIRE(RawPacket(Type::APP, 0u, Hex("00 00 00 05"), true).GetSize() == 0u);
		REQUIRE(RawPacket(Type::APP, 0u, Hex("00 00 04"), true).GetSize() == 0u);
		REQUIRE(RawPacket(Type::APP, 0u, {}, true).GetSize() == 0u);

		const auto padded = Hex("00 00 00 04");

		REQUIRE(
			RtcpTest::Serialize(RawPacket(Type::APP, 0u, padded, true)) ==
			Hex("a0 cc 00 01 00 00 00 04"));
	}
}
