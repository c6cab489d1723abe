#ifndef MS_RTC_CODECS_H265_HPP
#define MS_RTC_CODECS_H265_HPP

#include "common.hpp"

#include "RTC/Codecs/Tools.hpp"

#include <optional>

namespace RTC::Codecs
{
	// H.265 RTP payloads (RFC 7798 4.4): a single NAL unit, an aggregation
	// packet (AP), a fragmentation unit (FU) or a PACI packet wrapping one of
	// them, told apart by the type in the 2-byte payload header.
	// https://www.rfc-editor.org/rfc/rfc7798#section-4.4
	//
	//  Payload header (the NAL unit header of H.265 7.3.1.2):
	//  +---------------+---------------+
	//  |0|1|2|3|4|5|6|7|0|1|2|3|4|5|6|7|
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  |F|   Type    |  LayerId  | TID |
	//  +-------------+-----------------+
	//
	//  AP (4.4.2), type 48:
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  |    PayloadHdr (Type=48)       |         NALU 1 Size           |
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  |          NALU 1 HDR           |  NALU 1 Data ...              :
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  :                               |         NALU 2 Size ...       |
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	//  FU (4.4.3), type 49:
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  |    PayloadHdr (Type=49)       |   FU header   |  FU payload ...
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//                                  |S|E|  FuType   |
	//                                  +---------------+
	//
	//  PACI (4.4.4), type 50:
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  |    PayloadHdr (Type=50)       |A|   cType   | PHSsize |F0..2|Y|
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  |        Payload Header Extension Structure (PHES) ...          |
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//  |  PACI payload: a single NAL unit, AP or FU of type cType ...  |
	//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// The DONL and DOND fields, present only when sprop-max-don-diff > 0
	// (never in WebRTC), are taken to be absent.
	struct H265PayloadInfo
	{
		// Type in the payload header: 48 (AP), 49 (FU), 50 (PACI) or the type of
		// the single NAL unit.
		uint8_t packetType{ 0u };
		// LayerId and TemporalId (TID - 1) of the payload header.
		uint8_t layerId{ 0u };
		uint8_t temporalId{ 0u };
		// NAL units starting in this payload (see H264PayloadInfo).
		size_t nalUnitCount{ 0u };
		// For FUs: S and E bits and FuType.
		bool isFragment{ false };
		bool fragmentStart{ false };
		bool fragmentEnd{ false };
		uint8_t fragmentType{ 0u };
		// NAL units of these types start in this payload. IRAP: types 16..21
		// (BLA, IDR, CRA).
		bool hasIrap{ false };
		bool hasVps{ false };
		bool hasSps{ false };
		bool hasPps{ false };
		// hasIrap || hasVps || hasSps || hasPps (as for H.264: a sender puts the
		// parameter sets right before the IRAP picture).
		bool isKeyFrame{ false };
	};

	class H265
	{
	public:
		// NAL unit types (H.265 Table 7-1, RFC 7798 4.4).
		enum class NalType : uint8_t
		{
			TRAIL_N    = 0,
			TRAIL_R    = 1,
			BLA_W_LP   = 16,
			BLA_W_RADL = 17,
			BLA_N_LP   = 18,
			IDR_W_RADL = 19,
			IDR_N_LP   = 20,
			CRA_NUT    = 21,
			VPS        = 32,
			SPS        = 33,
			PPS        = 34,
			AUD        = 35,
			AP         = 48,
			FU         = 49,
			PACI       = 50
		};

	public:
		// nullopt when shorter than the payload header, TID is 0 (forbidden),
		// an aggregation unit overflows the payload, is too short for a NAL
		// unit header or is itself an AP/FU/PACI, or a fragment has no data or a
		// bad FuType.
		static std::optional<H265PayloadInfo> Parse(std::span<const uint8_t> payload);
		static bool IsKeyFrame(std::span<const uint8_t> payload);
	};

	static_assert(PayloadParser<H265>);
} // namespace RTC::Codecs

#endif
