#include "common.hpp"

#include "RTC/RTCP/TransportWideCc.hpp"
#include "RTC/TransportCcFeedbackBuilder.hpp"
#include "RTC/TransportCcSendHistory.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <random>
#include <vector>

using RTC::TransportCcFeedbackBuilder;
using RTC::TransportCcSendHistory;
using RTC::RTCP::TransportWideCc;
using PacketResult = TransportCcSendHistory::PacketResult;
using Packets      = std::vector<std::vector<uint8_t>>;

namespace
{
	constexpr size_t Mtu{ 1200u };
	// The sender's clock starts here; the receiver's is elsewhere.
	constexpr uint64_t SenderT0{ 1000000000u };
	constexpr uint64_t ReceiverOffsetUs{ 777777777u };

	// What the receiver saw: arrival time in the receiver's clock, or lost.
	struct Sent
	{
		uint16_t seq;
		uint64_t sendUs;
		std::optional<uint64_t> arrivalUs;
	};

	// Arrivals in 250 us units, as the feedback carries them.
	int64_t Units(uint64_t arrivalUs)
	{
		return static_cast<int64_t>(arrivalUs / 250u);
	}

	// Builds the receiver's feedback for what has arrived.
	Packets Build(TransportCcFeedbackBuilder& builder, uint64_t receiverNowUs)
	{
		Packets packets;

		builder.BuildFeedback(
			receiverNowUs,
			1u,
			2u,
			Mtu,
			[&packets](std::span<const uint8_t> packet)
			{ packets.emplace_back(packet.begin(), packet.end()); });

		return packets;
	}

	struct Read
	{
		std::vector<PacketResult> results;
		size_t resets{ 0u };
	};

	// Parses each feedback packet and hands it to the history at `nowUs`.
	Read Deliver(TransportCcSendHistory& history, const Packets& packets, uint64_t nowUs)
	{
		Read read;

		for (const auto& bytes : packets)
		{
			const auto feedback = TransportWideCc::Parse(bytes);

			REQUIRE(feedback.has_value());

			const auto& result = history.ReceiveFeedback(*feedback, nowUs);

			REQUIRE(
				result.packets.size() == result.receivedCount + result.lostCount + result.recoveredCount);

			for (size_t i = 1u; i < result.packets.size(); ++i)
			{
				REQUIRE(result.packets[i].extendedSeq > result.packets[i - 1u].extendedSeq);
			}

			read.results.insert(read.results.end(), result.packets.begin(), result.packets.end());
			read.resets += result.arrivalClockReset ? 1u : 0u;
		}

		return read;
	}

	// Sends `count` packets of `size` bytes every `intervalUs` from `startUs`;
	// `fate(i, sendUs)` says when packet i arrives (sender's clock) or
	// nullopt when it is lost.
	template <typename Fate>
	std::vector<Sent> SendAll(
		TransportCcSendHistory& history,
		size_t count,
		uint64_t startUs,
		uint64_t intervalUs,
		size_t size,
		Fate fate)
	{
		std::vector<Sent> sent;

		for (size_t i = 0u; i < count; ++i)
		{
			const uint64_t sendUs = startUs + i * intervalUs;
			const uint16_t seq    = history.RecordSend(size, sendUs);

			sent.push_back({ seq, sendUs, fate(i, sendUs) });
		}

		return sent;
	}

	// The receiver gets `sent` (in arrival order, its clock shifted) and
	// builds feedback once all have arrived.
	Packets ReceiveAll(TransportCcFeedbackBuilder& builder, std::vector<Sent> sent)
	{
		std::erase_if(sent, [](const Sent& s) { return !s.arrivalUs; });
		std::stable_sort(
			sent.begin(),
			sent.end(),
			[](const Sent& a, const Sent& b) { return *a.arrivalUs < *b.arrivalUs; });

		uint64_t lastUs{ 0u };

		for (const auto& s : sent)
		{
			builder.ReceivePacket(s.seq, *s.arrivalUs + ReceiverOffsetUs);
			lastUs = *s.arrivalUs;
		}

		return Build(builder, lastUs + ReceiverOffsetUs);
	}

