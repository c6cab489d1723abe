#include "common.hpp"

#include "RTC/RtpSeqTracker.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

using RTC::RtpSeqTracker;
using Result = RTC::RtpSeqTracker::ReceiveResult;

namespace
{
	struct Row
	{
		uint16_t seq;
		Result result;
	};

	// Feeds packets 20 ms apart with matching 90 kHz timestamps (no jitter).
	void Validate(RtpSeqTracker& tracker, const std::vector<Row>& rows, uint64_t& nowMs)
	{
		for (const auto& row : rows)
		{
			INFO("seq " << row.seq);

			REQUIRE(
				tracker.ReceivePacket(row.seq, static_cast<uint32_t>(nowMs * 90u), nowMs) == row.result);

			nowMs += 20u;
		}
	}

	// Feeds [from, to] in order, skipping the given ones.
	void FeedRange(
		RtpSeqTracker& tracker,
		uint32_t from,
		uint32_t to,
		uint64_t& nowMs,
		const std::vector<uint32_t>& skip = {})
	{
		for (uint32_t seq = from; seq <= to; ++seq)
		{
			if (std::find(skip.begin(), skip.end(), seq) == skip.end())
			{
				tracker.ReceivePacket(
					static_cast<uint16_t>(seq), static_cast<uint32_t>(nowMs * 90u), nowMs);
			}

			nowMs += 20u;
		}
	}
} // namespace

TEST_CASE("RtpSeqTracker validates a new source (RFC 3550 A.1)", "[RtpSeqTracker]")
{
	uint64_t nowMs{ 10000u };

	SECTION("two packets in sequence by default")
	{
		RtpSeqTracker tracker(90000u);

		REQUIRE(!tracker.GetReportBlock(nowMs));

		Validate(
			tracker,
			{ { 100, Result::PROBATION }, { 101, Result::ACCEPTED }, { 102, Result::ACCEPTED } },
			nowMs);

		REQUIRE(tracker.IsValidated());
		REQUIRE(tracker.GetPacketsExpected() == 2u);
		REQUIRE(tracker.GetPacketsReceived() == 2u);
		REQUIRE(tracker.GetPacketsDiscarded() == 1u);
		REQUIRE(tracker.GetExtendedHighestSeq() == 102u);
		REQUIRE(tracker.GetReportBlock(nowMs));
	}

	SECTION("a packet out of sequence restarts the probation")
	{
		RtpSeqTracker tracker(90000u);

		// clang-format off
		Validate(tracker,
		{
			{ 100, Result::PROBATION },
			{ 200, Result::PROBATION },
			{ 199, Result::PROBATION },
			{ 200, Result::ACCEPTED  },
		}, nowMs);
		// clang-format on

		REQUIRE(tracker.GetPacketsExpected() == 1u);
		REQUIRE(tracker.GetPacketsDiscarded() == 3u);
	}

	SECTION("across the wrap")
	{
		RtpSeqTracker tracker(90000u, 3u);

		Validate(
			tracker,
			{ { 65534, Result::PROBATION },
				{ 65535, Result::PROBATION },
				{ 0, Result::ACCEPTED },
				{ 1, Result::ACCEPTED } },
			nowMs);

		// The source starts at 0 (cycles 0).
		REQUIRE(tracker.GetExtendedHighestSeq() == 1u);
		REQUIRE(tracker.GetPacketsExpected() == 2u);
	}

	SECTION("minSequential 1 (and 0) validates at the first packet")
	{
		for (const uint8_t minSequential : { 0u, 1u })
		{
			RtpSeqTracker tracker(90000u, minSequential);

			Validate(tracker, { { 7, Result::ACCEPTED }, { 8, Result::ACCEPTED } }, nowMs);
			REQUIRE(tracker.GetPacketsDiscarded() == 0u);
		}
	}
}

