#ifndef MS_RTC_PIPE_TRANSPORT_HPP
#define MS_RTC_PIPE_TRANSPORT_HPP

#include "common.hpp"

#include "FBS/pipeTransport_generated.h"
#include "RTC/ListenInfo.hpp"
#include "RTC/SrtpParameters.hpp"
#include "RTC/SrtpSession.hpp"
#include "RTC/Transport.hpp"
#include "RTC/TransportTuple.hpp"
#include "handles/UdpSocketHandle.hpp"

namespace RTC
{
	// A Router-to-Router link over UDP (same host or another one), with
	// optional SRTP (AEAD_AES_256_GCM) keyed by exchanged parameters.
	class PipeTransport : public Transport, public UdpSocketHandle::Listener
	{
	public:
		static constexpr SrtpSession::CryptoSuite SrtpCryptoSuite{
			SrtpSession::CryptoSuite::AEAD_AES_256_GCM
		};

	public:
		// Throws MediaSoupError / MediaSoupTypeError.
		PipeTransport(
			Shared* shared,
			const std::string& id,
			Transport::Listener* listener,
			const FBS::PipeTransport::PipeTransportOptions* options);
		~PipeTransport() override;

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
		bool IsPipe() const override { return true; }

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
		FillBufferTuple(flatbuffers::FlatBufferBuilder& builder) const;

	private:
		// Allocated by this.
		std::unique_ptr<UdpSocketHandle> udpSocket;
		std::unique_ptr<TransportTuple> tuple;
		std::unique_ptr<SrtpSession> srtpRecvSession;
		std::unique_ptr<SrtpSession> srtpSendSession;
		// Others.
		ListenInfo listenInfo;
		bool rtx{ false };
		std::optional<SrtpParameters> localSrtpParameters;
	};
} // namespace RTC

#endif
