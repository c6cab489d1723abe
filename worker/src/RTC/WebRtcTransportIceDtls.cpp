#define MS_CLASS "RTC::WebRtcTransport"

// What the ICE server and the DTLS transport of a WebRtcTransport tell it:
// tuples, ICE and DTLS states, STUN and DTLS records to send, and the SCTP
// data DTLS carries.

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/WebRtcTransport.hpp"

namespace RTC
{
	void WebRtcTransport::OnIceServerSendStunPacket(
		const IceServer* /*iceServer*/, const uint8_t* data, size_t len, TransportTuple* tuple)
	{
		if (tuple->Send(data, len))
		{
			DataSent(len);
		}
	}

	void WebRtcTransport::OnIceServerLocalUsernameFragmentAdded(
		const IceServer* /*iceServer*/, const std::string& usernameFragment)
	{
		if (this->webRtcServerListener)
		{
			this->webRtcServerListener->OnWebRtcTransportLocalIceUsernameFragmentAdded(
				this, usernameFragment);
		}
	}

	void WebRtcTransport::OnIceServerLocalUsernameFragmentRemoved(
		const IceServer* /*iceServer*/, const std::string& usernameFragment)
	{
		if (this->webRtcServerListener)
		{
			this->webRtcServerListener->OnWebRtcTransportLocalIceUsernameFragmentRemoved(
				this, usernameFragment);
		}
	}

	void WebRtcTransport::OnIceServerTupleAdded(const IceServer* /*iceServer*/, TransportTuple* tuple)
	{
		if (this->webRtcServerListener)
		{
			this->webRtcServerListener->OnWebRtcTransportTransportTupleAdded(this, tuple);
		}
	}

	void
	WebRtcTransport::OnIceServerTupleRemoved(const IceServer* /*iceServer*/, TransportTuple* tuple)
	{
		if (this->webRtcServerListener)
		{
			this->webRtcServerListener->OnWebRtcTransportTransportTupleRemoved(this, tuple);
		}

		// Our own TCP connection whose tuple is gone (evicted or expired): close it.
		auto* connection = tuple->GetTcpConnection();

		if (!this->closing && connection && this->tcpConnections)
		{
			this->tcpConnections->Close(connection);
		}
	}

	void
	WebRtcTransport::OnIceServerSelectedTuple(const IceServer* /*iceServer*/, TransportTuple* tuple)
	{
		if (this->closing)
		{
			return;
		}

		const uint64_t nowMs = DepLibUV::GetTimeMs();

		if (!this->selectedTupleThrottle.OnChange(nowMs))
		{
			// Held: the timer reports the tuple selected when the interval ends.
			const auto deadline = this->selectedTupleThrottle.GetDeadlineMs();

			if (deadline && !this->selectedTupleNotifyTimer->IsActive())
			{
				this->selectedTupleNotifyTimer->Start(*deadline > nowMs ? *deadline - nowMs : 0u);
			}

			return;
		}

		NotifySelectedTuple(tuple);
	}

	void WebRtcTransport::NotifySelectedTuple(TransportTuple* tuple)
	{
		auto& builder = GetNotificationBuilder();
		auto body     = FBS::WebRtcTransport::CreateIceSelectedTupleChangeNotification(
      builder, FillBufferTuple(builder, tuple));

		Notify(
			FBS::Notification::Event::WEBRTCTRANSPORT_ICE_SELECTED_TUPLE_CHANGE,
			FBS::Notification::Body::WebRtcTransport_IceSelectedTupleChangeNotification,
			body.Union());
	}

	void WebRtcTransport::OnIceServerConnected(const IceServer* /*iceServer*/)
	{
		if (this->closing)
		{
			return;
		}

		MS_DEBUG_TAG(ice, "ICE connected");

		NotifyIceState();
		MayRunDtlsTransport();
	}

