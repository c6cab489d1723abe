// The whole-path fuzzer's UdpSocketHandle: the uv_udp_t that PortManager
// bound is kept (and closed) but never read or written. Datagrams come from
// FuzzerHandles::DeliverDatagram() and sends are only counted.

#define MS_CLASS "UdpSocketHandle"

#include "FuzzerHandles.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

#include <cstring>
#include <memory>
#include <netinet/in.h>
#include <vector>

namespace
{
	struct Entry
	{
		UdpSocketHandle* socket;
		UdpSocketHandle::Listener* listener;
	};

	// Live sockets, oldest first.
	std::vector<Entry> sockets;

	void onClose(uv_handle_t* handle)
	{
		delete reinterpret_cast<uv_udp_t*>(handle);
	}
} // namespace

UdpSocketHandle::UdpSocketHandle(Listener* listener, uv_udp_t* uvHandle)
		: listener(listener), uvHandle(uvHandle)
{
	this->uvHandle->data = nullptr;

	int len = sizeof(this->localAddr);

	if (
		uv_udp_getsockname(
			this->uvHandle, reinterpret_cast<struct sockaddr*>(&this->localAddr), &len) != 0)
	{
		Close();

		MS_THROW_ERROR("uv_udp_getsockname() failed");
	}

	char text[INET6_ADDRSTRLEN]{};

	uv_ip_name(GetLocalAddress(), text, sizeof(text));

	this->localIp = text;
	this->localPort =
		this->localAddr.ss_family == AF_INET6
			? ntohs(reinterpret_cast<const struct sockaddr_in6*>(&this->localAddr)->sin6_port)
			: ntohs(reinterpret_cast<const struct sockaddr_in*>(&this->localAddr)->sin_port);

	sockets.push_back({ this, listener });
}

UdpSocketHandle::~UdpSocketHandle()
{
	Close();
}

void UdpSocketHandle::Close()
{
	if (this->closed)
	{
		return;
	}

	this->closed = true;

	std::erase_if(sockets, [this](const Entry& entry) { return entry.socket == this; });
	uv_close(reinterpret_cast<uv_handle_t*>(this->uvHandle), onClose);
}

bool UdpSocketHandle::Send(const uint8_t* data, size_t len, const struct sockaddr* addr)
{
	if (this->closed || !addr)
	{
		return false;
	}

	// Whatever the worker sends is read once, as the kernel would.
	volatile uint8_t sink = 0u;

	for (size_t i = 0u; i < len; ++i)
	{
		sink = sink ^ data[i];
	}

	this->sentBytes += len;

	return true;
}

void UdpSocketHandle::OnUvRecvAlloc(size_t /*suggestedSize*/, uv_buf_t* buf)
{
	*buf = uv_buf_init(nullptr, 0);
}

void UdpSocketHandle::OnUvRecv(
	ssize_t /*nread*/,
	const uv_buf_t* /*buf*/,
	const struct sockaddr* /*addr*/,
	unsigned int /*flags*/)
{
}

namespace FuzzerHandles
{
	UdpSocketHandle* FindUdpSocket(const UdpSocketHandle::Listener* listener, size_t nth)
	{
		for (const auto& entry : sockets)
		{
			if (entry.listener == listener && nth-- == 0u)
			{
				return entry.socket;
			}
		}

		return nullptr;
	}

	size_t GetUdpSocketCount()
	{
		return sockets.size();
	}

	void DeliverDatagram(
		UdpSocketHandle* socket, const uint8_t* data, size_t len, const struct sockaddr* remoteAddr)
	{
		for (const auto& entry : sockets)
		{
			if (entry.socket != socket)
			{
				continue;
			}

			// Exactly `len` bytes on the heap: ASan catches a read past the end.
			auto copy = std::make_unique<uint8_t[]>(len == 0u ? 1u : len);

			if (len > 0u)
			{
				std::memcpy(copy.get(), data, len);
			}

			entry.listener->OnUdpSocketPacketReceived(socket, copy.get(), len, remoteAddr);

			return;
		}
	}
} // namespace FuzzerHandles
