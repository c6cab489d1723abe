#ifndef MS_RTC_TRANSPORT_HPP
#define MS_RTC_TRANSPORT_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "FBS/transport_generated.h"
#include "RTC/Consumer.hpp"
#include "RTC/DataConsumer.hpp"
#include "RTC/DataProducer.hpp"
#include "RTC/IncomingBweFeedback.hpp"
#include "RTC/OutgoingBwe.hpp"
#include "RTC/Producer.hpp"
#include "RTC/RateCalculator.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/Shared.hpp"
#include "RTC/TransportDataChannels.hpp"
#include "handles/TimerHandle.hpp"

#include <map>
#include <unordered_map>
#include <vector>

namespace RTC
{
	// What every kind of transport has: an id answering requests, byte and
	// bitrate counters, bitrate limits, trace event selection and counters of
	// dropped network input. Subclasses own the sockets and the security, and
	// hand the RTP and RTCP packets they accept to ReceiveRtpPacket() and
	// ReceiveRtcpPacket(), the SCTP ones to ReceiveSctpData(). The data side
	// (SCTP, DataProducers, DataConsumers) is a TransportDataChannels.
	//
	// Its definition spans Transport.cpp (requests, producers and consumers,
	// RTP), TransportRtcp.cpp (RTCP in and out, its timers), TransportBwe.cpp
	// (the REMB we send, the outgoing estimate's probes and traces) and
	// TransportStats.cpp (dump and stats).
	class Transport : public Channel::RequestHandler,
										public Producer::Listener,
										public Consumer::Listener,
										public TransportDataChannels::Listener,
										public OutgoingBwe::Listener
	{
	public:
		// The Router: producers and consumers are its business across
		// transports.
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			// Throws MediaSoupError if the producer id is taken.
			virtual void OnTransportNewProducer(Transport* transport, Producer* producer)     = 0;
			virtual void OnTransportProducerClosed(Transport* transport, Producer* producer)  = 0;
			virtual void OnTransportProducerPaused(Transport* transport, Producer* producer)  = 0;
			virtual void OnTransportProducerResumed(Transport* transport, Producer* producer) = 0;
			virtual void OnTransportProducerRtpPacketReceived(
				Transport* transport, Producer* producer, RtpPacket& packet, bool isKeyFrame) = 0;
			virtual void OnTransportProducerScore(Transport* transport, Producer* producer) = 0;
			// Throws MediaSoupNotFoundError if the producer does not exist.
			// Returns the producer.
			virtual Producer* OnTransportNewConsumer(
				Transport* transport, Consumer* consumer, const std::string& producerId)       = 0;
			virtual void OnTransportConsumerClosed(Transport* transport, Consumer* consumer) = 0;
			virtual void OnTransportConsumerKeyFrameRequested(
				Transport* transport, Consumer* consumer, uint32_t mappedSsrc) = 0;
			// Throws MediaSoupError if the DataProducer id is taken.
			virtual void OnTransportNewDataProducer(Transport* transport, DataProducer* dataProducer) = 0;
			virtual void
			OnTransportDataProducerClosed(Transport* transport, DataProducer* dataProducer) = 0;
			virtual void
			OnTransportDataProducerPaused(Transport* transport, DataProducer* dataProducer) = 0;
			virtual void
			OnTransportDataProducerResumed(Transport* transport, DataProducer* dataProducer) = 0;
			virtual void OnTransportDataProducerMessageReceived(
				Transport* transport, DataProducer* dataProducer, const DataProducer::Message& message) = 0;
			// Throws MediaSoupNotFoundError if the DataProducer does not exist.
			// Returns the DataProducer.
			virtual DataProducer* OnTransportNewDataConsumer(
				Transport* transport, DataConsumer* dataConsumer, const std::string& dataProducerId) = 0;
			virtual void
			OnTransportDataConsumerClosed(Transport* transport, DataConsumer* dataConsumer) = 0;
		};

	public:
		// Counters of network input dropped before it reached RTP processing.
		struct DroppedCounters
		{
			uint64_t notStunDtlsRtpRtcp{ 0u };
			uint64_t invalidStun{ 0u };
			uint64_t stunUnauthorized{ 0u };
			uint64_t dtlsUnexpected{ 0u };
			uint64_t rtpBeforeSrtp{ 0u };
			uint64_t srtpDecryptFailed{ 0u };
			uint64_t srtcpDecryptFailed{ 0u };
			uint64_t invalidRtp{ 0u };
			uint64_t invalidRtcp{ 0u };
			uint64_t unknownTuple{ 0u };
			uint64_t unknownSsrc{ 0u };
			// Of own ICE-TCP servers (WebRtcTransport), see IceTcpConnections.
			uint64_t tcpConnectionRejected{ 0u };
			uint64_t tcpConnectionTimedOut{ 0u };
		};

