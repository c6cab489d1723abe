#ifndef MS_RTC_RTCP_RECEIVER_REPORT_HPP
#define MS_RTC_RTCP_RECEIVER_REPORT_HPP

#include "common.hpp"

#include "RTC/RTCP/Packet.hpp"
#include "RTC/RTCP/ReportBlock.hpp"

#include <optional>

namespace RTC::RTCP
{
	// Receiver report (RR), RFC 3550 6.4.2:
	// https://www.rfc-editor.org/rfc/rfc3550#section-6.4.2
	//
	//         0                   1                   2                   3
	//         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// header |V=2|P|    RC   |   PT=RR=201   |             length            |
	//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//        |                     SSRC of packet sender                     |
	//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
	// report |                 SSRC_1 (SSRC of first source)                 |
	// block  :            (24 bytes, see ReportBlock) x RC                   :
	//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
	//        |                  profile-specific extensions                  |
	//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// As SenderReport: the extension is a view into the caller's bytes;
	// padding is dropped on parse and never written.
	class ReceiverReport
	{
	public:
		static constexpr Type PacketType{ Type::RR };
		// Common header and sender SSRC.
		static constexpr size_t FixedSize{ 8u };
		static constexpr size_t MaxReportBlocks{ ReportBlock::MaxReportBlocks };

	public:
		// `data` must be exactly one RR. nullopt when RC blocks do not fit.
		static std::optional<ReceiverReport> Parse(std::span<const uint8_t> data);

	public:
		Type GetType() const { return PacketType; }
		uint32_t GetSsrc() const { return this->ssrc; }
		void SetSsrc(uint32_t ssrc) { this->ssrc = ssrc; }
		std::span<const ReportBlock> GetReportBlocks() const { return this->reportBlocks.GetItems(); }
		// false when MaxReportBlocks are there already.
		bool AddReportBlock(const ReportBlock& block) { return this->reportBlocks.PushBack(block); }
		void ClearReportBlocks() { this->reportBlocks.Clear(); }
		std::span<const uint8_t> GetProfileExtension() const { return this->profileExtension; }
		// Kept as a view; zero-padded to 32 bits when written.
		void SetProfileExtension(std::span<const uint8_t> extension)
		{
			this->profileExtension = extension;
		}
		// 0 when the extension makes the packet too long for the length field.
		size_t GetSize() const;
		size_t Serialize(std::span<uint8_t> out) const;
		bool operator==(const ReceiverReport& other) const;

	private:
		// Others.
		uint32_t ssrc{ 0u };
		ReportBlock::List reportBlocks;
		std::span<const uint8_t> profileExtension;
	};

	static_assert(Packet<ReceiverReport>);
} // namespace RTC::RTCP

#endif
