#ifndef MS_RTC_WEBRTC_SERVER_HPP
#define MS_RTC_WEBRTC_SERVER_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "RTC/IceTcpConnections.hpp"
#include "RTC/ListenInfo.hpp"
#include "RTC/Shared.hpp"
#include "RTC/TransportTupleKey.hpp"
#include "RTC/WebRtcTransport.hpp"
#include "handles/UdpSocketHandle.hpp"

#include <map>
#include <set>
#include <unordered_map>
#include <vector>

namespace RTC
{
	// UDP sockets and TCP servers shared by many WebRtcTransports (of any
	// Router of the worker). A packet from a new address is matched to its
	// transport by the local ICE username fragment of its STUN request; later
	// packets by their tuple.
	class WebRtcServer : public Channel::RequestHandler,
											 public WebRtcTransport::WebRtcServerListener,
											 public UdpSocketHandle::Listener,
											 public IceTcpConnections::Listener
	{
	public:
		// Told when the server goes away, so each transport on it is closed.
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			virtual void OnWebRtcServerTransportListenServerClosed(WebRtcTransport* transport) = 0;
		};

	public:
		// Throws MediaSoupError / MediaSoupTypeError (nothing is left bound).
		WebRtcServer(
			Shared* shared,
			const std::string& id,
			const flatbuffers::Vector<flatbuffers::Offset<FBS::Transport::ListenInfo>>* listenInfos);
		~WebRtcServer() override;

	public:
		const std::string& GetId() const { return this->id; }
		// Sockets a new transport may use.
		std::vector<WebRtcTransport::ServerSocket> GetServerSockets() const;
		// Closing the server closes its transports: each one's Router is told.
		void SetTransportListener(WebRtcTransport* transport, Listener* listener);

		/* Methods inherited from Channel::RequestHandler. */
	public:
		void HandleRequest(Channel::ChannelRequest* request) override;

		/* Pure virtual methods inherited from WebRtcTransport::WebRtcServerListener. */
	public:
		void OnWebRtcTransportCreated(WebRtcTransport* transport) override;
		void OnWebRtcTransportClosed(WebRtcTransport* transport) override;
		void OnWebRtcTransportLocalIceUsernameFragmentAdded(
			WebRtcTransport* transport, const std::string& usernameFragment) override;
		void OnWebRtcTransportLocalIceUsernameFragmentRemoved(
			WebRtcTransport* transport, const std::string& usernameFragment) override;
		void OnWebRtcTransportTransportTupleAdded(
			WebRtcTransport* transport, TransportTuple* tuple) override;
		void OnWebRtcTransportTransportTupleRemoved(
			WebRtcTransport* transport, TransportTuple* tuple) override;
		void OnWebRtcTransportTupleValid(WebRtcTransport* transport, TransportTuple* tuple) override;

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

	private:
		void OnPacketReceived(TransportTuple* tuple, const uint8_t* data, size_t len);
		WebRtcTransport* FindTransportByTuple(const TransportTuple* tuple) const;

	private:
		// Passed by argument.
		Shared* shared{ nullptr };
		// Allocated by this.
		std::vector<std::unique_ptr<UdpSocketHandle>> udpSockets;
		// The TCP servers and their connections, with their limits.
		std::unique_ptr<IceTcpConnections> tcpConnections;
		// Others.
		const std::string id;
		// In listen order, for candidates.
		std::vector<WebRtcTransport::ServerSocket> serverSockets;
		std::map<const void*, std::string> announcedAddresses;
		std::set<WebRtcTransport*> webRtcTransports;
		std::map<WebRtcTransport*, Listener*> transportListeners;
		std::unordered_map<std::string, WebRtcTransport*> mapUsernameFragmentTransport;
		// Keyed by the whole tuple: a hash collision cannot route a peer's
		// packets to another transport.
		std::unordered_map<TransportTupleKey, WebRtcTransport*, TransportTupleKey::Hasher>
			mapTupleTransport;
		// Dropped network input with no transport to count it: STUN that does
		// not parse, STUN whose username fragment no transport has, anything
		// else from a tuple no transport has.
		uint64_t droppedInvalidStun{ 0u };
		uint64_t droppedStunUnauthorized{ 0u };
		uint64_t droppedUnknownTuple{ 0u };
	};
} // namespace RTC

#endif
