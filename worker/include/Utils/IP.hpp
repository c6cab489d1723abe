#ifndef MS_UTILS_IP_HPP
#define MS_UTILS_IP_HPP

#include "common.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

namespace Utils
{
	class IP
	{
	public:
		// AF_INET, AF_INET6, or AF_UNSPEC when `ip` is not an IP address.
		static int GetFamily(std::string_view ip);
		// Rewrites `ip` in its canonical text form ("::0:1" -> "::1"). Throws
		// MediaSoupTypeError if it is not an IP address.
		static void NormalizeIp(std::string& ip);
		// Fills `ip` and `port` from a sockaddr_in / sockaddr_in6.
		static void
		GetAddressInfo(const struct sockaddr* addr, int& family, std::string& ip, uint16_t& port);
		// Builds a sockaddr from text. Throws MediaSoupTypeError on a bad address.
		static struct sockaddr_storage MakeAddress(std::string_view ip, uint16_t port);
		// Same family, address and port.
		static bool CompareAddresses(const struct sockaddr* addr1, const struct sockaddr* addr2);
		static size_t GetAddressLength(const struct sockaddr* addr);
	};
} // namespace Utils

#endif
