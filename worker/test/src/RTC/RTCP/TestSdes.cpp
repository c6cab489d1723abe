#include "common.hpp"

#include "RTC/RTCP/Sdes.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

TEST_CASE("Sdes with Chrome's CNAME", "[RTCP][Sdes]")
{
	const auto bytes = RtcpTest::ChromeSdes();
	const auto sdes  = RtcpTest::RoundTrip<Sdes>(bytes);

	REQUIRE(sdes.GetType() == Type::SDES);
	REQUIRE(sdes.GetChunkCount() == 1u);

	const auto chunk = sdes.GetChunk(0u);

	REQUIRE(chunk.has_value());
	REQUIRE(chunk->ssrc == 0xfa17fa17u);
	REQUIRE(chunk->items.size() == 1u);
	REQUIRE(chunk->items[0].type == Sdes::ItemType::CNAME);
	REQUIRE(chunk->GetCname() == "Wv4jtB9mpbUGLZvk");
	REQUIRE(sdes.GetCname(0xfa17fa17u) == "Wv4jtB9mpbUGLZvk");
	REQUIRE_FALSE(sdes.GetCname(0x12345678u).has_value());
	REQUIRE_FALSE(sdes.GetChunk(1u).has_value());

	RtcpTest::CheckTruncations<Sdes>(bytes);
}

TEST_CASE("Sdes with several chunks and items", "[RTCP][Sdes]")
{
	const auto bytes = Hex("82 ca 00 07" // V=2 P=0 SC=2, PT=202 (SDES), length=7 (32 bytes)
												 "11 11 11 11" // chunk 1: SSRC
												 "01 03 61 62" //   CNAME, length 3, "ab"
												 "63"          //   "c"
												 "06 02 78 79" //   TOOL, length 2, "xy"
												 "00 00 00"    //   end, pad to 32 bits (8 + 3 + 4 + 1 = 16 bytes)
												 "22 22 22 22" // chunk 2: SSRC
												 "00 00 00 00" //   no items: four null octets
												 "33 33 33 33" // (not a chunk: SC=2; ignored)
	);
	const auto sdes  = Sdes::Parse(bytes);

	REQUIRE(sdes.has_value());
	REQUIRE(sdes->GetChunkCount() == 2u);
	REQUIRE(sdes->GetChunk(0u)->items.size() == 2u);
	REQUIRE(sdes->GetChunk(0u)->items[1].type == Sdes::ItemType::TOOL);
	REQUIRE(sdes->GetChunk(0u)->items[1].text == "xy");
	REQUIRE(sdes->GetCname(0x11111111u) == "abc");
	REQUIRE(sdes->GetChunk(1u)->ssrc == 0x22222222u);
	REQUIRE(sdes->GetChunk(1u)->items.empty());
	REQUIRE_FALSE(sdes->GetCname(0x22222222u).has_value());

	// Written back without the ignored trailing word.
	const auto written = RtcpTest::Serialize(*sdes);

	REQUIRE(written.size() == 28u);
	REQUIRE(std::equal(written.begin() + 4, written.end(), bytes.begin() + 4));
	REQUIRE(Sdes::Parse(written) == sdes);
}

TEST_CASE("Sdes malformed", "[RTCP][Sdes]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
	};

	const std::vector<Row> rows{
		{ "SC=1, no chunk (count lies)", Hex("81 ca 00 00") },
		{ "SC=2, one chunk (count lies)", Hex("82 ca 00 02 11 11 11 11 00 00 00 00") },
		{ "no null octet", Hex("81 ca 00 02 11 11 11 11 01 02 61 62") },
		{ "item length past the end", Hex("81 ca 00 02 11 11 11 11 01 05 61 62") },
		{ "item header cut by padding", Hex("a1 ca 00 02 11 11 11 11 01 00 00 03") },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		REQUIRE_FALSE(Sdes::Parse(row.data).has_value());
	}

	SECTION("SC=0 is an empty SDES")
	{
		const auto sdes = RtcpTest::RoundTrip<Sdes>(Hex("80 ca 00 00"));

		REQUIRE(sdes.GetChunkCount() == 0u);
	}
}

