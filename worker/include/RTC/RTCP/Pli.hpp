#ifndef MS_RTC_RTCP_PLI_HPP
#define MS_RTC_RTCP_PLI_HPP

#include "common.hpp"

#include "RTC/RTCP/Packet.hpp"

#include <optional>

namespace RTC::RTCP
{
	// Picture Loss Indication (PSFB, FMT 1), RFC 4585 6.3.1:
	// https://www.rfc-editor.org/rfc/rfc4585#section-6.3.1
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |V=2|P|  FMT=1  |  PT=PSFB=206  |          length=2             |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                  SSRC of packet sender                        |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                  SSRC of media source                         |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// "PLI does not require parameters. Therefore, the length field MUST be
	// 2, and there MUST NOT be any Feedback Control Information." A longer
	// packet is accepted anyway, its FCI ignored (as libwebrtc does).
	class Pli
	{
	public:
		static constexpr Type PacketType{ Type::PSFB };
		static constexpr uint8_t Fmt{ static_cast<uint8_t>(PsfbFmt::PLI) };

	public:
		static std::optional<Pli> Parse(std::span<const uint8_t> data);

	public:
		Pli() = default;
		Pli(uint32_t senderSsrc, uint32_t mediaSsrc) : senderSsrc(senderSsrc), mediaSsrc(mediaSsrc) {}

	public:
		Type GetType() const { return PacketType; }
		uint32_t GetSenderSsrc() const { return this->senderSsrc; }
		void SetSenderSsrc(uint32_t ssrc) { this->senderSsrc = ssrc; }
		uint32_t GetMediaSsrc() const { return this->mediaSsrc; }
		void SetMediaSsrc(uint32_t ssrc) { this->mediaSsrc = ssrc; }
		size_t GetSize() const { return FeedbackHeader::Size; }
		size_t Serialize(std::span<uint8_t> out) const;
		bool operator==(const Pli& other) const = default;

	private:
		// Others.
		uint32_t senderSsrc{ 0u };
		uint32_t mediaSsrc{ 0u };
	};

	static_assert(Packet<Pli>);
} // namespace RTC::RTCP

#endif
