#ifndef MS_RTC_RTCP_NTP_HPP
#define MS_RTC_RTCP_NTP_HPP

#include "common.hpp"

#include <optional>

namespace RTC::RTCP
{
	// An NTP timestamp as RTCP carries it (RFC 3550 4): seconds and the
	// fraction of a second in units of 1/2^32 s.
	// https://www.rfc-editor.org/rfc/rfc3550#section-4
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                            seconds                            |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                           fraction                            |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//                 <--- compact form (LSR, LRR) --->
	//
	// The compact form is the middle 32 bits: 16 bits of seconds, 16 of
	// fraction (units of 1/65536 s). LSR/DLSR (RFC 3550 6.4.1) and LRR/DLRR
	// (RFC 3611 4.5) use it.
	//
	// Nothing here reads a clock: callers pass their time in milliseconds, in
	// whatever epoch they want to see in the NTP field (add
	// NtpUnixEpochOffsetMs to Unix time for a real NTP timestamp; peers only
	// ever compare a timestamp with one they sent, so any epoch works).
	struct NtpTime
	{
		// Seconds from the NTP epoch (1900-01-01) to the Unix epoch.
		static constexpr uint64_t NtpUnixEpochOffsetMs{ 2208988800000u };

		// Seconds are kept modulo 2^32 (as on the wire).
		static NtpTime FromMs(uint64_t ms);
		static NtpTime FromUint64(uint64_t ntp)
		{
			return NtpTime{ static_cast<uint32_t>(ntp >> 32), static_cast<uint32_t>(ntp) };
		}
		// A duration (a DLSR, a DLRR) or a point in time in compact form,
		// rounded to the nearest 1/65536 s.
		static uint32_t MsToCompact(uint64_t ms);
		// Rounded to the nearest millisecond.
		static uint64_t CompactToMs(uint32_t compact);

		uint64_t ToUint64() const
		{
			return (static_cast<uint64_t>(this->seconds) << 32) | this->fractions;
		}
		// Rounded to the nearest millisecond.
		uint64_t ToMs() const;
		// The middle 32 bits, as a receiver puts them into LSR.
		uint32_t ToCompact() const { return (this->seconds << 16) | (this->fractions >> 16); }
		bool operator==(const NtpTime& other) const = default;

		uint32_t seconds{ 0u };
		uint32_t fractions{ 0u };
	};

	// Round-trip time from a report block's LSR and DLSR (RFC 3550 6.4.1) or
	// a DLRR sub-block's LRR and DLRR (RFC 3611 4.5):
	//
	//   RTT = A - LSR - DLSR
	//
	// `arrivalCompact` (A) is when the report arrived, in compact NTP form on
	// the same clock the sender report (or RRT) was stamped with. nullopt when
	// `lastReport` is 0 (no SR/RRT received yet, RFC 3550 6.4.1). A result
	// that comes out negative (peer clock errors, a lying peer) gives 0.
	std::optional<uint64_t>
	ComputeRttMs(uint32_t arrivalCompact, uint32_t lastReport, uint32_t delay);
	// As above, with the arrival time in milliseconds (same clock as the
	// NtpTime::FromMs() that stamped the report).
	std::optional<uint64_t> ComputeRttMsAt(uint64_t nowMs, uint32_t lastReport, uint32_t delay);
} // namespace RTC::RTCP

#endif