TEST_CASE("Sdes caps", "[RTCP][Sdes]")
{
	SECTION("parsing more than MaxItems items keeps the first MaxItems")
	{
		// 31 chunks with 3 one-byte items each: 93 items.
		std::vector<uint8_t> bytes{ 0x9f, 0xca, 0x00, 0x00 };

		for (uint32_t c = 0u; c < 31u; ++c)
		{
			const auto chunk = Hex("00 00 00 00" // SSRC (set below)
														 "01 01 63"    // CNAME "c"
														 "02 01 6e"    // NAME "n"
														 "03 01 65"    // EMAIL "e"
														 "00 00 00"    // end, pad (4 + 9 + 3 = 16)
			);

			bytes.insert(bytes.end(), chunk.begin(), chunk.end());
			bytes[bytes.size() - 16u + 3u] = static_cast<uint8_t>(c);
		}

		bytes[3] = static_cast<uint8_t>(bytes.size() / 4u - 1u);

		const auto sdes = Sdes::Parse(bytes);

		REQUIRE(sdes.has_value());
		REQUIRE(sdes->GetChunkCount() == 31u);

		size_t items{ 0u };

		for (size_t c = 0u; c < sdes->GetChunkCount(); ++c)
		{
			REQUIRE(sdes->GetChunk(c)->ssrc == c);
			items += sdes->GetChunk(c)->items.size();
		}

		REQUIRE(items == Sdes::MaxItems);
		// 64 = 21 chunks x 3 + 1: chunk 21 keeps its CNAME only.
		REQUIRE(sdes->GetChunk(21u)->items.size() == 1u);
		REQUIRE(sdes->GetCname(21u) == "c");
		REQUIRE(sdes->GetChunk(22u)->items.empty());

		const auto written = RtcpTest::Serialize(*sdes);

		REQUIRE(Sdes::Parse(written) == sdes);
	}

	SECTION("builder refuses past the caps")
	{
		Sdes sdes;

		REQUIRE_FALSE(sdes.AddItem(Sdes::ItemType::CNAME, "no chunk yet"));

		for (uint32_t c = 0u; c < Sdes::MaxChunks; ++c)
		{
			REQUIRE(sdes.AddChunk(c));
		}

		REQUIRE_FALSE(sdes.AddChunk(31u));
		REQUIRE_FALSE(sdes.AddItem(Sdes::ItemType::END, "x"));

		const std::string tooLong(Sdes::MaxItemLength + 1u, 'x');
		const std::string longest(Sdes::MaxItemLength, 'x');

		REQUIRE_FALSE(sdes.AddItem(Sdes::ItemType::NOTE, std::string_view(tooLong)));
		REQUIRE(sdes.AddItem(Sdes::ItemType::NOTE, std::string_view(longest)));

		for (size_t i = 1u; i < Sdes::MaxItems; ++i)
		{
			REQUIRE(sdes.AddItem(Sdes::ItemType::CNAME, "c"));
		}

		REQUIRE_FALSE(sdes.AddItem(Sdes::ItemType::CNAME, "c"));

		const auto written = RtcpTest::Serialize(sdes);
		const auto parsed  = Sdes::Parse(written);

		REQUIRE(parsed == sdes);
		REQUIRE(parsed->GetChunk(30u)->items.size() == Sdes::MaxItems);
		REQUIRE(parsed->GetChunk(30u)->items[0].text.size() == 255u);
	}
}

TEST_CASE("Sdes built from scratch", "[RTCP][Sdes]")
{
	Sdes sdes;

	REQUIRE(sdes.AddChunk(0xfa17fa17u));
	REQUIRE(sdes.AddItem(Sdes::ItemType::CNAME, "Wv4jtB9mpbUGLZvk"));
	REQUIRE(RtcpTest::Serialize(sdes) == RtcpTest::ChromeSdes());

	SECTION("padding per chunk: 1 to 4 null octets")
	{
		struct Row
		{
			std::string_view text;
			size_t size;
		};

		// Header 4 + SSRC 4 + item header 2 + text + null octets.
		const std::vector<Row> rows{
			{ "", 12u }, { "a", 12u }, { "ab", 16u }, { "abc", 16u }, { "abcd", 16u }, { "abcde", 16u },
		};

		for (const auto& row : rows)
		{
			INFO(row.text);

			Sdes one;

			one.AddChunk(1u);
			one.AddItem(Sdes::ItemType::CNAME, row.text);

			const auto written = RtcpTest::Serialize(one);

			REQUIRE(written.size() == row.size);
			REQUIRE(written.back() == 0u);
			REQUIRE(Sdes::Parse(written)->GetCname(1u) == row.text);
		}
	}
}
