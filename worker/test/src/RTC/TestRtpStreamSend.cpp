#include "common.hpp"

#include "RTC/RTCP/Nack.hpp"
#include "RTC/RetransmissionBuffer.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/RtpStreamSend.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <vector>

using RTC::RtpStreamSend;

namespace
{
	constexpr uint32_t Ssrc{ 1111u };
	constexpr uint32_t RtxSsrc{ 2222u };
	// 1000-byte packets every 8 ms: 1 Mbit/s.
	constexpr size_t PacketSize{ 1000u };
	constexpr uint64_t PacketIntervalMs{ 8u };

	RtpStreamSend::Params MakeParams(bool rtx)
	{
		RtpStreamSend::Params params;

		params.ssrc        = Ssrc;
		params.payloadType = 96u;
		params.mimeType    = "video/VP8";
		params.useNack     = true;

		if (rtx)
		{
			params.rtxSsrc        = RtxSsrc;
			params.rtxPayloadType = 97u;
		}

		return params;
	}

	// Sends one media packet.
	void SendMedia(RtpStreamSend& stream, uint16_t seq, uint64_t nowMs, size_t size = PacketSize)
	{
		std::vector<uint8_t> bytes(size, 0x55u);

		bytes[0]  = 0x80u;
		bytes[1]  = 96u;
		bytes[2]  = static_cast<uint8_t>(seq >> 8);
		bytes[3]  = static_cast<uint8_t>(seq);
		bytes[8]  = static_cast<uint8_t>(Ssrc >> 24);
		bytes[9]  = static_cast<uint8_t>(Ssrc >> 16);
		bytes[10] = static_cast<uint8_t>(Ssrc >> 8);
		bytes[11] = static_cast<uint8_t>(Ssrc);

		const auto packet = RTC::RtpPacket::Parse(bytes);

		REQUIRE(packet);

		stream.PacketSent(*packet, nowMs);
	}

	// A Generic NACK naming `count` sequence numbers ending at `last`.
	RTC::RTCP::Nack MakeNack(uint16_t last, size_t count)
	{
		RTC::RTCP::Nack nack;

		nack.SetMediaSsrc(Ssrc);

		for (size_t i = count; i > 0u; --i)
		{
			REQUIRE(nack.AddLostSequenceNumber(static_cast<uint16_t>(last + 1u - i)));
		}

		return nack;
	}
} // namespace

