#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "FBS/transport_generated.h"
#include "RTC/Consumer.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

using RTC::Consumer;

namespace
{
	class NullListener : public Consumer::Listener
	{
	public:
		void OnConsumerSendRtpPacket(Consumer* /*consumer*/, RTC::RtpPacket& /*packet*/) override {}
		bool OnConsumerRetransmitRtpPacket(
			Consumer* /*consumer*/, const uint8_t* /*data*/, size_t /*len*/) override
		{
			return true;
		}
		void OnConsumerKeyFrameRequested(Consumer* /*consumer*/, uint32_t /*mappedSsrc*/) override {}
		void OnConsumerProducerClosed(Consumer* /*consumer*/) override {}
		void OnConsumerNeedsAllocation(Consumer* /*consumer*/) override {}
	};

	// A VP8 consumer as Node asks for it: `encodingCount` encodings for a pipe
	// consumer (one otherwise) of a producer with `producerEncodings` streams.
	std::unique_ptr<Consumer> MakeConsumer(
		RTC::Shared& shared,
		NullListener& listener,
		FBS::Consumer::Type type,
		size_t producerEncodings,
		flatbuffers::FlatBufferBuilder& builder)
	{
		std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpCodecParameters>> codecs;

		codecs.push_back(
			FBS::RtpParameters::CreateRtpCodecParametersDirect(builder, "video/VP8", 101u, 90000u));

		const std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpHeaderExtensionParameters>>
			extensions;
		std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>> encodings;
		std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>> consumable;
		const size_t encodingCount = type == FBS::Consumer::Type::PIPE ? producerEncodings : 1u;

		for (size_t i = 0; i < encodingCount; ++i)
		{
			encodings.push_back(FBS::RtpParameters::CreateRtpEncodingParametersDirect(
				builder, static_cast<uint32_t>(5000u + i)));
		}

		for (size_t i = 0; i < producerEncodings; ++i)
		{
			consumable.push_back(FBS::RtpParameters::CreateRtpEncodingParametersDirect(
				builder,
				static_cast<uint32_t>(9000u + i),
				nullptr,
				flatbuffers::nullopt,
				0,
				flatbuffers::nullopt,
				"L1T3"));
		}

		auto rtcp          = FBS::RtpParameters::CreateRtcpParametersDirect(builder, "cname");
		auto rtpParameters = FBS::RtpParameters::CreateRtpParametersDirect(
			builder, nullptr, &codecs, &extensions, &encodings, rtcp);

		builder.Finish(FBS::Transport::CreateConsumeRequestDirect(
			builder,
			"consumer",
			"producer",
			FBS::RtpParameters::MediaKind::VIDEO,
			rtpParameters,
			type,
			&consumable));

		const auto* request =
			flatbuffers::GetRoot<FBS::Transport::ConsumeRequest>(builder.GetBufferPointer());

		return std::make_unique<Consumer>(&shared, "consumer", &listener, request);
	}
} // namespace

TEST_CASE("Consumer starts with the producer's scores", "[Consumer]")
{
	Channel::ChannelMessageRegistrator registrator;
	RTC::Shared shared;
	NullListener listener;
	flatbuffers::FlatBufferBuilder builder;

	shared.registrator = &registrator;

	SECTION("simple: the producer's stream already scored")
	{
		auto consumer = MakeConsumer(shared, listener, FBS::Consumer::Type::SIMPLE, 1u, builder);

		REQUIRE(consumer->GetProducerScore() == 0u);

		consumer->SetProducerState(false, { 10u });

		REQUIRE(consumer->GetScore() == 10u);
		REQUIRE(consumer->GetProducerScore() == 10u);
		REQUIRE(consumer->GetProducerScores() == std::vector<uint8_t>{ 10u });
	}

	SECTION("simulcast: one score per producer stream")
	{
		auto consumer = MakeConsumer(shared, listener, FBS::Consumer::Type::SIMULCAST, 3u, builder);

		REQUIRE(consumer->GetProducerScores() == std::vector<uint8_t>{ 0u, 0u, 0u });

		consumer->SetProducerState(false, { 10u, 0u, 7u });

		REQUIRE(consumer->GetProducerScores() == std::vector<uint8_t>{ 10u, 0u, 7u });
		// The lowest stream is the one forwarded first.
		REQUIRE(consumer->GetProducerScore() == 10u);
	}

	SECTION("pipe: 10 and 10, with the producer's stream scores")
	{
		auto consumer = MakeConsumer(shared, listener, FBS::Consumer::Type::PIPE, 2u, builder);

		consumer->SetProducerState(false, { 0u, 0u });

		REQUIRE(consumer->GetScore() == 10u);
		REQUIRE(consumer->GetProducerScore() == 10u);
		REQUIRE(consumer->GetProducerScores() == std::vector<uint8_t>{ 0u, 0u });

		consumer->SetProducerState(false, { 0u, 9u });

		REQUIRE(consumer->GetProducerScore() == 10u);
		REQUIRE(consumer->GetProducerScores() == std::vector<uint8_t>{ 0u, 9u });
	}

	SECTION("scores of another size (a stale producer) are ignored")
	{
		auto consumer = MakeConsumer(shared, listener, FBS::Consumer::Type::SIMPLE, 1u, builder);

		consumer->SetProducerState(false, { 10u, 10u });

		REQUIRE(consumer->GetProducerScores() == std::vector<uint8_t>{ 0u });
	}
}

TEST_CASE("Consumer encodings carry the codec payload type", "[Consumer]")
{
	Channel::ChannelMessageRegistrator registrator;
	RTC::Shared shared;
	NullListener listener;
	flatbuffers::FlatBufferBuilder builder;

	shared.registrator = &registrator;

	auto consumer = MakeConsumer(shared, listener, FBS::Consumer::Type::PIPE, 2u, builder);

	for (const auto& encoding : consumer->GetRtpParameters().encodings)
	{
		REQUIRE(encoding.codecPayloadType == std::optional<uint8_t>(101u));
	}
}
