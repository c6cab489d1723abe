#define MS_CLASS "TcpConnectionHandle"

#include "handles/TcpConnectionHandle.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "Utils/Byte.hpp"

#include <array>
#include <cstring>
#include <netinet/in.h>

namespace
{
	constexpr size_t ReadBufferSize{ 65536u };

	// One read buffer for all the connections of the loop (one loop per
	// thread): the decoder copies what it keeps of a read before the next one.
	thread_local std::array<uint8_t, ReadBufferSize> readBuffer;

	// A write that could not complete at once keeps its own copy of the bytes.
	struct PendingWrite
	{
		uv_write_t req;
		std::unique_ptr<uint8_t[]> data;
	};

	void onAlloc(uv_handle_t* handle, size_t suggestedSize, uv_buf_t* buf)
	{
		// The handle outlives the connection only while it is closing.
		if (handle->data)
		{
			static_cast<TcpConnectionHandle*>(handle->data)->OnUvReadAlloc(suggestedSize, buf);
		}
		else
		{
			*buf = uv_buf_init(nullptr, 0);
		}
	}

	void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf)
	{
		if (stream->data)
		{
			static_cast<TcpConnectionHandle*>(stream->data)->OnUvRead(nread, buf);
		}
	}

	void onWrite(uv_write_t* req, int status)
	{
		auto* connection = static_cast<TcpConnectionHandle*>(req->handle->data);

		delete reinterpret_cast<PendingWrite*>(req);

		// UV_ECANCELED: the connection is closing already.
		if (connection && status != 0 && status != UV_ECANCELED)
		{
			MS_WARN_TAG(ice, "TCP write failed: %s", uv_strerror(status));

			connection->Close();
		}
	}

	void onClose(uv_handle_t* handle)
	{
		auto* connection = static_cast<TcpConnectionHandle*>(handle->data);

		delete reinterpret_cast<uv_tcp_t*>(handle);

		// Still alive (not deleted before the socket finished closing): tell it.
		if (connection)
		{
			connection->OnUvClosed();
		}
	}

	// Fills `ip` and `port` from an AF_INET or AF_INET6 address.
	int getAddressInfo(const struct sockaddr_storage& storage, std::string& ip, uint16_t& port)
	{
		char text[INET6_ADDRSTRLEN]{};
		const int err =
			uv_ip_name(reinterpret_cast<const struct sockaddr*>(&storage), text, sizeof(text));

		if (err != 0)
		{
			return err;
		}

		ip = text;

		if (storage.ss_family == AF_INET)
		{
			port = ntohs(reinterpret_cast<const struct sockaddr_in*>(&storage)->sin_port);
		}
		else
		{
			port = ntohs(reinterpret_cast<const struct sockaddr_in6*>(&storage)->sin6_port);
		}

		return 0;
	}
} // namespace

TcpConnectionHandle::TcpConnectionHandle(Listener* listener, uv_tcp_t* uvHandle)
		: listener(listener), uvHandle(uvHandle), decoder(this)
{
	auto* localSockAddr = reinterpret_cast<struct sockaddr*>(&this->localAddr);
	auto* peerSockAddr  = reinterpret_cast<struct sockaddr*>(&this->peerAddr);
	int len             = sizeof(this->localAddr);
	int err             = uv_tcp_getsockname(this->uvHandle, localSockAddr, &len);

	if (err == 0)
	{
		len = sizeof(this->peerAddr);
		err = uv_tcp_getpeername(this->uvHandle, peerSockAddr, &len);
	}

	if (err == 0)
	{
		err = getAddressInfo(this->localAddr, this->localIp, this->localPort);
	}

	if (err == 0)
	{
		err = getAddressInfo(this->peerAddr, this->peerIp, this->peerPort);
	}

	if (err == 0)
	{
		this->uvHandle->data = this;

		err = uv_read_start(reinterpret_cast<uv_stream_t*>(this->uvHandle), onAlloc, onRead);
	}

	if (err != 0)
	{
		// No notification for a connection that never existed.
		this->closed         = true;
		this->uvHandle->data = nullptr;

		uv_close(reinterpret_cast<uv_handle_t*>(this->uvHandle), onClose);

		MS_THROW_ERROR("cannot start the TCP connection: %s", uv_strerror(err));
	}

	// Media is latency bound: no Nagle. A failure only costs latency.
	uv_tcp_nodelay(this->uvHandle, 1);
}

TcpConnectionHandle::~TcpConnectionHandle()
{
	Close();

	// The close callback, if still to come, only frees the handle.
	if (this->uvHandle)
	{
		this->uvHandle->data = nullptr;
	}
}

void TcpConnectionHandle::Close()
{
	if (this->closed)
	{
		return;
	}

	this->closed = true;

	// Queued writes are cancelled by uv_close() and freed in their callback;
	// the close callback notifies the listener (OnUvClosed()).
	uv_read_stop(reinterpret_cast<uv_stream_t*>(this->uvHandle));
	uv_close(reinterpret_cast<uv_handle_t*>(this->uvHandle), onClose);
}

