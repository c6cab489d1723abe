#define MS_CLASS "RTC::WebRtcServer"

#include "RTC/WebRtcServer.hpp"

#include "DepLibUV.hpp"
#include "FBS/webRtcServer_generated.h"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/StunPacket.hpp"
#include "Utils/IP.hpp"

#include <algorithm>
#include <cstring>

namespace RTC
{
	WebRtcServer::WebRtcServer(
		Shared* shared,
		const std::string& id,
		const flatbuffers::Vector<flatbuffers::Offset<FBS::Transport::ListenInfo>>* listenInfos)
			: shared(shared),
				tcpConnections(
					std::make_unique<IceTcpConnections>(this, IceTcpConnections::MaxConnectionsPerServer)),
				id(id)
	{
		if (listenInfos->size() == 0u)
		{
			MS_THROW_TYPE_ERROR("empty listenInfos");
		}

		// Validate everything before binding anything. This may throw.
		std::vector<ListenInfo> infos;

		for (const auto* info : *listenInfos)
		{
			infos.push_back(ListenInfo::FromFbs(info));
		}

		// Sockets opened so far are closed by the unique_ptrs if a bind throws.
		for (const auto& info : infos)
		{
			if (info.protocol == TransportTuple::Protocol::UDP)
			{
				auto* uvHandle = PortManager::BindUdp(info.GetBindOptions());
				auto socket    = std::make_unique<UdpSocketHandle>(this, uvHandle);

				this->serverSockets.push_back({ TransportTuple::Protocol::UDP,
																				info.GetAdvertisedAddress(),
																				socket->GetLocalPort(),
																				info.ExposesInternalIp() ? info.ip : "" });
				this->announcedAddresses[socket.get()] = info.announcedAddress;
				this->udpSockets.push_back(std::move(socket));
			}
			else
			{
				auto* uvHandle     = PortManager::BindTcp(info.GetBindOptions());
				const auto* server = this->tcpConnections->AddServer(uvHandle, info.announcedAddress);

				this->serverSockets.push_back({ TransportTuple::Protocol::TCP,
																				info.GetAdvertisedAddress(),
																				server->GetLocalPort(),
																				info.ExposesInternalIp() ? info.ip : "" });
			}
		}

		// This may throw.
		this->shared->registrator->RegisterHandler(this->id, this);
	}

	WebRtcServer::~WebRtcServer()
	{
		this->shared->registrator->UnregisterHandler(this->id);

		// Each transport is closed by its Router; copy since that erases from
		// the set.
		const auto transports = this->webRtcTransports;

		for (auto* transport : transports)
		{
			transport->WebRtcServerClosed();

			auto it = this->transportListeners.find(transport);

			if (it != this->transportListeners.end())
			{
				it->second->OnWebRtcServerTransportListenServerClosed(transport);
			}
		}

		this->webRtcTransports.clear();
		this->mapUsernameFragmentTransport.clear();
		this->mapTupleTransport.clear();

		this->tcpConnections.reset();
		this->udpSockets.clear();
	}

	std::vector<WebRtcTransport::ServerSocket> WebRtcServer::GetServerSockets() const
	{
		return this->serverSockets;
	}

	void WebRtcServer::SetTransportListener(WebRtcTransport* transport, Listener* listener)
	{
		this->transportListeners[transport] = listener;
	}

	void WebRtcServer::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::WEBRTCSERVER_DUMP:
			{
				auto& builder = request->GetBufferBuilder();
				std::vector<flatbuffers::Offset<FBS::WebRtcServer::IpPort>> udpSockets;
				std::vector<flatbuffers::Offset<FBS::WebRtcServer::IpPort>> tcpServers;
				std::vector<flatbuffers::Offset<flatbuffers::String>> transportIds;
				std::vector<flatbuffers::Offset<FBS::WebRtcServer::IceUserNameFragment>> usernameFragments;
				std::vector<flatbuffers::Offset<FBS::WebRtcServer::TupleHash>> tupleHashes;

				for (const auto& socket : this->udpSockets)
				{
					udpSockets.push_back(FBS::WebRtcServer::CreateIpPortDirect(
						builder, socket->GetLocalIp().c_str(), socket->GetLocalPort()));
				}

				for (const auto& server : this->tcpConnections->GetServers())
				{
					tcpServers.push_back(FBS::WebRtcServer::CreateIpPortDirect(
						builder, server->GetLocalIp().c_str(), server->GetLocalPort()));
				}

				for (auto* transport : this->webRtcTransports)
				{
					transportIds.push_back(builder.CreateString(transport->GetId()));
				}

				for (const auto& [usernameFragment, transport] : this->mapUsernameFragmentTransport)
				{
					usernameFragments.push_back(FBS::WebRtcServer::CreateIceUserNameFragmentDirect(
						builder, usernameFragment.c_str(), transport->GetId().c_str()));
				}

				for (const auto& [key, transport] : this->mapTupleTransport)
				{
					tupleHashes.push_back(FBS::WebRtcServer::CreateTupleHashDirect(
						builder, key.GetHash(), transport->GetId().c_str()));
				}

				auto dump = FBS::WebRtcServer::CreateDumpResponseDirect(
					builder,
					this->id.c_str(),
					&udpSockets,
					&tcpServers,
					&transportIds,
					&usernameFragments,
					&tupleHashes,
					this->tcpConnections->GetConnectionCount(),
					this->tcpConnections->GetRejectedCount(),
					this->tcpConnections->GetTimedOutCount(),
					this->droppedInvalidStun,
					this->droppedStunUnauthorized,
					this->droppedUnknownTuple);

				request->Accept(FBS::Response::Body::WebRtcServer_DumpResponse, dump);

				break;
			}

