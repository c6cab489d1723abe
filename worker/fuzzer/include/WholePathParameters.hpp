#ifndef MS_FUZZER_WHOLE_PATH_PARAMETERS_HPP
#define MS_FUZZER_WHOLE_PATH_PARAMETERS_HPP

// The whole-path fuzzer's media: the SSRCs and payload types of its producer
// and consumers, and the FlatBuffers pieces of the requests that create them
// (as Node builds them).

#include "common.hpp"

#include "FBS/request_generated.h"

#include <array>
#include <optional>
#include <vector>

namespace WholePath
{
	// SSRCs the producer and the consumers know (and two nobody knows), picked
	// by index so that fuzzed packets reach real streams.
	constexpr std::array<uint32_t, 3> ProducerSsrcs{ 11110000u, 22220000u, 33330000u };
	constexpr std::array<uint32_t, 3> ProducerRtxSsrcs{ 11110001u, 22220001u, 33330001u };
	constexpr std::array<uint32_t, 3> MappedSsrcs{ 900001u, 900002u, 900003u };
	constexpr uint32_t SimpleSsrc{ 500001u };
	constexpr uint32_t SimpleRtxSsrc{ 500002u };
	constexpr uint32_t SimulcastSsrc{ 600001u };
	constexpr uint32_t SimulcastRtxSsrc{ 600002u };
	constexpr std::array<uint32_t, 16> KnownSsrcs{ ProducerSsrcs[0],
																								 ProducerSsrcs[1],
																								 ProducerSsrcs[2],
																								 ProducerRtxSsrcs[0],
																								 ProducerRtxSsrcs[1],
																								 ProducerRtxSsrcs[2],
																								 MappedSsrcs[0],
																								 MappedSsrcs[1],
																								 MappedSsrcs[2],
																								 SimpleSsrc,
																								 SimpleRtxSsrc,
																								 SimulcastSsrc,
																								 SimulcastRtxSsrc,
																								 0u,
																								 1234u,
																								 0xFFFFFFFFu };
	constexpr uint8_t VideoPayloadType{ 101u };
	constexpr uint8_t RtxPayloadType{ 102u };

	inline flatbuffers::Offset<FBS::Transport::ListenInfo>
	ListenOnLoopback(flatbuffers::FlatBufferBuilder& b)
	{
		return FBS::Transport::CreateListenInfoDirect(
			b,
			FBS::Transport::Protocol::UDP,
			"127.0.0.1",
			nullptr,
			false,
			0u,
			FBS::Transport::CreatePortRange(b, 0u, 0u),
			FBS::Transport::CreateSocketFlags(b, false, false));
	}

	inline flatbuffers::Offset<FBS::Transport::Options> BaseOptions(flatbuffers::FlatBufferBuilder& b)
	{
		return FBS::Transport::CreateOptions(b);
	}

	// VP8 with RTX, NACK, PLI, FIR and transport-cc, and the header extensions
	// the worker reads.
	inline flatbuffers::Offset<FBS::RtpParameters::RtpParameters> VideoRtpParameters(
		flatbuffers::FlatBufferBuilder& b,
		const char* mid,
		std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>> encodings)
	{
		using namespace FBS::RtpParameters;

		std::vector<flatbuffers::Offset<RtcpFeedback>> feedback{
			CreateRtcpFeedbackDirect(b, "nack"),         CreateRtcpFeedbackDirect(b, "nack", "pli"),
			CreateRtcpFeedbackDirect(b, "ccm", "fir"),   CreateRtcpFeedbackDirect(b, "goog-remb"),
			CreateRtcpFeedbackDirect(b, "transport-cc"),
		};
		std::vector<flatbuffers::Offset<Parameter>> rtxParameters{ CreateParameterDirect(
			b, "apt", nullptr, static_cast<double>(VideoPayloadType)) };
		std::vector<flatbuffers::Offset<RtpCodecParameters>> codecs{
			CreateRtpCodecParametersDirect(
				b, "video/VP8", VideoPayloadType, 90000u, flatbuffers::nullopt, nullptr, &feedback),
			CreateRtpCodecParametersDirect(
				b, "video/rtx", RtxPayloadType, 90000u, flatbuffers::nullopt, &rtxParameters, nullptr),
		};
		const std::array<std::pair<const char*, uint8_t>, 8> uris{ {
			{ "urn:ietf:params:rtp-hdrext:sdes:mid", 1u },
			{ "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", 2u },
			{ "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", 3u },
			{ "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", 4u },
			{ "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", 5u },
			{ "urn:3gpp:video-orientation", 6u },
			{ "urn:ietf:params:rtp-hdrext:toffset", 7u },
			{ "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay", 8u },
		} };
		std::vector<flatbuffers::Offset<RtpHeaderExtensionParameters>> extensions;

		for (const auto& [uri, id] : uris)
		{
			extensions.push_back(CreateRtpHeaderExtensionParametersDirect(b, uri, id));
		}

		return CreateRtpParametersDirect(
			b, mid, &codecs, &extensions, &encodings, CreateRtcpParametersDirect(b, "fuzzer", true));
	}

	inline flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters> Encoding(
		flatbuffers::FlatBufferBuilder& b,
		uint32_t ssrc,
		std::optional<uint32_t> rtxSsrc,
		const char* rid             = nullptr,
		const char* scalabilityMode = nullptr)
	{
		return FBS::RtpParameters::CreateRtpEncodingParametersDirect(
			b,
			ssrc,
			rid,
			flatbuffers::nullopt,
			rtxSsrc ? FBS::RtpParameters::CreateRtx(b, *rtxSsrc) : 0,
			flatbuffers::nullopt,
			scalabilityMode);
	}

	// The three simulcast encodings as the producer offers them to consumers.
	inline std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>>
	ConsumableEncodings(flatbuffers::FlatBufferBuilder& b, size_t count)
	{
		std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>> encodings;

		for (size_t i = 0u; i < count; ++i)
		{
			encodings.push_back(Encoding(b, MappedSsrcs[i], std::nullopt, nullptr, "L1T3"));
		}

		return encodings;
	}
} // namespace WholePath

#endif
