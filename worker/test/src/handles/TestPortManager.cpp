#include "common.hpp"

#include "DepLibUV.hpp"
#include "MediaSoupErrors.hpp"
#include "handles/PortManager.hpp"
#include "handles/TestLoop.hpp"

#include <catch2/catch.hpp>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <random>
#include <sys/socket.h>
#include <vector>

// Real sockets, bound only: no traffic is sent by these tests.

namespace
{
	template <typename Handle>
	void onClose(uv_handle_t* handle)
	{
		delete reinterpret_cast<Handle*>(handle);
	}

	template <typename Handle>
	void closeHandle(Handle* handle)
	{
		uv_close(reinterpret_cast<uv_handle_t*>(handle), onClose<Handle>);
	}

	uint16_t localPort(uv_udp_t* handle)
	{
		sockaddr_storage storage{};
		int len = sizeof(storage);

		REQUIRE(uv_udp_getsockname(handle, reinterpret_cast<struct sockaddr*>(&storage), &len) == 0);

		return ntohs(reinterpret_cast<struct sockaddr_in*>(&storage)->sin_port);
	}

	uint16_t localPort(uv_tcp_t* handle)
	{
		sockaddr_storage storage{};
		int len = sizeof(storage);

		REQUIRE(uv_tcp_getsockname(handle, reinterpret_cast<struct sockaddr*>(&storage), &len) == 0);

		return ntohs(reinterpret_cast<struct sockaddr_in*>(&storage)->sin_port);
	}

	PortManager::BindOptions exact(const std::string& ip, uint16_t port)
	{
		PortManager::BindOptions options;

		options.ip   = ip;
		options.port = port;

		return options;
	}

	PortManager::BindOptions range(const std::string& ip, uint16_t minPort, uint16_t maxPort)
	{
		PortManager::BindOptions options;

		options.ip      = ip;
		options.minPort = minPort;
		options.maxPort = maxPort;

		return options;
	}

	// Whether `port` can be bound on `ip` for UDP and for TCP right now.
	bool isFree(const std::string& ip, uint16_t port)
	{
		try
		{
			closeHandle(PortManager::BindUdp(exact(ip, port)));
			closeHandle(PortManager::BindTcp(exact(ip, port)));
		}
		catch (const MediaSoupError&)
		{
			TestLoop::Drain();

			return false;
		}

		TestLoop::Drain();

		return true;
	}

	// First port of `count` consecutive ports free for UDP and TCP on every IP
	// of `ips` (outside the kernel's ephemeral range, which starts at 32768).
	uint16_t findFreePorts(const std::vector<std::string>& ips, uint16_t count)
	{
		std::random_device random;
		std::uniform_int_distribution<uint32_t> distribution(20000u, 30000u);

		for (int attempt = 0; attempt < 100; ++attempt)
		{
			const auto base = static_cast<uint16_t>(distribution(random));
			bool free{ true };

			for (uint16_t port = base; free && port < base + count; ++port)
			{
				for (const auto& ip : ips)
				{
					free = free && isFree(ip, port);
				}
			}

			if (free)
			{
				return base;
			}
		}

		FAIL("no free ports found");

		return 0u;
	}

	bool hasIpv6Loopback()
	{
		try
		{
			closeHandle(PortManager::BindUdp(range("::1", 20000u, 30000u)));
			TestLoop::Drain();

			return true;
		}
		catch (const MediaSoupError&)
		{
			TestLoop::Drain();

			return false;
		}
	}

	// The error thrown by `bind`, with its class name and text.
	template <typename Bind>
	std::pair<std::string, std::string> errorOf(Bind bind)
	{
		try
		{
			auto* handle = bind();

			closeHandle(handle);
			TestLoop::Drain();
		}
		catch (const MediaSoupError& error)
		{
			return { error.TypeName(), error.what() };
		}

		return { "none", "" };
	}

	bool contains(const std::string& text, const std::string& part)
	{
		return text.find(part) != std::string::npos;
	}
} // namespace

