#include "common.hpp"

#include "RTC/Codecs/VP8.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <vector>

using RTC::Codecs::Vp8;
using RTC::Codecs::Vp8PayloadDescriptor;

namespace
{
	using Bytes = std::vector<uint8_t>;

	// Packets laid out as libwebrtc's VP8 packetiser writes them for a
	// simulcast layer with three temporal layers (X, I with a 15-bit
	// PictureID, L, T); the frames are libvpx 1.12 output (32x32, grey).

	// First (and only) packet of a key frame.
	const Bytes KeyFrame{
		0x90,                         // X=1 N=0 S=1 PID=0
		0xe0,                         // I=1 L=1 T=1 K=0
		0xab, 0xcd,                   // M=1, PictureID 0x2bcd
		0x2a,                         // TL0PICIDX 42
		0x00,                         // TID=0 Y=0 KEYIDX=0
		0x30, 0x02, 0x00,             // frame tag: P=0 (key frame), version 0, shown, 17-byte partition
		0x9d, 0x01, 0x2a,             // start code
		0x20, 0x00,                   // width 32, no scaling
		0x20, 0x00,                   // height 32, no scaling
		0x00, 0x47, 0x08, 0x85, 0x85, // }
		0x88, 0x85, 0x84, 0x88, 0x02, // }  first partition and DCT tokens
		0x02, 0x00, 0x07, 0x91, 0x28, // }
		0xd9, 0x60, 0xfe, 0x68, 0x00, // }
	};

	// An inter frame of temporal layer 2, which nothing refers to.
	const Bytes DeltaFrame{
		0xb0,             // X=1 N=1 S=1 PID=0
		0xe0,             // I=1 L=1 T=1 K=0
		0xab, 0xd0,       // M=1, PictureID 0x2bd0
		0x2a,             // TL0PICIDX 42
		0xa0,             // TID=2 Y=1 KEYIDX=0
		0xb1, 0x01, 0x00, // frame tag: P=1 (inter frame), version 0, shown, 13-byte partition
		0x01, 0x10, 0x10, 0x00, 0x18, 0x00, 0x18, // }
		0x58, 0x2f, 0xf4, 0x00, 0x08, 0x70, 0x00, // }  first partition and DCT tokens
	};

	// The key frame split in two packets: the second one (S=0) starts with a
	// byte whose low bit is 0, which is not a P bit.
	const Bytes KeyFrameSecondPacket{
		0x80,                         // X=1 N=0 S=0 PID=0
		0xe0,                         // I=1 L=1 T=1 K=0
		0xab, 0xcd,                   // M=1, PictureID 0x2bcd
		0x2a,                         // TL0PICIDX 42
		0x00,                         // TID=0 Y=0 KEYIDX=0
		0x02, 0x00, 0x07, 0x91, 0x28, // }
		0xd9, 0x60, 0xfe, 0x68, 0x00, // }  last 10 bytes of the key frame
	};

	// Copies into a buffer of exactly `size` bytes, so that ASan sees any read
	// past the end.
	Bytes Prefix(const Bytes& bytes, size_t size)
	{
		return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
	}
} // namespace

