#ifndef MS_RTC_RTCP_FIR_HPP
#define MS_RTC_RTCP_FIR_HPP

#include "common.hpp"

#include "RTC/RTCP/FixedList.hpp"
#include "RTC/RTCP/Packet.hpp"

#include <optional>

namespace RTC::RTCP
{
	// Full Intra Request (PSFB, FMT 4), RFC 5104 4.3.1:
	// https://www.rfc-editor.org/rfc/rfc5104#section-4.3.1
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |V=2|P|  FMT=4  |  PT=PSFB=206  |          length               |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                  SSRC of packet sender                        |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |             SSRC of media source (unused, 0)                  |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                              SSRC                             |  FCI entry,
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  one or more
	// | Seq nr.       |    Reserved                                   |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// The reserved bits are ignored and written as 0. Entries beyond
	// MaxEntries are dropped on parse; padding (P bit) is dropped on parse and
	// never written.
	class Fir
	{
	public:
		struct Entry
		{
			bool operator==(const Entry& other) const = default;

			uint32_t ssrc{ 0u };
			// Command sequence number, incremented by the sender per new request.
			uint8_t sequenceNumber{ 0u };
		};

	public:
		static constexpr Type PacketType{ Type::PSFB };
		static constexpr uint8_t Fmt{ static_cast<uint8_t>(PsfbFmt::FIR) };
		static constexpr size_t EntrySize{ 8u };
		// One entry per media sender the FIR asks a key frame of: an SFU
		// forwards a handful; more than this is no honest request.
		static constexpr size_t MaxEntries{ 32u };

	public:
		// `data` must be exactly one FIR. nullopt when the FCI is not a whole
		// number of entries.
		static std::optional<Fir> Parse(std::span<const uint8_t> data);

	public:
		Type GetType() const { return PacketType; }
		uint32_t GetSenderSsrc() const { return this->senderSsrc; }
		void SetSenderSsrc(uint32_t ssrc) { this->senderSsrc = ssrc; }
		uint32_t GetMediaSsrc() const { return this->mediaSsrc; }
		void SetMediaSsrc(uint32_t ssrc) { this->mediaSsrc = ssrc; }
		std::span<const Entry> GetEntries() const { return this->entries.GetItems(); }
		// false when MaxEntries are there already.
		bool AddEntry(const Entry& entry) { return this->entries.PushBack(entry); }
		size_t GetSize() const { return FeedbackHeader::Size + this->entries.GetSize() * EntrySize; }
		size_t Serialize(std::span<uint8_t> out) const;
		bool operator==(const Fir& other) const = default;

	private:
		// Others.
		uint32_t senderSsrc{ 0u };
		uint32_t mediaSsrc{ 0u };
		FixedList<Entry, MaxEntries> entries;
	};

	static_assert(Packet<Fir>);
} // namespace RTC::RTCP

#endif
