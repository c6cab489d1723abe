#ifndef MS_RTC_RTCP_XR_HPP
#define MS_RTC_RTCP_XR_HPP

#include "common.hpp"

#include "RTC/RTCP/FixedList.hpp"
#include "RTC/RTCP/Ntp.hpp"
#include "RTC/RTCP/Packet.hpp"

#include <optional>

namespace RTC::RTCP
{
	// Extended report (XR), RFC 3611 2:
	// https://www.rfc-editor.org/rfc/rfc3611#section-2
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |V=2|P|reserved |   PT=XR=207   |             length            |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                              SSRC                             |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// :                         report blocks                         :
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// Each report block (3):
	//
	// |      BT       | type-specific |         block length          |
	// :             type-specific block contents (block length words) :
	//
	// Receiver Reference Time block (4.4, BT=4, block length 2):
	//
	// |     BT=4      |   reserved    |       block length = 2        |
	// |              NTP timestamp, most significant word             |
	// |             NTP timestamp, least significant word             |
	//
	// DLRR block (4.5, BT=5, block length 3 x sub-blocks):
	//
	// |     BT=5      |   reserved    |         block length          |
	// |                 SSRC_1 (SSRC of first receiver)               | sub-
	// |                         last RR (LRR)                         | block
	// |                   delay since last RR (DLRR)                  |   1
	// :                              ...                              :
	//
	// Only RRT and DLRR are read: other block types, and RRT / DLRR blocks of
	// a wrong length, are skipped (the block lengths still have to fit). The
	// first RRT counts; the sub-blocks of all DLRR blocks are merged, up to
	// MaxDlrrSubBlocks. Serialize() writes the RRT block, then one DLRR block
	// when there are sub-blocks (libwebrtc's order). Padding (P bit) is
	// dropped on parse and never written.
	class Xr
	{
	public:
		enum class BlockType : uint8_t
		{
			RRT  = 4,
			DLRR = 5
		};

		struct DlrrSubBlock
		{
			bool operator==(const DlrrSubBlock& other) const = default;

			uint32_t ssrc{ 0u };
			// Compact NTP of the last RRT received from `ssrc`; 0 when none.
			uint32_t lastReceiverReport{ 0u };
			// Units of 1/65536 s.
			uint32_t delaySinceLastReceiverReport{ 0u };
		};

	public:
		static constexpr Type PacketType{ Type::XR };
		// Common header and SSRC.
		static constexpr size_t FixedSize{ 8u };
		static constexpr size_t BlockHeaderSize{ 4u };
		static constexpr size_t RrtBlockSize{ 12u };
		static constexpr size_t DlrrSubBlockSize{ 12u };
		// One sub-block per remote receiver the sender answers: a few per
		// transport.
		static constexpr size_t MaxDlrrSubBlocks{ 32u };

	public:
		// `data` must be exactly one XR. nullopt when a block's length goes
		// past the packet.
		static std::optional<Xr> Parse(std::span<const uint8_t> data);

	public:
		Type GetType() const { return PacketType; }
		uint32_t GetSsrc() const { return this->ssrc; }
		void SetSsrc(uint32_t ssrc) { this->ssrc = ssrc; }
		// The Receiver Reference Time block's timestamp.
		std::optional<NtpTime> GetReceiverReferenceTime() const { return this->receiverReferenceTime; }
		void SetReceiverReferenceTime(std::optional<NtpTime> ntpTime)
		{
			this->receiverReferenceTime = ntpTime;
		}
		std::span<const DlrrSubBlock> GetDlrrSubBlocks() const
		{
			return this->dlrrSubBlocks.GetItems();
		}
		// false when MaxDlrrSubBlocks are there already.
		bool AddDlrrSubBlock(const DlrrSubBlock& subBlock)
		{
			return this->dlrrSubBlocks.PushBack(subBlock);
		}
		size_t GetSize() const;
		size_t Serialize(std::span<uint8_t> out) const;
		bool operator==(const Xr& other) const = default;

	private:
		// Others.
		uint32_t ssrc{ 0u };
		std::optional<NtpTime> receiverReferenceTime;
		FixedList<DlrrSubBlock, MaxDlrrSubBlocks> dlrrSubBlocks;
	};

	static_assert(Packet<Xr>);
} // namespace RTC::RTCP

#endif
