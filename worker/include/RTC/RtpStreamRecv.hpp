#ifndef MS_RTC_RTP_STREAM_RECV_HPP
#define MS_RTC_RTP_STREAM_RECV_HPP

#include "common.hpp"

#include "RTC/Codecs/Tools.hpp"
#include "RTC/KeyFrameRequestManager.hpp"
#include "RTC/NackGenerator.hpp"
#include "RTC/RTCP/ReportBlock.hpp"
#include "RTC/RateCalculator.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/RtpSeqTracker.hpp"
#include "RTC/StreamScore.hpp"

#include <optional>
#include <string>
#include <vector>

namespace RTC
{
	// One RTP stream a Producer receives (one encoding): sequence tracking and
	// loss statistics, the receiver report about it, NACKs for its missing
	// packets, RTX recovery, key frame requests and its score.
	//
	// Clock-free: every method takes the current time; the owner sends what
	// the stream asks for (NACK, PLI/FIR, reports) and wakes it at
	// GetNextDeadlineMs().
	class RtpStreamRecv
	{
	public:
		struct Params
		{
			uint32_t ssrc{ 0u };
			uint8_t payloadType{ 0u };
			uint32_t clockRate{ 90000u };
			Codecs::CodecKind codecKind{ Codecs::CodecKind::UNKNOWN };
			std::string mimeType;
			std::string rid;
			bool useNack{ false };
			bool usePli{ false };
			bool useFir{ false };
			uint32_t keyFrameRequestDelayMs{ 0u };
		};

		enum class KeyFrameRequestType : uint8_t
		{
			NONE = 0,
			PLI,
			FIR
		};

	public:
		explicit RtpStreamRecv(const Params& params);

	public:
		const Params& GetParams() const { return this->params; }
		uint32_t GetSsrc() const { return this->params.ssrc; }
		// Whether the packet is to be forwarded (accepted by sequence tracking,
		// not a duplicate). Feeds the NACK list.
		bool ReceivePacket(const RtpPacket& packet, uint64_t nowMs);
		// A packet recovered from RTX (already decoded). Whether to forward it.
		bool ReceiveRecoveredPacket(const RtpPacket& packet, uint64_t nowMs);
		void ReceiveRtxPacketCount(size_t size, uint64_t nowMs);
		// Whether the last packet given to ReceivePacket() or
		// ReceiveRecoveredPacket() starts a key frame (parsed once, there).
		bool LastPacketIsKeyFrame() const { return this->lastPacketIsKeyFrame; }
		void ReceiveSenderReport(uint32_t ntpCompact, uint64_t nowMs);
		// The report block about this stream, and a score sample from the
		// interval it covers. nullopt before the source is validated.
		std::optional<RTCP::ReportBlock> GetReportBlock(uint64_t nowMs);
		// Sequence numbers to NACK now.
		std::vector<uint16_t> GetNacks(uint64_t nowMs);
		// A consumer (or the NACK list overflowing) wants a key frame: which
		// request to send now, if any.
		KeyFrameRequestType RequestKeyFrame(uint64_t nowMs);
		// A held or retried key frame request that is due.
		KeyFrameRequestType OnKeyFrameTimeout(uint64_t nowMs);
		// Earliest time something (a NACK, a key frame request) is due.
		std::optional<uint64_t> GetNextDeadlineMs() const;
		void SetRttMs(uint32_t rttMs) { this->rttMs = rttMs; }
		// Whether a packet arrived in the last `windowMs`.
		bool IsActive(uint64_t nowMs, uint64_t windowMs = 2000u) const
		{
			return this->receivedAny && nowMs - this->lastPacketMs < windowMs;
		}
		uint8_t GetScore() const { return this->score.GetScore(); }
		// Whether the score changed since the last call.
		bool TakeScoreChanged();
		// Called when the score is sampled with nothing received for long: the
		// stream is dead.
		void MarkInactive();

		/* Counters for getStats(). */
		uint64_t GetPacketCount() const { return this->packetCount; }
		uint64_t GetByteCount() const { return this->transmission.GetBytes(); }
		uint32_t GetBitrate(uint64_t nowMs) { return this->transmission.GetRate(nowMs); }
		int64_t GetPacketsLost() const { return this->tracker.GetPacketsLost(); }
		uint8_t GetFractionLost() const { return this->fractionLost; }
		uint32_t GetJitter() const { return this->tracker.GetJitter(); }
		uint64_t GetPacketsDiscarded() const
		{
			return this->tracker.GetPacketsDiscarded() + this->tracker.GetPacketsDuplicated() +
						 this->discardedByOwner;
		}
		// The owner dropped a packet this stream accepted (e.g. one it could
		// not rewrite for the Router); reported in GetPacketsDiscarded().
		void CountDiscarded() { ++this->discardedByOwner; }
		uint64_t GetPacketsRetransmitted() const { return this->rtxPacketCount; }
		uint64_t GetPacketsRepaired() const { return this->repairedCount; }
		uint64_t GetNackCount() const { return this->nackCount; }
		uint64_t GetNackPacketCount() const { return this->nackPacketCount; }
		uint64_t GetPliCount() const { return this->pliCount; }
		uint64_t GetFirCount() const { return this->firCount; }
		uint8_t NextFirSequenceNumber() { return this->firSeq++; }

	private:
		bool IsKeyFrame(const RtpPacket& packet);
		KeyFrameRequestType CountRequest();

	private:
		// Passed by argument.
		Params params;
		// Others.
		RtpSeqTracker tracker;
		NackGenerator nackGenerator;
		KeyFrameRequestManager keyFrameRequestManager;
		StreamScore score;
		RateCalculator transmission;
		uint64_t packetCount{ 0u };
		uint64_t rtxPacketCount{ 0u };
		uint64_t repairedCount{ 0u };
		uint64_t repairedInInterval{ 0u };
		uint64_t nackCount{ 0u };
		uint64_t nackPacketCount{ 0u };
		uint64_t pliCount{ 0u };
		uint64_t firCount{ 0u };
		uint64_t discardedByOwner{ 0u };
		uint32_t rttMs{ 0u };
		uint64_t lastPacketMs{ 0u };
		uint8_t fractionLost{ 0u };
		uint8_t firSeq{ 0u };
		uint8_t lastNotifiedScore{ 0u };
		bool receivedAny{ false };
		bool lastPacketIsKeyFrame{ false };
	};
} // namespace RTC

#endif
