// WebRtcTransport as FlatBuffers: its dump, stats, ICE and DTLS parameters,
// and the state-change notifications sent to Node.

#include "RTC/WebRtcTransport.hpp"

namespace RTC
{
	namespace
	{
		FBS::Transport::Protocol ToFbsProtocol(TransportTuple::Protocol protocol)
		{
			return protocol == TransportTuple::Protocol::TCP ? FBS::Transport::Protocol::TCP
																											 : FBS::Transport::Protocol::UDP;
		}

		std::optional<FBS::WebRtcTransport::FingerprintAlgorithm>
		ToFbsAlgorithm(std::string_view algorithm)
		{
			if (algorithm == "sha-1")
			{
				return FBS::WebRtcTransport::FingerprintAlgorithm::SHA1;
			}
			else if (algorithm == "sha-224")
			{
				return FBS::WebRtcTransport::FingerprintAlgorithm::SHA224;
			}
			else if (algorithm == "sha-256")
			{
				return FBS::WebRtcTransport::FingerprintAlgorithm::SHA256;
			}
			else if (algorithm == "sha-384")
			{
				return FBS::WebRtcTransport::FingerprintAlgorithm::SHA384;
			}
			else if (algorithm == "sha-512")
			{
				return FBS::WebRtcTransport::FingerprintAlgorithm::SHA512;
			}

			return std::nullopt;
		}
	} // namespace

	FBS::WebRtcTransport::DtlsRole WebRtcTransport::ToFbsDtlsRole(DtlsTransport::Role role)
	{
		switch (role)
		{
			case DtlsTransport::Role::CLIENT:
				return FBS::WebRtcTransport::DtlsRole::CLIENT;
			case DtlsTransport::Role::SERVER:
				return FBS::WebRtcTransport::DtlsRole::SERVER;
			default:
				return FBS::WebRtcTransport::DtlsRole::AUTO;
		}
	}

	void WebRtcTransport::FillDumpResponse(Channel::ChannelRequest* request)
	{
		auto& builder = request->GetBufferBuilder();

		if (this->tcpConnections)
		{
			this->dropped.tcpConnectionRejected = this->tcpConnections->GetRejectedCount();
			this->dropped.tcpConnectionTimedOut = this->tcpConnections->GetTimedOutCount();
		}

		auto base          = FillBufferDump(builder);
		auto iceParameters = FBS::WebRtcTransport::CreateIceParametersDirect(
			builder,
			this->iceServer->GetUsernameFragment().c_str(),
			this->iceServer->GetPassword().c_str(),
			true);
		std::vector<flatbuffers::Offset<FBS::WebRtcTransport::IceCandidate>> candidates;

		for (const auto& candidate : this->iceCandidates)
		{
			candidates.push_back(FBS::WebRtcTransport::CreateIceCandidateDirect(
				builder,
				candidate.foundation.c_str(),
				candidate.priority,
				candidate.address.c_str(),
				ToFbsProtocol(candidate.protocol),
				candidate.port,
				FBS::WebRtcTransport::IceCandidateType::HOST,
				candidate.protocol == TransportTuple::Protocol::TCP
					? flatbuffers::Optional<FBS::WebRtcTransport::IceCandidateTcpType>(
							FBS::WebRtcTransport::IceCandidateTcpType::PASSIVE)
					: flatbuffers::nullopt));
		}

		flatbuffers::Offset<FBS::Transport::Tuple> selectedTuple;

		if (this->iceServer->GetSelectedTuple())
		{
			selectedTuple = FillBufferTuple(builder, this->iceServer->GetSelectedTuple());
		}

		auto dtlsParameters = FillBufferDtlsParameters(builder);
		auto dump           = FBS::WebRtcTransport::CreateDumpResponseDirect(
      builder,
      base,
      FBS::WebRtcTransport::IceRole::CONTROLLED,
      iceParameters,
      &candidates,
      GetFbsIceState(),
      selectedTuple,
      dtlsParameters,
      GetFbsDtlsState(),
      this->dtlsRemoteCert.empty() ? nullptr : this->dtlsRemoteCert.c_str());

		request->Accept(FBS::Response::Body::WebRtcTransport_DumpResponse, dump);
	}