TEST_CASE("PortManager binds an exact port", "[PortManager]")
{
	std::vector<std::string> ips{ "127.0.0.1" };

	if (hasIpv6Loopback())
	{
		ips.emplace_back("::1");
	}

	const uint16_t port = findFreePorts(ips, 1u);

	for (const auto& ip : ips)
	{
		DYNAMIC_SECTION("on " << ip)
		{
			const bool v6 = ip == "::1";
			const std::string endpoint =
				v6 ? "[" + ip + "]:" + std::to_string(port) : ip + ":" + std::to_string(port);

			auto* udp = PortManager::BindUdp(exact(ip, port));
			auto* tcp = PortManager::BindTcp(exact(ip, port));

			REQUIRE(localPort(udp) == port);
			REQUIRE(localPort(tcp) == port);

			// The same port again: in use, an Error (not a TypeError) naming ip:port.
			const auto [udpClass, udpText] =
				errorOf([&] { return PortManager::BindUdp(exact(ip, port)); });
			const auto [tcpClass, tcpText] =
				errorOf([&] { return PortManager::BindTcp(exact(ip, port)); });

			REQUIRE(udpClass == "Error");
			REQUIRE(contains(udpText, "port in use"));
			REQUIRE(contains(udpText, endpoint));
			REQUIRE(tcpClass == "Error");
			REQUIRE(contains(tcpText, "port in use"));
			REQUIRE(contains(tcpText, endpoint));

			closeHandle(udp);
			closeHandle(tcp);
			TestLoop::Drain();

			// Released: it can be bound again.
			udp = PortManager::BindUdp(exact(ip, port));
			tcp = PortManager::BindTcp(exact(ip, port));

			REQUIRE(localPort(udp) == port);
			REQUIRE(localPort(tcp) == port);

			closeHandle(udp);
			closeHandle(tcp);
			TestLoop::Drain();
		}
	}
}

TEST_CASE("PortManager fills a range and then fails", "[PortManager]")
{
	const std::string ip{ "127.0.0.1" };
	const uint16_t minPort     = findFreePorts({ ip }, 3u);
	const auto maxPort         = static_cast<uint16_t>(minPort + 2u);
	const std::string expected = "no more available ports in range [" + std::to_string(minPort) +
															 ", " + std::to_string(maxPort) + "] for ip '127.0.0.1'";

	SECTION("UDP")
	{
		std::vector<uv_udp_t*> handles;
		std::vector<uint16_t> ports;

		for (int i = 0; i < 3; ++i)
		{
			handles.push_back(PortManager::BindUdp(range(ip, minPort, maxPort)));
			ports.push_back(localPort(handles.back()));
		}

		std::sort(ports.begin(), ports.end());

		REQUIRE(
			ports == std::vector<uint16_t>{ minPort, static_cast<uint16_t>(minPort + 1u), maxPort });

		const auto [errorClass, text] =
			errorOf([&] { return PortManager::BindUdp(range(ip, minPort, maxPort)); });

		REQUIRE(errorClass == "Error");
		REQUIRE(contains(text, expected));

		// A port released is found again.
		const uint16_t released = localPort(handles[1]);

		closeHandle(handles[1]);
		TestLoop::Drain();

		handles[1] = PortManager::BindUdp(range(ip, minPort, maxPort));

		REQUIRE(localPort(handles[1]) == released);

		for (auto* handle : handles)
		{
			closeHandle(handle);
		}

		TestLoop::Drain();
	}

	SECTION("TCP")
	{
		std::vector<uv_tcp_t*> handles;
		std::vector<uint16_t> ports;

		for (int i = 0; i < 3; ++i)
		{
			handles.push_back(PortManager::BindTcp(range(ip, minPort, maxPort)));
			ports.push_back(localPort(handles.back()));
		}

		std::sort(ports.begin(), ports.end());

		REQUIRE(
			ports == std::vector<uint16_t>{ minPort, static_cast<uint16_t>(minPort + 1u), maxPort });

		const auto [errorClass, text] =
			errorOf([&] { return PortManager::BindTcp(range(ip, minPort, maxPort)); });

		REQUIRE(errorClass == "Error");
		REQUIRE(contains(text, expected));

		const uint16_t released = localPort(handles[0]);

		closeHandle(handles[0]);
		TestLoop::Drain();

		handles[0] = PortManager::BindTcp(range(ip, minPort, maxPort));

		REQUIRE(localPort(handles[0]) == released);

		for (auto* handle : handles)
		{
			closeHandle(handle);
		}

		TestLoop::Drain();
	}
}

TEST_CASE("PortManager starts a range at a random port", "[PortManager]")
{
	const std::string ip{ "127.0.0.1" };
	const uint16_t minPort = findFreePorts({ ip }, 10u);
	std::vector<bool> seen(10u, false);

	// 40 binds (each closed at once) on a free range of 10: starting always at
	// the same port would hit only one of them.
	for (int i = 0; i < 40; ++i)
	{
		auto* handle = PortManager::BindUdp(range(ip, minPort, static_cast<uint16_t>(minPort + 9u)));

		seen[localPort(handle) - minPort] = true;

		closeHandle(handle);
		TestLoop::Drain();
	}

	REQUIRE(std::count(seen.begin(), seen.end(), true) > 1);
}

