#ifndef MS_RTC_RTP_SYNC_POINT_HPP
#define MS_RTC_RTP_SYNC_POINT_HPP

#include "common.hpp"

#include "RTC/RtpSeqTracker.hpp"

namespace RTC
{
	// Where the packets of a source stand relative to the packet a consumer
	// (re)synced at: the consumer gives that packet the sequence number after
	// the last one it sent, so a packet from before it has no number left and
	// must not be forwarded.
	//
	// "Before" is judged against the highest sequence number seen since the
	// sync, not against the sync point itself: with 16-bit numbers, a fixed
	// point would look newer than the stream once the stream is 2^15 past it,
	// and every packet would then be dropped for the next 2^15 (a stall that
	// loss makes come sooner, since the sender's numbers move on).
	//
	// Only packets at most LateWindow behind the highest are taken as late
	// (reordered, or retransmitted after a NACK). One further behind can only
	// be a jump of the source's numbering (it restarted, or lost more than
	// half the number space in a row): it becomes the highest, so the stream
	// goes on from it (the producer's RtpSeqTracker forwards such a jump only
	// once it is confirmed, RFC 3550 A.1).
	//
	// Clock-free and fixed size; nothing is valid before the first Sync().
	class RtpSyncPoint
	{
	public:
		enum class Position : uint8_t
		{
			// Newer than every packet seen since the sync (or a jump).
			NEWEST = 1,
			// Behind the highest, but not before the sync point.
			REORDERED,
			// Before the sync point: not to be forwarded.
			BEFORE_SYNC
		};

	public:
		// How far behind the highest a packet is still a late one: the jump a
		// receiver still takes as loss (RFC 3550 A.1 MAX_DROPOUT), well beyond
		// what reordering or retransmissions deliver.
		static constexpr uint16_t LateWindow{ RtpSeqTracker::MaxDropout };

	public:
		// The consumer synced at this packet.
		void Sync(uint16_t seq);
		// A packet after the sync one (in arrival order); NEWEST moves the
		// highest to it.
		Position Receive(uint16_t seq);

	private:
		// Others.
		uint16_t maxSeq{ 0u };
		// How far maxSeq is past the sync point, saturated at LateWindow
		// (beyond it nothing can be before the sync point).
		uint16_t span{ 0u };
	};
} // namespace RTC

#endif
