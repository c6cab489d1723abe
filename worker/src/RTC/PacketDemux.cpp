#define MS_CLASS "RTC::PacketDemux"

#include "RTC/PacketDemux.hpp"

#include "RTC/StunPacket.hpp"

namespace RTC
{
	namespace
	{
		// DTLS record header: type, version, epoch, sequence number, length.
		constexpr size_t DtlsRecordHeaderSize{ 13u };
		constexpr size_t RtpHeaderSize{ 12u };
		constexpr size_t RtcpHeaderSize{ 4u };
	} // namespace

	PacketKind ClassifyPacket(std::span<const uint8_t> data)
	{
		if (data.empty())
		{
			return PacketKind::UNKNOWN;
		}

		const uint8_t first = data[0];

		if (first <= 3u)
		{
			return StunPacket::IsStun(data) ? PacketKind::STUN : PacketKind::UNKNOWN;
		}

		if (first >= 20u && first <= 63u)
		{
			return data.size() >= DtlsRecordHeaderSize ? PacketKind::DTLS : PacketKind::UNKNOWN;
		}

		if (first >= 128u && first <= 191u)
		{
			if (data.size() < RtcpHeaderSize)
			{
				return PacketKind::UNKNOWN;
			}

			const uint8_t second = data[1];

			if (second >= 192u && second <= 223u)
			{
				return PacketKind::RTCP;
			}

			return data.size() >= RtpHeaderSize ? PacketKind::RTP : PacketKind::UNKNOWN;
		}

		return PacketKind::UNKNOWN;
	}
} // namespace RTC
