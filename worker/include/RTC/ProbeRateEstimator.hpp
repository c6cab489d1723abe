#ifndef MS_RTC_PROBE_RATE_ESTIMATOR_HPP
#define MS_RTC_PROBE_RATE_ESTIMATOR_HPP

#include "common.hpp"

#include "RTC/PacketResult.hpp"

#include <optional>
#include <vector>

namespace RTC
{
	// The rate a probe cluster got through: the bytes received over the span
	// of their arrivals (the first packet's bytes left out: the span starts
	// when it arrived), no more than the rate the cluster was sent at (a
	// receiver cannot get more than was sent; arrivals squeezed together by
	// a burst would say otherwise). A cluster's packets may come in several
	// feedbacks, so each cluster is summed as results come, without keeping
	// the packets.
	//
	// Guards: at least MinPackets received and MinReceivedRatio of those
	// reported; send and arrival spans of at least MinSpanUs (shorter says
	// nothing about a rate) and at most MaxSpanUs (a cluster lasts a few
	// tens of milliseconds; longer is garbage or a wrong clock).
	//
	// At most MaxClusters are followed: a new one pushes out the one seen
	// least recently; one not seen for ClusterTimeoutUs is forgotten.
	class ProbeRateEstimator
	{
	public:
		static constexpr size_t MaxClusters{ 8u };
		static constexpr uint64_t ClusterTimeoutUs{ 5000000u };
		static constexpr size_t MinPackets{ 5u };
		static constexpr double MinReceivedRatio{ 0.8 };
		static constexpr uint64_t MinSpanUs{ 2000u };
		static constexpr uint64_t MaxSpanUs{ 1000000u };
		// Larger sizes count as this.
		static constexpr size_t MaxPacketSize{ 65535u };

	public:
		// Adds a result of a probe packet (ignored if it has no cluster id).
		void AddPacket(const PacketResult& result, uint64_t nowUs);
		// The rate (bit/s) cluster `id` got through, if it passes the guards.
		std::optional<uint32_t> GetRate(uint32_t id) const;
		size_t GetClusterCount() const { return this->clusters.size(); }
		// Clusters pushed out to make room for a new one.
		uint64_t GetEvictedCount() const { return this->evictedCount; }

	private:
		struct Cluster
		{
			uint32_t id{ 0u };
			uint64_t lastSeenUs{ 0u };
			size_t reported{ 0u };
			size_t received{ 0u };
			uint64_t sentBytes{ 0u };
			uint64_t receivedBytes{ 0u };
			uint64_t firstSendUs{ 0u };
			uint64_t lastSendUs{ 0u };
			// Bytes of the packet sent last.
			uint64_t lastSendSize{ 0u };
			uint64_t firstArrivalUs{ 0u };
			uint64_t lastArrivalUs{ 0u };
			// Bytes of the packet that arrived first.
			uint64_t firstArrivalSize{ 0u };
		};

	private:
		Cluster& FindOrAdd(uint32_t id, uint64_t nowUs);

	private:
		// At most MaxClusters: a linear search is the cheapest.
		std::vector<Cluster> clusters;
		uint64_t evictedCount{ 0u };
	};
} // namespace RTC

#endif
