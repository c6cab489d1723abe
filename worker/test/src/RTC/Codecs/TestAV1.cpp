#include "common.hpp"

#include "RTC/Codecs/AV1.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::Codecs::Av1;

namespace
{
	using Bytes = std::vector<uint8_t>;

	// OBUs from libaom 3.6 (realtime, 32x32, grey), packetised as libwebrtc
	// does: temporal delimiters dropped, obu_has_size_field cleared, the last
	// element without a length (W = element count).

	const Bytes KeyFrame{
		0x28,                               // Z=0 Y=0 W=2 N=1
		0x0b,                               // element 1: 11 bytes
		0x08,                               // OBU header: type 1 (SEQUENCE_HEADER), X=0, S=0
		0x00, 0x00, 0x00, 0x02, 0x27,       // }  sequence header: profile 0, 32x32...
		0xfe, 0x6d, 0x7c, 0x80, 0x20,       // }
		0x30,                               // element 2 (the rest): type 6 (FRAME), X=0, S=0
		0x10, 0x00, 0x90, 0x00, 0x08, 0x20, // }  frame header (key frame) and tile group
		0x82, 0x20, 0x00, 0x00, 0x43, 0xf1, // }
		0xcc,                               // }
	};

	const Bytes DeltaFrame{
		0x10,                                           // Z=0 Y=0 W=1 N=0
		0x30,                                           // element 1 (the rest): type 6 (FRAME)
		0x30, 0x03, 0x80, 0x80, 0xfd, 0xf8, 0x06, 0xc0, // }
		0x00, 0x59, 0x65, 0x96, 0x28, 0x10, 0x42, 0x00, // }  frame header (inter) and tile group
		0x90, 0x10,                                     // }
	};

	// The same key frame as libaom wrote it (obu_size fields kept), with W=0:
	// every element has a length.
	const Bytes KeyFrameWithSizes{
		0x08,                               // Z=0 Y=0 W=0 N=1
		0x0c,                               // element 1: 12 bytes
		0x0a,                               // OBU header: type 1 (SEQUENCE_HEADER), X=0, S=1
		0x0a,                               // obu_size 10
		0x00, 0x00, 0x00, 0x02, 0x27,       // }  sequence header
		0xfe, 0x6d, 0x7c, 0x80, 0x20,       // }
		0x0f,                               // element 2: 15 bytes
		0x32,                               // OBU header: type 6 (FRAME), X=0, S=1
		0x0d,                               // obu_size 13
		0x10, 0x00, 0x90, 0x00, 0x08, 0x20, // }  frame header and tile group
		0x82, 0x20, 0x00, 0x00, 0x43, 0xf1, // }
		0xcc,                               // }
	};

	// The key frame split in two packets.
	const Bytes KeyFrameFirstPacket{
		0x68,                         // Z=0 Y=1 W=2 N=1
		0x0b,                         // element 1: 11 bytes
		0x08,                         // OBU header: type 1 (SEQUENCE_HEADER)
		0x00, 0x00, 0x00, 0x02, 0x27, // }  sequence header
		0xfe, 0x6d, 0x7c, 0x80, 0x20, // }
		0x30,                         // element 2: type 6 (FRAME), going on in the next packet
		0x10, 0x00, 0x90, 0x00, 0x08, // first bytes of the frame
	};

	const Bytes KeyFrameSecondPacket{
		0x90,                                           // Z=1 Y=0 W=1 N=0
		0x20, 0x82, 0x20, 0x00, 0x00, 0x43, 0xf1, 0xcc, // rest of the FRAME OBU
	};

	Bytes Prefix(const Bytes& bytes, size_t size)
	{
		return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
	}
} // namespace

