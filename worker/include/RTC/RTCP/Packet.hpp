#ifndef MS_RTC_RTCP_PACKET_HPP
#define MS_RTC_RTCP_PACKET_HPP

#include "common.hpp"

#include <concepts>
#include <optional>

namespace RTC::RTCP
{
	// RTCP packet types (RFC 3550 12.1, RFC 4585 6.1, RFC 3611 2). Values
	// outside this list are held too (as RawPacket).
	enum class Type : uint8_t
	{
		SR    = 200,
		RR    = 201,
		SDES  = 202,
		BYE   = 203,
		APP   = 204,
		RTPFB = 205,
		PSFB  = 206,
		XR    = 207
	};

	// Feedback message types (FMT) of RTPFB packets (RFC 4585 6.2,
	// draft-holmer-rmcat-transport-wide-cc-extensions-01 3.1).
	enum class RtpfbFmt : uint8_t
	{
		NACK              = 1,
		TRANSPORT_WIDE_CC = 15
	};

	// Feedback message types (FMT) of PSFB packets (RFC 4585 6.3, RFC 5104
	// 4.3). AFB carries REMB among others.
	enum class PsfbFmt : uint8_t
	{
		PLI  = 1,
		SLI  = 2,
		RPSI = 3,
		FIR  = 4,
		AFB  = 15
	};

	// Why reading a datagram stopped early.
	enum class ParseError : uint8_t
	{
		NONE = 0,
		// Fewer than 4 bytes left: no room for a common header.
		TOO_SHORT,
		// Version field other than 2.
		BAD_VERSION,
		// The length field goes past the end of the data (or, for a single
		// packet parse, does not end where the data does).
		BAD_LENGTH,
		// P bit set with a padding count of 0 or larger than the packet body.
		BAD_PADDING,
		// Header fine, but the body does not hold what it announces (a count
		// larger than the length allows, an item running past the end...).
		MALFORMED
	};

	// Short name of a ParseError, for logs and tests.
	std::string_view ParseErrorToString(ParseError error);

	// The header all RTCP packets start with, RFC 3550 6.4.1:
	// https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |V=2|P| RC/FMT  |      PT       |             length            |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// length: the packet size in 32-bit words minus one, header and padding
	// included. P: the last byte of the packet counts the padding bytes,
	// itself included.
	struct CommonHeader
	{
		static constexpr size_t Size{ 4u };
		static constexpr uint8_t Version{ 2u };
		// RC, SC and FMT are 5 bits.
		static constexpr uint8_t MaxCount{ 31u };
		// (0xFFFF + 1) words.
		static constexpr size_t MaxPacketSize{ 4u * 65536u };

		// Reads the header at the start of `data` and checks it: version 2,
		// the packet within `data`, a padding count within the body. The packet
		// may be followed by others in `data`. `error`, when given, tells why
		// nullopt was returned.
		static std::optional<CommonHeader>
		Parse(std::span<const uint8_t> data, ParseError* error = nullptr);
		// As Parse(), and the packet must be all of `data` and of type `type`.
		static std::optional<CommonHeader> ParseExact(std::span<const uint8_t> data, Type type);
		// Writes a header for a packet of `packetSize` bytes (a multiple of 4,
		// at most MaxPacketSize) into the first 4 bytes of `out`.
		static void Write(
			std::span<uint8_t, Size> out,
			uint8_t count,
			Type type,
			size_t packetSize,
			bool padding = false);

		// RC, SC, FMT, or the reserved bits of XR.
		uint8_t count{ 0u };
		bool padding{ false };
		Type type{ Type::SR };
		// The whole packet, as long as the length field says.
		std::span<const uint8_t> packet;
		// After the common header, without the padding.
		std::span<const uint8_t> body;
	};

	// The part every feedback packet (RTPFB, PSFB) has after the common
	// header, RFC 4585 6.1: https://www.rfc-editor.org/rfc/rfc4585#section-6.1
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |V=2|P|   FMT   |       PT      |          length               |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                  SSRC of packet sender                        |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                  SSRC of media source                         |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// :            Feedback Control Information (FCI)                 :
	// :                                                               :
	struct FeedbackHeader
	{
		// Common header and both SSRCs.
		static constexpr size_t Size{ 12u };

		// Parses `data` as exactly one feedback packet of type `type` and FMT
		// `fmt`, at least Size bytes long.
		static std::optional<FeedbackHeader>
		Parse(std::span<const uint8_t> data, Type type, uint8_t fmt);
		// Writes the common header and both SSRCs.
		static void Write(
			std::span<uint8_t, Size> out,
			Type type,
			uint8_t fmt,
			size_t packetSize,
			uint32_t senderSsrc,
			uint32_t mediaSsrc,
			bool padding = false);

		uint32_t senderSsrc{ 0u };
		uint32_t mediaSsrc{ 0u };
		// Feedback Control Information, padding excluded.
		std::span<const uint8_t> fci;
	};

	// What every RTCP packet type offers (Pion's one-line interface check):
	// parse exactly one packet from bytes, tell its size, write itself into a
	// caller's buffer (returning the bytes written, 0 when the buffer is too
	// small or the packet cannot be encoded), compare by value.
	template <typename T>
	concept Packet = std::equality_comparable<T> &&
		requires(const T& packet, std::span<const uint8_t> data, std::span<uint8_t> out)
	{
		{
			T::Parse(data)
			} -> std::same_as<std::optional<T>>;
		{
			packet.GetType()
			} -> std::same_as<Type>;
		{
			packet.GetSize()
			} -> std::same_as<size_t>;
		{
			packet.Serialize(out)
			} -> std::same_as<size_t>;
	};
} // namespace RTC::RTCP

#endif
