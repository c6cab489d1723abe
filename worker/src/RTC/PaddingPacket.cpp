#define MS_CLASS "RTC::PaddingPacket"
// #define MS_LOG_DEV

#include "RTC/PaddingPacket.hpp"

#include "Logger.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		// The writer for `header` without padding; nullopt when an extension
		// is refused.
		std::optional<RtpPacket::Writer> MakeWriter(const PaddingPacket::Header& header)
		{
			RtpPacket::Writer writer(
				header.payloadType, header.sequenceNumber, header.timestamp, header.ssrc);

			for (const auto& extension : header.extensions)
			{
				if (!writer.AddExtension(extension.id, extension.value))
				{
					return std::nullopt;
				}
			}

			return writer;
		}
	} // namespace

	size_t PaddingPacket::GetHeaderSize(const Header& header)
	{
		const auto writer = MakeWriter(header);

		return writer ? writer->GetSize() : 0u;
	}

	size_t PaddingPacket::GetPaddingLengthFor(const Header& header, size_t maxSize)
	{
		const size_t headerSize = GetHeaderSize(header);

		if (headerSize == 0u || maxSize <= headerSize)
		{
			return 0u;
		}

		return std::min(maxSize - headerSize, MaxPaddingLength);
	}

	std::optional<RtpPacket> PaddingPacket::Write(
		std::span<uint8_t> out,
		const Header& header,
		size_t paddingLength,
		const RtpHeaderExtensionIds& extensionIds)
	{
		if (paddingLength == 0u || paddingLength > MaxPaddingLength)
		{
			return std::nullopt;
		}

		auto writer = MakeWriter(header);

		if (!writer)
		{
			return std::nullopt;
		}

		writer->SetPaddingLength(static_cast<uint8_t>(paddingLength));

		const size_t written = writer->Serialize(out);

		if (written == 0u)
		{
			return std::nullopt;
		}

		auto packet = RtpPacket::Parse(out.first(written));

		// What the writer writes always parses; kept as a check, not trusted.
		if (!packet)
		{
			MS_ERROR("written padding packet does not parse");

			return std::nullopt;
		}

		packet->SetExtensionIds(extensionIds);

		return packet;
	}
} // namespace RTC
