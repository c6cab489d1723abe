#ifndef MS_RTC_TRANSPORT_TUPLE_KEY_HPP
#define MS_RTC_TRANSPORT_TUPLE_KEY_HPP

#include "common.hpp"

#include "RTC/TransportTuple.hpp"

#include <array>

namespace RTC
{
	// The whole identity of a TransportTuple, as a value a map can own: the
	// protocol, the local socket (UDP) or connection (TCP), and the local and
	// remote addresses and ports. Equality compares all of it, so two tuples
	// whose hashes collide are still told apart (a map keyed by a bare hash
	// would send one peer's packets to another's transport).
	class TransportTupleKey
	{
	public:
		struct Hasher
		{
			size_t operator()(const TransportTupleKey& key) const { return key.GetHash(); }
		};

	public:
		explicit TransportTupleKey(const TransportTuple* tuple);

	public:
		bool operator==(const TransportTupleKey& other) const = default;
		// For bucketing only (and shown in dumps).
		uint64_t GetHash() const;

	private:
		// An address in a fixed, zero-filled form (no padding to compare).
		struct Endpoint
		{
			uint16_t family{ 0u };
			uint16_t port{ 0u };
			std::array<uint8_t, 16> ip{};

			bool operator==(const Endpoint& other) const = default;
		};

		static Endpoint MakeEndpoint(const struct sockaddr* addr);

	private:
		TransportTuple::Protocol protocol{ TransportTuple::Protocol::UDP };
		// The UdpSocketHandle or TcpConnectionHandle (identity only).
		const void* handle{ nullptr };
		Endpoint local;
		Endpoint remote;
	};
} // namespace RTC

#endif
