#include "common.hpp"

#include "RTC/Codecs/VP9.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::Codecs::Vp9;
using RTC::Codecs::Vp9PayloadDescriptor;

namespace
{
	using Bytes = std::vector<uint8_t>;

	// Packets laid out as libwebrtc's VP9 packetiser writes them for SVC with
	// two spatial layers and one temporal layer in non-flexible mode (the
	// first packet of a key picture carries the scalability structure); the
	// frame data is libvpx 1.12 output (grey, 32x32 and 64x64).

	// Spatial layer 0 of a key picture.
	const Bytes SvcKeyFrameLayer0{
		0xae,                   // I=1 P=0 L=1 F=0 B=1 E=1 V=1 Z=0
		0x92, 0x34,             // M=1, PICTURE ID 0x1234
		0x00,                   // TID=0 U=0 SID=0 D=0
		0x05,                   // TL0PICIDX 5
		0x38,                   // SS: N_S=1 (2 spatial layers) Y=1 G=1
		0x00, 0x20, 0x00, 0x20, // layer 0: 32x32
		0x00, 0x40, 0x00, 0x40, // layer 1: 64x64
		0x01,                   // N_G=1
		0x04, 0x01,             // picture 0: T=0 U=0 R=1, P_DIFF 1
		0x82,                   // frame marker, profile 0, key frame, shown
		0x49, 0x83, 0x42,       // sync code
		0x00, 0x01, 0xf0, 0x01, // }
		0xf6, 0x00, 0x38, 0x24, // }
		0x1c, 0x18, 0x42, 0x00, // }  colour config, size 32x32, headers and tiles
		0x00, 0x30, 0x60, 0x00, // }
		0x00, 0x22, 0xd5, 0xc0, // }
		0x00,                   // }
	};

	// Spatial layer 1 of the same picture: no earlier picture referred to
	// (P=0), but it depends on layer 0 (D=1).
	const Bytes SvcKeyFrameLayer1{
		0xac,                                     // I=1 P=0 L=1 F=0 B=1 E=1 V=0 Z=0
		0x92, 0x34,                               // M=1, PICTURE ID 0x1234
		0x03,                                     // TID=0 U=0 SID=1 D=1
		0x05,                                     // TL0PICIDX 5
		0x86,                                     // frame marker, profile 0, inter frame, shown
		0x00, 0x40, 0x92, 0x9c, 0x00, 0x49, 0x40, // }  libvpx inter frame (64x64)
		0x00, 0x03, 0x20, 0x00, 0x00, 0x54, 0x70, // }
	};

	// The next picture's layer 0.
	const Bytes SvcDeltaFrameLayer0{
		0xec,                                     // I=1 P=1 L=1 F=0 B=1 E=1 V=0 Z=0
		0x92, 0x35,                               // M=1, PICTURE ID 0x1235
		0x00,                                     // TID=0 U=0 SID=0 D=0
		0x06,                                     // TL0PICIDX 6
		0x86,                                     // frame marker, profile 0, inter frame, shown
		0x00, 0x40, 0x92, 0x9c, 0x00, 0x49, 0x40, // }  libvpx inter frame (32x32)
		0x00, 0x03, 0x20, 0x00, 0x00, 0x43, 0x40, // }
	};

	// Flexible mode, as libwebrtc sends screen content: reference indices
	// instead of TL0PICIDX.
	const Bytes FlexibleDeltaFrame{
		0xfc,                                     // I=1 P=1 L=1 F=1 B=1 E=1 V=0 Z=0
		0x92, 0x36,                               // M=1, PICTURE ID 0x1236
		0x30,                                     // TID=1 U=1 SID=0 D=0
		0x03,                                     // P_DIFF 1, N=1
		0x04,                                     // P_DIFF 2, N=0
		0x86,                                     // frame marker, profile 0, inter frame, shown
		0x00, 0x40, 0x92, 0x9c, 0x00, 0x4a, 0xc0, // }  libvpx inter frame (32x32)
		0x00, 0x03, 0x20, 0x00, 0x00, 0x43, 0x40, // }
	};

	Bytes Prefix(const Bytes& bytes, size_t size)
	{
		return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
	}
} // namespace

