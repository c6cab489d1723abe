#ifndef MS_RTC_PROBE_PACER_HPP
#define MS_RTC_PROBE_PACER_HPP

#include "common.hpp"

#include "RTC/ProbeController.hpp"

#include <deque>
#include <optional>

namespace RTC
{
	// Runs the probe clusters ProbeController asks for: says how many bytes of
	// padding to send by when, so that each cluster goes out at its bitrate
	// over at least MinClusterDurationUs and MinClusterPackets packets (what
	// ProbeRateEstimator needs to measure it, with some loss to spare).
	//
	// Media sent while a cluster runs may be stamped with its id (the
	// transport-wide send history records it) and reported with OnMediaSent():
	// it then counts for the cluster and the padding only fills the rest, so
	// the path sees the cluster's bitrate, not that plus the media.
	//
	// Pacing: the cluster's k-th byte is due `k * 8 / bitrate` after its
	// start. A caller late by more than MaxLatenessUs (a loop stall) gets the
	// schedule moved, not a burst: a burst would measure the burst.
	//
	// Clock-free: time is an argument in microseconds. At most
	// MaxQueuedClusters wait behind the running one; a cluster not done
	// ClusterTimeoutUs after it started (nothing sent it) is dropped.
	class ProbePacer
	{
	public:
		// The span of a cluster: ProbeRateEstimator needs 2 ms; 20 ms covers a
		// few packets of a video frame and the receiver's 1 ms timestamps.
		static constexpr uint64_t MinClusterDurationUs{ 20000u };
		// ProbeRateEstimator wants MinPackets (5) received and 80 % of those
		// reported: 10 sent allow two losses.
		static constexpr size_t MinClusterPackets{ 10u };
		// Largest probe packet asked for, whatever the caller can build.
		static constexpr size_t MaxPacketSize{ 1200u };
		// Smallest: below this the packets are mostly header.
		static constexpr size_t MinPacketSize{ 50u };
		static constexpr uint64_t MaxLatenessUs{ 5000u };
		static constexpr uint64_t ClusterTimeoutUs{ 200000u };
		static constexpr size_t MaxQueuedClusters{ 4u };

		using Cluster = ProbeController::Cluster;

	public:
		ProbePacer() = default;

	public:
		// Queues a cluster (it starts now if none runs). False, dropping it,
		// when MaxQueuedClusters wait already or its bitrate is 0.
		bool AddCluster(const Cluster& cluster, uint64_t nowUs);
		// setMaxOutgoingBitrate (0: none): clusters queued or running above it
		// go at the maximum.
		void SetMaxBitrate(uint32_t bitrate);
		// The cluster to stamp on packets sent now (media and padding alike).
		std::optional<uint32_t> GetActiveClusterId(uint64_t nowUs);
		// When the next probe packet is due (a time at or before now: at
		// once); nullopt when no cluster is queued or running.
		std::optional<uint64_t> GetNextSendUs() const;
		// Bytes of the probe packet to send now (header included, at most
		// `maxPacketSize` and MaxPacketSize); 0 when none is due. Call until 0,
		// calling OnProbeSent() for each packet sent.
		size_t NextProbePacketSize(uint64_t nowUs, size_t maxPacketSize = MaxPacketSize);
		// A probe (padding) packet of `size` bytes was sent for the active
		// cluster.
		void OnProbeSent(size_t size, uint64_t nowUs);
		// A media packet stamped with the active cluster's id was sent.
		void OnMediaSent(size_t size, uint64_t nowUs);
		// Drops the running and queued clusters (the transport closes, or no
		// stream is left to pad on).
		void Clear();

		// Bytes of probe packets sent (probationBytesSent).
		uint64_t GetProbationBytesSent() const { return this->probationBytesSent; }
		uint64_t GetFinishedClusterCount() const { return this->finishedCount; }
		uint64_t GetDroppedClusterCount() const { return this->droppedCount; }
		size_t GetQueuedClusterCount() const { return this->queue.size(); }

	private:
		struct Running
		{
			Cluster cluster;
			uint64_t startUs{ 0u };
			// Moved forward when the caller was late.
			uint64_t scheduleStartUs{ 0u };
			uint64_t targetBytes{ 0u };
			uint64_t sentBytes{ 0u };
			size_t sentPackets{ 0u };
		};

	private:
		// Starts the next queued cluster, if any and none runs.
		void StartNext(uint64_t nowUs);
		// Drops the running cluster when it timed out, and finishes it when
		// it is done.
		void Advance(uint64_t nowUs);
		uint64_t DueUs(const Running& running) const;
		void CountSent(size_t size, uint64_t nowUs);

	private:
		// Allocated by this.
		// At most MaxQueuedClusters.
		std::deque<Cluster> queue;
		// Others.
		std::optional<Running> running;
		uint32_t maxBitrate{ 0u };
		uint64_t probationBytesSent{ 0u };
		uint64_t finishedCount{ 0u };
		uint64_t droppedCount{ 0u };
	};
} // namespace RTC

#endif
