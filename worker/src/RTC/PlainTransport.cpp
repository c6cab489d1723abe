#define MS_CLASS "RTC::PlainTransport"

#include "RTC/PlainTransport.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/PacketDemux.hpp"
#include "Utils/IP.hpp"

namespace RTC
{
	PlainTransport::PlainTransport(
		Shared* shared,
		const std::string& id,
		Transport::Listener* listener,
		const FBS::PlainTransport::PlainTransportOptions* options)
			: Transport(shared, id, listener, options->base())
	{
		// Validate everything before binding anything. This may throw.
		this->listenInfo = ListenInfo::FromFbs(options->listen_info());

		if (this->listenInfo.protocol != TransportTuple::Protocol::UDP)
		{
			MS_THROW_TYPE_ERROR("listenInfo.protocol must be 'udp'");
		}

		this->rtcpMux = options->rtcp_mux();
		this->comedia = options->comedia();

		if (options->rtcp_listen_info())
		{
			this->rtcpMux        = false;
			this->rtcpListenInfo = ListenInfo::FromFbs(options->rtcp_listen_info());

			if (this->rtcpListenInfo.protocol != TransportTuple::Protocol::UDP)
			{
				MS_THROW_TYPE_ERROR("rtcpListenInfo.protocol must be 'udp'");
			}
		}
		else if (!this->rtcpMux)
		{
			this->rtcpListenInfo = this->listenInfo;
			// A second port: never the same exact one.
			this->rtcpListenInfo.port = 0u;
		}

		if (options->enable_srtp())
		{
			SrtpParameters parameters;

			parameters.cryptoSuite = options->srtp_crypto_suite()
																 ? SrtpParameters::FromFbs(*options->srtp_crypto_suite())
																 : SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80;
			parameters.key         = SrtpParameters::GenerateKey(parameters.cryptoSuite);

			this->localSrtpParameters = std::move(parameters);
		}

		// This may throw.
		this->udpSocket = std::make_unique<UdpSocketHandle>(
			this, PortManager::BindUdp(this->listenInfo.GetBindOptions()));

		if (!this->rtcpMux)
		{
			// This may throw (and the RTP socket is then closed).
			this->rtcpUdpSocket = std::make_unique<UdpSocketHandle>(
				this, PortManager::BindUdp(this->rtcpListenInfo.GetBindOptions()));
		}
	}

	PlainTransport::~PlainTransport()
	{
		CloseProducersAndConsumers();

		this->tuple.reset();
		this->rtcpTuple.reset();
		this->udpSocket.reset();
		this->rtcpUdpSocket.reset();
	}

	void PlainTransport::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::TRANSPORT_CONNECT:
			{
				Connect(request);

				break;
			}

