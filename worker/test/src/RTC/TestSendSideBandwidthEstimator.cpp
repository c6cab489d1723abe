#include "common.hpp"

#include "RTC/PacketResult.hpp"
#include "RTC/SendSideBandwidthEstimator.hpp"
#include "RTC/SendSideSimulatedLink.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using RTC::LossBasedEstimator;
using RTC::PacketResult;
using RTC::SendSideBandwidthEstimator;

namespace
{
	constexpr uint64_t Second{ 1000000u };
	// SendSideSimulatedLink's clock starts here.
	constexpr uint64_t StartUs{ 1000000u };

	// Packets of `size` bytes sent every `intervalUs` from `sendUs` on, each
	// arriving `delayUs` later (a clear path), as one feedback.
	std::vector<PacketResult> ClearPath(
		uint64_t sendUs,
		uint64_t intervalUs,
		size_t count,
		size_t size      = 1200u,
		uint64_t delayUs = 20000u)
	{
		std::vector<PacketResult> results;

		for (size_t i{ 0u }; i < count; ++i)
		{
			const uint64_t us = sendUs + i * intervalUs;

			results.push_back({ us, us + delayUs, size, std::nullopt });
		}

		return results;
	}

	// Drives `estimator` over a clear path at the rate it targets, for
	// `durationUs` from `startUs`, one feedback every 50 ms. Returns the end.
	uint64_t
	FollowTarget(SendSideBandwidthEstimator& estimator, uint64_t startUs, uint64_t durationUs)
	{
		uint64_t nowUs = startUs;

		while (nowUs < startUs + durationUs)
		{
			const uint64_t intervalUs = 8u * 1200u * Second / estimator.GetTargetBitrate();
			const size_t count        = std::max<size_t>(1u, 50000u / intervalUs);

			estimator.ReceiveFeedback(ClearPath(nowUs, intervalUs, count), nowUs + 70000u);
			nowUs += count * intervalUs;
		}

		return nowUs;
	}
} // namespace