TEST_CASE("RtpSeqTracker counts gaps, reordering and duplicates", "[RtpSeqTracker]")
{
	RtpSeqTracker tracker(90000u, 1u);
	uint64_t nowMs{ 10000u };

	// clang-format off
	Validate(tracker,
	{
		{ 0, Result::ACCEPTED     },
		{ 1, Result::ACCEPTED     },
		{ 2, Result::ACCEPTED     },
		{ 5, Result::ACCEPTED     }, // 3 and 4 missing
		{ 3, Result::OUT_OF_ORDER },
		{ 3, Result::DUPLICATE    },
		{ 5, Result::DUPLICATE    },
		{ 0, Result::DUPLICATE    },
		{ 6, Result::ACCEPTED     },
	}, nowMs);
	// clang-format on

	REQUIRE(tracker.GetPacketsExpected() == 7u);
	REQUIRE(tracker.GetPacketsReceived() == 6u);
	REQUIRE(tracker.GetPacketsLost() == 1);
	REQUIRE(tracker.GetPacketsDuplicated() == 3u);

	SECTION("older than the first packet: forwarded, not counted")
	{
		RtpSeqTracker other(90000u, 1u);

		Validate(other, { { 100, Result::ACCEPTED }, { 99, Result::OUT_OF_ORDER } }, nowMs);

		REQUIRE(other.GetPacketsExpected() == 1u);
		REQUIRE(other.GetPacketsReceived() == 1u);
	}
}

TEST_CASE("RtpSeqTracker extends sequence numbers across the wrap", "[RtpSeqTracker]")
{
	RtpSeqTracker tracker(90000u, 1u);
	uint64_t nowMs{ 10000u };

	FeedRange(tracker, 65530u, 65535u, nowMs);
	FeedRange(tracker, 0u, 5u, nowMs);

	REQUIRE(tracker.GetExtendedHighestSeq() == 65536u + 5u);
	REQUIRE(tracker.GetPacketsExpected() == 12u);
	REQUIRE(tracker.GetPacketsLost() == 0);

	// A packet from before the wrap, reordered.
	RtpSeqTracker reordered(90000u, 1u);

	FeedRange(reordered, 65530u, 65535u, nowMs, { 65534u });
	FeedRange(reordered, 0u, 5u, nowMs);
	REQUIRE(reordered.GetPacketsLost() == 1);
	REQUIRE(reordered.ReceivePacket(65534u, 0u, nowMs) == Result::OUT_OF_ORDER);
	REQUIRE(reordered.ReceivePacket(65534u, 0u, nowMs) == Result::DUPLICATE);
	REQUIRE(reordered.GetPacketsLost() == 0);

	const auto block = tracker.GetReportBlock(nowMs);

	REQUIRE(block);
	REQUIRE(block->highestSeqExtended == 0x00010005u);
}

TEST_CASE("RtpSeqTracker limits of MaxDropout and MaxMisorder", "[RtpSeqTracker]")
{
	RtpSeqTracker tracker(90000u, 1u);
	uint64_t nowMs{ 10000u };

	FeedRange(tracker, 1000u, 2000u, nowMs, { 1901u });

	SECTION("a jump of MaxDropout - 1 is a gap")
	{
		Validate(tracker, { { 2000 + 2999, Result::ACCEPTED } }, nowMs);
		REQUIRE(tracker.GetPacketsLost() == 2998 + 1);
	}

	SECTION("a jump of MaxDropout is discarded, unless the next packet follows it")
	{
		// clang-format off
		Validate(tracker,
		{
			{ 5000, Result::INVALID   },
			{ 7000, Result::INVALID   },
			{ 2001, Result::ACCEPTED  },
			{ 7001, Result::RESTARTED },
			{ 7002, Result::ACCEPTED  },
		}, nowMs);
		// clang-format on

		REQUIRE(tracker.GetRestarts() == 1u);
		// Counters start again with the restart.
		REQUIRE(tracker.GetPacketsExpected() == 2u);
		REQUIRE(tracker.GetPacketsReceived() == 2u);
		REQUIRE(tracker.GetPacketsLost() == 0);
		REQUIRE(tracker.GetPacketsDiscarded() == 2u);
	}

	SECTION("MaxMisorder - 1 behind is reordering, MaxMisorder behind is a jump")
	{
		// clang-format off
		Validate(tracker,
		{
			{ 1901, Result::OUT_OF_ORDER },
			{ 1900, Result::INVALID      },
			{ 1, Result::INVALID         },
		}, nowMs);
		// clang-format on

		REQUIRE(tracker.GetPacketsLost() == 0);
	}
}

