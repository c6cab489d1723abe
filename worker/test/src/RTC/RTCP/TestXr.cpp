#include "common.hpp"

#include "RTC/RTCP/Xr.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

TEST_CASE("Xr with a Receiver Reference Time block", "[RTCP][Xr]")
{
	const auto bytes = RtcpTest::ChromeXrRrt();
	const auto xr    = RtcpTest::RoundTrip<Xr>(bytes);

	REQUIRE(xr.GetType() == Type::XR);
	REQUIRE(xr.GetSsrc() == 0xfa17fa17u);
	REQUIRE(xr.GetReceiverReferenceTime() == NtpTime{ 0xe83a5f9du, 0x10624dd3u });
	REQUIRE(xr.GetDlrrSubBlocks().empty());

	RtcpTest::CheckTruncations<Xr>(bytes);
}

TEST_CASE("Xr with a DLRR block", "[RTCP][Xr]")
{
	const auto bytes = RtcpTest::ChromeXrDlrr();
	const auto xr    = RtcpTest::RoundTrip<Xr>(bytes);

	REQUIRE(xr.GetSsrc() == 0x2d9f152cu);
	REQUIRE_FALSE(xr.GetReceiverReferenceTime().has_value());
	REQUIRE(xr.GetDlrrSubBlocks().size() == 1u);

	const auto& subBlock = xr.GetDlrrSubBlocks()[0];

	REQUIRE(subBlock.ssrc == 0xfa17fa17u);
	// LRR is the compact form of the RRT fixture's timestamp.
	REQUIRE(subBlock.lastReceiverReport == NtpTime{ 0xe83a5f9du, 0x10624dd3u }.ToCompact());
	REQUIRE(NtpTime::CompactToMs(subBlock.delaySinceLastReceiverReport) == 500u);

	// The receiver gets this 0.75 s after it sent its RRT: RTT 250 ms.
	const uint32_t arrival = subBlock.lastReceiverReport + NtpTime::MsToCompact(750u);

	REQUIRE(
		ComputeRttMs(arrival, subBlock.lastReceiverReport, subBlock.delaySinceLastReceiverReport) ==
		250u);

	RtcpTest::CheckTruncations<Xr>(bytes);

	SECTION("built from scratch")
	{
		Xr built;

		built.SetSsrc(0x2d9f152cu);
		built.AddDlrrSubBlock(Xr::DlrrSubBlock{ 0xfa17fa17u, 0x5f9d1062u, 0x00008000u });

		REQUIRE(RtcpTest::Serialize(built) == bytes);

		built.SetReceiverReferenceTime(NtpTime{ 1u, 2u });

		const auto written = RtcpTest::Serialize(built);

		REQUIRE(written.size() == 8u + 12u + 16u);
		REQUIRE(written[8] == 4u);
		REQUIRE(written[20] == 5u);
		REQUIRE(Xr::Parse(written) == built);
	}
}

TEST_CASE("Xr skips what it does not read", "[RTCP][Xr]")
{
	const auto bytes = Hex("80 cf 00 14" // V=2 P=0, PT=207 (XR), length=20 (84 bytes)
												 "2d 9f 15 2c" // SSRC
												 "2a 00 00 01" // BT=42 (target bitrate), block length 1: skipped
												 "00 00 0b b8" //   bitrate item
												 "04 00 00 01" // BT=4 (RRT) of a wrong length (1): skipped
												 "de ad be ef" //
												 "05 00 00 03" // BT=5 (DLRR), 1 sub-block
												 "11 11 11 11" //   SSRC
												 "00 01 00 00" //   LRR
												 "00 00 10 00" //   DLRR
												 "04 00 00 02" // BT=4 (RRT)
												 "00 00 00 05" //   NTP msw
												 "00 00 00 06" //   NTP lsw
												 "04 00 00 02" // a second RRT: the first counts
												 "00 00 00 07" //
												 "00 00 00 08" //
												 "05 00 00 04" // BT=5 with a length not a multiple of 3 words: skipped
												 "22 22 22 22" //
												 "00 00 00 00" //
												 "00 00 00 00" //
												 "00 00 00 00" //
	);
	const auto xr    = Xr::Parse(bytes);

	REQUIRE(xr.has_value());
	REQUIRE(xr->GetReceiverReferenceTime() == NtpTime{ 5u, 6u });
	REQUIRE(xr->GetDlrrSubBlocks().size() == 1u);
	REQUIRE(xr->GetDlrrSubBlocks()[0].ssrc == 0x11111111u);

	const auto written = RtcpTest::Serialize(*xr);

	REQUIRE(written.size() == 8u + 12u + 16u);
	REQUIRE(Xr::Parse(written) == xr);
}

TEST_CASE("Xr malformed", "[RTCP][Xr]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		bool parses;
	};

	const std::vector<Row> rows{
		{ "no SSRC", Hex("80 cf 00 00"), false },
		{ "SSRC only", Hex("80 cf 00 01 2d 9f 15 2c"), true },
		{ "block length past the end", Hex("80 cf 00 03 2d 9f 15 2c 04 00 00 02 00 00 00 05"), false },
		{ "block length 0xffff", Hex("80 cf 00 02 2d 9f 15 2c 2a 00 ff ff"), false },
		{ "empty unknown block", Hex("80 cf 00 02 2d 9f 15 2c 2a 00 00 00"), true },
		{ "empty DLRR block", Hex("80 cf 00 02 2d 9f 15 2c 05 00 00 00"), true },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		const auto xr = Xr::Parse(row.data);

		REQUIRE(xr.has_value() == row.parses);

		if (xr)
		{
			REQUIRE(Xr::Parse(RtcpTest::Serialize(*xr)) == xr);
		}
	}
}

TEST_CASE("Xr DLRR sub-block cap", "[RTCP][Xr]")
{
	SECTION("40 sub-blocks in two blocks: merged, the first MaxDlrrSubBlocks kept")
	{
		auto bytes = Hex("80 cf 00 00 2d 9f 15 2c");

		for (int block = 0; block < 2; ++block)
		{
			bytes.insert(bytes.end(), { 0x05, 0x00, 0x00, 60u }); // 20 sub-blocks

			for (uint8_t i = 0u; i < 20u; ++i)
			{
				const auto ssrc = static_cast<uint8_t>(block * 20 + i);

				bytes.insert(bytes.end(), { 0, 0, 0, ssrc, 0, 0, 0, 1, 0, 0, 0, 2 });
			}
		}

		bytes[3] = static_cast<uint8_t>(bytes.size() / 4u - 1u);

		const auto xr = Xr::Parse(bytes);

		REQUIRE(xr.has_value());
		REQUIRE(xr->GetDlrrSubBlocks().size() == Xr::MaxDlrrSubBlocks);
		REQUIRE(xr->GetDlrrSubBlocks().back().ssrc == 31u);
		REQUIRE(Xr::Parse(RtcpTest::Serialize(*xr)) == xr);
	}

	SECTION("the builder refuses sub-block MaxDlrrSubBlocks + 1")
	{
		Xr xr;

		for (uint32_t i = 0u; i < Xr::MaxDlrrSubBlocks; ++i)
		{
			REQUIRE(xr.AddDlrrSubBlock(Xr::DlrrSubBlock{ i, 0u, 0u }));
		}

		REQUIRE_FALSE(xr.AddDlrrSubBlock(Xr::DlrrSubBlock{ 99u, 0u, 0u }));
	}
}
