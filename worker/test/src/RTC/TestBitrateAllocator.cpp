#include "common.hpp"

#include "RTC/BitrateAllocator.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using RTC::BitrateAllocator;
using Entry  = RTC::BitrateAllocator::Entry;
using Layers = RTC::BitrateAllocator::Layers;

namespace
{
	// Three simulcast encodings with three temporal layers each (bit/s of
	// everything forwarded at that layer), as Chrome sends 180p/360p/720p.
	const std::vector<std::vector<uint32_t>> ThreeByThree{
		{ 50000u, 80000u, 100000u },
		{ 200000u, 300000u, 400000u },
		{ 700000u, 1000000u, 1300000u },
	};

	Entry Video(
		const std::string& id, const std::vector<std::vector<uint32_t>>& ladder, uint8_t priority = 1u)
	{
		Entry entry;

		entry.id       = id;
		entry.kind     = BitrateAllocator::Kind::Video;
		entry.priority = priority;

		for (size_t s{ 0u }; s < ladder.size(); ++s)
		{
			for (size_t t{ 0u }; t < ladder[s].size(); ++t)
			{
				entry.bitrates[s][t] = ladder[s][t];
			}
		}

		return entry;
	}

	Entry Audio(const std::string& id, uint32_t bitrate)
	{
		Entry entry;

		entry.id             = id;
		entry.kind           = BitrateAllocator::Kind::Audio;
		entry.bitrates[0][0] = bitrate;

		return entry;
	}

	std::optional<Layers> L(uint8_t spatial, uint8_t temporal)
	{
		return Layers{ spatial, temporal };
	}

	// Layers given to a lone fresh consumer under a budget.
	std::optional<Layers> Alone(const Entry& entry, uint64_t budget)
	{
		BitrateAllocator allocator;
		const std::vector<Entry> entries{ entry };

		return allocator.Allocate(budget, entries, 0u).allocations[0].layers;
	}
} // namespace

TEST_CASE(
	"BitrateAllocator gives a lone consumer the best layer that fits with headroom", "[allocator]")
{
	struct Row
	{
		uint64_t budget;
		std::optional<Layers> expected;
	};

	// A layer is given from scratch when the budget is 1.15 times its bitrate.
	const std::vector<Row> rows{
		{ 0u, std::nullopt },    { 50000u, std::nullopt },  { 57500u, L(0u, 0u) },
		{ 100000u, L(0u, 1u) },  { 115000u, L(0u, 2u) },    { 300000u, L(1u, 0u) },
		{ 600000u, L(1u, 2u) },  { 805000u, L(2u, 0u) },    { 1494999u, L(2u, 1u) },
		{ 1495000u, L(2u, 2u) }, { 100000000u, L(2u, 2u) },
	};

	for (const auto& row : rows)
	{
		INFO("budget " << row.budget);

		BitrateAllocator allocator;
		const std::vector<Entry> entries{ Video("v", ThreeByThree) };
		const auto result = allocator.Allocate(row.budget, entries, 0u);

		REQUIRE(result.allocations.size() == 1u);
		REQUIRE(result.allocations[0].layers == row.expected);

		const uint32_t bitrate =
			row.expected ? ThreeByThree[row.expected->spatial][row.expected->temporal] : 0u;

		REQUIRE(result.allocations[0].bitrate == bitrate);
		REQUIRE(result.usedBitrate == bitrate);
		REQUIRE(result.usedBitrate <= row.budget);
		REQUIRE(result.desiredBitrate == 1300000u);
	}
}

