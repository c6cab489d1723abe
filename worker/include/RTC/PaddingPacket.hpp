#ifndef MS_RTC_PADDING_PACKET_HPP
#define MS_RTC_PADDING_PACKET_HPP

#include "common.hpp"

#include "RTC/RtpHeaderExtensionIds.hpp"
#include "RTC/RtpPacket.hpp"

#include <optional>
#include <span>

namespace RTC
{
	// A padding-only RTP packet (RFC 3550 5.1,
	// https://www.rfc-editor.org/rfc/rfc3550#section-5.1): a header, header
	// extensions, no payload, and P set with `paddingLength` bytes at the end,
	// the last one holding that count (itself included):
	//
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |V=2|1|X|  CC=0 |0|     PT      |       sequence number         |
	// |                           timestamp                           |
	// |                             SSRC                              |
	// |      0xBEDE                   |           length              |  X: RFC 8285
	// |  ID  | len |  value ...  (one-byte form elements, zero padded) |  one-byte form
	// |   0  ...  0  (paddingLength - 1 bytes)        | paddingLength |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// The count is one byte, so a packet carries MaxPaddingLength bytes of
	// padding at most. This is what a sender probes with on a consumer's RTX
	// stream (RFC 4588 without the original sequence number: receivers count
	// it for transport-cc, then drop it, as a padding-only RTX packet has
	// nothing to repair) and on the probation stream (ProbationStream): an
	// empty payload is never handed to a depacketizer, whatever the codec.
	//
	// Extensions are written with the values given; a caller stamping one
	// later (the transport-wide sequence number) passes zeros of its length
	// and updates the returned packet (RtpPacket::UpdateTransportWideCc01()
	// once its extension ids are set, as Write() does).
	class PaddingPacket
	{
	public:
		static constexpr size_t MaxPaddingLength{ 255u };
		// transport-wide-cc-extensions-01: a 16-bit sequence number.
		static constexpr size_t TransportWideCcLength{ 2u };

		struct Extension
		{
			uint8_t id{ 0u };
			std::span<const uint8_t> value;
		};

		struct Header
		{
			uint8_t payloadType{ 0u };
			uint16_t sequenceNumber{ 0u };
			uint32_t timestamp{ 0u };
			uint32_t ssrc{ 0u };
			// In packet order; one-byte form when all fit it (ids 1..14, 1..16
			// bytes), two-byte form otherwise. At most RtpPacket::MaxExtensions.
			std::span<const Extension> extensions;
		};

	public:
		// Bytes before the padding: fixed header and extension block (0 when
		// the extensions cannot be written: too many, an id 0, a value over
		// 255 bytes).
		static size_t GetHeaderSize(const Header& header);
		// The padding length giving the largest packet of at most `maxSize`
		// bytes (at most MaxPaddingLength); 0 when not even one byte fits.
		static size_t GetPaddingLengthFor(const Header& header, size_t maxSize);
		// Writes the packet into `out` and returns a view over it whose
		// typed extension accessors use `extensionIds`; nullopt (nothing
		// written) when `paddingLength` is 0 or above MaxPaddingLength, the
		// extensions cannot be written or `out` is too small.
		static std::optional<RtpPacket> Write(
			std::span<uint8_t> out,
			const Header& header,
			size_t paddingLength,
			const RtpHeaderExtensionIds& extensionIds);
	};
} // namespace RTC

#endif
