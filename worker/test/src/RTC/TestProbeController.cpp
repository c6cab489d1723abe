#include "common.hpp"

#include "RTC/ProbeController.hpp"
#include "RTC/ProbeRateEstimator.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <optional>
#include <vector>

using RTC::ProbeController;
using RTC::ProbeRateEstimator;
using State = RTC::ProbeController::State;

namespace
{
	constexpr uint64_t Second{ 1000000u };
	constexpr uint64_t StartUs{ 10u * Second };

	// The controller over simulated time, with a path that lets a probe
	// through at min(its bitrate, capacity) (no result at all when the path
	// takes nothing) 100 ms after it is asked for, and an estimate that
	// takes each probe result (as SendSideBandwidthEstimator does).
	class Harness
	{
	public:
		struct Probe
		{
			uint64_t us;
			ProbeController::Cluster cluster;
		};

		explicit Harness(uint32_t estimate, uint32_t desired, uint32_t maxBitrate = 0u)
				: estimate(estimate), maxBitrate(maxBitrate)
		{
			this->controller.SetMaxBitrate(maxBitrate);
			this->controller.SetDesiredBitrate(desired);
			this->controller.SetEstimate(estimate, false);
			this->controller.SetMediaFlowing(true);
		}

		// Runs until `endUs`, in 10 ms steps.
		void RunUntil(uint64_t endUs)
		{
			for (; this->nowUs < endUs; this->nowUs += 10000u)
			{
				Step();
			}
		}

		void Step()
		{
			this->controller.SetEstimate(this->estimate, this->limited);

			while (const auto cluster = this->controller.Poll(this->nowUs))
			{
				this->probes.push_back({ this->nowUs, *cluster });
				this->inFlight.push_back({ this->nowUs, *cluster });
			}

			bool fed{ false };

			while (!this->inFlight.empty() && this->inFlight.front().us + 100000u <= this->nowUs)
			{
				const auto cluster = this->inFlight.front().cluster;

				this->inFlight.erase(this->inFlight.begin());

				const uint64_t capacity = this->capacity(this->nowUs);

				if (capacity == 0u)
				{
					continue;
				}

				const uint32_t measured =
					static_cast<uint32_t>(std::min<uint64_t>(cluster.bitrate, capacity));

				Measure(cluster.id, measured);

				this->estimate = std::max(this->estimate, measured);

				if (this->maxBitrate != 0u)
				{
					this->estimate = std::min(this->estimate, this->maxBitrate);
				}

				fed = true;
			}

			this->controller.SetEstimate(this->estimate, this->limited);

			// Feedback every 100 ms, whether it carries probe results or not.
			if (fed || this->nowUs % 100000u == 0u)
			{
				this->controller.ReadProbeResults(this->rates, this->nowUs);
			}
		}

		std::vector<uint32_t> Bitrates() const
		{
			std::vector<uint32_t> bitrates;

			for (const auto& probe : this->probes)
			{
				bitrates.push_back(probe.cluster.bitrate);
			}

			return bitrates;
		}

	private:
		// Ten 1125-byte packets (9000 bits: whole gaps for the bitrates used
		// here) sent at `bitrate` and arriving at it.
		void Measure(uint32_t id, uint32_t bitrate)
		{
			const uint64_t gapUs = 9000u * Second / bitrate;

			for (uint64_t i{ 0u }; i < 10u; ++i)
			{
				this->rates.AddPacket(
					{ this->nowUs - 50000u + i * gapUs, this->nowUs - 30000u + i * gapUs, 1125u, id },
					this->nowUs);
			}
		}

	public:
		ProbeController controller;
		ProbeRateEstimator rates;
		uint64_t nowUs{ StartUs };
		uint32_t estimate{ 0u };
		uint32_t maxBitrate{ 0u };
		bool limited{ false };
		std::function<uint64_t(uint64_t)> capacity{ [](uint64_t)
																								{
																									return 100000000u;
																								} };
		std::vector<Probe> probes;
		std::vector<Probe> inFlight;
	};
} // namespace