SCENARIO("Vp8::Parse() reads the payload descriptor (RFC 7741 4.2)", "[Codecs][VP8]")
{
	struct Row
	{
		const char* name;
		Bytes payload;
		std::optional<Vp8PayloadDescriptor> expected;
	};

	const std::vector<Row> rows{
		{ "libwebrtc key frame",
			KeyFrame,
			Vp8PayloadDescriptor{ .size             = 6u,
														.extended         = true,
														.startOfPartition = true,
														.hasPictureId     = true,
														.hasLongPictureId = true,
														.pictureId        = 0x2bcd,
														.hasTl0PicIdx     = true,
														.tl0PicIdx        = 42u,
														.hasTid           = true,
														.isKeyFrame       = true,
														.width            = 32u,
														.height           = 32u } },
		{ "libwebrtc delta frame, temporal layer 2",
			DeltaFrame,
			Vp8PayloadDescriptor{ .size             = 6u,
														.extended         = true,
														.nonReference     = true,
														.startOfPartition = true,
														.hasPictureId     = true,
														.hasLongPictureId = true,
														.pictureId        = 0x2bd0,
														.hasTl0PicIdx     = true,
														.tl0PicIdx        = 42u,
														.hasTid           = true,
														.tid              = 2u,
														.layerSync        = true } },
		{ "second packet of a key frame",
			KeyFrameSecondPacket,
			Vp8PayloadDescriptor{ .size             = 6u,
														.extended         = true,
														.hasPictureId     = true,
														.hasLongPictureId = true,
														.pictureId        = 0x2bcd,
														.hasTl0PicIdx     = true,
														.tl0PicIdx        = 42u,
														.hasTid           = true } },
		{ "start of partition 1: no payload header",
			{ 0x91, 0x80, 0x81, 0x00, 0x30 },
			Vp8PayloadDescriptor{ .size             = 4u,
														.extended         = true,
														.startOfPartition = true,
														.partitionIndex   = 1u,
														.hasPictureId     = true,
														.hasLongPictureId = true,
														.pictureId        = 0x0100 } },
		{ "no extension: one byte, key frame too short for its size",
			{ 0x10, 0x30, 0x02, 0x00, 0x9d, 0x01, 0x2a },
			Vp8PayloadDescriptor{ .size = 1u, .startOfPartition = true, .isKeyFrame = true } },
		{ "7-bit PictureID",
			{ 0x90, 0x80, 0x7f, 0xb1 },
			Vp8PayloadDescriptor{ .size             = 3u,
														.extended         = true,
														.startOfPartition = true,
														.hasPictureId     = true,
														.pictureId        = 0x7f } },
		{ "K without T: KEYIDX only",
			{ 0x80, 0x10, 0xdf, 0x00 },
			Vp8PayloadDescriptor{ .size = 3u, .extended = true, .hasKeyIdx = true, .keyIdx = 0x1f } },
		{ "T and K share a byte",
			{ 0x80, 0x30, 0x7e, 0x00 },
			Vp8PayloadDescriptor{ .size      = 3u,
														.extended  = true,
														.hasTid    = true,
														.tid       = 1u,
														.layerSync = true,
														.hasKeyIdx = true,
														.keyIdx    = 0x1e } },
		{ "empty", {}, std::nullopt },
		{ "descriptor only", { 0x10 }, std::nullopt },
		{ "X without extension byte", { 0x90 }, std::nullopt },
		{ "I without PictureID", { 0x90, 0x80 }, std::nullopt },
		{ "M without second PictureID byte", { 0x90, 0x80, 0x80 }, std::nullopt },
		{ "L without TL0PICIDX", { 0x90, 0xc0, 0x12 }, std::nullopt },
		{ "T without its byte", { 0x90, 0x20 }, std::nullopt },
		{ "full descriptor, no VP8 payload", { 0x90, 0xe0, 0xab, 0xcd, 0x2a, 0x00 }, std::nullopt },
	};

	for (const auto& row : rows)
	{
		DYNAMIC_SECTION(row.name)
		{
			const auto parsed = Vp8::Parse(row.payload);

			REQUIRE(parsed.has_value() == row.expected.has_value());
			REQUIRE(Vp8::IsKeyFrame(row.payload) == (row.expected && row.expected->isKeyFrame));

			if (!parsed)
			{
				continue;
			}

			const auto& expected = *row.expected;

			CHECK(parsed->size == expected.size);
			CHECK(parsed->extended == expected.extended);
			CHECK(parsed->nonReference == expected.nonReference);
			CHECK(parsed->startOfPartition == expected.startOfPartition);
			CHECK(parsed->partitionIndex == expected.partitionIndex);
			CHECK(parsed->hasPictureId == expected.hasPictureId);
			CHECK(parsed->hasLongPictureId == expected.hasLongPictureId);
			CHECK(parsed->pictureId == expected.pictureId);
			CHECK(parsed->hasTl0PicIdx == expected.hasTl0PicIdx);
			CHECK(parsed->tl0PicIdx == expected.tl0PicIdx);
			CHECK(parsed->hasTid == expected.hasTid);
			CHECK(parsed->tid == expected.tid);
			CHECK(parsed->layerSync == expected.layerSync);
			CHECK(parsed->hasKeyIdx == expected.hasKeyIdx);
			CHECK(parsed->keyIdx == expected.keyIdx);
			CHECK(parsed->isKeyFrame == expected.isKeyFrame);
			CHECK(parsed->width == expected.width);
			CHECK(parsed->height == expected.height);
		}
	}
}

SCENARIO("Vp8::Parse() on every truncation of real packets", "[Codecs][VP8]")
{
	for (const auto* packet : { &KeyFrame, &DeltaFrame, &KeyFrameSecondPacket })
	{
		for (size_t size = 0u; size <= packet->size(); ++size)
		{
			const auto bytes  = Prefix(*packet, size);
			const auto parsed = Vp8::Parse(bytes);

			INFO("size " << size);

			// The 6-byte descriptor and at least one byte of VP8 data.
			if (size < 7u)
			{
				REQUIRE(!parsed);
				REQUIRE(!Vp8::IsKeyFrame(bytes));
			}
			else
			{
				REQUIRE(parsed);
				REQUIRE(parsed->isKeyFrame == (packet == &KeyFrame));
				// The resolution only when the whole key frame header is there.
				REQUIRE((parsed->width == 32u) == (packet == &KeyFrame && size >= 16u));
			}
		}
	}
}

