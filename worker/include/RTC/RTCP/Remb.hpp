#ifndef MS_RTC_RTCP_REMB_HPP
#define MS_RTC_RTCP_REMB_HPP

#include "common.hpp"

#include "RTC/RTCP/FixedList.hpp"
#include "RTC/RTCP/Packet.hpp"

#include <optional>

namespace RTC::RTCP
{
	// Receiver Estimated Maximum Bitrate (PSFB, FMT 15 "AFB" with the "REMB"
	// identifier), draft-alvestrand-rmcat-remb-03 2.2:
	// https://datatracker.ietf.org/doc/html/draft-alvestrand-rmcat-remb-03#section-2.2
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |V=2|P| FMT=15  |   PT=206      |             length            |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                  SSRC of packet sender                        |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                  SSRC of media source (0)                     |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |  Unique identifier 'R' 'E' 'M' 'B'                            |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |  Num SSRC     | BR Exp    |  BR Mantissa                      |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |   SSRC feedback                                               |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |  ...                                                          |
	//
	// Bitrate (bps) = mantissa (18 bits) << exponent (6 bits). The parsed
	// exponent and mantissa are kept as they came, so a packet written back is
	// the same bytes even when the sender did not use the smallest exponent.
	// SSRCs beyond MaxSsrcs are dropped on parse; padding (P bit) is dropped on
	// parse and never written. Other AFB messages are not REMB (RawPacket).
	class Remb
	{
	public:
		static constexpr Type PacketType{ Type::PSFB };
		static constexpr uint8_t Fmt{ static_cast<uint8_t>(PsfbFmt::AFB) };
		static constexpr uint32_t UniqueIdentifier{ 0x52454D42u }; // "REMB"
		static constexpr uint32_t MaxMantissa{ 0x3FFFFu };
		static constexpr uint8_t MaxExponent{ 63u };
		// Num SSRC is 8 bits; browsers list the SSRCs of one transport's video
		// streams, a few at most.
		static constexpr size_t MaxSsrcs{ 32u };

	public:
		// Whether `data` is an AFB packet whose FCI starts with "REMB" (the
		// rest unchecked).
		static bool IsRemb(std::span<const uint8_t> data);
		// `data` must be exactly one REMB. nullopt when the SSRCs do not fit or
		// the bitrate does not fit in 64 bits.
		static std::optional<Remb> Parse(std::span<const uint8_t> data);

	public:
		Type GetType() const { return PacketType; }
		uint32_t GetSenderSsrc() const { return this->senderSsrc; }
		void SetSenderSsrc(uint32_t ssrc) { this->senderSsrc = ssrc; }
		uint32_t GetMediaSsrc() const { return this->mediaSsrc; }
		void SetMediaSsrc(uint32_t ssrc) { this->mediaSsrc = ssrc; }
		uint64_t GetBitrate() const { return static_cast<uint64_t>(this->mantissa) << this->exponent; }
		// Encodes with the smallest exponent: bits below it are lost.
		void SetBitrate(uint64_t bitrate);
		uint8_t GetExponent() const { return this->exponent; }
		uint32_t GetMantissa() const { return this->mantissa; }
		std::span<const uint32_t> GetSsrcs() const { return this->ssrcs.GetItems(); }
		// false when MaxSsrcs are there already.
		bool AddSsrc(uint32_t ssrc) { return this->ssrcs.PushBack(ssrc); }
		size_t GetSize() const { return FixedSize + this->ssrcs.GetSize() * 4u; }
		size_t Serialize(std::span<uint8_t> out) const;
		bool operator==(const Remb& other) const = default;

	private:
		// Feedback header, identifier, num SSRC and bitrate.
		static constexpr size_t FixedSize{ 20u };

	private:
		// Others.
		uint32_t senderSsrc{ 0u };
		uint32_t mediaSsrc{ 0u };
		uint8_t exponent{ 0u };
		uint32_t mantissa{ 0u };
		FixedList<uint32_t, MaxSsrcs> ssrcs;
	};

	static_assert(Packet<Remb>);
} // namespace RTC::RTCP

#endif
