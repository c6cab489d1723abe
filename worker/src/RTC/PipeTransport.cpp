#define MS_CLASS "RTC::PipeTransport"

#include "RTC/PipeTransport.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/PacketDemux.hpp"
#include "Utils/IP.hpp"

namespace RTC
{
	PipeTransport::PipeTransport(
		Shared* shared,
		const std::string& id,
		Transport::Listener* listener,
		const FBS::PipeTransport::PipeTransportOptions* options)
			: Transport(shared, id, listener, options->base())
	{
		// This may throw.
		this->listenInfo = ListenInfo::FromFbs(options->listen_info());

		if (this->listenInfo.protocol != TransportTuple::Protocol::UDP)
		{
			MS_THROW_TYPE_ERROR("listenInfo.protocol must be 'udp'");
		}

		this->rtx = options->enable_rtx();

		if (options->enable_srtp())
		{
			SrtpParameters parameters;

			parameters.cryptoSuite = SrtpCryptoSuite;
			parameters.key         = SrtpParameters::GenerateKey(SrtpCryptoSuite);

			this->localSrtpParameters = std::move(parameters);
		}

		// This may throw.
		this->udpSocket = std::make_unique<UdpSocketHandle>(
			this, PortManager::BindUdp(this->listenInfo.GetBindOptions()));
	}

	PipeTransport::~PipeTransport()
	{
		CloseProducersAndConsumers();

		this->tuple.reset();
		this->udpSocket.reset();
	}

	void PipeTransport::HandleRequest(Channel::ChannelRequest* request)
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