	public:
		// Throws MediaSoupError if the id is already registered.
		Transport(
			Shared* shared,
			const std::string& id,
			Listener* listener,
			const FBS::Transport::Options* options);
		~Transport() override;

	public:
		const std::string& GetId() const { return this->id; }

		/* Methods inherited from Channel::RequestHandler. */
	public:
		// Handles the requests common to every transport; subclasses handle
		// theirs first and call this for the rest.
		void HandleRequest(Channel::ChannelRequest* request) override;
		// RTCP injected by the application (DirectTransport sendRtcp()).
		void HandleNotification(const FBS::Notification::Notification* notification) override;

		/* Pure virtual methods inherited from Producer::Listener. */
	public:
		void OnProducerPaused(Producer* producer) override;
		void OnProducerResumed(Producer* producer) override;
		void OnProducerRtcpFeedback(Producer* producer, const RTCP::AnyPacket& packet) override;
		void OnProducerScore(Producer* producer) override;
		void OnProducerSendRtpPacket(Producer* producer, uint8_t* data, size_t len) override;

		/* Pure virtual methods inherited from Consumer::Listener. */
	public:
		void OnConsumerSendRtpPacket(Consumer* consumer, RtpPacket& packet) override;
		bool
		OnConsumerRetransmitRtpPacket(Consumer* consumer, const uint8_t* data, size_t len) override;
		void OnConsumerKeyFrameRequested(Consumer* consumer, uint32_t mappedSsrc) override;
		void OnConsumerProducerClosed(Consumer* consumer) override;
		void OnConsumerNeedsAllocation(Consumer* consumer) override;

		/* Pure virtual methods inherited from OutgoingBwe::Listener. */
	public:
		void OnOutgoingBweSendProbe(std::span<const uint8_t> packet) override;
		void OnOutgoingBweAllocated(uint64_t desiredBitrate) override;

		/* Pure virtual methods inherited from TransportDataChannels::Listener
		 * (IsPipe() is below). */
	public:
		void OnDataChannelsSendSctpData(const uint8_t* data, size_t len) override;
		void OnDataChannelsNewDataProducer(DataProducer* dataProducer) override;
		void OnDataChannelsDataProducerClosed(DataProducer* dataProducer) override;
		void OnDataChannelsDataProducerPaused(DataProducer* dataProducer) override;
		void OnDataChannelsDataProducerResumed(DataProducer* dataProducer) override;
		void OnDataChannelsDataProducerMessageReceived(
			DataProducer* dataProducer, const DataProducer::Message& message) override;
		DataProducer* OnDataChannelsNewDataConsumer(
			DataConsumer* dataConsumer, const std::string& dataProducerId) override;
		void OnDataChannelsDataConsumerClosed(DataConsumer* dataConsumer) override;

	protected:
		// Every producer and consumer (media and data) closes, telling the
		// Router, and the SCTP association aborts; subclasses call this first
		// in their destructors, while they can still send.
		void CloseProducersAndConsumers();
		// The link below SCTP is up (DTLS connected, or the remote UDP address
		// known): the association starts.
		void SctpLinkConnected();
		bool HasSctp() const { return this->dataChannels.HasSctp(); }
		// An SCTP packet received from the peer.
		void ReceiveSctpData(const uint8_t* data, size_t len);
		// Sends an SCTP packet on the wire (over DTLS or UDP).
		virtual void SendSctpData(const uint8_t* /*data*/, size_t /*len*/) {}
		// Whether the transport links two Routers (PipeTransport).
		bool IsPipe() const override { return false; }
		// Sends an RTP packet on the wire (encrypting it when due). Returns the
		// bytes sent, 0 when it could not be sent.
		virtual size_t SendRtpData(const uint8_t* data, size_t len) = 0;
		// Sends an RTCP packet on the wire (encrypting it when due).
		virtual size_t SendRtcpData(const uint8_t* data, size_t len) = 0;
		// An RTP packet of a consumer: on the wire by default (a DirectTransport
		// hands it to the application instead).
		virtual size_t SendConsumerRtpData(Consumer* /*consumer*/, const uint8_t* data, size_t len)
		{
			return SendRtpData(data, len);
		}
		// The subclass dump and stats wrap these.
		flatbuffers::Offset<FBS::Transport::Dump>
		FillBufferDump(flatbuffers::FlatBufferBuilder& builder) const;
		flatbuffers::Offset<FBS::Transport::Stats>
		FillBufferStats(flatbuffers::FlatBufferBuilder& builder);
		virtual void FillDumpResponse(Channel::ChannelRequest* request)  = 0;
		virtual void FillStatsResponse(Channel::ChannelRequest* request) = 0;
		// Every byte received or sent on the wire (after SRTP on send).
		void DataReceived(size_t len);
		void DataSent(size_t len);
		// A decrypted RTP / RTCP packet that passed the transport's checks.
		// Returns false when the RTP packet does not parse (counted as
		// invalidRtp), so the caller learns nothing from where it came from.
		bool ReceiveRtpPacket(uint8_t* data, size_t len);
		// Returns false when part of the compound packet did not parse (counted
		// as invalidRtcp).
		bool ReceiveRtcpPacket(const uint8_t* data, size_t len);
		void Notify(
			FBS::Notification::Event event,
			FBS::Notification::Body bodyType,
			flatbuffers::Offset<void> body);
		flatbuffers::FlatBufferBuilder& GetNotificationBuilder()
		{
			return this->shared->channel->GetNotificationBuilder();
		}

