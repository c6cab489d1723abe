#include "common.hpp"

#include "RTC/IncomingBweFeedback.hpp"
#include "RTC/RTCP/TransportWideCc.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

using namespace RTC;

namespace
{
	constexpr uint64_t T0{ 1000000000u };
	constexpr uint8_t TransportCcId{ 5u };
	constexpr uint8_t AbsSendTimeId{ 4u };
	constexpr uint32_t SenderSsrc{ 1111u };

	// An RTP packet with the transport-wide sequence number and abs-send-time
	// as one-byte extensions (RFC 8285 4.2).
	struct TestPacket
	{
		TestPacket(uint16_t wideSeq, uint32_t absSendTime)
		{
			// Header (SSRC 12345), then the extension block.
			bytes = { 0x90, 96, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x30, 0x39, 0xBE, 0xDE, 0x00, 0x02 };

			const std::array<uint8_t, 8> extensions{
				static_cast<uint8_t>((TransportCcId << 4u) | 1u),
				static_cast<uint8_t>(wideSeq >> 8u),
				static_cast<uint8_t>(wideSeq),
				static_cast<uint8_t>((AbsSendTimeId << 4u) | 2u),
				static_cast<uint8_t>(absSendTime >> 16u),
				static_cast<uint8_t>(absSendTime >> 8u),
				static_cast<uint8_t>(absSendTime),
				0x00,
			};

			bytes.insert(bytes.end(), extensions.begin(), extensions.end());
			// A media-sized payload: the estimate follows the incoming rate.
			bytes.resize(1200u, 0xAA);
		}

		RtpPacket Parse()
		{
			auto packet = RtpPacket::Parse(std::span<uint8_t>(bytes.data(), bytes.size()));

			REQUIRE(packet.has_value());

			RtpHeaderExtensionIds ids;

			ids.transportWideCc01 = TransportCcId;
			ids.absSendTime       = AbsSendTimeId;
			packet->SetExtensionIds(ids);

			return *packet;
		}

		std::vector<uint8_t> bytes;
	};

	// Process() at `nowUs`: the transport-cc packets built and the REMB due.
	struct Output
	{
		std::vector<std::vector<uint8_t>> feedback;
		std::optional<uint64_t> remb;
	};

	Output Process(IncomingBweFeedback& bwe, uint64_t nowUs)
	{
		Output output;

		output.remb = bwe.Process(
			nowUs,
			SenderSsrc,
			[&output](std::span<const uint8_t> packet)
			{ output.feedback.emplace_back(packet.begin(), packet.end()); });

		return output;
	}

	void Receive(IncomingBweFeedback& bwe, BweType type, uint16_t wideSeq, uint64_t arrivalUs)
	{
		TestPacket bytes(wideSeq, static_cast<uint32_t>((arrivalUs * 262144u / 1000000u) & 0xFFFFFFu));

		bwe.ReceivePacket(type, bytes.Parse(), arrivalUs);
	}
} // namespace

TEST_CASE("IncomingBweFeedback sends transport-cc feedback for transport-cc senders only", "[bwe]")
{
	IncomingBweFeedback bwe;

	Receive(bwe, BweType::NONE, 1u, T0);
	REQUIRE_FALSE(bwe.GetNextDeadlineUs().has_value());

	Receive(bwe, BweType::TRANSPORT_CC, 1u, T0);
	Receive(bwe, BweType::TRANSPORT_CC, 2u, T0 + 1000u);

	const auto deadline = bwe.GetNextDeadlineUs();

	REQUIRE(deadline == T0 + TransportCcFeedbackBuilder::FeedbackIntervalUs);
	// Not due yet: nothing.
	REQUIRE(Process(bwe, *deadline - 1u).feedback.empty());

	const auto output = Process(bwe, *deadline);

	REQUIRE(output.feedback.size() == 1u);
	REQUIRE_FALSE(output.remb.has_value());

	const auto feedback = RTCP::TransportWideCc::Parse(output.feedback[0]);

	REQUIRE(feedback.has_value());
	REQUIRE(feedback->GetSenderSsrc() == SenderSsrc);
	REQUIRE(feedback->GetMediaSsrc() == 12345u);
	REQUIRE(feedback->GetBaseSequenceNumber() == 1u);
	REQUIRE(feedback->GetPacketStatusCount() == 2u);
	REQUIRE(bwe.GetFeedbackPacketsSent() == 1u);
	// A transport-cc sender estimates on its side.
	REQUIRE_FALSE(bwe.GetAvailableIncomingBitrate().has_value());
}

