#include "common.hpp"

#include "RTC/TransportCcChunkEncoder.hpp"
#include "RTCP/RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using RTC::TransportCcChunkEncoder;
using RtcpTest::Hex;
using Status = TransportCcChunkEncoder::Status;

namespace
{
	// Statuses from letters: N not received, S small delta, L large delta.
	std::vector<uint8_t> Encode(const std::string& statuses)
	{
		TransportCcChunkEncoder encoder;

		for (const char c : statuses)
		{
			encoder.Add(
				c == 'N'   ? Status::NOT_RECEIVED
				: c == 'S' ? Status::SMALL_DELTA
									 : Status::LARGE_DELTA);
		}

		const size_t size = encoder.GetSize();
		const auto chunks = encoder.Finish();

		REQUIRE(chunks.size() == size);

		return { chunks.begin(), chunks.end() };
	}
} // namespace

TEST_CASE("TransportCcChunkEncoder chooses chunks for size", "[twcc]")
{
	struct Row
	{
		const char* name;
		std::string statuses;
		std::vector<uint8_t> chunks;
	};

	const std::vector<Row> rows{
		{ "nothing", "", {} },
		{ "a run", std::string(100u, 'S'), Hex("20 64") },
		{ "a run of large deltas", std::string(9u, 'L'), Hex("40 09") },
		{ "a run longer than 13 bits",
			std::string(TransportCcChunkEncoder::MaxRunLength + 1u, 'N'),
			Hex("1f ff 00 01") },
		// 1 0 1 0 ... over 14 statuses: one 1-bit vector, then the rest.
		{ "mixed, no large delta", "SNSNSNSNSNSNSNSN", Hex("aa aa a0 00") },
		// The last chunk covers fewer statuses than it holds.
		{ "mixed, fewer than 14", "NSS", Hex("98 00") },
		{ "a large delta among them", "SSLN", Hex("d6 00") },
		// 10 mixed then a large: the first 7 go in a 2-bit vector, the other 3
		// wait for the large one.
		{ "a large delta after 10 mixed", "SNSNSNSNSNL", Hex("d1 11 c4 80") },
		{ "a run then something else", std::string(20u, 'S') + "N", Hex("20 14 00 01") },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		REQUIRE(Encode(row.statuses) == row.chunks);
	}
}

TEST_CASE("TransportCcChunkEncoder GetSizeWith changes nothing", "[twcc]")
{
	TransportCcChunkEncoder encoder;

	encoder.Add(Status::SMALL_DELTA, 3u);

	REQUIRE(encoder.GetSizeWith(30u, Status::LARGE_DELTA) == 6u);
	REQUIRE(encoder.GetSize() == 2u);

	encoder.Add(Status::NOT_RECEIVED, 30u);
	encoder.Add(Status::LARGE_DELTA);

	REQUIRE(encoder.GetSize() == 6u);
	REQUIRE(encoder.Finish().size() == 6u);
}
