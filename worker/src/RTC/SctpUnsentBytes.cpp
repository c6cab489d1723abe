#define MS_CLASS "RTC::SctpUnsentBytes"

#include "RTC/SctpUnsentBytes.hpp"

#include "Utils/Byte.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		constexpr size_t CommonHeaderLength{ 12u };
		constexpr size_t ChunkHeaderLength{ 4u };
		// RFC 4960 section 3.3.1: type, flags, length, TSN, stream id, stream
		// sequence number, PPID. I-DATA (RFC 8260) is not negotiated: usrsctp
		// only sends it when interleaving is enabled, which we never do.
		constexpr uint8_t DataChunkType{ 0u };
		constexpr size_t DataChunkHeaderLength{ 16u };

		// RFC 1982 serial number arithmetic on 32-bit TSNs.
		bool IsTsnNewer(uint32_t tsn, uint32_t than)
		{
			return tsn != than && static_cast<uint32_t>(tsn - than) < 0x80000000u;
		}
	} // namespace

	void SctpUnsentBytes::Queued(uint16_t streamId, size_t len)
	{
		const auto bytes = static_cast<uint32_t>(len);

		this->perStream[streamId] += bytes;
		this->total += bytes;
	}

	void SctpUnsentBytes::Dropped(uint16_t streamId, size_t len)
	{
		Subtract(streamId, len);
	}

	void
	SctpUnsentBytes::Sent(const uint8_t* packet, size_t len, std::vector<uint16_t>& changedStreams)
	{
		size_t offset{ CommonHeaderLength };

		while (offset + ChunkHeaderLength <= len)
		{
			const uint8_t type       = packet[offset];
			const size_t chunkLength = Utils::Byte::Get2Bytes(packet, offset + 2u);

			if (chunkLength < ChunkHeaderLength || offset + chunkLength > len)
			{
				return;
			}

			if (type == DataChunkType && chunkLength >= DataChunkHeaderLength)
			{
				const uint32_t tsn      = Utils::Byte::Get4Bytes(packet, offset + 4u);
				const uint16_t streamId = Utils::Byte::Get2Bytes(packet, offset + 8u);

				if (!this->anyTsnSent || IsTsnNewer(tsn, this->highestTsnSent))
				{
					this->anyTsnSent     = true;
					this->highestTsnSent = tsn;

					if (this->perStream.contains(streamId))
					{
						Subtract(streamId, chunkLength - DataChunkHeaderLength);

						if (
							std::find(changedStreams.begin(), changedStreams.end(), streamId) ==
							changedStreams.end())
						{
							changedStreams.push_back(streamId);
						}
					}
				}
			}

			// Chunks are padded to 4 bytes.
			offset += (chunkLength + 3u) & ~static_cast<size_t>(3u);
		}
	}

	void SctpUnsentBytes::Clear(std::vector<uint16_t>& changedStreams)
	{
		for (const auto& [streamId, bytes] : this->perStream)
		{
			changedStreams.push_back(streamId);
		}

		this->perStream.clear();
		this->total = 0u;
	}

	void SctpUnsentBytes::Restart()
	{
		this->anyTsnSent = false;
	}

	uint32_t SctpUnsentBytes::Get(uint16_t streamId) const
	{
		const auto it = this->perStream.find(streamId);

		return it == this->perStream.end() ? 0u : it->second;
	}

	void SctpUnsentBytes::Subtract(uint16_t streamId, size_t len)
	{
		const auto it = this->perStream.find(streamId);

		if (it == this->perStream.end())
		{
			return;
		}

		const auto bytes = static_cast<uint32_t>(std::min<size_t>(len, it->second));

		this->total -= bytes;

		if (bytes == it->second)
		{
			this->perStream.erase(it);
		}
		else
		{
			it->second -= bytes;
		}
	}
} // namespace RTC
