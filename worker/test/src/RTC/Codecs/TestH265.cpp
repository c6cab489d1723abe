#include "common.hpp"

#include "RTC/Codecs/H265.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::Codecs::H265;

namespace
{
	using Bytes = std::vector<uint8_t>;

	// NAL units from x265 3.5 (Main, 64x64, grey), packetised as libwebrtc
	// does: parameter sets and a small IDR aggregated in one AP, large NAL
	// units in FUs.

	const Bytes ApVpsSpsPpsIdr{
		0x60, 0x01,                                     // PayloadHdr: type 48 (AP), LayerId 0, TID 1
		0x00, 0x18,                                     // NALU 1 size 24
		0x40, 0x01,                                     // VPS: type 32, LayerId 0, TID 1
		0x0c, 0x01, 0xff, 0xff, 0x01, 0x60, 0x00, 0x00, // }
		0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, // }  VPS fields
		0x03, 0x00, 0x1e, 0x95, 0x94, 0x09,             // }
		0x00, 0x28,                                     // NALU 2 size 40
		0x42, 0x01,                                     // SPS: type 33, LayerId 0, TID 1
		0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, // }
		0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x1e, // }
		0xa0, 0x20, 0x81, 0x05, 0x96, 0x56, 0x54, 0xa4, // }  SPS fields (Main, 64x64...)
		0xc2, 0xf0, 0x16, 0x80, 0x80, 0x00, 0x00, 0x03, // }
		0x00, 0x80, 0x00, 0x00, 0x0f, 0x04,             // }
		0x00, 0x06,                                     // NALU 3 size 6
		0x44, 0x01,                                     // PPS: type 34, LayerId 0, TID 1
		0xc0, 0x73, 0xc0, 0x89,                         // PPS fields
		0x00, 0x0a,                                     // NALU 4 size 10
		0x28, 0x01,                                     // IDR_N_LP: type 20, LayerId 0, TID 1
		0xac, 0x21, 0x80, 0x06, 0xfc, 0x83, 0x9e, 0xd6, // slice header and data
	};

	// The IDR cut in two FUs.
	const Bytes FuStartIdr{
		0x62, 0x01,             // PayloadHdr: F=0 type 49 (FU) LayerId 0 TID 1
		0x94,                   // FU header: S=1 E=0 FuType 20 (IDR_N_LP)
		0xac, 0x21, 0x80, 0x06, // first bytes after the IDR's NAL unit header
	};

	const Bytes FuEndIdr{
		0x62, 0x01,             // PayloadHdr: F=0 type 49 (FU) LayerId 0 TID 1
		0x54,                   // FU header: S=0 E=1 FuType 20 (IDR_N_LP)
		0xfc, 0x83, 0x9e, 0xd6, // last bytes of the IDR
	};

	// The next frame, a TRAIL_R picture.
	const Bytes TrailR{
		0x02, 0x01,                               // type 1 (TRAIL_R), LayerId 0, TID 1
		0xd0, 0x11, 0x56, 0x20, 0x41, 0xa0, 0xe8, // slice header and data
	};

	Bytes Prefix(const Bytes& bytes, size_t size)
	{
		return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
	}
} // namespace

