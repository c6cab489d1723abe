#include "common.hpp"

#include "RTC/RTCP/TransportWideCc.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;
using Status = TransportWideCc::Status;

namespace
{
	std::vector<TransportWideCc::PacketStatus> ReadAll(const TransportWideCc& packet, bool& error)
	{
		std::vector<TransportWideCc::PacketStatus> statuses;
		auto reader = packet.GetStatusReader();

		while (auto status = reader.Next())
		{
			statuses.push_back(*status);
		}

		error = reader.HasError();

		return statuses;
	}
} // namespace

TEST_CASE("TransportWideCc as Chrome sends it (P bit padding)", "[RTCP][TransportWideCc]")
{
	const auto bytes = RtcpTest::ChromeTransportWideCc();
	const auto twcc  = RtcpTest::RoundTrip<TransportWideCc>(bytes);

	REQUIRE(twcc.GetType() == Type::RTPFB);
	REQUIRE(twcc.GetSenderSsrc() == 0xfa17fa17u);
	REQUIRE(twcc.GetMediaSsrc() == 0x2d9f152cu);
	REQUIRE(twcc.GetBaseSequenceNumber() == 2620u);
	REQUIRE(twcc.GetPacketStatusCount() == 7u);
	REQUIRE(twcc.GetReferenceTime() == 0x1b6c2a);
	REQUIRE(twcc.GetReferenceTimeMs() == 0x1b6c2a * 64);
	REQUIRE(twcc.GetFeedbackPacketCount() == 5u);
	// Chunk and deltas, without the padding.
	REQUIRE(twcc.GetPacketChunks().size() == 9u);

	bool error{ true };
	const auto statuses = ReadAll(twcc, error);

	REQUIRE_FALSE(error);

	const std::vector<TransportWideCc::PacketStatus> expected{
		{ 2620u, Status::SMALL_DELTA, 20 },  { 2621u, Status::SMALL_DELTA, 4 },
		{ 2622u, Status::SMALL_DELTA, 8 },   { 2623u, Status::NOT_RECEIVED, 0 },
		{ 2624u, Status::LARGE_DELTA, -16 }, { 2625u, Status::SMALL_DELTA, 80 },
		{ 2626u, Status::SMALL_DELTA, 2 },
	};

	REQUIRE(statuses == expected);
	REQUIRE(statuses[0].GetDeltaUs() == 5000);
	REQUIRE(statuses[4].GetDeltaUs() == -4000);

	RtcpTest::CheckTruncations<TransportWideCc>(bytes);
}

TEST_CASE("TransportWideCc run length and 1-bit vector chunks", "[RTCP][TransportWideCc]")
{
	const auto bytes = Hex("af cd 00 0a"    // V=2 P=1 FMT=15, PT=205, length=10 (44 bytes)
												 "fa 17 fa 17"    // SSRC of packet sender
												 "2d 9f 15 2c"    // SSRC of media source
												 "ff f8 00 14"    // base sequence number 65528, packet status count 20
												 "ff ff ff 00"    // reference time -1 (-64 ms), fb pkt count 0
												 "20 0e"          // run length chunk: 14 x small delta
												 "af 00"          // status vector, 1-bit symbols: 1 0 1 1 1 1 (8 unused)
												 "04 04 04 04 04" // 14 small deltas of 1 ms...
												 "04 04 04 04 04"
												 "04 04 04 04"
												 "05 05 05 05 05" // ...then 5 of 1.25 ms
												 "01"             // padding, 1 byte
	);
	const auto twcc  = RtcpTest::RoundTrip<TransportWideCc>(bytes);

	REQUIRE(twcc.GetReferenceTime() == -1);
	REQUIRE(twcc.GetReferenceTimeMs() == -64);

	bool error{ true };
	const auto statuses = ReadAll(twcc, error);

	REQUIRE_FALSE(error);
	REQUIRE(statuses.size() == 20u);
	REQUIRE(statuses[0].sequenceNumber == 65528u);
	REQUIRE(statuses[7].sequenceNumber == 65535u);
	REQUIRE(statuses[8].sequenceNumber == 0u);
	REQUIRE(statuses[13].delta == 4);
	REQUIRE(statuses[14] == TransportWideCc::PacketStatus{ 6u, Status::SMALL_DELTA, 5 });
	REQUIRE(statuses[15] == TransportWideCc::PacketStatus{ 7u, Status::NOT_RECEIVED, 0 });
	REQUIRE(statuses[19] == TransportWideCc::PacketStatus{ 11u, Status::SMALL_DELTA, 5 });

	RtcpTest::CheckTruncations<TransportWideCc>(bytes);
}

