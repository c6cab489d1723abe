#include "common.hpp"

#include "RTC/LossBasedEstimator.hpp"

#include <catch2/catch.hpp>

using RTC::LossBasedEstimator;

TEST_CASE("LossBasedEstimator", "[send-bwe]")
{
	constexpr uint64_t Second{ 1000000u };

	LossBasedEstimator estimator;

	SECTION("unbounded until a loss above 10 % cuts it from the rate sent at")
	{
		REQUIRE(!estimator.IsBounding());

		// 40 packets over 200 ms, 8 lost: 20 %.
		REQUIRE(!estimator.AddPackets(20u, 4u, 1000000.0, Second));
		REQUIRE(estimator.AddPackets(20u, 4u, 1000000.0, Second + 200000u));
		REQUIRE(estimator.GetLastLoss() == Approx(0.2));
		REQUIRE(estimator.GetBitrate() == Approx(900000.0));
	}

	SECTION("GCC's bands: < 2 % up 5 %, 2-10 % held, > 10 % down by half the loss")
	{
		// Rows: fraction lost (of 256), then the estimate after it.
		struct Row
		{
			uint8_t fractionLost;
			double expected;
		};

		estimator.AddReceiverReportLoss(128u, 1000000.0, Second);
		REQUIRE(estimator.GetBitrate() == Approx(750000.0));

		const Row rows[] = {
			{ 0u, 750000.0 * 1.05 },
			{ 4u, 750000.0 * 1.05 * 1.05 },
			{ 6u, 750000.0 * 1.05 * 1.05 },
			{ 25u, 750000.0 * 1.05 * 1.05 },
		};
		uint64_t nowUs = Second;

		for (const auto& row : rows)
		{
			nowUs += 100000u;
			estimator.AddReceiverReportLoss(row.fractionLost, 10000000.0, nowUs);
			INFO("fraction lost " << static_cast<int>(row.fractionLost));
			REQUIRE(estimator.GetBitrate() == Approx(row.expected));
		}
	}

	SECTION("decreases spaced by DecreaseIntervalUs plus the round trip")
	{
		estimator.SetRtt(200000u);
		estimator.AddReceiverReportLoss(128u, 1000000.0, Second);
		estimator.AddReceiverReportLoss(128u, 1000000.0, Second + 400000u);
		REQUIRE(estimator.GetBitrate() == Approx(750000.0));

		estimator.AddReceiverReportLoss(128u, 1000000.0, Second + 500000u);
		REQUIRE(estimator.GetBitrate() == Approx(562500.0));
	}

	SECTION("released once the loss has not been high for ReleaseAfterUs")
	{
		estimator.AddReceiverReportLoss(128u, 1000000.0, Second);
		estimator.AddReceiverReportLoss(
			20u, 1000000.0, Second + LossBasedEstimator::ReleaseAfterUs - 1u);
		REQUIRE(estimator.IsBounding());

		estimator.AddReceiverReportLoss(20u, 1000000.0, Second + LossBasedEstimator::ReleaseAfterUs);
		REQUIRE(!estimator.IsBounding());
	}

	SECTION("more lost than sent counts as all lost; a huge round trip is capped")
	{
		estimator.SetRtt(UINT64_MAX);
		estimator.AddPackets(40u, 1000u, 1000000.0, Second);
		REQUIRE(estimator.AddPackets(0u, 0u, 1000000.0, Second + 200000u));
		REQUIRE(estimator.GetBitrate() == Approx(500000.0));

		// Capped at MaxRttUs: a decrease is possible again after that.
		estimator.AddReceiverReportLoss(
			255u,
			1000000.0,
			Second + 200000u + LossBasedEstimator::DecreaseIntervalUs + LossBasedEstimator::MaxRttUs);
		REQUIRE(estimator.GetBitrate() < 500000.0);
	}
}
