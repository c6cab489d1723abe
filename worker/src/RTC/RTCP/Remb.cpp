#define MS_CLASS "RTC::RTCP::Remb"
// #define MS_LOG_DEV

#include "RTC/RTCP/Remb.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

#include <cinttypes>

namespace RTC::RTCP
{
	using Utils::Byte;

	/* Class methods. */

	bool Remb::IsRemb(std::span<const uint8_t> data)
	{
		const auto feedback = FeedbackHeader::Parse(data, PacketType, Fmt);

		return feedback && feedback->fci.size() >= 4u &&
					 Byte::Get4Bytes(feedback->fci.data(), 0) == UniqueIdentifier;
	}

	std::optional<Remb> Remb::Parse(std::span<const uint8_t> data)
	{
		const auto feedback = FeedbackHeader::Parse(data, PacketType, Fmt);

		if (!feedback)
		{
			return std::nullopt;
		}

		const auto fci       = feedback->fci;
		const uint8_t* bytes = fci.data();

		if (fci.size() < FixedSize - FeedbackHeader::Size)
		{
			MS_DEBUG_DEV("FCI of %zu bytes, too short for REMB", fci.size());

			return std::nullopt;
		}

		if (Byte::Get4Bytes(bytes, 0) != UniqueIdentifier)
		{
			MS_DEBUG_DEV("not a REMB");

			return std::nullopt;
		}

		const size_t count = bytes[4];

		if ((fci.size() - 8u) / 4u < count)
		{
			MS_DEBUG_DEV("%zu SSRCs announced, room for %zu", count, (fci.size() - 8u) / 4u);

			return std::nullopt;
		}

		Remb remb;

		remb.senderSsrc = feedback->senderSsrc;
		remb.mediaSsrc  = feedback->mediaSsrc;
		remb.exponent   = bytes[5] >> 2;
		remb.mantissa   = Byte::Get3Bytes(bytes, 5) & MaxMantissa;

		// The bits of the mantissa shifted out of 64 bits must be 0.
		if (remb.exponent > 0u && (static_cast<uint64_t>(remb.mantissa) >> (64u - remb.exponent)) != 0u)
		{
			MS_DEBUG_DEV("bitrate %" PRIu32 " << %u overflows", remb.mantissa, remb.exponent);

			return std::nullopt;
		}

		for (size_t i = 0u; i < count; ++i)
		{
			if (!remb.ssrcs.PushBack(Byte::Get4Bytes(bytes, 8u + i * 4u)))
			{
				MS_DEBUG_TAG(rtcp, "REMB with %zu SSRCs, only the first %zu kept", count, MaxSsrcs);

				break;
			}
		}

		// Bytes after the announced SSRCs are ignored.
		return remb;
	}

	/* Instance methods. */

	void Remb::SetBitrate(uint64_t bitrate)
	{
		uint8_t exp{ 0u };

		while ((bitrate >> exp) > MaxMantissa)
		{
			++exp;
		}

		this->exponent = exp;
		this->mantissa = static_cast<uint32_t>(bitrate >> exp);
	}

	size_t Remb::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (out.size() < size)
		{
			return 0u;
		}

		uint8_t* bytes = out.data();

		FeedbackHeader::Write(
			out.first<FeedbackHeader::Size>(), PacketType, Fmt, size, this->senderSsrc, this->mediaSsrc);
		Byte::Set4Bytes(bytes, 12, UniqueIdentifier);
		bytes[16] = static_cast<uint8_t>(this->ssrcs.GetSize());
		Byte::Set3Bytes(
			bytes,
			17,
			(static_cast<uint32_t>(this->exponent & MaxExponent) << 18) | (this->mantissa & MaxMantissa));

		size_t pos{ FixedSize };

		for (const uint32_t ssrc : this->ssrcs)
		{
			Byte::Set4Bytes(bytes, pos, ssrc);
			pos += 4u;
		}

		return size;
	}
} // namespace RTC::RTCP
