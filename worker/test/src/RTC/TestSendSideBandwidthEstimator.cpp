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

TEST_CASE("SendSideBandwidthEstimator bounds", "[send-bwe]")
{
	SECTION("starts at initialAvailableOutgoingBitrate (600000 by default)")
	{
		REQUIRE(SendSideBandwidthEstimator().GetTargetBitrate() == 600000u);
		REQUIRE(SendSideBandwidthEstimator(1000000u).GetTargetBitrate() == 1000000u);
	}

	SECTION("the maximum caps the target, and a later higher maximum lets it grow again")
	{
		SendSideBandwidthEstimator estimator;

		estimator.SetMaxBitrate(250000u);
		REQUIRE(estimator.GetTargetBitrate() == 250000u);

		uint64_t nowUs = FollowTarget(estimator, Second, 5u * Second);

		REQUIRE(estimator.GetTargetBitrate() == 250000u);
		REQUIRE(estimator.GetDelayBasedBitrate() <= 250000u);

		estimator.SetMaxBitrate(0u);
		FollowTarget(estimator, nowUs, 3u * Second);

		REQUIRE(estimator.GetTargetBitrate() > 250000u);
	}

	SECTION("the minimum holds under any REMB; a minimum above the maximum gives the maximum")
	{
		SendSideBandwidthEstimator estimator;

		estimator.SetMinBitrate(100000u);
		estimator.ReceiveRemb(0u);
		REQUIRE(estimator.GetTargetBitrate() == 100000u);

		estimator.SetMaxBitrate(80000u);
		REQUIRE(estimator.GetTargetBitrate() == 80000u);
	}
}

TEST_CASE("SendSideBandwidthEstimator for a REMB-only receiver", "[send-bwe]")
{
	SendSideBandwidthEstimator estimator;

	SECTION("the REMB is the estimate, above or below the initial bitrate")
	{
		estimator.ReceiveRemb(1500000u);
		REQUIRE(estimator.GetTargetBitrate() == 1500000u);

		estimator.ReceiveRemb(200000u);
		REQUIRE(estimator.GetTargetBitrate() == 200000u);
	}

	SECTION("receiver report loss above 10 % cuts it once per episode, and the cut is released")
	{
		estimator.ReceiveRemb(1000000u);

		// 64/256 = 25 % lost: 1 - 0.125.
		estimator.ReceiveReceiverReportLoss(64u, Second);
		REQUIRE(estimator.GetTargetBitrate() == 875000u);

		// The next report too soon to show the sender's reaction: no second cut.
		estimator.ReceiveReceiverReportLoss(64u, Second + 100000u);
		REQUIRE(estimator.GetTargetBitrate() == 875000u);

		// 2-10 %: held.
		estimator.ReceiveReceiverReportLoss(13u, 2u * Second);
		REQUIRE(estimator.GetTargetBitrate() == 875000u);

		// Loss no longer high for ReleaseAfterUs: the REMB alone again.
		estimator.ReceiveReceiverReportLoss(0u, Second + LossBasedEstimator::ReleaseAfterUs);
		REQUIRE(estimator.GetTargetBitrate() == 1000000u);
	}

	SECTION("a REMB of 2^64 - 1 stays within the maximum")
	{
		estimator.SetMaxBitrate(3000000u);
		estimator.ReceiveRemb(std::numeric_limits<uint64_t>::max());
		REQUIRE(estimator.GetTargetBitrate() == 3000000u);
	}
}

TEST_CASE("SendSideBandwidthEstimator with transport-cc and a REMB takes the lower", "[send-bwe]")
{
	SendSideBandwidthEstimator estimator;
	const uint64_t nowUs = FollowTarget(estimator, Second, 3u * Second);

	REQUIRE(estimator.GetDelayBasedBitrate() > 700000u);

	estimator.ReceiveRemb(400000u);
	REQUIRE(estimator.GetTargetBitrate() == 400000u);

	estimator.ReceiveRemb(100000000u);
	FollowTarget(estimator, nowUs, Second);
	REQUIRE(estimator.GetTargetBitrate() == estimator.GetDelayBasedBitrate());
}

TEST_CASE("SendSideBandwidthEstimator cuts on transport-cc loss above 10 %", "[send-bwe]")
{
	SendSideBandwidthEstimator estimator;
	auto results = ClearPath(Second, 10000u, 40u);

	// Every fifth lost: 20 %, so 1 - 0.1 of the rate sent at.
	for (size_t i{ 0u }; i < results.size(); i += 5u)
	{
		results[i].arrivalUs.reset();
	}

	// Loss is judged over at least MinUpdateIntervalUs: two feedbacks.
	estimator.ReceiveFeedback(std::span(results).first(20u), 2u * Second);
	REQUIRE(estimator.GetLossBasedBitrate() == std::numeric_limits<uint32_t>::max());

	const uint32_t sentAt = estimator.GetTargetBitrate();

	estimator.ReceiveFeedback(std::span(results).last(20u), 2u * Second + 200000u);
	REQUIRE(estimator.GetLossBasedBitrate() == static_cast<uint32_t>(0.9 * sentAt));
	REQUIRE(estimator.GetTargetBitrate() == static_cast<uint32_t>(0.9 * sentAt));

	// The same loss reported again for packets sent before the cut: the
	// sender had not reacted yet, no second cut.
	estimator.ReceiveFeedback(results, 3u * Second);
	REQUIRE(estimator.GetLossBasedBitrate() == static_cast<uint32_t>(0.9 * sentAt));
}

