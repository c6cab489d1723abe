#define MS_CLASS "RTC::ProbationStream"
// #define MS_LOG_DEV

#include "RTC/ProbationStream.hpp"

#include "Logger.hpp"

namespace RTC
{
	ProbationStream::ProbationStream(uint16_t firstSequenceNumber)
			: nextSequenceNumber(firstSequenceNumber)
	{
	}

	PaddingPacket::Header ProbationStream::GetNextHeader(
		std::span<const PaddingPacket::Extension> extensions, uint64_t nowUs) const
	{
		// 90 kHz from microseconds; wraps as RTP timestamps do.
		const auto timestamp = static_cast<uint32_t>(nowUs * 9u / 100u);

		return PaddingPacket::Header{
			.payloadType    = PayloadType,
			.sequenceNumber = this->nextSequenceNumber,
			.timestamp      = timestamp,
			.ssrc           = Ssrc,
			.extensions     = extensions,
		};
	}

	std::optional<RtpPacket> ProbationStream::WriteNext(
		std::span<uint8_t> out,
		size_t maxSize,
		std::span<const PaddingPacket::Extension> extensions,
		const RtpHeaderExtensionIds& extensionIds,
		uint64_t nowUs)
	{
		const auto header          = GetNextHeader(extensions, nowUs);
		const size_t paddingLength = PaddingPacket::GetPaddingLengthFor(header, maxSize);

		if (paddingLength == 0u)
		{
			return std::nullopt;
		}

		auto packet = PaddingPacket::Write(out, header, paddingLength, extensionIds);

		if (!packet)
		{
			return std::nullopt;
		}

		this->nextSequenceNumber++;
		this->packetCount++;

		return packet;
	}
} // namespace RTC