	// Each result matches what was sent and what happened to it; arrival
	// times keep their differences (to the 250 us the feedback carries).
	void CheckResults(const std::vector<PacketResult>& results, const std::vector<Sent>& sent)
	{
		REQUIRE(results.size() == sent.size());

		std::optional<std::pair<int64_t, uint64_t>> first;

		for (size_t i = 0u; i < sent.size(); ++i)
		{
			REQUIRE(static_cast<uint16_t>(results[i].extendedSeq) == sent[i].seq);
			REQUIRE(results[i].sendUs == sent[i].sendUs);
			REQUIRE(results[i].arrivalUs.has_value() == sent[i].arrivalUs.has_value());
			REQUIRE_FALSE(results[i].recovered);

			if (!sent[i].arrivalUs)
			{
				continue;
			}

			const int64_t units = Units(*sent[i].arrivalUs + ReceiverOffsetUs);

			if (!first)
			{
				first.emplace(units, *results[i].arrivalUs);
			}

			REQUIRE(
				static_cast<int64_t>(*results[i].arrivalUs - first->second) ==
				(units - first->first) * 250);
		}
	}
} // namespace

TEST_CASE("TransportCcSendHistory round trip with the feedback builder", "[twcc-send]")
{
	TransportCcSendHistory history;
	TransportCcFeedbackBuilder builder;

	SECTION("no loss: every packet received once, nothing left in flight")
	{
		const auto sent = SendAll(
			history,
			100u,
			SenderT0,
			1000u,
			1000u,
			[](size_t, uint64_t sendUs) { return sendUs + 20000u; });

		REQUIRE(history.GetBytesInFlight() == 100000u);
		REQUIRE_FALSE(history.GetLossFraction());

		const auto read = Deliver(history, ReceiveAll(builder, sent), SenderT0 + 200000u);

		CheckResults(read.results, sent);
		REQUIRE(read.resets == 0u);
		REQUIRE(history.GetBytesInFlight() == 0u);
		REQUIRE(history.GetLossFraction() == 0.0);
		// The least delayed packet is taken as arriving when it was sent.
		REQUIRE(*read.results[0].arrivalUs == SenderT0);
		REQUIRE(*read.results[99].arrivalUs == sent[99].sendUs);
	}

	SECTION("sequence numbers wrap around 65535")
	{
		TransportCcSendHistory wrapping(65500u);
		const auto sent = SendAll(
			wrapping,
			100u,
			SenderT0,
			1000u,
			500u,
			[](size_t, uint64_t sendUs) { return sendUs + 20000u; });

		REQUIRE(sent[35].seq == 65535u);
		REQUIRE(sent[36].seq == 0u);

		const auto read = Deliver(wrapping, ReceiveAll(builder, sent), SenderT0 + 200000u);

		CheckResults(read.results, sent);

		for (size_t i = 1u; i < read.results.size(); ++i)
		{
			REQUIRE(read.results[i].extendedSeq == read.results[i - 1u].extendedSeq + 1u);
		}

		REQUIRE(*wrapping.GetLastExtendedSeq() == read.results.back().extendedSeq);
	}

	SECTION("loss: lost packets reported lost, loss fraction, in flight")
	{
		const auto sent = SendAll(
			history,
			100u,
			SenderT0,
			1000u,
			1000u,
			[](size_t i, uint64_t sendUs) -> std::optional<uint64_t>
			{
				if (i % 10u == 5u)
				{
					return std::nullopt;
				}

				return sendUs + 20000u;
			});
		// Ten more still on their way when the feedback is built.
		SendAll(history, 10u, SenderT0 + 100000u, 1000u, 300u, [](size_t, uint64_t) { return 0u; });

		const auto read = Deliver(history, ReceiveAll(builder, sent), SenderT0 + 200000u);

		CheckResults(read.results, sent);
		REQUIRE(*history.GetLossFraction() == Approx(0.1));
		REQUIRE(history.GetBytesInFlight() == 3000u);
	}

	SECTION("reordering and jitter in the network: negative deltas")
	{
		std::mt19937 random(7u);
		std::uniform_int_distribution<uint64_t> jitter(0u, 30000u);
		const auto sent = SendAll(
			history,
			300u,
			SenderT0,
			500u,
			1000u,
			[&](size_t, uint64_t sendUs) { return sendUs + 20000u + jitter(random); });

		const auto read = Deliver(history, ReceiveAll(builder, sent), SenderT0 + 400000u);

		CheckResults(read.results, sent);
	}

	SECTION("a long run of lost packets and a long pause")
	{
		const auto sent = SendAll(
			history,
			3000u,
			SenderT0,
			100u,
			100u,
			[](size_t i, uint64_t sendUs) -> std::optional<uint64_t>
			{
				if (i >= 10u && i < 2500u)
				{
					return std::nullopt;
				}

				// The last ones after a 2 s pause.
				return sendUs + 10000u + (i >= 2990u ? 2000000u : 0u);
			});

		const auto read = Deliver(history, ReceiveAll(builder, sent), SenderT0 + 3000000u);

		CheckResults(read.results, sent);
		REQUIRE(*history.GetLossFraction() == Approx(2490.0 / 3000.0));
	}

	SECTION("huge delays: a growing queue, then feedback later than the history")
	{
		// The queue grows by 1 ms per packet, up to 2 s.
		const auto sent = SendAll(
			history,
			2000u,
			SenderT0,
			1000u,
			1000u,
			[](size_t i, uint64_t sendUs) { return sendUs + 20000u + i * 1000u; });
		const auto read = Deliver(history, ReceiveAll(builder, sent), SenderT0 + 4100000u);

		CheckResults(read.results, sent);
		REQUIRE(read.resets == 0u);

		// Sent now, reported 6 s later: forgotten by then.
		const uint64_t laterUs = SenderT0 + 7000000u;
		const auto late        = SendAll(
      history,
      50u,
      laterUs,
      1000u,
      1000u,
      [](size_t, uint64_t sendUs) { return sendUs + 6000000u; });

		REQUIRE(history.GetBytesInFlight() == 50000u);

		const auto lateRead = Deliver(history, ReceiveAll(builder, late), laterUs + 6100000u);

		REQUIRE(lateRead.results.empty());
		REQUIRE(history.GetForgottenStatusCount() == 50u);
		REQUIRE(history.GetUnreportedForgottenCount() == 50u);
		REQUIRE(history.GetBytesInFlight() == 0u);
	}

	SECTION("the receiver's 24-bit reference time wraps")
	{
		// The receiver's clock 1 s before its reference time wraps (2^24 x 64 ms).
		constexpr uint64_t WrapUs{ (uint64_t{ 1u } << 24u) * 64000u };
		std::vector<Sent> all;

		for (size_t round = 0u; round < 20u; ++round)
		{
			const uint64_t startUs = SenderT0 + round * 100000u;
			auto sent              = SendAll(
        history,
        100u,
        startUs,
        1000u,
        1000u,
        [](size_t, uint64_t sendUs)
        { return sendUs + WrapUs - 1000000u - ReceiverOffsetUs - SenderT0; });
			const auto read = Deliver(history, ReceiveAll(builder, sent), startUs + 150000u);

			CheckResults(read.results, sent);
			REQUIRE(read.resets == 0u);

			if (round > 0u)
			{
				// Continuous across feedbacks too.
				REQUIRE(
					*read.results[0].arrivalUs - *all.back().arrivalUs == sent[0].sendUs - all.back().sendUs);
			}

			all.push_back({ 0u, sent.back().sendUs, read.results.back().arrivalUs });
		}

		REQUIRE(history.GetClockResetCount() == 0u);
	}

	SECTION("feedback reordered across the reference time wrap")
	{
		constexpr uint64_t WrapUs{ (uint64_t{ 1u } << 24u) * 64000u };
		// Arriving from 100 ms before the wrap, and from 10 ms after it.
		const auto toWrap = [](size_t, uint64_t sendUs)
		{
			return sendUs - SenderT0 + WrapUs - 100000u - ReceiverOffsetUs;
		};
		const auto before   = SendAll(history, 50u, SenderT0, 1000u, 1000u, toWrap);
		const auto packets1 = ReceiveAll(builder, before);
		const auto after    = SendAll(history, 50u, SenderT0 + 110000u, 1000u, 1000u, toWrap);
		const auto packets2 = ReceiveAll(builder, after);
		const auto read2    = Deliver(history, packets2, SenderT0 + 200000u);
		const auto read1    = Deliver(history, packets1, SenderT0 + 210000u);

		CheckResults(read2.results, after);
		CheckResults(read1.results, before);
		REQUIRE(history.GetClockResetCount() == 0u);
		REQUIRE(*read2.results[0].arrivalUs - *read1.results[0].arrivalUs == 110000u);
	}
}

