#define MS_CLASS "RTC::LossBasedEstimator"
// #define MS_LOG_DEV

#include "RTC/LossBasedEstimator.hpp"

#include "Logger.hpp"

#include <algorithm>

namespace RTC
{
	bool
	LossBasedEstimator::AddPackets(size_t total, size_t lost, double currentTargetBps, uint64_t nowUs)
	{
		// More lost than sent is garbage: count all as lost.
		lost = std::min(lost, total);

		if (!this->pendingSinceUs)
		{
			this->pendingSinceUs = nowUs;
		}

		this->pendingTotal += total;
		this->pendingLost += lost;

		if (
			this->pendingTotal < MinPacketsPerUpdate ||
			nowUs < *this->pendingSinceUs + MinUpdateIntervalUs)
		{
			return false;
		}

		const double loss =
			static_cast<double>(this->pendingLost) / static_cast<double>(this->pendingTotal);

		this->pendingTotal = 0u;
		this->pendingLost  = 0u;
		this->pendingSinceUs.reset();

		Apply(loss, currentTargetBps, nowUs);

		return true;
	}

	void LossBasedEstimator::AddReceiverReportLoss(
		uint8_t fractionLost, double currentTargetBps, uint64_t nowUs)
	{
		Apply(static_cast<double>(fractionLost) / 256.0, currentTargetBps, nowUs);
	}

	void LossBasedEstimator::SetRtt(uint64_t rttUs)
	{
		this->rttUs = std::min(rttUs, MaxRttUs);
	}

	void LossBasedEstimator::RaiseTo(double bitrateBps)
	{
		this->bitrate = std::max(this->bitrate, bitrateBps);
	}

	void LossBasedEstimator::Apply(double loss, double currentTargetBps, uint64_t nowUs)
	{
		this->lastLoss = loss;

		if (
			loss <= DecreaseLoss && this->lastDecreaseUs &&
			nowUs >= *this->lastDecreaseUs + ReleaseAfterUs)
		{
			this->bitrate = Unbounded;
			this->lastDecreaseUs.reset();

			MS_DEBUG_TAG(bwe, "loss no longer high, loss-based estimate released");
		}

		if (loss < IncreaseLoss)
		{
			// Never above what a 32-bit bitrate holds, whatever the updates.
			this->bitrate = std::min(this->bitrate * IncreaseFactor, Unbounded);
		}
		else if (loss > DecreaseLoss)
		{
			if (this->lastDecreaseUs && nowUs < *this->lastDecreaseUs + DecreaseIntervalUs + this->rttUs)
			{
				return;
			}

			this->lastDecreaseUs = nowUs;
			this->bitrate        = std::min(this->bitrate, currentTargetBps) * (1.0 - 0.5 * loss);

			MS_DEBUG_TAG(bwe, "loss %.3f: loss-based estimate %.0f bps", loss, this->bitrate);
		}
	}
} // namespace RTC