TEST_CASE(
	"SendSideBandwidthEstimator follows a bottleneck stepping 2 M, 300 k, 2 Mbit/s", "[send-bwe]")
{
	// Issue 12's acceptance, 20 s per step: random loss of 1-3 % (a new
	// rate every second), 0-30 ms of jitter, a 300 ms drop-tail queue, and
	// 1 Mbit/s of cross traffic from 50 to 52 s. The sender sends at the
	// target. Several seeds, so no lucky draw passes it.
	const uint32_t seed = GENERATE(range(1u, 9u));

	std::mt19937 lossRandom(seed + 1000u);
	std::vector<double> lossRates;

	for (size_t i{ 0u }; i < 61u; ++i)
	{
		lossRates.push_back(std::uniform_real_distribution<double>(0.01, 0.03)(lossRandom));
	}

	const auto secondOf = [](uint64_t nowUs)
	{
		return (nowUs - StartUs) / Second;
	};
	const auto capacityAt = [&](uint64_t nowUs) -> uint64_t
	{
		const uint64_t s = secondOf(nowUs);

		return s >= 20u && s < 40u ? 300000u : 2000000u;
	};

	SendSideSimulatedLink link({
		.capacity     = capacityAt,
		.crossTraffic = [&](uint64_t nowUs) -> uint64_t
		{
			const uint64_t s = secondOf(nowUs);

			return s >= 50u && s < 52u ? 1000000u : 0u;
		},
		.lossRate = [&](uint64_t nowUs) { return lossRates[secondOf(nowUs)]; },
		.seed     = seed,
	});

	// When the target first reached 80 % of the capacity after each step
	// up, and first went under the capacity after the step down.
	std::optional<uint64_t> reachedAtStartUs;
	std::optional<uint64_t> reachedAfterStepUpUs;
	std::optional<uint64_t> backedOffUs;
	// Steady state: the last 8 s of each step (from 12 s, 32 s, and 4 s after the burst).
	struct Window
	{
		uint64_t fromS;
		uint64_t toS;
		std::vector<double> targets;
		uint64_t sent{ 0u };
		uint64_t drops{ 0u };
	};
	std::vector<Window> windows{ { 12u, 20u, {} }, { 32u, 40u, {} }, { 56u, 60u, {} } };

	link.Run(
		StartUs + 60u * Second,
		10000u,
		[&](uint64_t nowUs)
		{
			const uint64_t t      = nowUs - StartUs;
			const double target   = link.GetEstimator().GetTargetBitrate();
			const double capacity = static_cast<double>(capacityAt(nowUs));

			if (!reachedAtStartUs && target >= 0.8 * capacity)
			{
				reachedAtStartUs = t;
			}

			if (t >= 20u * Second && !backedOffUs && target < capacity)
			{
				backedOffUs = t - 20u * Second;
			}

			if (t >= 40u * Second && !reachedAfterStepUpUs && target >= 0.8 * capacity)
			{
				reachedAfterStepUpUs = t - 40u * Second;
			}

			for (auto& window : windows)
			{
				if (t == window.fromS * Second)
				{
					window.sent  = link.GetSent();
					window.drops = link.GetQueueDrops();
				}
				else if (t == window.toS * Second - 10000u)
				{
					window.sent  = link.GetSent() - window.sent;
					window.drops = link.GetQueueDrops() - window.drops;
				}

				if (t >= window.fromS * Second && t < window.toS * Second)
				{
					window.targets.push_back(target);
				}
			}
		});

	INFO("seed " << seed);
	REQUIRE(reachedAtStartUs);
	CHECK(*reachedAtStartUs <= 5u * Second);
	REQUIRE(backedOffUs);
	CHECK(*backedOffUs <= 1u * Second);
	REQUIRE(reachedAfterStepUpUs);
	CHECK(*reachedAfterStepUpUs <= 5u * Second);

	for (const auto& window : windows)
	{
		double sum{ 0.0 };

		for (const double target : window.targets)
		{
			sum += target;
		}

		const double mean      = sum / static_cast<double>(window.targets.size());
		const auto [low, high] = std::minmax_element(window.targets.begin(), window.targets.end());
		const double congestionLoss =
			static_cast<double>(window.drops) / static_cast<double>(window.sent);
		// The rate over each second (100 samples): what a receiver gets.
		double lowSecond{ std::numeric_limits<double>::max() };
		double highSecond{ 0.0 };

		for (size_t i{ 0u }; i + 100u <= window.targets.size(); i += 100u)
		{
			double secondSum{ 0.0 };

			for (size_t j{ i }; j < i + 100u; ++j)
			{
				secondSum += window.targets[j];
			}

			lowSecond  = std::min(lowSecond, secondSum / 100.0);
			highSecond = std::max(highSecond, secondSum / 100.0);
		}

		INFO(
			"window " << window.fromS << "-" << window.toS << " s: mean " << mean << ", min " << *low
								<< ", max " << *high << ", per second " << lowSecond << "-" << highSecond
								<< ", queue loss " << congestionLoss);
		// No oscillation wider than +-20 % in the rate over a second; the
		// instantaneous target moves by GCC's sawtooth (a decrease to 0.85
		// times the acked rate, then an increase up to the band over the
		// last congestion point), within +-25 %.
		CHECK(lowSecond >= 0.8 * mean);
		CHECK(highSecond <= 1.2 * mean);
		CHECK(*low >= 0.75 * mean);
		CHECK(*high <= 1.25 * mean);
		CHECK(mean >= 0.7 * static_cast<double>(capacityAt(StartUs + window.fromS * Second)));
		// Loss caused by our own sending (the random loss is the path's).
		CHECK(congestionLoss < 0.02);
	}

	// The path was congested at times: the estimate was really tested.
	REQUIRE(link.GetQueueDrops() > 0u);
}

TEST_CASE("SendSideBandwidthEstimator backs off under cross traffic and comes back", "[send-bwe]")
{
	const uint32_t seed = GENERATE(1u, 2u, 3u);

	const auto secondOf = [](uint64_t nowUs)
	{
		return (nowUs - StartUs) / Second;
	};

	SendSideSimulatedLink link({
		.capacity     = [](uint64_t) -> uint64_t { return 2000000u; },
		.crossTraffic = [&](uint64_t nowUs) -> uint64_t
		{
			const uint64_t s = secondOf(nowUs);

			return s >= 10u && s < 15u ? 1000000u : 0u;
		},
		.lossRate = [](uint64_t) { return 0.01; },
		.seed     = seed,
	});

	double maxDuringBurst{ 0.0 };
	std::optional<uint64_t> recoveredUs;

	link.Run(
		StartUs + 22u * Second,
		10000u,
		[&](uint64_t nowUs)
		{
			const uint64_t t    = nowUs - StartUs;
			const double target = link.GetEstimator().GetTargetBitrate();

			// From 1 s into the burst, the 1 Mbit/s left.
			if (t >= 11u * Second && t < 15u * Second)
			{
				maxDuringBurst = std::max(maxDuringBurst, target);
			}

			if (t >= 15u * Second && !recoveredUs && target >= 1600000.0)
			{
				recoveredUs = t - 15u * Second;
			}
		});

	INFO("seed " << seed << ": max during the burst " << maxDuringBurst);
	CHECK(maxDuringBurst <= 1300000.0);
	REQUIRE(recoveredUs);
	CHECK(*recoveredUs <= 5u * Second);
}
