#define MS_CLASS "RTC::RTCP::Bye"
// #define MS_LOG_DEV

#include "RTC/RTCP/Bye.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

#include <algorithm>
#include <cstring>

namespace RTC::RTCP
{
	using Utils::Byte;

	/* Class methods. */

	std::optional<Bye> Bye::Parse(std::span<const uint8_t> data)
	{
		const auto header = CommonHeader::ParseExact(data, PacketType);

		if (!header)
		{
			return std::nullopt;
		}

		const auto body      = header->body;
		const uint8_t* bytes = body.data();

		if (body.size() / 4u < header->count)
		{
			MS_DEBUG_DEV("%u SSRCs announced, room for %zu", header->count, body.size() / 4u);

			return std::nullopt;
		}

		Bye bye;

		for (size_t i = 0u; i < header->count; ++i)
		{
			// count <= MaxSsrcs: always stored.
			bye.AddSsrc(Byte::Get4Bytes(bytes, i * 4u));
		}

		const size_t pos = header->count * 4u;

		if (pos < body.size())
		{
			const size_t length = bytes[pos];

			if (body.size() - pos - 1u < length)
			{
				MS_DEBUG_DEV("reason of %zu bytes does not fit", length);

				return std::nullopt;
			}

			bye.reason = std::string_view(reinterpret_cast<const char*>(bytes + pos + 1u), length);
		}

		return bye;
	}

	/* Instance methods. */

	bool Bye::SetReason(std::string_view reason)
	{
		if (reason.size() > MaxReasonLength)
		{
			return false;
		}

		this->reason = reason;

		return true;
	}

	size_t Bye::GetSize() const
	{
		size_t size = CommonHeader::Size + this->ssrcs.GetSize() * 4u;

		if (!this->reason.empty())
		{
			size += Byte::PadTo4Bytes(1u + this->reason.size());
		}

		return size;
	}

	size_t Bye::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (out.size() < size)
		{
			return 0u;
		}

		uint8_t* bytes = out.data();

		CommonHeader::Write(
			out.first<CommonHeader::Size>(),
			static_cast<uint8_t>(this->ssrcs.GetSize()),
			PacketType,
			size);

		size_t pos{ CommonHeader::Size };

		for (const uint32_t ssrc : this->ssrcs)
		{
			Byte::Set4Bytes(bytes, pos, ssrc);
			pos += 4u;
		}

		if (!this->reason.empty())
		{
			bytes[pos++] = static_cast<uint8_t>(this->reason.size());
			std::memcpy(bytes + pos, this->reason.data(), this->reason.size());
			pos += this->reason.size();
			std::fill(bytes + pos, bytes + size, uint8_t{ 0u });
		}

		return size;
	}
} // namespace RTC::RTCP