TEST_CASE("RtpSeqTracker computes the interarrival jitter (RFC 3550 A.8)", "[RtpSeqTracker]")
{
	uint64_t nowMs{ 50000u };

	SECTION("constant transit time gives 0")
	{
		RtpSeqTracker tracker(90000u, 1u);

		FeedRange(tracker, 0u, 200u, nowMs);
		REQUIRE(tracker.GetJitter() == 0u);
	}

	SECTION("J += (|D| - J) / 16, in timestamp units")
	{
		// Every other packet 10 ms late: |D| is 900 units each time.
		for (const uint32_t firstTs : { 1000u, 4294967000u })
		{
			RtpSeqTracker tracker(90000u, 1u);

			for (uint16_t i = 0; i < 300; ++i)
			{
				tracker.ReceivePacket(i, firstTs + i * 1800u, nowMs + i * 20u + (i % 2u) * 10u);

				if (i == 1u)
				{
					REQUIRE(tracker.GetJitter() == 900u / 16u);
				}
				else if (i == 2u)
				{
					REQUIRE(tracker.GetJitter() == (900u + 900u - (900u + 8u) / 16u) / 16u);
				}
			}

			// Converged, within integer rounding.
			REQUIRE(tracker.GetJitter() >= 899u);
			REQUIRE(tracker.GetJitter() <= 900u);
		}
	}

	SECTION("reordered packets do not feed it")
	{
		RtpSeqTracker tracker(90000u, 1u);

		tracker.ReceivePacket(0u, 0u, 1000u);
		tracker.ReceivePacket(2u, 3600u, 1040u);
		tracker.ReceivePacket(1u, 1800u, 1090u);
		REQUIRE(tracker.GetJitter() == 0u);
	}

	SECTION("a timestamp jump is not jitter")
	{
		RtpSeqTracker tracker(90000u, 1u);

		tracker.ReceivePacket(0u, 0u, 1000u);
		tracker.ReceivePacket(1u, 1800u, 1020u);
		// 20 s of timestamps in 20 ms.
		tracker.ReceivePacket(2u, 1800u + 20u * 90000u, 1040u);
		tracker.ReceivePacket(3u, 3600u + 20u * 90000u, 1060u);
		REQUIRE(tracker.GetJitter() == 0u);
	}

	SECTION("time going backwards counts as no time passing")
	{
		RtpSeqTracker tracker(90000u, 1u);

		tracker.ReceivePacket(0u, 0u, 1000u);
		tracker.ReceivePacket(1u, 1800u, 1020u);
		// Taken as arriving at 1020: |D| = 1800.
		tracker.ReceivePacket(2u, 3600u, 1010u);
		REQUIRE(tracker.GetJitter() == 1800u / 16u);
	}

	SECTION("clock rate 0 disables it")
	{
		RtpSeqTracker tracker(0u, 1u);

		for (uint16_t i = 0; i < 10; ++i)
		{
			tracker.ReceivePacket(i, 0u, nowMs + i * 37u);
		}

		REQUIRE(tracker.GetJitter() == 0u);
	}
}