SCENARIO("Vp9::Parse() reads the payload descriptor (RFC 9628 4.2)", "[Codecs][VP9]")
{
	SECTION("SVC key picture, layer 0, with the scalability structure")
	{
		const auto d = Vp9::Parse(SvcKeyFrameLayer0);

		REQUIRE(d);
		CHECK(d->size == 17u);
		CHECK(d->hasPictureId);
		CHECK(!d->interPicturePredicted);
		CHECK(d->hasLayerIndices);
		CHECK(!d->flexibleMode);
		CHECK(d->startOfFrame);
		CHECK(d->endOfFrame);
		CHECK(d->hasScalabilityStructure);
		CHECK(!d->notReferenceForUpperSpatialLayers);
		CHECK(d->hasLongPictureId);
		CHECK(d->pictureId == 0x1234);
		CHECK(d->temporalLayerId == 0u);
		CHECK(d->spatialLayerId == 0u);
		CHECK(!d->interLayerDependency);
		CHECK(d->hasTl0PicIdx);
		CHECK(d->tl0PicIdx == 5u);
		CHECK(d->referenceCount == 0u);
		CHECK(d->ss.spatialLayers == 2u);
		CHECK(d->ss.hasResolutions);
		CHECK(d->ss.widths[0] == 32u);
		CHECK(d->ss.heights[0] == 32u);
		CHECK(d->ss.widths[1] == 64u);
		CHECK(d->ss.heights[1] == 64u);
		CHECK(d->ss.hasPictureGroup);
		CHECK(d->ss.pictureGroupSize == 1u);
		CHECK(d->isKeyFrame);
		CHECK(Vp9::IsKeyFrame(SvcKeyFrameLayer0));
		// The frame data starts with the VP9 frame marker.
		CHECK(SvcKeyFrameLayer0[d->size] == 0x82);
	}

	SECTION("SVC key picture, layer 1: not where a decoder starts")
	{
		const auto d = Vp9::Parse(SvcKeyFrameLayer1);

		REQUIRE(d);
		CHECK(d->size == 5u);
		CHECK(!d->interPicturePredicted);
		CHECK(d->spatialLayerId == 1u);
		CHECK(d->interLayerDependency);
		CHECK(!d->hasScalabilityStructure);
		CHECK(!d->isKeyFrame);
		CHECK(!Vp9::IsKeyFrame(SvcKeyFrameLayer1));
	}

	SECTION("SVC delta picture, layer 0")
	{
		const auto d = Vp9::Parse(SvcDeltaFrameLayer0);

		REQUIRE(d);
		CHECK(d->interPicturePredicted);
		CHECK(d->pictureId == 0x1235);
		CHECK(d->tl0PicIdx == 6u);
		CHECK(!d->isKeyFrame);
	}

	SECTION("flexible mode with two reference indices")
	{
		const auto d = Vp9::Parse(FlexibleDeltaFrame);

		REQUIRE(d);
		CHECK(d->size == 6u);
		CHECK(d->flexibleMode);
		CHECK(!d->hasTl0PicIdx);
		CHECK(d->temporalLayerId == 1u);
		CHECK(d->switchingUpPoint);
		CHECK(d->referenceCount == 2u);
		CHECK(d->pDiffs[0] == 1u);
		CHECK(d->pDiffs[1] == 2u);
		CHECK(!d->isKeyFrame);
	}

	struct Row
	{
		const char* name;
		Bytes payload;
		bool valid;
		bool keyFrame;
	};

	const std::vector<Row> rows{
		{ "no optional field: B=1 P=0 is a key frame", { 0x0c, 0x82 }, true, true },
		{ "B=0: a middle packet", { 0x04, 0x82 }, true, false },
		{ "7-bit PICTURE ID", { 0x88, 0x7f, 0x82 }, true, true },
		{ "flexible key frame with SS, no picture group",
			{ 0xba, 0x80, 0x01, 0x00, 0x10, 0x00, 0x20, 0x00, 0x20, 0x82 },
			true,
			true },
		{ "SS without resolutions, group of 2 with 3 and 0 references",
			{ 0x0a, 0x08, 0x02, 0x2c, 0x01, 0x02, 0x03, 0x20, 0x82 },
			true,
			true },
		{ "V with the smallest SS (one layer, nothing else)", { 0x0e, 0x00, 0x82 }, true, true },
		{ "SID 2 B=1 P=0: an upper layer", { 0x28, 0x04, 0x00, 0x82 }, true, false },
		{ "empty", {}, false, false },
		{ "descriptor only", { 0x0c }, false, false },
		{ "I without PICTURE ID", { 0x88 }, false, false },
		{ "M without the extended PICTURE ID", { 0x88, 0x80 }, false, false },
		{ "L without layer indices", { 0x28 }, false, false },
		{ "non-flexible L without TL0PICIDX", { 0x28, 0x00 }, false, false },
		{ "flexible P without reference index", { 0x58 }, false, false },
		{ "reference index with N=1 and no next", { 0x58, 0x03 }, false, false },
		{ "four reference indices", { 0x58, 0x03, 0x05, 0x07, 0x08, 0x82 }, false, false },
		{ "V without SS", { 0x0a }, false, false },
		{ "SS with resolutions cut", { 0x0a, 0x30, 0x00, 0x20, 0x00, 0x20, 0x00, 0x40 }, false, false },
		{ "SS G without N_G", { 0x0a, 0x08 }, false, false },
		{ "SS picture group cut", { 0x0a, 0x08, 0x02, 0x04, 0x01 }, false, false },
		{ "SS P_DIFF cut", { 0x0a, 0x08, 0x01, 0x0c, 0x01 }, false, false },
		{ "SS and no frame data", { 0x0a, 0x00 }, false, false },
	};

	for (const auto& row : rows)
	{
		DYNAMIC_SECTION(row.name)
		{
			const auto d = Vp9::Parse(row.payload);

			REQUIRE(d.has_value() == row.valid);
			REQUIRE(Vp9::IsKeyFrame(row.payload) == row.keyFrame);
		}
	}
}

SCENARIO("Vp9::Parse() on every truncation of real packets", "[Codecs][VP9]")
{
	struct Row
	{
		const Bytes* packet;
		size_t descriptorSize;
		bool keyFrame;
	};

	for (const auto& row : { Row{ &SvcKeyFrameLayer0, 17u, true },
													 Row{ &SvcKeyFrameLayer1, 5u, false },
													 Row{ &SvcDeltaFrameLayer0, 5u, false },
													 Row{ &FlexibleDeltaFrame, 6u, false } })
	{
		for (size_t size = 0u; size <= row.packet->size(); ++size)
		{
			const auto bytes = Prefix(*row.packet, size);
			const auto d     = Vp9::Parse(bytes);

			INFO("size " << size);

			if (size <= row.descriptorSize)
			{
				REQUIRE(!d);
				REQUIRE(!Vp9::IsKeyFrame(bytes));
			}
			else
			{
				REQUIRE(d);
				REQUIRE(d->size == row.descriptorSize);
				REQUIRE(d->isKeyFrame == row.keyFrame);
			}
		}
	}
}
