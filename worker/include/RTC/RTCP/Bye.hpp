#ifndef MS_RTC_RTCP_BYE_HPP
#define MS_RTC_RTCP_BYE_HPP

#include "common.hpp"

#include "RTC/RTCP/FixedList.hpp"
#include "RTC/RTCP/Packet.hpp"

#include <concepts>
#include <optional>

namespace RTC::RTCP
{
	// Goodbye (BYE), RFC 3550 6.6:
	// https://www.rfc-editor.org/rfc/rfc3550#section-6.6
	//
	//        0                   1                   2                   3
	//        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//       |V=2|P|    SC   |   PT=BYE=203  |             length            |
	//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//       |                           SSRC/CSRC                           |
	//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//       :                              ...                              :
	//       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
	// (opt) |     length    |               reason for leaving            ...
	//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// The reason is zero-padded to 32 bits. It is a view into the caller's
	// bytes (or the string given to SetReason()). An empty reason is not
	// written. Padding (P bit) is dropped on parse and never written.
	class Bye
	{
	public:
		static constexpr Type PacketType{ Type::BYE };
		// SC is 5 bits.
		static constexpr size_t MaxSsrcs{ 31u };
		// The length octet.
		static constexpr size_t MaxReasonLength{ 255u };

	public:
		// `data` must be exactly one BYE. nullopt when the SSRCs or the reason
		// do not fit.
		static std::optional<Bye> Parse(std::span<const uint8_t> data);

	public:
		Type GetType() const { return PacketType; }
		std::span<const uint32_t> GetSsrcs() const { return this->ssrcs.GetItems(); }
		// false when MaxSsrcs are there already.
		bool AddSsrc(uint32_t ssrc) { return this->ssrcs.PushBack(ssrc); }
		std::string_view GetReason() const { return this->reason; }
		// false (nothing changed) when longer than MaxReasonLength. Kept as a view.
		bool SetReason(std::string_view reason);
		template <typename T>
		requires std::same_as<T, std::string>
		bool SetReason(T&& reason) = delete;
		size_t GetSize() const;
		size_t Serialize(std::span<uint8_t> out) const;
		bool operator==(const Bye& other) const = default;

	private:
		// Others.
		FixedList<uint32_t, MaxSsrcs> ssrcs;
		std::string_view reason;
	};

	static_assert(Packet<Bye>);
} // namespace RTC::RTCP

#endif
