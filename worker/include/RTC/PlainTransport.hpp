#ifndef MS_RTC_PLAIN_TRANSPORT_HPP
#define MS_RTC_PLAIN_TRANSPORT_HPP

#include "common.hpp"

#include "FBS/plainTransport_generated.h"
#include "RTC/ListenInfo.hpp"
#include "RTC/SrtpParameters.hpp"
#include "RTC/SrtpSession.hpp"
#include "RTC/Transport.hpp"
#include "RTC/TransportTuple.hpp"
#include "handles/UdpSocketHandle.hpp"

namespace RTC
{
	// Plain RTP and RTCP over UDP (FFmpeg, GStreamer, SIP gateways), with
	// optional SRTP keyed by exchanged parameters, RTCP on its own port or
	// multiplexed, and "comedia" mode learning the remote address from the
	// first packet that decrypted (with SRTP) and parsed, or the first SCTP one.
	class PlainTransport : public Transport, public UdpSocketHandle::Listener
	{
	public:
		// Throws MediaSoupError / MediaSoupTypeError.
		PlainTransport(
			Shared* shared,
			const std::string& id,
			Transport::Listener* listener,
			const FBS::PlainTransport::PlainTransportOptions* options);
		~PlainTransport() override;

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

		/* Pure virtual methods inherited from UdpSocketHandle::Listener. */
	public:
		void OnUdpSocketPacketReceived(
			UdpSocketHandle* socket,
			const uint8_t* data,
			size_t len,
			const struct sockaddr* remoteAddr) override;

	private:
		void Connect(Channel::ChannelRequest* request);
		flatbuffers::Offset<FBS::Transport::Tuple>
		FillBufferTuple(flatbuffers::FlatBufferBuilder& builder, bool rtcp) const;
		// Return whether the packet decrypted (with SRTP) and parsed.
		bool OnRtpDataReceived(uint8_t* data, size_t len);
		bool OnRtcpDataReceived(uint8_t* data, size_t len);
		// Comedia: the peer is at this address; notified to the application.
		void LearnTuple(UdpSocketHandle* socket, const struct sockaddr* remoteAddr, bool rtcp);

	private:
		// Allocated by this.
		std::unique_ptr<UdpSocketHandle> udpSocket;
		std::unique_ptr<UdpSocketHandle> rtcpUdpSocket;
		std::unique_ptr<TransportTuple> tuple;
		std::unique_ptr<TransportTuple> rtcpTuple;
		std::unique_ptr<SrtpSession> srtpRecvSession;
		std::unique_ptr<SrtpSession> srtpSendSession;
		// Others.
		ListenInfo listenInfo;
		ListenInfo rtcpListenInfo;
		bool rtcpMux{ true };
		bool comedia{ false };
		bool connectCalled{ false };
		// Our SRTP keying (what we encrypt with), when SRTP is enabled.
		std::optional<SrtpParameters> localSrtpParameters;
	};
} // namespace RTC

#endif
