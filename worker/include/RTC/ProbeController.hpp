#ifndef MS_RTC_PROBE_CONTROLLER_HPP
#define MS_RTC_PROBE_CONTROLLER_HPP

#include "common.hpp"

#include "RTC/ProbeRateEstimator.hpp"

#include <optional>
#include <vector>

namespace RTC
{
	// Decides when to probe the path to the peer and at what rate, so the
	// send-side estimate (draft-ietf-rmcat-gcc-02) climbs to what the
	// consumers want in a few round trips instead of the seconds AIMD's
	// increase takes. A probe is a short cluster of packets sent at a rate
	// above the estimate (ProbePacer runs it); the rate its packets got
	// through (ProbeRateEstimator) raises the estimate at once.
	//
	// - Initial pair: the first time media flows and the allocation wants
	//   more than the estimate, two clusters at InitialProbeMultipliers times
	//   the estimate.
	// - Exponential steps: while a probe succeeds (its rate came through,
	//   SuccessRatio of it at least), the next one goes at ExponentialGrowth
	//   times what it measured.
	// - Later episodes: a single cluster at ExponentialGrowth times the
	//   estimate, when the allocation wants more than the estimate, the
	//   estimate is not limited by loss or over-use, and the time since the
	//   last episode allows it (MinIntervalUs after one that found more
	//   bandwidth, a backoff doubling from FirstFailureBackoffUs to
	//   MaxFailureBackoffUs after each one that found none). A higher maximum
	//   or an allocation wanting DesiredJumpRatio times more than at the last
	//   episode clears the backoff.
	// - Caps: never above the maximum outgoing bitrate, never above what the
	//   allocation wants plus DesiredMarginPercent, never when it wants no
	//   more than the estimate, never below MinGainRatio times the estimate
	//   (such a probe says nothing AIMD would not find as fast).
	//
	// Clock-free: time is an argument in microseconds. At most
	// MaxPendingClusters clusters wait for a result; one without a result
	// ResultTimeoutUs after it was asked for failed.
	class ProbeController
	{
	public:
		// What the initial pair probes at, times the estimate: well above
		// the usual 300-600 kbit/s start so a 2-5 Mbit/s path is found in one
		// round trip, and two of them so that the lower one still gives a
		// rate when the higher one overloads the path.
		static constexpr double InitialProbeMultipliers[]{ 3.0, 6.0 };
		// The next probe after one that came through, times its result.
		static constexpr double ExponentialGrowth{ 2.0 };
		// A probe came through when it measured this much of its rate at
		// least; less means the path is full at about what it measured.
		static constexpr double SuccessRatio{ 0.7 };
		// Probes may go this much above what the allocation wants, so the
		// estimate ends with the headroom the allocator asks for before
		// switching a layer up (BitrateAllocator::UpHeadroomPercent).
		static constexpr uint32_t DesiredMarginPercent{ 25u };
		// A probe below this times the estimate is not worth its padding.
		static constexpr double MinGainRatio{ 1.1 };
		// Longest from asking for a cluster to its result: its own 20-40 ms,
		// the queue it builds, a round trip and a feedback interval, with
		// ample margin.
		static constexpr uint64_t ResultTimeoutUs{ 1000000u };
		// Between the end of an episode that found bandwidth and the next.
		static constexpr uint64_t MinIntervalUs{ 1000000u };
		// After episodes that found none, doubling up to the maximum: a path
		// that is full is not hammered with padding, and a link that
		// recovered is found within a few seconds.
		static constexpr uint64_t FirstFailureBackoffUs{ 2000000u };
		static constexpr uint64_t MaxFailureBackoffUs{ 8000000u };
		// An allocation wanting this much more than at the last episode is
		// news (a consumer added or resumed, higher layers preferred).
		static constexpr double DesiredJumpRatio{ 1.5 };
		// Clusters waiting for a result (the initial pair is the most asked
		// at once).
		static constexpr size_t MaxPendingClusters{ 4u };

