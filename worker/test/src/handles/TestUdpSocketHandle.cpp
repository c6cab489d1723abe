#include "common.hpp"

#include "MediaSoupErrors.hpp"
#include "handles/PortManager.hpp"
#include "handles/TestLoop.hpp"
#include "handles/UdpSocketHandle.hpp"

#include <catch2/catch.hpp>
#include <uv.h>

#include <cstring>
#include <netinet/in.h>
#include <vector>

namespace
{
	struct Received
	{
		UdpSocketHandle* socket{ nullptr };
		std::vector<uint8_t> data;
		sockaddr_storage remoteAddr{};
	};

	// Records what the socket reports.
	class FakeListener : public UdpSocketHandle::Listener
	{
	public:
		void OnUdpSocketPacketReceived(
			UdpSocketHandle* socket,
			const uint8_t* data,
			size_t len,
			const struct sockaddr* remoteAddr) override
		{
			Received received;

			received.socket = socket;
			received.data.assign(data, data + len);
			std::memcpy(
				&received.remoteAddr,
				remoteAddr,
				remoteAddr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
																					: sizeof(struct sockaddr_in));

			this->packets.push_back(received);
		}

	public:
		std::vector<Received> packets;
	};

	uv_udp_t* bindLoopback(const std::string& ip)
	{
		PortManager::BindOptions options;

		options.ip      = ip;
		options.minPort = 20000u;
		options.maxPort = 30000u;

		return PortManager::BindUdp(options);
	}

	bool hasIpv6Loopback()
	{
		try
		{
			UdpSocketHandle socket(nullptr, bindLoopback("::1"));
		}
		catch (const MediaSoupError&)
		{
			TestLoop::Drain();

			return false;
		}

		TestLoop::Drain();

		return true;
	}

	bool sameAddress(const struct sockaddr_storage& a, const struct sockaddr* b)
	{
		if (a.ss_family != b->sa_family)
		{
			return false;
		}

		if (a.ss_family == AF_INET)
		{
			const auto* a4 = reinterpret_cast<const struct sockaddr_in*>(&a);
			const auto* b4 = reinterpret_cast<const struct sockaddr_in*>(b);

			return a4->sin_port == b4->sin_port && a4->sin_addr.s_addr == b4->sin_addr.s_addr;
		}

		const auto* a6 = reinterpret_cast<const struct sockaddr_in6*>(&a);
		const auto* b6 = reinterpret_cast<const struct sockaddr_in6*>(b);

		return a6->sin6_port == b6->sin6_port &&
					 std::memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0;
	}
} // namespace

TEST_CASE("UdpSocketHandle sends and receives datagrams on loopback", "[UdpSocketHandle]")
{
	std::vector<std::string> ips{ "127.0.0.1" };

	if (hasIpv6Loopback())
	{
		ips.emplace_back("::1");
	}

	for (const auto& ip : ips)
	{
		DYNAMIC_SECTION("on " << ip)
		{
			FakeListener listenerA;
			FakeListener listenerB;

			{
				UdpSocketHandle a(&listenerA, bindLoopback(ip));
				UdpSocketHandle b(&listenerB, bindLoopback(ip));

				REQUIRE(a.GetLocalIp() == ip);
				REQUIRE(a.GetLocalPort() != 0u);
				REQUIRE(a.GetLocalFamily() == (ip == "::1" ? AF_INET6 : AF_INET));

				const std::vector<uint8_t> hello{ 'h', 'e', 'l', 'l', 'o' };
				// The largest datagram loopback carries (65535 - 8 - IP header).
				const std::vector<uint8_t> big(ip == "::1" ? 65527u : 65507u, 0x5a);

				REQUIRE(a.Send(hello.data(), hello.size(), b.GetLocalAddress()));
				REQUIRE(a.Send(big.data(), big.size(), b.GetLocalAddress()));
				REQUIRE(TestLoop::RunUntil([&] { return listenerB.packets.size() == 2u; }));

				REQUIRE(listenerB.packets[0].socket == &b);
				REQUIRE(listenerB.packets[0].data == hello);
				REQUIRE(sameAddress(listenerB.packets[0].remoteAddr, a.GetLocalAddress()));
				REQUIRE(listenerB.packets[1].data == big);
				REQUIRE(a.GetSentBytes() == hello.size() + big.size());
				REQUIRE(b.GetRecvBytes() == hello.size() + big.size());

				// And back, to the address the datagram came from.
				const auto* replyTo =
					reinterpret_cast<const struct sockaddr*>(&listenerB.packets[0].remoteAddr);

				REQUIRE(b.Send(hello.data(), 3u, replyTo));
				REQUIRE(TestLoop::RunUntil([&] { return listenerA.packets.size() == 1u; }));
				REQUIRE(listenerA.packets[0].data == std::vector<uint8_t>{ 'h', 'e', 'l' });
				REQUIRE(sameAddress(listenerA.packets[0].remoteAddr, b.GetLocalAddress()));
				REQUIRE(listenerA.packets.size() == 1u);
			}

			TestLoop::Drain();
		}
	}
}