bool TcpConnectionHandle::Send(const uint8_t* data, size_t len)
{
	if (this->closed)
	{
		return false;
	}

	if (len > Utils::Rfc4571Decoder::MaxFrameSize)
	{
		MS_WARN_TAG(ice, "packet of %zu bytes too large for RFC 4571 framing", len);

		return false;
	}

	std::array<uint8_t, Utils::Rfc4571Decoder::HeaderSize> header{};

	Utils::Byte::Set2Bytes(header.data(), 0, static_cast<uint16_t>(len));

	auto* stream       = reinterpret_cast<uv_stream_t*>(this->uvHandle);
	const size_t total = header.size() + len;
	std::array bufs{
		uv_buf_init(reinterpret_cast<char*>(header.data()), static_cast<unsigned int>(header.size())),
		uv_buf_init(reinterpret_cast<char*>(const_cast<uint8_t*>(data)), static_cast<unsigned int>(len))
	};

	// Write at once when possible; libuv refuses (EAGAIN) while earlier writes
	// are queued, which keeps the byte order.
	const int written = uv_try_write(stream, bufs.data(), len > 0u ? 2u : 1u);

	if (written >= 0 && static_cast<size_t>(written) == total)
	{
		this->sentBytes += total;

		return true;
	}
	else if (written < 0 && written != UV_EAGAIN)
	{
		MS_WARN_TAG(ice, "TCP write failed: %s", uv_strerror(written));

		// The listener hears of it from the loop, not from inside Send().
		Close();

		return false;
	}

	const size_t done    = written > 0 ? static_cast<size_t>(written) : 0u;
	const size_t pending = total - done;

	// A peer that does not read must not make us buffer without bound.
	if (uv_stream_get_write_queue_size(stream) + pending > MaxWriteQueueSize)
	{
		MS_WARN_TAG(
			ice,
			"closing TCP connection from %s:%u: more than %zu bytes waiting to be sent",
			this->peerIp.c_str(),
			static_cast<unsigned int>(this->peerPort),
			MaxWriteQueueSize);

		Close();

		return false;
	}

	auto* pendingWrite = new PendingWrite();
	size_t copied{ 0u };

	pendingWrite->data = std::make_unique<uint8_t[]>(pending);

	// What is left of the header, then what is left of the packet.
	if (done < header.size())
	{
		copied = header.size() - done;

		std::memcpy(pendingWrite->data.get(), header.data() + done, copied);
	}

	if (len > 0u)
	{
		const size_t dataOffset = done > header.size() ? done - header.size() : 0u;

		std::memcpy(pendingWrite->data.get() + copied, data + dataOffset, len - dataOffset);
	}

	uv_buf_t buffer = uv_buf_init(
		reinterpret_cast<char*>(pendingWrite->data.get()), static_cast<unsigned int>(pending));

	const int err = uv_write(&pendingWrite->req, stream, &buffer, 1, onWrite);

	if (err != 0)
	{
		delete pendingWrite;

		MS_WARN_TAG(ice, "uv_write() failed: %s", uv_strerror(err));

		Close();

		return false;
	}

	// Counted once handed to libuv, as a synchronous write is.
	this->sentBytes += total;

	return true;
}

void TcpConnectionHandle::OnRfc4571Frame(std::span<const uint8_t> frame)
{
	// Frames after a Close() from the listener, and empty frames, are dropped.
	if (this->closed || frame.empty())
	{
		return;
	}

	this->listener->OnTcpConnectionPacketReceived(this, frame.data(), frame.size());
}

void TcpConnectionHandle::OnUvReadAlloc(size_t /*suggestedSize*/, uv_buf_t* buf)
{
	*buf = uv_buf_init(
		reinterpret_cast<char*>(readBuffer.data()), static_cast<unsigned int>(readBuffer.size()));
}

void TcpConnectionHandle::OnUvRead(ssize_t nread, const uv_buf_t* buf)
{
	if (nread > 0)
	{
		this->recvBytes += static_cast<size_t>(nread);

		const bool ok = this->decoder.Feed(std::span<const uint8_t>(
			reinterpret_cast<const uint8_t*>(buf->base), static_cast<size_t>(nread)));

		// A frame too large for what the listener allows: the stream cannot be
		// resynchronised.
		if (!ok)
		{
			MS_DEBUG_TAG(
				ice,
				"TCP connection with %s:%u closed: frame too large",
				this->peerIp.c_str(),
				static_cast<unsigned int>(this->peerPort));

			Close();
		}
	}
	else if (nread == UV_EOF)
	{
		MS_DEBUG_TAG(
			ice,
			"TCP connection closed by the peer %s:%u",
			this->peerIp.c_str(),
			static_cast<unsigned int>(this->peerPort));

		Close();
	}
	else if (nread < 0)
	{
		MS_DEBUG_TAG(
			ice,
			"TCP connection with %s:%u failed: %s",
			this->peerIp.c_str(),
			static_cast<unsigned int>(this->peerPort),
			uv_strerror(static_cast<int>(nread)));

		Close();
	}
}

void TcpConnectionHandle::OnUvClosed()
{
	// libuv freed the handle.
	this->uvHandle = nullptr;

	// The listener deletes this connection: nothing after the call.
	this->listener->OnTcpConnectionClosed(this);
}
