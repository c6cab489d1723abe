#define MS_CLASS "RTC::RTCP::Nack"
// #define MS_LOG_DEV

#include "RTC/RTCP/Nack.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

#include <array>
#include <bit>

namespace RTC::RTCP
{
	using Utils::Byte;

	/* Item. */

	size_t Nack::Item::GetLostSequenceNumbers(std::span<uint16_t, MaxLostSequenceNumbers> out) const
	{
		size_t count{ 0u };

		out[count++] = this->packetId;

		for (size_t bit = 0u; bit < 16u; ++bit)
		{
			if ((this->lostPacketBitmask >> bit) & 1u)
			{
				out[count++] = static_cast<uint16_t>(this->packetId + bit + 1u);
			}
		}

		return count;
	}

	size_t Nack::Item::CountLostSequenceNumbers() const
	{
		return 1u + static_cast<size_t>(std::popcount(this->lostPacketBitmask));
	}

	/* Class methods. */

	std::optional<Nack> Nack::Parse(std::span<const uint8_t> data)
	{
		const auto feedback = FeedbackHeader::Parse(data, PacketType, Fmt);

		if (!feedback)
		{
			return std::nullopt;
		}

		const auto fci = feedback->fci;

		if (fci.size() % ItemSize != 0u)
		{
			MS_DEBUG_DEV("FCI of %zu bytes is not a whole number of items", fci.size());

			return std::nullopt;
		}

		Nack nack;

		nack.senderSsrc = feedback->senderSsrc;
		nack.mediaSsrc  = feedback->mediaSsrc;

		const size_t count = fci.size() / ItemSize;

		for (size_t i = 0u; i < count; ++i)
		{
			const Item item{ Byte::Get2Bytes(fci.data(), i * ItemSize),
											 Byte::Get2Bytes(fci.data(), i * ItemSize + 2u) };

			if (!nack.items.PushBack(item))
			{
				MS_DEBUG_TAG(rtcp, "NACK with %zu items, only the first %zu kept", count, MaxItems);

				break;
			}
		}

		return nack;
	}

	/* Instance methods. */

	bool Nack::AddLostSequenceNumber(uint16_t seq)
	{
		if (!this->items.IsEmpty())
		{
			auto& last        = this->items.GetItems().back();
			const auto offset = static_cast<uint16_t>(seq - last.packetId);

			if (offset == 0u)
			{
				return true;
			}

			if (offset <= 16u)
			{
				last.lostPacketBitmask |= static_cast<uint16_t>(1u << (offset - 1u));

				return true;
			}
		}

		return this->items.PushBack(Item{ seq, 0u });
	}

	size_t Nack::GetLostSequenceNumbers(std::span<uint16_t> out) const
	{
		size_t count{ 0u };

		for (const auto& item : this->items)
		{
			std::array<uint16_t, Item::MaxLostSequenceNumbers> seqs{};
			const size_t n = item.GetLostSequenceNumbers(seqs);

			for (size_t i = 0u; i < n; ++i)
			{
				if (count == out.size())
				{
					return count;
				}

				out[count++] = seqs[i];
			}
		}

		return count;
	}

	size_t Nack::CountLostSequenceNumbers() const
	{
		size_t count{ 0u };

		for (const auto& item : this->items)
		{
			count += item.CountLostSequenceNumbers();
		}

		return count;
	}

	size_t Nack::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (out.size() < size)
		{
			return 0u;
		}

		FeedbackHeader::Write(
			out.first<FeedbackHeader::Size>(), PacketType, Fmt, size, this->senderSsrc, this->mediaSsrc);

		size_t pos{ FeedbackHeader::Size };

		for (const auto& item : this->items)
		{
			Byte::Set2Bytes(out.data(), pos, item.packetId);
			Byte::Set2Bytes(out.data(), pos + 2u, item.lostPacketBitmask);
			pos += ItemSize;
		}

		return size;
	}
} // namespace RTC::RTCP
