#include "common.hpp"

#include "RTC/ProbePacer.hpp"
#include "RTC/ProbeRateEstimator.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::ProbePacer;

namespace
{
	struct Sent
	{
		uint64_t us;
		size_t size;
	};

	// Sends what the pacer asks for, checking every `tickUs` (a loop timer),
	// until nothing is queued or running or `endUs`.
	std::vector<Sent> Drain(
		ProbePacer& pacer,
		uint64_t startUs,
		uint64_t endUs,
		uint64_t tickUs      = 100u,
		size_t maxPacketSize = ProbePacer::MaxPacketSize)
	{
		std::vector<Sent> sent;

		for (uint64_t nowUs{ startUs }; nowUs < endUs && pacer.GetNextSendUs(); nowUs += tickUs)
		{
			while (const size_t size = pacer.NextProbePacketSize(nowUs, maxPacketSize))
			{
				sent.push_back({ nowUs, size });
				pacer.OnProbeSent(size, nowUs);
			}
		}

		return sent;
	}

	uint64_t Bytes(const std::vector<Sent>& sent)
	{
		uint64_t bytes{ 0u };

		for (const auto& packet : sent)
		{
			bytes += packet.size;
		}

		return bytes;
	}
} // namespace

TEST_CASE("ProbePacer sends a cluster's bytes over its span", "[probe]")
{
	struct Row
	{
		uint32_t bitrate;
		size_t maxPacketSize;
	};

	// 4 Mbit/s in full-size packets, 1.8 Mbit/s in padding-only ones (header
	// + 255), and 400 kbit/s, where the packet count sets the sizes.
	const auto row = GENERATE(
		Row{ 4000000u, 1200u }, Row{ 1800000u, 283u }, Row{ 400000u, 283u }, Row{ 400000u, 1200u });

	ProbePacer pacer;
	constexpr uint64_t StartUs{ 5000000u };

	REQUIRE(pacer.AddCluster({ 7u, row.bitrate }, StartUs));
	REQUIRE(pacer.GetActiveClusterId(StartUs) == 7u);

	const auto sent      = Drain(pacer, StartUs, StartUs + 1000000u, 100u, row.maxPacketSize);
	const uint64_t bytes = Bytes(sent);
	// What 20 ms at the bitrate holds.
	const uint64_t targetBytes =
		uint64_t{ row.bitrate } * ProbePacer::MinClusterDurationUs / 8000000u;

	INFO("bitrate " << row.bitrate << ", max packet " << row.maxPacketSize);
	REQUIRE(sent.size() >= ProbePacer::MinClusterPackets);
	REQUIRE(sent.size() >= RTC::ProbeRateEstimator::MinPackets);
	REQUIRE(bytes >= targetBytes);
	// No more than a packet over.
	REQUIRE(bytes < targetBytes + row.maxPacketSize);
	REQUIRE(pacer.GetProbationBytesSent() == bytes);
	REQUIRE(pacer.GetFinishedClusterCount() == 1u);
	REQUIRE_FALSE(pacer.GetActiveClusterId(sent.back().us + 1000u));

	for (const auto& packet : sent)
	{
		REQUIRE(packet.size <= row.maxPacketSize);
		REQUIRE(packet.size >= ProbePacer::MinPacketSize);
	}

	// At the bitrate: the bytes before the last packet over the span from the
	// first to the last (what ProbeRateEstimator measures), within a tick.
	const uint64_t spanUs = sent.back().us - sent.front().us;
	const double rate =
		8.0 * static_cast<double>(bytes - sent.back().size) * 1e6 / static_cast<double>(spanUs);

	REQUIRE(spanUs >= ProbePacer::MinClusterDurationUs / 2u);
	REQUIRE(rate <= 1.05 * row.bitrate);
	REQUIRE(rate >= 0.9 * row.bitrate);
}

TEST_CASE("ProbePacer runs queued clusters one after the other", "[probe]")
{
	ProbePacer pacer;
	constexpr uint64_t StartUs{ 1000000u };

	REQUIRE(pacer.AddCluster({ 1u, 1800000u }, StartUs));
	REQUIRE(pacer.AddCluster({ 2u, 3600000u }, StartUs));
	REQUIRE(pacer.GetQueuedClusterCount() == 1u);

	// Which cluster each packet belongs to, as the send history records it.
	std::vector<uint32_t> ids;

	for (uint64_t nowUs{ StartUs }; pacer.GetNextSendUs() && nowUs < StartUs + 1000000u;
			 nowUs += 100u)
	{
		while (const size_t size = pacer.NextProbePacketSize(nowUs))
		{
			const auto id = pacer.GetActiveClusterId(nowUs);

			REQUIRE(id);
			ids.push_back(*id);
			pacer.OnProbeSent(size, nowUs);
		}
	}

	REQUIRE(pacer.GetFinishedClusterCount() == 2u);
	REQUIRE(std::is_sorted(ids.begin(), ids.end()));
	REQUIRE(
		static_cast<size_t>(std::count(ids.begin(), ids.end(), 1u)) >= ProbePacer::MinClusterPackets);
	REQUIRE(
		static_cast<size_t>(std::count(ids.begin(), ids.end(), 2u)) >= ProbePacer::MinClusterPackets);
}