			default:
			{
				Transport::HandleRequest(request);
			}
		}
	}

	void PlainTransport::Connect(Channel::ChannelRequest* request)
	{
		const auto* body = request->GetBody<FBS::PlainTransport::ConnectRequest>();

		if (!body)
		{
			MS_THROW_TYPE_ERROR("missing body");
		}

		if (this->connectCalled)
		{
			MS_THROW_ERROR("connect() already called");
		}

		// Validate everything before changing anything.
		std::optional<SrtpParameters> remoteSrtpParameters;

		if (body->srtp_parameters())
		{
			if (!this->localSrtpParameters)
			{
				MS_THROW_TYPE_ERROR("srtpParameters given but SRTP is not enabled");
			}

			// This may throw.
			remoteSrtpParameters = SrtpParameters::FromFbs(body->srtp_parameters());
		}
		else if (this->localSrtpParameters)
		{
			MS_THROW_TYPE_ERROR("missing srtpParameters (SRTP is enabled)");
		}

		std::optional<struct sockaddr_storage> remoteAddr;
		std::optional<struct sockaddr_storage> rtcpRemoteAddr;

		if (!this->comedia)
		{
			if (!body->ip())
			{
				MS_THROW_TYPE_ERROR("missing ip");
			}

			if (!body->port() || *body->port() == 0u)
			{
				MS_THROW_TYPE_ERROR("missing port");
			}

			std::string ip = body->ip()->str();

			// This may throw.
			Utils::IP::NormalizeIp(ip);
			remoteAddr = Utils::IP::MakeAddress(ip, *body->port());

			if (!this->rtcpMux)
			{
				if (!body->rtcp_port() || *body->rtcp_port() == 0u)
				{
					MS_THROW_TYPE_ERROR("missing rtcpPort (rtcpMux is false)");
				}

				rtcpRemoteAddr = Utils::IP::MakeAddress(ip, *body->rtcp_port());
			}
		}

		if (remoteSrtpParameters)
		{
			// Our suite follows the remote one.
			if (remoteSrtpParameters->cryptoSuite != this->localSrtpParameters->cryptoSuite)
			{
				this->localSrtpParameters->cryptoSuite = remoteSrtpParameters->cryptoSuite;
				this->localSrtpParameters->key =
					SrtpParameters::GenerateKey(remoteSrtpParameters->cryptoSuite);
			}

			// This may throw.
			auto recvSession = std::make_unique<SrtpSession>(
				SrtpSession::Type::INBOUND,
				remoteSrtpParameters->cryptoSuite,
				remoteSrtpParameters->key.data(),
				remoteSrtpParameters->key.size());
			auto sendSession = std::make_unique<SrtpSession>(
				SrtpSession::Type::OUTBOUND,
				this->localSrtpParameters->cryptoSuite,
				this->localSrtpParameters->key.data(),
				this->localSrtpParameters->key.size());

			this->srtpRecvSession = std::move(recvSession);
			this->srtpSendSession = std::move(sendSession);
		}

		if (remoteAddr)
		{
			this->tuple = std::make_unique<TransportTuple>(
				this->udpSocket.get(), reinterpret_cast<const struct sockaddr*>(&*remoteAddr));
			this->tuple->SetLocalAnnouncedAddress(this->listenInfo.announcedAddress);
		}

		if (rtcpRemoteAddr)
		{
			this->rtcpTuple = std::make_unique<TransportTuple>(
				this->rtcpUdpSocket.get(), reinterpret_cast<const struct sockaddr*>(&*rtcpRemoteAddr));
			this->rtcpTuple->SetLocalAnnouncedAddress(this->rtcpListenInfo.announcedAddress);
		}

		this->connectCalled = true;

		auto& builder    = request->GetBufferBuilder();
		auto tupleOffset = FillBufferTuple(builder, false);
		auto rtcpTupleOffset =
			this->rtcpMux ? flatbuffers::Offset<FBS::Transport::Tuple>() : FillBufferTuple(builder, true);
		auto srtpOffset = this->localSrtpParameters
												? this->localSrtpParameters->FillBuffer(builder)
												: flatbuffers::Offset<FBS::SrtpParameters::SrtpParameters>();
		auto response =
			FBS::PlainTransport::CreateConnectResponse(builder, tupleOffset, rtcpTupleOffset, srtpOffset);

		request->Accept(FBS::Response::Body::PlainTransport_ConnectResponse, response);

		// SCTP goes straight over UDP here: it can start once the peer is known.
		if (this->tuple)
		{
			SctpLinkConnected();
		}
	}

	flatbuffers::Offset<FBS::Transport::Tuple>
	PlainTransport::FillBufferTuple(flatbuffers::FlatBufferBuilder& builder, bool rtcp) const
	{
		const auto* tuple = rtcp ? this->rtcpTuple.get() : this->tuple.get();

		if (tuple)
		{
			return RTC::FillBufferTuple(builder, tuple);
		}

		// No remote yet: the local side only.
		const auto* socket = rtcp ? this->rtcpUdpSocket.get() : this->udpSocket.get();
		const auto& info   = rtcp ? this->rtcpListenInfo : this->listenInfo;
		const std::string localAddress =
			info.announcedAddress.empty() ? socket->GetLocalIp() : info.announcedAddress;

		return FBS::Transport::CreateTupleDirect(
			builder,
			localAddress.c_str(),
			socket->GetLocalPort(),
			nullptr,
			0u,
			FBS::Transport::Protocol::UDP);
	}

	size_t PlainTransport::SendRtpData(const uint8_t* data, size_t len)
	{
		if (!this->tuple)
		{
			return 0u;
		}

		if (this->localSrtpParameters)
		{
			if (!this->srtpSendSession || !this->srtpSendSession->EncryptRtp(&data, &len))
			{
				return 0u;
			}
		}

		return this->tuple->Send(data, len) ? len : 0u;
	}

	void PlainTransport::SendSctpData(const uint8_t* data, size_t len)
	{
		if (this->tuple && this->tuple->Send(data, len))
		{
			DataSent(len);
		}
	}

	size_t PlainTransport::SendRtcpData(const uint8_t* data, size_t len)
	{
		auto* tuple = this->rtcpMux ? this->tuple.get() : this->rtcpTuple.get();

		if (!tuple)
		{
			return 0u;
		}

		if (this->localSrtpParameters)
		{
			if (!this->srtpSendSession || !this->srtpSendSession->EncryptRtcp(&data, &len))
			{
				return 0u;
			}
		}

		return tuple->Send(data, len) ? len : 0u;
	}

	void PlainTransport::FillDumpResponse(Channel::ChannelRequest* request)
	{
		auto& builder    = request->GetBufferBuilder();
		auto base        = FillBufferDump(builder);
		auto tupleOffset = FillBufferTuple(builder, false);
		auto rtcpTupleOffset =
			this->rtcpMux ? flatbuffers::Offset<FBS::Transport::Tuple>() : FillBufferTuple(builder, true);
		auto srtpOffset = this->localSrtpParameters
												? this->localSrtpParameters->FillBuffer(builder)
												: flatbuffers::Offset<FBS::SrtpParameters::SrtpParameters>();
		auto dump       = FBS::PlainTransport::CreateDumpResponse(
      builder, base, this->rtcpMux, this->comedia, tupleOffset, rtcpTupleOffset, srtpOffset);

		request->Accept(FBS::Response::Body::PlainTransport_DumpResponse, dump);
	}

	void PlainTransport::FillStatsResponse(Channel::ChannelRequest* request)
	{
		auto& builder    = request->GetBufferBuilder();
		auto base        = FillBufferStats(builder);
		auto tupleOffset = FillBufferTuple(builder, false);
		auto rtcpTupleOffset =
			this->rtcpMux ? flatbuffers::Offset<FBS::Transport::Tuple>() : FillBufferTuple(builder, true);
		auto stats = FBS::PlainTransport::CreateGetStatsResponse(
			builder, base, this->rtcpMux, this->comedia, tupleOffset, rtcpTupleOffset);

		request->Accept(FBS::Response::Body::PlainTransport_GetStatsResponse, stats);
	}

	void PlainTransport::OnUdpSocketPacketReceived(
		UdpSocketHandle* socket, const uint8_t* data, size_t len, const struct sockaddr* remoteAddr)
	{
		DataReceived(len);

		const bool onRtcpSocket = socket == this->rtcpUdpSocket.get();
		auto& knownTuple        = onRtcpSocket ? this->rtcpTuple : this->tuple;
		const auto kind         = ClassifyPacket(std::span<const uint8_t>(data, len));
		// SCTP shares the RTP port (never the RTCP one).
		const bool isSctp = !onRtcpSocket && HasSctp() && SctpAssociation::IsSctp(data, len);

		if (kind != PacketKind::RTP && kind != PacketKind::RTCP && !isSctp)
		{
			++this->dropped.notStunDtlsRtpRtcp;

			return;
		}

		auto* mutableData = const_cast<uint8_t*>(data);

		if (!knownTuple)
		{
			// Comedia: the first RTP or SCTP (or, on the RTCP port, RTCP) packet
			// tells where the peer is.
			const bool learns = this->comedia && (onRtcpSocket ? kind == PacketKind::RTCP : true);

			if (!learns)
			{
				++this->dropped.unknownTuple;

				return;
			}

			// SCTP over plain UDP has nothing to authenticate it with.
			if (isSctp)
			{
				LearnTuple(socket, remoteAddr, onRtcpSocket);
				ReceiveSctpData(data, len);

				return;
			}

			// RTP and RTCP teach the address only once they decrypted (with SRTP)
			// and parsed: a junk datagram sent first must not take the transport
			// (it is counted where it fails).
			const bool accepted = kind == PacketKind::RTP ? OnRtpDataReceived(mutableData, len)
																										: OnRtcpDataReceived(mutableData, len);

			if (accepted)
			{
				LearnTuple(socket, remoteAddr, onRtcpSocket);
			}

			return;
		}

		const TransportTuple received(socket, remoteAddr);

		if (!knownTuple->Compare(&received))
		{
			++this->dropped.unknownTuple;

			return;
		}

		if (isSctp)
		{
			ReceiveSctpData(data, len);

			return;
		}

		if (kind == PacketKind::RTP)
		{
			OnRtpDataReceived(mutableData, len);
		}
		else
		{
			OnRtcpDataReceived(mutableData, len);
		}
	}

	void
	PlainTransport::LearnTuple(UdpSocketHandle* socket, const struct sockaddr* remoteAddr, bool rtcp)
	{
		auto& knownTuple = rtcp ? this->rtcpTuple : this->tuple;

		knownTuple = std::make_unique<TransportTuple>(socket, remoteAddr);
		knownTuple->SetLocalAnnouncedAddress(
			rtcp ? this->rtcpListenInfo.announcedAddress : this->listenInfo.announcedAddress);

		auto& builder = GetNotificationBuilder();

		if (rtcp)
		{
			auto body = FBS::PlainTransport::CreateRtcpTupleNotification(
				builder, RTC::FillBufferTuple(builder, knownTuple.get()));

			Notify(
				FBS::Notification::Event::PLAINTRANSPORT_RTCP_TUPLE,
				FBS::Notification::Body::PlainTransport_RtcpTupleNotification,
				body.Union());
		}
		else
		{
			auto body = FBS::PlainTransport::CreateTupleNotification(
				builder, RTC::FillBufferTuple(builder, knownTuple.get()));

			Notify(
				FBS::Notification::Event::PLAINTRANSPORT_TUPLE,
				FBS::Notification::Body::PlainTransport_TupleNotification,
				body.Union());

			SctpLinkConnected();
		}
	}

	bool PlainTransport::OnRtpDataReceived(uint8_t* data, size_t len)
	{
		if (this->localSrtpParameters)
		{
			if (!this->srtpRecvSession)
			{
				++this->dropped.rtpBeforeSrtp;

				return false;
			}

			if (!this->srtpRecvSession->DecryptSrtp(data, &len))
			{
				++this->dropped.srtpDecryptFailed;

				return false;
			}
		}

		return ReceiveRtpPacket(data, len);
	}

	bool PlainTransport::OnRtcpDataReceived(uint8_t* data, size_t len)
	{
		if (this->localSrtpParameters)
		{
			if (!this->srtpRecvSession)
			{
				++this->dropped.rtpBeforeSrtp;

				return false;
			}

			if (!this->srtpRecvSession->DecryptSrtcp(data, &len))
			{
				++this->dropped.srtcpDecryptFailed;

				return false;
			}
		}

		return ReceiveRtcpPacket(data, len);
	}
} // namespace RTC
