#ifndef MS_RTC_SEQ_NUMBER_REWRITER_HPP
#define MS_RTC_SEQ_NUMBER_REWRITER_HPP

#include "common.hpp"

#include "RTC/SeqNumber.hpp"

#include <deque>
#include <optional>

namespace RTC
{
	// Gives the packets a consumer forwards continuous sequence numbers while
	// it drops some of the source's packets (temporal or spatial layers it does
	// not forward, Opus DTX): a hole in the outgoing numbers would be NACKed by
	// the receiver for a packet that never comes.
	//
	// A forwarded packet gets the number of the sync packet plus the source
	// packets since it, minus the drops before it, so a packet that arrives
	// late (reordered or retransmitted) gets the number it would have had in
	// order. A late packet to drop whose number is already implied by a newer
	// forwarded one cannot be taken out any more: Drop() returns that number,
	// for the caller to fill (a padding-only packet), so that no hole is left.
	//
	// Bounded memory: drops are remembered as extended numbers only within
	// LateWindow of the highest source packet, and at most MaxTrackedDrops of
	// them; a packet behind what is remembered cannot be numbered and is
	// refused. One more than LateWindow behind can only be a jump of the
	// source's numbering: the stream goes on from it, as RtpSyncPoint does.
	//
	// Clock-free; nothing is numbered before the first Sync().
	class SeqNumberRewriter
	{
	public:
		// As RtpSyncPoint: what a receiver still takes as loss (RFC 3550 A.1).
		static constexpr uint16_t LateWindow{ 3000u };
		// One entry per dropped packet within the window.
		static constexpr size_t MaxTrackedDrops{ 1024u };

	public:
		// The packet `seq` (forwarded next) gets `outSeq`.
		void Sync(uint16_t seq, uint16_t outSeq);
		bool IsSynced() const { return this->synced; }
		// The outgoing number of a forwarded packet; nullopt: from before the
		// sync or behind what is remembered, not to be forwarded.
		std::optional<uint16_t> Forward(uint16_t seq);
		// A packet not forwarded. Returns the outgoing number to fill when a
		// newer packet was already given a number counting on this one.
		std::optional<uint16_t> Drop(uint16_t seq);
		// Highest outgoing number given (meaningless before the first Forward()).
		uint16_t GetHighestOut() const { return this->highestOut; }
		size_t GetTrackedDropCount() const { return this->drops.size(); }

	private:
		enum class Place : uint8_t
		{
			NEWEST,
			LATE,
			REFUSED
		};

		Place Classify(uint16_t seq, uint64_t& extended);
		// Drops at extended numbers below `extended` (since the sync).
		uint64_t DropsBelow(uint64_t extended) const;
		uint16_t OutFor(uint64_t extended) const;
		void Prune();

	private:
		// Others.
		bool synced{ false };
		SeqNumberUnwrapper unwrapper;
		uint64_t syncExtended{ 0u };
		uint16_t syncOut{ 0u };
		// Packets at or below this extended number are refused.
		uint64_t horizon{ 0u };
		// Highest extended number given an outgoing number.
		uint64_t highestForwarded{ 0u };
		bool forwardedAny{ false };
		uint16_t highestOut{ 0u };
		// Dropped extended numbers, ascending, and how many were forgotten.
		std::deque<uint64_t> drops;
		uint64_t forgottenDrops{ 0u };
	};
} // namespace RTC

#endif
