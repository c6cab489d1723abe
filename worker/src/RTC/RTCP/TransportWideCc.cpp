#define MS_CLASS "RTC::RTCP::TransportWideCc"
// #define MS_LOG_DEV

#include "RTC/RTCP/TransportWideCc.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

#include <algorithm>
#include <cstring>

namespace RTC::RTCP
{
	using Utils::Byte;

	namespace
	{
		constexpr size_t ChunkSize{ 2u };

		struct Layout
		{
			// Bytes of chunks (the deltas start there).
			size_t chunksSize{ 0u };
			size_t deltasSize{ 0u };
		};

		bool IsRunLength(uint16_t chunk)
		{
			return (chunk & 0x8000u) == 0u;
		}

		// Statuses a chunk holds (before cutting at the status count).
		size_t GetSymbolCount(uint16_t chunk)
		{
			if (IsRunLength(chunk))
			{
				return chunk & 0x1FFFu;
			}

			return (chunk & 0x4000u) != 0u ? 7u : 14u;
		}

		uint8_t GetSymbol(uint16_t chunk, size_t i)
		{
			if (IsRunLength(chunk))
			{
				return (chunk >> 13) & 0x3u;
			}

			if ((chunk & 0x4000u) != 0u)
			{
				return (chunk >> (12u - 2u * i)) & 0x3u;
			}

			return (chunk >> (13u - i)) & 0x1u;
		}

		// Delta bytes per status; nullopt for the reserved one.
		std::optional<size_t> GetDeltaSize(uint8_t symbol)
		{
			switch (static_cast<TransportWideCc::Status>(symbol))
			{
				case TransportWideCc::Status::NOT_RECEIVED:
				{
					return 0u;
				}

				case TransportWideCc::Status::SMALL_DELTA:
				{
					return 1u;
				}

				case TransportWideCc::Status::LARGE_DELTA:
				{
					return 2u;
				}

				default:
				{
					return std::nullopt;
				}
			}
		}

		// Walks the chunks until they cover `count` statuses and checks the
		// deltas they call for are there. Each step eats a 2-byte chunk, so the
		// walk ends within data.size() / 2 steps whatever the bytes.
		std::optional<Layout> Walk(std::span<const uint8_t> data, uint16_t count)
		{
			size_t pos{ 0u };
			size_t seen{ 0u };
			size_t deltas{ 0u };

			while (seen < count)
			{
				if (data.size() - pos < ChunkSize)
				{
					MS_DEBUG_DEV("chunks cover %zu of %u statuses", seen, count);

					return std::nullopt;
				}

				const uint16_t chunk = Byte::Get2Bytes(data.data(), pos);
				const size_t n       = std::min(GetSymbolCount(chunk), count - seen);

				pos += ChunkSize;

				if (IsRunLength(chunk))
				{
					if (n > 0u)
					{
						const auto size = GetDeltaSize(GetSymbol(chunk, 0u));

						if (!size)
						{
							return std::nullopt;
						}

						deltas += n * *size;
					}
				}
				else
				{
					for (size_t i = 0u; i < n; ++i)
					{
						const auto size = GetDeltaSize(GetSymbol(chunk, i));

						if (!size)
						{
							return std::nullopt;
						}

						deltas += *size;
					}
				}

				seen += n;
			}

			if (data.size() - pos < deltas)
			{
				MS_DEBUG_DEV("%zu delta bytes needed, %zu there", deltas, data.size() - pos);

				return std::nullopt;
			}

			return Layout{ pos, deltas };
		}

		int32_t SignExtend24(uint32_t value)
		{
			value &= 0xFFFFFFu;

			return (value & 0x800000u) != 0u ? static_cast<int32_t>(value) - 0x1000000
																			 : static_cast<int32_t>(value);
		}
	} // namespace

	/* StatusReader. */

	TransportWideCc::StatusReader::StatusReader(
		std::span<const uint8_t> data, uint16_t baseSequenceNumber, uint16_t count)
			: data(data), baseSequenceNumber(baseSequenceNumber), count(count)
	{
		const auto layout = Walk(data, count);

		if (!layout)
		{
			this->error = true;

			return;
		}

		this->chunksEnd = layout->chunksSize;
		this->deltaPos  = layout->chunksSize;
	}

