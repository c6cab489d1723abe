#include "common.hpp"

#include "RTC/RTCP/Remb.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

TEST_CASE("Remb as Chrome sends it", "[RTCP][Remb]")
{
	const auto bytes = RtcpTest::ChromeRemb();
	const auto remb  = RtcpTest::RoundTrip<Remb>(bytes);

	REQUIRE(Remb::IsRemb(bytes));
	REQUIRE(remb.GetType() == Type::PSFB);
	REQUIRE(remb.GetSenderSsrc() == 0xfa17fa17u);
	REQUIRE(remb.GetMediaSsrc() == 0u);
	REQUIRE(remb.GetExponent() == 4u);
	REQUIRE(remb.GetMantissa() == 0x32a9cu);
	REQUIRE(remb.GetBitrate() == 3320256u);
	REQUIRE(remb.GetSsrcs().size() == 2u);
	REQUIRE(remb.GetSsrcs()[0] == 0x2d9f152cu);
	REQUIRE(remb.GetSsrcs()[1] == 0x1b4c7e20u);

	RtcpTest::CheckTruncations<Remb>(bytes);

	SECTION("built from scratch")
	{
		Remb built;

		built.SetSenderSsrc(0xfa17fa17u);
		built.SetBitrate(3320256u);
		built.AddSsrc(0x2d9f152cu);
		built.AddSsrc(0x1b4c7e20u);

		REQUIRE(RtcpTest::Serialize(built) == bytes);
	}
}

TEST_CASE("Remb bitrate encoding", "[RTCP][Remb]")
{
	struct Row
	{
		uint64_t bitrate;
		uint8_t exponent;
		uint32_t mantissa;
	};

	const std::vector<Row> rows{
		{ 0u, 0u, 0u },
		{ 0x3ffffu, 0u, 0x3ffffu },
		{ 0x40000u, 1u, 0x20000u },
		{ 3320256u, 4u, 207516u },
		// Bits below the exponent are lost.
		{ 3320257u, 4u, 207516u },
		{ std::numeric_limits<uint64_t>::max(), 46u, 0x3ffffu },
	};

	for (const auto& row : rows)
	{
		INFO(row.bitrate);

		Remb remb;

		remb.SetBitrate(row.bitrate);

		REQUIRE(remb.GetExponent() == row.exponent);
		REQUIRE(remb.GetMantissa() == row.mantissa);

		const auto parsed = Remb::Parse(RtcpTest::Serialize(remb));

		REQUIRE(parsed == remb);
	}
}

TEST_CASE("Remb table", "[RTCP][Remb]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		bool isRemb;
		bool parses;
	};

	const std::vector<Row> rows{
		{ "no SSRC", Hex("8f ce 00 04 fa 17 fa 17 00 00 00 00 52 45 4d 42 00 13 2a 9c"), true, true },
		{ "num SSRC 3, two there (count lies)",
			Hex("8f ce 00 06 fa 17 fa 17 00 00 00 00 52 45 4d 42 03 13 2a 9c 11 11 11 11 22 22 22 22"),
			true,
			false },
		{ "largest bitrate, 1 << 63",
			Hex("8f ce 00 04 fa 17 fa 17 00 00 00 00 52 45 4d 42 00 fc 00 01"),
			true,
			true },
		{ "bitrate past 64 bits",
			Hex("8f ce 00 04 fa 17 fa 17 00 00 00 00 52 45 4d 42 00 fc 00 02"),
			true,
			false },
		{ "identifier only", Hex("8f ce 00 03 fa 17 fa 17 00 00 00 00 52 45 4d 42"), true, false },
		{ "another AFB",
			Hex("8f ce 00 04 fa 17 fa 17 00 00 00 00 41 42 43 44 00 13 2a 9c"),
			false,
			false },
		{ "empty AFB", Hex("8f ce 00 02 fa 17 fa 17 00 00 00 00"), false, false },
		{ "FMT 14", Hex("8e ce 00 04 fa 17 fa 17 00 00 00 00 52 45 4d 42 00 13 2a 9c"), false, false },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		REQUIRE(Remb::IsRemb(row.data) == row.isRemb);

		const auto remb = Remb::Parse(row.data);

		REQUIRE(remb.has_value() == row.parses);

		if (remb)
		{
			REQUIRE(RtcpTest::Serialize(*remb) == row.data);
		}
	}

	SECTION("1 << 63")
	{
		const auto remb =
			Remb::Parse(Hex("8f ce 00 04 fa 17 fa 17 00 00 00 00 52 45 4d 42 00 fc 00 01"));

		REQUIRE(remb->GetBitrate() == uint64_t{ 1u } << 63);
	}
}

TEST_CASE("Remb SSRC cap", "[RTCP][Remb]")
{
	SECTION("40 SSRCs on the wire: the first MaxSsrcs kept")
	{
		auto bytes = Hex("8f ce 00 00 fa 17 fa 17 00 00 00 00 52 45 4d 42 28 13 2a 9c");

		for (uint8_t i = 0u; i < 40u; ++i)
		{
			bytes.insert(bytes.end(), { 0x00, 0x00, 0x00, i });
		}

		bytes[3] = static_cast<uint8_t>(bytes.size() / 4u - 1u);

		const auto remb = Remb::Parse(bytes);

		REQUIRE(remb.has_value());
		REQUIRE(remb->GetSsrcs().size() == Remb::MaxSsrcs);
		REQUIRE(remb->GetSsrcs().back() == 31u);

		const auto written = RtcpTest::Serialize(*remb);

		REQUIRE(written[16] == Remb::MaxSsrcs);
		REQUIRE(Remb::Parse(written) == remb);
	}

	SECTION("the builder refuses SSRC MaxSsrcs + 1")
	{
		Remb remb;

		for (uint32_t i = 0u; i < Remb::MaxSsrcs; ++i)
		{
			REQUIRE(remb.AddSsrc(i));
		}

		REQUIRE_FALSE(remb.AddSsrc(99u));
	}
}
