#ifndef MS_RTC_RTCP_INTERVAL_HPP
#define MS_RTC_RTCP_INTERVAL_HPP

#include "common.hpp"

namespace RTC
{
	// When to send the next RTCP report, by the rules of RFC 3550 6.2 and
	// 6.3.1 (appendix A.7): RTCP gets 5 % of the session bandwidth, senders
	// share a quarter of it when they are fewer than a quarter of the
	// members, and the interval is the time it takes to send one report per
	// member of one's group at that rate, never below a minimum.
	//
	// The minimum is the "reduced minimum" of RFC 3550 6.2, 360 s divided by
	// the session bandwidth in kb/s, but never more than the standard 5 s (2.5 s
	// before the first report) and never less than MinIntervalMs: a video
	// session gets reports every few hundred milliseconds, an audio one every
	// few seconds.
	//
	// Clock-free and deterministic: the caller randomises the result with
	// Randomize() (RFC 3550 6.3.1: [0.5, 1.5] times, divided by e - 3/2 to
	// compensate for the timer reconsideration it does not do).
	class RtcpInterval
	{
	public:
		static constexpr uint64_t StandardMinIntervalMs{ 5000u };
		static constexpr uint64_t MinIntervalMs{ 100u };
		// RTCP's share of the session bandwidth.
		static constexpr double RtcpBandwidthFraction{ 0.05 };
		static constexpr double SenderBandwidthFraction{ 0.25 };

		struct Input
		{
			// SSRCs in the session: ours and the peer's.
			uint32_t members{ 2u };
			// How many of them sent RTP lately.
			uint32_t senders{ 0u };
			bool weSent{ false };
			// RTP bitrate of the session, both directions.
			uint64_t sessionBitrate{ 0u };
			// Average size of the RTCP packets sent and received, in bytes
			// (with UDP and IP headers, as RFC 3550 6.2 counts them).
			double avgRtcpSize{ 100.0 };
			bool initial{ false };
		};

	public:
		static uint64_t ComputeMs(const Input& input);
		// `random` in [0, 1].
		static uint64_t Randomize(uint64_t intervalMs, double random);
		// RFC 3550 6.3.3: avg_rtcp_size = 1/16 * packet_size + 15/16 * avg.
		static double UpdateAverageSize(double avgRtcpSize, size_t packetSize);
	};
} // namespace RTC

#endif
