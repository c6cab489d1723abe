#ifndef MS_RTC_RTCP_TRANSPORT_WIDE_CC_HPP
#define MS_RTC_RTCP_TRANSPORT_WIDE_CC_HPP

#include "common.hpp"

#include "RTC/RTCP/Packet.hpp"

#include <optional>

namespace RTC::RTCP
{
	// Transport-wide congestion control feedback (RTPFB, FMT 15),
	// draft-holmer-rmcat-transport-wide-cc-extensions-01 3.1:
	// https://datatracker.ietf.org/doc/html/draft-holmer-rmcat-transport-wide-cc-extensions-01#section-3.1
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |V=2|P|  FMT=15 |    PT=205     |           length              |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                     SSRC of packet sender                     |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                      SSRC of media source                     |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |      base sequence number     |      packet status count      |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                 reference time                | fb pkt. count |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |          packet chunk         |         packet chunk          |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// .                                                               .
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |         packet chunk          |  recv delta   |  recv delta   |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// .                                                               .
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |           recv delta          |  recv delta   | zero padding  |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// Packet chunks (draft 3.1.3, 3.1.4):
	//
	//   run length:     |T=0| S (2) |       run length (13)        |
	//   status vector:  |T=1|S=0| 14 symbols of 1 bit (0: not received, 1: small delta)
	//                   |T=1|S=1| 7 symbols of 2 bits (00 not received, 01 small
	//                                                  delta, 10 large delta)
	//
	// Receive deltas (3.1.5), in units of 250 us: one unsigned byte for a small
	// delta, two signed bytes for a large one. The reference time is a 24-bit
	// signed number of 64 ms units.
	//
	// The fixed fields are decoded; the chunks and deltas are kept as a view
	// of the caller's bytes (GetPacketChunks()), walked by StatusReader. Parse
	// checks that the chunks cover the packet status count and that the
	// deltas they call for are there. libwebrtc pads this packet with the P
	// bit; Serialize() does the same when the chunks and deltas do not end on
	// a 32-bit boundary, so such packets are written back byte for byte.
	class TransportWideCc
	{
	public:
		enum class Status : uint8_t
		{
			NOT_RECEIVED = 0,
			SMALL_DELTA  = 1,
			LARGE_DELTA  = 2,
			RESERVED     = 3
		};

		struct PacketStatus
		{
			int64_t GetDeltaUs() const { return static_cast<int64_t>(this->delta) * DeltaUnitUs; }
			bool operator==(const PacketStatus& other) const = default;

			uint16_t sequenceNumber{ 0u };
			Status status{ Status::NOT_RECEIVED };
			// Units of 250 us from the previous received packet (the reference
			// time for the first); 0 when not received.
			int16_t delta{ 0 };
		};

		// Walks the statuses of a feedback in sequence number order. Holds a
		// view of the packet's chunk bytes.
		class StatusReader
		{
		public:
			// The next packet's status; nullopt after the last one, or when the
			// chunks are malformed (then HasError()).
			std::optional<PacketStatus> Next();
			bool HasError() const { return this->error; }

		private:
			friend class TransportWideCc;
			StatusReader(std::span<const uint8_t> data, uint16_t baseSequenceNumber, uint16_t count);

		private:
			// Passed by argument.
			std::span<const uint8_t> data;
			uint16_t baseSequenceNumber{ 0u };
			uint16_t count{ 0u };
			// Others.
			size_t chunksEnd{ 0u };
			size_t chunkPos{ 0u };
			size_t deltaPos{ 0u };
			uint16_t chunk{ 0u };
			size_t chunkSymbols{ 0u };
			size_t symbolIndex{ 0u };
			size_t index{ 0u };
			bool error{ false };
		};

	public:
		static constexpr Type PacketType{ Type::RTPFB };
		static constexpr uint8_t Fmt{ static_cast<uint8_t>(RtpfbFmt::TRANSPORT_WIDE_CC) };
		// Base sequence number, status count, reference time, fb pkt count.
		static constexpr size_t FixedFciSize{ 8u };
		static constexpr int64_t DeltaUnitUs{ 250 };
		static constexpr int64_t ReferenceTimeUnitMs{ 64 };

	public:
		// `data` must be exactly one transport-cc feedback. nullopt when the
		// fixed FCI fields do not fit, the chunks do not cover the status
		// count, a status is the reserved one, or deltas are missing.
		static std::optional<TransportWideCc> Parse(std::span<const uint8_t> data);

	public:
		Type GetType() const { return PacketType; }
		uint32_t GetSenderSsrc() const { return this->senderSsrc; }
		void SetSenderSsrc(uint32_t ssrc) { this->senderSsrc = ssrc; }
		uint32_t GetMediaSsrc() const { return this->mediaSsrc; }
		void SetMediaSsrc(uint32_t ssrc) { this->mediaSsrc = ssrc; }
		uint16_t GetBaseSequenceNumber() const { return this->baseSequenceNumber; }
		void SetBaseSequenceNumber(uint16_t seq) { this->baseSequenceNumber = seq; }
		uint16_t GetPacketStatusCount() const { return this->packetStatusCount; }
		void SetPacketStatusCount(uint16_t count) { this->packetStatusCount = count; }
		// Sign-extended 24 bits, in 64 ms units.
		int32_t GetReferenceTime() const { return this->referenceTime; }
		int64_t GetReferenceTimeMs() const
		{
			return static_cast<int64_t>(this->referenceTime) * ReferenceTimeUnitMs;
		}
		// Kept modulo 2^24, as the wire does.
		void SetReferenceTime(int32_t referenceTime);
		uint8_t GetFeedbackPacketCount() const { return this->feedbackPacketCount; }
		void SetFeedbackPacketCount(uint8_t count) { this->feedbackPacketCount = count; }
		// The encoded chunks and deltas (and any zero padding that was inside
		// the length without the P bit): the FCI after its fixed fields.
		std::span<const uint8_t> GetPacketChunks() const { return this->packetChunks; }
		// Kept as a view. Must be chunks and deltas covering the status count,
		// else GetSize() says 0.
		void SetPacketChunks(std::span<const uint8_t> chunks) { this->packetChunks = chunks; }
		StatusReader GetStatusReader() const
		{
			return StatusReader(this->packetChunks, this->baseSequenceNumber, this->packetStatusCount);
		}
		// 0 when the chunks do not decode or the packet is too long.
		size_t GetSize() const;
		size_t Serialize(std::span<uint8_t> out) const;
		bool operator==(const TransportWideCc& other) const;

	private:
		// Others.
		uint32_t senderSsrc{ 0u };
		uint32_t mediaSsrc{ 0u };
		uint16_t baseSequenceNumber{ 0u };
		uint16_t packetStatusCount{ 0u };
		int32_t referenceTime{ 0 };
		uint8_t feedbackPacketCount{ 0u };
		std::span<const uint8_t> packetChunks;
	};

	static_assert(Packet<TransportWideCc>);
} // namespace RTC::RTCP

#endif
