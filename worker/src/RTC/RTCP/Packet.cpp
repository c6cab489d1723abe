#define MS_CLASS "RTC::RTCP::Packet"
// #define MS_LOG_DEV

#include "RTC/RTCP/Packet.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

namespace RTC::RTCP
{
	using Utils::Byte;

	std::string_view ParseErrorToString(ParseError error)
	{
		switch (error)
		{
			case ParseError::NONE:
			{
				return "none";
			}

			case ParseError::TOO_SHORT:
			{
				return "too short";
			}

			case ParseError::BAD_VERSION:
			{
				return "bad version";
			}

			case ParseError::BAD_LENGTH:
			{
				return "bad length";
			}

			case ParseError::BAD_PADDING:
			{
				return "bad padding";
			}

			case ParseError::MALFORMED:
			{
				return "malformed";
			}
		}

		return "unknown";
	}

	/* CommonHeader. */

	std::optional<CommonHeader> CommonHeader::Parse(std::span<const uint8_t> data, ParseError* error)
	{
		const auto fail = [error](ParseError reason) -> std::optional<CommonHeader>
		{
			if (error)
			{
				*error = reason;
			}

			return std::nullopt;
		};

		if (data.size() < Size)
		{
			MS_DEBUG_DEV("%zu bytes, no room for a common header", data.size());

			return fail(ParseError::TOO_SHORT);
		}

		const uint8_t* bytes = data.data();

		if ((bytes[0] >> 6) != Version)
		{
			MS_DEBUG_DEV("version %u", bytes[0] >> 6);

			return fail(ParseError::BAD_VERSION);
		}

		const size_t packetSize = (static_cast<size_t>(Byte::Get2Bytes(bytes, 2)) + 1u) * 4u;

		if (packetSize > data.size())
		{
			MS_DEBUG_DEV("length field says %zu bytes, %zu available", packetSize, data.size());

			return fail(ParseError::BAD_LENGTH);
		}

		CommonHeader header;

		header.count   = bytes[0] & 0x1Fu;
		header.padding = (bytes[0] & 0x20u) != 0u;
		header.type    = static_cast<Type>(bytes[1]);
		header.packet  = data.first(packetSize);

		size_t paddingSize{ 0u };

		if (header.padding)
		{
			// The count includes itself, so it is at least 1, and the padding
			// cannot eat into the header.
			paddingSize = bytes[packetSize - 1u];

			if (paddingSize == 0u || paddingSize > packetSize - Size)
			{
				MS_DEBUG_DEV("padding count %zu in a %zu-byte packet", paddingSize, packetSize);

				return fail(ParseError::BAD_PADDING);
			}
		}

		header.body = header.packet.subspan(Size, packetSize - Size - paddingSize);

		if (error)
		{
			*error = ParseError::NONE;
		}

		return header;
	}

	std::optional<CommonHeader> CommonHeader::ParseExact(std::span<const uint8_t> data, Type type)
	{
		auto header = Parse(data);

		if (!header || header->packet.size() != data.size() || header->type != type)
		{
			return std::nullopt;
		}

		return header;
	}

	void CommonHeader::Write(
		std::span<uint8_t, Size> out, uint8_t count, Type type, size_t packetSize, bool padding)
	{
		out[0] = static_cast<uint8_t>((Version << 6) | (padding ? 0x20u : 0x00u) | (count & 0x1Fu));
		out[1] = static_cast<uint8_t>(type);
		Byte::Set2Bytes(out.data(), 2, static_cast<uint16_t>(packetSize / 4u - 1u));
	}

	/* FeedbackHeader. */

	std::optional<FeedbackHeader>
	FeedbackHeader::Parse(std::span<const uint8_t> data, Type type, uint8_t fmt)
	{
		const auto header = CommonHeader::ParseExact(data, type);

		if (!header || header->count != fmt)
		{
			return std::nullopt;
		}

		const auto body = header->body;

		if (body.size() < Size - CommonHeader::Size)
		{
			MS_DEBUG_DEV("feedback body of %zu bytes, no room for the SSRCs", body.size());

			return std::nullopt;
		}

		FeedbackHeader feedback;

		feedback.senderSsrc = Byte::Get4Bytes(body.data(), 0);
		feedback.mediaSsrc  = Byte::Get4Bytes(body.data(), 4);
		feedback.fci        = body.subspan(Size - CommonHeader::Size);

		return feedback;
	}

	void FeedbackHeader::Write(
		std::span<uint8_t, Size> out,
		Type type,
		uint8_t fmt,
		size_t packetSize,
		uint32_t senderSsrc,
		uint32_t mediaSsrc,
		bool padding)
	{
		CommonHeader::Write(out.first<CommonHeader::Size>(), fmt, type, packetSize, padding);
		Byte::Set4Bytes(out.data(), 4, senderSsrc);
		Byte::Set4Bytes(out.data(), 8, mediaSsrc);
	}
} // namespace RTC::RTCP
