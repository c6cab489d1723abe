#define MS_CLASS "RTC::RTCP::SenderReport"
// #define MS_LOG_DEV

#include "RTC/RTCP/SenderReport.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

#include <algorithm>
#include <cstring>

namespace RTC::RTCP
{
	using Utils::Byte;

	/* Class methods. */

	std::optional<SenderReport> SenderReport::Parse(std::span<const uint8_t> data)
	{
		const auto header = CommonHeader::ParseExact(data, PacketType);

		if (!header)
		{
			return std::nullopt;
		}

		const auto body = header->body;

		if (body.size() < FixedSize - CommonHeader::Size)
		{
			MS_DEBUG_DEV("SR body of %zu bytes, no room for the sender info", body.size());

			return std::nullopt;
		}

		SenderReport report;
		const uint8_t* bytes = body.data();

		report.ssrc         = Byte::Get4Bytes(bytes, 0);
		report.ntpTime      = NtpTime{ Byte::Get4Bytes(bytes, 4), Byte::Get4Bytes(bytes, 8) };
		report.rtpTimestamp = Byte::Get4Bytes(bytes, 12);
		report.packetCount  = Byte::Get4Bytes(bytes, 16);
		report.octetCount   = Byte::Get4Bytes(bytes, 20);

		if (!ReportBlock::ParseList(
					body.subspan(FixedSize - CommonHeader::Size),
					header->count,
					report.reportBlocks,
					report.profileExtension))
		{
			return std::nullopt;
		}

		return report;
	}

	/* Instance methods. */

	size_t SenderReport::GetSize() const
	{
		const size_t size = FixedSize + this->reportBlocks.GetSize() * ReportBlock::Size +
												Byte::PadTo4Bytes(this->profileExtension.size());

		return size <= CommonHeader::MaxPacketSize ? size : 0u;
	}

	size_t SenderReport::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (size == 0u || out.size() < size)
		{
			return 0u;
		}

		uint8_t* bytes = out.data();

		CommonHeader::Write(
			out.first<CommonHeader::Size>(),
			static_cast<uint8_t>(this->reportBlocks.GetSize()),
			PacketType,
			size);
		Byte::Set4Bytes(bytes, 4, this->ssrc);
		Byte::Set4Bytes(bytes, 8, this->ntpTime.seconds);
		Byte::Set4Bytes(bytes, 12, this->ntpTime.fractions);
		Byte::Set4Bytes(bytes, 16, this->rtpTimestamp);
		Byte::Set4Bytes(bytes, 20, this->packetCount);
		Byte::Set4Bytes(bytes, 24, this->octetCount);

		size_t pos{ FixedSize };

		for (const auto& block : this->reportBlocks)
		{
			block.Write(out.subspan(pos).first<ReportBlock::Size>());
			pos += ReportBlock::Size;
		}

		if (!this->profileExtension.empty())
		{
			std::memcpy(bytes + pos, this->profileExtension.data(), this->profileExtension.size());
			pos += this->profileExtension.size();
		}

		std::fill(bytes + pos, bytes + size, uint8_t{ 0u });

		return size;
	}

	bool SenderReport::operator==(const SenderReport& other) const
	{
		return this->ssrc == other.ssrc && this->ntpTime == other.ntpTime &&
					 this->rtpTimestamp == other.rtpTimestamp && this->packetCount == other.packetCount &&
					 this->octetCount == other.octetCount && this->reportBlocks == other.reportBlocks &&
					 std::ranges::equal(this->profileExtension, other.profileExtension);
	}
} // namespace RTC::RTCP