	void PipeTransport::Connect(Channel::ChannelRequest* request)
	{
		const auto* body = request->GetBody<FBS::PipeTransport::ConnectRequest>();

		if (!body)
		{
			MS_THROW_TYPE_ERROR("missing body");
		}

		if (this->tuple)
		{
			MS_THROW_ERROR("connect() already called");
		}

		std::optional<SrtpParameters> remoteSrtpParameters;

		if (body->srtp_parameters())
		{
			if (!this->localSrtpParameters)
			{
				MS_THROW_TYPE_ERROR("srtpParameters given but SRTP is not enabled");
			}

			// This may throw.
			remoteSrtpParameters = SrtpParameters::FromFbs(body->srtp_parameters());

			if (remoteSrtpParameters->cryptoSuite != SrtpCryptoSuite)
			{
				MS_THROW_TYPE_ERROR("srtpParameters.cryptoSuite must be AEAD_AES_256_GCM");
			}
		}
		else if (this->localSrtpParameters)
		{
			MS_THROW_TYPE_ERROR("missing srtpParameters (SRTP is enabled)");
		}

		if (!body->port() || *body->port() == 0u)
		{
			MS_THROW_TYPE_ERROR("missing port");
		}

		std::string ip = body->ip()->str();

		// This may throw.
		Utils::IP::NormalizeIp(ip);

		const auto remoteAddr = Utils::IP::MakeAddress(ip, *body->port());

		if (remoteSrtpParameters)
		{
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

		this->tuple = std::make_unique<TransportTuple>(
			this->udpSocket.get(), reinterpret_cast<const struct sockaddr*>(&remoteAddr));
		this->tuple->SetLocalAnnouncedAddress(this->listenInfo.announcedAddress);

		auto& builder = request->GetBufferBuilder();
		auto response = FBS::PipeTransport::CreateConnectResponse(builder, FillBufferTuple(builder));

		request->Accept(FBS::Response::Body::PipeTransport_ConnectResponse, response);

		// SCTP goes straight over UDP (unencrypted, as upstream pipes do).
		SctpLinkConnected();
	}

	flatbuffers::Offset<FBS::Transport::Tuple>
	PipeTransport::FillBufferTuple(flatbuffers::FlatBufferBuilder& builder) const
	{
		if (this->tuple)
		{
			return RTC::FillBufferTuple(builder, this->tuple.get());
		}

		const std::string localAddress = this->listenInfo.announcedAddress.empty()
																			 ? this->udpSocket->GetLocalIp()
																			 : this->listenInfo.announcedAddress;

		return FBS::Transport::CreateTupleDirect(
			builder,
			localAddress.c_str(),
			this->udpSocket->GetLocalPort(),
			nullptr,
			0u,
			FBS::Transport::Protocol::UDP);
	}

	size_t PipeTransport::SendRtpData(const uint8_t* data, size_t len)
	{
		if (!this->tuple)
		{
			return 0u;
		}

		if (this->srtpSendSession && !this->srtpSendSession->EncryptRtp(&data, &len))
		{
			return 0u;
		}

		return this->tuple->Send(data, len) ? len : 0u;
	}

	size_t PipeTransport::SendRtcpData(const uint8_t* data, size_t len)
	{
		if (!this->tuple)
		{
			return 0u;
		}

		if (this->srtpSendSession && !this->srtpSendSession->EncryptRtcp(&data, &len))
		{
			return 0u;
		}

		return this->tuple->Send(data, len) ? len : 0u;
	}

	void PipeTransport::FillDumpResponse(Channel::ChannelRequest* request)
	{
		auto& builder = request->GetBufferBuilder();
		auto base     = FillBufferDump(builder);
		auto tuple    = FillBufferTuple(builder);
		auto srtp     = this->localSrtpParameters
											? this->localSrtpParameters->FillBuffer(builder)
											: flatbuffers::Offset<FBS::SrtpParameters::SrtpParameters>();
		auto dump     = FBS::PipeTransport::CreateDumpResponse(builder, base, tuple, this->rtx, srtp);

		request->Accept(FBS::Response::Body::PipeTransport_DumpResponse, dump);
	}

	void PipeTransport::FillStatsResponse(Channel::ChannelRequest* request)
	{
		auto& builder = request->GetBufferBuilder();
		auto base     = FillBufferStats(builder);
		auto tuple    = FillBufferTuple(builder);
		auto stats    = FBS::PipeTransport::CreateGetStatsResponse(builder, base, tuple);

		request->Accept(FBS::Response::Body::PipeTransport_GetStatsResponse, stats);
	}

	void PipeTransport::SendSctpData(const uint8_t* data, size_t len)
	{
		if (this->tuple && this->tuple->Send(data, len))
		{
			DataSent(len);
		}
	}

	void PipeTransport::OnUdpSocketPacketReceived(
		UdpSocketHandle* socket, const uint8_t* data, size_t len, const struct sockaddr* remoteAddr)
	{
		DataReceived(len);

		if (!this->tuple)
		{
			++this->dropped.unknownTuple;

			return;
		}

		const TransportTuple received(socket, remoteAddr);

		if (!this->tuple->Compare(&received))
		{
			++this->dropped.unknownTuple;

			return;
		}

		if (HasSctp() && SctpAssociation::IsSctp(data, len))
		{
			ReceiveSctpData(data, len);

			return;
		}

		auto* mutableData = const_cast<uint8_t*>(data);

		switch (ClassifyPacket(std::span<const uint8_t>(data, len)))
		{
			case PacketKind::RTP:
			{
				if (this->srtpRecvSession && !this->srtpRecvSession->DecryptSrtp(mutableData, &len))
				{
					++this->dropped.srtpDecryptFailed;

					return;
				}

				ReceiveRtpPacket(mutableData, len);

				break;
			}

			case PacketKind::RTCP:
			{
				if (this->srtpRecvSession && !this->srtpRecvSession->DecryptSrtcp(mutableData, &len))
				{
					++this->dropped.srtcpDecryptFailed;

					return;
				}

				ReceiveRtcpPacket(mutableData, len);

				break;
			}

			default:
			{
				++this->dropped.notStunDtlsRtpRtcp;
			}
		}
	}
} // namespace RTC
