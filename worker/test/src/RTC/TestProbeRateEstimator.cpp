#include "common.hpp"

#include "RTC/ProbeRateEstimator.hpp"

#include <catch2/catch.hpp>

using RTC::PacketResult;
using RTC::ProbeRateEstimator;

namespace
{
	// `count` packets of `size` bytes of cluster `id`, sent `sendGapUs` apart
	// and arriving `arrivalGapUs` apart.
	void AddCluster(
		ProbeRateEstimator& estimator,
		uint32_t id,
		size_t count,
		uint64_t sendGapUs,
		uint64_t arrivalGapUs,
		uint64_t nowUs = 1000000u,
		size_t size    = 1000u)
	{
		for (size_t i{ 0u }; i < count; ++i)
		{
			estimator.AddPacket(
				{ 1000000u + i * sendGapUs, 2000000u + i * arrivalGapUs, size, id }, nowUs);
		}
	}
} // namespace

TEST_CASE("ProbeRateEstimator", "[send-bwe]")
{
	ProbeRateEstimator estimator;

	SECTION("bytes after the first arrival over the arrival span")
	{
		// 10 x 1000 bytes, 4 ms apart: 9000 bytes over 36 ms = 2 Mbit/s.
		AddCluster(estimator, 1u, 10u, 4000u, 4000u);

		REQUIRE(estimator.GetRate(1u) == 2000000u);
	}

	SECTION("no more than the rate it was sent at")
	{
		// Sent at 2 Mbit/s, squeezed together on arrival (1 ms apart).
		AddCluster(estimator, 1u, 10u, 4000u, 1000u);

		REQUIRE(estimator.GetRate(1u) == 2000000u);
	}

	SECTION("the receive rate when the path is slower")
	{
		AddCluster(estimator, 1u, 10u, 4000u, 8000u);

		REQUIRE(estimator.GetRate(1u) == 1000000u);
	}

	SECTION("guards: too few packets, too many lost, spans too short or too long")
	{
		AddCluster(estimator, 1u, ProbeRateEstimator::MinPackets - 1u, 4000u, 4000u);
		REQUIRE(!estimator.GetRate(1u));

		AddCluster(estimator, 2u, 10u, 4000u, 4000u);

		for (size_t i{ 0u }; i < 10u; ++i)
		{
			estimator.AddPacket({ 1100000u + i, std::nullopt, 1000u, 2u }, 1000000u);
		}

		REQUIRE(!estimator.GetRate(2u));

		AddCluster(estimator, 3u, 10u, 100u, 100u);
		REQUIRE(!estimator.GetRate(3u));

		AddCluster(estimator, 4u, 10u, 4000u, 1000000u);
		REQUIRE(!estimator.GetRate(4u));

		REQUIRE(!estimator.GetRate(99u));
	}

	SECTION("packets without a cluster are ignored")
	{
		estimator.AddPacket({ 1000000u, 2000000u, 1000u, std::nullopt }, 1000000u);

		REQUIRE(estimator.GetClusterCount() == 0u);
	}

	SECTION("at most MaxClusters: the one seen least recently goes")
	{
		for (uint32_t id{ 0u }; id < ProbeRateEstimator::MaxClusters + 3u; ++id)
		{
			AddCluster(estimator, id, 10u, 4000u, 4000u, 1000000u + id);
		}

		REQUIRE(estimator.GetClusterCount() == ProbeRateEstimator::MaxClusters);
		REQUIRE(estimator.GetEvictedCount() == 3u);
		REQUIRE(!estimator.GetRate(0u));
		REQUIRE(estimator.GetRate(ProbeRateEstimator::MaxClusters + 2u) == 2000000u);
	}

	SECTION("a cluster not seen for ClusterTimeoutUs is forgotten")
	{
		AddCluster(estimator, 1u, 10u, 4000u, 4000u);
		AddCluster(
			estimator, 2u, 10u, 4000u, 4000u, 1000000u + ProbeRateEstimator::ClusterTimeoutUs + 1u);

		REQUIRE(estimator.GetClusterCount() == 1u);
		REQUIRE(!estimator.GetRate(1u));
	}

	SECTION("hostile sizes count as MaxPacketSize")
	{
		AddCluster(estimator, 1u, 10u, 4000u, 4000u, 1000000u, std::numeric_limits<size_t>::max());

		REQUIRE(estimator.GetRate(1u) == uint64_t{ 9u } * 65535u * 8u * 1000000u / 36000u);
	}
}
