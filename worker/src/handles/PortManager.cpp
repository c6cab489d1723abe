#define MS_CLASS "PortManager"

#include "handles/PortManager.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "handles/TcpServerHandle.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <netinet/in.h>

namespace
{
	template <typename Handle>
	void onClose(uv_handle_t* handle)
	{
		delete reinterpret_cast<Handle*>(handle);
	}

	// The listening callback given to uv_listen() here: connections go to the
	// TcpServerHandle that wraps the handle. Until one does (it is created right
	// after BindTcp(), before the loop runs again), a connection is left
	// unaccepted and libuv waits for uv_accept().
	void onConnection(uv_stream_t* server, int status)
	{
		if (server->data)
		{
			static_cast<TcpServerHandle*>(server->data)->OnUvConnection(status);
		}
	}

	// Text of "ip:port" for messages, with brackets for IPv6.
	std::string endpointText(const std::string& ip, int family, uint16_t port)
	{
		if (family == AF_INET6)
		{
			return "[" + ip + "]:" + std::to_string(port);
		}

		return ip + ":" + std::to_string(port);
	}

	// A uniform random offset in [0, count).
	uint32_t randomOffset(uint32_t count)
	{
		uint32_t value{ 0u };

		// Without randomness the range is still walked, from its first port.
		if (RAND_bytes(reinterpret_cast<unsigned char*>(&value), sizeof(value)) != 1)
		{
			return 0u;
		}

		// The bias of the modulo is at most count / 2^32: irrelevant here.
		return value % count;
	}

	// Tries to bind (and for TCP, listen on) one address. Returns 0 and sets
	// `out`, or a libuv error with nothing left open.
	int tryBind(const struct sockaddr* addr, const PortManager::BindOptions& options, uv_udp_t*& out)
	{
		auto* handle  = new uv_udp_t;
		const int err = uv_udp_init(DepLibUV::GetLoop(), handle);

		if (err != 0)
		{
			delete handle;

			return err;
		}

		handle->data = nullptr;

		unsigned int flags{ 0u };

		if (options.flags.ipv6Only && addr->sa_family == AF_INET6)
		{
			flags |= UV_UDP_IPV6ONLY;
		}

		// libuv 1.44 sets SO_REUSEADDR on Linux for this flag (SO_REUSEPORT only
		// on other Unixes): see the header.
		if (options.flags.udpReusePort)
		{
			flags |= UV_UDP_REUSEADDR;
		}

		const int bindErr = uv_udp_bind(handle, addr, flags);

		if (bindErr != 0)
		{
			uv_close(reinterpret_cast<uv_handle_t*>(handle), onClose<uv_udp_t>);

			return bindErr;
		}

		out = handle;

		return 0;
	}

	int tryBind(const struct sockaddr* addr, const PortManager::BindOptions& options, uv_tcp_t*& out)
	{
		auto* handle = new uv_tcp_t;
		int err      = uv_tcp_init(DepLibUV::GetLoop(), handle);

		if (err != 0)
		{
			delete handle;

			return err;
		}

		// No TcpServerHandle yet: see onConnection().
		handle->data = nullptr;

		unsigned int flags{ 0u };

		if (options.flags.ipv6Only && addr->sa_family == AF_INET6)
		{
			flags |= UV_TCP_IPV6ONLY;
		}

		// libuv reports EADDRINUSE of a TCP bind only at listen time (it keeps it
		// as a "delayed error"), and with SO_REUSEADDR, which libuv always sets,
		// two sockets that are bound but not listening may share a port. Listening
		// here is what proves the port is ours.
		err = uv_tcp_bind(handle, addr, flags);

		if (err == 0)
		{
			err =
				uv_listen(reinterpret_cast<uv_stream_t*>(handle), PortManager::TcpBacklog, onConnection);
		}

		if (err != 0)
		{
			uv_close(reinterpret_cast<uv_handle_t*>(handle), onClose<uv_tcp_t>);

			return err;
		}

		out = handle;

		return 0;
	}

	// Applies the socket buffer sizes asked for. Returns 0 or a libuv error.
	int setBufferSizes(uv_handle_t* handle, const PortManager::BindOptions& options)
	{
		if (options.sendBufferSize != 0u)
		{
			int value     = static_cast<int>(options.sendBufferSize);
			const int err = uv_send_buffer_size(handle, &value);

			if (err != 0)
			{
				return err;
			}
		}

		if (options.recvBufferSize != 0u)
		{
			int value     = static_cast<int>(options.recvBufferSize);
			const int err = uv_recv_buffer_size(handle, &value);

			if (err != 0)
			{
				return err;
			}
		}

		return 0;
	}