TEST_CASE("ProbeController sends the initial pair when media starts", "[probe]")
{
	struct Row
	{
		uint32_t estimate;
		uint32_t desired;
		uint32_t max;
		std::vector<uint32_t> expected;
	};

	const auto row = GENERATE(
		// 3x and 6x the estimate.
		Row{ 600000u, 5000000u, 0u, { 1800000u, 3600000u } },
		// The second capped by what is wanted plus 25 %.
		Row{ 600000u, 2000000u, 0u, { 1800000u, 2500000u } },
		// Both capped alike: one cluster.
		Row{ 600000u, 1000000u, 0u, { 1250000u } },
		// The maximum caps both.
		Row{ 600000u, 5000000u, 1000000u, { 1000000u } },
		Row{ 600000u, 5000000u, 2000000u, { 1800000u, 2000000u } },
		// A maximum hardly above the estimate: not worth probing.
		Row{ 600000u, 5000000u, 640000u, {} },
		// Nothing wanted above the estimate.
		Row{ 600000u, 600000u, 0u, {} },
		Row{ 600000u, 300000u, 0u, {} });

	ProbeController controller;

	controller.SetMaxBitrate(row.max);
	controller.SetDesiredBitrate(row.desired);
	controller.SetEstimate(row.estimate, false);

	// Not before media flows.
	REQUIRE_FALSE(controller.Poll(StartUs));
	REQUIRE_FALSE(controller.GetNextDeadlineUs());

	controller.SetMediaFlowing(true);

	std::vector<uint32_t> bitrates;
	std::vector<uint32_t> ids;

	while (const auto cluster = controller.Poll(StartUs))
	{
		bitrates.push_back(cluster->bitrate);
		ids.push_back(cluster->id);
	}

	INFO("estimate " << row.estimate << ", desired " << row.desired << ", max " << row.max);
	REQUIRE(bitrates == row.expected);

	if (row.expected.empty())
	{
		REQUIRE(controller.GetState() == State::Init);
	}
	else
	{
		REQUIRE(controller.GetState() == State::Probing);
		REQUIRE(ids.front() == 1u);
		REQUIRE(std::is_sorted(ids.begin(), ids.end()));
	}
}

TEST_CASE("ProbeController waits for the allocation to want more", "[probe]")
{
	// Audio only first: no probing, whatever the time.
	Harness harness(600000u, 100000u);

	harness.RunUntil(StartUs + 30u * Second);

	REQUIRE(harness.probes.empty());
	REQUIRE(harness.controller.GetState() == State::Init);

	// Video is consumed: the initial pair goes at once.
	harness.controller.SetDesiredBitrate(2000000u);
	harness.Step();

	REQUIRE(harness.Bitrates() == std::vector<uint32_t>{ 1800000u, 2500000u });
}

TEST_CASE("ProbeController grows exponentially while probes come through", "[probe]")
{
	// A 10 Mbit/s path, 20 Mbit/s wanted.
	Harness harness(600000u, 20000000u);

	harness.capacity = [](uint64_t)
	{
		return 10000000u;
	};
	harness.RunUntil(StartUs + Second);

	const auto bitrates = harness.Bitrates();

	// 1.8 and 3.6 M came through: 7.2 M, which came through: 14.4 M, which
	// got 10 M (69 %): the path is full there, the episode ends.
	REQUIRE(bitrates == std::vector<uint32_t>{ 1800000u, 3600000u, 7200000u, 14400000u });
	REQUIRE(harness.estimate == 10000000u);
	REQUIRE(harness.controller.GetState() == State::Idle);
	REQUIRE(harness.controller.GetSucceededCount() == 3u);
	REQUIRE(harness.controller.GetFailedCount() == 1u);
	// Each step waits for the previous one's result.
	REQUIRE(harness.probes[2].us >= harness.probes[1].us + 100000u);
	REQUIRE(harness.probes[3].us >= harness.probes[2].us + 100000u);
}

TEST_CASE("ProbeController stops at what is wanted plus the margin", "[probe]")
{
	Harness harness(600000u, 4000000u);

	harness.RunUntil(StartUs + 20u * Second);

	// 1.8, 3.6 M, then 5 M (4 M + 25 %); the estimate is above what is
	// wanted: no more probing.
	REQUIRE(harness.Bitrates() == std::vector<uint32_t>{ 1800000u, 3600000u, 5000000u });
	REQUIRE(harness.estimate == 5000000u);
	REQUIRE(harness.controller.GetState() == State::Idle);
	REQUIRE_FALSE(harness.controller.GetNextDeadlineUs());
}

