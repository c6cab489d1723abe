#define MS_CLASS "RTC::RTCP::Sdes"
// #define MS_LOG_DEV

#include "RTC/RTCP/Sdes.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

#include <algorithm>
#include <cstring>

namespace RTC::RTCP
{
	using Utils::Byte;

	namespace
	{
		constexpr size_t SsrcSize{ 4u };
		constexpr size_t ItemHeaderSize{ 2u };
	} // namespace

	/* Chunk. */

	std::optional<std::string_view> Sdes::Chunk::GetCname() const
	{
		for (const auto& item : this->items)
		{
			if (item.type == ItemType::CNAME)
			{
				return item.text;
			}
		}

		return std::nullopt;
	}

	/* Class methods. */

	std::optional<Sdes> Sdes::Parse(std::span<const uint8_t> data)
	{
		const auto header = CommonHeader::ParseExact(data, PacketType);

		if (!header)
		{
			return std::nullopt;
		}

		const auto body      = header->body;
		const uint8_t* bytes = body.data();
		size_t pos{ 0u };
		bool droppedItems{ false };
		Sdes sdes;

		for (size_t c = 0u; c < header->count; ++c)
		{
			if (body.size() - pos < SsrcSize)
			{
				MS_DEBUG_DEV("chunk %zu of %u does not fit", c, header->count);

				return std::nullopt;
			}

			// count <= MaxChunks: always stored.
			sdes.AddChunk(Byte::Get4Bytes(bytes, pos));
			pos += SsrcSize;

			while (true)
			{
				if (pos >= body.size())
				{
					MS_DEBUG_DEV("chunk %zu has no terminating null octet", c);

					return std::nullopt;
				}

				const auto type = static_cast<ItemType>(bytes[pos]);

				if (type == ItemType::END)
				{
					// Skip the null octets up to the next 32-bit boundary (the body
					// starts on one). A body cut short by an odd padding count may
					// end first.
					pos = std::min(Byte::PadTo4Bytes(pos + 1u), body.size());

					break;
				}

				if (body.size() - pos < ItemHeaderSize)
				{
					MS_DEBUG_DEV("item header does not fit");

					return std::nullopt;
				}

				const size_t length = bytes[pos + 1u];

				if (body.size() - pos - ItemHeaderSize < length)
				{
					MS_DEBUG_DEV("item of %zu bytes does not fit", length);

					return std::nullopt;
				}

				const std::string_view text(
					reinterpret_cast<const char*>(bytes + pos + ItemHeaderSize), length);

				if (!sdes.AddItem(type, text))
				{
					droppedItems = true;
				}

				pos += ItemHeaderSize + length;
			}
		}

		if (droppedItems)
		{
			MS_DEBUG_TAG(rtcp, "SDES with more than %zu items, the rest dropped", MaxItems);
		}

		// Whatever follows the announced chunks is ignored.
		return sdes;
	}

	/* Instance methods. */

	std::optional<Sdes::Chunk> Sdes::GetChunk(size_t index) const
	{
		if (index >= this->chunks.GetSize())
		{
			return std::nullopt;
		}

		const auto& entry = this->chunks.GetItems()[index];

		return Chunk{ entry.ssrc, this->items.GetItems().subspan(entry.firstItem, entry.itemCount) };
	}

	std::optional<std::string_view> Sdes::GetCname(uint32_t ssrc) const
	{
		for (size_t i = 0u; i < this->chunks.GetSize(); ++i)
		{
			const auto chunk = GetChunk(i);

			if (chunk && chunk->ssrc == ssrc)
			{
				if (auto cname = chunk->GetCname())
				{
					return cname;
				}
			}
		}

		return std::nullopt;
	}

	bool Sdes::AddChunk(uint32_t ssrc)
	{
		// firstItem fits: MaxItems <= 255.
		static_assert(MaxItems <= 0xFFu);

		return this->chunks.PushBack(
			ChunkEntry{ ssrc, static_cast<uint8_t>(this->items.GetSize()), 0u });
	}

	bool Sdes::AddItem(ItemType type, std::string_view text)
	{
		if (this->chunks.IsEmpty() || type == ItemType::END || text.size() > MaxItemLength)
		{
			return false;
		}

		if (!this->items.PushBack(Item{ type, text }))
		{
			return false;
		}

		this->chunks.GetItems().back().itemCount++;

		return true;
	}

	size_t Sdes::GetSize() const
	{
		size_t size{ CommonHeader::Size };

		for (const auto& entry : this->chunks)
		{
			size_t chunkSize{ SsrcSize };

			for (const auto& item : this->items.GetItems().subspan(entry.firstItem, entry.itemCount))
			{
				chunkSize += ItemHeaderSize + item.text.size();
			}

			// At least one null octet, then up to the 32-bit boundary.
			size += Byte::PadTo4Bytes(chunkSize + 1u);
		}

		// At most 31 chunks of 64 items of 257 bytes: within MaxPacketSize.
		return size;
	}

	size_t Sdes::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (out.size() < size)
		{
			return 0u;
		}

		uint8_t* bytes = out.data();

		CommonHeader::Write(
			out.first<CommonHeader::Size>(),
			static_cast<uint8_t>(this->chunks.GetSize()),
			PacketType,
			size);

		size_t pos{ CommonHeader::Size };

		for (const auto& entry : this->chunks)
		{
			Byte::Set4Bytes(bytes, pos, entry.ssrc);
			pos += SsrcSize;

			for (const auto& item : this->items.GetItems().subspan(entry.firstItem, entry.itemCount))
			{
				bytes[pos]      = static_cast<uint8_t>(item.type);
				bytes[pos + 1u] = static_cast<uint8_t>(item.text.size());
				pos += ItemHeaderSize;

				if (!item.text.empty())
				{
					std::memcpy(bytes + pos, item.text.data(), item.text.size());
					pos += item.text.size();
				}
			}

			const size_t end = Byte::PadTo4Bytes(pos + 1u);

			std::fill(bytes + pos, bytes + end, uint8_t{ 0u });
			pos = end;
		}

		return size;
	}

	bool Sdes::operator==(const Sdes& other) const
	{
		if (this->chunks.GetSize() != other.chunks.GetSize())
		{
			return false;
		}

		// Compare chunk by chunk: where items sit in the shared list is not part
		// of the value.
		for (size_t i = 0u; i < this->chunks.GetSize(); ++i)
		{
			const auto a = GetChunk(i);
			const auto b = other.GetChunk(i);

			if (a->ssrc != b->ssrc || !std::ranges::equal(a->items, b->items))
			{
				return false;
			}
		}

		return true;
	}
} // namespace RTC::RTCP