TEST_CASE("TransportCcSendHistory reordered and duplicated feedback", "[twcc-send]")
{
	TransportCcSendHistory history;
	TransportCcFeedbackBuilder builder;
	const auto fate = [](size_t i, uint64_t sendUs) -> std::optional<uint64_t>
	{
		if (i == 3u)
		{
			return std::nullopt;
		}

		return sendUs + 20000u;
	};
	const auto first    = SendAll(history, 50u, SenderT0, 1000u, 1000u, fate);
	const auto packets1 = ReceiveAll(builder, first);
	const auto second   = SendAll(history, 50u, SenderT0 + 50000u, 1000u, 1000u, fate);
	const auto packets2 = ReceiveAll(builder, second);

	SECTION("the later feedback first: each packet reported once, clocks agree")
	{
		const auto read2 = Deliver(history, packets2, SenderT0 + 150000u);
		const auto read1 = Deliver(history, packets1, SenderT0 + 160000u);

		CheckResults(read2.results, second);
		CheckResults(read1.results, first);
		REQUIRE(read1.resets + read2.resets == 0u);
		REQUIRE(
			*read2.results.back().arrivalUs - *read1.results.back().arrivalUs ==
			second.back().sendUs - first.back().sendUs);
		REQUIRE(history.GetBytesInFlight() == 0u);
		REQUIRE(*history.GetLossFraction() == Approx(2.0 / 100.0));
	}

	SECTION("the same feedback twice: the second tells nothing")
	{
		Deliver(history, packets1, SenderT0 + 150000u);

		const auto again = Deliver(history, packets1, SenderT0 + 160000u);

		REQUIRE(again.results.empty());
		REQUIRE(history.GetDuplicateStatusCount() == 50u);
		REQUIRE(*history.GetLossFraction() == Approx(1.0 / 50.0));
	}

	SECTION("a packet reported received stays received")
	{
		Deliver(history, packets1, SenderT0 + 150000u);

		// A receiver that starts over and saw only packets 0 and 2.
		TransportCcFeedbackBuilder other;

		other.ReceivePacket(first[0].seq, ReceiverOffsetUs + SenderT0 + 20000u);
		other.ReceivePacket(first[2].seq, ReceiverOffsetUs + SenderT0 + 22000u);

		const auto read =
			Deliver(history, Build(other, ReceiverOffsetUs + SenderT0 + 50000u), SenderT0 + 160000u);

		// 0 and 2 received again, 1 now said lost: nothing new.
		REQUIRE(read.results.empty());
		REQUIRE(history.GetDuplicateStatusCount() == 3u);
	}

	SECTION("a packet reported lost, then received: one more result, marked recovered")
	{
		Deliver(history, packets1, SenderT0 + 150000u);

		REQUIRE(*history.GetLossFraction() == Approx(1.0 / 50.0));

		TransportCcFeedbackBuilder other;

		other.ReceivePacket(first[3].seq, ReceiverOffsetUs + SenderT0 + 43000u);

		const auto read =
			Deliver(history, Build(other, ReceiverOffsetUs + SenderT0 + 50000u), SenderT0 + 160000u);

		REQUIRE(read.results.size() == 1u);
		REQUIRE(read.results[0].recovered);
		REQUIRE(static_cast<uint16_t>(read.results[0].extendedSeq) == first[3].seq);
		REQUIRE(read.results[0].arrivalUs.has_value());
		REQUIRE(*history.GetLossFraction() == 0.0);
		// It left the bytes in flight when reported lost, once.
		REQUIRE(history.GetBytesInFlight() == 50000u);

		// Said again: nothing new.
		REQUIRE(Deliver(history, Build(other, ReceiverOffsetUs + SenderT0 + 50000u), SenderT0 + 160000u)
							.results.empty());
	}
}

