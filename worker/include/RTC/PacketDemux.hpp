#ifndef MS_RTC_PACKET_DEMUX_HPP
#define MS_RTC_PACKET_DEMUX_HPP

#include "common.hpp"

namespace RTC
{
	// What a datagram (or RFC 4571 frame) received on a transport carries,
	// told by its first byte (RFC 7983 7):
	//
	//              +----------------+
	//              |        [0..3] -+--> STUN
	//              |      [16..19] -+--> ZRTP (not used: UNKNOWN)
	//  packet -->  |      [20..63] -+--> DTLS
	//              |      [64..79] -+--> TURN channel (not used: UNKNOWN)
	//              |    [128..191] -+--> RTP / RTCP
	//              +----------------+
	//
	// RTP and RTCP are told apart by the second byte (RFC 5761 4): RTCP packet
	// types 192..223 (SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR...) fall where an
	// RTP marker bit plus payload type 64..95 would, which RTP never uses.
	enum class PacketKind : uint8_t
	{
		STUN,
		DTLS,
		RTP,
		RTCP,
		UNKNOWN
	};

	// Also checks the minimum size of each kind (STUN: header and magic
	// cookie; DTLS: a 13-byte record header; RTP: a 12-byte header; RTCP: a
	// 4-byte header), so what is not UNKNOWN is worth parsing.
	PacketKind ClassifyPacket(std::span<const uint8_t> data);
} // namespace RTC

#endif
