#define MS_CLASS "RTC::Codecs::H265"
// #define MS_LOG_DEV

#include "RTC/Codecs/H265.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

namespace RTC::Codecs
{
	namespace
	{
		constexpr size_t PayloadHeaderSize{ 2u };
		constexpr size_t NalUnitHeaderSize{ 2u };

		constexpr uint8_t ToType(H265::NalType type)
		{
			return static_cast<uint8_t>(type);
		}

		constexpr uint8_t GetType(uint8_t firstByte)
		{
			return (firstByte >> 1) & 0x3Fu;
		}

		// Whether a NAL unit of `type` may be carried as is, aggregated or
		// fragmented: anything but the three payload structures.
		constexpr bool IsNalUnitType(uint8_t type)
		{
			return type != ToType(H265::NalType::AP) && type != ToType(H265::NalType::FU) &&
						 type != ToType(H265::NalType::PACI);
		}

		// Records a NAL unit of `type` starting in the payload.
		void Account(H265PayloadInfo& info, uint8_t type)
		{
			info.nalUnitCount += 1u;

			if (type >= ToType(H265::NalType::BLA_W_LP) && type <= ToType(H265::NalType::CRA_NUT))
			{
				info.hasIrap = true;
			}
			else if (type == ToType(H265::NalType::VPS))
			{
				info.hasVps = true;
			}
			else if (type == ToType(H265::NalType::SPS))
			{
				info.hasSps = true;
			}
			else if (type == ToType(H265::NalType::PPS))
			{
				info.hasPps = true;
			}
		}

		// Walks the aggregation units from `pos` to the end.
		bool ParseAggregationUnits(const uint8_t* data, size_t len, size_t pos, H265PayloadInfo& info)
		{
			if (pos >= len)
			{
				MS_DEBUG_DEV("AP without units");

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

				if (size < NalUnitHeaderSize || size > len - pos)
				{
					MS_DEBUG_DEV("aggregation unit of %zu bytes in %zu", size, len - pos);

					return false;
				}

				const uint8_t type = GetType(data[pos]);

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

		// What follows the payload header of a packet of `type` (for PACI, of
		// type cType), from `pos`.
		bool ParseBody(const uint8_t* data, size_t len, size_t pos, uint8_t type, H265PayloadInfo& info)
		{
			if (type == ToType(H265::NalType::AP))
			{
				return ParseAggregationUnits(data, len, pos, info);
			}

			if (type == ToType(H265::NalType::FU))
			{
				if (pos >= len)
				{
					MS_DEBUG_DEV("no room for the FU header");

					return false;
				}

				info.isFragment    = true;
				info.fragmentStart = (data[pos] & 0x80u) != 0u;
				info.fragmentEnd   = (data[pos] & 0x40u) != 0u;
				info.fragmentType  = data[pos] & 0x3Fu;

				// RFC 7798 4.4.3: S and E are never both set.
				if (!IsNalUnitType(info.fragmentType) || (info.fragmentStart && info.fragmentEnd))
				{
					MS_DEBUG_DEV("bad FU header 0x%02x", data[pos]);

					return false;
				}

				if (len - pos < 2u)
				{
					MS_DEBUG_DEV("fragment without data");

					return false;
				}

				if (info.fragmentStart)
				{
					Account(info, info.fragmentType);
				}

				return true;
			}

			// A single NAL unit: the payload header is its header.
			Account(info, type);

			return true;
		}
	} // namespace

	/* Class methods. */

	std::optional<H265PayloadInfo> H265::Parse(std::span<const uint8_t> payload)
	{
		const size_t len = payload.size();

		if (len < PayloadHeaderSize)
		{
			MS_DEBUG_DEV("no room for the payload header");

			return std::nullopt;
		}

		const uint8_t* data = payload.data();
		const uint8_t tid   = data[1] & 0x07u;
		H265PayloadInfo info;

		if (tid == 0u)
		{
			MS_DEBUG_DEV("TID 0 is forbidden");

			return std::nullopt;
		}

		info.packetType = GetType(data[0]);
		info.layerId    = static_cast<uint8_t>(((data[0] & 0x01u) << 5) | (data[1] >> 3));
		info.temporalId = static_cast<uint8_t>(tid - 1u);

		bool ok;

		if (info.packetType == ToType(NalType::PACI))
		{
			if (len < PayloadHeaderSize + 2u)
			{
				MS_DEBUG_DEV("no room for the PACI header");

				return std::nullopt;
			}

			const uint8_t cType    = GetType(data[2]);
			const size_t phsSize   = ((data[2] & 0x01u) << 4) | (data[3] >> 4);
			const size_t bodyStart = PayloadHeaderSize + 2u + phsSize;

			if (cType == ToType(NalType::PACI) || bodyStart >= len)
			{
				MS_DEBUG_DEV("bad PACI packet");

				return std::nullopt;
			}

			ok = ParseBody(data, len, bodyStart, cType, info);
		}
		else
		{
			ok = ParseBody(data, len, PayloadHeaderSize, info.packetType, info);
		}

		if (!ok)
		{
			return std::nullopt;
		}

		info.isKeyFrame = info.hasIrap || info.hasVps || info.hasSps || info.hasPps;

		return info;
	}

	bool H265::IsKeyFrame(std::span<const uint8_t> payload)
	{
		const auto info = Parse(payload);

		return info && info->isKeyFrame;
	}
} // namespace RTC::Codecs
