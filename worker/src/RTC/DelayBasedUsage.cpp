#define MS_CLASS "RTC::DelayBasedUsage"
// #define MS_LOG_DEV

#include "RTC/DelayBasedUsage.hpp"

#include "Logger.hpp"

namespace RTC
{
	/* Instance methods. */

	bool DelayBasedUsage::AddToGroups(uint64_t sendUs, uint64_t arrivalUs, size_t size)
	{
		switch (this->grouper.AddPacket(sendUs, arrivalUs, size))
		{
			case InterArrivalGrouper::Result::Deltas:
			{
				const auto& deltas = this->grouper.GetDeltas();

				this->trend.Update(
					static_cast<double>(deltas.arrivalDeltaUs) / 1000.0,
					static_cast<double>(deltas.sendDeltaUs) / 1000.0,
					deltas.arrivalUs);

				return true;
			}

			case InterArrivalGrouper::Result::Reset:
			{
				// Delays measured against the old reference mean nothing now.
				this->trend.Reset();
				this->standingQueue.Reset();

				return false;
			}

			case InterArrivalGrouper::Result::Pending:
			case InterArrivalGrouper::Result::Reordered:
			default:
			{
				return false;
			}
		}
	}

	BandwidthUsage DelayBasedUsage::Classify(
		uint64_t arrivalUs, uint32_t bitrate, std::optional<uint32_t> incomingBps)
	{
		const BandwidthUsage usage = this->detector.Detect(this->trend.GetTrend(), arrivalUs);
		const bool standing = this->standingQueue.Update(this->trend.GetSmoothedDelay(), arrivalUs);

		// A full drop-tail queue does not grow, so the trend cannot see it. It
		// stands only while more is sent than arrives: an estimate well above
		// the incoming rate. Without that condition a path whose delay grew
		// for good would slide the estimate down.
		if (
			standing && usage == BandwidthUsage::Normal && incomingBps &&
			static_cast<double>(bitrate) > StandingQueueExcessRatio * static_cast<double>(*incomingBps))
		{
			MS_DEBUG_TAG(
				bwe, "standing queue with %" PRIu32 " bps incoming, taken as over-use", *incomingBps);

			return BandwidthUsage::Overusing;
		}

		return usage;
	}
} // namespace RTC