TEST_CASE("PortManager never binds port 0 of a range starting at 0", "[PortManager]")
{
	// Binding port 0 would get any port from the OS. [0, 1] holds one real
	// port: 1 (refused with EACCES to non-root users, then skipped).
	const std::string ip{ "127.0.0.1" };
	const std::string expected{ "no more available ports in range [0, 1]" };

	SECTION("UDP")
	{
		uv_udp_t* first{ nullptr };

		try
		{
			first = PortManager::BindUdp(range(ip, 0u, 1u));
		}
		catch (const MediaSoupError& error)
		{
			REQUIRE(contains(error.what(), expected));
		}

		if (first)
		{
			REQUIRE(localPort(first) == 1u);
		}

		// Port 1 is taken or refused now: nothing else may be handed out.
		const auto [errorClass, text] =
			errorOf([&] { return PortManager::BindUdp(range(ip, 0u, 1u)); });

		REQUIRE(errorClass == "Error");
		REQUIRE(contains(text, expected));

		if (first)
		{
			closeHandle(first);
		}

		TestLoop::Drain();
	}

	SECTION("TCP")
	{
		uv_tcp_t* first{ nullptr };

		try
		{
			first = PortManager::BindTcp(range(ip, 0u, 1u));
		}
		catch (const MediaSoupError& error)
		{
			REQUIRE(contains(error.what(), expected));
		}

		if (first)
		{
			REQUIRE(localPort(first) == 1u);
		}

		const auto [errorClass, text] =
			errorOf([&] { return PortManager::BindTcp(range(ip, 0u, 1u)); });

		REQUIRE(errorClass == "Error");
		REQUIRE(contains(text, expected));

		if (first)
		{
			closeHandle(first);
		}

		TestLoop::Drain();
	}
}

TEST_CASE("PortManager refuses bad options with a TypeError", "[PortManager]")
{
	// Table rows: { options, text the message must contain }.
	struct Row
	{
		PortManager::BindOptions options;
		std::string message;
	};

	const std::vector<Row> rows{
		{ exact("1.2.3", 20000u), "'1.2.3'" },
		{ exact("256.0.0.1", 20000u), "'256.0.0.1'" },
		{ exact("localhost", 20000u), "'localhost'" },
		{ exact("", 20000u), "''" },
		{ exact("::g", 20000u), "'::g'" },
		{ exact("127.0.0.1 ", 20000u), "'127.0.0.1 '" },
		{ range("127.0.0.1", 30001u, 30000u),
			"minPort (30001) cannot be greater than maxPort (30000)" },
		{ range("::1", 2u, 1u), "minPort (2) cannot be greater than maxPort (1)" },
		{ range("127.0.0.1", 0u, 0u), "maxPort must be greater than 0" },
	};

	for (size_t i = 0; i < rows.size(); ++i)
	{
		DYNAMIC_SECTION("row " << i << ": " << rows[i].message)
		{
			const auto& options            = rows[i].options;
			const auto [udpClass, udpText] = errorOf([&] { return PortManager::BindUdp(options); });
			const auto [tcpClass, tcpText] = errorOf([&] { return PortManager::BindTcp(options); });

			REQUIRE(udpClass == "TypeError");
			REQUIRE(contains(udpText, rows[i].message));
			REQUIRE(tcpClass == "TypeError");
			REQUIRE(contains(tcpText, rows[i].message));
		}
	}
}

TEST_CASE("PortManager fails at once on an IP not on this host", "[PortManager]")
{
	// TEST-NET-1 (RFC 5737): never assigned to a host. Bound only.
	const std::string ip{ "192.0.2.1" };
	const auto start = std::chrono::steady_clock::now();

	// Exact port and a whole range: either fails on the first bind.
	const auto [udpClass, udpText] = errorOf([&] { return PortManager::BindUdp(exact(ip, 20000u)); });
	const auto [tcpClass, tcpText] = errorOf([&] { return PortManager::BindTcp(exact(ip, 20000u)); });
	const auto [udpRangeClass, udpRangeText] =
		errorOf([&] { return PortManager::BindUdp(range(ip, 1024u, 65535u)); });
	const auto [tcpRangeClass, tcpRangeText] =
		errorOf([&] { return PortManager::BindTcp(range(ip, 1024u, 65535u)); });

	const auto elapsed = std::chrono::steady_clock::now() - start;

	for (const auto& [errorClass, text] : { std::pair{ udpClass, udpText },
																					std::pair{ tcpClass, tcpText },
																					std::pair{ udpRangeClass, udpRangeText },
																					std::pair{ tcpRangeClass, tcpRangeText } })
	{
		REQUIRE(errorClass == "Error");
		REQUIRE(contains(text, "192.0.2.1"));
		REQUIRE(contains(text, uv_strerror(UV_EADDRNOTAVAIL)));
	}

	REQUIRE(elapsed < std::chrono::milliseconds(500));

	TestLoop::Drain();
}

