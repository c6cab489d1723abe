#include "common.hpp"

#include "RTC/SeqNumber.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC;

// Compile-time checks: all of it is constexpr.
static_assert(IsNewer<uint16_t>(1u, 0u));
static_assert(IsNewer<uint16_t>(0u, 65535u));
static_assert(!IsNewer<uint16_t>(65535u, 0u));
static_assert(SeqDistance<uint16_t>(65535u, 2u) == 3);
static_assert(SeqNumber(65535u) + 1u == SeqNumber(0u));

TEST_CASE("16-bit sequence numbers compare across the wrap", "[SeqNumber]")
{
	struct Row
	{
		uint16_t from;
		uint16_t to;
		int64_t distance;
		bool toIsNewer;
	};

	// clang-format off
	const std::vector<Row> rows =
	{
		// from,  to,    distance, to is newer
		{ 0,      0,     0,        false },
		{ 0,      1,     1,        true  },
		{ 1,      0,     -1,       false },
		{ 65535,  0,     1,        true  },
		{ 0,      65535, -1,       false },
		{ 65500,  100,   136,      true  },
		{ 100,    65500, -136,     false },
		{ 0,      32767, 32767,    true  },
		{ 32767,  0,     -32767,   false },
		// Exactly half way: the greater value is the newer one.
		{ 0,      32768, 32768,    true  },
		{ 32768,  0,     -32768,   false },
		{ 1,      32769, 32768,    true  },
		{ 32769,  1,     -32768,   false },
		{ 40000,  7232,  -32768,   false },
		{ 7232,   40000, 32768,    true  },
	};
	// clang-format on

	for (const auto& row : rows)
	{
		INFO("from " << row.from << " to " << row.to);

		REQUIRE(SeqDistance<uint16_t>(row.from, row.to) == row.distance);
		REQUIRE(IsNewer<uint16_t>(row.to, row.from) == row.toIsNewer);
		REQUIRE(SeqNumber(row.to).IsNewerThan(SeqNumber(row.from)) == row.toIsNewer);
		REQUIRE(SeqNumber(row.to).DistanceFrom(SeqNumber(row.from)) == row.distance);

		// For different values exactly one is newer.
		if (row.from != row.to)
		{
			REQUIRE(IsNewer<uint16_t>(row.to, row.from) != IsNewer<uint16_t>(row.from, row.to));
		}
	}
}

TEST_CASE("32-bit timestamps compare across the wrap", "[SeqNumber]")
{
	REQUIRE(IsNewer<uint32_t>(10u, 4294967290u));
	REQUIRE(SeqDistance<uint32_t>(4294967290u, 10u) == 16);
	REQUIRE(SeqDistance<uint32_t>(10u, 4294967290u) == -16);
	REQUIRE(SeqDistance<uint32_t>(0u, 0x80000000u) == 0x80000000);
	REQUIRE(SeqDistance<uint32_t>(0x80000000u, 0u) == -0x80000000LL);
	REQUIRE(Newest<uint32_t>(4294967290u, 10u) == 10u);
}

TEST_CASE("SeqNumber wraps its arithmetic", "[SeqNumber]")
{
	SeqNumber seq(65534u);

	++seq;
	REQUIRE(seq.Value() == 65535u);
	++seq;
	REQUIRE(seq.Value() == 0u);
	REQUIRE((seq - 1u).Value() == 65535u);
	REQUIRE((seq + 65535u).Value() == 65535u);
	REQUIRE(SeqNumber() == SeqNumber(0u));
}

TEST_CASE("SeqUnwrapper extends sequence numbers to 64 bits", "[SeqNumber]")
{
	SeqNumberUnwrapper unwrapper;
	constexpr uint64_t Cycle = SeqNumberUnwrapper::Cycle;

	SECTION("the first value lands one cycle up")
	{
		REQUIRE(!unwrapper.HasStarted());
		REQUIRE(unwrapper.Peek(5u) == Cycle + 5u);
		REQUIRE(unwrapper.Unwrap(5u) == Cycle + 5u);
		REQUIRE(unwrapper.HasStarted());
		REQUIRE(unwrapper.GetNewest() == Cycle + 5u);
	}

	SECTION("forward across several wraps")
	{
		uint16_t seq      = 65000u;
		uint64_t expected = Cycle + 65000u;

		for (int i = 0; i < 300000; ++i)
		{
			REQUIRE(unwrapper.Unwrap(seq) == expected);

			seq = static_cast<uint16_t>(seq + 7u);
			expected += 7u;
		}

		REQUIRE(expected / Cycle >= 32u);
	}

	SECTION("older values, before the first one and across the wrap, stay positive")
	{
		REQUIRE(unwrapper.Unwrap(2u) == Cycle + 2u);
		REQUIRE(unwrapper.Unwrap(65535u) == Cycle - 1u);
		REQUIRE(unwrapper.Unwrap(65530u) == Cycle - 6u);
		// Older values do not move the reference.
		REQUIRE(unwrapper.GetNewest() == Cycle + 2u);
		REQUIRE(unwrapper.Unwrap(3u) == Cycle + 3u);
		// More than half a cycle ahead is behind; exactly half ahead of a
		// smaller value is ahead.
		REQUIRE(unwrapper.Peek(static_cast<uint16_t>(3u + 32769u)) == Cycle + 3u - 32767u);
		REQUIRE(unwrapper.Peek(static_cast<uint16_t>(3u + 32768u)) == Cycle + 3u + 32768u);
	}

	SECTION("peek does not change the state")
	{
		unwrapper.Unwrap(100u);

		REQUIRE(unwrapper.Peek(200u) == Cycle + 200u);
		REQUIRE(unwrapper.GetNewest() == Cycle + 100u);
	}

	SECTION("reset starts over")
	{
		unwrapper.Unwrap(100u);
		unwrapper.Unwrap(40000u);
		unwrapper.Unwrap(10000u);
		unwrapper.Reset();

		REQUIRE(!unwrapper.HasStarted());
		REQUIRE(unwrapper.Unwrap(7u) == Cycle + 7u);
	}
}

TEST_CASE("RtpTimestampUnwrapper extends timestamps to 64 bits", "[SeqNumber]")
{
	RtpTimestampUnwrapper unwrapper;
	constexpr uint64_t Cycle = RtpTimestampUnwrapper::Cycle;

	REQUIRE(Cycle == 4294967296u);
	REQUIRE(unwrapper.Unwrap(4294967000u) == Cycle + 4294967000u);
	REQUIRE(unwrapper.Unwrap(1000u) == 2u * Cycle + 1000u);
	// A reordered timestamp from before the wrap.
	REQUIRE(unwrapper.Unwrap(4294966000u) == Cycle + 4294966000u);
	REQUIRE(unwrapper.Unwrap(2000000000u) == 2u * Cycle + 2000000000u);
	REQUIRE(unwrapper.Unwrap(4000000000u) == 2u * Cycle + 4000000000u);
	REQUIRE(unwrapper.Unwrap(5u) == 3u * Cycle + 5u);
}
