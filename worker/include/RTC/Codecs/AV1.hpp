#ifndef MS_RTC_CODECS_AV1_HPP
#define MS_RTC_CODECS_AV1_HPP

#include "common.hpp"

#include "RTC/Codecs/Tools.hpp"

#include <optional>

namespace RTC::Codecs
{
	// The AV1 RTP payload (RTP Payload Format For AV1, v1.0.0, sections 4.4
	// and 4.5): an aggregation header, then OBU elements, each but the last
	// (or, when W = 0, each) preceded by its LEB128 length.
	// https://aomediacodec.github.io/av1-rtp-spec/#44-av1-aggregation-header
	//
	//  0 1 2 3 4 5 6 7
	// +-+-+-+-+-+-+-+-+
	// |Z|Y| W |N|-|-|-|   Z: the first element continues an OBU of the
	// +-+-+-+-+-+-+-+-+      previous packet; Y: the last one goes on in the
	//                        next packet; W: element count (0: any, all with
	//                        lengths); N: first packet of a coded video sequence
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |Z|Y|1 0|N|-|-|-|  OBU element 1 size (leb128)  |               |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               |
	// :                      OBU element 1 data                       :
	// |                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                               |                               |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
	// :                      OBU element 2 data (to the end)          :
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// Each element that starts an OBU begins with its header (AV1 5.3.2):
	//
	// +-+-+-+-+-+-+-+-+
	// |0| type  |X|S|-|   X: extension byte follows; S: obu_size follows
	// +-+-+-+-+-+-+-+-+
	// | TID |SID|-|-|-|   (when X = 1)
	// +-+-+-+-+-+-+-+-+
	struct Av1PayloadInfo
	{
		// Z, Y, W and N of the aggregation header.
		bool continuesObu{ false };
		bool obuContinues{ false };
		uint8_t elementCountField{ 0u };
		bool newCodedVideoSequence{ false };
		// OBU elements in the payload.
		size_t elementCount{ 0u };
		// An OBU_SEQUENCE_HEADER starts in this payload.
		bool hasSequenceHeader{ false };
		// From the first OBU starting here that has an extension header.
		bool hasLayerIds{ false };
		uint8_t temporalId{ 0u };
		uint8_t spatialId{ 0u };
		// N = 1, Z = 0 and a sequence header present: a coded video sequence,
		// which starts with a key frame, begins here.
		bool isKeyFrame{ false };
	};

	class Av1
	{
	public:
		// OBU types (AV1 6.2.2).
		enum class ObuType : uint8_t
		{
			SEQUENCE_HEADER        = 1,
			TEMPORAL_DELIMITER     = 2,
			FRAME_HEADER           = 3,
			TILE_GROUP             = 4,
			METADATA               = 5,
			FRAME                  = 6,
			REDUNDANT_FRAME_HEADER = 7,
			TILE_LIST              = 8,
			PADDING                = 15
		};

	public:
		// nullopt when there is no OBU element, a length is malformed (over 8
		// bytes) or overflows the payload, an element is empty, there are fewer
		// elements than W says, or an OBU header has its forbidden bit set or
		// lacks its extension byte.
		static std::optional<Av1PayloadInfo> Parse(std::span<const uint8_t> payload);
		static bool IsKeyFrame(std::span<const uint8_t> payload);
	};

	static_assert(PayloadParser<Av1>);
} // namespace RTC::Codecs

#endif
