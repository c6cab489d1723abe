#ifndef MS_RTC_LOSS_BASED_ESTIMATOR_HPP
#define MS_RTC_LOSS_BASED_ESTIMATOR_HPP

#include "common.hpp"

#include <optional>

namespace RTC
{
	// The loss-based controller of draft-ietf-rmcat-gcc-02 (6), on the send
	// side. With p the fraction of packets lost since the last update:
	//
	//   p < 2 %:        As = 1.05 * As
	//   2 % <= p <= 10 %: As unchanged
	//   p > 10 %:       As = A * (1 - 0.5 * p)
	//
	// where A is the lower of As and the target the sender used while the
	// loss happened (given by the caller): a decrease backs off from what was
	// really sent, not from a loss-based value that the delay-based one kept
	// out of use. Increases are not bounded here (the caller takes the lower
	// of this and the other estimates), so the loss-based value stays out of
	// the way while loss is low.
	//
	// One deviation from the draft, on purpose: a decrease holds only while
	// the loss stays high. Once no update has found more than 10 % for
	// ReleaseAfterUs, the estimate stops bounding (back to unbounded). Under
	// the draft's rule a cut from one congestion episode (which the
	// delay-based estimate handles by itself) would then hold under 2-10 %
	// of random loss for good, and cap every later ramp at 5 % per update
	// with no loss at all; what the loss-based part is for, a path losing
	// more than 10 % whatever the rate, keeps cutting it every update.
	//
	// Two inputs: packet counts from transport-cc feedback, gathered until
	// MinPacketsPerUpdate packets over at least MinUpdateIntervalUs (a loss
	// fraction over three packets says nothing), or the fraction lost of an
	// RTCP receiver report (already a fraction over an interval, used as is).
	// Decreases are spaced by DecreaseIntervalUs plus the round trip, so the
	// loss of one episode, still reported after the sender reacted, does not
	// cut twice. Clock-free: times in microseconds.
	class LossBasedEstimator
	{
	public:
		static constexpr double IncreaseLoss{ 0.02 };
		static constexpr double DecreaseLoss{ 0.1 };
		static constexpr double IncreaseFactor{ 1.05 };
		static constexpr size_t MinPacketsPerUpdate{ 40u };
		static constexpr uint64_t MinUpdateIntervalUs{ 200000u };
		static constexpr uint64_t DecreaseIntervalUs{ 300000u };
		static constexpr uint64_t ReleaseAfterUs{ 2000000u };
		// The estimate when nothing bounds it.
		static constexpr double Unbounded{ 4294967295.0 };
		// Round trips above this count as this.
		static constexpr uint64_t MaxRttUs{ 10000000u };

	public:
		LossBasedEstimator() = default;

	public:
		// Packets from one feedback: `lost` of `total` were lost. Returns
		// whether the estimate was updated.
		bool AddPackets(size_t total, size_t lost, double currentTargetBps, uint64_t nowUs);
		// The fraction lost of a receiver report (0-255 means 0-255/256).
		void AddReceiverReportLoss(uint8_t fractionLost, double currentTargetBps, uint64_t nowUs);
		void SetRtt(uint64_t rttUs);
		// Raised at once (a probe showed the path carries more).
		void RaiseTo(double bitrateBps);
		double GetBitrate() const { return this->bitrate; }
		bool IsBounding() const { return this->bitrate < Unbounded; }
		// The loss fraction of the last update (0 before any).
		double GetLastLoss() const { return this->lastLoss; }

	private:
		void Apply(double loss, double currentTargetBps, uint64_t nowUs);

	private:
		double bitrate{ Unbounded };
		uint64_t rttUs{ 0u };
		// Gathered since the last update.
		uint64_t pendingTotal{ 0u };
		uint64_t pendingLost{ 0u };
		std::optional<uint64_t> pendingSinceUs;
		std::optional<uint64_t> lastDecreaseUs;
		double lastLoss{ 0.0 };
	};
} // namespace RTC

#endif
