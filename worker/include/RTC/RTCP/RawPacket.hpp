#ifndef MS_RTC_RTCP_RAW_PACKET_HPP
#define MS_RTC_RTCP_RAW_PACKET_HPP

#include "common.hpp"

#include "RTC/RTCP/Packet.hpp"

#include <optional>

namespace RTC::RTCP
{
	// Any RTCP packet this code does not decode (APP, SLI, RPSI, AFB other
	// than REMB, types it does not know), passed through as it came:
	// https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |V=2|P|  count  |      PT       |             length            |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// :                     body (padding included)                   :
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// The body is a view into the caller's bytes, padding included, and the
	// P bit is kept: Serialize() gives back the same bytes.
	class RawPacket
	{
	public:
		// Any well-formed packet (version 2, length matching `data`, valid
		// padding count), whatever its type.
		static std::optional<RawPacket> Parse(std::span<const uint8_t> data);

	public:
		RawPacket() = default;
		// `body` is kept as a view; it is zero-padded to 32 bits when written.
		// With `padding`, it must be a whole number of words ending in the
		// padding count (else GetSize() says 0).
		RawPacket(Type type, uint8_t count, std::span<const uint8_t> body, bool padding = false)
				: type(type), count(count & 0x1Fu), padding(padding), body(body)
		{
		}

	public:
		Type GetType() const { return this->type; }
		// RC, SC, FMT or whatever the type puts in those 5 bits.
		uint8_t GetCount() const { return this->count; }
		bool HasPadding() const { return this->padding; }
		// Everything after the common header.
		std::span<const uint8_t> GetBody() const { return this->body; }
		// 0 when the body is too long for the length field, or padding is set
		// and the body does not end in a valid padding count.
		size_t GetSize() const;
		size_t Serialize(std::span<uint8_t> out) const;
		bool operator==(const RawPacket& other) const;

	private:
		// Others.
		Type type{ Type::APP };
		uint8_t count{ 0u };
		bool padding{ false };
		std::span<const uint8_t> body;
	};

	static_assert(Packet<RawPacket>);
} // namespace RTC::RTCP

#endif
