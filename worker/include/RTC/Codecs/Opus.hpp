#ifndef MS_RTC_CODECS_OPUS_HPP
#define MS_RTC_CODECS_OPUS_HPP

#include "common.hpp"

#include <array>
#include <optional>

namespace RTC::Codecs
{
	// An Opus packet (RFC 6716 3.1-3.4; the RTP payload is exactly one, RFC
	// 7587 4.2): a TOC byte, then one frame (code 0), two of equal size (code
	// 1), two of different sizes (code 2, the first one's length coded), or up
	// to 48 frames (code 3, with a frame count byte, optional padding and, in
	// VBR, the lengths of all frames but the last).
	// https://www.rfc-editor.org/rfc/rfc6716#section-3.1
	//
	//  TOC byte:              Code 3 frame count byte (3.2.5):
	//   0 1 2 3 4 5 6 7        0 1 2 3 4 5 6 7
	//  +-+-+-+-+-+-+-+-+      +-+-+-+-+-+-+-+-+
	//  | config  |s| c |      |v|p|     M     |   v: VBR, p: padding follows,
	//  +-+-+-+-+-+-+-+-+      +-+-+-+-+-+-+-+-+   M: frame count
	//
	// A frame length (3.2.1) is one byte (0..251) or two (252..255, then
	// length = 4 * second + first). A 0-byte frame is DTX or a lost frame.
	struct OpusPacketInfo
	{
		// At most 120 ms of 2.5 ms frames.
		static constexpr size_t MaxFrames{ 48u };

		enum class Mode : uint8_t
		{
			SILK,
			HYBRID,
			CELT
		};

		enum class Bandwidth : uint8_t
		{
			NARROWBAND,
			MEDIUMBAND,
			WIDEBAND,
			SUPERWIDEBAND,
			FULLBAND
		};

		// TOC fields.
		uint8_t config{ 0u };
		Mode mode{ Mode::SILK };
		Bandwidth bandwidth{ Bandwidth::NARROWBAND };
		bool stereo{ false };
		uint8_t code{ 0u };
		// Code 2, or code 3 with v = 1.
		bool vbr{ false };
		// Code 3 padding bytes (not counting the bytes coding their count).
		size_t paddingSize{ 0u };
		uint8_t frameCount{ 0u };
		// Durations in samples at 48 kHz (the RTP clock rate of Opus): 120 is
		// 2.5 ms.
		uint32_t samplesPerFrame{ 0u };
		uint32_t samples{ 0u };
		// The first frameCount entries are valid.
		std::array<uint16_t, MaxFrames> frameSizes{};
	};

	class Opus
	{
	public:
		// RFC 6716 3.4 R2.
		static constexpr size_t MaxFrameSize{ 1275u };
		// RFC 6716 3.4 R5: 120 ms at 48 kHz.
		static constexpr uint32_t MaxPacketSamples{ 5760u };

	public:
		// Samples per frame at 48 kHz for a TOC byte.
		static uint32_t GetSamplesPerFrame(uint8_t toc);
		// nullopt when the packet breaks one of the rules of RFC 6716 3.4
		// (R1-R7): empty, a frame over 1275 bytes, code 1 with an odd length,
		// code 2 or 3 lengths not fitting, code 3 with no frame or over 120 ms.
		static std::optional<OpusPacketInfo> Parse(std::span<const uint8_t> payload);
		// Whether this is what a sender transmits while in discontinuous
		// transmission: a payload of 1 or 2 bytes. libopus with DTX on sends
		// the TOC byte alone while the input is silent (a code 0 packet whose
		// frame is 0 bytes, seen with libopus 1.3.1), and libwebrtc's encoder
		// wrapper counts any packet of 2 bytes or less as not speech. An empty
		// payload is not Opus at all: false. For single-stream Opus only (a
		// multiopus payload holds one packet per stream).
		static bool IsDtx(std::span<const uint8_t> payload)
		{
			return !payload.empty() && payload.size() <= 2u;
		}
	};
} // namespace RTC::Codecs

#endif
