#ifndef MS_RTC_DELAY_BASED_USAGE_HPP
#define MS_RTC_DELAY_BASED_USAGE_HPP

#include "common.hpp"

#include "RTC/DelayTrendEstimator.hpp"
#include "RTC/InterArrivalGrouper.hpp"
#include "RTC/OveruseDetector.hpp"
#include "RTC/StandingQueueDetector.hpp"

#include <optional>

namespace RTC
{
	// The delay-based signal of Google Congestion Control
	// (draft-ietf-rmcat-gcc-02, 5.2-5.4) that both estimators share, the
	// receive side (REMB, abs-send-time) and the send side (transport-cc,
	// our own send times): packets grouped by send time, the trend of the
	// queuing delay, the over-use detector, and the standing-queue guard.
	// Clock-free: times in microseconds.
	class DelayBasedUsage
	{
	public:
		// A standing queue is taken as over-use while the estimate is more
		// than this times the incoming rate (see StandingQueueDetector).
		static constexpr double StandingQueueExcessRatio{ 1.1 };

	public:
		struct Signal
		{
			BandwidthUsage usage{ BandwidthUsage::Normal };
			// What getIncomingBps() said.
			std::optional<uint32_t> incomingBps;
		};

	public:
		// One received packet: send time on the sender's clock, arrival time
		// on the receiver's. Returns the signal when the packet completed a
		// group (nullopt otherwise); only then is `getIncomingBps()` (the rate
		// that gets through, nullopt when unknown) asked. `bitrate` is the
		// current estimate, for the standing-queue guard.
		template <typename GetIncomingBps>
		std::optional<Signal> AddPacket(
			uint64_t sendUs,
			uint64_t arrivalUs,
			size_t size,
			uint32_t bitrate,
			GetIncomingBps&& getIncomingBps)
		{
			if (!AddToGroups(sendUs, arrivalUs, size))
			{
				return std::nullopt;
			}

			const std::optional<uint32_t> incomingBps = getIncomingBps();

			return Signal{ Classify(arrivalUs, bitrate, incomingBps), incomingBps };
		}
		BandwidthUsage GetUsage() const { return this->detector.GetState(); }
		const InterArrivalGrouper& GetGrouper() const { return this->grouper; }
		const OveruseDetector& GetDetector() const { return this->detector; }
		const StandingQueueDetector& GetStandingQueueDetector() const { return this->standingQueue; }

	private:
		// Whether the packet completed a group (the trend then moved).
		bool AddToGroups(uint64_t sendUs, uint64_t arrivalUs, size_t size);
		BandwidthUsage
		Classify(uint64_t arrivalUs, uint32_t bitrate, std::optional<uint32_t> incomingBps);

	private:
		// Others.
		InterArrivalGrouper grouper;
		DelayTrendEstimator trend;
		OveruseDetector detector;
		StandingQueueDetector standingQueue;
	};
} // namespace RTC

#endif
