#include "common.hpp"

#include "RTC/NackGenerator.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

using RTC::NackGenerator;
using Seqs = std::vector<uint16_t>;

namespace
{
	struct Row
	{
		uint16_t seq;
		bool isKeyFrame;
		bool isRecovered;
		// What GetNacks() returns right after it, at the same time.
		Seqs nacks;
	};

	void
	Validate(NackGenerator& nack, const std::vector<Row>& rows, uint64_t nowMs, uint32_t rttMs = 100u)
	{
		for (const auto& row : rows)
		{
			INFO("seq " << row.seq);

			nack.ReceivePacket(row.seq, row.isKeyFrame, row.isRecovered, nowMs);

			REQUIRE(nack.GetNacks(nowMs, rttMs) == row.nacks);
		}
	}
} // namespace

TEST_CASE("NackGenerator requests a gap at once", "[NackGenerator]")
{
	NackGenerator nack;
	const uint64_t nowMs{ 10000u };

	SECTION("no gap, nothing to request")
	{
		// clang-format off
		Validate(nack,
		{
			{ 100, false, false, {} },
			{ 101, false, false, {} },
			{ 102, false, false, {} },
		}, nowMs);
		// clang-format on

		REQUIRE(!nack.GetNextDeadlineMs());
	}

	SECTION("each missing packet, oldest first, once until the retry")
	{
		nack.ReceivePacket(100u, false, false, nowMs);
		nack.ReceivePacket(104u, false, false, nowMs);

		REQUIRE(nack.GetNextDeadlineMs() == nowMs);
		REQUIRE(nack.GetNacks(nowMs, 80u) == Seqs{ 101, 102, 103 });
		REQUIRE(nack.GetNacks(nowMs, 80u).empty());
		REQUIRE(nack.GetNextDeadlineMs() == nowMs + 80u);
		REQUIRE(nack.GetNackListSize() == 3u);
	}

	SECTION("across the wrap")
	{
		// clang-format off
		Validate(nack,
		{
			{ 65533, false, false, {}                        },
			{ 2,     false, false, { 65534, 65535, 0, 1 }    },
			{ 4,     false, false, { 3 }                     },
		}, nowMs);
		// clang-format on
	}

	SECTION("holes filled late or by retransmission leave the list")
	{
		// clang-format off
		Validate(nack,
		{
			{ 100, false, false, {}                 },
			{ 105, false, false, { 101, 102, 103, 104 } },
			{ 102, false, true,  {}                 },
			{ 103, false, false, {}                 },
			// Not listed (any more): nothing happens.
			{ 103, false, true,  {}                 },
			{ 100, false, false, {}                 },
		}, nowMs);
		// clang-format on

		REQUIRE(nack.GetRecoveredCount() == 1u);
		REQUIRE(nack.GetLateCount() == 1u);
		REQUIRE(nack.GetNackListSize() == 2u);
		REQUIRE(nack.GetNacks(nowMs + 100u, 100u) == Seqs{ 101, 104 });
	}

	SECTION("a key frame drops what is older than it")
	{
		// clang-format off
		Validate(nack,
		{
			{ 100, false, false, {}                   },
			{ 105, false, false, { 101, 102, 103, 104 } },
			// A reordered packet starting a key frame.
			{ 103, true,  false, {}                   },
		}, nowMs);
		// clang-format on

		REQUIRE(nack.GetNackListSize() == 1u);

		// clang-format off
		Validate(nack,
		{
			{ 110, false, false, { 106, 107, 108, 109 } },
			// 111 goes as soon as it is listed: the key frame starts after it.
			{ 112, true,  false, {}                     },
		}, nowMs);
		// clang-format on

		REQUIRE(nack.GetNackListSize() == 0u);
		REQUIRE(!nack.GetNextDeadlineMs());
	}

	SECTION("a retransmission never extends the sequence")
	{
		// clang-format off
		Validate(nack,
		{
			// Nor starts it.
			{ 50,  false, true,  {} },
			{ 100, false, false, {} },
			{ 105, false, true,  {} },
			{ 101, false, false, {} },
			{ 103, false, false, { 102 } },
		}, nowMs);
		// clang-format on
	}
}

