#define MS_CLASS "RTC::TransportTuple"

#include "RTC/TransportTuple.hpp"

#include "Utils/IP.hpp"

#include <cstring>

namespace
{
	// Copies exactly the bytes of a sockaddr_in / sockaddr_in6 into zeroed
	// storage, so two tuples of the same address hold the same bytes.
	void CopyAddress(struct sockaddr_storage& storage, const struct sockaddr* addr)
	{
		storage = {};

		if (!addr)
		{
			return;
		}

		std::memcpy(&storage, addr, Utils::IP::GetAddressLength(addr));
	}
} // namespace

namespace RTC
{
	TransportTuple::TransportTuple(UdpSocketHandle* udpSocket, const struct sockaddr* udpRemoteAddr)
			: udpSocket(udpSocket), protocol(Protocol::UDP)
	{
		CopyAddress(this->remoteAddr, udpRemoteAddr);
	}

	TransportTuple::TransportTuple(TcpConnectionHandle* tcpConnection)
			: tcpConnection(tcpConnection), protocol(Protocol::TCP)
	{
		CopyAddress(this->remoteAddr, tcpConnection ? tcpConnection->GetPeerAddress() : nullptr);
	}

	bool TransportTuple::Compare(const TransportTuple* tuple) const
	{
		if (!tuple || this->protocol != tuple->protocol)
		{
			return false;
		}

		if (this->protocol == Protocol::UDP)
		{
			return this->udpSocket == tuple->udpSocket &&
						 Utils::IP::CompareAddresses(GetRemoteAddress(), tuple->GetRemoteAddress());
		}

		return this->tcpConnection == tuple->tcpConnection;
	}

	bool TransportTuple::Send(const uint8_t* data, size_t len) const
	{
		if (this->protocol == Protocol::UDP)
		{
			return this->udpSocket && this->udpSocket->Send(data, len, GetRemoteAddress());
		}

		return this->tcpConnection && this->tcpConnection->Send(data, len);
	}

	const struct sockaddr* TransportTuple::GetLocalAddress() const
	{
		if (this->protocol == Protocol::UDP)
		{
			return this->udpSocket ? this->udpSocket->GetLocalAddress() : nullptr;
		}

		return this->tcpConnection ? this->tcpConnection->GetLocalAddress() : nullptr;
	}

	std::string TransportTuple::GetLocalIp() const
	{
		if (this->protocol == Protocol::UDP)
		{
			return this->udpSocket ? this->udpSocket->GetLocalIp() : std::string();
		}

		return this->tcpConnection ? this->tcpConnection->GetLocalIp() : std::string();
	}

	uint16_t TransportTuple::GetLocalPort() const
	{
		if (this->protocol == Protocol::UDP)
		{
			return this->udpSocket ? this->udpSocket->GetLocalPort() : 0u;
		}

		return this->tcpConnection ? this->tcpConnection->GetLocalPort() : 0u;
	}

	std::string TransportTuple::GetRemoteIp() const
	{
		int family{ AF_UNSPEC };
		std::string ip;
		uint16_t port{ 0u };

		Utils::IP::GetAddressInfo(GetRemoteAddress(), family, ip, port);

		return ip;
	}

	uint16_t TransportTuple::GetRemotePort() const
	{
		int family{ AF_UNSPEC };
		std::string ip;
		uint16_t port{ 0u };

		Utils::IP::GetAddressInfo(GetRemoteAddress(), family, ip, port);

		return port;
	}
} // namespace RTC
