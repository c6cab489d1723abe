#define MS_CLASS "RTC::RTCP::RawPacket"
// #define MS_LOG_DEV

#include "RTC/RTCP/RawPacket.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

#include <algorithm>
#include <cstring>

namespace RTC::RTCP
{
	using Utils::Byte;

	/* Class methods. */

	std::optional<RawPacket> RawPacket::Parse(std::span<const uint8_t> data)
	{
		const auto header = CommonHeader::Parse(data);

		if (!header || header->packet.size() != data.size())
		{
			return std::nullopt;
		}

		return RawPacket(
			header->type, header->count, data.subspan(CommonHeader::Size), header->padding);
	}

	/* Instance methods. */

	size_t RawPacket::GetSize() const
	{
		// With the P bit the body must end in a valid padding count, else
		// what is written would not parse.
		if (
			this->padding && (this->body.empty() || this->body.size() % 4u != 0u ||
												this->body.back() == 0u || this->body.back() > this->body.size()))
		{
			return 0u;
		}

		const size_t size = CommonHeader::Size + Byte::PadTo4Bytes(this->body.size());

		return size <= CommonHeader::MaxPacketSize ? size : 0u;
	}

	size_t RawPacket::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (size == 0u || out.size() < size)
		{
			return 0u;
		}

		uint8_t* bytes = out.data();

		CommonHeader::Write(
			out.first<CommonHeader::Size>(), this->count, this->type, size, this->padding);

		if (!this->body.empty())
		{
			std::memcpy(bytes + CommonHeader::Size, this->body.data(), this->body.size());
		}

		std::fill(bytes + CommonHeader::Size + this->body.size(), bytes + size, uint8_t{ 0u });

		return size;
	}

	bool RawPacket::operator==(const RawPacket& other) const
	{
		return this->type == other.type && this->count == other.count &&
					 this->padding == other.padding && std::ranges::equal(this->body, other.body);
	}
} // namespace RTC::RTCP