		// A cluster to hand to the pacer.
		struct Cluster
		{
			// Increasing from 1 (0 is never used); wraps after 2^32 clusters.
			uint32_t id{ 0u };
			// Bit/s the cluster is sent at (media stamped with it included).
			uint32_t bitrate{ 0u };
		};

		enum class State : uint8_t
		{
			// The initial pair was not sent yet.
			Init,
			// Clusters wait for their results.
			Probing,
			// Between episodes.
			Idle,
		};

	public:
		ProbeController() = default;

	public:
		// setMaxOutgoingBitrate: 0 means no maximum.
		void SetMaxBitrate(uint32_t bitrate);
		// What the allocation would give the consumers at their preferred
		// layers (BitrateAllocator::Result::desiredBitrate).
		void SetDesiredBitrate(uint32_t bitrate);
		// The estimate (SendSideBandwidthEstimator::GetTargetBitrate()), and
		// whether loss or over-use holds it down (then probing would only add
		// to the congestion).
		void SetEstimate(uint32_t bitrate, bool limited);
		// Whether media is being sent to the peer (nothing to measure, and no
		// stream for the peer to take padding on, otherwise).
		void SetMediaFlowing(bool flowing);
		// Reads the rates of the clusters waiting for one (call after each
		// transport-cc feedback given to the estimator), and fails those
		// waiting for too long.
		void ReadProbeResults(const ProbeRateEstimator& rates, uint64_t nowUs);
		// The next cluster to send now, if any; call until nullopt (the
		// initial pair is two calls).
		std::optional<Cluster> Poll(uint64_t nowUs);
		// When Poll() may have something to do without any input changing (a
		// time at or before now: at once); nullopt: only an input change will.
		std::optional<uint64_t> GetNextDeadlineUs() const;

		State GetState() const { return this->state; }
		uint64_t GetClusterCount() const { return this->clusterCount; }
		uint64_t GetSucceededCount() const { return this->succeededCount; }
		uint64_t GetFailedCount() const { return this->failedCount; }
		uint64_t GetTimedOutCount() const { return this->timedOutCount; }

	private:
		struct Pending
		{
			Cluster cluster;
			uint64_t askedUs{ 0u };
			std::optional<uint32_t> rate;
			bool timedOut{ false };
		};

	private:
		// The highest a probe may go now; 0 when probing is not wanted.
		uint32_t GetCap() const;
		Cluster NewCluster(uint32_t bitrate, uint64_t nowUs);
		// Fails the clusters waiting too long; ends the step when none waits.
		void ExpirePending(uint64_t nowUs);
		// Every cluster of the step has a result or failed: the next step of
		// the exponential phase, or the end of the episode.
		void EndStep(uint64_t nowUs);
		void EndEpisode(bool foundMore, uint64_t nowUs);

	private:
		// Allocated by this.
		std::vector<Pending> pending;
		// Others.
		State state{ State::Init };
		uint32_t maxBitrate{ 0u };
		uint32_t desiredBitrate{ 0u };
		uint32_t estimate{ 0u };
		bool limited{ false };
		bool mediaFlowing{ false };
		// The next probe of the exponential phase (0: none).
		uint32_t nextBitrate{ 0u };
		// The estimate when the episode started.
		uint32_t episodeEstimate{ 0u };
		// The allocation's wish at the last episode.
		uint32_t episodeDesired{ 0u };
		// Idle: no new episode before this.
		uint64_t nextAllowedUs{ 0u };
		// Idle: the next episode may start MinIntervalUs after the last one
		// ended, at the earliest (the backoff may be cleared).
		uint64_t lastEpisodeEndUs{ 0u };
		uint64_t backoffUs{ FirstFailureBackoffUs };
		uint32_t nextId{ 1u };
		uint64_t clusterCount{ 0u };
		uint64_t succeededCount{ 0u };
		uint64_t failedCount{ 0u };
		uint64_t timedOutCount{ 0u };
	};
} // namespace RTC

#endif