SCENARIO("Vp8::SetPictureIdAndTl0PicIdx() rewrites in place", "[Codecs][VP8]")
{
	SECTION("15-bit PictureID and TL0PICIDX; the rest untouched; restored")
	{
		auto bytes = KeyFrame;

		REQUIRE(Vp8::SetPictureIdAndTl0PicIdx(bytes, 0x7ffe, 0xff));

		const Bytes expectedHead{ 0x90, 0xe0, 0xff, 0xfe, 0xff, 0x00 };

		REQUIRE(Bytes(bytes.begin(), bytes.begin() + 6) == expectedHead);
		REQUIRE(Bytes(bytes.begin() + 6, bytes.end()) == Bytes(KeyFrame.begin() + 6, KeyFrame.end()));

		const auto parsed = Vp8::Parse(bytes);

		REQUIRE(parsed->pictureId == 0x7ffe);
		REQUIRE(parsed->tl0PicIdx == 0xff);

		REQUIRE(Vp8::SetPictureIdAndTl0PicIdx(bytes, 0x2bcd, 42u));
		REQUIRE(bytes == KeyFrame);
	}

	SECTION("7-bit PictureID keeps its form: M stays 0, low 7 bits written")
	{
		Bytes bytes{ 0x90, 0xc0, 0x05, 0x09, 0xb1 };

		REQUIRE(Vp8::SetPictureIdAndTl0PicIdx(bytes, 0x1234, 0x0a));
		REQUIRE(bytes == Bytes{ 0x90, 0xc0, 0x34, 0x0a, 0xb1 });
	}

	SECTION("fields absent: nothing written")
	{
		Bytes bytes{ 0x90, 0x20, 0x40, 0xb1 };

		REQUIRE(Vp8::SetPictureIdAndTl0PicIdx(bytes, 0x1234, 0x0a));
		REQUIRE(bytes == Bytes{ 0x90, 0x20, 0x40, 0xb1 });
	}

	SECTION("malformed: false, untouched")
	{
		Bytes bytes{ 0x90, 0xc0, 0x85 };

		REQUIRE(!Vp8::SetPictureIdAndTl0PicIdx(bytes, 0x1234, 0x0a));
		REQUIRE(bytes == Bytes{ 0x90, 0xc0, 0x85 });
	}
}

