#define MS_CLASS "RTC::Codecs::AV1"
// #define MS_LOG_DEV

#include "RTC/Codecs/AV1.hpp"

#include "Logger.hpp"

namespace RTC::Codecs
{
	namespace
	{
		// AV1 4.10.5: at most 8 bytes.
		constexpr size_t MaxLeb128Size{ 8u };

		// Reads an unsigned LEB128 value at `pos`, advancing `pos` past it.
		bool ReadLeb128(const uint8_t* data, size_t len, size_t& pos, uint64_t& value)
		{
			value = 0u;

			for (size_t i = 0u; i < MaxLeb128Size; ++i)
			{
				if (pos >= len)
				{
					return false;
				}

				const uint8_t byte = data[pos++];

				value |= static_cast<uint64_t>(byte & 0x7Fu) << (7u * i);

				if ((byte & 0x80u) == 0u)
				{
					return true;
				}
			}

			return false;
		}

		// Reads the header of an OBU starting at data[pos], in an element of
		// `size` bytes.
		bool ParseObuHeader(const uint8_t* data, size_t pos, size_t size, Av1PayloadInfo& info)
		{
			const uint8_t header = data[pos];

			if ((header & 0x80u) != 0u)
			{
				MS_DEBUG_DEV("OBU forbidden bit set");

				return false;
			}

			const auto type = static_cast<Av1::ObuType>((header >> 3) & 0x0Fu);

			if (type == Av1::ObuType::SEQUENCE_HEADER)
			{
				info.hasSequenceHeader = true;
			}

			if ((header & 0x04u) != 0u)
			{
				if (size < 2u)
				{
					MS_DEBUG_DEV("no room for the OBU extension header");

					return false;
				}

				if (!info.hasLayerIds)
				{
					info.hasLayerIds = true;
					info.temporalId  = data[pos + 1u] >> 5;
					info.spatialId   = (data[pos + 1u] >> 3) & 0x03u;
				}
			}

			return true;
		}
	} // namespace

	/* Class methods. */

	std::optional<Av1PayloadInfo> Av1::Parse(std::span<const uint8_t> payload)
	{
		const size_t len = payload.size();

		if (len < 1u)
		{
			MS_DEBUG_DEV("empty payload");

			return std::nullopt;
		}

		const uint8_t* data = payload.data();
		Av1PayloadInfo info;

		info.continuesObu          = (data[0] & 0x80u) != 0u;
		info.obuContinues          = (data[0] & 0x40u) != 0u;
		info.elementCountField     = (data[0] >> 4) & 0x03u;
		info.newCodedVideoSequence = (data[0] & 0x08u) != 0u;

		size_t pos{ 1u };

		while (pos < len)
		{
			info.elementCount += 1u;

			// With W = 1..3 the last element has no length: it takes the rest.
			const bool last = info.elementCountField != 0u && info.elementCount == info.elementCountField;
			size_t size;

			if (last)
			{
				size = len - pos;
			}
			else
			{
				uint64_t value;

				if (!ReadLeb128(data, len, pos, value) || value > len - pos)
				{
					MS_DEBUG_DEV("bad length of OBU element %zu", info.elementCount);

					return std::nullopt;
				}

				size = static_cast<size_t>(value);
			}

			if (size == 0u)
			{
				MS_DEBUG_DEV("empty OBU element %zu", info.elementCount);

				return std::nullopt;
			}

			// All elements start an OBU but a first one continuing a fragment.
			const bool startsObu = !(info.elementCount == 1u && info.continuesObu);

			if (startsObu && !ParseObuHeader(data, pos, size, info))
			{
				return std::nullopt;
			}

			pos += size;

			if (last)
			{
				break;
			}
		}

		if (
			info.elementCount == 0u ||
			(info.elementCountField != 0u && info.elementCount != info.elementCountField))
		{
			MS_DEBUG_DEV(
				"%zu OBU elements, W = %u",
				info.elementCount,
				static_cast<unsigned>(info.elementCountField));

			return std::nullopt;
		}

		info.isKeyFrame = info.newCodedVideoSequence && !info.continuesObu && info.hasSequenceHeader;

		return info;
	}

	bool Av1::IsKeyFrame(std::span<const uint8_t> payload)
	{
		const auto info = Parse(payload);

		return info && info->isKeyFrame;
	}
} // namespace RTC::Codecs