TEST_CASE("RtpSeqTracker fills report blocks (RFC 3550 6.4.1, A.3)", "[RtpSeqTracker]")
{
	RtpSeqTracker tracker(90000u, 1u);
	uint64_t nowMs{ 10000u };

	SECTION("fraction lost covers the interval since the previous report")
	{
		std::vector<uint32_t> skip;

		for (uint32_t seq = 1u; seq < 100u; seq += 4u)
		{
			skip.push_back(seq);
		}

		// 0..99: 25 lost.
		FeedRange(tracker, 0u, 99u, nowMs, skip);

		auto block = tracker.GetReportBlock(nowMs);

		REQUIRE(block);
		REQUIRE(block->fractionLost == (25u << 8u) / 100u);
		REQUIRE(block->totalLost == 25);
		REQUIRE(block->highestSeqExtended == 99u);
		REQUIRE(block->expectedInInterval == 100u);
		REQUIRE(block->lostInInterval == 25u);

		// Nothing new.
		block = tracker.GetReportBlock(nowMs);
		REQUIRE(block->fractionLost == 0u);
		REQUIRE(block->totalLost == 25);
		REQUIRE(block->expectedInInterval == 0u);

		// Late arrivals of the previous interval: more received than expected
		// in this one, which is no loss.
		tracker.ReceivePacket(97u, 0u, nowMs);
		tracker.ReceivePacket(93u, 0u, nowMs);
		FeedRange(tracker, 100u, 109u, nowMs);

		block = tracker.GetReportBlock(nowMs);
		REQUIRE(block->fractionLost == 0u);
		REQUIRE(block->lostInInterval == 0u);
		REQUIRE(block->expectedInInterval == 10u);
		REQUIRE(block->totalLost == 23);
	}

	SECTION("cumulative lost is clamped to 24 signed bits")
	{
		// Jumps just below MaxDropout: 2998 lost each.
		uint32_t seq{ 0u };

		for (int i = 0; i <= 2800; ++i)
		{
			REQUIRE(tracker.ReceivePacket(static_cast<uint16_t>(seq), 0u, nowMs) == Result::ACCEPTED);
			seq += 2999u;
		}

		REQUIRE(tracker.GetPacketsLost() == 2800 * 2998);
		REQUIRE(tracker.GetExtendedHighestSeq() == 2800u * 2999u);

		const auto block = tracker.GetReportBlock(nowMs);

		REQUIRE(block->totalLost == 0x7FFFFF);
		REQUIRE(block->highestSeqExtended == 2800u * 2999u);
		// All but one in 2999 lost.
		REQUIRE(
			block->fractionLost == static_cast<uint8_t>((2800u * 2998u << 8u) / (2800u * 2999u + 1u)));
	}

	SECTION("LSR and DLSR come from the last sender report")
	{
		FeedRange(tracker, 0u, 10u, nowMs);

		auto block = tracker.GetReportBlock(nowMs);

		REQUIRE(block->lastSrTimestamp == 0u);
		REQUIRE(block->delaySinceLastSr == 0u);

		tracker.ReceiveSenderReport(0x12345678u, nowMs);

		block = tracker.GetReportBlock(nowMs + 1500u);
		REQUIRE(block->lastSrTimestamp == 0x12345678u);
		// 1.5 s in 1/65536 s.
		REQUIRE(block->delaySinceLastSr == 98304u);

		// Earlier than the last time seen: no time passed.
		block = tracker.GetReportBlock(nowMs);
		REQUIRE(block->delaySinceLastSr == 98304u);

		tracker.ReceiveSenderReport(0xABCDEF01u, nowMs + 2000u);
		block = tracker.GetReportBlock(nowMs + 2000u);
		REQUIRE(block->lastSrTimestamp == 0xABCDEF01u);
		REQUIRE(block->delaySinceLastSr == 0u);
	}
}

