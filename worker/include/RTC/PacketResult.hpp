#ifndef MS_RTC_PACKET_RESULT_HPP
#define MS_RTC_PACKET_RESULT_HPP

#include "common.hpp"

#include <optional>

namespace RTC
{
	// What transport-cc feedback tells the sender about one packet it sent
	// (draft-holmer-rmcat-transport-wide-cc-extensions-01): the send history
	// gives the send time, size and probe cluster of the sequence number, the
	// feedback its arrival time or that it was lost. Times in microseconds:
	// send times on our clock, arrival times on the receiver's (only their
	// differences mean something).
	struct PacketResult
	{
		uint64_t sendUs{ 0u };
		// nullopt: reported lost.
		std::optional<uint64_t> arrivalUs;
		// Bytes, as sent (RTP header and payload).
		size_t size{ 0u };
		// Set when the packet belonged to a probe cluster.
		std::optional<uint32_t> probeClusterId;
		// The transport-wide sequence number, extended past 16 bits.
		uint64_t extendedSeq{ 0u };
		// Received after an earlier feedback reported it lost (its loss is
		// taken back; the estimator sees its arrival late).
		bool recovered{ false };
	};
} // namespace RTC

#endif
