#define MS_CLASS "RTC::ProbeController"
// #define MS_LOG_DEV

#include "RTC/ProbeController.hpp"

#include "Logger.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		uint32_t Scale(uint32_t bitrate, double factor)
		{
			const double scaled = static_cast<double>(bitrate) * factor;

			return scaled >= static_cast<double>(UINT32_MAX) ? UINT32_MAX : static_cast<uint32_t>(scaled);
		}
	} // namespace

	void ProbeController::SetMaxBitrate(uint32_t bitrate)
	{
		const bool raised = this->maxBitrate != 0u && (bitrate == 0u || bitrate > this->maxBitrate);

		this->maxBitrate = bitrate;

		// More is allowed than when the last episode found the limit: worth a
		// look soon, whatever the backoff said.
		if (raised && this->state == State::Idle)
		{
			this->backoffUs     = FirstFailureBackoffUs;
			this->nextAllowedUs = std::min(this->nextAllowedUs, this->lastEpisodeEndUs + MinIntervalUs);
		}
	}

	void ProbeController::SetDesiredBitrate(uint32_t bitrate)
	{
		this->desiredBitrate = bitrate;

		if (
			this->state == State::Idle &&
			static_cast<double>(bitrate) >=
				DesiredJumpRatio * static_cast<double>(std::max(this->episodeDesired, 1u)))
		{
			this->backoffUs     = FirstFailureBackoffUs;
			this->nextAllowedUs = std::min(this->nextAllowedUs, this->lastEpisodeEndUs + MinIntervalUs);
			// Once per jump.
			this->episodeDesired = bitrate;
		}
	}

	void ProbeController::SetEstimate(uint32_t bitrate, bool limited)
	{
		this->estimate = bitrate;
		this->limited  = limited;
	}

	void ProbeController::SetMediaFlowing(bool flowing)
	{
		this->mediaFlowing = flowing;
	}

	void ProbeController::ReadProbeResults(const ProbeRateEstimator& rates, uint64_t nowUs)
	{
		for (auto& pending : this->pending)
		{
			if (pending.timedOut)
			{
				continue;
			}

			// Taken again at every feedback while the step lasts: a cluster's
			// packets may be reported over two feedbacks.
			if (const auto rate = rates.GetRate(pending.cluster.id))
			{
				pending.rate = rate;
			}
		}

		ExpirePending(nowUs);
	}

	std::optional<ProbeController::Cluster> ProbeController::Poll(uint64_t nowUs)
	{
		ExpirePending(nowUs);

		if (this->pending.size() >= MaxPendingClusters)
		{
			return std::nullopt;
		}

		const uint32_t cap = GetCap();

		switch (this->state)
		{
			case State::Init:
			{
				if (!this->mediaFlowing || cap == 0u)
				{
					return std::nullopt;
				}

				this->state           = State::Probing;
				this->episodeEstimate = this->estimate;
				this->episodeDesired  = this->desiredBitrate;

				const uint32_t first  = std::min(Scale(this->estimate, InitialProbeMultipliers[0]), cap);
				const uint32_t second = std::min(Scale(this->estimate, InitialProbeMultipliers[1]), cap);

				// Both capped alike: one cluster says it all.
				this->nextBitrate = second > first ? second : 0u;

				MS_DEBUG_TAG(
					bwe, "initial probes at %" PRIu32 " and %" PRIu32 " bps", first, this->nextBitrate);

				return NewCluster(first, nowUs);
			}

			case State::Probing:
			{
				if (this->nextBitrate == 0u)
				{
					return std::nullopt;
				}

				// The exponential phase stops when the path or the wish says so.
				if (!this->mediaFlowing || cap == 0u)
				{
					this->nextBitrate = 0u;

					if (this->pending.empty())
					{
						EndEpisode(/*foundMore*/ true, nowUs);
					}

					return std::nullopt;
				}

				const uint32_t bitrate = std::min(this->nextBitrate, cap);

				this->nextBitrate = 0u;

				return NewCluster(bitrate, nowUs);
			}

			case State::Idle:
			{
				if (!this->mediaFlowing || cap == 0u || nowUs < this->nextAllowedUs)
				{
					return std::nullopt;
				}

				const uint32_t bitrate = std::min(Scale(this->estimate, ExponentialGrowth), cap);

				this->state           = State::Probing;
				this->episodeEstimate = this->estimate;
				this->episodeDesired  = this->desiredBitrate;

				MS_DEBUG_DEV("probing at %" PRIu32 " bps", bitrate);

				return NewCluster(bitrate, nowUs);
			}
		}

		return std::nullopt;
	}

	std::optional<uint64_t> ProbeController::GetNextDeadlineUs() const
	{
		std::optional<uint64_t> deadlineUs;

		for (const auto& pending : this->pending)
		{
			if (!pending.rate && !pending.timedOut)
			{
				const uint64_t timeoutUs = pending.askedUs + ResultTimeoutUs;

				deadlineUs = deadlineUs ? std::min(*deadlineUs, timeoutUs) : timeoutUs;
			}
		}

		const bool wanted = this->mediaFlowing && GetCap() != 0u;

		if (this->state == State::Probing && this->nextBitrate != 0u)
		{
			// Due now.
			return 0u;
		}

		if (this->state == State::Init && wanted)
		{
			return 0u;
		}

		if (this->state == State::Idle && wanted)
		{
			deadlineUs = deadlineUs ? std::min(*deadlineUs, this->nextAllowedUs) : this->nextAllowedUs;
		}

		return deadlineUs;
	}

	uint32_t ProbeController::GetCap() const
	{
		if (this->limited || this->desiredBitrate <= this->estimate)
		{
			return 0u;
		}

		uint32_t cap = Scale(this->desiredBitrate, 1.0 + DesiredMarginPercent / 100.0);

		if (this->maxBitrate != 0u)
		{
			cap = std::min(cap, this->maxBitrate);
		}

		if (static_cast<double>(cap) < MinGainRatio * static_cast<double>(this->estimate))
		{
			return 0u;
		}

		return cap;
	}

	ProbeController::Cluster ProbeController::NewCluster(uint32_t bitrate, uint64_t nowUs)
	{
		Cluster cluster{ this->nextId, bitrate };

		// 0 stays free (it reads as "no cluster" in places).
		this->nextId = this->nextId == UINT32_MAX ? 1u : this->nextId + 1u;
		this->clusterCount++;
		this->pending.push_back({ cluster, nowUs, std::nullopt, false });

		return cluster;
	}

	void ProbeController::ExpirePending(uint64_t nowUs)
	{
		for (auto& pending : this->pending)
		{
			if (!pending.rate && !pending.timedOut && nowUs >= pending.askedUs + ResultTimeoutUs)
			{
				pending.timedOut = true;
				this->timedOutCount++;
			}
		}

		const bool allResolved = std::all_of(
			this->pending.begin(),
			this->pending.end(),
			[](const Pending& pending) { return pending.rate || pending.timedOut; });

		// The initial pair's second cluster not handed out yet is part of
		// the step.
		if (
			this->state == State::Probing && !this->pending.empty() && allResolved &&
			this->nextBitrate == 0u)
		{
			EndStep(nowUs);
		}
	}

	void ProbeController::EndStep(uint64_t nowUs)
	{
		// The highest cluster of the step says whether the path took it all.
		const auto highest = std::max_element(
			this->pending.begin(),
			this->pending.end(),
			[](const Pending& a, const Pending& b) { return a.cluster.bitrate < b.cluster.bitrate; });
		const bool highestCameThrough =
			highest->rate && static_cast<double>(*highest->rate) >=
												 SuccessRatio * static_cast<double>(highest->cluster.bitrate);
		uint32_t best{ 0u };

		for (const auto& pending : this->pending)
		{
			const uint32_t rate = pending.rate.value_or(0u);

			if (static_cast<double>(rate) >= SuccessRatio * static_cast<double>(pending.cluster.bitrate))
			{
				this->succeededCount++;
			}
			else
			{
				this->failedCount++;
			}

			best = std::max(best, rate);
		}

		this->pending.clear();

		const bool foundMore =
			static_cast<double>(best) >= MinGainRatio * static_cast<double>(this->episodeEstimate);

		if (!highestCameThrough)
		{
			EndEpisode(foundMore, nowUs);

			return;
		}

		// The estimator took the result already; the estimate may say more.
		const uint32_t base = std::max(best, this->estimate);
		const uint32_t cap  = GetCap();
		const uint32_t next = std::min(Scale(base, ExponentialGrowth), cap);

		if (
			!this->mediaFlowing || cap == 0u ||
			static_cast<double>(next) < MinGainRatio * static_cast<double>(base))
		{
			EndEpisode(foundMore, nowUs);

			return;
		}

		// Handed out by the next Poll().
		this->nextBitrate = next;
	}

	void ProbeController::EndEpisode(bool foundMore, uint64_t nowUs)
	{
		this->state            = State::Idle;
		this->nextBitrate      = 0u;
		this->lastEpisodeEndUs = nowUs;

		if (foundMore)
		{
			this->backoffUs     = FirstFailureBackoffUs;
			this->nextAllowedUs = nowUs + MinIntervalUs;
		}
		else
		{
			this->nextAllowedUs = nowUs + this->backoffUs;
			this->backoffUs     = std::min(2u * this->backoffUs, MaxFailureBackoffUs);
		}

		MS_DEBUG_DEV(
			"probing episode ended (%s), next in %" PRIu64 " us",
			foundMore ? "found more" : "found none",
			this->nextAllowedUs - nowUs);
	}
} // namespace RTC
