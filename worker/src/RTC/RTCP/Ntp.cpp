#define MS_CLASS "RTC::RTCP::Ntp"
// #define MS_LOG_DEV

#include "RTC/RTCP/Ntp.hpp"

#include "Logger.hpp"

#include <cinttypes>

namespace RTC::RTCP
{
	namespace
	{
		constexpr uint64_t TwoPow32{ uint64_t{ 1u } << 32 };
		constexpr uint64_t TwoPow16{ uint64_t{ 1u } << 16 };
	} // namespace

	NtpTime NtpTime::FromMs(uint64_t ms)
	{
		// (999 * 2^32 + 500) / 1000 < 2^32: the fraction never overflows.
		return NtpTime{ static_cast<uint32_t>(ms / 1000u),
										static_cast<uint32_t>(((ms % 1000u) * TwoPow32 + 500u) / 1000u) };
	}

	uint32_t NtpTime::MsToCompact(uint64_t ms)
	{
		const uint64_t seconds  = (ms / 1000u) & 0xFFFFu;
		const uint64_t fraction = ((ms % 1000u) * TwoPow16 + 500u) / 1000u;

		return static_cast<uint32_t>((seconds << 16) + fraction);
	}

	uint64_t NtpTime::CompactToMs(uint32_t compact)
	{
		const uint64_t seconds  = compact >> 16;
		const uint64_t fraction = compact & 0xFFFFu;

		return seconds * 1000u + (fraction * 1000u + TwoPow16 / 2u) / TwoPow16;
	}

	uint64_t NtpTime::ToMs() const
	{
		return static_cast<uint64_t>(this->seconds) * 1000u +
					 (static_cast<uint64_t>(this->fractions) * 1000u + TwoPow32 / 2u) / TwoPow32;
	}

	std::optional<uint64_t> ComputeRttMs(uint32_t arrivalCompact, uint32_t lastReport, uint32_t delay)
	{
		if (lastReport == 0u)
		{
			return std::nullopt;
		}

		// Modulo 2^32: the compact clock wraps every 18 hours.
		const uint32_t rtt = arrivalCompact - lastReport - delay;

		if (static_cast<int32_t>(rtt) < 0)
		{
			MS_DEBUG_DEV(
				"negative RTT (A:%" PRIu32 ", LSR:%" PRIu32 ", DLSR:%" PRIu32 ")",
				arrivalCompact,
				lastReport,
				delay);

			return 0u;
		}

		return NtpTime::CompactToMs(rtt);
	}

	std::optional<uint64_t> ComputeRttMsAt(uint64_t nowMs, uint32_t lastReport, uint32_t delay)
	{
		return ComputeRttMs(NtpTime::FromMs(nowMs).ToCompact(), lastReport, delay);
	}
} // namespace RTC::RTCP
