#include "common.hpp"

#include "RTC/Codecs/H264.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::Codecs::H264;

namespace
{
	using Bytes = std::vector<uint8_t>;

	// NAL units from x264 (Constrained Baseline, 32x32, grey), packetised as
	// libwebrtc does in packetization-mode 1: parameter sets and a small IDR
	// aggregated in one STAP-A, large NAL units in FU-A.

	const Bytes StapASpsPpsIdr{
		0x78,                                     // STAP-A: F=0 NRI=3 type 24
		0x00, 0x16,                               // NALU 1 size 22
		0x67,                                     // SPS: NRI=3 type 7
		0x42, 0xc0, 0x0a,                         // Constrained Baseline, level 1.0
		0xda, 0x25, 0xb0, 0x11, 0x00, 0x00, 0x03, // }
		0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x3c, // }  SPS fields (32x32...)
		0x8f, 0x12, 0x26, 0xa0,                   // }
		0x00, 0x04,                               // NALU 2 size 4
		0x68,                                     // PPS: NRI=3 type 8
		0xce, 0x0f, 0xc8,                         // PPS fields
		0x00, 0x0a,                               // NALU 3 size 10
		0x65,                                     // IDR slice: NRI=3 type 5
		0x88, 0x84, 0x3a, 0x26, 0x28, 0x0c, 0x9d, // }  slice header and data
		0x75, 0xe0,                               // }
	};

	// The IDR slice cut in two FU-A.
	const Bytes FuAStartIdr{
		0x7c,                   // FU indicator: F=0 NRI=3 type 28
		0x85,                   // FU header: S=1 E=0 type 5
		0x88, 0x84, 0x3a, 0x26, // first bytes of the IDR slice (its header not repeated)
	};

	const Bytes FuAEndIdr{
		0x7c,                         // FU indicator: F=0 NRI=3 type 28
		0x45,                         // FU header: S=0 E=1 type 5
		0x28, 0x0c, 0x9d, 0x75, 0xe0, // last bytes of the IDR slice
	};

	// A P slice of the next frame.
	const Bytes NonIdrSlice{
		0x41,                   // NRI=2 type 1
		0x9a, 0x20, 0x26, 0x8b, // slice header and data
	};

	Bytes Prefix(const Bytes& bytes, size_t size)
	{
		return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
	}
} // namespace

