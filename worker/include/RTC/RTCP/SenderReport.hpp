#ifndef MS_RTC_RTCP_SENDER_REPORT_HPP
#define MS_RTC_RTCP_SENDER_REPORT_HPP

#include "common.hpp"

#include "RTC/RTCP/Ntp.hpp"
#include "RTC/RTCP/Packet.hpp"
#include "RTC/RTCP/ReportBlock.hpp"

#include <optional>

namespace RTC::RTCP
{
	// Sender report (SR), RFC 3550 6.4.1:
	// https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1
	//
	//         0                   1                   2                   3
	//         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// header |V=2|P|    RC   |   PT=SR=200   |             length            |
	//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//        |                         SSRC of sender                        |
	//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
	// sender |              NTP timestamp, most significant word             |
	// info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//        |             NTP timestamp, least significant word             |
	//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//        |                         RTP timestamp                         |
	//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//        |                     sender's packet count                     |
	//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//        |                      sender's octet count                     |
	//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
	// report |                 SSRC_1 (SSRC of first source)                 |
	// block  :            (24 bytes, see ReportBlock) x RC                   :
	//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
	//        |                  profile-specific extensions                  |
	//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// A parsed report keeps a view of its profile-specific extension in the
	// caller's bytes (empty in practice): it must not outlive them. Padding
	// (P bit) is dropped on parse and never written.
	class SenderReport
	{
	public:
		static constexpr Type PacketType{ Type::SR };
		// Common header, sender SSRC and sender info.
		static constexpr size_t FixedSize{ 28u };
		static constexpr size_t MaxReportBlocks{ ReportBlock::MaxReportBlocks };

	public:
		// `data` must be exactly one SR. nullopt when RC blocks do not fit.
		static std::optional<SenderReport> Parse(std::span<const uint8_t> data);

	public:
		Type GetType() const { return PacketType; }
		uint32_t GetSsrc() const { return this->ssrc; }
		void SetSsrc(uint32_t ssrc) { this->ssrc = ssrc; }
		NtpTime GetNtpTime() const { return this->ntpTime; }
		void SetNtpTime(NtpTime ntpTime) { this->ntpTime = ntpTime; }
		uint32_t GetRtpTimestamp() const { return this->rtpTimestamp; }
		void SetRtpTimestamp(uint32_t rtpTimestamp) { this->rtpTimestamp = rtpTimestamp; }
		uint32_t GetPacketCount() const { return this->packetCount; }
		void SetPacketCount(uint32_t packetCount) { this->packetCount = packetCount; }
		uint32_t GetOctetCount() const { return this->octetCount; }
		void SetOctetCount(uint32_t octetCount) { this->octetCount = octetCount; }
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
		bool operator==(const SenderReport& other) const;

	private:
		// Others.
		uint32_t ssrc{ 0u };
		NtpTime ntpTime;
		uint32_t rtpTimestamp{ 0u };
		uint32_t packetCount{ 0u };
		uint32_t octetCount{ 0u };
		ReportBlock::List reportBlocks;
		std::span<const uint8_t> profileExtension;
	};

	static_assert(Packet<SenderReport>);
} // namespace RTC::RTCP

#endif
