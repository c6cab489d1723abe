#define MS_CLASS "TcpServerHandle"

#include "handles/TcpServerHandle.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

#include <netinet/in.h>

namespace
{
	void onClose(uv_handle_t* handle)
	{
		delete reinterpret_cast<uv_tcp_t*>(handle);
	}
} // namespace

TcpServerHandle::TcpServerHandle(Listener* listener, uv_tcp_t* uvHandle)
		: listener(listener), uvHandle(uvHandle)
{
	// PortManager::BindTcp() listened already; its connection callback forwards
	// to OnUvConnection() through `data`.
	int len = sizeof(this->localAddr);
	int err =
		uv_tcp_getsockname(this->uvHandle, reinterpret_cast<struct sockaddr*>(&this->localAddr), &len);

	if (err == 0)
	{
		char ip[INET6_ADDRSTRLEN]{};

		err = uv_ip_name(GetLocalAddress(), ip, sizeof(ip));

		if (err == 0)
		{
			this->localIp = ip;

			if (this->localAddr.ss_family == AF_INET)
			{
				this->localPort = ntohs(reinterpret_cast<struct sockaddr_in*>(&this->localAddr)->sin_port);
			}
			else
			{
				this->localPort =
					ntohs(reinterpret_cast<struct sockaddr_in6*>(&this->localAddr)->sin6_port);
			}
		}
	}

	if (err != 0)
	{
		Close();

		MS_THROW_ERROR("cannot get the local address of the TCP server: %s", uv_strerror(err));
	}

	this->uvHandle->data = this;
}

TcpServerHandle::~TcpServerHandle()
{
	Close();
}

void TcpServerHandle::Close()
{
	if (this->closed)
	{
		return;
	}

	this->closed = true;

	// A connection waiting in the backlog is dropped with the socket.
	this->uvHandle->data = nullptr;

	uv_close(reinterpret_cast<uv_handle_t*>(this->uvHandle), onClose);
}

void TcpServerHandle::OnUvConnection(int status)
{
	if (this->closed)
	{
		return;
	}

	if (status != 0)
	{
		MS_WARN_TAG(ice, "TCP connection failed on %s: %s", this->localIp.c_str(), uv_strerror(status));

		return;
	}

	auto* connection = new uv_tcp_t;
	int err          = uv_tcp_init(DepLibUV::GetLoop(), connection);

	if (err != 0)
	{
		delete connection;

		// libuv holds the pending connection until the next uv_accept().
		MS_ERROR("uv_tcp_init() failed: %s", uv_strerror(err));

		return;
	}

	err = uv_accept(
		reinterpret_cast<uv_stream_t*>(this->uvHandle), reinterpret_cast<uv_stream_t*>(connection));

	if (err != 0)
	{
		uv_close(reinterpret_cast<uv_handle_t*>(connection), onClose);

		MS_WARN_TAG(ice, "uv_accept() failed: %s", uv_strerror(err));

		return;
	}

	connection->data = nullptr;

	// The listener owns the connection from here (and may close this server).
	this->listener->OnTcpServerConnectionAccepted(this, connection);
}
