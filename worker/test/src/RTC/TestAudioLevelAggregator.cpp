#include "common.hpp"

#include "RTC/AudioLevelAggregator.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using RTC::AudioLevelAggregator;
using Report = AudioLevelAggregator::Report;

namespace
{
	// The volumes as (producerId, dBov) pairs, easier to compare.
	std::vector<std::pair<std::string, int>>
	Pairs(const std::vector<AudioLevelAggregator::Volume>& volumes)
	{
		std::vector<std::pair<std::string, int>> pairs;

		for (const auto& volume : volumes)
		{
			pairs.emplace_back(volume.producerId, volume.volume);
		}

		return pairs;
	}

	void
	AddLevels(AudioLevelAggregator& aggregator, const std::string& id, std::vector<uint8_t> levels)
	{
		for (const auto level : levels)
		{
			aggregator.AddLevel(id, level);
		}
	}
} // namespace

TEST_CASE("AudioLevelAggregator clamps its options", "[AudioLevelAggregator]")
{
	struct Row
	{
		size_t maxEntries;
		int8_t threshold;
		size_t expectedMaxEntries;
		int8_t expectedThreshold;
	};

	// clang-format off
	const std::vector<Row> rows =
	{
		// maxEntries, threshold, clamped maxEntries, clamped threshold
		{  1,  -80,  1,  -80 },
		{  0,  -80,  1,  -80 },
		{ 10,    0, 10,    0 },
		{ 10,   10, 10,    0 },
		{ 10, -127, 10, -127 },
		{ 10, -128, 10, -127 },
	};
	// clang-format on

	for (const auto& row : rows)
	{
		INFO("maxEntries " << row.maxEntries << ", threshold " << static_cast<int>(row.threshold));

		const AudioLevelAggregator aggregator(row.maxEntries, row.threshold);

		REQUIRE(aggregator.GetMaxEntries() == row.expectedMaxEntries);
		REQUIRE(aggregator.GetThreshold() == row.expectedThreshold);
	}
}

TEST_CASE("AudioLevelAggregator averages each interval", "[AudioLevelAggregator]")
{
	AudioLevelAggregator aggregator(10u, -127);
	std::vector<AudioLevelAggregator::Volume> volumes;

	aggregator.AddProducer("a");

	struct Row
	{
		std::vector<uint8_t> levels;
		int expectedVolume;
	};

	// clang-format off
	const std::vector<Row> rows =
	{
		// RFC 6464 levels (-dBov), reported dBov
		{ { 30 },              -30 },
		{ { 30, 40 },          -35 },
		// 30.5 rounds away from 0 dBov, 30.33 towards it.
		{ { 30, 31 },          -31 },
		{ { 30, 30, 31 },      -30 },
		{ { 0, 0, 0 },           0 },
		{ { 127, 127 },       -127 },
		{ { 0, 127 },          -64 },
	};
	// clang-format on

	for (const auto& row : rows)
	{
		AddLevels(aggregator, "a", row.levels);

		// Each CloseInterval() starts over: earlier rows do not leak in.
		REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);
		REQUIRE(
			Pairs(volumes) == std::vector<std::pair<std::string, int>>{ { "a", row.expectedVolume } });
	}
}

TEST_CASE("AudioLevelAggregator reports the loudest first", "[AudioLevelAggregator]")
{
	std::vector<AudioLevelAggregator::Volume> volumes;

	SECTION("sorted by volume, at most maxEntries")
	{
		AudioLevelAggregator aggregator(2u, -127);

		for (const auto* id : { "a", "b", "c" })
		{
			aggregator.AddProducer(id);
		}

		AddLevels(aggregator, "a", { 50, 50 });
		AddLevels(aggregator, "b", { 20, 20 });
		AddLevels(aggregator, "c", { 35, 35 });

		REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);
		REQUIRE(
			Pairs(volumes) == std::vector<std::pair<std::string, int>>{ { "b", -20 }, { "c", -35 } });
	}

	SECTION("only averages at or above the threshold")
	{
		AudioLevelAggregator aggregator(10u, -40);

		for (const auto* id : { "a", "b", "c" })
		{
			aggregator.AddProducer(id);
		}

		AddLevels(aggregator, "a", { 41 });
		AddLevels(aggregator, "b", { 40 });
		AddLevels(aggregator, "c", { 10, 90 });

		REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);
		REQUIRE(Pairs(volumes) == std::vector<std::pair<std::string, int>>{ { "b", -40 } });
	}

	SECTION("equal volumes in Producer id order")
	{
		AudioLevelAggregator aggregator(10u, -127);

		for (const auto* id : { "z", "m", "a" })
		{
			aggregator.AddProducer(id);
			AddLevels(aggregator, id, { 33 });
		}

		REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);
		REQUIRE(
			Pairs(volumes) ==
			std::vector<std::pair<std::string, int>>{ { "a", -33 }, { "m", -33 }, { "z", -33 } });
	}

	SECTION("Producers that sent nothing are left out")
	{
		AudioLevelAggregator aggregator(10u, -127);

		aggregator.AddProducer("a");
		aggregator.AddProducer("b");
		AddLevels(aggregator, "b", { 60 });

		REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);
		REQUIRE(Pairs(volumes) == std::vector<std::pair<std::string, int>>{ { "b", -60 } });
	}
}