TEST_CASE("ProbeController never probes above the maximum", "[probe]")
{
	const uint32_t max = GENERATE(700000u, 1000000u, 2500000u, 7000000u);
	Harness harness(600000u, 20000000u, max);

	harness.RunUntil(StartUs + 60u * Second);

	INFO("max " << max);

	for (const auto& probe : harness.probes)
	{
		REQUIRE(probe.cluster.bitrate <= max);
	}

	REQUIRE(harness.estimate <= max);

	// Setting a lower one afterwards: nothing above it either.
	harness.controller.SetMaxBitrate(650000u);
	harness.probes.clear();
	harness.RunUntil(harness.nowUs + 60u * Second);

	for (const auto& probe : harness.probes)
	{
		REQUIRE(probe.cluster.bitrate <= 650000u);
	}
}

TEST_CASE("ProbeController backs off when probes find nothing", "[probe]")
{
	// A path that carries nothing more: every probe times out.
	Harness harness(600000u, 3000000u);

	harness.capacity = [](uint64_t)
	{
		return 0u;
	};
	harness.RunUntil(StartUs + 56u * Second);

	// The initial pair at 0 s, then single probes at 3, 8, 17, 26, 35, 44
	// and 53 s.
	REQUIRE(harness.probes.size() == 9u);
	REQUIRE(harness.controller.GetTimedOutCount() == 9u);
	REQUIRE(harness.controller.GetFailedCount() == 9u);
	// Single probes at twice the estimate.
	REQUIRE(harness.probes[2].cluster.bitrate == 1200000u);

	// Gaps between episodes, after the result timeout: 2, 4, then 8 s.
	std::vector<uint64_t> gapsUs;

	for (size_t i{ 2u }; i < harness.probes.size(); ++i)
	{
		gapsUs.push_back(
			harness.probes[i].us - harness.probes[i - 1u].us - ProbeController::ResultTimeoutUs);
	}

	REQUIRE(
		gapsUs ==
		std::vector<uint64_t>{
			2u * Second, 4u * Second, 8u * Second, 8u * Second, 8u * Second, 8u * Second, 8u * Second });

	// Idle until 62 s.
	REQUIRE(harness.controller.GetState() == State::Idle);
	REQUIRE(*harness.controller.GetNextDeadlineUs() == StartUs + 62u * Second);

	SECTION("until the allocation wants much more")
	{
		harness.controller.SetDesiredBitrate(4000000u);

		REQUIRE(*harness.controller.GetNextDeadlineUs() == StartUs + 62u * Second);

		harness.controller.SetDesiredBitrate(4500000u);

		REQUIRE(*harness.controller.GetNextDeadlineUs() <= harness.nowUs);

		harness.Step();

		REQUIRE(harness.probes.size() == 10u);
	}

	SECTION("until the maximum is raised")
	{
		// From none to one: not a raise.
		harness.controller.SetMaxBitrate(2000000u);

		REQUIRE(*harness.controller.GetNextDeadlineUs() == StartUs + 62u * Second);

		harness.controller.SetMaxBitrate(2500000u);

		REQUIRE(*harness.controller.GetNextDeadlineUs() <= harness.nowUs);

		harness.Step();

		REQUIRE(harness.probes.size() == 10u);
	}
}

TEST_CASE("ProbeController does not probe a limited estimate", "[probe]")
{
	Harness harness(600000u, 3000000u);

	SECTION("over-use or loss before media starts")
	{
		harness.limited = true;
		harness.RunUntil(StartUs + 10u * Second);

		REQUIRE(harness.probes.empty());

		harness.limited = false;
		harness.RunUntil(harness.nowUs + 20000u);

		REQUIRE(harness.probes.size() == 2u);
	}

	SECTION("stops the exponential phase")
	{
		harness.controller.SetDesiredBitrate(50000000u);
		harness.Step();

		REQUIRE(harness.probes.size() == 2u);

		harness.limited = true;
		harness.RunUntil(StartUs + 10u * Second);

		REQUIRE(harness.probes.size() == 2u);
		REQUIRE(harness.controller.GetState() == State::Idle);
	}
}

TEST_CASE("ProbeController stops when media stops", "[probe]")
{
	Harness harness(600000u, 3000000u);

	harness.capacity = [](uint64_t)
	{
		return 0u;
	};
	harness.RunUntil(StartUs + 5u * Second);

	const size_t before = harness.probes.size();

	harness.controller.SetMediaFlowing(false);
	harness.RunUntil(harness.nowUs + 60u * Second);

	REQUIRE(harness.probes.size() == before);
	REQUIRE_FALSE(harness.controller.GetNextDeadlineUs());
}