TEST_CASE("NackGenerator retries once per RTT", "[NackGenerator]")
{
	NackGenerator nack;
	uint64_t nowMs{ 10000u };

	nack.ReceivePacket(100u, false, false, nowMs);
	nack.ReceivePacket(103u, false, false, nowMs);

	SECTION("not before the RTT has passed")
	{
		REQUIRE(nack.GetNacks(nowMs, 80u) == Seqs{ 101, 102 });
		REQUIRE(nack.GetNacks(nowMs + 79u, 80u).empty());
		REQUIRE(nack.GetNacks(nowMs + 80u, 80u) == Seqs{ 101, 102 });
		REQUIRE(nack.GetNextDeadlineMs() == nowMs + 160u);
	}

	SECTION("new gaps go out at once, older entries on their own schedule")
	{
		REQUIRE(nack.GetNacks(nowMs, 100u) == Seqs{ 101, 102 });

		nack.ReceivePacket(106u, false, false, nowMs + 50u);
		REQUIRE(nack.GetNacks(nowMs + 50u, 100u) == Seqs{ 104, 105 });
		REQUIRE(nack.GetNextDeadlineMs() == nowMs + 100u);
		REQUIRE(nack.GetNacks(nowMs + 100u, 100u) == Seqs{ 101, 102 });
		REQUIRE(nack.GetNacks(nowMs + 150u, 100u) == Seqs{ 104, 105 });
	}

	SECTION("an RTT below MinRetryIntervalMs is raised to it")
	{
		nack.GetNacks(nowMs, 5u);
		REQUIRE(nack.GetNextDeadlineMs() == nowMs + NackGenerator::MinRetryIntervalMs);
		REQUIRE(nack.GetNacks(nowMs + 19u, 5u).empty());
		REQUIRE(nack.GetNacks(nowMs + 20u, 5u).size() == 2u);
	}

	SECTION("an unknown RTT (0) is DefaultRttMs")
	{
		nack.GetNacks(nowMs, 0u);
		REQUIRE(nack.GetNextDeadlineMs() == nowMs + NackGenerator::DefaultRttMs);
	}

	SECTION("at most MaxRetries requests per packet")
	{
		std::map<uint16_t, size_t> requests;

		while (auto deadlineMs = nack.GetNextDeadlineMs())
		{
			nowMs = *deadlineMs;

			for (const uint16_t seq : nack.GetNacks(nowMs, 50u))
			{
				++requests[seq];
			}
		}

		REQUIRE(requests[101] == NackGenerator::MaxRetries);
		REQUIRE(requests[102] == NackGenerator::MaxRetries);
		REQUIRE(nack.GetGivenUpCount() == 2u);
		REQUIRE(nack.GetRequestedCount() == 2u * NackGenerator::MaxRetries);
		REQUIRE(nack.GetNackListSize() == 0u);
		// The last request was 50 ms before the entries went.
		REQUIRE(nowMs == 10000u + 50u * NackGenerator::MaxRetries);
	}

	SECTION("entries go MaxAgeMs after the gap, retries left or not")
	{
		REQUIRE(nack.GetNacks(nowMs, 1500u).size() == 2u);
		REQUIRE(nack.GetNacks(nowMs + 1500u, 1500u).size() == 2u);
		REQUIRE(nack.GetNextDeadlineMs() == nowMs + NackGenerator::MaxAgeMs);
		REQUIRE(nack.GetNacks(nowMs + NackGenerator::MaxAgeMs, 1500u).empty());
		REQUIRE(nack.GetNackListSize() == 0u);
		REQUIRE(nack.GetGivenUpCount() == 2u);
	}

	SECTION("time going backwards counts as no time passing")
	{
		nack.ReceivePacket(105u, false, false, nowMs - 5000u);

		// Listed at nowMs, due at once.
		REQUIRE(nack.GetNextDeadlineMs() == nowMs);
		REQUIRE(nack.GetNacks(nowMs - 5000u, 100u) == Seqs{ 101, 102, 104 });
		REQUIRE(nack.GetNextDeadlineMs() == nowMs + 100u);
	}
}