	std::optional<TransportWideCc::PacketStatus> TransportWideCc::StatusReader::Next()
	{
		if (this->error || this->index >= this->count)
		{
			return std::nullopt;
		}

		// Run length chunks may hold 0 statuses: skip them.
		while (this->symbolIndex >= this->chunkSymbols)
		{
			// Checked by Walk() already; kept so that a bug cannot read past.
			if (this->chunksEnd - this->chunkPos < ChunkSize)
			{
				this->error = true;

				return std::nullopt;
			}

			this->chunk        = Byte::Get2Bytes(this->data.data(), this->chunkPos);
			this->chunkSymbols = GetSymbolCount(this->chunk);
			this->symbolIndex  = 0u;
			this->chunkPos += ChunkSize;
		}

		PacketStatus status;

		status.sequenceNumber = static_cast<uint16_t>(this->baseSequenceNumber + this->index);
		status.status         = static_cast<Status>(GetSymbol(this->chunk, this->symbolIndex));

		const auto deltaSize = GetDeltaSize(static_cast<uint8_t>(status.status));

		if (!deltaSize || this->data.size() - this->deltaPos < *deltaSize)
		{
			this->error = true;

			return std::nullopt;
		}

		if (*deltaSize == 1u)
		{
			status.delta = this->data[this->deltaPos];
		}
		else if (*deltaSize == 2u)
		{
			status.delta = static_cast<int16_t>(Byte::Get2Bytes(this->data.data(), this->deltaPos));
		}

		this->deltaPos += *deltaSize;
		this->symbolIndex++;
		this->index++;

		return status;
	}

	/* Class methods. */

	std::optional<TransportWideCc> TransportWideCc::Parse(std::span<const uint8_t> data)
	{
		const auto feedback = FeedbackHeader::Parse(data, PacketType, Fmt);

		if (!feedback)
		{
			return std::nullopt;
		}

		const auto fci       = feedback->fci;
		const uint8_t* bytes = fci.data();

		if (fci.size() < FixedFciSize)
		{
			MS_DEBUG_DEV("FCI of %zu bytes, too short for transport-cc", fci.size());

			return std::nullopt;
		}

		TransportWideCc packet;

		packet.senderSsrc          = feedback->senderSsrc;
		packet.mediaSsrc           = feedback->mediaSsrc;
		packet.baseSequenceNumber  = Byte::Get2Bytes(bytes, 0);
		packet.packetStatusCount   = Byte::Get2Bytes(bytes, 2);
		packet.referenceTime       = SignExtend24(Byte::Get3Bytes(bytes, 4));
		packet.feedbackPacketCount = bytes[7];
		packet.packetChunks        = fci.subspan(FixedFciSize);

		if (!Walk(packet.packetChunks, packet.packetStatusCount))
		{
			return std::nullopt;
		}

		return packet;
	}

	/* Instance methods. */

	void TransportWideCc::SetReferenceTime(int32_t referenceTime)
	{
		this->referenceTime = SignExtend24(static_cast<uint32_t>(referenceTime));
	}

	size_t TransportWideCc::GetSize() const
	{
		if (!Walk(this->packetChunks, this->packetStatusCount))
		{
			return 0u;
		}

		const size_t size =
			Byte::PadTo4Bytes(FeedbackHeader::Size + FixedFciSize + this->packetChunks.size());

		return size <= CommonHeader::MaxPacketSize ? size : 0u;
	}

	size_t TransportWideCc::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (size == 0u || out.size() < size)
		{
			return 0u;
		}

		uint8_t* bytes = out.data();
		size_t pos{ FeedbackHeader::Size };
		const size_t paddingSize = size - (pos + FixedFciSize + this->packetChunks.size());

		FeedbackHeader::Write(
			out.first<FeedbackHeader::Size>(),
			PacketType,
			Fmt,
			size,
			this->senderSsrc,
			this->mediaSsrc,
			paddingSize > 0u);
		Byte::Set2Bytes(bytes, pos, this->baseSequenceNumber);
		Byte::Set2Bytes(bytes, pos + 2u, this->packetStatusCount);
		Byte::Set3Bytes(bytes, pos + 4u, static_cast<uint32_t>(this->referenceTime) & 0xFFFFFFu);
		bytes[pos + 7u] = this->feedbackPacketCount;
		pos += FixedFciSize;

		if (!this->packetChunks.empty())
		{
			std::memcpy(bytes + pos, this->packetChunks.data(), this->packetChunks.size());
			pos += this->packetChunks.size();
		}

		// Padding as RFC 3550 6.4.1 (and libwebrtc) does it: zeros, then the
		// count in the last byte.
		if (paddingSize > 0u)
		{
			std::fill(bytes + pos, bytes + size, uint8_t{ 0u });
			bytes[size - 1u] = static_cast<uint8_t>(paddingSize);
		}

		return size;
	}

	bool TransportWideCc::operator==(const TransportWideCc& other) const
	{
		return this->senderSsrc == other.senderSsrc && this->mediaSsrc == other.mediaSsrc &&
					 this->baseSequenceNumber == other.baseSequenceNumber &&
					 this->packetStatusCount == other.packetStatusCount &&
					 this->referenceTime == other.referenceTime &&
					 this->feedbackPacketCount == other.feedbackPacketCount &&
					 std::ranges::equal(this->packetChunks, other.packetChunks);
	}
} // namespace RTC::RTCP
