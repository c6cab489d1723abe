#ifndef MS_RTC_PROBATION_STREAM_HPP
#define MS_RTC_PROBATION_STREAM_HPP

#include "common.hpp"

#include "RTC/PaddingPacket.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace RTC
{
	// The RTP stream a transport probes on when its peer prepared a receiver
	// for it. mediasoup-client does so on a RecvTransport when it consumes its
	// first video: a recvonly m-section with mid "probator", SSRC 1234 (cname
	// "probator"), the consumer's first codec renumbered to payload type 127,
	// and the consumer's header extensions (transport-wide-cc included, with
	// the same id). Its packets are padding-only (PaddingPacket): nothing
	// reaches the decoder, the receiver counts them for transport-cc.
	//
	// Keeps the stream's own sequence numbers and a 90 kHz timestamp taken
	// from the time given.
	class ProbationStream
	{
	public:
		static constexpr uint32_t Ssrc{ 1234u };
		static constexpr uint8_t PayloadType{ 127u };
		static constexpr std::string_view Mid{ "probator" };
		static constexpr uint32_t ClockRate{ 90000u };

	public:
		explicit ProbationStream(uint16_t firstSequenceNumber = 0u);

	public:
		// The header of the next packet (does not take its sequence number).
		PaddingPacket::Header
		GetNextHeader(std::span<const PaddingPacket::Extension> extensions, uint64_t nowUs) const;
		// Writes the next packet, of at most `maxSize` bytes (as large as one
		// padding-only packet gets within it), and takes its sequence number;
		// nullopt, taking nothing, when it does not fit `out` or `maxSize`.
		std::optional<RtpPacket> WriteNext(
			std::span<uint8_t> out,
			size_t maxSize,
			std::span<const PaddingPacket::Extension> extensions,
			const RtpHeaderExtensionIds& extensionIds,
			uint64_t nowUs);
		uint16_t GetNextSequenceNumber() const { return this->nextSequenceNumber; }
		uint64_t GetPacketCount() const { return this->packetCount; }

	private:
		uint16_t nextSequenceNumber{ 0u };
		uint64_t packetCount{ 0u };
	};
} // namespace RTC

#endif
