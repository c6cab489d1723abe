#include "common.hpp"

#include "RTC/PacketDemux.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::ClassifyPacket;
using RTC::PacketKind;

namespace
{
	// A buffer of `size` bytes starting with the given ones, zero-filled.
	std::vector<uint8_t> Packet(std::vector<uint8_t> head, size_t size)
	{
		head.resize(size, 0x00);

		return head;
	}

	// A STUN header: type, length 0, magic cookie, transaction id.
	std::vector<uint8_t> StunHeader(uint8_t first, uint32_t cookie = 0x2112A442u)
	{
		auto bytes = Packet({ first, 0x01, 0x00, 0x00 }, 20u);

		bytes[4] = static_cast<uint8_t>(cookie >> 24);
		bytes[5] = static_cast<uint8_t>(cookie >> 16);
		bytes[6] = static_cast<uint8_t>(cookie >> 8);
		bytes[7] = static_cast<uint8_t>(cookie);

		return bytes;
	}
} // namespace

TEST_CASE("ClassifyPacket follows RFC 7983 and RFC 5761", "[PacketDemux]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		PacketKind kind;
	};

	const std::vector<Row> rows{
		{ "empty", {}, PacketKind::UNKNOWN },
		// STUN: first byte 0..3, at least a header with the magic cookie.
		{ "STUN request", StunHeader(0x00), PacketKind::STUN },
		{ "STUN first byte 3", StunHeader(0x03), PacketKind::STUN },
		{ "STUN bad cookie", StunHeader(0x00, 0x2112A443u), PacketKind::UNKNOWN },
		{ "STUN too short",
			Packet({ 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42 }, 19u),
			PacketKind::UNKNOWN },
		{ "first byte 4", StunHeader(0x04), PacketKind::UNKNOWN },
		// ZRTP and TURN channels are not used.
		{ "ZRTP 16", Packet({ 16 }, 100u), PacketKind::UNKNOWN },
		{ "ZRTP 19", Packet({ 19 }, 100u), PacketKind::UNKNOWN },
		// DTLS: 20..63 with a 13-byte record header.
		{ "DTLS change_cipher_spec", Packet({ 20, 0xFE, 0xFD }, 14u), PacketKind::DTLS },
		{ "DTLS handshake", Packet({ 22, 0xFE, 0xFD }, 100u), PacketKind::DTLS },
		{ "DTLS 63", Packet({ 63 }, 13u), PacketKind::DTLS },
		{ "DTLS 12 bytes", Packet({ 22, 0xFE, 0xFD }, 12u), PacketKind::UNKNOWN },
		{ "64 (TURN channel)", Packet({ 64 }, 100u), PacketKind::UNKNOWN },
		{ "79 (TURN channel)", Packet({ 79 }, 100u), PacketKind::UNKNOWN },
		{ "127", Packet({ 127 }, 100u), PacketKind::UNKNOWN },
		// RTP: version 2, payload type outside 64..95 (with marker: 192..223).
		{ "RTP PT 96", Packet({ 0x80, 96 }, 12u), PacketKind::RTP },
		{ "RTP PT 111 marker", Packet({ 0x80, 0x80 | 111 }, 100u), PacketKind::RTP },
		{ "RTP PT 0", Packet({ 0x80, 0 }, 12u), PacketKind::RTP },
		{ "RTP PT 63 marker (second byte 191)", Packet({ 0x80, 191 }, 12u), PacketKind::RTP },
		{ "RTP PT 96 marker (second byte 224)", Packet({ 0x80, 224 }, 12u), PacketKind::RTP },
		{ "RTP with CSRC count and extension bits", Packet({ 0x9F, 96 }, 12u), PacketKind::RTP },
		{ "RTP 11 bytes", Packet({ 0x80, 96 }, 11u), PacketKind::UNKNOWN },
		// RTCP: packet type 192..223.
		{ "RTCP SR", Packet({ 0x80, 200 }, 28u), PacketKind::RTCP },
		{ "RTCP RR 4 bytes", Packet({ 0x80, 201 }, 4u), PacketKind::RTCP },
		{ "RTCP PSFB", Packet({ 0x81, 206 }, 12u), PacketKind::RTCP },
		{ "RTCP 192", Packet({ 0x80, 192 }, 8u), PacketKind::RTCP },
		{ "RTCP 223", Packet({ 0x80, 223 }, 8u), PacketKind::RTCP },
		{ "RTCP 3 bytes", Packet({ 0x80, 200 }, 3u), PacketKind::UNKNOWN },
		{ "version 2 last first byte 191", Packet({ 191, 200 }, 8u), PacketKind::RTCP },
		{ "version 3 (192)", Packet({ 192, 96 }, 100u), PacketKind::UNKNOWN },
		{ "255", Packet({ 255, 96 }, 100u), PacketKind::UNKNOWN },
		{ "one byte RTP-looking", { 0x80 }, PacketKind::UNKNOWN },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		REQUIRE(ClassifyPacket(row.data) == row.kind);
	}
}
