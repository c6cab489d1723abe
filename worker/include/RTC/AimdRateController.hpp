#ifndef MS_RTC_AIMD_RATE_CONTROLLER_HPP
#define MS_RTC_AIMD_RATE_CONTROLLER_HPP

#include "common.hpp"

#include "RTC/OveruseDetector.hpp"

#include <optional>

namespace RTC
{
	// The rate control of draft-ietf-rmcat-gcc-02 (5.5): a three-state machine
	// driven by the over-use detector's signal, turning it into a bitrate.
	//
	//   signal \ state  Hold      Increase  Decrease
	//   over-use        Decrease  Decrease  (stays)
	//   normal          Increase  (stays)   Hold
	//   under-use       Hold      Hold      Hold
	//
	// - Decrease: to Beta times the incoming rate measured now (never up).
	//   While over-use lasts the estimate follows the incoming rate down, so
	//   a decrease lands under the capacity the queue drains at.
	// - Increase: near the last congestion point additive (one packet per
	//   response time, or NearIncreasePerSecond of the point, whichever is
	//   more) and not past the top of its band; below the band and far from
	//   any congestion point, multiplicative. The congestion point is the
	//   average incoming rate at the end of decreases, with a band of three
	//   deviations; it is forgotten once the incoming rate gets two
	//   deviations past it without over-use (the path has grown), or a
	//   decrease happens outside the band.
	// - An increase stops at IncreaseCapFactor times the incoming rate plus
	//   CapHeadroomBps, and the estimate is never above CapFactor times it
	//   plus CapHeadroomBps (cut down if need be, unless the sender is
	//   application-limited, see SetCutToIncomingRate): a sender that does not
	//   use what we announce does not let the estimate run away from what
	//   the path has shown it carries.
	// - Hold: unchanged (under-use means a queue draining: wait for it).
	//
	// Clock-free: every update takes the time in microseconds.
	class AimdRateController
	{
	public:
		enum class State : uint8_t
		{
			Hold,
			Increase,
			Decrease,
		};

	public:
		static constexpr uint32_t MinBitrate{ 30000u };
		static constexpr uint32_t MaxBitrate{ 100000000u };
		// Where Chrome starts its own estimate.
		static constexpr uint32_t InitialBitrate{ 300000u };
		static constexpr double Beta{ 0.85 };
		// Per second, far from the last congestion point. The draft's 8 %/s
		// takes 13 s from 500 kbit/s to 1.4 Mbit/s, and a REMB sender (Chrome)
		// already ramps at about that under our cap: at the draft's pace our
		// REMB would be what holds it back.
		static constexpr double MultiplicativeIncrease{ 2.0 };
		// Response time: 100 ms plus a round trip we cannot see from the
		// receive side; 100 ms assumed.
		static constexpr uint64_t ResponseTimeUs{ 200000u };
		static constexpr double MinAdditiveIncreaseBps{ 1000.0 };
		// And at least this fraction of the congestion point per second, so
		// the band is crossed in about two seconds when the path has grown.
		static constexpr double NearIncreasePerSecond{ 0.15 };
		static constexpr double CapFactor{ 1.5 };
		// An increase stops at this times the incoming rate plus the headroom.
		// Since the incoming rate cannot exceed the capacity, this bounds how
		// far a multiplicative climb overshoots it before the queue shows, and
		// with the sender following within MinRembIntervalUs it still allows
		// about 60 %/s. Chrome ramps at about 8 %/s under it.
		static constexpr double IncreaseCapFactor{ 1.25 };
		static constexpr double CapHeadroomBps{ 10000.0 };
		// A pause longer than this counts as this long for an increase.
		static constexpr uint64_t MaxIncreaseStepUs{ 1000000u };
		// The spread of the incoming rate at decreases, relative to its
		// average, is taken within these bounds. The floor is the measuring
		// noise: at 500 kbit/s a 500 ms window holds about 26 packets of 1200
		// bytes, so one packet more or less is 4 %.
		static constexpr double MinRelativeDeviation{ 0.05 };
		static constexpr double MaxRelativeDeviation{ 0.1 };
		// Weight of a new sample in the average at decreases.
		static constexpr double AverageWeight{ 0.05 };

	public:
		// `incomingBps`: the rate measured over the last window, nullopt until
		// a window has been measured. `packetBits`: the average packet size.
		uint32_t Update(
			BandwidthUsage usage, std::optional<uint32_t> incomingBps, double packetBits, uint64_t nowUs);
		uint32_t GetBitrate() const { return static_cast<uint32_t>(this->bitrate); }
		// Whether the estimate is cut to CapFactor times the incoming rate.
		// Right for a receiver estimating for a sender that sends what it is
		// told; wrong for a sender that is application-limited (an SFU sends
		// the layers it chose, often far under what the path carries): there
		// the incoming rate says what was sent, not what fits, and only
		// over-use, loss and probes move the estimate down or up.
		void SetCutToIncomingRate(bool cut) { this->cutToIncomingRate = cut; }
		// Sets the estimate (within [MinBitrate, MaxBitrate]): where a sender
		// starts, a probe result, or a bound the owner imposes. The state and
		// the congestion point are kept.
		void SetBitrate(uint32_t bitrate);
		State GetState() const { return this->state; }
		// Whether a congestion point is known: increases are then additive.
		bool IsNearConvergence() const { return this->averageAtDecreaseBps.has_value(); }
		// The average incoming rate at decreases, while known.
		std::optional<double> GetCongestionPoint() const { return this->averageAtDecreaseBps; }
		// Standard deviation of the incoming rate at decreases (bit/s).
		double GetDeviation() const;

	private:
		void Transition(BandwidthUsage usage);
		void UpdateAverageAtDecrease(double incomingBps);

	private:
		bool cutToIncomingRate{ true };
		State state{ State::Hold };
		double bitrate{ InitialBitrate };
		std::optional<uint64_t> lastUpdateUs;
		// Average and relative variance of the incoming rate at decreases.
		std::optional<double> averageAtDecreaseBps;
		double relativeVariance{ MinRelativeDeviation * MinRelativeDeviation };
		// The incoming rate at the last update of the current decrease.
		std::optional<double> episodeIncomingBps;
	};
} // namespace RTC

#endif