SCENARIO("Av1::Parse() reads the aggregation header and OBU elements", "[Codecs][AV1]")
{
	SECTION("key frame: N=1 and a sequence header")
	{
		const auto info = Av1::Parse(KeyFrame);

		REQUIRE(info);
		CHECK(!info->continuesObu);
		CHECK(!info->obuContinues);
		CHECK(info->elementCountField == 2u);
		CHECK(info->newCodedVideoSequence);
		CHECK(info->elementCount == 2u);
		CHECK(info->hasSequenceHeader);
		CHECK(!info->hasLayerIds);
		CHECK(info->isKeyFrame);
		CHECK(Av1::IsKeyFrame(KeyFrame));
	}

	SECTION("delta frame")
	{
		const auto info = Av1::Parse(DeltaFrame);

		REQUIRE(info);
		CHECK(info->elementCount == 1u);
		CHECK(!info->newCodedVideoSequence);
		CHECK(!info->hasSequenceHeader);
		CHECK(!info->isKeyFrame);
	}

	SECTION("key frame with W=0 and obu_size fields")
	{
		const auto info = Av1::Parse(KeyFrameWithSizes);

		REQUIRE(info);
		CHECK(info->elementCountField == 0u);
		CHECK(info->elementCount == 2u);
		CHECK(info->isKeyFrame);
	}

	SECTION("key frame over two packets")
	{
		const auto first  = Av1::Parse(KeyFrameFirstPacket);
		const auto second = Av1::Parse(KeyFrameSecondPacket);

		REQUIRE(first);
		CHECK(first->obuContinues);
		CHECK(first->isKeyFrame);
		REQUIRE(second);
		CHECK(second->continuesObu);
		CHECK(!second->hasSequenceHeader);
		CHECK(!second->isKeyFrame);
	}

	struct Row
	{
		const char* name;
		Bytes payload;
		bool valid;
		bool keyFrame;
	};

	const std::vector<Row> rows{
		{ "N=1 without a sequence header", { 0x18, 0x30, 0x10 }, true, false },
		{ "sequence header without N", { 0x10, 0x08, 0x00 }, true, false },
		{ "N=1 and Z=1", { 0x98, 0x08, 0x00 }, true, false },
		{ "continuation that looks like a forbidden OBU header", { 0x90, 0x82, 0x20 }, true, false },
		{ "W=3", { 0x38, 0x02, 0x08, 0x00, 0x01, 0x30, 0x30, 0x10 }, true, true },
		{ "two-byte LEB128 length",
			[]
			{
				Bytes bytes{ 0x00, 0x80, 0x01, 0x30 }; // W=0, element of 128 bytes
				bytes.resize(3u + 128u, 0x00);

				return bytes;
			}(),
			true,
			false },
		{ "LEB128 with redundant continuation bytes",
			{ 0x00, 0x82, 0x80, 0x00, 0x30, 0x10 },
			true,
			false },
		{ "padding OBU", { 0x10, 0x78, 0x00 }, true, false },
		{ "empty", {}, false, false },
		{ "aggregation header only", { 0x28 }, false, false },
		{ "W=0, length missing", { 0x08, 0x80 }, false, false },
		{ "W=0, length overflowing", { 0x08, 0x05, 0x08, 0x00 }, false, false },
		{ "W=0, empty element", { 0x08, 0x00 }, false, false },
		{ "W=2 with one element", { 0x28, 0x02, 0x08, 0x00 }, false, false },
		{ "W=3 with two elements", { 0x38, 0x02, 0x08, 0x00, 0x01, 0x30 }, false, false },
		{ "LEB128 of 9 bytes",
			{ 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x30 },
			false,
			false },
		{ "LEB128 over 32 bits", { 0x00, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x30 }, false, false },
		{ "forbidden bit", { 0x18, 0x88, 0x00 }, false, false },
		{ "extension flag without extension byte", { 0x10, 0x34 }, false, false },
	};

	for (const auto& row : rows)
	{
		DYNAMIC_SECTION(row.name)
		{
			const auto info = Av1::Parse(row.payload);

			REQUIRE(info.has_value() == row.valid);
			REQUIRE(Av1::IsKeyFrame(row.payload) == row.keyFrame);
		}
	}

	SECTION("layer ids from the first OBU extension header")
	{
		const Bytes bytes{
			0x20, // Z=0 Y=0 W=2 N=0
			0x02, // element 1: 2 bytes
			0x30, // FRAME, X=0
			0x00,
			0x34, // FRAME, X=1
			0x28, // temporal_id 1, spatial_id 1
			0x00,
		};
		const auto info = Av1::Parse(bytes);

		REQUIRE(info);
		CHECK(info->hasLayerIds);
		CHECK(info->temporalId == 1u);
		CHECK(info->spatialId == 1u);
	}
}

SCENARIO("Av1::Parse() on every truncation of real packets", "[Codecs][AV1]")
{
	SECTION("W=2: both elements must be there")
	{
		// Aggregation header, length, 11 bytes, then at least a byte of the
		// last element.
		for (size_t size = 0u; size <= KeyFrame.size(); ++size)
		{
			const auto bytes = Prefix(KeyFrame, size);

			INFO("size " << size);
			REQUIRE(Av1::Parse(bytes).has_value() == (size >= 14u));
			REQUIRE(Av1::IsKeyFrame(bytes) == (size >= 14u));
		}
	}

	SECTION("W=0: only cuts at an element's end parse")
	{
		for (size_t size = 0u; size <= KeyFrameWithSizes.size(); ++size)
		{
			const auto bytes = Prefix(KeyFrameWithSizes, size);
			const bool atEnd = size == 14u || size == KeyFrameWithSizes.size();

			INFO("size " << size);
			REQUIRE(Av1::Parse(bytes).has_value() == atEnd);
			REQUIRE(Av1::IsKeyFrame(bytes) == atEnd);
		}
	}

	SECTION("W=1: the header and a byte")
	{
		for (size_t size = 0u; size <= DeltaFrame.size(); ++size)
		{
			const auto bytes = Prefix(DeltaFrame, size);

			INFO("size " << size);
			REQUIRE(Av1::Parse(bytes).has_value() == (size >= 2u));
			REQUIRE(!Av1::IsKeyFrame(bytes));
		}
	}
}
