#ifndef MS_TCP_SERVER_HANDLE_HPP
#define MS_TCP_SERVER_HANDLE_HPP

#include "common.hpp"

#include "handles/TcpConnectionHandle.hpp"

#include <uv.h>

// A listening TCP socket. Accepted connections are handed to the listener,
// which owns them from then on.
class TcpServerHandle
{
public:
	class Listener
	{
	public:
		virtual ~Listener() = default;

	public:
		// `uvHandle` is initialised and accepted; wrap it in a
		// TcpConnectionHandle (which takes ownership) or close it.
		virtual void OnTcpServerConnectionAccepted(TcpServerHandle* server, uv_tcp_t* uvHandle) = 0;
	};

public:
	// Takes ownership of a bound and listening uv_tcp_t from
	// PortManager::BindTcp(), which listens so that a port in use is detected
	// while binding; connections reach OnUvConnection() from then on. Throws
	// MediaSoupError on failure (the handle is closed then).
	TcpServerHandle(Listener* listener, uv_tcp_t* uvHandle);
	~TcpServerHandle();
	TcpServerHandle(const TcpServerHandle&)            = delete;
	TcpServerHandle& operator=(const TcpServerHandle&) = delete;

public:
	void Close();
	const struct sockaddr* GetLocalAddress() const
	{
		return reinterpret_cast<const struct sockaddr*>(&this->localAddr);
	}
	int GetLocalFamily() const { return this->localAddr.ss_family; }
	const std::string& GetLocalIp() const { return this->localIp; }
	uint16_t GetLocalPort() const { return this->localPort; }

	/* Callbacks fired by libuv. */
public:
	void OnUvConnection(int status);

private:
	// Passed by argument.
	Listener* listener{ nullptr };
	// Allocated by this.
	uv_tcp_t* uvHandle{ nullptr };
	// Others.
	sockaddr_storage localAddr{};
	std::string localIp;
	uint16_t localPort{ 0u };
	bool closed{ false };
};

#endif
