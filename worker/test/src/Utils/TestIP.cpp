#include "common.hpp"

#include "MediaSoupErrors.hpp"
#include "Utils/IP.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <vector>

using Utils::IP;

namespace
{
	const struct sockaddr* AsSockaddr(const struct sockaddr_storage& storage)
	{
		return reinterpret_cast<const struct sockaddr*>(&storage);
	}
} // namespace

TEST_CASE("IP::GetFamily tells IPv4, IPv6 and garbage apart", "[IP]")
{
	struct Row
	{
		std::string ip;
		int family;
	};

	const std::vector<Row> rows{
		{ "127.0.0.1", AF_INET },
		{ "0.0.0.0", AF_INET },
		{ "255.255.255.255", AF_INET },
		{ "::", AF_INET6 },
		{ "::1", AF_INET6 },
		{ "2001:db8::1", AF_INET6 },
		{ "fe80::1:2:3:4", AF_INET6 },
		{ "::ffff:192.0.2.1", AF_INET6 },
		{ "2001:0db8:0000:0000:0000:0000:0000:0001", AF_INET6 },
		{ "", AF_UNSPEC },
		{ "localhost", AF_UNSPEC },
		{ "256.0.0.1", AF_UNSPEC },
		{ "1.2.3", AF_UNSPEC },
		{ "1.2.3.4.5", AF_UNSPEC },
		{ " 1.2.3.4", AF_UNSPEC },
		{ "1.2.3.4 ", AF_UNSPEC },
		{ "2001:db8:::1", AF_UNSPEC },
		{ "1:2:3:4:5:6:7:8:9", AF_UNSPEC },
		{ std::string("1.2.3.4\0junk", 12), AF_UNSPEC },
		{ std::string(200, '1'), AF_UNSPEC },
	};

	for (const auto& row : rows)
	{
		INFO("ip '" << row.ip << "'");

		REQUIRE(IP::GetFamily(row.ip) == row.family);
	}
}

TEST_CASE("IP::NormalizeIp writes the canonical text form", "[IP]")
{
	struct Row
	{
		std::string input;
		std::string normalized;
	};

	const std::vector<Row> rows{
		{ "127.0.0.1", "127.0.0.1" },
		{ "::0:1", "::1" },
		{ "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "0:0:0:0:0:0:0:0", "::" },
		{ "FE80::ABCD", "fe80::abcd" },
	};

	for (const auto& row : rows)
	{
		INFO("ip '" << row.input << "'");

		std::string ip = row.input;

		IP::NormalizeIp(ip);

		REQUIRE(ip == row.normalized);
	}

	SECTION("a non-address throws MediaSoupTypeError")
	{
		for (const std::string bad : { "", "foo", "1.2.3.256", "::g" })
		{
			std::string ip = bad;

			REQUIRE_THROWS_AS(IP::NormalizeIp(ip), MediaSoupTypeError);
		}
	}
}

TEST_CASE("IP::MakeAddress and IP::GetAddressInfo round-trip", "[IP]")
{
	struct Row
	{
		std::string ip;
		uint16_t port;
		int family;
		size_t length;
	};

	const std::vector<Row> rows{
		{ "192.0.2.1", 32853u, AF_INET, sizeof(struct sockaddr_in) },
		{ "10.0.0.255", 0u, AF_INET, sizeof(struct sockaddr_in) },
		{ "2001:db8:1234:5678:11:2233:4455:6677", 32853u, AF_INET6, sizeof(struct sockaddr_in6) },
		{ "::1", 65535u, AF_INET6, sizeof(struct sockaddr_in6) },
	};

	for (const auto& row : rows)
	{
		INFO("ip '" << row.ip << "' port " << row.port);

		const auto storage = IP::MakeAddress(row.ip, row.port);
		int family{ AF_UNSPEC };
		std::string ip;
		uint16_t port{ 0u };

		IP::GetAddressInfo(AsSockaddr(storage), family, ip, port);

		REQUIRE(family == row.family);
		REQUIRE(ip == row.ip);
		REQUIRE(port == row.port);
		REQUIRE(IP::GetAddressLength(AsSockaddr(storage)) == row.length);
	}

	SECTION("a bad address throws MediaSoupTypeError")
	{
		REQUIRE_THROWS_AS(IP::MakeAddress("1.2.3.4.5", 1u), MediaSoupTypeError);
		REQUIRE_THROWS_AS(IP::MakeAddress("", 1u), MediaSoupTypeError);
	}

	SECTION("an unknown family gives no address and length 0")
	{
		struct sockaddr_storage storage
		{
		};
		int family{ AF_INET };
		std::string ip{ "x" };
		uint16_t port{ 1u };

		storage.ss_family = AF_UNIX;

		IP::GetAddressInfo(AsSockaddr(storage), family, ip, port);

		REQUIRE(family == AF_UNSPEC);
		REQUIRE(ip.empty());
		REQUIRE(port == 0u);
		REQUIRE(IP::GetAddressLength(AsSockaddr(storage)) == 0u);
	}
}

TEST_CASE("IP::CompareAddresses compares family, address and port", "[IP]")
{
	struct Row
	{
		std::string ip1;
		uint16_t port1;
		std::string ip2;
		uint16_t port2;
		bool equal;
	};

	const std::vector<Row> rows{
		{ "1.2.3.4", 1000u, "1.2.3.4", 1000u, true },
		{ "1.2.3.4", 1000u, "1.2.3.4", 1001u, false },
		{ "1.2.3.4", 1000u, "1.2.3.5", 1000u, false },
		{ "::1", 1000u, "::1", 1000u, true },
		{ "::1", 1000u, "::2", 1000u, false },
		{ "::1", 1000u, "::1", 2000u, false },
		{ "1.2.3.4", 1000u, "::ffff:1.2.3.4", 1000u, false },
	};

	for (const auto& row : rows)
	{
		INFO(row.ip1 << ":" << row.port1 << " vs " << row.ip2 << ":" << row.port2);

		const auto a = IP::MakeAddress(row.ip1, row.port1);
		const auto b = IP::MakeAddress(row.ip2, row.port2);

		REQUIRE(IP::CompareAddresses(AsSockaddr(a), AsSockaddr(b)) == row.equal);
		REQUIRE(IP::CompareAddresses(AsSockaddr(b), AsSockaddr(a)) == row.equal);
	}

	SECTION("unknown families are never equal")
	{
		struct sockaddr_storage a
		{
		};
		struct sockaddr_storage b
		{
		};

		a.ss_family = AF_UNIX;
		b.ss_family = AF_UNIX;

		REQUIRE_FALSE(IP::CompareAddresses(AsSockaddr(a), AsSockaddr(b)));
	}
}
