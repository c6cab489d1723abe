#include "common.hpp"

#include "MediaSoupErrors.hpp"
#include "RTC/RtpParameters.hpp"

#include <catch2/catch.hpp>

using RTC::RtpParameters;

namespace
{
	RtpParameters::Codec MakeCodec(const std::string& mimeType, uint8_t payloadType)
	{
		RtpParameters::Codec codec;

		codec.mimeType    = mimeType;
		codec.payloadType = payloadType;
		codec.clockRate   = 90000u;

		return codec;
	}

	RtpParameters::Codec MakeRtx(uint8_t payloadType, uint8_t apt)
	{
		auto codec = MakeCodec("video/rtx", payloadType);

		codec.parameters.push_back({ "apt", std::nullopt, static_cast<double>(apt) });

		return codec;
	}

	// VP8 (96) with RTX (97), then H264 (98) with RTX (99): RTX listed first,
	// as nothing says the media codec must lead.
	RtpParameters TwoCodecs()
	{
		RtpParameters parameters;

		parameters.codecs.push_back(MakeRtx(97u, 96u));
		parameters.codecs.push_back(MakeCodec("video/VP8", 96u));
		parameters.codecs.push_back(MakeCodec("video/H264", 98u));
		parameters.codecs.push_back(MakeRtx(99u, 98u));

		return parameters;
	}
} // namespace

TEST_CASE("RtpParameters finds the codec an encoding uses", "[RtpParameters]")
{
	const auto parameters = TwoCodecs();
	RtpParameters::Encoding encoding;

	SECTION("no codecPayloadType: the first media codec, RTX skipped")
	{
		const auto* codec = parameters.GetCodecForEncoding(encoding);

		REQUIRE(codec != nullptr);
		REQUIRE(codec->payloadType == 96u);
	}

	SECTION("the codec its codecPayloadType names")
	{
		encoding.codecPayloadType = 98u;

		const auto* codec = parameters.GetCodecForEncoding(encoding);

		REQUIRE(codec != nullptr);
		REQUIRE(codec->mimeType == "video/H264");
	}

	SECTION("an RTX or unknown payload type names no media codec")
	{
		encoding.codecPayloadType = 97u;

		REQUIRE(parameters.GetCodecForEncoding(encoding) == nullptr);

		encoding.codecPayloadType = 100u;

		REQUIRE(parameters.GetCodecForEncoding(encoding) == nullptr);
	}

	SECTION("the RTX codec of each media codec")
	{
		REQUIRE(parameters.GetRtxCodecFor(96u)->payloadType == 97u);
		REQUIRE(parameters.GetRtxCodecFor(98u)->payloadType == 99u);
		REQUIRE(parameters.GetRtxCodecFor(100u) == nullptr);
	}
}

TEST_CASE("RtpParameters resolves the codec of every encoding", "[RtpParameters]")
{
	auto parameters = TwoCodecs();

	SECTION("given or defaulted, each encoding ends with its payload type")
	{
		parameters.encodings.resize(3u);
		parameters.encodings[1].codecPayloadType = 98u;
		parameters.encodings[2].rtxSsrc          = 1234u;

		parameters.ResolveEncodingCodecs();

		REQUIRE(parameters.encodings[0].codecPayloadType == std::optional<uint8_t>(96u));
		REQUIRE(parameters.encodings[1].codecPayloadType == std::optional<uint8_t>(98u));
		REQUIRE(parameters.encodings[2].codecPayloadType == std::optional<uint8_t>(96u));
		// Nothing else changes.
		REQUIRE(parameters.encodings[2].rtxSsrc == std::optional<uint32_t>(1234u));
	}

	SECTION("a payload type that is not a media codec is a TypeError")
	{
		parameters.encodings.resize(2u);
		parameters.encodings[1].codecPayloadType = 99u;

		REQUIRE_THROWS_AS(parameters.ResolveEncodingCodecs(), MediaSoupTypeError);
	}

	SECTION("only RTX codecs is a TypeError")
	{
		parameters.codecs = { MakeRtx(97u, 96u) };
		parameters.encodings.resize(1u);

		REQUIRE_THROWS_AS(parameters.ResolveEncodingCodecs(), MediaSoupTypeError);
	}
}

TEST_CASE("RtpParameters from the channel carry the resolved codecs", "[RtpParameters]")
{
	flatbuffers::FlatBufferBuilder builder;
	std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpCodecParameters>> codecs;

	codecs.push_back(
		FBS::RtpParameters::CreateRtpCodecParametersDirect(builder, "audio/opus", 100u, 48000u, 2u));

	std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpHeaderExtensionParameters>> extensions;
	std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>> encodings;

	encodings.push_back(FBS::RtpParameters::CreateRtpEncodingParametersDirect(builder, 1111u));

	auto rtcp = FBS::RtpParameters::CreateRtcpParametersDirect(builder, "cname");

	builder.Finish(FBS::RtpParameters::CreateRtpParametersDirect(
		builder, nullptr, &codecs, &extensions, &encodings, rtcp));

	const auto parameters = RtpParameters::FromFbs(
		flatbuffers::GetRoot<FBS::RtpParameters::RtpParameters>(builder.GetBufferPointer()));

	REQUIRE(parameters.encodings.size() == 1u);
	REQUIRE(parameters.encodings[0].ssrc == std::optional<uint32_t>(1111u));
	REQUIRE(parameters.encodings[0].codecPayloadType == std::optional<uint8_t>(100u));
}
