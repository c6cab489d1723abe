#define MS_CLASS "RTC::AbsSendTimeUnwrapper"

#include "RTC/AbsSendTimeUnwrapper.hpp"

#include "RTC/SeqNumber.hpp"

namespace RTC
{
	uint64_t AbsSendTimeUnwrapper::Unwrap(uint32_t absSendTime)
	{
		const uint32_t value = absSendTime & Mask;

		if (!this->newest)
		{
			this->newest = Period + value;

			return ToUs(*this->newest);
		}

		// The 24-bit distance, sign-extended through the 32-bit helper.
		const auto last  = static_cast<uint32_t>(*this->newest & Mask);
		const auto step  = static_cast<uint32_t>((value - last) & Mask) << 8u;
		const auto delta = SeqDistance<uint32_t>(0u, step) / 256;

		// |delta| <= 2^23 and newest >= 2^24: never below zero.
		const auto extended = static_cast<uint64_t>(static_cast<int64_t>(*this->newest) + delta);

		if (delta > 0)
		{
			this->newest = extended;
		}

		return ToUs(extended);
	}
} // namespace RTC