TEST_CASE("PortManager applies ipv6Only", "[PortManager]")
{
	if (!hasIpv6Loopback())
	{
		WARN("no IPv6 on this host: skipped");

		return;
	}

	const uint16_t port = findFreePorts({ "::", "0.0.0.0" }, 1u);

	SECTION("UDP")
	{
		auto options = exact("::", port);

		options.flags.ipv6Only = true;

		auto* v6 = PortManager::BindUdp(options);
		// IPv4 is not taken by an IPv6-only socket.
		auto* v4 = PortManager::BindUdp(exact("0.0.0.0", port));

		uv_os_fd_t fd;
		int value{ 0 };
		socklen_t len = sizeof(value);

		REQUIRE(uv_fileno(reinterpret_cast<uv_handle_t*>(v6), &fd) == 0);
		REQUIRE(getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &value, &len) == 0);
		REQUIRE(value == 1);

		closeHandle(v6);
		closeHandle(v4);
		TestLoop::Drain();

		// Without the flag, "::" takes the IPv4 port too.
		auto* dual = PortManager::BindUdp(exact("::", port));

		REQUIRE(errorOf([&] { return PortManager::BindUdp(exact("0.0.0.0", port)); }).first == "Error");

		closeHandle(dual);
		TestLoop::Drain();
	}

	SECTION("TCP")
	{
		auto options = exact("::", port);

		options.flags.ipv6Only = true;

		auto* v6 = PortManager::BindTcp(options);
		auto* v4 = PortManager::BindTcp(exact("0.0.0.0", port));

		closeHandle(v6);
		closeHandle(v4);
		TestLoop::Drain();

		auto* dual = PortManager::BindTcp(exact("::", port));

		REQUIRE(errorOf([&] { return PortManager::BindTcp(exact("0.0.0.0", port)); }).first == "Error");

		closeHandle(dual);
		TestLoop::Drain();
	}

	SECTION("ignored on an IPv4 address")
	{
		auto options = range("127.0.0.1", 20000u, 30000u);

		options.flags.ipv6Only = true;

		closeHandle(PortManager::BindUdp(options));
		closeHandle(PortManager::BindTcp(options));
		TestLoop::Drain();
	}
}

TEST_CASE("PortManager udpReusePort lets UDP sockets share a port", "[PortManager]")
{
	const std::string ip{ "127.0.0.1" };
	const uint16_t port = findFreePorts({ ip }, 1u);
	auto options        = exact(ip, port);

	options.flags.udpReusePort = true;

	auto* first  = PortManager::BindUdp(options);
	auto* second = PortManager::BindUdp(options);

	REQUIRE(localPort(second) == port);

	// libuv 1.44 sets SO_REUSEADDR for UV_UDP_REUSEADDR on Linux.
	uv_os_fd_t fd;
	int value{ 0 };
	socklen_t len = sizeof(value);

	REQUIRE(uv_fileno(reinterpret_cast<uv_handle_t*>(second), &fd) == 0);
	REQUIRE(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &value, &len) == 0);
	REQUIRE(value == 1);

	// A socket without the flag cannot join them.
	REQUIRE(errorOf([&] { return PortManager::BindUdp(exact(ip, port)); }).first == "Error");

	closeHandle(first);
	closeHandle(second);
	TestLoop::Drain();
}

TEST_CASE("PortManager sets socket buffer sizes", "[PortManager]")
{
	auto options = range("127.0.0.1", 20000u, 30000u);

	options.sendBufferSize = 100000u;
	options.recvBufferSize = 120000u;

	auto* udp = PortManager::BindUdp(options);
	auto* tcp = PortManager::BindTcp(options);

	for (auto* handle : { reinterpret_cast<uv_handle_t*>(udp), reinterpret_cast<uv_handle_t*>(tcp) })
	{
		int send{ 0 };
		int recv{ 0 };

		REQUIRE(uv_send_buffer_size(handle, &send) == 0);
		REQUIRE(uv_recv_buffer_size(handle, &recv) == 0);

		// Linux doubles the value (and caps it at wmem_max/rmem_max, above these).
		REQUIRE(send >= 100000);
		REQUIRE(recv >= 120000);
	}

	closeHandle(udp);
	closeHandle(tcp);
	TestLoop::Drain();
}
