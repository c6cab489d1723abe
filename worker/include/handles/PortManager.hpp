#ifndef MS_PORT_MANAGER_HPP
#define MS_PORT_MANAGER_HPP

#include "common.hpp"

#include <uv.h>

// Binds UDP and TCP sockets for transports: on an exact port, or on a free
// port of a range, starting at a random port of it and trying the others in
// turn (ports the OS refuses with EADDRINUSE or EACCES are skipped; any other
// error, such as EADDRNOTAVAIL for an IP not on this host, fails at once).
// The returned handles are initialised on the default loop and owned by the
// caller (who closes them with uv_close and deletes them in the close
// callback, as the handles/ classes do).
//
// TCP: libuv keeps the EADDRINUSE of a TCP bind as a "delayed error" reported
// only by uv_listen(), and it sets SO_REUSEADDR on every TCP socket, so two
// sockets bound but not yet listening can share a port on Linux. BindTcp()
// therefore also listens (backlog TcpBacklog): a port in use is found here and
// the next one of the range tried. The handle it returns is listening; wrap it
// in a TcpServerHandle at once (before the loop runs), which receives the
// connections and does not listen again.
//
// Socket buffer sizes go through uv_send_buffer_size()/uv_recv_buffer_size()
// (SO_SNDBUF/SO_RCVBUF; Linux doubles the value and caps it at
// net.core.wmem_max/rmem_max). For TCP they are set on the listening socket,
// whose accepted connections inherit them.
class PortManager
{
public:
	static constexpr int TcpBacklog{ 256 };

public:
	struct Flags
	{
		// IPV6_V6ONLY on an IPv6 address (ignored for IPv4, where it means nothing).
		bool ipv6Only{ false };
		// UV_UDP_REUSEADDR. With libuv 1.44 on Linux that is SO_REUSEADDR, not
		// SO_REUSEPORT (libuv uses SO_REUSEPORT only on the BSDs, macOS and z/OS,
		// because Linux's SO_REUSEPORT load-balances instead of sharing). On a
		// UDP unicast socket it lets several sockets, all with the flag, bind the
		// same ip:port; Linux then delivers each datagram to one of them (the
		// last bound), so it is not load balancing.
		bool udpReusePort{ false };
	};

	struct BindOptions
	{
		// Already validated and normalised IP to bind ("0.0.0.0" and "::" allowed).
		std::string ip;
		// Non-zero: exactly this port.
		uint16_t port{ 0u };
		// Used when `port` is 0. A minPort of 0 means 1 (port 0 is never bound).
		uint16_t minPort{ 10000u };
		uint16_t maxPort{ 59999u };
		Flags flags;
		// 0: the OS default.
		uint32_t sendBufferSize{ 0u };
		uint32_t recvBufferSize{ 0u };
	};

public:
	// Throws MediaSoupTypeError for a bad IP, minPort > maxPort or maxPort 0, and
	// MediaSoupError when the IP cannot be bound, the port is in use or no port
	// of the range is free.
	static uv_udp_t* BindUdp(const BindOptions& options);
	static uv_tcp_t* BindTcp(const BindOptions& options);
};

#endif
