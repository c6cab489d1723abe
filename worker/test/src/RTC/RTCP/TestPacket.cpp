#include "common.hpp"

#include "RTC/RTCP/Packet.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

TEST_CASE("CommonHeader::Parse checks version, length and padding", "[RTCP][CommonHeader]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		ParseError error;
		size_t packetSize;
		size_t bodySize;
	};

	const std::vector<Row> rows{
		{ "empty", {}, ParseError::TOO_SHORT, 0u, 0u },
		{ "3 bytes", Hex("80 c9 00"), ParseError::TOO_SHORT, 0u, 0u },
		{ "header only", Hex("80 c9 00 00"), ParseError::NONE, 4u, 0u },
		{ "RR, 8 bytes", Hex("80 c9 00 01 fa 17 fa 17"), ParseError::NONE, 8u, 4u },
		{ "followed by more bytes", Hex("80 c9 00 01 fa 17 fa 17 81"), ParseError::NONE, 8u, 4u },
		{ "version 0", Hex("00 c9 00 01 fa 17 fa 17"), ParseError::BAD_VERSION, 0u, 0u },
		{ "version 1", Hex("40 c9 00 01 fa 17 fa 17"), ParseError::BAD_VERSION, 0u, 0u },
		{ "version 3", Hex("c0 c9 00 01 fa 17 fa 17"), ParseError::BAD_VERSION, 0u, 0u },
		{ "length one word too long", Hex("80 c9 00 02 fa 17 fa 17"), ParseError::BAD_LENGTH, 0u, 0u },
		{ "length 0xffff", Hex("80 c9 ff ff fa 17 fa 17"), ParseError::BAD_LENGTH, 0u, 0u },
		// P bit: the last byte counts the padding, itself included.
		{ "padding 4", Hex("a0 c9 00 02 fa 17 fa 17 00 00 00 04"), ParseError::NONE, 12u, 4u },
		{ "padding 1 (libwebrtc style)",
			Hex("a0 c9 00 02 fa 17 fa 17 00 00 00 01"),
			ParseError::NONE,
			12u,
			7u },
		{ "padding whole body", Hex("a0 c9 00 02 fa 17 fa 17 00 00 00 08"), ParseError::NONE, 12u, 0u },
		{ "padding count 0",
			Hex("a0 c9 00 02 fa 17 fa 17 00 00 00 00"),
			ParseError::BAD_PADDING,
			0u,
			0u },
		{ "padding into the header",
			Hex("a0 c9 00 02 fa 17 fa 17 00 00 00 09"),
			ParseError::BAD_PADDING,
			0u,
			0u },
		{ "padding 255", Hex("a0 c9 00 01 fa 17 fa ff"), ParseError::BAD_PADDING, 0u, 0u },
		{ "padding, header only", Hex("a0 c9 00 00"), ParseError::BAD_PADDING, 0u, 0u },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		ParseError error{ ParseError::MALFORMED };
		const auto header = CommonHeader::Parse(row.data, &error);

		REQUIRE(error == row.error);
		REQUIRE(header.has_value() == (row.error == ParseError::NONE));

		if (header)
		{
			REQUIRE(header->packet.size() == row.packetSize);
			REQUIRE(header->body.size() == row.bodySize);
			REQUIRE(header->packet.data() == row.data.data());
			REQUIRE(header->type == Type::RR);
		}
	}
}

TEST_CASE("CommonHeader fields and writing", "[RTCP][CommonHeader]")
{
	SECTION("count, padding bit and type are read")
	{
		const auto data   = Hex("bf ce 00 01 fa 17 fa 04");
		const auto header = CommonHeader::Parse(data);

		REQUIRE(header.has_value());
		REQUIRE(header->count == 31u);
		REQUIRE(header->padding);
		REQUIRE(header->type == Type::PSFB);
		REQUIRE(header->body.empty());
	}

	SECTION("ParseExact wants the whole data and the type")
	{
		const auto data = Hex("80 c9 00 01 fa 17 fa 17");

		REQUIRE(CommonHeader::ParseExact(data, Type::RR).has_value());
		REQUIRE_FALSE(CommonHeader::ParseExact(data, Type::SR).has_value());

		auto longer = data;

		longer.push_back(0x00u);

		REQUIRE_FALSE(CommonHeader::ParseExact(longer, Type::RR).has_value());
	}

	SECTION("Write")
	{
		std::array<uint8_t, 4> out{};

		CommonHeader::Write(out, 31u, Type::RTPFB, 32u, true);
		REQUIRE(out == std::array<uint8_t, 4>{ 0xbf, 0xcd, 0x00, 0x07 });

		CommonHeader::Write(out, 0u, Type::SR, CommonHeader::MaxPacketSize);
		REQUIRE(out == std::array<uint8_t, 4>{ 0x80, 0xc8, 0xff, 0xff });
	}

	SECTION("FeedbackHeader::Parse checks type, FMT and room for both SSRCs")
	{
		const auto pli = Hex("81 ce 00 02 fa 17 fa 17 2d 9f 15 2c");
		const auto fb  = FeedbackHeader::Parse(pli, Type::PSFB, 1u);

		REQUIRE(fb.has_value());
		REQUIRE(fb->senderSsrc == 0xfa17fa17u);
		REQUIRE(fb->mediaSsrc == 0x2d9f152cu);
		REQUIRE(fb->fci.empty());
		REQUIRE_FALSE(FeedbackHeader::Parse(pli, Type::PSFB, 4u).has_value());
		REQUIRE_FALSE(FeedbackHeader::Parse(pli, Type::RTPFB, 1u).has_value());
		REQUIRE_FALSE(FeedbackHeader::Parse(Hex("81 ce 00 01 fa 17 fa 17"), Type::PSFB, 1u));
	}

	SECTION("ParseErrorToString")
	{
		REQUIRE(ParseErrorToString(ParseError::BAD_LENGTH) == "bad length");
		REQUIRE(ParseErrorToString(ParseError::MALFORMED) == "malformed");
	}
}
