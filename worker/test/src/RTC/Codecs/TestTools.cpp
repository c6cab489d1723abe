#include "common.hpp"

#include "RTC/Codecs/Tools.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::Codecs::CodecKind;

SCENARIO("Codecs::FromMimeType() ignores case", "[Codecs]")
{
	struct Row
	{
		std::string_view mimeType;
		CodecKind kind;
	};

	const std::vector<Row> rows{
		{ "audio/opus", CodecKind::OPUS },
		{ "audio/OPUS", CodecKind::OPUS },
		{ "Audio/Opus", CodecKind::OPUS },
		{ "audio/multiopus", CodecKind::MULTIOPUS },
		{ "audio/MultiOpus", CodecKind::MULTIOPUS },
		{ "video/VP8", CodecKind::VP8 },
		{ "video/vp8", CodecKind::VP8 },
		{ "VIDEO/VP9", CodecKind::VP9 },
		{ "video/H264", CodecKind::H264 },
		{ "video/h264", CodecKind::H264 },
		{ "video/H265", CodecKind::H265 },
		{ "video/AV1", CodecKind::AV1 },
		{ "video/av1", CodecKind::AV1 },
		// Not parsed.
		{ "audio/PCMU", CodecKind::UNKNOWN },
		{ "video/rtx", CodecKind::UNKNOWN },
		{ "audio/telephone-event", CodecKind::UNKNOWN },
		// Kind and subtype must both match, exactly.
		{ "audio/VP8", CodecKind::UNKNOWN },
		{ "video/opus", CodecKind::UNKNOWN },
		{ "video/VP8 ", CodecKind::UNKNOWN },
		{ "video/VP80", CodecKind::UNKNOWN },
		{ "VP8", CodecKind::UNKNOWN },
		{ "", CodecKind::UNKNOWN },
	};

	for (const auto& row : rows)
	{
		INFO(row.mimeType);
		REQUIRE(RTC::Codecs::FromMimeType(row.mimeType) == row.kind);
	}

	REQUIRE(RTC::Codecs::IsVideo(CodecKind::VP8));
	REQUIRE(RTC::Codecs::IsVideo(CodecKind::AV1));
	REQUIRE(!RTC::Codecs::IsVideo(CodecKind::OPUS));
	REQUIRE(!RTC::Codecs::IsVideo(CodecKind::UNKNOWN));
}

SCENARIO("Codecs::IsKeyFrame() dispatches on the codec", "[Codecs]")
{
	using Bytes = std::vector<uint8_t>;

	struct Row
	{
		const char* name;
		CodecKind kind;
		Bytes payload;
		bool keyFrame;
	};

	// Key frames of one codec read as another, and audio, are not key frames.
	const Bytes vp8Key{ 0x90, 0x80, 0x01, 0x30, 0x02, 0x00 };
	const Bytes vp9Key{ 0x8c, 0x01, 0x82 };
	const Bytes h264Idr{ 0x65, 0x88, 0x84 };
	const Bytes h265Idr{ 0x26, 0x01, 0xac }; // IDR_W_RADL
	const Bytes av1Key{ 0x28, 0x02, 0x08, 0x00, 0x30, 0x10 };

	const std::vector<Row> rows{
		{ "VP8 key frame", CodecKind::VP8, vp8Key, true },
		{ "VP9 key frame", CodecKind::VP9, vp9Key, true },
		{ "H264 IDR", CodecKind::H264, h264Idr, true },
		{ "H265 IDR", CodecKind::H265, h265Idr, true },
		{ "AV1 key frame", CodecKind::AV1, av1Key, true },
		{ "H264 IDR bytes as H265: TID 0", CodecKind::H265, { 0x65, 0x00, 0x84 }, false },
		{ "H265 IDR bytes as H264: an SEI", CodecKind::H264, h265Idr, false },
		{ "VP8 delta", CodecKind::VP8, { 0x90, 0x80, 0x01, 0x31 }, false },
		{ "Opus", CodecKind::OPUS, { 0x68, 0x01 }, false },
		{ "multiopus", CodecKind::MULTIOPUS, { 0x68, 0x01 }, false },
		{ "unknown", CodecKind::UNKNOWN, vp8Key, false },
		{ "empty VP8", CodecKind::VP8, {}, false },
		{ "empty AV1", CodecKind::AV1, {}, false },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);
		REQUIRE(RTC::Codecs::IsKeyFrame(row.kind, row.payload) == row.keyFrame);
	}
}
