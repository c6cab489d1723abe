#ifndef MS_RTC_SEQ_NUMBER_HPP
#define MS_RTC_SEQ_NUMBER_HPP

#include "common.hpp"

#include <concepts>

namespace RTC
{
	// Wrap-aware arithmetic on the counters RTP sends modulo 2^N: 16-bit
	// sequence numbers (RFC 3550 5.1) and 32-bit timestamps. A value is newer
	// than another when it lies less than half the number space ahead of it;
	// exactly half way, the numerically greater one is taken as newer, so for
	// two different values exactly one of IsNewer(a, b) and IsNewer(b, a)
	// holds. That is not an ordering (it is not transitive), which is why
	// SeqNumber has no operator<: compare extended values (SeqUnwrapper) when
	// an order is needed.
	// clang-format off
	template <typename T>
	concept WrappingCounter = std::unsigned_integral<T> && (sizeof(T) <= 4u);
	// clang-format on

	// Signed number of steps from `from` forward to `to`, in
	// [-2^(N-1), 2^(N-1)]: +2^(N-1) only for the half-way tie when `to` is
	// greater.
	template <WrappingCounter T>
	constexpr int64_t SeqDistance(T from, T to)
	{
		constexpr uint64_t Modulus = uint64_t{ 1u } << (8u * sizeof(T));
		constexpr uint64_t Half    = Modulus / 2u;

		const uint64_t forward = (static_cast<uint64_t>(to) - static_cast<uint64_t>(from)) % Modulus;

		if (forward < Half)
		{
			return static_cast<int64_t>(forward);
		}
		else if (forward == Half && to > from)
		{
			return static_cast<int64_t>(Half);
		}

		return static_cast<int64_t>(forward) - static_cast<int64_t>(Modulus);
	}

	// Whether `a` comes after `b`.
	template <WrappingCounter T>
	constexpr bool IsNewer(T a, T b)
	{
		return SeqDistance<T>(b, a) > 0;
	}

	// Whether `a` comes after `b` in a counter of `mask` + 1 values (mask of
	// the low bits kept: 0x7F for 7-bit VP8/VP9 picture ids, 0x7FFF for 15-bit).
	constexpr bool IsNewerMasked(uint32_t a, uint32_t b, uint32_t mask)
	{
		const uint32_t forward = (a - b) & mask;

		return forward != 0u && forward <= (mask >> 1u);
	}

	// The newer of two values.
	template <WrappingCounter T>
	constexpr T Newest(T a, T b)
	{
		return IsNewer<T>(a, b) ? a : b;
	}

	// An RTP sequence number. A strong type so that it is not mixed up with
	// counts, sizes or extended sequence numbers; arithmetic wraps at 2^16.
	class SeqNumber
	{
	public:
		constexpr SeqNumber() = default;
		constexpr explicit SeqNumber(uint16_t value) : value(value) {}

	public:
		constexpr uint16_t Value() const { return this->value; }
		constexpr bool IsNewerThan(SeqNumber other) const
		{
			return IsNewer<uint16_t>(this->value, other.value);
		}
		// Signed steps from `other` forward to this.
		constexpr int64_t DistanceFrom(SeqNumber other) const
		{
			return SeqDistance<uint16_t>(other.value, this->value);
		}
		constexpr SeqNumber operator+(uint16_t steps) const
		{
			return SeqNumber(static_cast<uint16_t>(this->value + steps));
		}
		constexpr SeqNumber operator-(uint16_t steps) const
		{
			return SeqNumber(static_cast<uint16_t>(this->value - steps));
		}
		constexpr SeqNumber& operator++()
		{
			++this->value;

			return *this;
		}
		friend constexpr bool operator==(SeqNumber a, SeqNumber b) = default;

	private:
		uint16_t value{ 0u };
	};

	// Turns a wrapping counter into a 64-bit value that keeps growing, so that
	// the rest of the code compares and subtracts plain integers. Each value
	// is placed within half the number space of the newest value seen so far
	// (older values do not move the reference).
	//
	// The first value lands one full cycle up (Unwrap(v) == Cycle + v), so
	// values older than it, even across a wrap, still have a (smaller)
	// extended form and nothing goes below zero. Compare and subtract extended
	// values; do not read a cycle count out of them (RtpSeqTracker counts
	// cycles the RFC 3550 way for reports).
	template <WrappingCounter T>
	class SeqUnwrapper
	{
	public:
		static constexpr uint64_t Cycle{ uint64_t{ 1u } << (8u * sizeof(T)) };

	public:
		// Extends `value` and makes it the reference when it is the newest.
		constexpr uint64_t Unwrap(T value)
		{
			const uint64_t extended = Peek(value);

			if (!this->started || extended > this->newest)
			{
				this->newest  = extended;
				this->started = true;
			}

			return extended;
		}
		// Extends `value` without changing any state.
		constexpr uint64_t Peek(T value) const
		{
			if (!this->started)
			{
				return Cycle + value;
			}

			const int64_t distance = SeqDistance<T>(static_cast<T>(this->newest), value);

			// Cannot go below zero: the newest is at least Cycle and a distance
			// is at least -Cycle / 2.
			return static_cast<uint64_t>(static_cast<int64_t>(this->newest) + distance);
		}
		constexpr bool HasStarted() const { return this->started; }
		// The extended form of the newest value seen (meaningless before the
		// first Unwrap()).
		constexpr uint64_t GetNewest() const { return this->newest; }
		constexpr void Reset()
		{
			this->newest  = 0u;
			this->started = false;
		}

	private:
		uint64_t newest{ 0u };
		bool started{ false };
	};

	using SeqNumberUnwrapper    = SeqUnwrapper<uint16_t>;
	using RtpTimestampUnwrapper = SeqUnwrapper<uint32_t>;
} // namespace RTC

#endif
