#ifndef MS_RTC_RTP_HEADER_EXTENSION_IDS_HPP
#define MS_RTC_RTP_HEADER_EXTENSION_IDS_HPP

#include "common.hpp"

namespace RTC
{
	// The local ids (RFC 8285 5, the a=extmap of SDP or the ORTC
	// headerExtensions of the RTP parameters) given to the header extensions the
	// worker reads or writes on one stream. 0 means "not negotiated": no
	// element is looked up for it. One-byte form ids are 1..14, two-byte form
	// ids 1..255.
	struct RtpHeaderExtensionIds
	{
		// urn:ietf:params:rtp-hdrext:sdes:mid (RFC 8843 15).
		uint8_t mid{ 0u };
		// urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id (RFC 8852 3.1).
		uint8_t rid{ 0u };
		// urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id (RFC 8852 3.2).
		uint8_t rrid{ 0u };
		// http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
		uint8_t absSendTime{ 0u };
		// http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
		uint8_t transportWideCc01{ 0u };
		// urn:ietf:params:rtp-hdrext:ssrc-audio-level (RFC 6464).
		uint8_t ssrcAudioLevel{ 0u };
		// urn:3gpp:video-orientation (3GPP TS 26.114 7.4.5).
		uint8_t videoOrientation{ 0u };
		// urn:ietf:params:rtp-hdrext:toffset (RFC 5450).
		uint8_t toffset{ 0u };
		// http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time
		uint8_t absCaptureTime{ 0u };
		// http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
		uint8_t playoutDelay{ 0u };
		// https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension
		uint8_t dependencyDescriptor{ 0u };
		// urn:mediasoup:params:rtp-hdrext:packet-id (mediasoup's own).
		uint8_t mediasoupPacketId{ 0u };
	};
} // namespace RTC

#endif
