#include "common.hpp"

#include "RTC/RembEstimator.hpp"
#include "RTC/RembSimulatedLink.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using RTC::AimdRateController;
using RTC::RembEstimator;

namespace
{
	constexpr uint64_t Second{ 1000000u };
	// RembSimulatedLink's clock starts here.
	constexpr uint64_t StartUs{ 1000000u };

	// abs-send-time of a sender clock time in microseconds.
	uint32_t AbsSendTime(uint64_t senderUs)
	{
		return static_cast<uint32_t>(((senderUs << 18u) / 1000000u) & 0xFFFFFFu);
	}
} // namespace

TEST_CASE("RembEstimator tracks a bottleneck stepping 2 M, 500 k, 2 Mbit/s", "[remb]")
{
	// Issue 11's acceptance: 20 s per step, 2 % loss, jitter, a 300 ms
	// drop-tail queue; from 5 s into each step on, the estimate stays within
	// 30 % of the capacity. Several seeds, so no lucky draw passes it.
	constexpr uint64_t StepUs{ 20u * Second };

	const auto capacityAt = [](uint64_t nowUs) -> uint64_t
	{
		return (nowUs - StartUs) / StepUs == 1u ? 500000u : 2000000u;
	};

	const uint32_t seed = GENERATE(range(1u, 11u));

	RembSimulatedLink link({ .capacity = capacityAt, .seed = seed });
	double worstError{ 0.0 };
	uint64_t worstAtUs{ 0u };
	uint64_t samples{ 0u };

	link.Run(
		StartUs + 3u * StepUs,
		10000u,
		[&](uint64_t nowUs)
		{
			if ((nowUs - StartUs) % StepUs < 5u * Second)
			{
				return;
			}

			const double capacity = static_cast<double>(capacityAt(nowUs));
			const double error =
				std::fabs(static_cast<double>(link.GetEstimator().GetEstimate()) - capacity) / capacity;

			samples++;

			if (error > worstError)
			{
				worstError = error;
				worstAtUs  = nowUs - StartUs;
			}
		});

	INFO("seed " << seed << ": worst error " << worstError << " at " << worstAtUs << " us");
	REQUIRE(samples == 3u * 1500u);
	REQUIRE(worstError <= 0.3);
	// The path was really congested at times: the estimate was tested.
	REQUIRE(link.GetQueueDrops() > 0u);
}

TEST_CASE("RembEstimator never falls on a clear link with the sender following", "[remb]")
{
	const uint32_t seed = GENERATE(1u, 2u);

	// No bottleneck: loss and jitter only.
	RembSimulatedLink link({ .capacity = [](uint64_t) -> uint64_t { return 0u; }, .seed = seed });
	uint32_t previous{ 0u };
	uint64_t falls{ 0u };

	link.Run(
		StartUs + 10u * Second,
		10000u,
		[&](uint64_t /*nowUs*/)
		{
			const uint32_t estimate = link.GetEstimator().GetEstimate();

			if (estimate < previous)
			{
				falls++;
			}

			previous = estimate;
		});

	REQUIRE(falls == 0u);
	// And it does not hold the sender back: from 300 kbit/s to well over
	// 10 Mbit/s in 10 s.
	REQUIRE(previous > 10000000u);
	REQUIRE(link.GetSenderBitrate() > 5000000u);
}

TEST_CASE("RembEstimator falls within a second when a queue builds up", "[remb]")
{
	constexpr uint64_t StepAtUs{ StartUs + 20u * Second };

	const uint64_t lowCapacity = GENERATE(1000000u, 300000u);

	RembSimulatedLink link({ .capacity = [&](uint64_t nowUs) -> uint64_t
													 {
														 return nowUs < StepAtUs ? 2000000u : lowCapacity;
													 } });

	link.Run(StepAtUs, Second, [](uint64_t) {});

	const uint32_t before      = link.GetEstimator().GetEstimate();
	const uint64_t rembsBefore = link.GetRembCount();

	REQUIRE(before > 1400000u);

	std::optional<uint64_t> fellAtUs;

	link.Run(
		StepAtUs + 2u * Second,
		10000u,
		[&](uint64_t nowUs)
		{
			// Fallen, and announced: the sender has heard of it.
			if (
				!fellAtUs && link.GetSenderBitrate() < 0.9 * before &&
				link.GetEstimator().GetEstimate() < 0.9 * before)
			{
				fellAtUs = nowUs;
			}
		});

	REQUIRE(fellAtUs.has_value());
	REQUIRE(*fellAtUs - StepAtUs <= Second);
	REQUIRE(link.GetRembCount() > rembsBefore);
}

