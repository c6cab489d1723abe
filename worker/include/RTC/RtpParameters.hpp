#ifndef MS_RTC_RTP_PARAMETERS_HPP
#define MS_RTC_RTP_PARAMETERS_HPP

#include "common.hpp"

#include "FBS/rtpParameters_generated.h"

#include <optional>
#include <vector>

namespace RTC
{
	enum class MediaKind : uint8_t
	{
		AUDIO = 0,
		VIDEO
	};

	// RTP parameters of a Producer or Consumer, as the channel carries them
	// (validated and normalised by ortc.ts; the worker re-checks what it relies
	// on). Codec and extension parameters are kept as received, for dumps.
	struct RtpParameters
	{
		struct Parameter
		{
			std::string name;
			std::optional<std::string> stringValue;
			std::optional<double> numberValue;
		};

		struct RtcpFeedback
		{
			std::string type;
			std::string parameter;
		};

		struct Codec
		{
			std::string mimeType;
			uint8_t payloadType{ 0u };
			uint32_t clockRate{ 0u };
			std::optional<uint8_t> channels;
			std::vector<Parameter> parameters;
			std::vector<RtcpFeedback> rtcpFeedback;

			bool IsRtx() const;
			// The "apt" parameter of an RTX codec.
			std::optional<uint8_t> GetApt() const;
		};

		struct HeaderExtension
		{
			std::string uri;
			uint8_t id{ 0u };
			bool encrypt{ false };
			std::vector<Parameter> parameters;
		};

		struct Encoding
		{
			std::optional<uint32_t> ssrc;
			std::string rid;
			std::optional<uint8_t> codecPayloadType;
			std::optional<uint32_t> rtxSsrc;
			std::optional<bool> dtx;
			std::string scalabilityMode;
			std::optional<uint32_t> maxBitrate;
		};

		std::string mid;
		std::vector<Codec> codecs;
		std::vector<HeaderExtension> headerExtensions;
		std::vector<Encoding> encodings;
		std::string cname;
		bool reducedSize{ true };
		std::string msid;

		// Throws MediaSoupTypeError when something the worker relies on is
		// missing (no codecs, no encodings).
		static RtpParameters FromFbs(const FBS::RtpParameters::RtpParameters* data);
		static Encoding EncodingFromFbs(const FBS::RtpParameters::RtpEncodingParameters* data);
		flatbuffers::Offset<FBS::RtpParameters::RtpParameters>
		FillBuffer(flatbuffers::FlatBufferBuilder& builder) const;
		static flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>
		FillBufferEncoding(flatbuffers::FlatBufferBuilder& builder, const Encoding& encoding);

		const Codec* GetCodecByPayloadType(uint8_t payloadType) const;
		// The media codec an encoding uses: the one its codecPayloadType names,
		// else the first media codec (nullptr if there is no such codec).
		const Codec* GetCodecForEncoding(const Encoding& encoding) const;
		// The RTX codec whose apt is this media payload type (nullptr if none).
		const Codec* GetRtxCodecFor(uint8_t payloadType) const;
		// Writes into each encoding the payload type of the media codec it uses,
		// as dumps show it. Throws MediaSoupTypeError when an encoding names no
		// media codec of the list (or there is none).
		void ResolveEncodingCodecs();
		// The negotiated id of a header extension URI (0 if absent).
		uint8_t GetHeaderExtensionId(std::string_view uri) const;
	};

	std::string_view MediaKindToString(MediaKind kind);
} // namespace RTC

#endif