TEST_CASE("BitrateAllocator serves higher priorities first", "[allocator]")
{
	BitrateAllocator allocator;

	SECTION("issue 12: priorities 2 and 1 under 600 kbit/s")
	{
		// The priority-1 consumer is listed first: order of entries is not priority.
		const std::vector<Entry> entries{ Video("low", ThreeByThree, 1u),
																			Video("high", ThreeByThree, 2u) };
		const auto result = allocator.Allocate(600000u, entries, 0u);

		REQUIRE(result.allocations[1].layers == L(1u, 2u));
		REQUIRE(result.allocations[0].layers == L(0u, 2u));
		REQUIRE(result.usedBitrate == 500000u);
	}

	SECTION("equal priorities share one step at a time")
	{
		const std::vector<Entry> entries{ Video("a", ThreeByThree), Video("b", ThreeByThree) };
		const auto result = allocator.Allocate(600000u, entries, 0u);

		REQUIRE(result.allocations[0].layers == L(1u, 1u));
		REQUIRE(result.allocations[1].layers == L(1u, 0u));
	}

	SECTION("everyone gets the lowest layer before a higher priority climbs")
	{
		// Enough for the lowest of both and little more.
		const std::vector<Entry> entries{ Video("low", ThreeByThree, 1u),
																			Video("high", ThreeByThree, 200u) };
		const auto result = allocator.Allocate(130000u, entries, 0u);

		REQUIRE(result.allocations[0].layers == L(0u, 0u));
		REQUIRE(result.allocations[1].layers == L(0u, 0u));
	}

	SECTION("the lowest layer too goes by priority when not all fit")
	{
		const std::vector<Entry> entries{ Video("low", ThreeByThree, 1u),
																			Video("high", ThreeByThree, 3u) };
		const auto result = allocator.Allocate(100000u, entries, 0u);

		REQUIRE(result.allocations[0].layers == std::nullopt);
		REQUIRE(result.allocations[0].bitrate == 0u);
		// And the leftover is its own.
		REQUIRE(result.allocations[1].layers == L(0u, 1u));
	}

	SECTION("priority 0 counts as 1")
	{
		const std::vector<Entry> entries{ Video("zero", ThreeByThree, 0u),
																			Video("one", ThreeByThree, 1u) };
		const auto result = allocator.Allocate(600000u, entries, 0u);

		REQUIRE(result.allocations[0].layers == L(1u, 1u));
		REQUIRE(result.allocations[1].layers == L(1u, 0u));
	}
}

TEST_CASE("BitrateAllocator gives audio its bitrate before any video", "[allocator]")
{
	BitrateAllocator allocator;

	SECTION("audio's bitrate leaves the video a lower layer")
	{
		const std::vector<Entry> entries{ Video("v", ThreeByThree, 255u), Audio("a", 40000u) };
		const auto result = allocator.Allocate(100000u, entries, 0u);

		REQUIRE(result.allocations[1].layers == L(0u, 0u));
		REQUIRE(result.allocations[1].bitrate == 40000u);
		REQUIRE(result.allocations[0].layers == L(0u, 0u));
		REQUIRE(result.usedBitrate == 90000u);
		REQUIRE(result.desiredBitrate == 1340000u);
	}

	SECTION("audio is forwarded even when the budget is smaller")
	{
		const std::vector<Entry> entries{ Audio("a", 40000u), Video("v", ThreeByThree) };
		const auto result = allocator.Allocate(30000u, entries, 0u);

		REQUIRE(result.allocations[0].layers == L(0u, 0u));
		REQUIRE(result.allocations[1].layers == std::nullopt);
		REQUIRE(result.usedBitrate == 40000u);
	}

	SECTION("audio whose bitrate is not known yet is forwarded")
	{
		const std::vector<Entry> entries{ Audio("a", 0u) };
		const auto result = allocator.Allocate(0u, entries, 0u);

		REQUIRE(result.allocations[0].layers == L(0u, 0u));
		REQUIRE(result.allocations[0].bitrate == 0u);
	}
}

TEST_CASE("BitrateAllocator never goes above preferredLayers", "[allocator]")
{
	struct Row
	{
		Layers preferred;
		uint64_t budget;
		std::optional<Layers> expected;
		uint64_t desired;
	};

	const std::vector<Row> rows{
		{ Layers{ 1u, 1u }, 100000000u, L(1u, 1u), 300000u },
		{ Layers{ 0u, 2u }, 100000000u, L(0u, 2u), 100000u },
		{ Layers{ 2u, 0u }, 100000000u, L(2u, 0u), 700000u },
		// Out of range: no bound.
		{ Layers{ 9u, 9u }, 100000000u, L(2u, 2u), 1300000u },
		// Below the preference the budget decides.
		{ Layers{ 2u, 2u }, 300000u, L(1u, 0u), 1300000u },
	};

	for (const auto& row : rows)
	{
		INFO("preferred " << int(row.preferred.spatial) << "/" << int(row.preferred.temporal));

		auto entry            = Video("v", ThreeByThree);
		entry.preferredLayers = row.preferred;

		REQUIRE(Alone(entry, row.budget) == row.expected);

		const std::vector<Entry> entries{ entry };

		REQUIRE(BitrateAllocator::GetDesiredBitrate(entries) == row.desired);
	}
}

