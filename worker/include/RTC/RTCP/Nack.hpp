#ifndef MS_RTC_RTCP_NACK_HPP
#define MS_RTC_RTCP_NACK_HPP

#include "common.hpp"

#include "RTC/RTCP/FixedList.hpp"
#include "RTC/RTCP/Packet.hpp"

#include <optional>

namespace RTC::RTCP
{
	// Generic NACK (RTPFB, FMT 1), RFC 4585 6.2.1:
	// https://www.rfc-editor.org/rfc/rfc4585#section-6.2.1
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |V=2|P|  FMT=1  |  PT=RTPFB=205 |          length               |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                  SSRC of packet sender                        |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                  SSRC of media source                         |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |            PID                |             BLP               |  FCI entry,
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  one or more
	//
	// PID is a lost sequence number; bit i of BLP (least significant first)
	// set means PID + i + 1 is lost too. Items beyond MaxItems are dropped on
	// parse; padding (P bit) is dropped on parse and never written.
	class Nack
	{
	public:
		struct Item
		{
			// A lost sequence number and up to 16 following ones.
			static constexpr size_t MaxLostSequenceNumbers{ 17u };

			// Writes the lost sequence numbers in order (PID first, wrapping at
			// 2^16) and returns how many.
			size_t GetLostSequenceNumbers(std::span<uint16_t, MaxLostSequenceNumbers> out) const;
			size_t CountLostSequenceNumbers() const;
			bool operator==(const Item& other) const = default;

			uint16_t packetId{ 0u };
			uint16_t lostPacketBitmask{ 0u };
		};

	public:
		static constexpr Type PacketType{ Type::RTPFB };
		static constexpr uint8_t Fmt{ static_cast<uint8_t>(RtpfbFmt::NACK) };
		static constexpr size_t ItemSize{ 4u };
		// libwebrtc may put about 250 items in a 1200-byte packet; more in one
		// packet is no receiver's honest request.
		static constexpr size_t MaxItems{ 256u };

	public:
		// `data` must be exactly one generic NACK. nullopt when the FCI is not
		// a whole number of items.
		static std::optional<Nack> Parse(std::span<const uint8_t> data);

	public:
		Type GetType() const { return PacketType; }
		uint32_t GetSenderSsrc() const { return this->senderSsrc; }
		void SetSenderSsrc(uint32_t ssrc) { this->senderSsrc = ssrc; }
		uint32_t GetMediaSsrc() const { return this->mediaSsrc; }
		void SetMediaSsrc(uint32_t ssrc) { this->mediaSsrc = ssrc; }
		std::span<const Item> GetItems() const { return this->items.GetItems(); }
		// false when MaxItems are there already.
		bool AddItem(const Item& item) { return this->items.PushBack(item); }
		// Sets the bit of `seq` in the last item when it is one of the 16
		// sequence numbers after its PID (modulo 2^16), else appends an item
		// with PID `seq`. Feed lost sequence numbers in increasing order.
		// false when a new item was needed and MaxItems are there already.
		bool AddLostSequenceNumber(uint16_t seq);
		// Writes the lost sequence numbers of all items, in order, into `out`,
		// as many as fit; returns how many were written.
		size_t GetLostSequenceNumbers(std::span<uint16_t> out) const;
		size_t CountLostSequenceNumbers() const;
		size_t GetSize() const { return FeedbackHeader::Size + this->items.GetSize() * ItemSize; }
		size_t Serialize(std::span<uint8_t> out) const;
		bool operator==(const Nack& other) const = default;

	private:
		// Others.
		uint32_t senderSsrc{ 0u };
		uint32_t mediaSsrc{ 0u };
		FixedList<Item, MaxItems> items;
	};

	static_assert(Packet<Nack>);
} // namespace RTC::RTCP

#endif
