#ifndef MS_RTC_OUTGOING_RTP_STAMPER_HPP
#define MS_RTC_OUTGOING_RTP_STAMPER_HPP

#include "common.hpp"

#include "RTC/RtpPacket.hpp"

#include <array>
#include <optional>
#include <span>

namespace RTC
{
	// Gives a packet we send to an endpoint the header extension elements its
	// bandwidth estimation reads: the transport-wide sequence number
	// (transport-cc receivers, draft-holmer-rmcat-transport-wide-cc-
	// extensions-01) and our send time as abs-send-time (REMB receivers, whose
	// estimate is only as good as the send times we give them).
	//
	// A packet from a producer that carries the element already (browsers
	// stamp their own) is updated in place: the shared packet's value is
	// overwritten by every consumer anyway. A packet without it (FFmpeg,
	// GStreamer, most plain RTP) is rebuilt with the element added, into this
	// stamper's buffer. Extension blocks of another profile than RFC 8285's
	// cannot take an element: such packets go out unstamped (counted).
	//
	// Two steps, because the transport-wide number is handed out by the send
	// history, which needs the size of the stamped packet: Prepare() lays the
	// packet out, then the caller writes the values through the result.
	class OutgoingRtpStamper
	{
	public:
		// Larger packets are sent unstamped (no RTP packet over an MTU is).
		static constexpr size_t MaxPacketSize{ 4096u };

		struct Ids
		{
			// 0: not negotiated.
			uint8_t transportWideCc01{ 0u };
			uint8_t absSendTime{ 0u };
		};

		struct Prepared
		{
			// What to send (the packet itself or this stamper's copy).
			std::span<uint8_t> data;
			// Where the values go; null when not asked for or not possible.
			uint8_t* transportWideCc01{ nullptr };
			uint8_t* absSendTime{ nullptr };
		};

	public:
		// abs-send-time: 6.18 fixed point seconds, 24 bits (webrtc.org's
		// abs-send-time definition).
		static uint32_t ToAbsSendTime(uint64_t nowUs);
		static void WriteTransportWideCc01(const Prepared& prepared, uint16_t sequenceNumber);
		static void WriteAbsSendTime(const Prepared& prepared, uint32_t absSendTime);

	public:
		// The result is valid until the next call (and while `packet` lives).
		Prepared Prepare(RtpPacket& packet, const Ids& ids);
		// Packets that could not take an element they needed.
		uint64_t GetUnstampableCount() const { return this->unstampableCount; }

	private:
		std::array<uint8_t, MaxPacketSize> buffer{};
		uint64_t unstampableCount{ 0u };
	};
} // namespace RTC

#endif
