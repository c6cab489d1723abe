#include "common.hpp"

#include "RTC/TransportTupleKey.hpp"
#include "Utils/IP.hpp"
#include "handles/PortManager.hpp"
#include "handles/TestLoop.hpp"
#include "handles/UdpSocketHandle.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <unordered_map>
#include <vector>

using RTC::TransportTuple;
using RTC::TransportTupleKey;

namespace
{
	// Ignores what the sockets receive: only their identity matters here.
	class NullListener : public UdpSocketHandle::Listener
	{
	public:
		void OnUdpSocketPacketReceived(
			UdpSocketHandle* /*socket*/,
			const uint8_t* /*data*/,
			size_t /*len*/,
			const struct sockaddr* /*remoteAddr*/) override
		{
		}
	};

	std::unique_ptr<UdpSocketHandle> bindLoopback(NullListener* listener)
	{
		PortManager::BindOptions options;

		options.ip      = "127.0.0.1";
		options.minPort = 20000u;
		options.maxPort = 30000u;

		return std::make_unique<UdpSocketHandle>(listener, PortManager::BindUdp(options));
	}

	// Every key to the same bucket: only equality can tell them apart.
	struct CollidingHasher
	{
		size_t operator()(const TransportTupleKey& /*key*/) const { return 42u; }
	};
} // namespace

TEST_CASE("TransportTupleKey compares the whole tuple", "[TransportTupleKey]")
{
	NullListener listener;
	auto socketA = bindLoopback(&listener);
	auto socketB = bindLoopback(&listener);

	const auto peer1       = Utils::IP::MakeAddress("10.0.0.1", 5000u);
	const auto peer1Port2  = Utils::IP::MakeAddress("10.0.0.1", 5001u);
	const auto peer2       = Utils::IP::MakeAddress("10.0.0.2", 5000u);
	const auto peer1AsIpv6 = Utils::IP::MakeAddress("::ffff:10.0.0.1", 5000u);
	const auto addr        = [](const sockaddr_storage& storage)
	{
		return reinterpret_cast<const struct sockaddr*>(&storage);
	};

	// Rows: { tuple, tuple, expected equal }.
	struct Row
	{
		TransportTuple a;
		TransportTuple b;
		bool equal;
	};

	const std::vector<Row> rows{
		// The same socket and remote address, built twice.
		{ { socketA.get(), addr(peer1) }, { socketA.get(), addr(peer1) }, true },
		// Another remote port.
		{ { socketA.get(), addr(peer1) }, { socketA.get(), addr(peer1Port2) }, false },
		// Another remote IP.
		{ { socketA.get(), addr(peer1) }, { socketA.get(), addr(peer2) }, false },
		// Another family for what reads as the same IPv4 address.
		{ { socketA.get(), addr(peer1) }, { socketA.get(), addr(peer1AsIpv6) }, false },
		// Another local socket (and so local port).
		{ { socketA.get(), addr(peer1) }, { socketB.get(), addr(peer1) }, false },
		// UDP against TCP (no connection: only the protocol differs).
		{ { socketA.get(), addr(peer1) },
			TransportTuple(static_cast<TcpConnectionHandle*>(nullptr)),
			false },
	};

	for (size_t i = 0; i < rows.size(); ++i)
	{
		DYNAMIC_SECTION("row " << i)
		{
			const TransportTupleKey keyA(&rows[i].a);
			const TransportTupleKey keyB(&rows[i].b);

			REQUIRE((keyA == keyB) == rows[i].equal);

			if (rows[i].equal)
			{
				REQUIRE(keyA.GetHash() == keyB.GetHash());
			}
		}
	}

	socketA.reset();
	socketB.reset();
	TestLoop::Drain();
}

TEST_CASE("TransportTupleKey keeps tuples whose hashes collide apart", "[TransportTupleKey]")
{
	NullListener listener;
	auto socket = bindLoopback(&listener);

	const auto peer1 = Utils::IP::MakeAddress("10.0.0.1", 5000u);
	const auto peer2 = Utils::IP::MakeAddress("10.0.0.2", 6000u);
	const TransportTuple tuple1(socket.get(), reinterpret_cast<const struct sockaddr*>(&peer1));
	const TransportTuple tuple2(socket.get(), reinterpret_cast<const struct sockaddr*>(&peer2));

	std::unordered_map<TransportTupleKey, int, CollidingHasher> map;

	map[TransportTupleKey(&tuple1)] = 1;
	map[TransportTupleKey(&tuple2)] = 2;

	// The second insert did not overwrite the first, and each finds its own.
	REQUIRE(map.size() == 2u);
	REQUIRE(map.at(TransportTupleKey(&tuple1)) == 1);
	REQUIRE(map.at(TransportTupleKey(&tuple2)) == 2);

	map.erase(TransportTupleKey(&tuple1));

	REQUIRE(map.size() == 1u);
	REQUIRE(!map.contains(TransportTupleKey(&tuple1)));
	REQUIRE(map.at(TransportTupleKey(&tuple2)) == 2);

	socket.reset();
	TestLoop::Drain();
}
