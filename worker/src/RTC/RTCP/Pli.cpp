#define MS_CLASS "RTC::RTCP::Pli"
// #define MS_LOG_DEV

#include "RTC/RTCP/Pli.hpp"

#include "Logger.hpp"

namespace RTC::RTCP
{
	/* Class methods. */

	std::optional<Pli> Pli::Parse(std::span<const uint8_t> data)
	{
		const auto feedback = FeedbackHeader::Parse(data, PacketType, Fmt);

		if (!feedback)
		{
			return std::nullopt;
		}

		if (!feedback->fci.empty())
		{
			MS_DEBUG_DEV("PLI with %zu bytes of FCI, ignored", feedback->fci.size());
		}

		return Pli(feedback->senderSsrc, feedback->mediaSsrc);
	}

	/* Instance methods. */

	size_t Pli::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (out.size() < size)
		{
			return 0u;
		}

		FeedbackHeader::Write(
			out.first<FeedbackHeader::Size>(), PacketType, Fmt, size, this->senderSsrc, this->mediaSsrc);

		return size;
	}
} // namespace RTC::RTCP
