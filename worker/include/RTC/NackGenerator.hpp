#ifndef MS_RTC_NACK_GENERATOR_HPP
#define MS_RTC_NACK_GENERATOR_HPP

#include "common.hpp"

#include "RTC/SeqNumber.hpp"

#include <optional>
#include <vector>

namespace RTC
{
	// Decides which missing RTP packets of a received stream to ask for again
	// with Generic NACK (RFC 4585 6.2.1), and when. Clock-free: the caller
	// feeds packets with their arrival time, asks GetNextDeadlineMs() when to
	// come back, and calls GetNacks() then (and right after a packet, when a
	// gap was found the deadline is already due). Serialising the NACK is the
	// RTCP classes' business.
	//
	// - A gap in the sequence numbers lists every missing packet; the first
	//   request for each goes out at once, retries at most once per RTT (at
	//   least MinRetryIntervalMs apart), MaxRetries requests in all. An entry
	//   is dropped when its retries are spent or MaxAgeMs after the gap was
	//   found (the sender's retransmission buffer has dropped it by then).
	// - A packet that fills a hole removes its entry, whether it came late or
	//   was recovered by retransmission (RTX, RFC 4588).
	// - The first packet of a key frame drops every entry older than it: the
	//   decoder no longer needs them.
	// - The list never holds more than MaxNackPackets entries: a gap that would
	//   overflow it clears it and flags that a key frame is needed instead
	//   (TakeKeyFrameRequired()).
	//
	// Feed only packets the stream accepted (see RtpSeqTracker); when the
	// stream restarts its numbering, call Reset(). Time going backwards counts
	// as no time passing.
	class NackGenerator
	{
	public:
		static constexpr size_t MaxNackPackets{ 1000u };
		static constexpr uint8_t MaxRetries{ 10u };
		static constexpr uint64_t MaxAgeMs{ 2000u };
		// Used while the RTT is unknown (given as 0).
		static constexpr uint32_t DefaultRttMs{ 100u };
		static constexpr uint32_t MinRetryIntervalMs{ 20u };

	public:
		NackGenerator();

	public:
		// `isKeyFrame`: the packet starts a key frame. `isRecovered`: it came by
		// retransmission (such a packet never extends the sequence: one newer
		// than everything received is ignored).
		void ReceivePacket(uint16_t seq, bool isKeyFrame, bool isRecovered, uint64_t nowMs);
		// Sequence numbers to request now, oldest first; updates each entry's
		// retries. `rttMs` 0 means unknown (DefaultRttMs).
		std::vector<uint16_t> GetNacks(uint64_t nowMs, uint32_t rttMs);
		// When GetNacks() has something to send or to drop; nullopt with an
		// empty list. Retries use the RTT given to the last GetNacks(). O(1):
		// never late, but after packets filled holes it may be early (the
		// entry due first is gone); GetNacks() then returns nothing and
		// makes it exact again.
		std::optional<uint64_t> GetNextDeadlineMs() const;
		// Whether the list overflowed since the last call (the owner then asks
		// the sender for a key frame); clears the flag.
		bool TakeKeyFrameRequired();
		size_t GetNackListSize() const { return this->entries.size(); }
		// Holes filled by a retransmission.
		uint64_t GetRecoveredCount() const { return this->recoveredCount; }
		// Holes filled by the original packet arriving late (reordering).
		uint64_t GetLateCount() const { return this->lateCount; }
		// Entries dropped because their retries were spent or they got too old.
		uint64_t GetGivenUpCount() const { return this->givenUpCount; }
		// Sequence numbers requested, retries included.
		uint64_t GetRequestedCount() const { return this->requestedCount; }
		// Times the list overflowed.
		uint64_t GetOverflowCount() const { return this->overflowCount; }
		// Forgets the stream (statistics are kept).
		void Reset();

	private:
		struct Entry
		{
			uint64_t extendedSeq{ 0u };
			// When the gap was found.
			uint64_t createdAtMs{ 0u };
			// When the next request is due (createdAtMs until the first one).
			uint64_t nextSendMs{ 0u };
			uint8_t requests{ 0u };
		};

	private:
		// Lists [from, to) as missing, or overflows.
		void AddMissing(uint64_t from, uint64_t to, uint64_t nowMs);
		void RemoveOlderThan(uint64_t extendedSeq);
		void RemoveExpired(uint64_t nowMs);
		// Keeps the earliest nextSendMs as entries go.
		void OnEntryRemoved(const Entry& entry);
		void RecomputeEarliestSend();
		// Counts an entry in a walk that started with earliestSendCount 0.
		void TrackEarliestSend(uint64_t nextSendMs);
		uint64_t Now(uint64_t nowMs);

	private:
		// Allocated by this.
		// Sorted by extended sequence number; reserved for MaxNackPackets at
		// construction, so it never allocates afterwards.
		std::vector<Entry> entries;
		// Others.
		SeqNumberUnwrapper unwrapper;
		bool started{ false };
		uint64_t highestExtendedSeq{ 0u };
		bool keyFrameRequired{ false };
		uint32_t retryIntervalMs{ DefaultRttMs };
		// No entry is due before earliestSendMs, and earliestSendCount entries
		// are due then (0: they are gone, the time is only a lower bound).
		// Entries are created in time order, so the earliest expiry is the
		// first entry's: neither needs a scan per packet (the owner asks for
		// the deadline after every packet).
		uint64_t earliestSendMs{ 0u };
		size_t earliestSendCount{ 0u };
		uint64_t lastNowMs{ 0u };
		uint64_t recoveredCount{ 0u };
		uint64_t lateCount{ 0u };
		uint64_t givenUpCount{ 0u };
		uint64_t requestedCount{ 0u };
		uint64_t overflowCount{ 0u };
	};
} // namespace RTC

#endif
