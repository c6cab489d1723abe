#define MS_CLASS "Utils::IP"

#include "Utils/IP.hpp"

#include "MediaSoupErrors.hpp"

#include <uv.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>

namespace
{
	// Longest text accepted as an IP address (a full IPv6 address with an
	// embedded IPv4 part is 45 characters); anything longer is not one.
	constexpr size_t MaxIpTextLength{ INET6_ADDRSTRLEN };

	// Copies `ip` into a NUL-terminated buffer, as inet_pton() wants. Returns
	// false when it cannot be an address (too long, or with an embedded NUL).
	bool ToCString(std::string_view ip, char (&buffer)[MaxIpTextLength + 1u])
	{
		if (ip.empty() || ip.size() > MaxIpTextLength || ip.find('\0') != std::string_view::npos)
		{
			return false;
		}

		std::memcpy(buffer, ip.data(), ip.size());
		buffer[ip.size()] = '\0';

		return true;
	}
} // namespace

namespace Utils
{
	int IP::GetFamily(std::string_view ip)
	{
		char text[MaxIpTextLength + 1u];

		if (!ToCString(ip, text))
		{
			return AF_UNSPEC;
		}

		struct in6_addr addr6
		{
		};

		if (uv_inet_pton(AF_INET, text, &addr6) == 0)
		{
			return AF_INET;
		}

		if (uv_inet_pton(AF_INET6, text, &addr6) == 0)
		{
			return AF_INET6;
		}

		return AF_UNSPEC;
	}

	void IP::NormalizeIp(std::string& ip)
	{
		const auto addr = MakeAddress(ip, 0u);
		int family{ AF_UNSPEC };
		uint16_t port{ 0u };

		GetAddressInfo(reinterpret_cast<const struct sockaddr*>(&addr), family, ip, port);
	}

	void IP::GetAddressInfo(const struct sockaddr* addr, int& family, std::string& ip, uint16_t& port)
	{
		char text[INET6_ADDRSTRLEN]{};

		switch (addr->sa_family)
		{
			case AF_INET:
			{
				const auto* addr4 = reinterpret_cast<const struct sockaddr_in*>(addr);

				uv_inet_ntop(AF_INET, &addr4->sin_addr, text, sizeof(text));
				family = AF_INET;
				port   = ntohs(addr4->sin_port);

				break;
			}

			case AF_INET6:
			{
				const auto* addr6 = reinterpret_cast<const struct sockaddr_in6*>(addr);

				uv_inet_ntop(AF_INET6, &addr6->sin6_addr, text, sizeof(text));
				family = AF_INET6;
				port   = ntohs(addr6->sin6_port);

				break;
			}

			default:
			{
				family = AF_UNSPEC;
				port   = 0u;
			}
		}

		ip.assign(text);
	}

	struct sockaddr_storage IP::MakeAddress(std::string_view ip, uint16_t port)
	{
		struct sockaddr_storage storage
		{
		};
		char text[MaxIpTextLength + 1u];

		if (!ToCString(ip, text))
		{
			MS_THROW_TYPE_ERROR(
				"invalid IP address '%.*s'", static_cast<int>(std::min<size_t>(ip.size(), 64u)), ip.data());
		}

		auto* addr4 = reinterpret_cast<struct sockaddr_in*>(&storage);

		if (uv_inet_pton(AF_INET, text, &addr4->sin_addr) == 0)
		{
			addr4->sin_family = AF_INET;
			addr4->sin_port   = htons(port);

			return storage;
		}

		storage     = {};
		auto* addr6 = reinterpret_cast<struct sockaddr_in6*>(&storage);

		if (uv_inet_pton(AF_INET6, text, &addr6->sin6_addr) == 0)
		{
			addr6->sin6_family = AF_INET6;
			addr6->sin6_port   = htons(port);

			return storage;
		}

		MS_THROW_TYPE_ERROR("invalid IP address '%s'", text);
	}

	bool IP::CompareAddresses(const struct sockaddr* addr1, const struct sockaddr* addr2)
	{
		if (addr1->sa_family != addr2->sa_family)
		{
			return false;
		}

		switch (addr1->sa_family)
		{
			case AF_INET:
			{
				const auto* a = reinterpret_cast<const struct sockaddr_in*>(addr1);
				const auto* b = reinterpret_cast<const struct sockaddr_in*>(addr2);

				return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
			}

			case AF_INET6:
			{
				const auto* a = reinterpret_cast<const struct sockaddr_in6*>(addr1);
				const auto* b = reinterpret_cast<const struct sockaddr_in6*>(addr2);

				return a->sin6_port == b->sin6_port &&
							 std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
			}

			default:
			{
				return false;
			}
		}
	}

	size_t IP::GetAddressLength(const struct sockaddr* addr)
	{
		switch (addr->sa_family)
		{
			case AF_INET:
			{
				return sizeof(struct sockaddr_in);
			}

			case AF_INET6:
			{
				return sizeof(struct sockaddr_in6);
			}

			default:
			{
				return 0u;
			}
		}
	}
} // namespace Utils