TEST_CASE("BitrateAllocator never gives a layer that is not available", "[allocator]")
{
	SECTION("a missing middle encoding is skipped")
	{
		const std::vector<std::vector<uint32_t>> ladder{
			{ 50000u, 80000u, 100000u },
			{ 0u, 0u, 0u },
			{ 700000u, 1000000u, 1300000u },
		};

		REQUIRE(Alone(Video("v", ladder), 600000u) == L(0u, 2u));
		REQUIRE(Alone(Video("v", ladder), 100000000u) == L(2u, 2u));
	}

	SECTION("a missing temporal layer is skipped")
	{
		const std::vector<std::vector<uint32_t>> ladder{
			{ 50000u, 80000u, 100000u },
			{ 200000u, 0u, 400000u },
		};

		REQUIRE(Alone(Video("v", ladder), 400000u) == L(1u, 0u));
		REQUIRE(Alone(Video("v", ladder), 460000u) == L(1u, 2u));
	}

	SECTION("a missing top layer caps the consumer")
	{
		const std::vector<std::vector<uint32_t>> ladder{
			{ 50000u, 80000u, 100000u },
			{ 200000u, 300000u, 0u },
		};

		REQUIRE(Alone(Video("v", ladder), 100000000u) == L(1u, 1u));
	}

	SECTION("nothing available gives nothing")
	{
		REQUIRE(Alone(Video("v", {}), 100000000u) == std::nullopt);
	}

	SECTION("a layer costing as much as a better one is never chosen")
	{
		// 180p at its full frame rate costs more than 360p at the lowest.
		const std::vector<std::vector<uint32_t>> ladder{
			{ 50000u, 150000u, 350000u },
			{ 300000u, 400000u, 500000u },
		};

		REQUIRE(Alone(Video("v", ladder), 402500u) == L(1u, 0u));
		REQUIRE(Alone(Video("v", ladder), 200000u) == L(0u, 1u));
	}
}

TEST_CASE("BitrateAllocator gives paused consumers nothing", "[allocator]")
{
	BitrateAllocator allocator;

	auto pausedVideo   = Video("pv", ThreeByThree, 255u);
	pausedVideo.paused = true;
	auto pausedAudio   = Audio("pa", 40000u);
	pausedAudio.paused = true;

	const std::vector<Entry> entries{ pausedVideo, pausedAudio, Video("v", ThreeByThree) };
	const auto result = allocator.Allocate(600000u, entries, 0u);

	REQUIRE(result.allocations[0].layers == std::nullopt);
	REQUIRE(result.allocations[0].bitrate == 0u);
	REQUIRE(result.allocations[1].layers == std::nullopt);
	REQUIRE(result.allocations[1].bitrate == 0u);
	// The whole budget goes to the one playing.
	REQUIRE(result.allocations[2].layers == L(1u, 2u));
	REQUIRE(result.desiredBitrate == 1300000u);
}