	void WebRtcTransport::FillStatsResponse(Channel::ChannelRequest* request)
	{
		auto& builder = request->GetBufferBuilder();
		auto base     = FillBufferStats(builder);
		flatbuffers::Offset<FBS::Transport::Tuple> selectedTuple;

		if (this->iceServer->GetSelectedTuple())
		{
			selectedTuple = FillBufferTuple(builder, this->iceServer->GetSelectedTuple());
		}

		auto stats = FBS::WebRtcTransport::CreateGetStatsResponse(
			builder,
			base,
			FBS::WebRtcTransport::IceRole::CONTROLLED,
			GetFbsIceState(),
			selectedTuple,
			GetFbsDtlsState());

		request->Accept(FBS::Response::Body::WebRtcTransport_GetStatsResponse, stats);
	}

	flatbuffers::Offset<FBS::WebRtcTransport::DtlsParameters>
	WebRtcTransport::FillBufferDtlsParameters(flatbuffers::FlatBufferBuilder& builder) const
	{
		std::vector<flatbuffers::Offset<FBS::WebRtcTransport::Fingerprint>> fingerprints;

		for (const auto& fingerprint : this->shared->dtlsContext->GetCertificate()->GetFingerprints())
		{
			const auto algorithm = ToFbsAlgorithm(fingerprint.algorithm);

			if (algorithm)
			{
				fingerprints.push_back(FBS::WebRtcTransport::CreateFingerprintDirect(
					builder, *algorithm, fingerprint.value.c_str()));
			}
		}

		return FBS::WebRtcTransport::CreateDtlsParametersDirect(
			builder,
			&fingerprints,
			this->dtlsRole ? ToFbsDtlsRole(*this->dtlsRole) : FBS::WebRtcTransport::DtlsRole::AUTO);
	}

	FBS::WebRtcTransport::IceState WebRtcTransport::GetFbsIceState() const
	{
		switch (this->iceServer->GetState())
		{
			case IceServer::IceState::CONNECTED:
				return FBS::WebRtcTransport::IceState::CONNECTED;
			case IceServer::IceState::COMPLETED:
				return FBS::WebRtcTransport::IceState::COMPLETED;
			case IceServer::IceState::DISCONNECTED:
				return FBS::WebRtcTransport::IceState::DISCONNECTED;
			default:
				return FBS::WebRtcTransport::IceState::NEW;
		}
	}

	FBS::WebRtcTransport::DtlsState WebRtcTransport::GetFbsDtlsState() const
	{
		switch (this->dtlsTransport->GetState())
		{
			case DtlsTransport::DtlsState::CONNECTING:
				return FBS::WebRtcTransport::DtlsState::CONNECTING;
			case DtlsTransport::DtlsState::CONNECTED:
				return FBS::WebRtcTransport::DtlsState::CONNECTED;
			case DtlsTransport::DtlsState::FAILED:
				return FBS::WebRtcTransport::DtlsState::FAILED;
			case DtlsTransport::DtlsState::CLOSED:
				return FBS::WebRtcTransport::DtlsState::CLOSED;
			default:
				return FBS::WebRtcTransport::DtlsState::NEW;
		}
	}

	void WebRtcTransport::NotifyIceState()
	{
		auto& builder = GetNotificationBuilder();
		auto body = FBS::WebRtcTransport::CreateIceStateChangeNotification(builder, GetFbsIceState());

		Notify(
			FBS::Notification::Event::WEBRTCTRANSPORT_ICE_STATE_CHANGE,
			FBS::Notification::Body::WebRtcTransport_IceStateChangeNotification,
			body.Union());
	}

	void WebRtcTransport::NotifyDtlsState()
	{
		auto& builder = GetNotificationBuilder();
		auto body     = FBS::WebRtcTransport::CreateDtlsStateChangeNotificationDirect(
      builder,
      GetFbsDtlsState(),
      this->dtlsRemoteCert.empty() ? nullptr : this->dtlsRemoteCert.c_str());

		Notify(
			FBS::Notification::Event::WEBRTCTRANSPORT_DTLS_STATE_CHANGE,
			FBS::Notification::Body::WebRtcTransport_DtlsStateChangeNotification,
			body.Union());
	}
} // namespace RTC