TEST_CASE("TransportCcSendHistory hostile feedback", "[twcc-send]")
{
	TransportCcSendHistory history;
	const auto sent =
		SendAll(history, 100u, SenderT0, 1000u, 1000u, [](size_t, uint64_t) { return 0u; });

	SECTION("numbers never sent are ignored and counted")
	{
		TransportCcFeedbackBuilder builder;

		for (uint16_t i = 0u; i < 20u; ++i)
		{
			builder.ReceivePacket(static_cast<uint16_t>(sent.back().seq + 1u + i), 5000u + i * 1000u);
		}

		const auto read = Deliver(history, Build(builder, 100000u), SenderT0 + 200000u);

		REQUIRE(read.results.empty());
		REQUIRE(history.GetUnknownStatusCount() == 20u);
		REQUIRE(history.GetBytesInFlight() == 100000u);
		REQUIRE_FALSE(history.GetLossFraction());
	}

	SECTION("numbers before the history (or half the space away) are ignored and counted")
	{
		TransportCcFeedbackBuilder builder;

		builder.ReceivePacket(static_cast<uint16_t>(sent[0].seq - 1000u), 5000u);
		builder.ReceivePacket(static_cast<uint16_t>(sent[0].seq - 999u), 6000u);

		const auto read = Deliver(history, Build(builder, 100000u), SenderT0 + 200000u);

		REQUIRE(read.results.empty());
		REQUIRE(history.GetForgottenStatusCount() == 2u);
	}

	SECTION("an absurd reference time: the receiver's clock is taken anew, twice")
	{
		TransportCcFeedbackBuilder honest;
		TransportCcFeedbackBuilder jumped;

		for (size_t i = 0u; i < 100u; ++i)
		{
			const uint64_t arrivalUs = sent[i].sendUs + 20000u;

			// Half of them reported by a receiver whose clock is days away.
			if (i < 50u)
			{
				honest.ReceivePacket(sent[i].seq, arrivalUs);
			}
			else
			{
				jumped.ReceivePacket(sent[i].seq, arrivalUs + 3u * 24u * 3600u * 1000000u);
			}
		}

		const auto read1 = Deliver(history, Build(honest, SenderT0 + 100000u), SenderT0 + 100000u);
		const auto read2 = Deliver(
			history, Build(jumped, SenderT0 + 3u * 24u * 3600u * 1000000u + 200000u), SenderT0 + 200000u);

		REQUIRE(read1.resets == 0u);
		REQUIRE(read2.resets == 1u);
		REQUIRE(history.GetClockResetCount() == 1u);
		REQUIRE(read2.results.size() == 50u);
		// Within the feedback, the arrival differences still hold.
		REQUIRE(*read2.results.back().arrivalUs - *read2.results.front().arrivalUs == 49000u);

		// A later honest feedback: back to the honest clock.
		const auto more =
			SendAll(history, 10u, SenderT0 + 300000u, 1000u, 1000u, [](size_t, uint64_t) { return 0u; });

		for (const auto& s : more)
		{
			honest.ReceivePacket(s.seq, s.sendUs + 20000u);
		}

		const auto read3 = Deliver(history, Build(honest, SenderT0 + 400000u), SenderT0 + 400000u);

		REQUIRE(read3.resets == 1u);
		REQUIRE(history.GetClockResetCount() == 2u);
		REQUIRE(read3.results.size() == 10u);
	}

	SECTION("an arrival far out within a feedback is clamped")
	{
		TransportCcFeedbackBuilder builder;

		builder.ReceivePacket(sent[0].seq, SenderT0 + 20000u);
		// 8 s later: beyond its send time and now by far.
		builder.ReceivePacket(sent[1].seq, SenderT0 + 8020000u);

		const auto read = Deliver(history, Build(builder, SenderT0 + 8100000u), SenderT0 + 100000u);

		REQUIRE(read.results.size() == 2u);
		REQUIRE(history.GetClampedArrivalCount() == 1u);
		REQUIRE(
			*read.results[1].arrivalUs <=
			SenderT0 + 100000u + TransportCcSendHistory::MaxClockMismatchUs);
	}
}

