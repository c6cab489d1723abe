#ifndef MS_RTC_WEBRTC_TRANSPORT_HPP
#define MS_RTC_WEBRTC_TRANSPORT_HPP

#include "common.hpp"

#include "FBS/webRtcTransport_generated.h"
#include "RTC/DtlsTransport.hpp"
#include "RTC/IceServer.hpp"
#include "RTC/IceTcpConnections.hpp"
#include "RTC/ListenInfo.hpp"
#include "RTC/NotificationThrottle.hpp"
#include "RTC/SrtpSession.hpp"
#include "RTC/StunPacket.hpp"
#include "RTC/Transport.hpp"
#include "RTC/TransportTuple.hpp"
#include "handles/TimerHandle.hpp"
#include "handles/UdpSocketHandle.hpp"

#include <set>
#include <vector>

namespace RTC
{
	// A transport for browsers: ICE-lite (STUN), DTLS and SRTP over its own UDP
	// sockets and TCP servers, or over the shared ones of a WebRtcServer.
	class WebRtcTransport : public Transport,
													public IceServer::Listener,
													public DtlsTransport::Listener,
													public UdpSocketHandle::Listener,
													public IceTcpConnections::Listener,
													public TimerHandle::Listener
	{
	public:
		// What a WebRtcServer learns of the transports created on it, so it can
		// route packets of its shared sockets to them.
		class WebRtcServerListener
		{
		public:
			virtual ~WebRtcServerListener() = default;

		public:
			virtual void OnWebRtcTransportCreated(WebRtcTransport* transport) = 0;
			virtual void OnWebRtcTransportClosed(WebRtcTransport* transport)  = 0;
			virtual void OnWebRtcTransportLocalIceUsernameFragmentAdded(
				WebRtcTransport* transport, const std::string& usernameFragment) = 0;
			virtual void OnWebRtcTransportLocalIceUsernameFragmentRemoved(
				WebRtcTransport* transport, const std::string& usernameFragment) = 0;
			virtual void
			OnWebRtcTransportTransportTupleAdded(WebRtcTransport* transport, TransportTuple* tuple) = 0;
			virtual void
			OnWebRtcTransportTransportTupleRemoved(WebRtcTransport* transport, TransportTuple* tuple) = 0;
			// Something valid arrived on the tuple (an authenticated STUN request,
			// DTLS on a valid tuple, SRTP that decrypted): its TCP connection is
			// not idle.
			virtual void
			OnWebRtcTransportTupleValid(WebRtcTransport* transport, TransportTuple* tuple) = 0;
		};

		// A socket of a WebRtcServer offered to a transport created on it.
		struct ServerSocket
		{
			TransportTuple::Protocol protocol;
			std::string advertisedAddress;
			uint16_t port;
			// The listen IP, offered as a second candidate, when the listen info
			// has exposeInternalIp and an announcedAddress; else empty.
			std::string exposedInternalIp;
		};

		struct IceCandidate
		{
			std::string foundation;
			uint32_t priority;
			std::string address;
			TransportTuple::Protocol protocol;
			uint16_t port;
		};

	public:
		// With its own sockets (listenInfos). Throws MediaSoupError /
		// MediaSoupTypeError (nothing is left behind).
		WebRtcTransport(
			Shared* shared,
			const std::string& id,
			Transport::Listener* listener,
			const FBS::WebRtcTransport::WebRtcTransportOptions* options);
		// On a WebRtcServer's sockets.
		WebRtcTransport(
			Shared* shared,
			const std::string& id,
			Transport::Listener* listener,
			WebRtcServerListener* webRtcServerListener,
			const std::vector<ServerSocket>& serverSockets,
			const FBS::WebRtcTransport::WebRtcTransportOptions* options);
		~WebRtcTransport() override;

	public:
		// Packets of a WebRtcServer's sockets routed to this transport.
		void ProcessStunPacketFromWebRtcServer(TransportTuple* tuple, const StunPacket& packet);
		void
		ProcessNonStunPacketFromWebRtcServer(TransportTuple* tuple, const uint8_t* data, size_t len);
		// A tuple of the WebRtcServer went away (its TCP connection closed).
		void RemoveTuple(TransportTuple* tuple);
		// The WebRtcServer closes: forget it (the Router then closes us).
		void WebRtcServerClosed();
		const std::vector<IceCandidate>& GetIceCandidates() const { return this->iceCandidates; }

		/* Methods inherited from Channel::RequestHandler. */
	public:
		void HandleRequest(Channel::ChannelRequest* request) override;

		/* Methods inherited from Transport. */
	protected:
		void FillDumpResponse(Channel::ChannelRequest* request) override;
		void FillStatsResponse(Channel::ChannelRequest* request) override;
		size_t SendRtpData(const uint8_t* data, size_t len) override;
		size_t SendRtcpData(const uint8_t* data, size_t len) override;
		void SendSctpData(const uint8_t* data, size_t len) override;

		/* Pure virtual methods inherited from IceServer::Listener. */
	public:
		void OnIceServerSendStunPacket(
			const IceServer* iceServer, const uint8_t* data, size_t len, TransportTuple* tuple) override;
		void OnIceServerLocalUsernameFragmentAdded(
			const IceServer* iceServer, const std::string& usernameFragment) override;
		void OnIceServerLocalUsernameFragmentRemoved(
			const IceServer* iceServer, const std::string& usernameFragment) override;
		void OnIceServerTupleAdded(const IceServer* iceServer, TransportTuple* tuple) override;
		void OnIceServerTupleRemoved(const IceServer* iceServer, TransportTuple* tuple) override;
		void OnIceServerSelectedTuple(const IceServer* iceServer, TransportTuple* tuple) override;
		void OnIceServerConnected(const IceServer* iceServer) override;
		void OnIceServerCompleted(const IceServer* iceServer) override;
		void OnIceServerDisconnected(const IceServer* iceServer) override;

		/* Pure virtual methods inherited from DtlsTransport::Listener. */
	public:
		void OnDtlsTransportConnecting(const DtlsTransport* dtlsTransport) override;
		void OnDtlsTransportConnected(
			const DtlsTransport* dtlsTransport,
			SrtpSession::CryptoSuite srtpCryptoSuite,
			uint8_t* srtpLocalKey,
			size_t srtpLocalKeyLen,
			uint8_t* srtpRemoteKey,
			size_t srtpRemoteKeyLen,
			std::string& remoteCert) override;
		void OnDtlsTransportFailed(const DtlsTransport* dtlsTransport) override;
		void OnDtlsTransportClosed(const DtlsTransport* dtlsTransport) override;
		void OnDtlsTransportSendData(
			const DtlsTransport* dtlsTransport, const uint8_t* data, size_t len) override;
		void OnDtlsTransportApplicationDataReceived(
			const DtlsTransport* dtlsTransport, const uint8_t* data, size_t len) override;

		/* Pure virtual methods inherited from the socket handles. */
	public:
		void OnUdpSocketPacketReceived(
			UdpSocketHandle* socket,
			const uint8_t* data,
			size_t len,
			const struct sockaddr* remoteAddr) override;

		/* Pure virtual methods inherited from IceTcpConnections::Listener. */
	public:
		void OnIceTcpConnectionPacketReceived(
			TransportTuple* tuple, const uint8_t* data, size_t len) override;
		void OnIceTcpConnectionClosed(TransportTuple* tuple) override;

		/* Pure virtual methods inherited from TimerHandle::Listener. */
	public:
		void OnTimer(TimerHandle* timer) override;

	private:
		void Setup(const FBS::WebRtcTransport::WebRtcTransportOptions* options);
		void OnPacketReceived(TransportTuple* tuple, const uint8_t* data, size_t len);
		void OnStunDataReceived(TransportTuple* tuple, const uint8_t* data, size_t len);
		void OnStunPacket(TransportTuple* tuple, const StunPacket& packet);
		void OnDtlsDataReceived(TransportTuple* tuple, const uint8_t* data, size_t len);
		void OnRtpDataReceived(TransportTuple* tuple, uint8_t* data, size_t len);
		void OnRtcpDataReceived(TransportTuple* tuple, uint8_t* data, size_t len);
		void MayRunDtlsTransport();
		void ArmConsentTimer();
		// Keeps the TCP connection of the tuple (ours or the server's) open.
		void TupleValid(TransportTuple* tuple);
		// Authenticated input arrived on `tuple` (may be nullptr: nothing).
		void MayForceSelectedTuple(const TransportTuple* tuple);
		void NotifySelectedTuple(TransportTuple* tuple);
		flatbuffers::Offset<FBS::WebRtcTransport::DtlsParameters>
		FillBufferDtlsParameters(flatbuffers::FlatBufferBuilder& builder) const;
		static FBS::WebRtcTransport::DtlsRole ToFbsDtlsRole(DtlsTransport::Role role);
		FBS::WebRtcTransport::IceState GetFbsIceState() const;
		FBS::WebRtcTransport::DtlsState GetFbsDtlsState() const;
		void NotifyIceState();
		void NotifyDtlsState();

	private:
		// Passed by argument.
		WebRtcServerListener* webRtcServerListener{ nullptr };
		// Allocated by this.
		std::vector<std::unique_ptr<UdpSocketHandle>> udpSockets;
		// Our own TCP servers and their connections, with their limits.
		std::unique_ptr<IceTcpConnections> tcpConnections;
		std::unique_ptr<IceServer> iceServer;
		std::unique_ptr<DtlsTransport> dtlsTransport;
		std::unique_ptr<SrtpSession> srtpRecvSession;
		std::unique_ptr<SrtpSession> srtpSendSession;
		std::unique_ptr<TimerHandle> consentTimer;
		std::unique_ptr<TimerHandle> selectedTupleNotifyTimer;
		// Others.
		// Announced address of each own UDP socket, so tuples advertise what was
		// configured (TCP connections: kept by tcpConnections).
		std::vector<std::pair<const void*, std::string>> announcedAddresses;
		std::vector<IceCandidate> iceCandidates;
		bool connectCalled{ false };
		std::optional<DtlsTransport::Role> dtlsRole;
		std::string dtlsRemoteCert;
		bool closing{ false };
		NotificationThrottle selectedTupleThrottle;
		// Source of the DTLS datagram being processed, during ProcessDtlsData().
		const TransportTuple* dtlsReceivingTuple{ nullptr };
	};
} // namespace RTC

#endif
