#ifndef MS_RTC_RTP_STREAM_SEND_HPP
#define MS_RTC_RTP_STREAM_SEND_HPP

#include "common.hpp"

#include "RTC/RTCP/Nack.hpp"
#include "RTC/RTCP/ReportBlock.hpp"
#include "RTC/RTCP/SenderReport.hpp"
#include "RTC/RateCalculator.hpp"
#include "RTC/RetransmissionBudget.hpp"
#include "RTC/RetransmissionBuffer.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/StreamScore.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace RTC
{
	// One RTP stream a Consumer sends: counters, the sender report about it,
	// a retransmission buffer answering NACKs (with RTX when negotiated), and
	// the score from the receiver reports of the far end.
	//
	// Resends are held to a budget of the stream's own media bitrate (at
	// least MinRetransmissionBitrate), whatever the receiver asks for and
	// whether or not it sends congestion feedback: a NACK is a few bytes and
	// can name hundreds of packets, so without it a receiver repeating NACKs
	// makes the worker an amplifier (one 1.2 KB NACK, ~720 KB of resends).
	//
	// Clock-free: every method takes the current time.
	class RtpStreamSend
	{
	public:
		struct Params
		{
			uint32_t ssrc{ 0u };
			uint8_t payloadType{ 0u };
			uint32_t clockRate{ 90000u };
			std::string mimeType;
			uint32_t rtxSsrc{ 0u };
			uint8_t rtxPayloadType{ 0u };
			bool useNack{ false };
			// Packets kept for retransmission (video with NACK).
			size_t bufferCapacity{ 600u };
		};

		// Hands a packet to resend (RTX-encoded when negotiated) to the owner,
		// which says whether it was sent (false: no budget for more now).
		using ResendFn = std::function<bool(const uint8_t* data, size_t len)>;

	public:
		// Retransmissions may take this share of the stream's media bitrate
		// (measured over the last second): at most as many bytes again as the
		// media, which real loss needs far less than.
		static constexpr double RetransmissionShare{ 1.0 };
		// ... but at least this (bit/s), so that a key frame lost at a low
		// bitrate, or of a stream that just started, is still repaired.
		static constexpr uint32_t MinRetransmissionBitrate{ 100000u };
		// Resends of a packet are paced by the RTT; before a receiver report
		// gave one, by this: the default of receivers that do not know theirs
		// either (our NackGenerator, libwebrtc).
		static constexpr uint32_t UnknownRttMs{ 100u };

	public:
		explicit RtpStreamSend(const Params& params);

	public:
		const Params& GetParams() const { return this->params; }
		uint32_t GetSsrc() const { return this->params.ssrc; }
		// The packet has been sent (in its final form).
		void PacketSent(const RtpPacket& packet, uint64_t nowMs);
		// Resends what the NACK asks for and is still held, until the owner
		// has no budget for more.
		void ReceiveNack(const RTCP::Nack& nack, uint64_t nowMs, const ResendFn& resend);
		void ReceiveKeyFrameRequest(bool isFir);
		void ReceiveReportBlock(const RTCP::ReportBlock& block, uint64_t nowMs);
		// The sender report to send now, stamped `ntpMs` (the NTP clock in ms);
		// nullopt before anything was sent.
		std::optional<RTCP::SenderReport> GetSenderReport(uint64_t nowMs, uint64_t ntpMs);
		// The packet numbering changed (a new source): forget the held packets.
		void ClearBuffer();
		uint8_t GetScore() const { return this->score.GetScore(); }
		uint32_t GetRttMs() const { return this->rttMs; }
		bool HasRtt() const { return this->hasRtt; }

		/* Counters for getStats(). */
		uint64_t GetPacketCount() const { return this->packetCount; }
		uint64_t GetByteCount() const { return this->transmission.GetBytes(); }
		uint32_t GetBitrate(uint64_t nowMs) { return this->transmission.GetRate(nowMs); }
		int64_t GetPacketsLost() const { return this->packetsLost; }
		uint8_t GetFractionLost() const { return this->fractionLost; }
		uint64_t GetPacketsRetransmitted() const { return this->retransmittedCount; }
		uint64_t GetNackCount() const { return this->nackCount; }
		uint64_t GetNackPacketCount() const { return this->nackPacketCount; }
		uint64_t GetPliCount() const { return this->pliCount; }
		uint64_t GetFirCount() const { return this->firCount; }
		// Requested packets not resent because they were resent less than an
		// RTT ago or too often (RetransmissionBuffer).
		uint64_t GetRetransmissionsSuppressed() const;
		// Requested packets not resent for lack of budget (this stream's or
		// the transport's).
		uint64_t GetRetransmissionsOverBudget() const { return this->overBudgetCount; }

	private:
		// Passed by argument.
		Params params;
		// Allocated by this, at the first packet (idle consumers cost nothing).
		std::unique_ptr<RetransmissionBuffer> buffer;
		// Others.
		StreamScore score{ 10u };
		RateCalculator transmission;
		RetransmissionBudget retransmissionBudget;
		uint64_t overBudgetCount{ 0u };
		uint64_t packetCount{ 0u };
		uint64_t retransmittedCount{ 0u };
		uint64_t nackCount{ 0u };
		uint64_t nackPacketCount{ 0u };
		uint64_t pliCount{ 0u };
		uint64_t firCount{ 0u };
		int64_t packetsLost{ 0 };
		uint8_t fractionLost{ 0u };
		uint32_t rttMs{ 0u };
		bool hasRtt{ false };
		// Last packet sent: SR's RTP timestamp is extrapolated from it.
		uint32_t lastRtpTimestamp{ 0u };
		uint64_t lastPacketMs{ 0u };
		uint16_t rtxSeq{ 0u };
		// Previous report block's values, to compute the interval's sample.
		uint32_t lastReportedHighest{ 0u };
		int32_t lastReportedLost{ 0 };
		bool hasReport{ false };
	};
} // namespace RTC

#endif