	// Checks the options and returns the family of the IP. Throws
	// MediaSoupTypeError.
	int validate(const PortManager::BindOptions& options)
	{
		unsigned char bytes[sizeof(struct in6_addr)];
		int family{ AF_UNSPEC };

		if (uv_inet_pton(AF_INET, options.ip.c_str(), bytes) == 0)
		{
			family = AF_INET;
		}
		else if (uv_inet_pton(AF_INET6, options.ip.c_str(), bytes) == 0)
		{
			family = AF_INET6;
		}
		else
		{
			MS_THROW_TYPE_ERROR("invalid IP '%s'", options.ip.c_str());
		}

		if (options.port == 0u)
		{
			// A range may start at 0 (rtcMinPort: 0 as in mediasoup) but port 0 is
			// never tried, so it must hold at least one real port.
			if (options.maxPort == 0u)
			{
				MS_THROW_TYPE_ERROR("maxPort must be greater than 0");
			}

			if (options.minPort > options.maxPort)
			{
				MS_THROW_TYPE_ERROR(
					"minPort (%u) cannot be greater than maxPort (%u)",
					static_cast<unsigned int>(options.minPort),
					static_cast<unsigned int>(options.maxPort));
			}
		}

		if (options.sendBufferSize > INT_MAX || options.recvBufferSize > INT_MAX)
		{
			MS_THROW_TYPE_ERROR("socket buffer size too large");
		}

		return family;
	}

	struct sockaddr_storage makeAddress(const std::string& ip, int family, uint16_t port)
	{
		sockaddr_storage storage{};

		// The IP was validated: these cannot fail.
		if (family == AF_INET)
		{
			uv_ip4_addr(ip.c_str(), port, reinterpret_cast<struct sockaddr_in*>(&storage));
		}
		else
		{
			uv_ip6_addr(ip.c_str(), port, reinterpret_cast<struct sockaddr_in6*>(&storage));
		}

		return storage;
	}

	// The bind algorithm shared by UDP and TCP. Throws MediaSoupTypeError and
	// MediaSoupError.
	template <typename Handle>
	Handle* bindPort(const PortManager::BindOptions& options, const char* protocol)
	{
		const int family = validate(options);
		Handle* handle{ nullptr };
		uint16_t port{ 0u };

		if (options.port != 0u)
		{
			port          = options.port;
			auto storage  = makeAddress(options.ip, family, port);
			const int err = tryBind(reinterpret_cast<const struct sockaddr*>(&storage), options, handle);

			if (err == UV_EADDRINUSE)
			{
				MS_THROW_ERROR(
					"%s port in use: %s", protocol, endpointText(options.ip, family, port).c_str());
			}
			else if (err != 0)
			{
				MS_THROW_ERROR(
					"cannot bind %s on %s: %s",
					protocol,
					endpointText(options.ip, family, port).c_str(),
					uv_strerror(err));
			}
		}
		else
		{
			// Binding port 0 would let the OS pick any port, outside the range.
			const uint16_t firstPort = std::max<uint16_t>(options.minPort, 1u);
			const uint32_t count     = static_cast<uint32_t>(options.maxPort - firstPort) + 1u;
			const uint32_t start     = randomOffset(count);

			// Each port of the range once, from a random one, wrapping.
			for (uint32_t i = 0u; i < count && !handle; ++i)
			{
				port         = static_cast<uint16_t>(firstPort + ((start + i) % count));
				auto storage = makeAddress(options.ip, family, port);
				const int err =
					tryBind(reinterpret_cast<const struct sockaddr*>(&storage), options, handle);

				// Taken, or reserved to the superuser: try the next one.
				if (err == UV_EADDRINUSE || err == UV_EACCES)
				{
					continue;
				}
				// Anything else (the IP is not on this host, ...) fails on every port.
				else if (err != 0)
				{
					MS_THROW_ERROR(
						"cannot bind %s on %s: %s",
						protocol,
						endpointText(options.ip, family, port).c_str(),
						uv_strerror(err));
				}
			}

			if (!handle)
			{
				MS_THROW_ERROR(
					"no more available ports in range [%u, %u] for ip '%s' (%s)",
					static_cast<unsigned int>(options.minPort),
					static_cast<unsigned int>(options.maxPort),
					options.ip.c_str(),
					protocol);
			}
		}

		const int err = setBufferSizes(reinterpret_cast<uv_handle_t*>(handle), options);

		if (err != 0)
		{
			uv_close(reinterpret_cast<uv_handle_t*>(handle), onClose<Handle>);

			MS_THROW_ERROR(
				"cannot set the socket buffer sizes of %s %s: %s",
				protocol,
				endpointText(options.ip, family, port).c_str(),
				uv_strerror(err));
		}

		MS_DEBUG_DEV("%s bound on %s", protocol, endpointText(options.ip, family, port).c_str());

		return handle;
	}
} // namespace

uv_udp_t* PortManager::BindUdp(const BindOptions& options)
{
	return bindPort<uv_udp_t>(options, "UDP");
}

uv_tcp_t* PortManager::BindTcp(const BindOptions& options)
{
	return bindPort<uv_tcp_t>(options, "TCP");
}
