#include "common.hpp"

#include "RTC/RTCP/ReceiverReport.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

TEST_CASE("ReceiverReport parses what Chrome sends", "[RTCP][ReceiverReport]")
{
	const auto bytes = RtcpTest::ChromeReceiverReport();
	const auto rr    = RtcpTest::RoundTrip<ReceiverReport>(bytes);

	REQUIRE(rr.GetType() == Type::RR);
	REQUIRE(rr.GetSsrc() == 0xfa17fa17u);
	REQUIRE(rr.GetReportBlocks().size() == 1u);
	REQUIRE(rr.GetProfileExtension().empty());

	const auto& block = rr.GetReportBlocks()[0];

	REQUIRE(block.ssrc == 0x2d9f152cu);
	REQUIRE(block.fractionLost == 10u);
	REQUIRE(block.cumulativeLost == 42);
	REQUIRE(block.extendedHighestSequenceNumber == 84523u);
	REQUIRE(block.jitter == 29u);
	REQUIRE(block.lastSenderReport == 0xc2a4b140u);
	REQUIRE(block.delaySinceLastSenderReport == 0x3a14u);

	RtcpTest::CheckTruncations<ReceiverReport>(bytes);
}

TEST_CASE("ReceiverReport edge cases", "[RTCP][ReceiverReport]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		bool parses;
		size_t blocks;
		size_t extension;
	};

	const std::vector<Row> rows{
		{ "no blocks", Hex("80 c9 00 01 fa 17 fa 17"), true, 0u, 0u },
		{ "no SSRC", Hex("80 c9 00 00"), false, 0u, 0u },
		{ "RC=1 but no block (count lies)", Hex("81 c9 00 01 fa 17 fa 17"), false, 0u, 0u },
		{ "RC=2 but one block (count lies)",
			Hex("82 c9 00 07 fa 17 fa 17"
					"2d 9f 15 2c 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00"),
			false,
			0u,
			0u },
		{ "RC=0 with a profile extension word",
			Hex("80 c9 00 02 fa 17 fa 17 de ad be ef"),
			true,
			0u,
			4u },
		{ "padding dropped",
			Hex("a0 c9 00 02"   // P=1, length=2
					"fa 17 fa 17"   // SSRC
					"00 00 00 04"), // 4 bytes of padding
			true,
			0u,
			0u },
		{ "odd padding count: the partial word is no extension",
			Hex("a0 c9 00 02 fa 17 fa 17 aa bb cc 01"),
			true,
			0u,
			0u },
		{ "wrong type (SR)", Hex("80 c8 00 01 fa 17 fa 17"), false, 0u, 0u },
		{ "bad version", Hex("40 c9 00 01 fa 17 fa 17"), false, 0u, 0u },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		const auto rr = ReceiverReport::Parse(row.data);

		REQUIRE(rr.has_value() == row.parses);

		if (rr)
		{
			REQUIRE(rr->GetReportBlocks().size() == row.blocks);
			REQUIRE(rr->GetProfileExtension().size() == row.extension);

			// Whatever parsed writes back into something that parses equal.
			const auto written = RtcpTest::Serialize(*rr);

			REQUIRE(ReceiverReport::Parse(written) == rr);
		}
	}
}

TEST_CASE("ReceiverReport with the extension round-trips", "[RTCP][ReceiverReport]")
{
	RtcpTest::RoundTrip<ReceiverReport>(Hex("80 c9 00 02 fa 17 fa 17 de ad be ef"));
}

TEST_CASE("ReceiverReport report block cap", "[RTCP][ReceiverReport]")
{
	SECTION("31 blocks, the most RC can say, all parsed")
	{
		std::vector<uint8_t> bytes = Hex("9f c9 00 00 fa 17 fa 17");
		const size_t size          = 8u + 31u * ReportBlock::Size;

		bytes[3] = static_cast<uint8_t>(size / 4u - 1u);

		for (uint32_t i = 0u; i < 31u; ++i)
		{
			auto block = Hex("00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");

			block[3] = static_cast<uint8_t>(i);
			bytes.insert(bytes.end(), block.begin(), block.end());
		}

		const auto rr = RtcpTest::RoundTrip<ReceiverReport>(bytes);

		REQUIRE(rr.GetReportBlocks().size() == ReceiverReport::MaxReportBlocks);
		REQUIRE(rr.GetReportBlocks()[30].ssrc == 30u);
	}

	SECTION("a 32nd block is refused")
	{
		ReceiverReport rr;

		for (uint32_t i = 0u; i < ReceiverReport::MaxReportBlocks; ++i)
		{
			REQUIRE(rr.AddReportBlock(ReportBlock{ .ssrc = i }));
		}

		REQUIRE_FALSE(rr.AddReportBlock(ReportBlock{ .ssrc = 99u }));
		REQUIRE(rr.GetReportBlocks().size() == 31u);
		REQUIRE(RtcpTest::Serialize(rr)[0] == 0x9fu);

		rr.ClearReportBlocks();

		REQUIRE(rr.GetReportBlocks().empty());
	}
}

TEST_CASE("ReportBlock cumulative loss is 24-bit signed", "[RTCP][ReceiverReport]")
{
	struct Row
	{
		int32_t value;
		uint32_t wire;
		int32_t read;
	};

	const std::vector<Row> rows{
		{ 0, 0x000000u, 0 },
		{ 42, 0x00002au, 42 },
		{ -1, 0xffffffu, -1 },
		{ 0x7fffff, 0x7fffffu, 0x7fffff },
		{ -0x800000, 0x800000u, -0x800000 },
		// Out of range: clamped.
		{ 0x1000000, 0x7fffffu, 0x7fffff },
		{ -0x1000000, 0x800000u, -0x800000 },
	};

	for (const auto& row : rows)
	{
		INFO(row.value);

		std::array<uint8_t, ReportBlock::Size> out{};
		ReportBlock block;

		block.cumulativeLost = row.value;
		block.Write(out);

		REQUIRE(((uint32_t{ out[5] } << 16) | (uint32_t{ out[6] } << 8) | out[7]) == row.wire);
		REQUIRE(ReportBlock::Parse(out).cumulativeLost == row.read);
	}
}

TEST_CASE("ReceiverReport built from scratch", "[RTCP][ReceiverReport]")
{
	ReceiverReport rr;

	rr.SetSsrc(0xfa17fa17u);
	rr.AddReportBlock(ReportBlock{ .ssrc                          = 0x2d9f152cu,
																 .fractionLost                  = 10u,
																 .cumulativeLost                = 42,
																 .extendedHighestSequenceNumber = 84523u,
																 .jitter                        = 29u,
																 .lastSenderReport              = 0xc2a4b140u,
																 .delaySinceLastSenderReport    = 0x3a14u });

	REQUIRE(rr.GetSize() == 32u);
	REQUIRE(RtcpTest::Serialize(rr) == RtcpTest::ChromeReceiverReport());
}
