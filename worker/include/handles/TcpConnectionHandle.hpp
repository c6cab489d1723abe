#ifndef MS_TCP_CONNECTION_HANDLE_HPP
#define MS_TCP_CONNECTION_HANDLE_HPP

#include "common.hpp"

#include "Utils/Rfc4571Decoder.hpp"

#include <uv.h>

// An accepted TCP connection carrying RFC 4571 framed packets (2-byte
// big-endian length, then the packet), as ICE-TCP does (RFC 6544).
class TcpConnectionHandle : public Utils::Rfc4571Decoder::Listener
{
public:
	class Listener
	{
	public:
		virtual ~Listener() = default;

	public:
		// A whole framed packet (zero-length frames are dropped); `data` is
		// valid only during the call. Do not delete the connection from here:
		// Close() it, and OnTcpConnectionClosed() follows.
		virtual void OnTcpConnectionPacketReceived(
			TcpConnectionHandle* connection, const uint8_t* data, size_t len) = 0;
		// The peer closed, an error happened, a slow peer let more than
		// MaxWriteQueueSize bytes pile up, or Close() was called. Called once,
		// from the loop once the socket is closed (never from inside Send() or
		// Close()), and not at all if the connection is deleted first. The
		// listener must destroy the connection.
		virtual void OnTcpConnectionClosed(TcpConnectionHandle* connection) = 0;
	};

public:
	// Takes ownership of an initialised uv_tcp_t on which uv_accept() succeeded.
	// Throws MediaSoupError if it cannot start reading.
	TcpConnectionHandle(Listener* listener, uv_tcp_t* uvHandle);
	~TcpConnectionHandle() override;
	TcpConnectionHandle(const TcpConnectionHandle&)            = delete;
	TcpConnectionHandle& operator=(const TcpConnectionHandle&) = delete;

public:
	// Bytes waiting in the send queue above which the connection is closed.
	static constexpr size_t MaxWriteQueueSize{ 1024u * 1024u };

public:
	// Stops reading and writing (queued writes are dropped). The listener then
	// gets OnTcpConnectionClosed() from the loop.
	void Close();
	bool IsClosed() const { return this->closed; }
	// Sends one packet with its 2-byte length prefix. Returns false when the
	// packet is too large (> 65535) or the connection is closed, or gets closed
	// by this call (a write error, or more than MaxWriteQueueSize queued).
	bool Send(const uint8_t* data, size_t len);
	const struct sockaddr* GetLocalAddress() const
	{
		return reinterpret_cast<const struct sockaddr*>(&this->localAddr);
	}
	const struct sockaddr* GetPeerAddress() const
	{
		return reinterpret_cast<const struct sockaddr*>(&this->peerAddr);
	}
	const std::string& GetLocalIp() const { return this->localIp; }
	uint16_t GetLocalPort() const { return this->localPort; }
	const std::string& GetPeerIp() const { return this->peerIp; }
	uint16_t GetPeerPort() const { return this->peerPort; }
	size_t GetRecvBytes() const { return this->recvBytes; }
	// Frames announcing more are refused: the connection closes (e.g. a small
	// limit until the peer authenticated, so it cannot make us buffer 64 KiB).
	void SetMaxFrameSize(size_t size) { this->decoder.SetMaxFrameSize(size); }
	// Whether it closed because a frame announced more than that.
	bool IsFrameRefused() const { return this->decoder.HasFailed(); }
	// Heap held to reassemble a frame spanning reads (0 between frames).
	size_t GetReassemblySize() const { return this->decoder.GetAllocatedSize(); }
	size_t GetSentBytes() const { return this->sentBytes; }

	/* Pure virtual methods inherited from Utils::Rfc4571Decoder::Listener. */
public:
	void OnRfc4571Frame(std::span<const uint8_t> frame) override;

	/* Callbacks fired by libuv. */
public:
	void OnUvReadAlloc(size_t suggestedSize, uv_buf_t* buf);
	void OnUvRead(ssize_t nread, const uv_buf_t* buf);
	void OnUvClosed();

private:
	// Passed by argument.
	Listener* listener{ nullptr };
	// Allocated by this (freed by libuv's close callback, which resets it).
	uv_tcp_t* uvHandle{ nullptr };
	// Others.
	Utils::Rfc4571Decoder decoder;
	sockaddr_storage localAddr{};
	sockaddr_storage peerAddr{};
	std::string localIp;
	uint16_t localPort{ 0u };
	std::string peerIp;
	uint16_t peerPort{ 0u };
	bool closed{ false };
	size_t recvBytes{ 0u };
	size_t sentBytes{ 0u };
};

#endif
