#define MS_CLASS "RTC::WebRtcTransport"

#include "RTC/WebRtcTransport.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/PacketDemux.hpp"
#include "Utils/Crypto.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		constexpr size_t IceUsernameFragmentLength{ 16u };
		constexpr size_t IcePasswordLength{ 32u };
		// At most one iceselectedtuplechange per this interval; a change within
		// it is reported (the tuple selected then) when it ends.
		constexpr uint64_t SelectedTupleNotifyIntervalMs{ 1000u };
		// RFC 8445 5.1.2.1: type preference of host candidates.
		constexpr uint32_t HostTypePreference{ 64u };
		// Distance between the priorities of consecutive candidates, leaving room
		// for an internal-IP candidate 1000 below its announced one.
		constexpr uint32_t PriorityStep{ 2048u };
		constexpr uint32_t InternalIpPriorityOffset{ 1000u };

		uint32_t FirstCandidatePriority()
		{
			// (2^24) type preference + (2^8) local preference + (256 - component 1).
			return (HostTypePreference << 24) + (65535u << 8) + 255u;
		}

		std::optional<DtlsTransport::FingerprintAlgorithm>
		FromFbsAlgorithm(FBS::WebRtcTransport::FingerprintAlgorithm algorithm)
		{
			switch (algorithm)
			{
				case FBS::WebRtcTransport::FingerprintAlgorithm::SHA1:
					return DtlsTransport::FingerprintAlgorithm::SHA1;
				case FBS::WebRtcTransport::FingerprintAlgorithm::SHA224:
					return DtlsTransport::FingerprintAlgorithm::SHA224;
				case FBS::WebRtcTransport::FingerprintAlgorithm::SHA256:
					return DtlsTransport::FingerprintAlgorithm::SHA256;
				case FBS::WebRtcTransport::FingerprintAlgorithm::SHA384:
					return DtlsTransport::FingerprintAlgorithm::SHA384;
				case FBS::WebRtcTransport::FingerprintAlgorithm::SHA512:
					return DtlsTransport::FingerprintAlgorithm::SHA512;
				default:
					return std::nullopt;
			}
		}

	} // namespace

	WebRtcTransport::WebRtcTransport(
		Shared* shared,
		const std::string& id,
		Transport::Listener* listener,
		const FBS::WebRtcTransport::WebRtcTransportOptions* options)
			: Transport(shared, id, listener, options->base()),
				selectedTupleThrottle(SelectedTupleNotifyIntervalMs)
	{
		const auto* listen = options->listen_as_ListenIndividual();

		if (!listen)
		{
			MS_THROW_TYPE_ERROR("missing listenInfos");
		}

		if (listen->listen_infos()->size() == 0u)
		{
			MS_THROW_TYPE_ERROR("empty listenInfos");
		}

		// Validate everything before binding anything. This may throw.
		std::vector<ListenInfo> listenInfos;

		for (const auto* info : *listen->listen_infos())
		{
			listenInfos.push_back(ListenInfo::FromFbs(info));
		}

		uint32_t priority = FirstCandidatePriority();

		this->tcpConnections =
			std::make_unique<IceTcpConnections>(this, IceTcpConnections::MaxConnectionsPerTransport);

		// Sockets opened so far are closed by the unique_ptrs if a bind throws.
		for (size_t i = 0; i < listenInfos.size(); ++i)
		{
			const auto& listenInfo = listenInfos[i];
			uint16_t port{ 0u };

			if (listenInfo.protocol == TransportTuple::Protocol::UDP)
			{
				// This may throw.
				auto* uvHandle = PortManager::BindUdp(listenInfo.GetBindOptions());
				auto socket    = std::make_unique<UdpSocketHandle>(this, uvHandle);

				port = socket->GetLocalPort();
				this->announcedAddresses.emplace_back(socket.get(), listenInfo.announcedAddress);
				this->udpSockets.push_back(std::move(socket));
			}
			else
			{
				// This may throw.
				auto* uvHandle = PortManager::BindTcp(listenInfo.GetBindOptions());

				port =
					this->tcpConnections->AddServer(uvHandle, listenInfo.announcedAddress)->GetLocalPort();
			}

			const std::string foundation =
				(listenInfo.protocol == TransportTuple::Protocol::UDP ? "udp" : "tcp") + std::to_string(i);

			this->iceCandidates.push_back(
				{ foundation, priority, listenInfo.GetAdvertisedAddress(), listenInfo.protocol, port });

			if (listenInfo.ExposesInternalIp())
			{
				this->iceCandidates.push_back({ foundation + "i",
																				priority - InternalIpPriorityOffset,
																				listenInfo.ip,
																				listenInfo.protocol,
																				port });
			}

			priority -= PriorityStep;
		}

		Setup(options);
	}

	WebRtcTransport::WebRtcTransport(
		Shared* shared,
		const std::string& id,
		Transport::Listener* listener,
		WebRtcServerListener* webRtcServerListener,
		const std::vector<ServerSocket>& serverSockets,
		const FBS::WebRtcTransport::WebRtcTransportOptions* options)
			: Transport(shared, id, listener, options->base()),
				webRtcServerListener(webRtcServerListener),
				selectedTupleThrottle(SelectedTupleNotifyIntervalMs)
	{
		std::vector<ServerSocket> sockets;

		for (const auto& socket : serverSockets)
		{
			if (
				(socket.protocol == TransportTuple::Protocol::UDP && options->enable_udp()) ||
				(socket.protocol == TransportTuple::Protocol::TCP && options->enable_tcp()))
			{
				sockets.push_back(socket);
			}
		}

		if (sockets.empty())
		{
			MS_THROW_TYPE_ERROR("no WebRtcServer socket matches enableUdp / enableTcp");
		}

		// preferUdp / preferTcp put that protocol's candidates first.
		if (options->prefer_udp() || options->prefer_tcp())
		{
			const auto preferred =
				options->prefer_udp() ? TransportTuple::Protocol::UDP : TransportTuple::Protocol::TCP;

			std::stable_partition(
				sockets.begin(),
				sockets.end(),
				[preferred](const ServerSocket& socket) { return socket.protocol == preferred; });
		}

		uint32_t priority = FirstCandidatePriority();

		for (size_t i = 0; i < sockets.size(); ++i)
		{
			const auto& socket = sockets[i];
			const std::string foundation =
				(socket.protocol == TransportTuple::Protocol::UDP ? "udp" : "tcp") + std::to_string(i);

			this->iceCandidates.push_back(
				{ foundation, priority, socket.advertisedAddress, socket.protocol, socket.port });

			if (!socket.exposedInternalIp.empty())
			{
				this->iceCandidates.push_back({ foundation + "i",
																				priority - InternalIpPriorityOffset,
																				socket.exposedInternalIp,
																				socket.protocol,
																				socket.port });
			}

			priority -= PriorityStep;
		}

		// Before the ICE server exists, so its username fragment reaches the
		// WebRtcServer.
		this->webRtcServerListener->OnWebRtcTransportCreated(this);

		try
		{
			Setup(options);
		}
		catch (const MediaSoupError&)
		{
			this->webRtcServerListener->OnWebRtcTransportClosed(this);

			throw;
		}
	}

	void WebRtcTransport::Setup(const FBS::WebRtcTransport::WebRtcTransportOptions* options)
	{
		this->consentTimer             = std::make_unique<TimerHandle>(this);
		this->selectedTupleNotifyTimer = std::make_unique<TimerHandle>(this);
		this->iceServer                = std::make_unique<IceServer>(
      this,
      Utils::Crypto::GetRandomString(IceUsernameFragmentLength),
      Utils::Crypto::GetRandomString(IcePasswordLength),
      options->ice_consent_timeout());
		// This may throw.
		this->dtlsTransport = std::make_unique<DtlsTransport>(this, this->shared->dtlsContext);
	}

	WebRtcTransport::~WebRtcTransport()
	{
		CloseProducersAndConsumers();

		this->closing = true;

		// Say goodbye to the peer while the sockets still exist.
		if (this->dtlsTransport)
		{
			this->dtlsTransport->Close();
			this->dtlsTransport.reset();
		}

		this->consentTimer.reset();
		this->selectedTupleNotifyTimer.reset();
		// Its destructor reports the username fragments and tuples it removes.
		this->iceServer.reset();

		if (this->webRtcServerListener)
		{
			this->webRtcServerListener->OnWebRtcTransportClosed(this);
		}

		this->tcpConnections.reset();
		this->udpSockets.clear();
	}

	void WebRtcTransport::TupleValid(TransportTuple* tuple)
	{
		if (tuple->GetProtocol() != TransportTuple::Protocol::TCP)
		{
			return;
		}

		if (this->tcpConnections)
		{
			this->tcpConnections->SetValid(tuple->GetTcpConnection(), DepLibUV::GetTimeMs());
		}
		else if (this->webRtcServerListener)
		{
			this->webRtcServerListener->OnWebRtcTransportTupleValid(this, tuple);
		}
	}

	void WebRtcTransport::ProcessStunPacketFromWebRtcServer(
		TransportTuple* tuple, const StunPacket& packet)
	{
		DataReceived(packet.GetSize());
		OnStunPacket(tuple, packet);
	}

	void WebRtcTransport::ProcessNonStunPacketFromWebRtcServer(
		TransportTuple* tuple, const uint8_t* data, size_t len)
	{
		OnPacketReceived(tuple, data, len);
	}

	void WebRtcTransport::RemoveTuple(TransportTuple* tuple)
	{
		if (this->iceServer)
		{
			this->iceServer->RemoveTuple(tuple);
		}
	}

	void WebRtcTransport::WebRtcServerClosed()
	{
		this->webRtcServerListener = nullptr;
	}

	void WebRtcTransport::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::TRANSPORT_CONNECT:
			{
				const auto* body = request->GetBody<FBS::WebRtcTransport::ConnectRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				if (this->connectCalled)
				{
					MS_THROW_ERROR("connect() already called");
				}

				const auto* dtlsParameters = body->dtls_parameters();

				if (dtlsParameters->fingerprints()->size() == 0u)
				{
					MS_THROW_TYPE_ERROR("empty dtlsParameters.fingerprints");
				}

				// The first fingerprint of a known algorithm is the one checked.
				std::optional<DtlsTransport::Fingerprint> remoteFingerprint;

				for (const auto* fingerprint : *dtlsParameters->fingerprints())
				{
					const auto algorithm = FromFbsAlgorithm(fingerprint->algorithm());

					if (algorithm)
					{
						remoteFingerprint =
							DtlsTransport::Fingerprint{ *algorithm, fingerprint->value()->str() };

						break;
					}
				}

				if (!remoteFingerprint)
				{
					MS_THROW_TYPE_ERROR("no fingerprint of a supported algorithm");
				}

				DtlsTransport::Role role;

				switch (dtlsParameters->role())
				{
					case FBS::WebRtcTransport::DtlsRole::CLIENT:
						role = DtlsTransport::Role::SERVER;
						break;
					case FBS::WebRtcTransport::DtlsRole::SERVER:
					case FBS::WebRtcTransport::DtlsRole::AUTO:
						role = DtlsTransport::Role::CLIENT;
						break;
					default:
						MS_THROW_TYPE_ERROR("invalid dtlsParameters.role");
				}

				if (!this->dtlsTransport->SetRemoteFingerprint(*remoteFingerprint))
				{
					MS_THROW_TYPE_ERROR("invalid dtlsParameters.fingerprints value");
				}

				this->connectCalled = true;
				this->dtlsRole      = role;

				auto& builder = request->GetBufferBuilder();
				auto response = FBS::WebRtcTransport::CreateConnectResponse(builder, ToFbsDtlsRole(role));

				request->Accept(FBS::Response::Body::WebRtcTransport_ConnectResponse, response);

				MayRunDtlsTransport();

				break;
			}

			case FBS::Request::Method::TRANSPORT_RESTART_ICE:
			{
				const std::string usernameFragment =
					Utils::Crypto::GetRandomString(IceUsernameFragmentLength);
				const std::string password = Utils::Crypto::GetRandomString(IcePasswordLength);

				this->iceServer->RestartIce(usernameFragment, password);

				auto& builder = request->GetBufferBuilder();
				auto response = FBS::WebRtcTransport::CreateRestartIceResponseDirect(
					builder, usernameFragment.c_str(), password.c_str(), true);

				request->Accept(FBS::Response::Body::WebRtcTransport_RestartIceResponse, response);

				break;
			}

			default:
			{
				Transport::HandleRequest(request);
			}
		}
	}

	size_t WebRtcTransport::SendRtpData(const uint8_t* data, size_t len)
	{
		auto* tuple = this->iceServer ? this->iceServer->GetSelectedTuple() : nullptr;

		if (!tuple || !this->srtpSendSession)
		{
			return 0u;
		}

		if (!this->srtpSendSession->EncryptRtp(&data, &len))
		{
			return 0u;
		}

		return tuple->Send(data, len) ? len : 0u;
	}

	size_t WebRtcTransport::SendRtcpData(const uint8_t* data, size_t len)
	{
		auto* tuple = this->iceServer ? this->iceServer->GetSelectedTuple() : nullptr;

		if (!tuple || !this->srtpSendSession)
		{
			return 0u;
		}

		if (!this->srtpSendSession->EncryptRtcp(&data, &len))
		{
			return 0u;
		}

		return tuple->Send(data, len) ? len : 0u;
	}

	void WebRtcTransport::MayRunDtlsTransport()
	{
		if (!this->connectCalled || !this->dtlsRole)
		{
			return;
		}

		const auto iceState = this->iceServer->GetState();

		if (iceState != IceServer::IceState::CONNECTED && iceState != IceServer::IceState::COMPLETED)
		{
			return;
		}

		if (this->dtlsTransport->GetState() != DtlsTransport::DtlsState::NEW)
		{
			return;
		}

		MS_DEBUG_TAG(
			dtls,
			"running DTLS transport as %s",
			*this->dtlsRole == DtlsTransport::Role::CLIENT ? "client" : "server");

		this->dtlsTransport->Run(*this->dtlsRole);
	}

	void WebRtcTransport::ArmConsentTimer()
	{
		const auto deadline = this->iceServer->GetNextDeadlineMs();

		if (!deadline)
		{
			this->consentTimer->Stop();

			return;
		}

		const uint64_t nowMs = DepLibUV::GetTimeMs();

		this->consentTimer->Start(*deadline > nowMs ? *deadline - nowMs : 0u);
	}

	void WebRtcTransport::OnPacketReceived(TransportTuple* tuple, const uint8_t* data, size_t len)
	{
		DataReceived(len);

		// The receive buffer is ours (the socket handles' buffer): SRTP decrypts
		// in place.
		auto* mutableData = const_cast<uint8_t*>(data);

		switch (ClassifyPacket(std::span<const uint8_t>(data, len)))
		{
			case PacketKind::STUN:
				OnStunDataReceived(tuple, data, len);
				break;
			case PacketKind::DTLS:
				OnDtlsDataReceived(tuple, data, len);
				break;
			case PacketKind::RTP:
				OnRtpDataReceived(tuple, mutableData, len);
				break;
			case PacketKind::RTCP:
				OnRtcpDataReceived(tuple, mutableData, len);
				break;
			default:
				++this->dropped.notStunDtlsRtpRtcp;
		}
	}

	void WebRtcTransport::OnStunDataReceived(TransportTuple* tuple, const uint8_t* data, size_t len)
	{
		const auto packet = StunPacket::Parse(std::span<const uint8_t>(data, len));

		if (!packet)
		{
			++this->dropped.invalidStun;

			return;
		}

		OnStunPacket(tuple, *packet);
	}

	void WebRtcTransport::OnStunPacket(TransportTuple* tuple, const StunPacket& packet)
	{
		switch (this->iceServer->ProcessStunPacket(packet, tuple, DepLibUV::GetTimeMs()))
		{
			case IceServer::StunVerdict::INVALID:
				++this->dropped.invalidStun;
				break;
			case IceServer::StunVerdict::UNAUTHORIZED:
				++this->dropped.stunUnauthorized;
				break;
			default:
				break;
		}

		// Stored tuples got an authenticated request once; on TCP no one else
		// can write on that connection, so it is not idle.
		if (this->iceServer->IsValidTuple(tuple))
		{
			TupleValid(tuple);
		}

		ArmConsentTimer();
	}

	void WebRtcTransport::OnDtlsDataReceived(TransportTuple* tuple, const uint8_t* data, size_t len)
	{
		if (!this->iceServer->IsValidTuple(tuple))
		{
			++this->dropped.unknownTuple;

			return;
		}

		const auto state = this->dtlsTransport->GetState();

		if (
			state != DtlsTransport::DtlsState::CONNECTING && state != DtlsTransport::DtlsState::CONNECTED)
		{
			++this->dropped.dtlsUnexpected;

			return;
		}

		TupleValid(tuple);

		// Whatever the DTLS layer accepts from this datagram (it calls us back
		// from within) may move the selected tuple here; nothing before.
		this->dtlsReceivingTuple = tuple;
		this->dtlsTransport->ProcessDtlsData(data, len);
		this->dtlsReceivingTuple = nullptr;
	}

	void WebRtcTransport::OnRtpDataReceived(TransportTuple* tuple, uint8_t* data, size_t len)
	{
		if (!this->iceServer->IsValidTuple(tuple))
		{
			++this->dropped.unknownTuple;

			return;
		}

		if (!this->srtpRecvSession)
		{
			++this->dropped.rtpBeforeSrtp;

			return;
		}

		if (!this->srtpRecvSession->DecryptSrtp(data, &len))
		{
			++this->dropped.srtpDecryptFailed;

			return;
		}

		TupleValid(tuple);

		// Only an authenticated packet on a valid tuple that is not the
		// selected one means the peer moved (a spoofed one fails above).
		if (ReceiveRtpPacket(data, len))
		{
			MayForceSelectedTuple(tuple);
		}
	}

	void WebRtcTransport::OnRtcpDataReceived(TransportTuple* tuple, uint8_t* data, size_t len)
	{
		if (!this->iceServer->IsValidTuple(tuple))
		{
			++this->dropped.unknownTuple;

			return;
		}

		if (!this->srtpRecvSession)
		{
			++this->dropped.rtpBeforeSrtp;

			return;
		}

		if (!this->srtpRecvSession->DecryptSrtcp(data, &len))
		{
			++this->dropped.srtcpDecryptFailed;

			return;
		}

		TupleValid(tuple);
		ReceiveRtcpPacket(data, len);
	}

	void WebRtcTransport::SendSctpData(const uint8_t* data, size_t len)
	{
		if (this->closing || !this->dtlsTransport)
		{
			return;
		}

		if (!this->dtlsTransport->SendApplicationData(data, len))
		{
			MS_DEBUG_TAG(sctp, "SCTP packet not sent (DTLS not connected)");
		}
	}

	void WebRtcTransport::OnUdpSocketPacketReceived(
		UdpSocketHandle* socket, const uint8_t* data, size_t len, const struct sockaddr* remoteAddr)
	{
		TransportTuple tuple(socket, remoteAddr);

		for (const auto& [handle, address] : this->announcedAddresses)
		{
			if (handle == socket)
			{
				tuple.SetLocalAnnouncedAddress(address);

				break;
			}
		}

		OnPacketReceived(&tuple, data, len);
	}

	void WebRtcTransport::OnIceTcpConnectionPacketReceived(
		TransportTuple* tuple, const uint8_t* data, size_t len)
	{
		OnPacketReceived(tuple, data, len);
	}

	void WebRtcTransport::OnIceTcpConnectionClosed(TransportTuple* tuple)
	{
		if (this->iceServer)
		{
			this->iceServer->RemoveTuple(tuple);
		}
	}

	void WebRtcTransport::MayForceSelectedTuple(const TransportTuple* tuple)
	{
		if (!tuple)
		{
			return;
		}

		// Its consent was refreshed when it got selected.
		if (this->iceServer->MayForceSelectedTuple(tuple, DepLibUV::GetTimeMs()))
		{
			ArmConsentTimer();
		}
	}

	void WebRtcTransport::OnTimer(TimerHandle* timer)
	{
		if (timer == this->selectedTupleNotifyTimer.get())
		{
			const uint64_t nowMs = DepLibUV::GetTimeMs();
			auto* selected       = this->iceServer->GetSelectedTuple();

			if (this->selectedTupleThrottle.OnTimeout(nowMs))
			{
				if (selected)
				{
					NotifySelectedTuple(selected);
				}
			}
			// The timer fired a little early: still held.
			else if (const auto deadline = this->selectedTupleThrottle.GetDeadlineMs())
			{
				this->selectedTupleNotifyTimer->Start(*deadline > nowMs ? *deadline - nowMs : 0u);
			}

			return;
		}

		this->iceServer->OnTimeout(DepLibUV::GetTimeMs());

		ArmConsentTimer();
	}
} // namespace RTC
