#define MS_CLASS "RTC::TransportTupleKey"

#include "RTC/TransportTupleKey.hpp"

#include <cstring>
#include <netinet/in.h>
#include <string_view>

namespace RTC
{
	TransportTupleKey::TransportTupleKey(const TransportTuple* tuple)
			: protocol(tuple->GetProtocol()),
				handle(
					tuple->GetProtocol() == TransportTuple::Protocol::UDP
						? static_cast<const void*>(tuple->GetUdpSocket())
						: static_cast<const void*>(tuple->GetTcpConnection())),
				local(MakeEndpoint(tuple->GetLocalAddress())),
				remote(MakeEndpoint(tuple->GetRemoteAddress()))
	{
	}

	uint64_t TransportTupleKey::GetHash() const
	{
		// Hashed from a stack buffer of the fields (no allocation per packet).
		char buffer[sizeof(this->protocol) + sizeof(this->handle) + 2u * sizeof(Endpoint)];
		size_t offset{ 0u };

		std::memcpy(buffer + offset, &this->protocol, sizeof(this->protocol));
		offset += sizeof(this->protocol);
		std::memcpy(buffer + offset, &this->handle, sizeof(this->handle));
		offset += sizeof(this->handle);

		for (const auto* endpoint : { &this->local, &this->remote })
		{
			std::memcpy(buffer + offset, &endpoint->family, sizeof(endpoint->family));
			offset += sizeof(endpoint->family);
			std::memcpy(buffer + offset, &endpoint->port, sizeof(endpoint->port));
			offset += sizeof(endpoint->port);
			std::memcpy(buffer + offset, endpoint->ip.data(), endpoint->ip.size());
			offset += endpoint->ip.size();
		}

		return std::hash<std::string_view>{}(std::string_view(buffer, offset));
	}

	TransportTupleKey::Endpoint TransportTupleKey::MakeEndpoint(const struct sockaddr* addr)
	{
		Endpoint endpoint;

		if (!addr)
		{
			return endpoint;
		}

		endpoint.family = addr->sa_family;

		if (addr->sa_family == AF_INET)
		{
			const auto* in = reinterpret_cast<const struct sockaddr_in*>(addr);

			endpoint.port = in->sin_port;
			std::memcpy(endpoint.ip.data(), &in->sin_addr, sizeof(in->sin_addr));
		}
		else if (addr->sa_family == AF_INET6)
		{
			const auto* in6 = reinterpret_cast<const struct sockaddr_in6*>(addr);

			endpoint.port = in6->sin6_port;
			std::memcpy(endpoint.ip.data(), &in6->sin6_addr, sizeof(in6->sin6_addr));
		}

		return endpoint;
	}
} // namespace RTC