TEST_CASE("RtpStreamSend holds resends to the media bitrate", "[RtpStreamSend]")
{
	const bool rtx = GENERATE(false, true);
	RtpStreamSend stream(MakeParams(rtx));
	uint64_t nowMs{ 100000u };
	uint16_t seq{ 65000u };
	size_t resentBytes{ 0u };
	std::vector<uint16_t> resentSeqs;
	const auto resend = [&](const uint8_t* data, size_t len)
	{
		resentBytes += len;
		// With RTX the original sequence number is the OSN.
		const size_t at = rtx ? 12u : 2u;

		resentSeqs.push_back(static_cast<uint16_t>((data[at] << 8) | data[at + 1u]));

		return true;
	};

	// Two seconds of media, so that its bitrate is known.
	for (uint64_t t = 0u; t < 2000u; t += PacketIntervalMs)
	{
		SendMedia(stream, seq++, nowMs);
		nowMs += PacketIntervalMs;
	}

	SECTION("a genuine loss is repaired at once")
	{
		const auto lostSeq = static_cast<uint16_t>(seq - 10u);

		stream.ReceiveNack(MakeNack(lostSeq, 1u), nowMs, resend);

		REQUIRE(resentSeqs == std::vector<uint16_t>{ lostSeq });
		REQUIRE(resentBytes == PacketSize + (rtx ? 2u : 0u));
		REQUIRE(stream.GetPacketsRetransmitted() == 1u);
		REQUIRE(stream.GetRetransmissionsOverBudget() == 0u);
		REQUIRE(stream.GetRetransmissionsSuppressed() == 0u);

		// The same NACK again at once (an RTT of 0 claimed): suppressed.
		stream.ReceiveNack(MakeNack(lostSeq, 1u), nowMs + 1u, resend);

		REQUIRE(resentSeqs.size() == 1u);
		REQUIRE(stream.GetRetransmissionsSuppressed() == 1u);
	}

	SECTION("a storm of NACKs for 600 packets gets at most the media bitrate")
	{
		// 200 NACKs a second for 5 s, each naming the last 600 packets,
		// while the media goes on at 1 Mbit/s.
		constexpr uint64_t StormMs{ 5000u };
		size_t mediaBytes{ 0u };
		size_t nacks{ 0u };
		uint64_t nextMediaMs{ nowMs };

		for (uint64_t t = 0u; t < StormMs; t += 5u)
		{
			while (nextMediaMs <= nowMs + t)
			{
				SendMedia(stream, seq++, nextMediaMs);
				mediaBytes += PacketSize;
				nextMediaMs += PacketIntervalMs;
			}

			stream.ReceiveNack(MakeNack(static_cast<uint16_t>(seq - 1u), 600u), nowMs + t, resend);
			++nacks;
		}

		// Without limits: 1000 NACKs x 600 packets, 600 MB.
		REQUIRE(nacks == 1000u);
		// The bucket starts full (half a second of the rate), then fills at
		// the media bitrate.
		const double bucketBytes = 1000000.0 / 8.0 * 0.5;

		REQUIRE(
			static_cast<double>(resentBytes) <= static_cast<double>(mediaBytes) * 1.02 + bucketBytes);
		// The budget is used, not starved by the other limits.
		REQUIRE(static_cast<double>(resentBytes) >= static_cast<double>(mediaBytes) * 0.8);
		REQUIRE(stream.GetRetransmissionsOverBudget() > 0u);
		REQUIRE(stream.GetRetransmissionsSuppressed() > 0u);
		REQUIRE(stream.GetPacketsRetransmitted() == resentSeqs.size());

		// No packet went out more than MaxResends times.
		std::map<uint16_t, uint32_t> perSeq;

		for (const auto s : resentSeqs)
		{
			REQUIRE(++perSeq[s] <= RTC::RetransmissionBuffer::MaxResends);
		}
	}

	SECTION("the transport refusing a resend stops the NACK and counts the rest")
	{
		size_t calls{ 0u };

		stream.ReceiveNack(
			MakeNack(static_cast<uint16_t>(seq - 1u), 10u),
			nowMs,
			[&calls](const uint8_t* /*data*/, size_t /*len*/)
			{
				++calls;

				return false;
			});

		REQUIRE(calls == 1u);
		REQUIRE(stream.GetPacketsRetransmitted() == 0u);
		REQUIRE(stream.GetRetransmissionsOverBudget() == 10u);

		// Not counted as resent: asked again, it goes out.
		stream.ReceiveNack(MakeNack(static_cast<uint16_t>(seq - 1u), 10u), nowMs, resend);

		REQUIRE(resentSeqs.size() == 10u);
	}
}

TEST_CASE("RtpStreamSend repairs a key frame of a low-bitrate stream", "[RtpStreamSend]")
{
	RtpStreamSend stream(MakeParams(false));
	uint64_t nowMs{ 100000u };
	uint16_t seq{ 1u };
	size_t resent{ 0u };
	const auto resend = [&resent](const uint8_t* /*data*/, size_t /*len*/)
	{
		++resent;

		return true;
	};

	// 500-byte packets, 5 a second (20 kbit/s) for 2 s, then a key frame of
	// 10 packets sent at once and lost whole: 60 kbit/s over the last second,
	// whose half second (3750 bytes) would hold only 7 of them.
	for (int i = 0; i < 10; ++i)
	{
		SendMedia(stream, seq++, nowMs, 500u);
		nowMs += 200u;
	}

	for (int i = 0; i < 10; ++i)
	{
		SendMedia(stream, seq++, nowMs, 500u);
	}

	stream.ReceiveNack(MakeNack(static_cast<uint16_t>(seq - 1u), 10u), nowMs + 20u, resend);

	// MinRetransmissionBitrate: 6250 bytes.
	REQUIRE(resent == 10u);
	REQUIRE(stream.GetRetransmissionsOverBudget() == 0u);
}
