#include "common.hpp"

#include "RTC/RTCP/SenderReport.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

TEST_CASE("SenderReport with two report blocks", "[RTCP][SenderReport]")
{
	const auto bytes = RtcpTest::ChromeSenderReport();
	const auto sr    = RtcpTest::RoundTrip<SenderReport>(bytes);

	REQUIRE(sr.GetType() == Type::SR);
	REQUIRE(sr.GetSsrc() == 0x2d9f152cu);
	REQUIRE(sr.GetNtpTime() == NtpTime{ 0xe83a5f9cu, 0x7ef9db23u });
	REQUIRE(sr.GetNtpTime().ToCompact() == 0x5f9c7ef9u);
	REQUIRE(sr.GetRtpTimestamp() == 0x0d8e7b40u);
	REQUIRE(sr.GetPacketCount() == 670u);
	REQUIRE(sr.GetOctetCount() == 378420u);
	REQUIRE(sr.GetReportBlocks().size() == 2u);

	const auto& first  = sr.GetReportBlocks()[0];
	const auto& second = sr.GetReportBlocks()[1];

	REQUIRE(first.ssrc == 0x1b4c7e20u);
	REQUIRE(first.fractionLost == 5u);
	REQUIRE(first.cumulativeLost == 42);
	REQUIRE(first.extendedHighestSequenceNumber == 0x0001128fu);
	REQUIRE(first.jitter == 14u);
	REQUIRE(first.lastSenderReport == 0x5f9c7ef9u);
	REQUIRE(NtpTime::CompactToMs(first.delaySinceLastSenderReport) == 1250u);
	REQUIRE(second.ssrc == 0x3a14c2a4u);
	REQUIRE(second.cumulativeLost == -1);
	REQUIRE(second.jitter == 258u);
	REQUIRE(second.lastSenderReport == 0u);

	RtcpTest::CheckTruncations<SenderReport>(bytes);
}

TEST_CASE("SenderReport edge cases", "[RTCP][SenderReport]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		bool parses;
		size_t blocks;
	};

	const std::vector<Row> rows{
		{ "no blocks",
			Hex("80 c8 00 06 2d 9f 15 2c e8 3a 5f 9c 7e f9 db 23 0d 8e 7b 40 00 00 02 9e 00 05 c6 34"),
			true,
			0u },
		{ "sender info cut short (length lies)",
			Hex("80 c8 00 05 2d 9f 15 2c e8 3a 5f 9c 7e f9 db 23 0d 8e 7b 40 00 00 02 9e"),
			false,
			0u },
		{ "RC=1, no block (count lies)",
			Hex("81 c8 00 06 2d 9f 15 2c e8 3a 5f 9c 7e f9 db 23 0d 8e 7b 40 00 00 02 9e 00 05 c6 34"),
			false,
			0u },
		{ "RR bytes are no SR", RtcpTest::ChromeReceiverReport(), false, 0u },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		const auto sr = SenderReport::Parse(row.data);

		REQUIRE(sr.has_value() == row.parses);

		if (sr)
		{
			REQUIRE(sr->GetReportBlocks().size() == row.blocks);
		}
	}
}

TEST_CASE("SenderReport built from scratch", "[RTCP][SenderReport]")
{
	SenderReport sr;

	sr.SetSsrc(0x2d9f152cu);
	sr.SetNtpTime(NtpTime{ 0xe83a5f9cu, 0x7ef9db23u });
	sr.SetRtpTimestamp(0x0d8e7b40u);
	sr.SetPacketCount(670u);
	sr.SetOctetCount(378420u);
	sr.AddReportBlock(ReportBlock{ .ssrc                          = 0x1b4c7e20u,
																 .fractionLost                  = 5u,
																 .cumulativeLost                = 42,
																 .extendedHighestSequenceNumber = 0x0001128fu,
																 .jitter                        = 14u,
																 .lastSenderReport              = 0x5f9c7ef9u,
																 .delaySinceLastSenderReport    = NtpTime::MsToCompact(1250u) });
	sr.AddReportBlock(ReportBlock{ .ssrc                          = 0x3a14c2a4u,
																 .cumulativeLost                = -1,
																 .extendedHighestSequenceNumber = 0x0000fff0u,
																 .jitter                        = 258u });

	REQUIRE(RtcpTest::Serialize(sr) == RtcpTest::ChromeSenderReport());

	SECTION("a profile extension is zero-padded to 32 bits")
	{
		const std::vector<uint8_t> extension{ 0xde, 0xad, 0xbe };

		sr.ClearReportBlocks();
		sr.SetProfileExtension(extension);

		const auto written = RtcpTest::Serialize(sr);

		REQUIRE(written.size() == SenderReport::FixedSize + 4u);
		REQUIRE(written[3] == 7u);
		REQUIRE(written[28] == 0xdeu);
		REQUIRE(written[31] == 0x00u);

		const auto parsed = SenderReport::Parse(written);

		REQUIRE(parsed.has_value());
		REQUIRE(parsed->GetProfileExtension().size() == 4u);
	}

	SECTION("a 32nd report block is refused")
	{
		while (sr.GetReportBlocks().size() < SenderReport::MaxReportBlocks)
		{
			REQUIRE(sr.AddReportBlock(ReportBlock{}));
		}

		REQUIRE_FALSE(sr.AddReportBlock(ReportBlock{}));
		REQUIRE(RtcpTest::Serialize(sr).size() == SenderReport::FixedSize + 31u * ReportBlock::Size);
	}

	SECTION("an extension too long for the length field cannot be written")
	{
		const std::vector<uint8_t> extension(CommonHeader::MaxPacketSize, 0u);

		sr.SetProfileExtension(extension);

		REQUIRE(sr.GetSize() == 0u);

		std::vector<uint8_t> out(2u * CommonHeader::MaxPacketSize);

		REQUIRE(sr.Serialize(out) == 0u);
	}
}