TEST_CASE("AudioLevelAggregator reports silence once, on the transition", "[AudioLevelAggregator]")
{
	AudioLevelAggregator aggregator(1u, -50);
	std::vector<AudioLevelAggregator::Volume> volumes;

	aggregator.AddProducer("a");

	// Silent from the start: nothing to announce.
	REQUIRE(aggregator.IsSilent());
	REQUIRE(aggregator.CloseInterval(volumes) == Report::NONE);
	REQUIRE(volumes.empty());

	// Quiet (below the threshold) is silence too.
	AddLevels(aggregator, "a", { 80, 80 });
	REQUIRE(aggregator.CloseInterval(volumes) == Report::NONE);

	AddLevels(aggregator, "a", { 20 });
	REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);
	REQUIRE_FALSE(aggregator.IsSilent());

	AddLevels(aggregator, "a", { 20 });
	REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);

	// Nothing sent: silence, once.
	REQUIRE(aggregator.CloseInterval(volumes) == Report::SILENCE);
	REQUIRE(volumes.empty());
	REQUIRE(aggregator.CloseInterval(volumes) == Report::NONE);

	AddLevels(aggregator, "a", { 90 });
	REQUIRE(aggregator.CloseInterval(volumes) == Report::NONE);

	// Loud again, then quiet: another silence.
	AddLevels(aggregator, "a", { 10 });
	REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);
	AddLevels(aggregator, "a", { 90 });
	REQUIRE(aggregator.CloseInterval(volumes) == Report::SILENCE);
}

TEST_CASE("AudioLevelAggregator pausing", "[AudioLevelAggregator]")
{
	AudioLevelAggregator aggregator(1u, -127);
	std::vector<AudioLevelAggregator::Volume> volumes;

	aggregator.AddProducer("a");

	SECTION("when silent, nothing to report")
	{
		REQUIRE_FALSE(aggregator.Pause());
	}

	SECTION("after volumes, a silence, and the interval is dropped")
	{
		AddLevels(aggregator, "a", { 10 });
		REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);

		AddLevels(aggregator, "a", { 10 });
		REQUIRE(aggregator.Pause());
		REQUIRE(aggregator.IsSilent());
		REQUIRE_FALSE(aggregator.Pause());

		// What came before the pause is gone.
		REQUIRE(aggregator.CloseInterval(volumes) == Report::NONE);
		REQUIRE(volumes.empty());
	}
}

TEST_CASE("AudioLevelAggregator Producers", "[AudioLevelAggregator]")
{
	AudioLevelAggregator aggregator(10u, -127);
	std::vector<AudioLevelAggregator::Volume> volumes;

	aggregator.AddProducer("a");
	aggregator.AddProducer("b");

	SECTION("levels of unknown Producers are ignored")
	{
		AddLevels(aggregator, "x", { 10 });

		REQUIRE_FALSE(aggregator.HasProducer("x"));
		REQUIRE(aggregator.CloseInterval(volumes) == Report::NONE);
	}

	SECTION("levels that do not fit 7 bits are ignored")
	{
		AddLevels(aggregator, "a", { 128, 255, 40 });

		REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);
		REQUIRE(Pairs(volumes) == std::vector<std::pair<std::string, int>>{ { "a", -40 } });
	}

	SECTION("adding a Producer again keeps what it sent")
	{
		AddLevels(aggregator, "a", { 40 });
		aggregator.AddProducer("a");

		REQUIRE(aggregator.GetProducerCount() == 2u);
		REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);
		REQUIRE(Pairs(volumes) == std::vector<std::pair<std::string, int>>{ { "a", -40 } });
	}

	SECTION("a removed Producer is not reported")
	{
		AddLevels(aggregator, "a", { 40 });
		AddLevels(aggregator, "b", { 50 });
		aggregator.RemoveProducer("a");

		REQUIRE_FALSE(aggregator.HasProducer("a"));
		REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);
		REQUIRE(Pairs(volumes) == std::vector<std::pair<std::string, int>>{ { "b", -50 } });
	}

	SECTION("a reset Producer counts only what it sends afterwards")
	{
		AddLevels(aggregator, "a", { 0, 0, 0 });
		aggregator.ResetProducer("a");
		AddLevels(aggregator, "a", { 60 });

		REQUIRE(aggregator.CloseInterval(volumes) == Report::VOLUMES);
		REQUIRE(Pairs(volumes) == std::vector<std::pair<std::string, int>>{ { "a", -60 } });
	}
}
