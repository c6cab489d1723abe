#ifndef MS_RTC_SCTP_UNSENT_BYTES_HPP
#define MS_RTC_SCTP_UNSENT_BYTES_HPP

#include "common.hpp"

#include <unordered_map>
#include <vector>

namespace RTC
{
	// Bytes an SCTP association accepted from the application and has not yet
	// put on the wire, per stream: what a browser's RTCDataChannel
	// bufferedAmount counts (bytes in flight are no longer "buffered").
	// usrsctp does not report it, so it is read off the packets usrsctp
	// sends: a DATA chunk with a TSN above every TSN sent before is a first
	// transmission and takes its bytes off its stream; retransmissions take
	// nothing. No clock, no I/O.
	class SctpUnsentBytes
	{
	public:
		// The application's message of `len` bytes was queued.
		void Queued(uint16_t streamId, size_t len);
		// Bytes that will never go out (queueing failed, or a partially
		// reliable message was abandoned before it was sent).
		void Dropped(uint16_t streamId, size_t len);
		// An outgoing SCTP packet (common header and chunks). The streams whose
		// amount went down are appended to `changedStreams` (once each).
		void Sent(const uint8_t* packet, size_t len, std::vector<uint16_t>& changedStreams);
		// Everything queued was sent and acknowledged (SCTP sender dry): no
		// rounding or missed notification can leave a stream above zero. The
		// streams that were above zero are appended to `changedStreams`.
		void Clear(std::vector<uint16_t>& changedStreams);
		// A new (or restarted) association: TSNs start over.
		void Restart();
		uint32_t Get(uint16_t streamId) const;
		uint32_t GetTotal() const { return this->total; }

	private:
		void Subtract(uint16_t streamId, size_t len);

	private:
		// Only streams with something queued (an empty map when idle).
		std::unordered_map<uint16_t, uint32_t> perStream;
		uint32_t total{ 0u };
		bool anyTsnSent{ false };
		uint32_t highestTsnSent{ 0u };
	};
} // namespace RTC

#endif
