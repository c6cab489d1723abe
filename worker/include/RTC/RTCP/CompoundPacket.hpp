#ifndef MS_RTC_RTCP_COMPOUND_PACKET_HPP
#define MS_RTC_RTCP_COMPOUND_PACKET_HPP

#include "common.hpp"

#include "RTC/RTCP/Bye.hpp"
#include "RTC/RTCP/Fir.hpp"
#include "RTC/RTCP/Nack.hpp"
#include "RTC/RTCP/Packet.hpp"
#include "RTC/RTCP/Pli.hpp"
#include "RTC/RTCP/RawPacket.hpp"
#include "RTC/RTCP/ReceiverReport.hpp"
#include "RTC/RTCP/Remb.hpp"
#include "RTC/RTCP/Sdes.hpp"
#include "RTC/RTCP/SenderReport.hpp"
#include "RTC/RTCP/TransportWideCc.hpp"
#include "RTC/RTCP/Xr.hpp"

#include <array>
#include <iterator>
#include <optional>
#include <variant>

namespace RTC::RTCP
{
	// One decoded RTCP packet: the type its PT (and FMT) call for, or
	// RawPacket for kinds this code does not decode.
	using AnyPacket = std::variant<
		SenderReport,
		ReceiverReport,
		Sdes,
		Bye,
		Nack,
		TransportWideCc,
		Pli,
		Fir,
		Remb,
		Xr,
		RawPacket>;

	// An RTCP datagram: packets stacked back to back, each with its own
	// common header, RFC 3550 6.1:
	// https://www.rfc-editor.org/rfc/rfc3550#section-6.1
	//
	//  if encrypted: random 32-bit integer
	//  |
	//  |[--------- packet --------][---------- packet ----------][-packet-]
	//  |
	//  |                receiver            chunk        chunk
	//  V                reports           item  item   item  item
	//  --------------------------------------------------------------------
	//  R[SR #sendinfo #site1#site2][SDES #CNAME PHONE #CNAME LOC][BYE##why]
	//  --------------------------------------------------------------------
	//  |                                                                  |
	//  |<-----------------------  compound packet ----------------------->|
	//
	// A compound packet starts with SR or RR and carries an SDES CNAME (RFC
	// 3550 6.1); with RFC 5506 (reduced size) a datagram may hold feedback
	// alone. The reader accepts both and checks no ordering: each packet only
	// needs a good common header and a body that holds what it announces.
	//
	// Decoded packets are views into the datagram (see each type): they must
	// not outlive its bytes.
	class CompoundPacket
	{
	public:
		class Reader;
		class Builder;

	public:
		// Decodes `data` as exactly one packet. nullopt when its header is bad,
		// it is not all of `data` (BAD_LENGTH), or a known type's body is
		// malformed (MALFORMED); `error` tells which.
		static std::optional<AnyPacket>
		ParsePacket(std::span<const uint8_t> data, ParseError* error = nullptr);
		static Type GetType(const AnyPacket& packet);
		static size_t GetSize(const AnyPacket& packet);
		static size_t Serialize(const AnyPacket& packet, std::span<uint8_t> out);
	};

	// Reads the packets of a datagram in order, one Next() (or loop step) at
	// a time, without allocating:
	//
	//   CompoundPacket::Reader reader(data);
	//
	//   for (const auto& packet : reader) { ... }
	//
	//   if (reader.GetError() != ParseError::NONE) { count a drop }
	//
	// The first bad packet (bad version, a length going past the datagram, a
	// bad padding count, a known type with a malformed body, or 1 to 3 bytes
	// left over at the end) stops the reading: it and everything after it
	// are dropped, since nothing after a broken packet can be trusted to be
	// framed right (RFC 3550 A.2). The packets before it have been handed
	// out already; GetError() and GetOffset() tell what happened where.
	class CompoundPacket::Reader
	{
	public:
		class Iterator
		{
		public:
			using value_type      = AnyPacket;
			using difference_type = std::ptrdiff_t;

		public:
			explicit Iterator(Reader* reader) : reader(reader), current(reader->Next()) {}

		public:
			const AnyPacket& operator*() const { return *this->current; }
			const AnyPacket* operator->() const { return &*this->current; }
			Iterator& operator++()
			{
				this->current = this->reader->Next();

				return *this;
			}
			void operator++(int) { ++*this; }
			bool operator==(std::default_sentinel_t /*end*/) const { return !this->current.has_value(); }

		private:
			// Passed by argument.
			Reader* reader{ nullptr };
			// Others.
			std::optional<AnyPacket> current;
		};

	public:
		explicit Reader(std::span<const uint8_t> data) : data(data) {}

	public:
		// The next packet; nullopt at the end of the data or at the first bad
		// packet (then GetError() is not NONE), and ever after.
		std::optional<AnyPacket> Next();
		ParseError GetError() const { return this->error; }
		// Where the next packet starts; after an error, where the bad one does.
		size_t GetOffset() const { return this->offset; }
		// Packets handed out.
		size_t GetPacketCount() const { return this->packetCount; }
		// Single pass: begin() reads the first packet.
		Iterator begin() { return Iterator(this); }
		std::default_sentinel_t end() const { return {}; }

	private:
		// Passed by argument.
		std::span<const uint8_t> data;
		// Others.
		size_t offset{ 0u };
		size_t packetCount{ 0u };
		ParseError error{ ParseError::NONE };
	};

	// Writes packets back to back into one datagram, size first:
	//
	//   CompoundPacket::Builder builder;
	//
	//   builder.Add(receiverReport); // SR or RR first (RFC 3550 6.1)...
	//   builder.Add(sdes);           // ...then SDES with a CNAME...
	//   builder.Add(remb);           // ...then feedback.
	//
	//   if (builder.GetSize() <= mtu) { builder.Serialize(buffer); }
	//
	// The builder keeps pointers to the packets (no copies): they must
	// outlive Serialize(). It checks neither order nor MTU; each packet writes
	// its own length field and padding.
	class CompoundPacket::Builder
	{
	public:
		static constexpr size_t MaxPackets{ 16u };

	public:
		// false when MaxPackets are there already.
		template <Packet T>
		bool Add(const T& packet)
		{
			return Push(Entry{ &packet,
												 [](const void* p) { return static_cast<const T*>(p)->GetSize(); },
												 [](const void* p, std::span<uint8_t> out)
												 {
													 return static_cast<const T*>(p)->Serialize(out);
												 } });
		}
		// A temporary would dangle.
		template <Packet T>
		bool Add(const T&& packet) = delete;
		bool Add(const AnyPacket& packet);
		bool Add(const AnyPacket&& packet) = delete;
		size_t GetPacketCount() const { return this->count; }
		void Clear() { this->count = 0u; }
		// Sum of the packets' sizes; 0 when there is none or one of them cannot
		// be encoded.
		size_t GetSize() const;
		// Bytes written; 0 when `out` is too small or GetSize() is 0.
		size_t Serialize(std::span<uint8_t> out) const;

	private:
		struct Entry
		{
			const void* packet{ nullptr };
			size_t (*getSize)(const void*){ nullptr };
			size_t (*serialize)(const void*, std::span<uint8_t>){ nullptr };
		};

	private:
		bool Push(const Entry& entry)
		{
			if (this->count == MaxPackets)
			{
				return false;
			}

			this->entries[this->count++] = entry;

			return true;
		}

	private:
		// Passed by argument (the packets the entries point to).
		std::array<Entry, MaxPackets> entries{};
		size_t count{ 0u };
	};
} // namespace RTC::RTCP

#endif
