#ifndef MS_RTC_TRANSPORT_TUPLE_HPP
#define MS_RTC_TRANSPORT_TUPLE_HPP

#include "common.hpp"

#include "handles/TcpConnectionHandle.hpp"
#include "handles/UdpSocketHandle.hpp"

namespace RTC
{
	// A path a transport sends and receives on: a local UDP socket and a remote
	// address, or a TCP connection. Cheap to build on the stack for each
	// received packet; compared by socket identity and remote address.
	class TransportTuple
	{
	public:
		enum class Protocol : uint8_t
		{
			UDP = 1,
			TCP
		};

	public:
		TransportTuple(UdpSocketHandle* udpSocket, const struct sockaddr* udpRemoteAddr);
		explicit TransportTuple(TcpConnectionHandle* tcpConnection);

	public:
		Protocol GetProtocol() const { return this->protocol; }
		bool Compare(const TransportTuple* tuple) const;
		// Sends a datagram (UDP) or a framed packet (TCP). Returns false when it
		// could not be sent.
		bool Send(const uint8_t* data, size_t len) const;
		const struct sockaddr* GetLocalAddress() const;
		const struct sockaddr* GetRemoteAddress() const
		{
			return reinterpret_cast<const struct sockaddr*>(&this->remoteAddr);
		}
		std::string GetLocalIp() const;
		uint16_t GetLocalPort() const;
		std::string GetRemoteIp() const;
		uint16_t GetRemotePort() const;
		// What is advertised instead of the local IP, when set.
		void SetLocalAnnouncedAddress(const std::string& address)
		{
			this->localAnnouncedAddress = address;
		}
		const std::string& GetLocalAnnouncedAddress() const { return this->localAnnouncedAddress; }
		UdpSocketHandle* GetUdpSocket() const { return this->udpSocket; }
		TcpConnectionHandle* GetTcpConnection() const { return this->tcpConnection; }

	private:
		// Passed by argument.
		UdpSocketHandle* udpSocket{ nullptr };
		TcpConnectionHandle* tcpConnection{ nullptr };
		// Others.
		struct sockaddr_storage remoteAddr
		{
		};
		Protocol protocol{ Protocol::UDP };
		std::string localAnnouncedAddress;
	};
} // namespace RTC

#endif
