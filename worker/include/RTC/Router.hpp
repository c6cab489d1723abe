#ifndef MS_RTC_ROUTER_HPP
#define MS_RTC_ROUTER_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "RTC/RtpObserver.hpp"
#include "RTC/Shared.hpp"
#include "RTC/Transport.hpp"
#include "RTC/WebRtcServer.hpp"

#include <map>
#include <set>
#include <unordered_map>

namespace RTC
{
	// A media room: the transports, producers and consumers that can exchange
	// media with one another.
	class Router : public Channel::RequestHandler,
								 public WebRtcServer::Listener,
								 public Transport::Listener,
								 public RtpObserver::Listener
	{
	public:
		// Throws MediaSoupError if the id is already registered.
		Router(Shared* shared, const std::string& id);
		~Router() override;

	public:
		const std::string& GetId() const { return this->id; }

		/* Methods inherited from Channel::RequestHandler. */
	public:
		void HandleRequest(Channel::ChannelRequest* request) override;

		/* Pure virtual methods inherited from WebRtcServer::Listener. */
	public:
		void OnWebRtcServerTransportListenServerClosed(WebRtcTransport* transport) override;

		/* Pure virtual methods inherited from Transport::Listener. */
	public:
		void OnTransportNewProducer(Transport* transport, Producer* producer) override;
		void OnTransportProducerClosed(Transport* transport, Producer* producer) override;
		void OnTransportProducerPaused(Transport* transport, Producer* producer) override;
		void OnTransportProducerResumed(Transport* transport, Producer* producer) override;
		void OnTransportProducerRtpPacketReceived(
			Transport* transport, Producer* producer, RtpPacket& packet, bool isKeyFrame) override;
		void OnTransportProducerScore(Transport* transport, Producer* producer) override;
		Producer* OnTransportNewConsumer(
			Transport* transport, Consumer* consumer, const std::string& producerId) override;
		void OnTransportConsumerClosed(Transport* transport, Consumer* consumer) override;
		void OnTransportConsumerKeyFrameRequested(
			Transport* transport, Consumer* consumer, uint32_t mappedSsrc) override;
		void OnTransportNewDataProducer(Transport* transport, DataProducer* dataProducer) override;
		void OnTransportDataProducerClosed(Transport* transport, DataProducer* dataProducer) override;
		void OnTransportDataProducerPaused(Transport* transport, DataProducer* dataProducer) override;
		void OnTransportDataProducerResumed(Transport* transport, DataProducer* dataProducer) override;
		void OnTransportDataProducerMessageReceived(
			Transport* transport,
			DataProducer* dataProducer,
			const DataProducer::Message& message) override;
		DataProducer* OnTransportNewDataConsumer(
			Transport* transport, DataConsumer* dataConsumer, const std::string& dataProducerId) override;
		void OnTransportDataConsumerClosed(Transport* transport, DataConsumer* dataConsumer) override;

		/* Pure virtual methods inherited from RtpObserver::Listener. */
	public:
		Producer* RtpObserverGetProducer(const std::string& producerId) override;
		void OnRtpObserverAddProducer(RtpObserver* rtpObserver, Producer* producer) override;
		void OnRtpObserverRemoveProducer(RtpObserver* rtpObserver, Producer* producer) override;

	private:
		void CheckNewTransportId(const std::string& transportId) const;
		void CheckNewRtpObserverId(const std::string& rtpObserverId) const;

	private:
		// Passed by argument.
		Shared* shared{ nullptr };
		// Allocated by this.
		std::map<std::string, std::unique_ptr<Transport>> mapTransports;
		std::map<std::string, std::unique_ptr<RtpObserver>> mapRtpObservers;
		// Others.
		std::map<std::string, Producer*> mapProducers;
		std::unordered_map<Producer*, std::vector<Consumer*>> mapProducerConsumers;
		std::unordered_map<Consumer*, Producer*> mapConsumerProducer;
		// Only Producers added to at least one RtpObserver have an entry.
		std::unordered_map<Producer*, std::set<RtpObserver*>> mapProducerRtpObservers;
		std::map<std::string, DataProducer*> mapDataProducers;
		std::unordered_map<DataProducer*, std::vector<DataConsumer*>> mapDataProducerDataConsumers;
		std::unordered_map<DataConsumer*, DataProducer*> mapDataConsumerDataProducer;
		// Others.
		const std::string id;
	};
} // namespace RTC

#endif
