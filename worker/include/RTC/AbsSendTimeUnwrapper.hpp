#ifndef MS_RTC_ABS_SEND_TIME_UNWRAPPER_HPP
#define MS_RTC_ABS_SEND_TIME_UNWRAPPER_HPP

#include "common.hpp"

#include <optional>

namespace RTC
{
	// Turns the 24-bit abs-send-time header extension
	// (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time: seconds in
	// 6.18 fixed point, wrapping every 64 s) into a 64-bit send time in
	// microseconds on the sender's clock, so the bandwidth estimator compares
	// plain integers.
	//
	// Each value is placed within half the number space (32 s) of the newest
	// one seen, so a reordered packet comes out before it and wrap-around needs
	// no special case. The reference only moves forwards, and the first value
	// is placed one full period in: a value is never more than 32 s behind the
	// newest, so the result never goes below zero whatever the input.
	class AbsSendTimeUnwrapper
	{
	public:
		static constexpr uint32_t FractionBits{ 18u };
		static constexpr uint32_t Mask{ 0xFFFFFFu };
		static constexpr uint64_t Period{ uint64_t{ Mask } + 1u };

	public:
		// Microseconds of `units` in 1/2^18 s, rounded down.
		static constexpr uint64_t ToUs(uint64_t units)
		{
			// Whole seconds and the fraction apart, so nothing overflows.
			return (units >> FractionBits) * 1000000u +
						 (((units & ((uint64_t{ 1u } << FractionBits) - 1u)) * 1000000u) >> FractionBits);
		}

	public:
		// Send time in microseconds. Only the low 24 bits of `absSendTime` count.
		uint64_t Unwrap(uint32_t absSendTime);
		void Reset() { this->newest.reset(); }

	private:
		// Extended value (1/2^18 s units) of the newest value seen.
		std::optional<uint64_t> newest;
	};
} // namespace RTC

#endif