TEST_CASE("TransportCcSendHistory caps", "[twcc-send]")
{
	TransportCcSendHistory history;

	SECTION("at most MaxPackets are kept; the oldest are forgotten")
	{
		const size_t count = TransportCcSendHistory::MaxPackets + 100u;
		const auto sent =
			SendAll(history, count, SenderT0, 10u, 100u, [](size_t, uint64_t) { return 0u; });

		REQUIRE(history.GetPacketCount() == TransportCcSendHistory::MaxPackets);
		REQUIRE(history.GetUnreportedForgottenCount() == 100u);
		REQUIRE(history.GetBytesInFlight() == TransportCcSendHistory::MaxPackets * 100u);

		TransportCcFeedbackBuilder builder;

		// The last forgotten one and the first one kept.
		builder.ReceivePacket(sent[99].seq, 1000u);
		builder.ReceivePacket(sent[100].seq, 2000u);

		const auto read = Deliver(history, Build(builder, 100000u), SenderT0 + 200000u);

		REQUIRE(history.GetForgottenStatusCount() == 1u);
		REQUIRE(read.results.size() == 1u);
		REQUIRE(
			read.results[0].extendedSeq ==
			*history.GetLastExtendedSeq() + 1u - TransportCcSendHistory::MaxPackets);
	}

	SECTION("packets older than MaxAgeUs are forgotten")
	{
		history.RecordSend(1000u, SenderT0);
		history.RecordSend(1000u, SenderT0 + 1000u);

		history.Expire(SenderT0 + TransportCcSendHistory::MaxAgeUs);

		REQUIRE(history.GetPacketCount() == 2u);

		history.RecordSend(1000u, SenderT0 + TransportCcSendHistory::MaxAgeUs + 1u);

		REQUIRE(history.GetPacketCount() == 2u);
		REQUIRE(history.GetBytesInFlight() == 2000u);
	}

	SECTION("the loss fraction is over the last LossWindowFeedbacks feedbacks")
	{
		TransportCcFeedbackBuilder builder;
		uint64_t nowUs = SenderT0;

		for (size_t round = 0u; round <= TransportCcSendHistory::LossWindowFeedbacks; ++round)
		{
			const auto sent = SendAll(
				history,
				10u,
				nowUs,
				1000u,
				1000u,
				[round](size_t i, uint64_t sendUs) -> std::optional<uint64_t>
				{
					// 4 of 10 lost in the first feedback only (not the first
					// nor the last, which bound what it covers).
					if (round == 0u && i % 2u == 1u && i < 9u)
					{
						return std::nullopt;
					}

					return sendUs + 20000u;
				});

			nowUs += 100000u;
			Deliver(history, ReceiveAll(builder, sent), nowUs);

			if (round == 0u)
			{
				REQUIRE(*history.GetLossFraction() == Approx(0.4));
			}
			else if (round < TransportCcSendHistory::LossWindowFeedbacks)
			{
				REQUIRE(*history.GetLossFraction() > 0.0);
			}
		}

		REQUIRE(*history.GetLossFraction() == 0.0);
	}
}

TEST_CASE("TransportCcSendHistory probe clusters", "[twcc-send]")
{
	TransportCcSendHistory history;
	TransportCcFeedbackBuilder builder;

	const uint16_t media = history.RecordSend(1000u, SenderT0);
	const uint16_t probe = history.RecordSend(1200u, SenderT0 + 1000u, 7u);

	builder.ReceivePacket(media, 20000u);
	builder.ReceivePacket(probe, 21000u);

	const auto read = Deliver(history, Build(builder, 100000u), SenderT0 + 100000u);

	REQUIRE(read.results.size() == 2u);
	REQUIRE_FALSE(read.results[0].probeClusterId);
	REQUIRE(read.results[1].probeClusterId == 7u);
	REQUIRE(read.results[1].size == 1200u);
}