TEST_CASE("SendSideBandwidthEstimator raises the estimate on a probe result", "[send-bwe]")
{
	SendSideBandwidthEstimator estimator;
	const uint64_t nowUs  = FollowTarget(estimator, Second, Second);
	const uint32_t before = estimator.GetTargetBitrate();

	// A cluster of 10 packets of 1200 bytes, 4.8 ms apart: 2 Mbit/s.
	auto probe = ClearPath(nowUs, 4800u, 10u);

	for (auto& result : probe)
	{
		result.probeClusterId = 7u;
	}

	SECTION("at once, and it lasts while the sender follows")
	{
		estimator.ReceiveFeedback(probe, nowUs + 100000u);

		REQUIRE(before < 1500000u);
		REQUIRE(estimator.GetTargetBitrate() >= 1900000u);

		FollowTarget(estimator, nowUs + 100000u, Second);
		REQUIRE(estimator.GetTargetBitrate() >= 1900000u);
	}

	SECTION("never above the maximum")
	{
		estimator.SetMaxBitrate(1000000u);
		estimator.ReceiveFeedback(probe, nowUs + 100000u);

		REQUIRE(estimator.GetTargetBitrate() == 1000000u);
	}

	SECTION("not from a cluster with too few packets")
	{
		probe.resize(RTC::ProbeRateEstimator::MinPackets - 1u);
		estimator.ReceiveFeedback(probe, nowUs + 100000u);

		REQUIRE(estimator.GetTargetBitrate() < 1500000u);
	}
}

TEST_CASE("SendSideBandwidthEstimator of an application-limited sender", "[send-bwe]")
{
	// An SFU forwarding one low layer: 150 kbit/s (1200 bytes every 64 ms)
	// over a clear path, whatever the estimate says.
	SendSideBandwidthEstimator estimator;
	uint64_t nowUs{ StartUs };

	const auto sendLowLayer = [&](uint64_t durationUs)
	{
		const uint64_t endUs = nowUs + durationUs;

		while (nowUs < endUs)
		{
			estimator.ReceiveFeedback(ClearPath(nowUs, 64000u, 2u), nowUs + 150000u);
			nowUs += 128000u;
		}
	};

	SECTION("the little sent does not drag the estimate down")
	{
		sendLowLayer(10u * Second);

		REQUIRE(estimator.GetTargetBitrate() >= 600000u);
	}

	SECTION("nor does it let the estimate run away from what was shown")
	{
		sendLowLayer(30u * Second);

		// What it had before any feedback, and a step of the first second.
		REQUIRE(estimator.GetTargetBitrate() <= 700000u);
	}

	SECTION("a probe result holds while the layer stays low")
	{
		sendLowLayer(Second);

		// 10 packets of 1200 bytes, 4.8 ms apart: 2 Mbit/s.
		auto probe = ClearPath(nowUs, 4800u, 10u);

		for (auto& result : probe)
		{
			result.probeClusterId = 3u;
		}

		estimator.ReceiveFeedback(probe, nowUs + 100000u);
		nowUs += 100000u;

		REQUIRE(estimator.GetTargetBitrate() >= 1900000u);

		sendLowLayer(10u * Second);

		REQUIRE(estimator.GetTargetBitrate() >= 1900000u);
	}
}

TEST_CASE("SendSideBandwidthEstimator survives hostile feedback", "[send-bwe]")
{
	SendSideBandwidthEstimator estimator;

	estimator.SetMinBitrate(50000u);
	estimator.SetMaxBitrate(5000000u);

	std::mt19937 random(42u);
	std::uniform_int_distribution<uint64_t> anyTime;
	std::uniform_int_distribution<size_t> anySize(0u, std::numeric_limits<uint32_t>::max());
	uint64_t dropped{ 0u };

	for (size_t round{ 0u }; round < 2000u; ++round)
	{
		std::vector<PacketResult> results;

		for (size_t i{ 0u }; i < 20u; ++i)
		{
			PacketResult result{
				anyTime(random) >> (random() % 64u), std::nullopt, anySize(random), std::nullopt
			};

			if (random() % 4u != 0u)
			{
				result.arrivalUs = anyTime(random) >> (random() % 64u);
			}

			if (random() % 3u == 0u)
			{
				result.probeClusterId = static_cast<uint32_t>(random());
			}

			if (
				result.sendUs >= SendSideBandwidthEstimator::MaxTimeUs ||
				(result.arrivalUs && *result.arrivalUs >= SendSideBandwidthEstimator::MaxTimeUs))
			{
				dropped++;
			}

			results.push_back(result);
		}

		estimator.ReceiveFeedback(results, anyTime(random));
		estimator.ReceiveFeedback({}, anyTime(random));

		if (round % 7u == 0u)
		{
			estimator.ReceiveRemb(round % 2u == 0u ? 0u : std::numeric_limits<uint64_t>::max());
			estimator.ReceiveReceiverReportLoss(static_cast<uint8_t>(random()), anyTime(random));
			estimator.SetRtt(anyTime(random));
			estimator.ReceiveProbeResult(static_cast<uint32_t>(random()));
		}

		const uint32_t target = estimator.GetTargetBitrate();

		REQUIRE(target >= 50000u);
		REQUIRE(target <= 5000000u);
		REQUIRE(
			estimator.GetProbeRateEstimator().GetClusterCount() <= RTC::ProbeRateEstimator::MaxClusters);
	}

	REQUIRE(estimator.GetDroppedResultCount() == dropped);
	REQUIRE(dropped > 0u);
}
