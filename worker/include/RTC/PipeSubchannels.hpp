#ifndef MS_RTC_PIPE_SUBCHANNELS_HPP
#define MS_RTC_PIPE_SUBCHANNELS_HPP

#include "common.hpp"

#include <optional>
#include <span>
#include <vector>

namespace RTC
{
	// Who a message is for (subchannels, requiredSubchannel,
	// ignoredSubchannel) must survive a PipeTransport, so the DataConsumers
	// of the other Router filter as those of the sending Router would. Both
	// ends of a pipe are ours: such a message travels with a PPID of its own
	// (Ppid) and a header in front of its payload, big-endian:
	//
	//   original PPID (4) | flags (1) | subchannel count N (2) |
	//   N subchannels (2 each) | requiredSubchannel (2, flag 0x01) |
	//   ignoredSubchannel (2, flag 0x02) | original payload
	//
	// Messages with none of them travel unchanged.
	class PipeSubchannels
	{
	public:
		// Not an IANA-assigned SCTP PPID ("ms" 0x0001).
		static constexpr uint32_t Ppid{ 0x6D730001u };

		struct Decoded
		{
			uint32_t ppid{ 0u };
			const uint8_t* payload{ nullptr };
			size_t payloadLen{ 0u };
			// Reused from message to message.
			std::vector<uint16_t> subchannels;
			std::optional<uint16_t> requiredSubchannel;
			std::optional<uint16_t> ignoredSubchannel;
		};

	public:
		// Builds the message to send into `out`; false (and `out` untouched)
		// when there is nothing to carry, so the payload goes as it is.
		static bool Encode(
			uint32_t ppid,
			const uint8_t* payload,
			size_t payloadLen,
			std::span<const uint16_t> subchannels,
			std::optional<uint16_t> requiredSubchannel,
			std::optional<uint16_t> ignoredSubchannel,
			std::vector<uint8_t>& out);
		// Reads a message received with Ppid; false if malformed (the peer's
		// bytes are not trusted: a short or inconsistent header, unknown
		// flags, or no payload).
		static bool Decode(const uint8_t* data, size_t len, Decoded& out);
	};
} // namespace RTC

#endif