TEST_CASE("RembEstimator says when a REMB is due", "[remb]")
{
	RembEstimator estimator;
	uint64_t nowUs{ 10u * Second };

	SECTION("idle before any packet")
	{
		REQUIRE(estimator.GetEstimate() == 0u);
		REQUIRE(!estimator.GetNextDeadlineUs());
		REQUIRE(!estimator.Process(nowUs));
	}

	SECTION("the first at once, 200 ms later while rising, then once a second; none when idle")
	{
		const uint64_t firstUs = nowUs;

		estimator.ReceivePacket(nowUs, AbsSendTime(nowUs), 1200u);

		REQUIRE(estimator.GetEstimate() == AimdRateController::InitialBitrate);
		REQUIRE(estimator.GetNextDeadlineUs() == nowUs);
		REQUIRE(estimator.Process(nowUs) == AimdRateController::InitialBitrate);
		// Nothing arrived since: idle.
		REQUIRE(!estimator.GetNextDeadlineUs());
		REQUIRE(!estimator.Process(nowUs + 5u * Second));

		// 100 kbit/s, spaced as sent, for 3 s, processing at every packet.
		std::vector<uint64_t> rembTimes{ firstUs };

		for (int i = 0; i < 150; ++i)
		{
			nowUs += 20000u;
			estimator.ReceivePacket(nowUs, AbsSendTime(nowUs), 250u);

			if (estimator.Process(nowUs))
			{
				rembTimes.push_back(nowUs);
			}
		}

		// Rising (no rate measured yet): the next one 200 ms after the first.
		REQUIRE(rembTimes.size() >= 3u);
		REQUIRE(rembTimes[1] - rembTimes[0] == RembEstimator::MinRembIntervalUs);

		// Then held by what the sender uses: once a second.
		REQUIRE(rembTimes.back() - rembTimes[rembTimes.size() - 2u] == RembEstimator::RembIntervalUs);
		REQUIRE(estimator.GetNextDeadlineUs() == rembTimes.back() + RembEstimator::RembIntervalUs);
		// Never above 1.5 times the incoming 100 kbit/s, plus the headroom.
		REQUIRE(estimator.GetEstimate() == 160000u);
	}

	SECTION("at once when the estimate drops by more than 3 %")
	{
		uint64_t senderUs{ 0u };

		// 1 Mbit/s as sent, then each packet 20 ms later than the one before:
		// a queue growing fast.
		for (int i = 0; i < 200; ++i)
		{
			nowUs += 10000u;
			senderUs += 10000u;
			estimator.ReceivePacket(nowUs, AbsSendTime(senderUs), 1250u);
			estimator.Process(nowUs);
		}

		const uint32_t announced = estimator.GetEstimate();

		for (int i = 0; i < 100 && estimator.GetEstimate() >= 0.97 * announced; ++i)
		{
			nowUs += 30000u;
			senderUs += 10000u;
			estimator.ReceivePacket(nowUs, AbsSendTime(senderUs), 1250u);
		}

		REQUIRE(estimator.GetEstimate() < 0.97 * announced);
		REQUIRE(estimator.GetNextDeadlineUs() <= nowUs);

		const auto remb = estimator.Process(nowUs);

		REQUIRE(remb == estimator.GetEstimate());
	}
}

TEST_CASE("RembEstimator survives hostile input", "[remb]")
{
	std::mt19937 random(7u);
	RembEstimator estimator;
	uint64_t nowUs{ Second };

	const auto checkEstimate = [&]()
	{
		const uint32_t estimate = estimator.GetEstimate();

		REQUIRE(estimate >= AimdRateController::MinBitrate);
		REQUIRE(estimate <= AimdRateController::MaxBitrate);
	};

	SECTION("garbage abs-send-time values")
	{
		for (int i = 0; i < 20000; ++i)
		{
			nowUs += random() % 20000u;
			estimator.ReceivePacket(nowUs, random(), 1200u);
			estimator.Process(nowUs);
			checkEstimate();
		}

		REQUIRE(estimator.GetGrouper().GetResetCount() > 0u);
	}

	SECTION("huge sizes")
	{
		for (int i = 0; i < 5000; ++i)
		{
			nowUs += 1000u;
			estimator.ReceivePacket(nowUs, AbsSendTime(nowUs), SIZE_MAX - i);
			checkEstimate();
		}
	}

	SECTION("time going backwards")
	{
		for (int i = 0; i < 5000; ++i)
		{
			const uint64_t step = random() % 50000u;

			nowUs = (i % 3 == 0 && nowUs > step) ? nowUs - step : nowUs + step;
			estimator.ReceivePacket(nowUs, AbsSendTime(nowUs + random() % 30000u), 1200u);
			estimator.Process(nowUs);
			checkEstimate();
		}

		REQUIRE(estimator.GetClockStepBackCount() > 0u);
	}

	SECTION("everything at the same instant")
	{
		for (int i = 0; i < 5000; ++i)
		{
			estimator.ReceivePacket(nowUs, static_cast<uint32_t>(i * 1000), 1200u);
			checkEstimate();
		}
	}
}