TEST_CASE("NackGenerator caps its list at MaxNackPackets", "[NackGenerator]")
{
	NackGenerator nack;
	uint64_t nowMs{ 10000u };
	constexpr auto Max = static_cast<uint16_t>(NackGenerator::MaxNackPackets);

	nack.ReceivePacket(0u, false, false, nowMs);

	SECTION("a gap that fills it exactly is listed")
	{
		nack.ReceivePacket(Max + 1u, false, false, nowMs);

		REQUIRE(nack.GetNackListSize() == NackGenerator::MaxNackPackets);
		REQUIRE(!nack.TakeKeyFrameRequired());
		REQUIRE(nack.GetNacks(nowMs, 100u).size() == NackGenerator::MaxNackPackets);

		// One more: cleared, and a key frame is needed instead.
		nack.ReceivePacket(Max + 3u, false, false, nowMs);

		REQUIRE(nack.GetNackListSize() == 0u);
		REQUIRE(nack.TakeKeyFrameRequired());
		REQUIRE(!nack.TakeKeyFrameRequired());
		REQUIRE(nack.GetOverflowCount() == 1u);
		REQUIRE(!nack.GetNextDeadlineMs());

		// Later gaps are listed again.
		nack.ReceivePacket(Max + 5u, false, false, nowMs);
		REQUIRE(nack.GetNacks(nowMs, 100u) == Seqs{ static_cast<uint16_t>(Max + 4u) });
	}

	SECTION("a gap larger than it is not listed")
	{
		nack.ReceivePacket(Max + 2u, false, false, nowMs);

		REQUIRE(nack.GetNackListSize() == 0u);
		REQUIRE(nack.TakeKeyFrameRequired());
	}

	SECTION("a gap as large as half the numbering is not listed either")
	{
		nack.ReceivePacket(32767u, false, false, nowMs);

		REQUIRE(nack.GetNackListSize() == 0u);
		REQUIRE(nack.TakeKeyFrameRequired());
	}

	SECTION("expired entries make room first")
	{
		nack.ReceivePacket(Max + 1u, false, false, nowMs);
		nack.ReceivePacket(Max + 3u, false, false, nowMs + NackGenerator::MaxAgeMs);

		REQUIRE(nack.GetNackListSize() == 1u);
		REQUIRE(!nack.TakeKeyFrameRequired());
		REQUIRE(nack.GetGivenUpCount() == NackGenerator::MaxNackPackets);
	}

	SECTION("scattered losses add up to it")
	{
		uint16_t seq{ 0u };
		bool overflowed{ false };

		// Every other packet lost, no time passing.
		for (int i = 0; i < 2500; ++i)
		{
			seq = static_cast<uint16_t>(seq + 2u);
			nack.ReceivePacket(seq, false, false, nowMs);

			REQUIRE(nack.GetNackListSize() <= NackGenerator::MaxNackPackets);

			overflowed = overflowed || nack.TakeKeyFrameRequired();
		}

		REQUIRE(overflowed);
		REQUIRE(nack.GetOverflowCount() == 2u);
	}
}

TEST_CASE("NackGenerator reset forgets the stream", "[NackGenerator]")
{
	NackGenerator nack;
	const uint64_t nowMs{ 10000u };

	nack.ReceivePacket(100u, false, false, nowMs);
	nack.ReceivePacket(110u, false, false, nowMs);
	nack.Reset();

	REQUIRE(nack.GetNackListSize() == 0u);
	REQUIRE(!nack.GetNextDeadlineMs());

	// A new numbering, no gap from the old one.
	nack.ReceivePacket(40000u, false, false, nowMs);
	nack.ReceivePacket(40001u, false, false, nowMs);
	REQUIRE(nack.GetNacks(nowMs, 100u).empty());
}

