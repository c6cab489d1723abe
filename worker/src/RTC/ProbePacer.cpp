#define MS_CLASS "RTC::ProbePacer"
// #define MS_LOG_DEV

#include "RTC/ProbePacer.hpp"

#include "Logger.hpp"

#include <algorithm>

namespace RTC
{
	bool ProbePacer::AddCluster(const Cluster& cluster, uint64_t nowUs)
	{
		if (cluster.bitrate == 0u || this->queue.size() >= MaxQueuedClusters)
		{
			this->droppedCount++;

			return false;
		}

		Cluster queued = cluster;

		if (this->maxBitrate != 0u)
		{
			queued.bitrate = std::min(queued.bitrate, this->maxBitrate);
		}

		this->queue.push_back(queued);

		Advance(nowUs);
		StartNext(nowUs);

		return true;
	}

	void ProbePacer::SetMaxBitrate(uint32_t bitrate)
	{
		this->maxBitrate = bitrate;

		if (bitrate == 0u)
		{
			return;
		}

		for (auto& cluster : this->queue)
		{
			cluster.bitrate = std::min(cluster.bitrate, bitrate);
		}

		if (this->running && this->running->cluster.bitrate > bitrate)
		{
			// What was sent stays sent; the rest goes at the maximum, from now
			// on as if the whole cluster had.
			this->running->cluster.bitrate = bitrate;
			this->running->targetBytes     = std::max<uint64_t>(
        this->running->sentBytes, uint64_t{ bitrate } * MinClusterDurationUs / 8000000u);
		}
	}

	std::optional<uint32_t> ProbePacer::GetActiveClusterId(uint64_t nowUs)
	{
		Advance(nowUs);
		StartNext(nowUs);

		if (!this->running || nowUs < this->running->startUs)
		{
			return std::nullopt;
		}

		return this->running->cluster.id;
	}

	std::optional<uint64_t> ProbePacer::GetNextSendUs() const
	{
		if (this->running)
		{
			return DueUs(*this->running);
		}

		if (!this->queue.empty())
		{
			return 0u;
		}

		return std::nullopt;
	}

	size_t ProbePacer::NextProbePacketSize(uint64_t nowUs, size_t maxPacketSize)
	{
		Advance(nowUs);
		StartNext(nowUs);

		if (!this->running)
		{
			return 0u;
		}

		auto& running      = *this->running;
		const uint64_t due = DueUs(running);

		if (nowUs < due)
		{
			return 0u;
		}

		if (nowUs - due > MaxLatenessUs)
		{
			running.scheduleStartUs += nowUs - due;
		}

		const size_t cap = std::min(maxPacketSize, MaxPacketSize);

		if (cap == 0u)
		{
			return 0u;
		}

		const uint64_t remainingBytes =
			running.targetBytes > running.sentBytes ? running.targetBytes - running.sentBytes : 0u;
		const size_t packetsLeft =
			running.sentPackets < MinClusterPackets ? MinClusterPackets - running.sentPackets : 0u;
		// Spread what is left over the packets still needed, so the cluster
		// lasts its span with its packet count.
		uint64_t size =
			packetsLeft > 0u ? (remainingBytes + packetsLeft - 1u) / packetsLeft : remainingBytes;

		size = std::max<uint64_t>(size, MinPacketSize);

		return static_cast<size_t>(std::min<uint64_t>(size, cap));
	}

	void ProbePacer::OnProbeSent(size_t size, uint64_t nowUs)
	{
		this->probationBytesSent += size;

		CountSent(size, nowUs);
	}

	void ProbePacer::OnMediaSent(size_t size, uint64_t nowUs)
	{
		CountSent(size, nowUs);
	}

	void ProbePacer::Clear()
	{
		this->droppedCount += this->queue.size() + (this->running ? 1u : 0u);
		this->queue.clear();
		this->running.reset();
	}

	void ProbePacer::StartNext(uint64_t nowUs)
	{
		if (this->running || this->queue.empty())
		{
			return;
		}

		Running running;

		running.cluster         = this->queue.front();
		running.startUs         = nowUs;
		running.scheduleStartUs = nowUs;
		running.targetBytes     = uint64_t{ running.cluster.bitrate } * MinClusterDurationUs / 8000000u;

		this->queue.pop_front();
		this->running = running;

		MS_DEBUG_DEV(
			"probe cluster %" PRIu32 " at %" PRIu32 " bps started",
			running.cluster.id,
			running.cluster.bitrate);
	}

	void ProbePacer::Advance(uint64_t nowUs)
	{
		// Each dropped cluster lets the next one start now, which cannot time
		// out at once: this ends.
		while (this->running && nowUs > this->running->startUs + ClusterTimeoutUs)
		{
			MS_DEBUG_TAG(
				bwe, "probe cluster %" PRIu32 " dropped: not sent in time", this->running->cluster.id);

			this->droppedCount++;
			this->running.reset();

			StartNext(nowUs);
		}
	}

	uint64_t ProbePacer::DueUs(const Running& running) const
	{
		return running.scheduleStartUs + running.sentBytes * 8000000u / running.cluster.bitrate;
	}

	void ProbePacer::CountSent(size_t size, uint64_t nowUs)
	{
		if (!this->running || nowUs < this->running->startUs)
		{
			return;
		}

		auto& running = *this->running;

		running.sentBytes += size;
		running.sentPackets++;

		if (running.sentBytes < running.targetBytes || running.sentPackets < MinClusterPackets)
		{
			return;
		}

		// The next cluster starts when this one's last packet is paid for at
		// its rate, not back to back with it.
		const uint64_t nextStartUs = std::max(nowUs, DueUs(running));

		this->finishedCount++;
		this->running.reset();

		StartNext(nextStartUs);
	}
} // namespace RTC