TEST_CASE("TransportWideCc malformed", "[RTCP][TransportWideCc]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		bool parses;
	};

	const std::vector<Row> rows{
		{ "no FCI", Hex("8f cd 00 02 fa 17 fa 17 2d 9f 15 2c"), false },
		{ "half the fixed FCI", Hex("8f cd 00 03 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 07"), false },
		{ "status count 0, no chunks",
			Hex("8f cd 00 04 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 00 1b 6c 2a 05"),
			true },
		{ "status count 1, no chunk",
			Hex("8f cd 00 04 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 01 1b 6c 2a 05"),
			false },
		{ "chunks cover too few statuses (count lies)",
			Hex("8f cd 00 05 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 08 1b 6c 2a 05 c0 00 00 00"),
			false },
		{ "delta missing",
			Hex("8f cd 00 05 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 03 1b 6c 2a 05 20 03 01 02"),
			false },
		{ "large delta",
			Hex("8f cd 00 05 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 01 1b 6c 2a 05 40 01 01 00"),
			true },
		{ "large delta cut by the padding",
			Hex("af cd 00 05 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 01 1b 6c 2a 05 40 01 01 01"),
			false },
		{ "reserved status in a run",
			Hex("8f cd 00 05 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 01 1b 6c 2a 05 60 01 00 00"),
			false },
		{ "reserved 2-bit symbol",
			Hex("8f cd 00 05 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 01 1b 6c 2a 05 f0 00 00 00"),
			false },
		{ "reserved symbol past the status count is ignored",
			Hex("8f cd 00 05 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 01 1b 6c 2a 05 c3 00 00 00"),
			true },
		{ "run of 0 then a real chunk",
			Hex("8f cd 00 05 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 01 1b 6c 2a 05 00 00 20 01 09 00 00 00"),
			false },
		{ "run of 0 then a real chunk, length right",
			Hex("8f cd 00 06 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 01 1b 6c 2a 05 00 00 20 01 09 00 00 00"),
			true },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		const auto twcc = TransportWideCc::Parse(row.data);

		REQUIRE(twcc.has_value() == row.parses);

		if (twcc)
		{
			bool error{ true };
			const auto statuses = ReadAll(*twcc, error);

			REQUIRE_FALSE(error);
			REQUIRE(statuses.size() == twcc->GetPacketStatusCount());
			REQUIRE(TransportWideCc::Parse(RtcpTest::Serialize(*twcc)) == twcc);
		}
	}
}

TEST_CASE("TransportWideCc built from fields", "[RTCP][TransportWideCc]")
{
	const auto fixture = RtcpTest::ChromeTransportWideCc();
	// The chunk and deltas of the fixture.
	const auto chunks = Hex("d5 25 14 04 08 ff f0 50 02");
	TransportWideCc twcc;

	twcc.SetSenderSsrc(0xfa17fa17u);
	twcc.SetMediaSsrc(0x2d9f152cu);
	twcc.SetBaseSequenceNumber(2620u);
	twcc.SetPacketStatusCount(7u);
	twcc.SetReferenceTime(0x1b6c2a);
	twcc.SetFeedbackPacketCount(5u);
	twcc.SetPacketChunks(chunks);

	REQUIRE(RtcpTest::Serialize(twcc) == fixture);

	SECTION("reference time kept modulo 2^24")
	{
		twcc.SetReferenceTime(0x1000000 + 5);
		REQUIRE(twcc.GetReferenceTime() == 5);
		twcc.SetReferenceTime(-2);
		REQUIRE(twcc.GetReferenceTime() == -2);
		twcc.SetReferenceTime(0x800000);
		REQUIRE(twcc.GetReferenceTime() == -0x800000);
	}

	SECTION("chunks that do not cover the status count cannot be written")
	{
		twcc.SetPacketStatusCount(8u);

		REQUIRE(twcc.GetSize() == 0u);

		std::vector<uint8_t> out(100u);

		REQUIRE(twcc.Serialize(out) == 0u);

		bool error{ false };

		REQUIRE(ReadAll(twcc, error).empty());
		REQUIRE(error);
	}

	SECTION("aligned chunks get no padding")
	{
		const auto aligned = Hex("d5 25 14 04 08 ff f0 50 02 00 00 00");

		twcc.SetPacketChunks(aligned);

		const auto written = RtcpTest::Serialize(twcc);

		REQUIRE(written.size() == 32u);
		REQUIRE(written[0] == 0x8fu);
		REQUIRE(TransportWideCc::Parse(written) == twcc);
	}
}
