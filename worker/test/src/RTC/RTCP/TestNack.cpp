#include "common.hpp"

#include "RTC/RTCP/Nack.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

TEST_CASE("Nack with several BLP bits", "[RTCP][Nack]")
{
	const auto bytes = RtcpTest::ChromeNack();
	const auto nack  = RtcpTest::RoundTrip<Nack>(bytes);

	REQUIRE(nack.GetType() == Type::RTPFB);
	REQUIRE(nack.GetSenderSsrc() == 0xfa17fa17u);
	REQUIRE(nack.GetMediaSsrc() == 0x2d9f152cu);
	REQUIRE(nack.GetItems().size() == 2u);
	REQUIRE(nack.GetItems()[0] == Nack::Item{ 1551u, 0x8005u });
	REQUIRE(nack.GetItems()[1] == Nack::Item{ 1578u, 0x0000u });
	REQUIRE(nack.CountLostSequenceNumbers() == 5u);

	std::array<uint16_t, 8> lost{};

	REQUIRE(nack.GetLostSequenceNumbers(lost) == 5u);
	REQUIRE(
		std::vector<uint16_t>(lost.begin(), lost.begin() + 5) ==
		std::vector<uint16_t>{ 1551u, 1552u, 1554u, 1567u, 1578u });

	// A short buffer gets what fits.
	std::array<uint16_t, 3> some{};

	REQUIRE(nack.GetLostSequenceNumbers(some) == 3u);
	REQUIRE(some == std::array<uint16_t, 3>{ 1551u, 1552u, 1554u });

	RtcpTest::CheckTruncations<Nack>(bytes);
}

TEST_CASE("Nack item expansion", "[RTCP][Nack]")
{
	struct Row
	{
		const char* name;
		Nack::Item item;
		std::vector<uint16_t> lost;
	};

	const std::vector<Row> rows{
		{ "PID only", { 100u, 0x0000u }, { 100u } },
		{ "all 16 bits",
			{ 100u, 0xffffu },
			{ 100u,
				101u,
				102u,
				103u,
				104u,
				105u,
				106u,
				107u,
				108u,
				109u,
				110u,
				111u,
				112u,
				113u,
				114u,
				115u,
				116u } },
		{ "wraps at 2^16", { 65534u, 0x0003u }, { 65534u, 65535u, 0u } },
		{ "last bit across the wrap", { 65535u, 0x8000u }, { 65535u, 15u } },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		std::array<uint16_t, Nack::Item::MaxLostSequenceNumbers> out{};
		const size_t n = row.item.GetLostSequenceNumbers(out);

		REQUIRE(std::vector<uint16_t>(out.begin(), out.begin() + n) == row.lost);
		REQUIRE(row.item.CountLostSequenceNumbers() == row.lost.size());
	}
}

TEST_CASE("Nack::AddLostSequenceNumber packs into items", "[RTCP][Nack]")
{
	SECTION("the fixture's sequence numbers give the fixture")
	{
		Nack nack;

		nack.SetSenderSsrc(0xfa17fa17u);
		nack.SetMediaSsrc(0x2d9f152cu);

		for (const uint16_t seq : { 1551u, 1552u, 1554u, 1567u, 1578u })
		{
			REQUIRE(nack.AddLostSequenceNumber(seq));
		}

		REQUIRE(RtcpTest::Serialize(nack) == RtcpTest::ChromeNack());
	}

	SECTION("across the wrap, duplicates ignored")
	{
		Nack nack;

		for (const uint16_t seq : { 65530u, 65530u, 65535u, 0u, 10u, 30u })
		{
			REQUIRE(nack.AddLostSequenceNumber(seq));
		}

		REQUIRE(nack.GetItems().size() == 2u);
		REQUIRE(nack.GetItems()[0] == Nack::Item{ 65530u, (1u << 4) | (1u << 5) | (1u << 15) });
		REQUIRE(nack.GetItems()[1] == Nack::Item{ 30u, 0u });

		std::array<uint16_t, 16> lost{};

		REQUIRE(nack.GetLostSequenceNumbers(lost) == 5u);
	}
}

TEST_CASE("Nack malformed and caps", "[RTCP][Nack]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		bool parses;
		size_t items;
	};

	const std::vector<Row> rows{
		{ "no items (lenient)", Hex("81 cd 00 02 fa 17 fa 17 2d 9f 15 2c"), true, 0u },
		{ "no media SSRC", Hex("81 cd 00 01 fa 17 fa 17"), false, 0u },
		{ "half an item (odd padding)",
			Hex("a1 cd 00 03 fa 17 fa 17 2d 9f 15 2c 06 0f 00 02"),
			false,
			0u },
		{ "FMT 2 is no NACK", Hex("82 cd 00 03 fa 17 fa 17 2d 9f 15 2c 06 0f 00 00"), false, 0u },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		const auto nack = Nack::Parse(row.data);

		REQUIRE(nack.has_value() == row.parses);

		if (nack)
		{
			REQUIRE(nack->GetItems().size() == row.items);
		}
	}

	SECTION("300 items on the wire: the first MaxItems kept")
	{
		auto bytes = Hex("81 cd 00 00 fa 17 fa 17 2d 9f 15 2c");

		for (uint16_t i = 0u; i < 300u; ++i)
		{
			const uint16_t pid = static_cast<uint16_t>(i * 17u);

			bytes.insert(
				bytes.end(), { static_cast<uint8_t>(pid >> 8), static_cast<uint8_t>(pid), 0xff, 0xff });
		}

		bytes[2] = static_cast<uint8_t>((bytes.size() / 4u - 1u) >> 8);
		bytes[3] = static_cast<uint8_t>(bytes.size() / 4u - 1u);

		const auto nack = Nack::Parse(bytes);

		REQUIRE(nack.has_value());
		REQUIRE(nack->GetItems().size() == Nack::MaxItems);
		REQUIRE(nack->GetItems().back().packetId == 255u * 17u);
		REQUIRE(nack->CountLostSequenceNumbers() == Nack::MaxItems * 17u);

		const auto written = RtcpTest::Serialize(*nack);

		REQUIRE(written.size() == FeedbackHeader::Size + Nack::MaxItems * Nack::ItemSize);
		REQUIRE(Nack::Parse(written) == nack);
	}

	SECTION("the builder refuses item MaxItems + 1")
	{
		Nack nack;

		for (size_t i = 0u; i < Nack::MaxItems; ++i)
		{
			REQUIRE(nack.AddLostSequenceNumber(static_cast<uint16_t>(i * 100u)));
		}

		REQUIRE_FALSE(nack.AddItem(Nack::Item{ 1u, 0u }));
		REQUIRE_FALSE(nack.AddLostSequenceNumber(60000u));
		// Still fits the last item.
		REQUIRE(nack.AddLostSequenceNumber(static_cast<uint16_t>(255u * 100u + 16u)));
		REQUIRE(nack.GetItems().size() == Nack::MaxItems);
	}
}
