#ifndef MS_RTC_RTCP_REPORT_BLOCK_HPP
#define MS_RTC_RTCP_REPORT_BLOCK_HPP

#include "common.hpp"

#include "RTC/RTCP/FixedList.hpp"

namespace RTC::RTCP
{
	// A reception report block, as sender and receiver reports carry them,
	// RFC 3550 6.4.1: https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                 SSRC_1 (SSRC of first source)                 |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// | fraction lost |       cumulative number of packets lost       |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |           extended highest sequence number received           |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                      interarrival jitter                      |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                         last SR (LSR)                         |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                   delay since last SR (DLSR)                  |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// The cumulative loss is a 24-bit signed number: duplicates can make it
	// negative.
	struct ReportBlock
	{
		static constexpr size_t Size{ 24u };
		// RC is 5 bits: a sender or receiver report holds at most 31 blocks.
		static constexpr size_t MaxReportBlocks{ 31u };
		static constexpr int32_t MaxCumulativeLost{ 0x7FFFFF };
		static constexpr int32_t MinCumulativeLost{ -0x800000 };

		using List = FixedList<ReportBlock, MaxReportBlocks>;

		static ReportBlock Parse(std::span<const uint8_t, Size> data);
		// Reads `count` blocks from the start of `data` into `blocks`, and the
		// whole 32-bit words after them into `extension` (profile-specific
		// extensions, RFC 3550 6.4.1). Returns false when the blocks do not fit.
		static bool ParseList(
			std::span<const uint8_t> data,
			size_t count,
			List& blocks,
			std::span<const uint8_t>& extension);
		// The cumulative loss is clamped to 24 bits.
		void Write(std::span<uint8_t, Size> out) const;
		bool operator==(const ReportBlock& other) const = default;

		uint32_t ssrc{ 0u };
		// Fixed point, 8 bits after the binary point.
		uint8_t fractionLost{ 0u };
		int32_t cumulativeLost{ 0 };
		uint32_t extendedHighestSequenceNumber{ 0u };
		uint32_t jitter{ 0u };
		// Compact NTP (see NtpTime::ToCompact()); 0 when no SR was received.
		uint32_t lastSenderReport{ 0u };
		// Units of 1/65536 s.
		uint32_t delaySinceLastSenderReport{ 0u };
	};
} // namespace RTC::RTCP

#endif
