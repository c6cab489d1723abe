#ifndef MS_RTC_RTCP_SDES_HPP
#define MS_RTC_RTCP_SDES_HPP

#include "common.hpp"

#include "RTC/RTCP/FixedList.hpp"
#include "RTC/RTCP/Packet.hpp"

#include <concepts>
#include <optional>

namespace RTC::RTCP
{
	// Source description (SDES), RFC 3550 6.5:
	// https://www.rfc-editor.org/rfc/rfc3550#section-6.5
	//
	//         0                   1                   2                   3
	//         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// header |V=2|P|    SC   |  PT=SDES=202  |             length            |
	//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
	// chunk  |                          SSRC/CSRC_1                          |
	//   1    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//        |                           SDES items                          |
	//        |                              ...                              |
	//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
	// chunk  |                          SSRC/CSRC_2                          |
	//   2    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//        |                           SDES items                          |
	//        |                              ...                              |
	//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
	//
	// An item (6.5.1 CNAME shown; others alike, PRIV's prefix is kept as text):
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |    CNAME=1    |     length    | user and domain name        ...
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// Each chunk's item list ends with a null octet (item type 0) and more
	// null octets up to the next 32-bit boundary.
	//
	// Item texts are views into the caller's bytes (parsed) or into the
	// strings given to AddItem(): they must outlive the packet. Chunks and
	// items beyond MaxChunks / MaxItems are dropped on parse. Padding (P bit)
	// is dropped on parse and never written.
	class Sdes
	{
	public:
		enum class ItemType : uint8_t
		{
			END   = 0,
			CNAME = 1,
			NAME  = 2,
			EMAIL = 3,
			PHONE = 4,
			LOC   = 5,
			TOOL  = 6,
			NOTE  = 7,
			PRIV  = 8
		};

		struct Item
		{
			bool operator==(const Item& other) const = default;

			ItemType type{ ItemType::CNAME };
			std::string_view text;
		};

		// A view of one chunk: valid while the Sdes it came from is alive and
		// unchanged.
		struct Chunk
		{
			// The first CNAME item's text.
			std::optional<std::string_view> GetCname() const;

			uint32_t ssrc{ 0u };
			std::span<const Item> items;
		};

	public:
		static constexpr Type PacketType{ Type::SDES };
		// SC is 5 bits.
		static constexpr size_t MaxChunks{ 31u };
		// Items of all chunks together.
		static constexpr size_t MaxItems{ 64u };
		// The length octet.
		static constexpr size_t MaxItemLength{ 255u };

	public:
		// `data` must be exactly one SDES. nullopt when a chunk or item does not
		// fit or a chunk has no terminating null octet.
		static std::optional<Sdes> Parse(std::span<const uint8_t> data);

	public:
		Type GetType() const { return PacketType; }
		size_t GetChunkCount() const { return this->chunks.GetSize(); }
		// nullopt when `index` is out of range.
		std::optional<Chunk> GetChunk(size_t index) const;
		// The CNAME of the first chunk for `ssrc` that has one.
		std::optional<std::string_view> GetCname(uint32_t ssrc) const;
		// false when MaxChunks are there already.
		bool AddChunk(uint32_t ssrc);
		// Adds an item to the last chunk. false when there is no chunk,
		// MaxItems are there already, `type` is END or the text is longer than
		// MaxItemLength. The text is kept as a view.
		bool AddItem(ItemType type, std::string_view text);
		// A temporary std::string would dangle.
		template <typename T>
		requires std::same_as<T, std::string>
		bool AddItem(ItemType type, T&& text) = delete;
		size_t GetSize() const;
		size_t Serialize(std::span<uint8_t> out) const;
		bool operator==(const Sdes& other) const;

	private:
		struct ChunkEntry
		{
			bool operator==(const ChunkEntry& other) const = default;

			uint32_t ssrc{ 0u };
			// Into `items`.
			uint8_t firstItem{ 0u };
			uint8_t itemCount{ 0u };
		};

	private:
		// Others.
		FixedList<ChunkEntry, MaxChunks> chunks;
		FixedList<Item, MaxItems> items;
	};

	static_assert(Packet<Sdes>);
} // namespace RTC::RTCP

#endif
