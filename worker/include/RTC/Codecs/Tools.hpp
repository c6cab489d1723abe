#ifndef MS_RTC_CODECS_TOOLS_HPP
#define MS_RTC_CODECS_TOOLS_HPP

#include "common.hpp"

#include <concepts>
#include <optional>

namespace RTC::Codecs
{
	// What every video payload parser of this folder offers, all of them
	// reading only the RTP payload (the bytes after the RTP header, extensions
	// and before padding): a full parse returning a value or nullopt for bytes
	// that are not a valid payload, and the cheaper question the forwarding
	// path asks of every packet. Each parser's header checks itself against it
	// with a static_assert.
	template <typename T>
	concept PayloadParser = requires(std::span<const uint8_t> payload)
	{
		{
			T::Parse(payload).has_value()
			} -> std::same_as<bool>;
		{
			T::IsKeyFrame(payload)
			} -> std::same_as<bool>;
	};

	// The codecs whose payloads the worker looks into. Others (PCMU, G722,
	// telephone-event, rtx...) are forwarded without being parsed.
	enum class CodecKind : uint8_t
	{
		UNKNOWN = 0,
		OPUS,
		// Multichannel Opus (Chromium's "multiopus"): several Opus streams in
		// one payload, RFC 6716 Appendix B self-delimited framing.
		MULTIOPUS,
		VP8,
		VP9,
		H264,
		H265,
		AV1
	};

	// "audio/opus", "video/VP8"... compared without regard to case, as MIME
	// types are (RFC 6838 4.2). UNKNOWN for any other.
	CodecKind FromMimeType(std::string_view mimeType);

	// Whether the payload starts a key frame (a point where a decoder can
	// start): see each codec's IsKeyFrame() for its rule. Always false for
	// audio and UNKNOWN, and for payloads that do not parse.
	bool IsKeyFrame(CodecKind kind, std::span<const uint8_t> payload);

	inline bool IsVideo(CodecKind kind)
	{
		return kind == CodecKind::VP8 || kind == CodecKind::VP9 || kind == CodecKind::H264 ||
					 kind == CodecKind::H265 || kind == CodecKind::AV1;
	}
} // namespace RTC::Codecs

#endif