TEST_CASE("UdpSocketHandle survives bad sends and bad reads", "[UdpSocketHandle]")
{
	FakeListener listener;

	{
		UdpSocketHandle socket(&listener, bindLoopback("127.0.0.1"));
		const uint8_t byte{ 0x01 };

		SECTION("a datagram too large for UDP")
		{
			const std::vector<uint8_t> huge(70000u, 0x00);

			REQUIRE_FALSE(socket.Send(huge.data(), huge.size(), socket.GetLocalAddress()));
			REQUIRE(socket.GetSentBytes() == 0u);
		}

		SECTION("an IPv6 destination on an IPv4 socket")
		{
			sockaddr_in6 addr{};

			REQUIRE(uv_ip6_addr("::1", 9, &addr) == 0);
			REQUIRE_FALSE(socket.Send(&byte, 1u, reinterpret_cast<const struct sockaddr*>(&addr)));
		}

		SECTION("a truncated datagram is dropped")
		{
			uv_buf_t buf{};

			socket.OnUvRecvAlloc(65536u, &buf);
			socket.OnUvRecv(10, &buf, socket.GetLocalAddress(), UV_UDP_PARTIAL);

			REQUIRE(listener.packets.empty());
			REQUIRE(socket.GetRecvBytes() == 0u);
		}

		SECTION("a read error and an empty read are ignored")
		{
			uv_buf_t buf{};

			socket.OnUvRecvAlloc(65536u, &buf);
			socket.OnUvRecv(UV_ECONNREFUSED, &buf, nullptr, 0u);
			socket.OnUvRecv(0, &buf, nullptr, 0u);

			REQUIRE(listener.packets.empty());

			// Still working.
			REQUIRE(socket.Send(&byte, 1u, socket.GetLocalAddress()));
			REQUIRE(TestLoop::RunUntil([&] { return listener.packets.size() == 1u; }));
		}

		SECTION("Send after Close")
		{
			socket.Close();

			REQUIRE(socket.IsClosed());
			REQUIRE_FALSE(socket.Send(&byte, 1u, socket.GetLocalAddress()));
		}
	}

	TestLoop::Drain();
}

TEST_CASE("UdpSocketHandle closes from inside its listener", "[UdpSocketHandle]")
{
	// A listener that deletes the socket on the first datagram.
	class DeletingListener : public UdpSocketHandle::Listener
	{
	public:
		void OnUdpSocketPacketReceived(
			UdpSocketHandle* /*socket*/,
			const uint8_t* /*data*/,
			size_t /*len*/,
			const struct sockaddr* /*remoteAddr*/) override
		{
			++this->count;
			this->socket.reset();
		}

	public:
		std::unique_ptr<UdpSocketHandle> socket;
		size_t count{ 0u };
	};

	DeletingListener listener;
	FakeListener senderListener;

	listener.socket = std::make_unique<UdpSocketHandle>(&listener, bindLoopback("127.0.0.1"));

	{
		UdpSocketHandle sender(&senderListener, bindLoopback("127.0.0.1"));
		const uint8_t byte{ 0x01 };

		// Several datagrams queued in the kernel: the later ones must not reach
		// the deleted socket.
		for (int i = 0; i < 5; ++i)
		{
			REQUIRE(sender.Send(&byte, 1u, listener.socket->GetLocalAddress()));
		}

		REQUIRE(TestLoop::RunUntil([&] { return listener.count == 1u; }));
		TestLoop::Drain();

		REQUIRE(listener.count == 1u);
	}

	TestLoop::Drain();
}

TEST_CASE("UdpSocketHandle constructor closes the handle when it throws", "[UdpSocketHandle]")
{
	// A handle that is not bound: uv_udp_getsockname() fails.
	auto* handle = new uv_udp_t;

	REQUIRE(uv_udp_init(DepLibUV::GetLoop(), handle) == 0);
	REQUIRE_THROWS_AS(UdpSocketHandle(nullptr, handle), MediaSoupError);

	// ASan reports a leak if the handle was not closed and freed.
	TestLoop::Drain();
}
