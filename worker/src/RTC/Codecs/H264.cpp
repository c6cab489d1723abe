#define MS_CLASS "RTC::Codecs::H264"
// #define MS_LOG_DEV

#include "RTC/Codecs/H264.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

namespace RTC::Codecs
{
	namespace
	{
		constexpr uint8_t ToType(H264::NalType type)
		{
			return static_cast<uint8_t>(type);
		}

		// Types a single NAL unit packet, an aggregation unit or a fragmented
		// NAL unit may have (RFC 6184 Table 3: 1-23).
		constexpr bool IsNalUnitType(uint8_t type)
		{
			return type >= 1u && type <= 23u;
		}

		// Records a NAL unit of `type` starting in the payload.
		void Account(H264PayloadInfo& info, uint8_t type)
		{
			info.nalUnitCount += 1u;

			switch (static_cast<H264::NalType>(type))
			{
				case H264::NalType::IDR:
				{
					info.hasIdr = true;

					break;
				}

				case H264::NalType::SPS:
				{
					info.hasSps = true;

					break;
				}

				case H264::NalType::PPS:
				{
					info.hasPps = true;

					break;
				}

				default:;
			}
		}

		// Walks the single-time aggregation units from `pos` to the end.
		bool ParseAggregationUnits(const uint8_t* data, size_t len, size_t pos, H264PayloadInfo& info)
		{
			if (pos >= len)
			{
				MS_DEBUG_DEV("aggregation packet without units");

				return false;
			}

			while (pos < len)
			{
				if (len - pos < 2u)
				{
					MS_DEBUG_DEV("no room for the size of an aggregation unit");

					return false;
				}

				const size_t size = Utils::Byte::Get2Bytes(data, pos);

				pos += 2u;

				if (size == 0u || size > len - pos)
				{
					MS_DEBUG_DEV("aggregation unit of %zu bytes in %zu", size, len - pos);

					return false;
				}

				const uint8_t type = data[pos] & 0x1Fu;

				if (!IsNalUnitType(type))
				{
					MS_DEBUG_DEV("aggregation unit of type %u", type);

					return false;
				}

				Account(info, type);
				pos += size;
			}

			return true;
		}
	} // namespace

	/* Class methods. */

	std::optional<H264PayloadInfo> H264::Parse(std::span<const uint8_t> payload)
	{
		const size_t len = payload.size();

		if (len < 1u)
		{
			MS_DEBUG_DEV("empty payload");

			return std::nullopt;
		}

		const uint8_t* data = payload.data();
		const uint8_t type  = data[0] & 0x1Fu;
		H264PayloadInfo info;

		info.packetType = type;
		info.nri        = (data[0] >> 5) & 0x03u;

		if (IsNalUnitType(type))
		{
			Account(info, type);
		}
		else if (type == ToType(NalType::STAP_A) || type == ToType(NalType::STAP_B))
		{
			// STAP-B has the DON of its first unit before the units.
			const size_t pos = type == ToType(NalType::STAP_A) ? 1u : 3u;

			if (!ParseAggregationUnits(data, len, pos, info))
			{
				return std::nullopt;
			}
		}
		else if (type == ToType(NalType::MTAP16) || type == ToType(NalType::MTAP24))
		{
			// Decoding order number base, then units not walked here.
			if (len < 4u)
			{
				MS_DEBUG_DEV("MTAP too short");

				return std::nullopt;
			}
		}
		else if (type == ToType(NalType::FU_A) || type == ToType(NalType::FU_B))
		{
			if (len < 2u)
			{
				MS_DEBUG_DEV("no room for the FU header");

				return std::nullopt;
			}

			info.isFragment    = true;
			info.fragmentStart = (data[1] & 0x80u) != 0u;
			info.fragmentEnd   = (data[1] & 0x40u) != 0u;
			info.fragmentType  = data[1] & 0x1Fu;

			// RFC 6184 5.8: S and E are never both set (a NAL unit that fits is
			// not fragmented), and FU-B only starts a NAL unit.
			if (
				!IsNalUnitType(info.fragmentType) || (info.fragmentStart && info.fragmentEnd) ||
				(type == ToType(NalType::FU_B) && !info.fragmentStart))
			{
				MS_DEBUG_DEV("bad FU header 0x%02x", data[1]);

				return std::nullopt;
			}

			const size_t headerSize = type == ToType(NalType::FU_A) ? 2u : 4u;

			if (len <= headerSize)
			{
				MS_DEBUG_DEV("fragment without data");

				return std::nullopt;
			}

			if (info.fragmentStart)
			{
				Account(info, info.fragmentType);
			}
		}
		else
		{
			MS_DEBUG_DEV("NAL unit type %u is not a payload type", type);

			return std::nullopt;
		}

		info.isKeyFrame = info.hasIdr || info.hasSps || info.hasPps;

		return info;
	}

	bool H264::IsKeyFrame(std::span<const uint8_t> payload)
	{
		const auto info = Parse(payload);

		return info && info->isKeyFrame;
	}
} // namespace RTC::Codecs
