#ifndef MS_UDP_SOCKET_HANDLE_HPP
#define MS_UDP_SOCKET_HANDLE_HPP

#include "common.hpp"

#include <uv.h>

// A bound UDP socket on the libuv loop. Received datagrams go to the listener
// with a view valid only during the call; sends try a synchronous
// uv_udp_try_send() first and fall back to a queued uv_udp_send() with a copy.
class UdpSocketHandle
{
public:
	class Listener
	{
	public:
		virtual ~Listener() = default;

	public:
		virtual void OnUdpSocketPacketReceived(
			UdpSocketHandle* socket,
			const uint8_t* data,
			size_t len,
			const struct sockaddr* remoteAddr) = 0;
	};

public:
	// Takes ownership of a bound and initialised uv_udp_t (see PortManager).
	// Throws MediaSoupError if it cannot start receiving.
	UdpSocketHandle(Listener* listener, uv_udp_t* uvHandle);
	~UdpSocketHandle();
	UdpSocketHandle(const UdpSocketHandle&)            = delete;
	UdpSocketHandle& operator=(const UdpSocketHandle&) = delete;

public:
	void Close();
	bool IsClosed() const { return this->closed; }
	// Returns false when the datagram could not be sent or queued.
	bool Send(const uint8_t* data, size_t len, const struct sockaddr* addr);
	const struct sockaddr* GetLocalAddress() const
	{
		return reinterpret_cast<const struct sockaddr*>(&this->localAddr);
	}
	int GetLocalFamily() const { return this->localAddr.ss_family; }
	const std::string& GetLocalIp() const { return this->localIp; }
	uint16_t GetLocalPort() const { return this->localPort; }
	size_t GetRecvBytes() const { return this->recvBytes; }
	size_t GetSentBytes() const { return this->sentBytes; }
	void SetListener(Listener* listener) { this->listener = listener; }

	/* Callbacks fired by libuv. */
public:
	void OnUvRecvAlloc(size_t suggestedSize, uv_buf_t* buf);
	void
	OnUvRecv(ssize_t nread, const uv_buf_t* buf, const struct sockaddr* addr, unsigned int flags);

private:
	// Passed by argument.
	Listener* listener{ nullptr };
	// Allocated by this.
	uv_udp_t* uvHandle{ nullptr };
	// Others.
	struct sockaddr_storage localAddr
	{
	};
	std::string localIp;
	uint16_t localPort{ 0u };
	bool closed{ false };
	size_t recvBytes{ 0u };
	size_t sentBytes{ 0u };
};

#endif
