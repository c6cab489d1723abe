#ifndef MS_RTC_RTP_SEQ_TRACKER_HPP
#define MS_RTC_RTP_SEQ_TRACKER_HPP

#include "common.hpp"

#include <array>
#include <optional>

namespace RTC
{
	// Receive statistics of one RTP source, and the values of the report block
	// an RTCP RR/SR sends about it (this class is also the receiver report
	// generator: it only produces values, the RTCP classes serialise them).
	//
	// - Source validation and sequence extension as RFC 3550 A.1: a new source
	//   is in probation until minSequential packets arrive in sequence; a jump
	//   of MaxDropout or more forward, or more than MaxMisorder back, is
	//   discarded unless the next packet follows it, in which case the source
	//   restarted (its numbering and its counters start again).
	// - Loss as RFC 3550 A.3: expected packets from the first validated one to
	//   the highest, cumulative lost clamped to 24 signed bits, fraction lost
	//   since the previous report.
	// - Interarrival jitter as RFC 3550 A.8, in timestamp units.
	//
	// Differences from the appendix: duplicates (seen in a window of
	// HistorySize packets behind the highest) are counted apart and not as
	// received, and packets older than the first validated one are not
	// counted, so received never exceeds expected; jitter is only fed by
	// packets that advance the highest sequence number (reordered ones would
	// measure the reordering) and ignores samples of more than
	// MaxJitterSampleSeconds (a timestamp jump, not jitter).
	//
	// Clock-free: times are parameters; time going backwards counts as no time
	// passing. Memory is fixed.
	class RtpSeqTracker
	{
	public:
		enum class ReceiveResult : uint8_t
		{
			// New highest sequence number (possibly after a gap).
			ACCEPTED = 1,
			// Older than the highest, not seen before; counted as received.
			OUT_OF_ORDER,
			// Seen before; not counted.
			DUPLICATE,
			// The source is not validated yet; not counted.
			PROBATION,
			// A big jump (or, for recovered packets, nothing we could have asked
			// for); discarded.
			INVALID,
			// Followed a big jump: the source restarted, counters start again
			// with this packet.
			RESTARTED
		};

		// Values of an RTCP report block (RFC 3550 6.4.1).
		struct ReportBlock
		{
			// Fraction of packets lost since the previous report, in 1/256.
			uint8_t fractionLost{ 0u };
			// Cumulative, clamped to [-2^23, 2^23 - 1].
			int32_t totalLost{ 0 };
			// Cycles in the high 16 bits, highest sequence number in the low ones.
			uint32_t highestSeqExtended{ 0u };
			// Timestamp units.
			uint32_t jitter{ 0u };
			// Middle 32 bits of the NTP timestamp of the last SR received, 0 if none.
			uint32_t lastSrTimestamp{ 0u };
			// Since that SR, in 1/65536 s; 0 if none.
			uint32_t delaySinceLastSr{ 0u };
			// Not on the wire: the interval this report covers, e.g. for StreamScore.
			uint32_t expectedInInterval{ 0u };
			uint32_t lostInInterval{ 0u };
		};

	public:
		static constexpr uint16_t MaxDropout{ 3000u };
		static constexpr uint16_t MaxMisorder{ 100u };
		static constexpr uint8_t DefaultMinSequential{ 2u };
		// Packets behind the highest whose arrival is remembered (duplicate
		// detection). Covers MaxMisorder and retransmissions arriving up to an
		// RTT later at high packet rates.
		static constexpr size_t HistorySize{ 1024u };
		static constexpr uint32_t MaxJitterSampleSeconds{ 10u };

	public:
		// A clockRate of 0 disables jitter. A minSequential of 0 is taken as 1
		// (the first packet validates the source).
		explicit RtpSeqTracker(uint32_t clockRate, uint8_t minSequential = DefaultMinSequential);

	public:
		ReceiveResult ReceivePacket(uint16_t seq, uint32_t rtpTs, uint64_t arrivalMs);
		// A packet recovered by retransmission (RTX, RFC 4588): counted as
		// received when it fills a hole behind the highest sequence number;
		// never changes validation, the highest sequence number or jitter (it
		// was sent late on purpose). Returns OUT_OF_ORDER, DUPLICATE, or
		// INVALID (not validated yet, not behind the highest, or older than
		// the first packet).
		ReceiveResult ReceiveRecoveredPacket(uint16_t seq, uint64_t arrivalMs);
		// `ntpMiddle32`: middle 32 bits of the SR's NTP timestamp (its LSR).
		void ReceiveSenderReport(uint32_t ntpMiddle32, uint64_t nowMs);
		// Values for the next report block; starts a new interval for the
		// fraction lost. nullopt until the source is validated.
		std::optional<ReportBlock> GetReportBlock(uint64_t nowMs);
		bool IsValidated() const { return this->validated; }
		// Cycles * 2^16 + highest sequence number (0 until validated).
		uint64_t GetExtendedHighestSeq() const { return this->cycles + this->maxSeq; }
		uint64_t GetPacketsExpected() const;
		uint64_t GetPacketsReceived() const { return this->received; }
		// Not clamped; never negative here (see above).
		int64_t GetPacketsLost() const;
		uint64_t GetPacketsDuplicated() const { return this->duplicated; }
		// Probation and invalid packets.
		uint64_t GetPacketsDiscarded() const { return this->discarded; }
		// Times the source restarted after a big jump.
		uint64_t GetRestarts() const { return this->restarts; }
		// Timestamp units.
		uint32_t GetJitter() const;
		void Reset();

	private:
		// RFC 3550 A.1 init_seq().
		void InitSeq(uint16_t seq);
		// Marks the history up to a new highest extended sequence number.
		void AdvanceHistory(uint64_t newExtendedMax);
		// Whether it is a duplicate; remembers it otherwise. Older than the
		// history: cannot tell, taken as new.
		bool CheckAndMark(uint64_t extendedSeq);
		void UpdateJitter(uint32_t rtpTs, uint64_t nowMs);
		uint64_t Now(uint64_t nowMs);

	private:
		// Passed by argument.
		uint32_t clockRate{ 0u };
		uint8_t minSequential{ DefaultMinSequential };
		// Others.
		bool started{ false };
		bool validated{ false };
		uint8_t probation{ 0u };
		uint16_t maxSeq{ 0u };
		// 2^16 + 1 when there is none (cannot match a sequence number).
		uint32_t badSeq{ 0u };
		uint16_t baseSeq{ 0u };
		// Shifted count of sequence number cycles.
		uint64_t cycles{ 0u };
		uint64_t received{ 0u };
		uint64_t expectedPrior{ 0u };
		uint64_t receivedPrior{ 0u };
		uint64_t duplicated{ 0u };
		uint64_t discarded{ 0u };
		uint64_t restarts{ 0u };
		// Bit (extended seq % HistorySize) set when that packet arrived.
		std::array<uint64_t, HistorySize / 64u> history{};
		// Jitter state: the last transit time and the jitter times 16.
		bool hasTransit{ false };
		int32_t lastTransit{ 0 };
		uint64_t jitterQ4{ 0u };
		// Last SR.
		bool hasSenderReport{ false };
		uint32_t lastSrNtpMiddle{ 0u };
		uint64_t lastSrReceivedMs{ 0u };
		uint64_t lastNowMs{ 0u };
	};
} // namespace RTC

#endif