TEST_CASE("RtpSeqTracker counts recovered packets", "[RtpSeqTracker]")
{
	RtpSeqTracker tracker(90000u, 1u);
	uint64_t nowMs{ 10000u };

	REQUIRE(tracker.ReceiveRecoveredPacket(5u, nowMs) == Result::INVALID);

	FeedRange(tracker, 1000u, 1500u, nowMs, { 1100u, 1101u });
	REQUIRE(tracker.GetPacketsLost() == 2);

	SECTION("far behind the highest, where an original packet would be a jump")
	{
		REQUIRE(tracker.ReceiveRecoveredPacket(1100u, nowMs) == Result::OUT_OF_ORDER);
		REQUIRE(tracker.ReceiveRecoveredPacket(1100u, nowMs) == Result::DUPLICATE);
		// Two in a row would restart the source on the original path.
		REQUIRE(tracker.ReceiveRecoveredPacket(1101u, nowMs) == Result::OUT_OF_ORDER);
		REQUIRE(tracker.GetPacketsLost() == 0);
		REQUIRE(tracker.GetRestarts() == 0u);
		REQUIRE(tracker.GetExtendedHighestSeq() == 1500u);
	}

	SECTION("nothing we could have asked for")
	{
		REQUIRE(tracker.ReceiveRecoveredPacket(1500u, nowMs) == Result::DUPLICATE);
		REQUIRE(tracker.ReceiveRecoveredPacket(1501u, nowMs) == Result::INVALID);
		REQUIRE(tracker.ReceiveRecoveredPacket(999u, nowMs) == Result::INVALID);
		REQUIRE(tracker.ReceiveRecoveredPacket(1200u, nowMs) == Result::DUPLICATE);
		REQUIRE(tracker.GetPacketsLost() == 2);
	}

	SECTION("beyond HistorySize duplicates cannot be told")
	{
		FeedRange(tracker, 1501u, 1500u + RtpSeqTracker::HistorySize, nowMs);

		REQUIRE(tracker.ReceiveRecoveredPacket(1101u, nowMs) == Result::OUT_OF_ORDER);
		REQUIRE(tracker.ReceiveRecoveredPacket(1101u, nowMs) == Result::OUT_OF_ORDER);
		REQUIRE(tracker.GetPacketsLost() == 0);
		// One packet inside the history is still checked.
		REQUIRE(tracker.ReceiveRecoveredPacket(1600u, nowMs) == Result::DUPLICATE);
	}
}

TEST_CASE("RtpSeqTracker survives arbitrary input", "[RtpSeqTracker]")
{
	std::mt19937 random(4242u);
	RtpSeqTracker tracker(48000u);
	uint64_t nowMs{ 0u };
	uint16_t seq{ 0u };

	for (int i = 0; i < 200000; ++i)
	{
		const uint32_t draw = random();

		// Mostly a stream with small gaps and reordering, sometimes anything.
		if (draw % 16u == 0u)
		{
			seq = static_cast<uint16_t>(random());
		}
		else
		{
			seq = static_cast<uint16_t>(seq + (draw >> 8u) % 5u - 1u);
		}

		// Time sometimes going backwards.
		nowMs =
			(draw % 64u == 1u) ? nowMs - std::min<uint64_t>(nowMs, 500u) : nowMs + (draw >> 16u) % 40u;

		if (draw % 7u == 0u)
		{
			tracker.ReceiveRecoveredPacket(static_cast<uint16_t>(random()), nowMs);
		}
		else
		{
			tracker.ReceivePacket(seq, random(), nowMs);
		}

		if (draw % 97u == 0u)
		{
			tracker.ReceiveSenderReport(random(), nowMs);

			const auto block = tracker.GetReportBlock(nowMs);

			if (block)
			{
				REQUIRE(block->totalLost >= -0x800000);
				REQUIRE(block->totalLost <= 0x7FFFFF);
			}
		}
	}

	REQUIRE(tracker.GetPacketsDiscarded() > 0u);
	REQUIRE(tracker.GetRestarts() > 0u);
}

TEST_CASE("RtpSeqTracker reset forgets the source", "[RtpSeqTracker]")
{
	RtpSeqTracker tracker(90000u);
	uint64_t nowMs{ 10000u };

	FeedRange(tracker, 0u, 50u, nowMs, { 20u });
	REQUIRE(tracker.GetPacketsLost() == 1);

	tracker.Reset();

	REQUIRE(!tracker.IsValidated());
	REQUIRE(tracker.GetPacketsExpected() == 0u);
	REQUIRE(tracker.GetJitter() == 0u);
	REQUIRE(!tracker.GetReportBlock(nowMs));
	Validate(tracker, { { 40000, Result::PROBATION }, { 40001, Result::ACCEPTED } }, nowMs);
}
