#define MS_CLASS "RTC::ProbeRateEstimator"
// #define MS_LOG_DEV

#include "RTC/ProbeRateEstimator.hpp"

#include "Logger.hpp"

#include <algorithm>
#include <limits>

namespace RTC
{
	void ProbeRateEstimator::AddPacket(const PacketResult& result, uint64_t nowUs)
	{
		if (!result.probeClusterId)
		{
			return;
		}

		// Forget clusters gone quiet.
		std::erase_if(
			this->clusters,
			[nowUs](const Cluster& cluster)
			{ return nowUs > cluster.lastSeenUs && nowUs - cluster.lastSeenUs > ClusterTimeoutUs; });

		Cluster& cluster    = FindOrAdd(*result.probeClusterId, nowUs);
		const uint64_t size = std::min(result.size, MaxPacketSize);

		cluster.lastSeenUs = std::max(cluster.lastSeenUs, nowUs);

		if (cluster.reported == 0u || result.sendUs < cluster.firstSendUs)
		{
			cluster.firstSendUs = result.sendUs;
		}

		if (cluster.reported == 0u || result.sendUs >= cluster.lastSendUs)
		{
			cluster.lastSendUs   = result.sendUs;
			cluster.lastSendSize = size;
		}

		cluster.reported++;
		cluster.sentBytes += size;

		if (!result.arrivalUs)
		{
			return;
		}

		const uint64_t arrivalUs = *result.arrivalUs;

		if (cluster.received == 0u || arrivalUs < cluster.firstArrivalUs)
		{
			cluster.firstArrivalUs   = arrivalUs;
			cluster.firstArrivalSize = size;
		}

		if (cluster.received == 0u || arrivalUs > cluster.lastArrivalUs)
		{
			cluster.lastArrivalUs = arrivalUs;
		}

		cluster.received++;
		cluster.receivedBytes += size;
	}

	std::optional<uint32_t> ProbeRateEstimator::GetRate(uint32_t id) const
	{
		const auto it = std::find_if(
			this->clusters.begin(),
			this->clusters.end(),
			[id](const Cluster& cluster) { return cluster.id == id; });

		if (it == this->clusters.end())
		{
			return std::nullopt;
		}

		const Cluster& cluster = *it;

		if (
			cluster.received < MinPackets || static_cast<double>(cluster.received) <
																				 MinReceivedRatio * static_cast<double>(cluster.reported))
		{
			return std::nullopt;
		}

		const uint64_t sendSpanUs    = cluster.lastSendUs - cluster.firstSendUs;
		const uint64_t arrivalSpanUs = cluster.lastArrivalUs - cluster.firstArrivalUs;

		if (
			sendSpanUs < MinSpanUs || sendSpanUs > MaxSpanUs || arrivalSpanUs < MinSpanUs ||
			arrivalSpanUs > MaxSpanUs)
		{
			return std::nullopt;
		}

		// Bytes are at most 65535 per packet and a cluster is bounded in time
		// only, so these products stay far from overflowing for any feedback
		// a real receiver sends; a hostile one is clamped below.
		const double sendBps = 8.0 * static_cast<double>(cluster.sentBytes - cluster.lastSendSize) *
													 1e6 / static_cast<double>(sendSpanUs);
		const double receiveBps =
			8.0 * static_cast<double>(cluster.receivedBytes - cluster.firstArrivalSize) * 1e6 /
			static_cast<double>(arrivalSpanUs);
		const double rate = std::min(sendBps, receiveBps);

		return static_cast<uint32_t>(
			std::min(rate, static_cast<double>(std::numeric_limits<uint32_t>::max())));
	}

	ProbeRateEstimator::Cluster& ProbeRateEstimator::FindOrAdd(uint32_t id, uint64_t nowUs)
	{
		const auto it = std::find_if(
			this->clusters.begin(),
			this->clusters.end(),
			[id](const Cluster& cluster) { return cluster.id == id; });

		if (it != this->clusters.end())
		{
			return *it;
		}

		if (this->clusters.size() >= MaxClusters)
		{
			const auto oldest = std::min_element(
				this->clusters.begin(),
				this->clusters.end(),
				[](const Cluster& a, const Cluster& b) { return a.lastSeenUs < b.lastSeenUs; });

			this->clusters.erase(oldest);
			this->evictedCount++;

			MS_DEBUG_DEV("probe cluster pushed out for cluster %" PRIu32, id);
		}

		Cluster cluster;

		cluster.id         = id;
		cluster.lastSeenUs = nowUs;
		this->clusters.push_back(cluster);

		return this->clusters.back();
	}
} // namespace RTC
