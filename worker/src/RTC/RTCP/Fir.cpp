#define MS_CLASS "RTC::RTCP::Fir"
// #define MS_LOG_DEV

#include "RTC/RTCP/Fir.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

namespace RTC::RTCP
{
	using Utils::Byte;

	/* Class methods. */

	std::optional<Fir> Fir::Parse(std::span<const uint8_t> data)
	{
		const auto feedback = FeedbackHeader::Parse(data, PacketType, Fmt);

		if (!feedback)
		{
			return std::nullopt;
		}

		const auto fci = feedback->fci;

		if (fci.size() % EntrySize != 0u)
		{
			MS_DEBUG_DEV("FCI of %zu bytes is not a whole number of entries", fci.size());

			return std::nullopt;
		}

		Fir fir;

		fir.senderSsrc = feedback->senderSsrc;
		fir.mediaSsrc  = feedback->mediaSsrc;

		const size_t count = fci.size() / EntrySize;

		for (size_t i = 0u; i < count; ++i)
		{
			const Entry entry{ Byte::Get4Bytes(fci.data(), i * EntrySize), fci[i * EntrySize + 4u] };

			if (!fir.entries.PushBack(entry))
			{
				MS_DEBUG_TAG(rtcp, "FIR with %zu entries, only the first %zu kept", count, MaxEntries);

				break;
			}
		}

		return fir;
	}

	/* Instance methods. */

	size_t Fir::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (out.size() < size)
		{
			return 0u;
		}

		FeedbackHeader::Write(
			out.first<FeedbackHeader::Size>(), PacketType, Fmt, size, this->senderSsrc, this->mediaSsrc);

		size_t pos{ FeedbackHeader::Size };

		for (const auto& entry : this->entries)
		{
			Byte::Set4Bytes(out.data(), pos, entry.ssrc);
			out[pos + 4u] = entry.sequenceNumber;
			Byte::Set3Bytes(out.data(), pos + 5u, 0u);
			pos += EntrySize;
		}

		return size;
	}
} // namespace RTC::RTCP