TEST_CASE("NackGenerator survives arbitrary input", "[NackGenerator]")
{
	std::mt19937 random(777u);
	NackGenerator nack;
	uint64_t nowMs{ 0u };
	uint16_t seq{ 0u };

	for (int i = 0; i < 100000; ++i)
	{
		const uint32_t draw = random();

		seq = (draw % 50u == 0u) ? static_cast<uint16_t>(random())
														 : static_cast<uint16_t>(seq + (draw >> 8u) % 8u - 2u);
		nowMs =
			(draw % 64u == 1u) ? nowMs - std::min<uint64_t>(nowMs, 300u) : nowMs + (draw >> 20u) % 30u;

		nack.ReceivePacket(seq, draw % 300u == 0u, draw % 5u == 0u, nowMs);

		REQUIRE(nack.GetNackListSize() <= NackGenerator::MaxNackPackets);

		const auto deadlineMs = nack.GetNextDeadlineMs();

		if (deadlineMs && *deadlineMs <= nowMs)
		{
			nack.GetNacks(nowMs, draw % 200u);

			// Whatever is left is for later.
			const auto nextMs = nack.GetNextDeadlineMs();

			REQUIRE((!nextMs || *nextMs > nowMs));
		}

		nack.TakeKeyFrameRequired();
	}
}

TEST_CASE("NackGenerator deadline: never late, exact after GetNacks()", "[NackGenerator]")
{
	// The deadline is kept without a scan of the list (it was two scans of up
	// to MaxNackPackets entries per received packet). Checked against what
	// GetNacks() would do, on copies.
	std::mt19937 random(4242u);
	NackGenerator nack;
	uint64_t nowMs{ 1000u };
	uint16_t seq{ 0u };
	uint32_t rttMs{ 100u };

	nack.ReceivePacket(seq, false, false, nowMs);

	for (int i = 0; i < 20000; ++i)
	{
		const uint32_t draw = random();

		nowMs += draw % 7u;

		if (draw % 3u == 0u)
		{
			// A new packet, often after a gap.
			seq = static_cast<uint16_t>(seq + 1u + ((draw >> 4u) % 4u));
			nack.ReceivePacket(seq, (draw >> 8u) % 500u == 0u, false, nowMs);
		}
		else
		{
			// A hole filled, late or by retransmission.
			const auto back = static_cast<uint16_t>(1u + ((draw >> 4u) % 200u));

			nack.ReceivePacket(static_cast<uint16_t>(seq - back), false, (draw >> 12u) % 2u == 0u, nowMs);
		}

		const auto deadlineMs = nack.GetNextDeadlineMs();

		REQUIRE(deadlineMs.has_value() == (nack.GetNackListSize() > 0u));

		if (!deadlineMs)
		{
			continue;
		}

		// Never late: nothing to send or drop before it.
		if (*deadlineMs > nowMs)
		{
			NackGenerator before = nack;

			REQUIRE(before.GetNacks(*deadlineMs - 1u, rttMs).empty());
			REQUIRE(before.GetGivenUpCount() == nack.GetGivenUpCount());
		}

		if (*deadlineMs <= nowMs || draw % 5u == 0u)
		{
			rttMs = 20u + ((draw >> 16u) % 200u);
			nowMs = std::max(nowMs, *deadlineMs);
			nack.GetNacks(nowMs, rttMs);

			const auto nextMs = nack.GetNextDeadlineMs();

			if (!nextMs)
			{
				continue;
			}

			// Exact: at the deadline something is sent or dropped.
			NackGenerator at   = nack;
			const auto givenUp = at.GetGivenUpCount();

			REQUIRE(*nextMs > nowMs);
			REQUIRE((!at.GetNacks(*nextMs, rttMs).empty() || at.GetGivenUpCount() > givenUp));
		}
	}
}