TEST_CASE("IncomingBweFeedback announces the cap, repeats it, then lifts it", "[bwe]")
{
	IncomingBweFeedback bwe;

	// Set before the sender shows up: waits for it.
	bwe.SetMaxIncomingBitrate(400000u, T0);
	REQUIRE_FALSE(bwe.GetNextDeadlineUs().has_value());

	Receive(bwe, BweType::TRANSPORT_CC, 1u, T0 + 10u);
	REQUIRE(Process(bwe, T0 + 10u).remb == 400000u);

	// Repeated a second later while the sender sends.
	Receive(bwe, BweType::TRANSPORT_CC, 2u, T0 + 500000u);
	REQUIRE_FALSE(Process(bwe, T0 + 500000u).remb.has_value());
	REQUIRE(Process(bwe, T0 + 10u + IncomingBweFeedback::RembIntervalUs).remb == 400000u);

	// Still there a second later (its last packet is 1.5 s old).
	REQUIRE(Process(bwe, T0 + 10u + 2u * IncomingBweFeedback::RembIntervalUs).remb == 400000u);

	// The sender went quiet: nothing is repeated to it...
	const uint64_t idleUs = T0 + 10u + 3u * IncomingBweFeedback::RembIntervalUs;

	REQUIRE_FALSE(Process(bwe, idleUs).remb.has_value());
	REQUIRE_FALSE(bwe.GetNextDeadlineUs().has_value());

	// ...until it sends again.
	Receive(bwe, BweType::TRANSPORT_CC, 3u, idleUs + 1000u);
	REQUIRE(Process(bwe, idleUs + 1000u).remb == 400000u);

	// Lifted: "unlimited" a few times, then nothing.
	uint64_t nowUs = idleUs + 2000u;

	bwe.SetMaxIncomingBitrate(0u, nowUs);

	for (size_t i = 0u; i < IncomingBweFeedback::UnlimitedRembCount; ++i)
	{
		Receive(bwe, BweType::TRANSPORT_CC, static_cast<uint16_t>(4u + i), nowUs);
		REQUIRE(Process(bwe, nowUs).remb == IncomingBweFeedback::UnlimitedBitrate);

		nowUs += IncomingBweFeedback::RembIntervalUs;
	}

	Receive(bwe, BweType::TRANSPORT_CC, 100u, nowUs);
	REQUIRE_FALSE(Process(bwe, nowUs).remb.has_value());
	REQUIRE(bwe.GetRembsSent() == 4u + IncomingBweFeedback::UnlimitedRembCount);
}

TEST_CASE("IncomingBweFeedback sends a REMB sender its estimate, capped", "[bwe]")
{
	IncomingBweFeedback bwe;
	uint64_t nowUs{ T0 };
	std::vector<uint64_t> rembs;

	// 1200-byte packets at about 1 Mbit/s for two seconds.
	for (uint16_t seq = 0u; seq < 200u; ++seq, nowUs += 10000u)
	{
		Receive(bwe, BweType::REMB, seq, nowUs);

		if (const auto deadline = bwe.GetNextDeadlineUs(); deadline && *deadline <= nowUs)
		{
			const auto output = Process(bwe, nowUs);

			REQUIRE(output.feedback.empty());

			if (output.remb)
			{
				rembs.push_back(*output.remb);
			}
		}
	}

	REQUIRE_FALSE(rembs.empty());
	REQUIRE(bwe.GetAvailableIncomingBitrate().has_value());
	// Never below what arrives (about 960 kbit/s).
	REQUIRE(*bwe.GetAvailableIncomingBitrate() > 900000u);

	// The cap is announced at once and bounds what is reported.
	bwe.SetMaxIncomingBitrate(50000u, nowUs);
	REQUIRE(bwe.GetNextDeadlineUs() == nowUs);
	const auto capped = Process(bwe, nowUs).remb;

	REQUIRE(capped.has_value());
	REQUIRE(*capped == 50000u);
	REQUIRE(bwe.GetAvailableIncomingBitrate() <= 50000u);
}