SCENARIO("H264::Parse() finds key frames in RFC 6184 payloads", "[Codecs][H264]")
{
	SECTION("STAP-A with SPS, PPS and IDR")
	{
		const auto info = H264::Parse(StapASpsPpsIdr);

		REQUIRE(info);
		CHECK(info->packetType == 24u);
		CHECK(info->nri == 3u);
		CHECK(info->nalUnitCount == 3u);
		CHECK(info->hasSps);
		CHECK(info->hasPps);
		CHECK(info->hasIdr);
		CHECK(!info->isFragment);
		CHECK(info->isKeyFrame);
	}

	SECTION("FU-A start of an IDR, and its end")
	{
		const auto start = H264::Parse(FuAStartIdr);

		REQUIRE(start);
		CHECK(start->packetType == 28u);
		CHECK(start->isFragment);
		CHECK(start->fragmentStart);
		CHECK(!start->fragmentEnd);
		CHECK(start->fragmentType == 5u);
		CHECK(start->nalUnitCount == 1u);
		CHECK(start->hasIdr);
		CHECK(start->isKeyFrame);

		const auto end = H264::Parse(FuAEndIdr);

		REQUIRE(end);
		CHECK(end->isFragment);
		CHECK(!end->fragmentStart);
		CHECK(end->fragmentEnd);
		CHECK(end->fragmentType == 5u);
		CHECK(end->nalUnitCount == 0u);
		CHECK(!end->hasIdr);
		CHECK(!end->isKeyFrame);
	}

	SECTION("non-IDR slice")
	{
		const auto info = H264::Parse(NonIdrSlice);

		REQUIRE(info);
		CHECK(info->packetType == 1u);
		CHECK(info->nri == 2u);
		CHECK(info->nalUnitCount == 1u);
		CHECK(!info->isKeyFrame);
	}

	struct Row
	{
		const char* name;
		Bytes payload;
		bool valid;
		bool keyFrame;
	};

	const std::vector<Row> rows{
		{ "single IDR", { 0x65, 0x88, 0x84 }, true, true },
		{ "single SPS (sent alone before the IDR)", { 0x67, 0x42, 0xc0, 0x0a }, true, true },
		{ "single PPS", { 0x68, 0xce, 0x0f, 0xc8 }, true, true },
		{ "single SEI", { 0x06, 0x05, 0xff }, true, false },
		{ "single AUD", { 0x09, 0xf0 }, true, false },
		{ "single NAL header only", { 0x65 }, true, true },
		{ "type 23 (reserved) as a single NAL unit", { 0x17, 0x00 }, true, false },
		{ "STAP-A of two P slices", { 0x58, 0x00, 0x02, 0x41, 0x9a, 0x00, 0x01, 0x41 }, true, false },
		{ "STAP-B (DON, then units) with an IDR",
			{ 0x79, 0x12, 0x34, 0x00, 0x02, 0x65, 0x88 },
			true,
			true },
		{ "FU-A start of a P slice", { 0x5c, 0x81, 0x9a }, true, false },
		{ "FU-A middle of an IDR", { 0x7c, 0x05, 0x9a }, true, false },
		{ "FU-B start of an IDR (with DON)", { 0x7d, 0x85, 0x00, 0x01, 0x88 }, true, true },
		{ "MTAP16: recognised, not walked", { 0x7a, 0x00, 0x01, 0x00, 0x02 }, true, false },
		{ "empty", {}, false, false },
		{ "type 0", { 0x00, 0x01 }, false, false },
		{ "type 30", { 0x1e, 0x01 }, false, false },
		{ "type 31", { 0x1f, 0x01 }, false, false },
		{ "STAP-A without units", { 0x78 }, false, false },
		{ "STAP-A with a 1-byte tail", { 0x78, 0x00, 0x01, 0x65, 0x00 }, false, false },
		{ "STAP-A unit of size 0", { 0x78, 0x00, 0x00, 0x65 }, false, false },
		{ "STAP-A unit overflowing", { 0x78, 0x00, 0x03, 0x65, 0x88 }, false, false },
		{ "STAP-A unit of 0xffff bytes", { 0x78, 0xff, 0xff, 0x65, 0x88 }, false, false },
		{ "STAP-A inside STAP-A", { 0x78, 0x00, 0x02, 0x78, 0x00 }, false, false },
		{ "FU-A inside STAP-A", { 0x78, 0x00, 0x02, 0x7c, 0x85 }, false, false },
		{ "STAP-A unit of type 0", { 0x78, 0x00, 0x01, 0x00 }, false, false },
		{ "STAP-B without DON", { 0x79, 0x00 }, false, false },
		{ "FU-A without header", { 0x7c }, false, false },
		{ "FU-A without data", { 0x7c, 0x85 }, false, false },
		{ "FU-A with S and E", { 0x7c, 0xc5, 0x88 }, false, false },
		{ "FU-A of an FU-A", { 0x7c, 0x9c, 0x88 }, false, false },
		{ "FU-A of type 0", { 0x7c, 0x80, 0x88 }, false, false },
		{ "FU-B not starting", { 0x7d, 0x05, 0x00, 0x01, 0x88 }, false, false },
		{ "FU-B without data", { 0x7d, 0x85, 0x00, 0x01 }, false, false },
		{ "MTAP24 too short", { 0x7b, 0x00, 0x01 }, false, false },
	};

	for (const auto& row : rows)
	{
		DYNAMIC_SECTION(row.name)
		{
			const auto info = H264::Parse(row.payload);

			REQUIRE(info.has_value() == row.valid);
			REQUIRE(H264::IsKeyFrame(row.payload) == row.keyFrame);
		}
	}
}

SCENARIO("H264::Parse() on every truncation of real packets", "[Codecs][H264]")
{
	SECTION("STAP-A: a cut inside a unit breaks its size")
	{
		// Cut right after a unit, what is left is a well-formed STAP-A: with
		// the SPS (1 + 2 + 22 bytes), with the SPS and PPS (+ 2 + 4).
		for (size_t size = 0u; size < StapASpsPpsIdr.size(); ++size)
		{
			const auto bytes  = Prefix(StapASpsPpsIdr, size);
			const auto info   = H264::Parse(bytes);
			const bool atUnit = size == 25u || size == 31u;

			INFO("size " << size);
			REQUIRE(info.has_value() == atUnit);
			REQUIRE(H264::IsKeyFrame(bytes) == atUnit);

			if (info)
			{
				REQUIRE(info->hasSps);
				REQUIRE(info->hasPps == (size == 31u));
				REQUIRE(!info->hasIdr);
			}
		}
	}

	SECTION("FU-A: the indicator, the header and a byte of data are needed")
	{
		for (size_t size = 0u; size <= FuAStartIdr.size(); ++size)
		{
			const auto bytes = Prefix(FuAStartIdr, size);

			INFO("size " << size);
			REQUIRE(H264::Parse(bytes).has_value() == (size >= 3u));
			REQUIRE(H264::IsKeyFrame(bytes) == (size >= 3u));
		}
	}

	SECTION("single NAL unit: the header is enough")
	{
		for (size_t size = 0u; size <= NonIdrSlice.size(); ++size)
		{
			const auto bytes = Prefix(NonIdrSlice, size);

			INFO("size " << size);
			REQUIRE(H264::Parse(bytes).has_value() == (size >= 1u));
			REQUIRE(!H264::IsKeyFrame(bytes));
		}
	}
}