SCENARIO("H265::Parse() finds key frames in RFC 7798 payloads", "[Codecs][H265]")
{
	SECTION("AP with VPS, SPS, PPS and IDR")
	{
		const auto info = H265::Parse(ApVpsSpsPpsIdr);

		REQUIRE(info);
		CHECK(info->packetType == 48u);
		CHECK(info->layerId == 0u);
		CHECK(info->temporalId == 0u);
		CHECK(info->nalUnitCount == 4u);
		CHECK(info->hasVps);
		CHECK(info->hasSps);
		CHECK(info->hasPps);
		CHECK(info->hasIrap);
		CHECK(info->isKeyFrame);
	}

	SECTION("FU start of an IDR, and its end")
	{
		const auto start = H265::Parse(FuStartIdr);

		REQUIRE(start);
		CHECK(start->packetType == 49u);
		CHECK(start->isFragment);
		CHECK(start->fragmentStart);
		CHECK(!start->fragmentEnd);
		CHECK(start->fragmentType == 20u);
		CHECK(start->hasIrap);
		CHECK(start->isKeyFrame);

		const auto end = H265::Parse(FuEndIdr);

		REQUIRE(end);
		CHECK(!end->fragmentStart);
		CHECK(end->fragmentEnd);
		CHECK(end->nalUnitCount == 0u);
		CHECK(!end->isKeyFrame);
	}

	SECTION("TRAIL_R")
	{
		const auto info = H265::Parse(TrailR);

		REQUIRE(info);
		CHECK(info->packetType == 1u);
		CHECK(info->nalUnitCount == 1u);
		CHECK(!info->isKeyFrame);
	}

	SECTION("IRAP is types 16 to 21")
	{
		for (uint8_t type = 0u; type < 48u; ++type)
		{
			const Bytes single{ static_cast<uint8_t>(type << 1), 0x01, 0xaa };
			const Bytes fuStart{ 0x62, 0x01, static_cast<uint8_t>(0x80u | type), 0xaa };
			const bool irap         = type >= 16u && type <= 21u;
			const bool parameterSet = type >= 32u && type <= 34u;

			INFO("type " << static_cast<int>(type));
			REQUIRE(H265::Parse(single)->hasIrap == irap);
			REQUIRE(H265::IsKeyFrame(single) == (irap || parameterSet));
			REQUIRE(H265::IsKeyFrame(fuStart) == (irap || parameterSet));
		}
	}

	struct Row
	{
		const char* name;
		Bytes payload;
		bool valid;
		bool keyFrame;
	};

	const std::vector<Row> rows{
		{ "single IDR_W_RADL", { 0x26, 0x01, 0xaf }, true, true },
		{ "single CRA", { 0x2a, 0x01, 0xaf }, true, true },
		{ "single VPS", { 0x40, 0x01, 0x0c }, true, true },
		{ "single header only (end of sequence)", { 0x48, 0x01 }, true, false },
		{ "LayerId 63 and TID 7", { 0x03, 0xff, 0xaa }, true, false },
		{ "AP of two TRAIL_N",
			{ 0x60, 0x01, 0x00, 0x03, 0x00, 0x01, 0xe0, 0x00, 0x02, 0x00, 0x01 },
			true,
			false },
		{ "PACI around an IDR", { 0x64, 0x01, 0x28, 0x00, 0xac, 0x21 }, true, true },
		{ "PACI with 2 bytes of PHES around an FU start of a CRA",
			{ 0x64, 0x01, 0x62, 0x20, 0xee, 0xee, 0x95, 0xac },
			true,
			true },
		{ "PACI around an AP of a PPS",
			{ 0x64, 0x01, 0x60, 0x00, 0x00, 0x03, 0x44, 0x01, 0xc0 },
			true,
			true },
		{ "empty", {}, false, false },
		{ "one byte", { 0x28 }, false, false },
		{ "TID 0", { 0x28, 0x00, 0xac }, false, false },
		{ "AP without units", { 0x60, 0x01 }, false, false },
		{ "AP with a 1-byte tail", { 0x60, 0x01, 0x00, 0x02, 0x28, 0x01, 0x00 }, false, false },
		{ "AP unit shorter than a NAL header", { 0x60, 0x01, 0x00, 0x01, 0x28 }, false, false },
		{ "AP unit overflowing", { 0x60, 0x01, 0x00, 0x04, 0x28, 0x01, 0xac }, false, false },
		{ "AP inside AP", { 0x60, 0x01, 0x00, 0x02, 0x60, 0x01 }, false, false },
		{ "FU inside AP", { 0x60, 0x01, 0x00, 0x03, 0x62, 0x01, 0x94 }, false, false },
		{ "FU without header", { 0x62, 0x01 }, false, false },
		{ "FU without data", { 0x62, 0x01, 0x94 }, false, false },
		{ "FU with S and E", { 0x62, 0x01, 0xd4, 0xac }, false, false },
		{ "FU of an FU", { 0x62, 0x01, 0xb1, 0xac }, false, false },
		{ "FU of a PACI", { 0x62, 0x01, 0xb2, 0xac }, false, false },
		{ "PACI without its header", { 0x64, 0x01, 0x28 }, false, false },
		{ "PACI with PHES overflowing", { 0x64, 0x01, 0x29, 0xf0, 0xac }, false, false },
		{ "PACI with nothing after the PHES", { 0x64, 0x01, 0x28, 0x10, 0xee }, false, false },
		{ "PACI in PACI", { 0x64, 0x01, 0x64, 0x00, 0xac }, false, false },
	};

	for (const auto& row : rows)
	{
		DYNAMIC_SECTION(row.name)
		{
			const auto info = H265::Parse(row.payload);

			REQUIRE(info.has_value() == row.valid);
			REQUIRE(H265::IsKeyFrame(row.payload) == row.keyFrame);
		}
	}
}

SCENARIO("H265::Parse() on every truncation of real packets", "[Codecs][H265]")
{
	SECTION("AP: a cut inside a unit breaks its size")
	{
		// Unit ends: 2 + (2 + 24) = 28, + (2 + 40) = 70, + (2 + 6) = 78.
		for (size_t size = 0u; size < ApVpsSpsPpsIdr.size(); ++size)
		{
			const auto bytes  = Prefix(ApVpsSpsPpsIdr, size);
			const auto info   = H265::Parse(bytes);
			const bool atUnit = size == 28u || size == 70u || size == 78u;

			INFO("size " << size);
			REQUIRE(info.has_value() == atUnit);
			REQUIRE(H265::IsKeyFrame(bytes) == atUnit);

			if (info)
			{
				REQUIRE(!info->hasIrap);
			}
		}
	}

	SECTION("FU: payload header, FU header and a byte of data are needed")
	{
		for (size_t size = 0u; size <= FuStartIdr.size(); ++size)
		{
			const auto bytes = Prefix(FuStartIdr, size);

			INFO("size " << size);
			REQUIRE(H265::Parse(bytes).has_value() == (size >= 4u));
			REQUIRE(H265::IsKeyFrame(bytes) == (size >= 4u));
		}
	}

	SECTION("single NAL unit: the 2-byte header is enough")
	{
		for (size_t size = 0u; size <= TrailR.size(); ++size)
		{
			const auto bytes = Prefix(TrailR, size);

			INFO("size " << size);
			REQUIRE(H265::Parse(bytes).has_value() == (size >= 2u));
			REQUIRE(!H265::IsKeyFrame(bytes));
		}
	}
}
