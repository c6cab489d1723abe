#define MS_CLASS "RTC::RembEstimator"
// #define MS_LOG_DEV

#include "RTC/RembEstimator.hpp"

#include "Logger.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		// Weight of a new packet in the average packet size.
		constexpr double PacketSizeWeight{ 0.05 };
	} // namespace

	RembEstimator::RembEstimator() : incomingRate(RateWindowUs) {}

	void RembEstimator::ReceivePacket(uint64_t arrivalUs, uint32_t absSendTime, size_t size)
	{
		if (!this->firstArrivalUs)
		{
			this->firstArrivalUs = arrivalUs;
			this->lastArrivalUs  = arrivalUs;
		}
		else if (arrivalUs < this->lastArrivalUs)
		{
			this->clockStepBackCount++;
			arrivalUs = this->lastArrivalUs;
		}

		this->lastArrivalUs    = arrivalUs;
		this->arrivedSinceRemb = true;

		size = std::min(size, MaxPacketSize);

		this->incomingRate.Update(size, arrivalUs);
		this->averagePacketBits = (1.0 - PacketSizeWeight) * this->averagePacketBits +
															PacketSizeWeight * 8.0 * static_cast<double>(size);

		const uint64_t sendUs = this->unwrapper.Unwrap(absSendTime);

		switch (this->grouper.AddPacket(sendUs, arrivalUs, size))
		{
			case InterArrivalGrouper::Result::Deltas:
			{
				const auto& deltas = this->grouper.GetDeltas();

				this->trend.Update(
					static_cast<double>(deltas.arrivalDeltaUs) / 1000.0,
					static_cast<double>(deltas.sendDeltaUs) / 1000.0,
					deltas.arrivalUs);

				BandwidthUsage usage = this->detector.Detect(this->trend.GetTrend(), arrivalUs);
				const bool standing = this->standingQueue.Update(this->trend.GetSmoothedDelay(), arrivalUs);
				const auto incomingBps = this->incomingRate.GetRate(arrivalUs);

				// A full queue does not grow, so the trend cannot see it. It
				// stands only while more is sent than arrives: an estimate
				// well above the incoming rate. Without that condition a path
				// whose delay grew for good would slide the estimate down.
				if (
					standing && usage == BandwidthUsage::Normal && incomingBps &&
					static_cast<double>(GetEstimate()) >
						StandingQueueExcessRatio * static_cast<double>(*incomingBps))
				{
					MS_DEBUG_TAG(
						bwe, "standing queue with %" PRIu32 " bps incoming, taken as over-use", *incomingBps);

					usage = BandwidthUsage::Overusing;
				}

				this->rateController.Update(usage, incomingBps, this->averagePacketBits, arrivalUs);

				break;
			}

			case InterArrivalGrouper::Result::Reset:
			{
				// Delays measured against the old reference mean nothing now.
				this->trend.Reset();
				this->standingQueue.Reset();

				break;
			}

			case InterArrivalGrouper::Result::Pending:
			case InterArrivalGrouper::Result::Reordered:
			{
				break;
			}
		}

		if (
			!this->promptUs && this->lastRembUs &&
			static_cast<double>(GetEstimate()) <
				PromptDecreaseRatio * static_cast<double>(this->lastRembBitrate))
		{
			this->promptUs = arrivalUs;
		}
	}

	std::optional<uint64_t> RembEstimator::GetNextDeadlineUs() const
	{
		if (!this->firstArrivalUs)
		{
			return std::nullopt;
		}

		// The first one as soon as there is an estimate.
		if (!this->lastRembUs)
		{
			return *this->firstArrivalUs;
		}

		if (this->promptUs)
		{
			return *this->promptUs;
		}

		if (!this->arrivedSinceRemb)
		{
			return std::nullopt;
		}

		if (
			static_cast<double>(GetEstimate()) >
			PromptIncreaseRatio * static_cast<double>(this->lastRembBitrate))
		{
			return *this->lastRembUs + MinRembIntervalUs;
		}

		return *this->lastRembUs + RembIntervalUs;
	}

	std::optional<uint32_t> RembEstimator::Process(uint64_t nowUs)
	{
		const auto deadline = GetNextDeadlineUs();

		if (!deadline || nowUs < *deadline)
		{
			return std::nullopt;
		}

		this->lastRembUs       = nowUs;
		this->lastRembBitrate  = GetEstimate();
		this->arrivedSinceRemb = false;
		this->promptUs.reset();

		MS_DEBUG_DEV("REMB of %" PRIu32 " bps due", this->lastRembBitrate);

		return this->lastRembBitrate;
	}

	uint32_t RembEstimator::GetEstimate() const
	{
		if (!this->firstArrivalUs)
		{
			return 0u;
		}

		return this->rateController.GetBitrate();
	}
} // namespace RTC