	void WebRtcTransport::OnIceServerCompleted(const IceServer* /*iceServer*/)
	{
		if (this->closing)
		{
			return;
		}

		MS_DEBUG_TAG(ice, "ICE completed");

		NotifyIceState();
		MayRunDtlsTransport();
	}

	void WebRtcTransport::OnIceServerDisconnected(const IceServer* /*iceServer*/)
	{
		if (this->closing)
		{
			return;
		}

		MS_DEBUG_TAG(ice, "ICE disconnected");

		NotifyIceState();
	}

	void WebRtcTransport::OnDtlsTransportConnecting(const DtlsTransport* /*dtlsTransport*/)
	{
		if (this->closing)
		{
			return;
		}

		NotifyDtlsState();
	}

	void WebRtcTransport::OnDtlsTransportConnected(
		const DtlsTransport* /*dtlsTransport*/,
		SrtpSession::CryptoSuite srtpCryptoSuite,
		uint8_t* srtpLocalKey,
		size_t srtpLocalKeyLen,
		uint8_t* srtpRemoteKey,
		size_t srtpRemoteKeyLen,
		std::string& remoteCert)
	{
		if (this->closing)
		{
			return;
		}

		// The handshake finished with the datagram just received: its source
		// holds the certificate, and the peer may have moved there.
		MayForceSelectedTuple(this->dtlsReceivingTuple);

		try
		{
			this->srtpSendSession = std::make_unique<SrtpSession>(
				SrtpSession::Type::OUTBOUND, srtpCryptoSuite, srtpLocalKey, srtpLocalKeyLen);
			this->srtpRecvSession = std::make_unique<SrtpSession>(
				SrtpSession::Type::INBOUND, srtpCryptoSuite, srtpRemoteKey, srtpRemoteKeyLen);
		}
		catch (const MediaSoupError& error)
		{
			MS_ERROR("creating the SRTP sessions failed: %s", error.what());

			this->srtpSendSession.reset();
			this->srtpRecvSession.reset();
			// Without SRTP there is no media: report the DTLS transport as failed.
			this->dtlsTransport->Close();
			NotifyDtlsState();

			return;
		}

		this->dtlsRemoteCert = remoteCert;

		MS_DEBUG_TAG(dtls, "DTLS connected");

		NotifyDtlsState();

		// SCTP runs over DTLS (RFC 8261).
		SctpLinkConnected();
	}

	void WebRtcTransport::OnDtlsTransportFailed(const DtlsTransport* /*dtlsTransport*/)
	{
		if (this->closing)
		{
			return;
		}

		MS_WARN_TAG(dtls, "DTLS failed");

		NotifyDtlsState();
	}

	void WebRtcTransport::OnDtlsTransportClosed(const DtlsTransport* /*dtlsTransport*/)
	{
		if (this->closing)
		{
			return;
		}

		MS_DEBUG_TAG(dtls, "DTLS closed by the peer");

		this->srtpSendSession.reset();
		this->srtpRecvSession.reset();

		NotifyDtlsState();
	}

	void WebRtcTransport::OnDtlsTransportSendData(
		const DtlsTransport* /*dtlsTransport*/, const uint8_t* data, size_t len)
	{
		auto* tuple = this->iceServer ? this->iceServer->GetSelectedTuple() : nullptr;

		if (!tuple)
		{
			MS_DEBUG_TAG(dtls, "no selected tuple to send DTLS data on");

			return;
		}

		if (tuple->Send(data, len))
		{
			DataSent(len);
		}
	}

	void WebRtcTransport::OnDtlsTransportApplicationDataReceived(
		const DtlsTransport* /*dtlsTransport*/, const uint8_t* data, size_t len)
	{
		if (this->closing)
		{
			return;
		}

		// A record that decrypted: its source holds the DTLS keys.
		MayForceSelectedTuple(this->dtlsReceivingTuple);

		// Counted as dropped when SCTP is not enabled.
		ReceiveSctpData(data, len);
	}
} // namespace RTC