TEST_CASE("BitrateAllocator switches down at once and up only after a stable period", "[allocator]")
{
	BitrateAllocator allocator;
	const std::vector<Entry> entries{ Video("v", ThreeByThree) };
	uint64_t nowUs{ 1000000u };

	auto at = [&](uint64_t budget)
	{
		return allocator.Allocate(budget, entries, nowUs).allocations[0].layers;
	};

	REQUIRE(at(600000u) == L(1u, 2u));

	// Past the longer wait that follows a down-switch (tested below).
	auto settle = [&](uint64_t budget)
	{
		nowUs += BitrateAllocator::RecentDownUs;

		return at(budget);
	};

	SECTION("down at once, keeping what fits without headroom")
	{
		nowUs += 1000u;
		REQUIRE(at(300000u) == L(1u, 1u));
		nowUs += 1000u;
		REQUIRE(at(40000u) == std::nullopt);
	}

	SECTION("up after the budget allowed it for 2.5 s")
	{
		REQUIRE(at(300000u) == L(1u, 1u));
		REQUIRE(settle(300000u) == L(1u, 1u));

		// The first of these starts the wait.
		for (int i = 0; i < 25; ++i)
		{
			nowUs += 100000u;
			REQUIRE(at(600000u) == L(1u, 1u));
		}

		// 2.4 s into the wait so far.
		nowUs += 100000u;
		REQUIRE(at(600000u) == L(1u, 2u));
	}

	SECTION("a budget that dips restarts the wait")
	{
		REQUIRE(at(300000u) == L(1u, 1u));
		REQUIRE(settle(300000u) == L(1u, 1u));
		nowUs += 2000000u;
		REQUIRE(at(600000u) == L(1u, 1u));
		nowUs += 2000000u;
		REQUIRE(at(300000u) == L(1u, 1u));
		nowUs += 2000000u;
		REQUIRE(at(600000u) == L(1u, 1u));
		nowUs += 2000000u;
		REQUIRE(at(600000u) == L(1u, 1u));
		nowUs += 500000u;
		REQUIRE(at(600000u) == L(1u, 2u));
	}

	SECTION("a noisy estimate does not make layers oscillate")
	{
		// 300 kbit/s and 600 kbit/s in turn every 500 ms for a minute.
		std::optional<Layers> last = at(300000u);
		size_t changes{ 0u };

		for (int i = 0; i < 120; ++i)
		{
			nowUs += 500000u;

			const auto layers = at(i % 2 == 0 ? 600000u : 300000u);

			if (layers != last)
			{
				++changes;
			}

			last = layers;
		}

		REQUIRE(changes == 0u);
		REQUIRE(last == L(1u, 1u));
	}

	SECTION("the next layer needs headroom to be taken")
	{
		REQUIRE(at(300000u) == L(1u, 1u));
		REQUIRE(settle(300000u) == L(1u, 1u));

		// 400 kbit/s fit but not with 15 % to spare.
		for (int i = 0; i < 100; ++i)
		{
			nowUs += 100000u;
			REQUIRE(at(459000u) == L(1u, 1u));
		}

		nowUs += 100000u;
		REQUIRE(at(460000u) == L(1u, 1u));
		nowUs += UINT64_C(2500000);
		REQUIRE(at(460000u) == L(1u, 2u));
	}

	SECTION("up to the lowest the budget allowed over the period")
	{
		REQUIRE(at(300000u) == L(1u, 1u));
		REQUIRE(settle(300000u) == L(1u, 1u));
		nowUs += 100000u;
		REQUIRE(at(100000000u) == L(1u, 1u));
		nowUs += 1000000u;
		REQUIRE(at(600000u) == L(1u, 1u));
		nowUs += 1500000u;
		REQUIRE(at(100000000u) == L(1u, 2u));
		// The rest was allowed only since the last call.
		nowUs += 2400000u;
		REQUIRE(at(100000000u) == L(1u, 2u));
		nowUs += 100000u;
		REQUIRE(at(100000000u) == L(2u, 2u));
	}

	SECTION("time going back counts as none passing")
	{
		REQUIRE(at(300000u) == L(1u, 1u));
		REQUIRE(settle(300000u) == L(1u, 1u));
		nowUs += 1000000u;
		REQUIRE(at(600000u) == L(1u, 1u));
		nowUs -= 500000u;
		REQUIRE(at(600000u) == L(1u, 1u));
		nowUs += 2400000u;
		REQUIRE(at(600000u) == L(1u, 1u));
		nowUs += 100000u;
		REQUIRE(at(600000u) == L(1u, 2u));
	}

	SECTION("a consumer dropped to nothing waits too")
	{
		REQUIRE(at(40000u) == std::nullopt);
		REQUIRE(settle(40000u) == std::nullopt);
		nowUs += 100000u;
		REQUIRE(at(600000u) == std::nullopt);
		nowUs += 2500000u;
		REQUIRE(at(600000u) == L(1u, 2u));
	}

	SECTION("just after a down-switch, up only after the longer wait")
	{
		REQUIRE(at(300000u) == L(1u, 1u));

		for (uint64_t waitedUs = 100000u; waitedUs < BitrateAllocator::UpHoldAfterDownUs;
				 waitedUs += 100000u)
		{
			nowUs += 100000u;
			REQUIRE(at(600000u) == L(1u, 1u));
		}

		nowUs += 200000u;
		REQUIRE(at(600000u) == L(1u, 2u));
	}
}

