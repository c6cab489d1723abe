#define MS_CLASS "UdpSocketHandle"

#include "handles/UdpSocketHandle.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

#include <array>
#include <cstring>
#include <netinet/in.h>

namespace
{
	// Largest UDP payload: every datagram fits, so none is ever truncated by us.
	constexpr size_t RecvBufferSize{ 65536u };
	// Bytes of queued (not yet sent) datagrams above which Send() drops new
	// ones: a socket the kernel keeps refusing must not grow our memory.
	constexpr size_t MaxSendQueueSize{ 1024u * 1024u };

	// One receive buffer for all the sockets of the loop (one loop per thread):
	// each datagram is handed to its listener before the next one is read.
	thread_local std::array<uint8_t, RecvBufferSize> recvBuffer;

	// A datagram the kernel could not take at once, with its own copy of the
	// bytes.
	struct PendingSend
	{
		uv_udp_send_t req;
		std::unique_ptr<uint8_t[]> data;
		size_t len{ 0u };
	};

	void onAlloc(uv_handle_t* handle, size_t suggestedSize, uv_buf_t* buf)
	{
		// The handle outlives the socket only while it is closing.
		if (handle->data)
		{
			static_cast<UdpSocketHandle*>(handle->data)->OnUvRecvAlloc(suggestedSize, buf);
		}
		else
		{
			*buf = uv_buf_init(nullptr, 0);
		}
	}

	void onRecv(
		uv_udp_t* handle,
		ssize_t nread,
		const uv_buf_t* buf,
		const struct sockaddr* addr,
		unsigned int flags)
	{
		if (handle->data)
		{
			static_cast<UdpSocketHandle*>(handle->data)->OnUvRecv(nread, buf, addr, flags);
		}
	}

	void onSend(uv_udp_send_t* req, int status)
	{
		auto* pendingSend = reinterpret_cast<PendingSend*>(req);
		auto* socket      = static_cast<UdpSocketHandle*>(req->handle->data);

		if (socket && status != 0 && status != UV_ECANCELED)
		{
			MS_WARN_TAG(
				rtp, "queued datagram of %zu bytes not sent: %s", pendingSend->len, uv_strerror(status));
		}

		delete pendingSend;
	}

	void onClose(uv_handle_t* handle)
	{
		delete reinterpret_cast<uv_udp_t*>(handle);
	}

	// Fills `ip` and `port` from an AF_INET or AF_INET6 address.
	bool getAddressInfo(const struct sockaddr* addr, std::string& ip, uint16_t& port)
	{
		char text[INET6_ADDRSTRLEN]{};

		if (uv_ip_name(addr, text, sizeof(text)) != 0)
		{
			return false;
		}

		ip = text;

		if (addr->sa_family == AF_INET)
		{
			port = ntohs(reinterpret_cast<const struct sockaddr_in*>(addr)->sin_port);
		}
		else
		{
			port = ntohs(reinterpret_cast<const struct sockaddr_in6*>(addr)->sin6_port);
		}

		return true;
	}
} // namespace

UdpSocketHandle::UdpSocketHandle(Listener* listener, uv_udp_t* uvHandle)
		: listener(listener), uvHandle(uvHandle)
{
	this->uvHandle->data = this;

	int len = sizeof(this->localAddr);
	int err =
		uv_udp_getsockname(this->uvHandle, reinterpret_cast<struct sockaddr*>(&this->localAddr), &len);

	if (err != 0)
	{
		Close();

		MS_THROW_ERROR("uv_udp_getsockname() failed: %s", uv_strerror(err));
	}

	if (!getAddressInfo(GetLocalAddress(), this->localIp, this->localPort))
	{
		Close();

		MS_THROW_ERROR("UDP socket bound to an address of unknown family");
	}

	err = uv_udp_recv_start(this->uvHandle, onAlloc, onRecv);

	if (err != 0)
	{
		Close();

		MS_THROW_ERROR("uv_udp_recv_start() failed: %s", uv_strerror(err));
	}
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

	// Queued sends are cancelled by uv_close() and freed in their callback.
	this->uvHandle->data = nullptr;

	uv_udp_recv_stop(this->uvHandle);
	uv_close(reinterpret_cast<uv_handle_t*>(this->uvHandle), onClose);
}

bool UdpSocketHandle::Send(const uint8_t* data, size_t len, const struct sockaddr* addr)
{
	if (this->closed)
	{
		return false;
	}

	if (len > RecvBufferSize)
	{
		MS_WARN_TAG(rtp, "datagram of %zu bytes too large to send", len);

		return false;
	}

	uv_buf_t buffer = uv_buf_init(
		reinterpret_cast<char*>(const_cast<uint8_t*>(data)), static_cast<unsigned int>(len));

	// Send at once when the kernel can take it (nothing queued before it, which
	// libuv checks, so datagrams keep their order).
	const int sent = uv_udp_try_send(this->uvHandle, &buffer, 1, addr);

	if (sent >= 0)
	{
		this->sentBytes += len;

		return true;
	}
	else if (sent != UV_EAGAIN)
	{
		MS_WARN_TAG(rtp, "uv_udp_try_send() failed: %s", uv_strerror(sent));

		return false;
	}

	if (uv_udp_get_send_queue_size(this->uvHandle) + len > MaxSendQueueSize)
	{
		MS_WARN_TAG(rtp, "send queue full, datagram of %zu bytes dropped", len);

		return false;
	}

	auto* pendingSend = new PendingSend();

	pendingSend->data = std::make_unique<uint8_t[]>(len);
	pendingSend->len  = len;

	if (len > 0u)
	{
		std::memcpy(pendingSend->data.get(), data, len);
	}

	buffer =
		uv_buf_init(reinterpret_cast<char*>(pendingSend->data.get()), static_cast<unsigned int>(len));

	const int err = uv_udp_send(&pendingSend->req, this->uvHandle, &buffer, 1, addr, onSend);

	if (err != 0)
	{
		delete pendingSend;

		MS_WARN_TAG(rtp, "uv_udp_send() failed: %s", uv_strerror(err));

		return false;
	}

	// Counted once handed to libuv, as a synchronous send is.
	this->sentBytes += len;

	return true;
}

void UdpSocketHandle::OnUvRecvAlloc(size_t /*suggestedSize*/, uv_buf_t* buf)
{
	*buf = uv_buf_init(
		reinterpret_cast<char*>(recvBuffer.data()), static_cast<unsigned int>(recvBuffer.size()));
}

void UdpSocketHandle::OnUvRecv(
	ssize_t nread, const uv_buf_t* buf, const struct sockaddr* addr, unsigned int flags)
{
	// Nothing more to read for now (nread 0, no address): not a datagram.
	if (nread == 0 && !addr)
	{
		return;
	}

	if (nread < 0)
	{
		// E.g. ICMP errors reported on the socket: the socket stays usable.
		MS_WARN_TAG(rtp, "read error: %s", uv_strerror(static_cast<int>(nread)));

		return;
	}

	if ((flags & UV_UDP_PARTIAL) != 0u)
	{
		MS_DEBUG_TAG(rtp, "truncated datagram dropped");

		return;
	}

	// Empty datagrams carry nothing for any protocol we speak.
	if (nread == 0 || !addr)
	{
		return;
	}

	this->recvBytes += static_cast<size_t>(nread);

	if (!this->listener)
	{
		return;
	}

	// The listener may close or delete this socket: nothing after the call.
	this->listener->OnUdpSocketPacketReceived(
		this, reinterpret_cast<const uint8_t*>(buf->base), static_cast<size_t>(nread), addr);
}
