#ifndef MS_RTC_RETRANSMISSION_BUDGET_HPP
#define MS_RTC_RETRANSMISSION_BUDGET_HPP

#include "common.hpp"

namespace RTC
{
	// How many bytes of retransmissions a path may take: a token bucket
	// filling at a given rate, holding at most WindowUs of it.
	//
	// Without it, a receiver whose link is full NACKs what the queue dropped,
	// the resends overflow the queue again, and the loss this causes drives
	// the estimate to its floor: on a 300 kbit/s link we measured 7 Mbit/s of
	// retransmissions in one second. A resend the budget has no room for is
	// skipped; the receiver asks again or for a key frame.
	//
	// Clock-free: time is an argument in microseconds.
	class RetransmissionBudget
	{
	public:
		// How much of the rate the bucket holds: bursts of resends after a
		// loss burst pass, a sustained storm does not.
		static constexpr uint64_t WindowUs{ 500000u };

	public:
		// Bit/s; 0 = nothing may be resent.
		void SetRate(uint32_t bitrate, uint64_t nowUs);
		// Whether `bytes` may be resent now; if so they are taken.
		bool TryTake(size_t bytes, uint64_t nowUs);
		uint64_t GetDeniedCount() const { return this->deniedCount; }

	private:
		void Refill(uint64_t nowUs);

	private:
		uint32_t bitrate{ 0u };
		double availableBytes{ 0.0 };
		uint64_t lastRefillUs{ 0u };
		bool started{ false };
		uint64_t deniedCount{ 0u };
	};
} // namespace RTC

#endif