TEST_CASE("BitrateAllocator starts consumers it has not seen", "[allocator]")
{
	BitrateAllocator allocator;
	uint64_t nowUs{ 0u };

	SECTION("one already forwarding climbs from its current layers after the wait")
	{
		auto entry          = Video("v", ThreeByThree);
		entry.currentLayers = Layers{ 0u, 0u };
		const std::vector<Entry> entries{ entry };

		REQUIRE(allocator.Allocate(100000000u, entries, nowUs).allocations[0].layers == L(0u, 0u));
		nowUs += 2500000u;
		REQUIRE(allocator.Allocate(100000000u, entries, nowUs).allocations[0].layers == L(2u, 2u));
	}

	SECTION("consumers no longer given are forgotten, and start afresh when back")
	{
		std::vector<Entry> entries{ Video("a", ThreeByThree), Video("b", ThreeByThree) };

		allocator.Allocate(100000u, entries, nowUs);
		REQUIRE(allocator.GetRememberedCount() == 2u);

		const std::vector<Entry> onlyA{ entries[0] };

		nowUs += 100000u;
		allocator.Allocate(100000u, onlyA, nowUs);
		REQUIRE(allocator.GetRememberedCount() == 1u);

		entries[0].paused = true;
		nowUs += 100000u;
		// "b" is back and starts at the top at once; paused "a" is forgotten.
		REQUIRE(allocator.Allocate(100000000u, entries, nowUs).allocations[1].layers == L(2u, 2u));
		REQUIRE(allocator.GetRememberedCount() == 1u);

		entries[0].paused = false;
		nowUs += 100000u;
		const auto result = allocator.Allocate(100000000u, entries, nowUs);

		REQUIRE(result.allocations[0].layers == L(2u, 2u));
		REQUIRE(result.allocations[1].layers == L(2u, 2u));
	}
}

TEST_CASE("BitrateAllocator handles many consumers in one bounded pass", "[allocator]")
{
	// O(n * 16) steps at most: 500 consumers, every one climbing the whole
	// ladder within a huge budget, plus rounds at budgets that stop midway.
	constexpr size_t Count{ 500u };
	BitrateAllocator allocator;
	std::vector<Entry> entries;

	for (size_t i{ 0u }; i < Count; ++i)
	{
		entries.push_back(
			Video("v" + std::to_string(i), ThreeByThree, static_cast<uint8_t>(1u + i % 3u)));
	}

	entries.push_back(Audio("a", 40000u));

	SECTION("everyone at the top when the budget allows")
	{
		const auto result = allocator.Allocate(UINT64_C(1000000000), entries, 0u);

		for (size_t i{ 0u }; i < Count; ++i)
		{
			REQUIRE(result.allocations[i].layers == L(2u, 2u));
		}

		REQUIRE(result.usedBitrate == Count * 1300000u + 40000u);
		REQUIRE(result.desiredBitrate == result.usedBitrate);
		REQUIRE(allocator.GetRememberedCount() == Count);
	}

	SECTION("a tight budget: priorities in order, nothing left that a next step fits")
	{
		const uint64_t budget = 40000u + Count * 150000u;
		const auto result     = allocator.Allocate(budget, entries, 0u);

		REQUIRE(result.usedBitrate <= budget);

		const uint64_t leftover = budget - result.usedBitrate;
		// The ladder as steps: 0 = nothing, k = k-th layer in (spatial, temporal) order.
		const std::vector<uint32_t> steps{ 0u,      50000u,  80000u,  100000u,  200000u,
																			 300000u, 400000u, 700000u, 1000000u, 1300000u };
		std::array<size_t, 4> lowest{ 100u, 100u, 100u, 100u };
		std::array<size_t, 4> highest{ 0u, 0u, 0u, 0u };

		for (size_t i{ 0u }; i < Count; ++i)
		{
			const auto& layers  = result.allocations[i].layers;
			const size_t rank   = layers ? 1u + layers->spatial * 3u + layers->temporal : 0u;
			const auto priority = entries[i].priority;

			// Everyone gets the lowest layer before anyone climbs.
			REQUIRE(rank >= 1u);

			lowest[priority]  = std::min(lowest[priority], rank);
			highest[priority] = std::max(highest[priority], rank);

			// The budget is used up: no consumer's next step fits what is left.
			if (rank < steps.size() - 1u)
			{
				const uint64_t next = steps[rank + 1u];

				REQUIRE(next - steps[rank] + next * 15u / 100u > leftover);
			}
		}

		// Higher priorities get their share first.
		REQUIRE(lowest[3] > highest[2]);
		REQUIRE(lowest[2] >= highest[1]);
		// Equal priorities climb in turn: within one step of each other where
		// their next steps cost more than what is left (priority 3 here).
		REQUIRE(highest[3] - lowest[3] <= 1u);
	}
}
