#ifndef MS_RTC_INCOMING_BWE_FEEDBACK_HPP
#define MS_RTC_INCOMING_BWE_FEEDBACK_HPP

#include "common.hpp"

#include "RTC/BweType.hpp"
#include "RTC/RembEstimator.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/TransportCcFeedbackBuilder.hpp"

#include <memory>
#include <optional>

namespace RTC
{
	// What a transport tells the remote sender about the bandwidth of the path
	// into us, so that the sender's congestion control ramps up and backs off:
	// transport-cc feedback for senders that estimate themselves, REMB for
	// senders that want our estimate, and REMB carrying the cap set with
	// setMaxIncomingBitrate() (browsers honour a REMB as an upper bound next
	// to transport-cc too).
	//
	// Clock-free and without I/O: the transport gives arrival times and the
	// current time in microseconds, arms a timer for GetNextDeadlineUs() and
	// sends what Process() hands it.
	class IncomingBweFeedback
	{
	public:
		using OnPacket = TransportCcFeedbackBuilder::OnPacket;

	public:
		// Leaves room for the SRTCP trailer (14 bytes) and IP/UDP headers under
		// the 1200 bytes WebRTC keeps its packets to.
		static constexpr size_t MaxFeedbackPacketSize{ 1150u };
		// How often a REMB repeats while nothing changes: often enough that a
		// lost one costs little, rarely enough to cost nothing.
		static constexpr uint64_t RembIntervalUs{ 1000000u };
		// Announced a few times when the cap is removed, so that the sender's
		// last REMB limit does not stay (a sender keeps the last value it got).
		// The largest REMB mantissa with an exponent that keeps it exact and
		// under 2^32 (about 4.3 Gbit/s, which nothing sends).
		static constexpr uint64_t UnlimitedBitrate{ uint64_t{ 0x3FFFFu } << 14u };
		static constexpr size_t UnlimitedRembCount{ 3u };
		// A sender counts as gone after this long without a packet: nothing is
		// repeated to it until it sends again.
		static constexpr uint64_t SenderIdleUs{ 2000000u };

	public:
		// Records a packet of a stream that negotiated `type` (NONE: ignored).
		// The packet must be authenticated and parsed, with the extension ids
		// of its stream set.
		void ReceivePacket(BweType type, const RtpPacket& packet, uint64_t arrivalUs);
		// 0 removes the cap.
		void SetMaxIncomingBitrate(uint32_t bitrate, uint64_t nowUs);
		uint32_t GetMaxIncomingBitrate() const { return this->maxIncomingBitrate; }
		// When Process() next has something to send; nullopt when nothing is
		// pending. May be in the past (due now).
		std::optional<uint64_t> GetNextDeadlineUs() const;
		// Hands every transport-cc feedback packet that is due to `onPacket`
		// (complete RTCP packets from `senderSsrc`), and returns the bitrate to
		// announce in a REMB now, if one is due.
		std::optional<uint64_t> Process(uint64_t nowUs, uint32_t senderSsrc, const OnPacket& onPacket);
		// Our own estimate of the incoming bandwidth, capped, while a REMB
		// sender is active; nullopt otherwise (a transport-cc sender estimates
		// on its side).
		std::optional<uint32_t> GetAvailableIncomingBitrate() const;
		const TransportCcFeedbackBuilder& GetTransportCc() const { return this->transportCc; }
		uint64_t GetFeedbackPacketsSent() const { return this->feedbackPacketsSent; }
		uint64_t GetRembsSent() const { return this->rembsSent; }

	private:
		bool IsSenderActive(uint64_t nowUs) const
		{
			return this->lastPacketUs && nowUs < *this->lastPacketUs + SenderIdleUs;
		}
		bool IsRembSenderActive(uint64_t nowUs) const
		{
			return this->lastRembPacketUs && nowUs < *this->lastRembPacketUs + SenderIdleUs;
		}
		// Whether REMBs repeat on their own schedule (a cap, or the few
		// unlimited ones after it).
		bool WantsCapRembs() const
		{
			return this->maxIncomingBitrate != 0u || this->unlimitedRembsLeft > 0u;
		}

	private:
		// Allocated by this, with the first packet of a REMB sender.
		std::unique_ptr<RembEstimator> rembEstimator;
		// Others.
		TransportCcFeedbackBuilder transportCc;
		uint32_t transportCcMediaSsrc{ 0u };
		uint32_t maxIncomingBitrate{ 0u };
		size_t unlimitedRembsLeft{ 0u };
		std::optional<uint64_t> nextCapRembUs;
		std::optional<uint64_t> lastPacketUs;
		std::optional<uint64_t> lastRembPacketUs;
		uint64_t feedbackPacketsSent{ 0u };
		uint64_t rembsSent{ 0u };
	};
} // namespace RTC

#endif