SCENARIO("Vp8::EncodingContext keeps PictureID and TL0PICIDX continuous", "[Codecs][VP8]")
{
	// One forwarded packet: the source's values in, the outgoing ones out.
	struct Row
	{
		const char* note;
		bool switchSource;
		uint16_t pictureId;
		bool longPictureId;
		uint8_t tl0PicIdx;
		uint8_t tid;
		uint16_t expectedPictureId;
		uint8_t expectedTl0PicIdx;
	};

	auto validate = [](Vp8::EncodingContext& context, const std::vector<Row>& rows)
	{
		for (const auto& row : rows)
		{
			INFO(row.note);

			if (row.switchSource)
			{
				context.SyncRequired();
			}

			Vp8PayloadDescriptor descriptor;

			descriptor.hasPictureId     = true;
			descriptor.hasLongPictureId = row.longPictureId;
			descriptor.pictureId        = row.pictureId;
			descriptor.hasTl0PicIdx     = true;
			descriptor.tl0PicIdx        = row.tl0PicIdx;
			descriptor.hasTid           = true;
			descriptor.tid              = row.tid;

			const auto ids = context.Rewrite(descriptor);

			REQUIRE(ids.pictureId == row.expectedPictureId);
			REQUIRE(ids.tl0PicIdx == row.expectedTl0PicIdx);
		}
	};

	SECTION("a source switch mid-way, PictureID wrapping at 0x7FFF")
	{
		Vp8::EncodingContext context;

		validate(
			context,
			{
				// Source A: the first packet sets the outgoing values as they are.
				{ "A key frame", false, 0x7ffc, true, 200, 0, 0x7ffc, 200 },
				{ "A same picture, next packet", false, 0x7ffc, true, 200, 0, 0x7ffc, 200 },
				{ "A TL1", false, 0x7ffd, true, 200, 1, 0x7ffd, 200 },
				{ "A TL0", false, 0x7ffe, true, 201, 0, 0x7ffe, 201 },
				{ "A TL1", false, 0x7fff, true, 201, 1, 0x7fff, 201 },
				{ "A TL0, PictureID wraps", false, 0x0000, true, 202, 0, 0x0000, 202 },
				// Source B (another simulcast layer) from its key frame: the next
				// picture, the next TL0 group.
				{ "B key frame", true, 0x1234, true, 7, 0, 0x0001, 203 },
				{ "B same picture", false, 0x1234, true, 7, 0, 0x0001, 203 },
				{ "B TL2", false, 0x1235, true, 7, 2, 0x0002, 203 },
				{ "B TL1", false, 0x1236, true, 7, 1, 0x0003, 203 },
				{ "B TL0", false, 0x1237, true, 8, 0, 0x0004, 204 },
				// A loss in B stays a gap; a late packet gets its old value.
				{ "B TL0 after a lost picture", false, 0x1239, true, 10, 0, 0x0006, 206 },
				{ "B late packet", false, 0x1238, true, 9, 1, 0x0005, 205 },
				{ "B next", false, 0x123a, true, 10, 1, 0x0007, 206 },
				// Back to A, far ahead by now.
				{ "A key frame again", true, 0x0400, true, 90, 0, 0x0008, 207 },
				{ "A next", false, 0x0401, true, 90, 1, 0x0009, 207 },
			});

		REQUIRE(context.GetHighestPictureId() == 0x0009);
		REQUIRE(context.GetHighestTl0PicIdx() == 207);
	}

	SECTION("a switch right before 0x7FFF wraps the outgoing PictureID")
	{
		Vp8::EncodingContext context;

		validate(
			context,
			{
				{ "A", false, 0x7ffe, true, 255, 0, 0x7ffe, 255 },
				{ "A", false, 0x7fff, true, 255, 1, 0x7fff, 255 },
				{ "B: both wrap", true, 0x0100, true, 17, 0, 0x0000, 0 },
				{ "B", false, 0x0101, true, 18, 0, 0x0001, 1 },
			});
	}

	SECTION("a switch landing on a higher temporal layer keeps the TL0PICIDX")
	{
		Vp8::EncodingContext context;

		validate(
			context,
			{
				{ "A", false, 100, true, 50, 0, 100, 50 },
				{ "B TL1 first", true, 9000, true, 3, 1, 101, 50 },
				{ "B TL0", false, 9001, true, 4, 0, 102, 51 },
			});
	}

	SECTION("7-bit sources are unwrapped into the 15-bit space")
	{
		Vp8::EncodingContext context;

		validate(
			context,
			{
				{ "A 15-bit", false, 0x0300, true, 1, 0, 0x0300, 1 },
				{ "B 7-bit", true, 0x7e, false, 1, 0, 0x0301, 2 },
				{ "B 7-bit", false, 0x7f, false, 2, 0, 0x0302, 3 },
				{ "B 7-bit wraps", false, 0x00, false, 3, 0, 0x0303, 4 },
				{ "B 7-bit late", false, 0x7f, false, 2, 0, 0x0302, 3 },
				{ "B 7-bit", false, 0x01, false, 4, 0, 0x0304, 5 },
			});
	}

	SECTION("RewritePayload() on real packets, then restore")
	{
		Vp8::EncodingContext context;
		auto first = DeltaFrame;

		// Source A: the delta frame as it is.
		REQUIRE(context.RewritePayload(first));
		REQUIRE(first == DeltaFrame);

		// Source B: the key frame becomes the next picture.
		context.SyncRequired();

		auto second         = KeyFrame;
		const auto original = context.RewritePayload(second);

		REQUIRE(original);
		REQUIRE(original->pictureId == 0x2bcd);

		const Bytes expectedHead{ 0x90, 0xe0, 0xab, 0xd1, 0x2b, 0x00 };

		REQUIRE(Bytes(second.begin(), second.begin() + 6) == expectedHead);
		REQUIRE(Vp8::IsKeyFrame(second));

		REQUIRE(Vp8::SetPictureIdAndTl0PicIdx(second, original->pictureId, original->tl0PicIdx));
		REQUIRE(second == KeyFrame);

		// Not VP8: untouched.
		Bytes bad{ 0x90, 0x80 };

		REQUIRE(!context.RewritePayload(bad));
		REQUIRE(bad == Bytes{ 0x90, 0x80 });
	}

	SECTION("a 7-bit packet after the switch is written in its form")
	{
		Vp8::EncodingContext context;
		Bytes a{ 0x90, 0xc0, 0xff, 0xff, 0x05, 0xb1 }; // PictureID 0x7fff, TL0PICIDX 5
		Bytes b{ 0x90, 0xc0, 0x10, 0x30, 0xb1 };       // 7-bit PictureID 0x10, TL0PICIDX 0x30

		REQUIRE(context.RewritePayload(a));
		context.SyncRequired();
		REQUIRE(context.RewritePayload(b));
		// 0x7fff + 1 wraps to 0: its 7 low bits; TL0PICIDX 6.
		REQUIRE(b == Bytes{ 0x90, 0xc0, 0x00, 0x06, 0xb1 });
	}
}