			default:
			{
				MS_THROW_ERROR(
					"unknown method '%.*s'",
					static_cast<int>(request->methodName.size()),
					request->methodName.data());
			}
		}
	}

	void WebRtcServer::OnWebRtcTransportCreated(WebRtcTransport* transport)
	{
		this->webRtcTransports.insert(transport);
	}

	void WebRtcServer::OnWebRtcTransportClosed(WebRtcTransport* transport)
	{
		this->webRtcTransports.erase(transport);
		this->transportListeners.erase(transport);

		std::erase_if(
			this->mapUsernameFragmentTransport,
			[transport](const auto& entry) { return entry.second == transport; });
		std::erase_if(
			this->mapTupleTransport,
			[transport](const auto& entry) { return entry.second == transport; });
	}

	void WebRtcServer::OnWebRtcTransportLocalIceUsernameFragmentAdded(
		WebRtcTransport* transport, const std::string& usernameFragment)
	{
		this->mapUsernameFragmentTransport[usernameFragment] = transport;
	}

	void WebRtcServer::OnWebRtcTransportLocalIceUsernameFragmentRemoved(
		WebRtcTransport* transport, const std::string& usernameFragment)
	{
		auto it = this->mapUsernameFragmentTransport.find(usernameFragment);

		if (it != this->mapUsernameFragmentTransport.end() && it->second == transport)
		{
			this->mapUsernameFragmentTransport.erase(it);
		}
	}

	void WebRtcServer::OnWebRtcTransportTransportTupleAdded(
		WebRtcTransport* transport, TransportTuple* tuple)
	{
		this->mapTupleTransport[TransportTupleKey(tuple)] = transport;
	}

	void WebRtcServer::OnWebRtcTransportTransportTupleRemoved(
		WebRtcTransport* transport, TransportTuple* tuple)
	{
		auto it = this->mapTupleTransport.find(TransportTupleKey(tuple));

		if (it != this->mapTupleTransport.end() && it->second == transport)
		{
			this->mapTupleTransport.erase(it);
		}

		// A TCP connection of ours whose tuple is gone: close it.
		auto* connection = tuple->GetTcpConnection();

		if (connection)
		{
			this->tcpConnections->Close(connection);
		}
	}

	void
	WebRtcServer::OnWebRtcTransportTupleValid(WebRtcTransport* /*transport*/, TransportTuple* tuple)
	{
		auto* connection = tuple->GetTcpConnection();

		if (connection)
		{
			this->tcpConnections->SetValid(connection, DepLibUV::GetTimeMs());
		}
	}

	void WebRtcServer::OnUdpSocketPacketReceived(
		UdpSocketHandle* socket, const uint8_t* data, size_t len, const struct sockaddr* remoteAddr)
	{
		TransportTuple tuple(socket, remoteAddr);

		tuple.SetLocalAnnouncedAddress(this->announcedAddresses[socket]);

		OnPacketReceived(&tuple, data, len);
	}

	void WebRtcServer::OnIceTcpConnectionPacketReceived(
		TransportTuple* tuple, const uint8_t* data, size_t len)
	{
		OnPacketReceived(tuple, data, len);
	}

	void WebRtcServer::OnIceTcpConnectionClosed(TransportTuple* tuple)
	{
		auto* transport = FindTransportByTuple(tuple);

		if (transport)
		{
			// Calls back OnWebRtcTransportTransportTupleRemoved.
			transport->RemoveTuple(tuple);
		}

		this->mapTupleTransport.erase(TransportTupleKey(tuple));
	}

	void WebRtcServer::OnPacketReceived(TransportTuple* tuple, const uint8_t* data, size_t len)
	{
		const std::span<const uint8_t> bytes(data, len);

		if (StunPacket::IsStun(bytes))
		{
			const auto packet = StunPacket::Parse(bytes);

			if (!packet)
			{
				++this->droppedInvalidStun;

				return;
			}

			// A known tuple goes to its transport; a new one by the local part of
			// USERNAME ("<local ufrag>:<remote ufrag>").
			auto* transport = FindTransportByTuple(tuple);

			if (!transport)
			{
				const auto username = packet->GetUsername();
				const auto colon    = username.find(':');
				const auto it       = this->mapUsernameFragmentTransport.find(std::string(
          username.substr(0, colon == std::string_view::npos ? username.size() : colon)));

				if (it != this->mapUsernameFragmentTransport.end())
				{
					transport = it->second;
				}
			}

			if (!transport)
			{
				++this->droppedStunUnauthorized;

				MS_DEBUG_TAG(ice, "STUN packet for no known transport, dropped");

				return;
			}

			transport->ProcessStunPacketFromWebRtcServer(tuple, *packet);

			return;
		}

		auto* transport = FindTransportByTuple(tuple);

		if (!transport)
		{
			++this->droppedUnknownTuple;

			return;
		}

		transport->ProcessNonStunPacketFromWebRtcServer(tuple, data, len);
	}

	WebRtcTransport* WebRtcServer::FindTransportByTuple(const TransportTuple* tuple) const
	{
		const auto it = this->mapTupleTransport.find(TransportTupleKey(tuple));

		return it != this->mapTupleTransport.end() ? it->second : nullptr;
	}
} // namespace RTC