	protected:
		// Passed by argument.
		Shared* shared{ nullptr };
		// Others.
		const std::string id;
		DroppedCounters dropped;

	private:
		void Produce(Channel::ChannelRequest* request);
		void Consume(Channel::ChannelRequest* request);
		void CloseProducer(Producer* producer);
		void CloseConsumer(Consumer* consumer);
		Producer* FindProducerForPacket(const RtpPacket& packet);
		// Serialises one compound (or, RFC 5506, a lone feedback) packet and
		// sends it.
		void SendRtcpCompound(const RTCP::CompoundPacket::Builder& builder);
		// Sends one serialised RTCP packet (or compound) as it is.
		void SendRtcpBytes(std::span<const uint8_t> packet);
		// Periodic reports: SR for what we send, RR for what we receive, SDES.
		void SendRtcpReports(uint64_t nowMs);
		void ScheduleRtcpReports(uint64_t nowMs, bool initial);
		void ScheduleFeedback(uint64_t deadlineMs, uint64_t nowMs);
		// Arms the bandwidth feedback timer for what incomingBwe has pending.
		void ScheduleIncomingBwe(uint64_t nowUs);
		// Sends the transport-cc feedback and REMB that are due.
		void SendIncomingBwe(uint64_t nowUs);
		void OnTimer(TimerHandle* timer);

	private:
		// Subclasses have timers of their own: this keeps ours apart.
		class TimerListener : public TimerHandle::Listener
		{
		public:
			explicit TimerListener(Transport* transport) : transport(transport) {}

			void OnTimer(TimerHandle* timer) override { this->transport->OnTimer(timer); }

		private:
			Transport* transport{ nullptr };
		};

	private:
		// Passed by argument.
		Listener* listener{ nullptr };
		// Allocated by this.
		std::map<std::string, std::unique_ptr<Producer>> mapProducers;
		std::map<std::string, std::unique_ptr<Consumer>> mapConsumers;
		TransportDataChannels dataChannels;
		// Others.
		// How received packets find their producer: by SSRC, else MID, else RID.
		std::unordered_map<uint32_t, Producer*> mapSsrcProducer;
		std::unordered_map<std::string, Producer*> mapMidProducer;
		std::unordered_map<std::string, Producer*> mapRidProducer;
		// MID / RID / RRID header extension ids of what this transport receives.
		RtpHeaderExtensionIds recvExtensionIds;
		std::map<uint32_t, Consumer*> mapSsrcConsumer;
		// Allocated by this, with the first producer or consumer.
		TimerListener timerListener{ this };
		std::unique_ptr<TimerHandle> rtcpTimer;
		std::unique_ptr<TimerHandle> feedbackTimer;
		uint64_t feedbackDeadlineMs{ 0u };
		// Bandwidth feedback to the remote sender, and its timer (armed while
		// something is pending).
		IncomingBweFeedback incomingBwe;
		std::unique_ptr<TimerHandle> incomingBweTimer;
		uint64_t incomingBweDeadlineUs{ 0u };
		// What we may send to the endpoint, measured through our consumers.
		OutgoingBwe outgoingBwe;
		// The last 'bwe' trace sent (direction out): one per change.
		uint32_t lastTracedAvailableBitrate{ 0u };
		uint64_t lastTracedDesiredBitrate{ 0u };
		double avgRtcpSize{ 100.0 };
		// The SSRC our RTCP reports are sent with when we send no RTP.
		uint32_t rtcpSsrc{ 0u };
		std::string rtcpCname;
		bool direct{ false };
		uint32_t maxOutgoingBitrate{ 0u };
		uint32_t minOutgoingBitrate{ 0u };
		std::vector<std::string> traceEventTypes;
		RateCalculator recvTransmission;
		RateCalculator sendTransmission;
		RateCalculator recvRtpTransmission;
		RateCalculator sendRtpTransmission;
		RateCalculator recvRtxTransmission;
		RateCalculator sendRtxTransmission;
		RateCalculator sendProbationTransmission;
	};
} // namespace RTC

#endif