TEST_CASE("ProbePacer counts media stamped with the cluster", "[probe]")
{
	ProbePacer pacer;
	constexpr uint64_t StartUs{ 1000000u };
	// 2 Mbit/s over 20 ms: 5000 bytes.
	REQUIRE(pacer.AddCluster({ 3u, 2000000u }, StartUs));

	// A 1200-byte video packet goes out at the start, stamped with the
	// cluster.
	REQUIRE(pacer.GetActiveClusterId(StartUs) == 3u);
	pacer.OnMediaSent(1200u, StartUs);

	const auto sent = Drain(pacer, StartUs, StartUs + 1000000u);

	// Padding filled the rest only.
	REQUIRE(Bytes(sent) + 1200u >= 5000u);
	REQUIRE(Bytes(sent) < 5000u);
	REQUIRE(sent.size() + 1u >= ProbePacer::MinClusterPackets);
	REQUIRE(pacer.GetProbationBytesSent() == Bytes(sent));
	// The first padding packet waits for the media packet's time at 2 Mbit/s.
	REQUIRE(sent.front().us >= StartUs + 1200u * 8u * 1000000u / 2000000u);
}

TEST_CASE("ProbePacer bounds", "[probe]")
{
	ProbePacer pacer;
	constexpr uint64_t StartUs{ 1000000u };

	SECTION("never above the maximum, queued or running")
	{
		pacer.SetMaxBitrate(1000000u);
		REQUIRE(pacer.AddCluster({ 1u, 5000000u }, StartUs));

		const auto sent = Drain(pacer, StartUs, StartUs + 1000000u);

		// 20 ms of 1 Mbit/s, not of 5.
		REQUIRE(Bytes(sent) < 2500u + ProbePacer::MaxPacketSize);

		REQUIRE(pacer.AddCluster({ 2u, 5000000u }, StartUs + 2000000u));
		pacer.SetMaxBitrate(500000u);

		const auto later = Drain(pacer, StartUs + 2000000u, StartUs + 3000000u);

		REQUIRE(Bytes(later) < 1250u + ProbePacer::MaxPacketSize);
	}

	SECTION("a full queue refuses clusters")
	{
		REQUIRE(pacer.AddCluster({ 1u, 1000000u }, StartUs));

		for (uint32_t id{ 2u }; id < 2u + ProbePacer::MaxQueuedClusters; ++id)
		{
			REQUIRE(pacer.AddCluster({ id, 1000000u }, StartUs));
		}

		REQUIRE(pacer.GetQueuedClusterCount() == ProbePacer::MaxQueuedClusters);
		REQUIRE_FALSE(pacer.AddCluster({ 99u, 1000000u }, StartUs));
		REQUIRE_FALSE(pacer.AddCluster({ 100u, 0u }, StartUs));
		REQUIRE(pacer.GetDroppedClusterCount() == 2u);
	}

	SECTION("a cluster nobody sends is dropped, and the next one starts")
	{
		REQUIRE(pacer.AddCluster({ 1u, 1000000u }, StartUs));
		REQUIRE(pacer.AddCluster({ 2u, 1000000u }, StartUs));

		const uint64_t laterUs = StartUs + ProbePacer::ClusterTimeoutUs + 1u;

		REQUIRE(pacer.GetActiveClusterId(laterUs) == 2u);
		REQUIRE(pacer.GetDroppedClusterCount() == 1u);
		REQUIRE(pacer.NextProbePacketSize(laterUs) > 0u);
	}

	SECTION("a late caller gets the schedule moved, not a burst")
	{
		REQUIRE(pacer.AddCluster({ 1u, 2000000u }, StartUs));

		size_t size = pacer.NextProbePacketSize(StartUs);

		REQUIRE(size > 0u);
		pacer.OnProbeSent(size, StartUs);

		// 50 ms of loop stall: the next packet, then nothing until its time.
		const uint64_t lateUs = StartUs + 50000u;

		size = pacer.NextProbePacketSize(lateUs);
		REQUIRE(size > 0u);
		pacer.OnProbeSent(size, lateUs);
		REQUIRE(pacer.NextProbePacketSize(lateUs) == 0u);
		REQUIRE(*pacer.GetNextSendUs() == lateUs + size * 8u * 1000000u / 2000000u);
	}

	SECTION("clear drops everything")
	{
		REQUIRE(pacer.AddCluster({ 1u, 1000000u }, StartUs));
		REQUIRE(pacer.AddCluster({ 2u, 1000000u }, StartUs));
		pacer.Clear();

		REQUIRE_FALSE(pacer.GetNextSendUs());
		REQUIRE(pacer.NextProbePacketSize(StartUs) == 0u);
		REQUIRE(pacer.GetDroppedClusterCount() == 2u);
	}
}
