#ifndef MS_RTC_CODECS_H264_HPP
#define MS_RTC_CODECS_H264_HPP

#include "common.hpp"

#include "RTC/Codecs/Tools.hpp"

#include <optional>

namespace RTC::Codecs
{
	// H.264 RTP payloads (RFC 6184 5.2-5.8): a single NAL unit, an aggregation
	// packet or a fragmentation unit, told apart by the type of the first byte.
	// https://www.rfc-editor.org/rfc/rfc6184#section-5.3
	//
	//  NAL unit header:        STAP-A (5.7.1), type 24:
	//  +---------------+       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  |0|1|2|3|4|5|6|7|       |STAP-A NAL HDR |         NALU 1 Size           |
	//  +-+-+-+-+-+-+-+-+       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  |F|NRI|  Type   |       | NALU 1 HDR    |  NALU 1 Data ...              :
	//  +---------------+       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//                          :               |         NALU 2 Size           |
	//                          +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//                          | NALU 2 HDR    |  NALU 2 Data ...              :
	//                          +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	//  FU-A (5.8), type 28:
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  | FU indicator  |   FU header   |  FU payload   :
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  |F|NRI|  Type   |S|E|R|  Type   |
	//  +---------------+---------------+
	//
	// STAP-B (25) and FU-B (29) are the same with a 16-bit DON after the STAP
	// header / FU header (FU-B only starts a fragmented NAL unit). MTAP16 and
	// MTAP24 (26, 27), of the interleaved mode nobody negotiates in WebRTC, are
	// recognised but not walked.
	struct H264PayloadInfo
	{
		// Type of the payload's first byte: 1..23 (single NAL unit), 24..29.
		uint8_t packetType{ 0u };
		// NRI of the payload's first byte.
		uint8_t nri{ 0u };
		// NAL units starting in this payload: 1 for a single NAL unit or the
		// first fragment, 0 for other fragments, the count in an aggregate.
		size_t nalUnitCount{ 0u };
		// For FU-A/FU-B: S and E bits and the fragmented NAL unit's type.
		bool isFragment{ false };
		bool fragmentStart{ false };
		bool fragmentEnd{ false };
		uint8_t fragmentType{ 0u };
		// NAL units of these types start in this payload.
		bool hasIdr{ false };
		bool hasSps{ false };
		bool hasPps{ false };
		// hasIdr || hasSps || hasPps: what a decoder needs to start, or the
		// parameter sets a sender puts right before it, which is where a
		// forwarder switching to this stream must begin.
		bool isKeyFrame{ false };
	};

	class H264
	{
	public:
		// NAL unit types (H.264 Table 7-1, RFC 6184 Table 1).
		enum class NalType : uint8_t
		{
			SLICE  = 1,
			IDR    = 5,
			SEI    = 6,
			SPS    = 7,
			PPS    = 8,
			AUD    = 9,
			STAP_A = 24,
			STAP_B = 25,
			MTAP16 = 26,
			MTAP24 = 27,
			FU_A   = 28,
			FU_B   = 29
		};

	public:
		// nullopt for an empty payload, type 0, 30 or 31, an aggregation unit
		// that overflows the payload, is empty or is itself an aggregate or
		// fragment, and a fragment with no data or a bad type.
		static std::optional<H264PayloadInfo> Parse(std::span<const uint8_t> payload);
		static bool IsKeyFrame(std::span<const uint8_t> payload);
	};

	static_assert(PayloadParser<H264>);
} // namespace RTC::Codecs

#endif
