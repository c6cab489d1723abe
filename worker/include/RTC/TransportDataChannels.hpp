#ifndef MS_RTC_TRANSPORT_DATA_CHANNELS_HPP
#define MS_RTC_TRANSPORT_DATA_CHANNELS_HPP

#include "common.hpp"

#include "Channel/ChannelRequest.hpp"
#include "FBS/transport_generated.h"
#include "RTC/DataConsumer.hpp"
#include "RTC/DataProducer.hpp"
#include "RTC/SctpAssociation.hpp"
#include "RTC/Shared.hpp"

#include <map>
#include <unordered_map>
#include <vector>

namespace RTC
{
	// The data side of a transport: its SCTP association (when enabled) and
	// the DataProducers and DataConsumers over it, or, on a DirectTransport,
	// over the channel. The transport owns one, hands it the data requests
	// and the SCTP packets it receives, and carries its packets to the wire.
	class TransportDataChannels : public DataProducer::Listener,
																public DataConsumer::Listener,
																public SctpAssociation::Listener
	{
	public:
		// The transport: the wire below, and the Router above.
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			// An SCTP packet to send on the wire (over DTLS or UDP).
			virtual void OnDataChannelsSendSctpData(const uint8_t* data, size_t len) = 0;
			// Whether the transport links two Routers (PipeTransport): its
			// messages carry subchannels. A query, not an event: the transport
			// only knows it once it is fully built.
			virtual bool IsPipe() const = 0;
			// Throws MediaSoupError if the DataProducer id is taken in the Router.
			virtual void OnDataChannelsNewDataProducer(DataProducer* dataProducer)     = 0;
			virtual void OnDataChannelsDataProducerClosed(DataProducer* dataProducer)  = 0;
			virtual void OnDataChannelsDataProducerPaused(DataProducer* dataProducer)  = 0;
			virtual void OnDataChannelsDataProducerResumed(DataProducer* dataProducer) = 0;
			virtual void OnDataChannelsDataProducerMessageReceived(
				DataProducer* dataProducer, const DataProducer::Message& message) = 0;
			// Throws MediaSoupNotFoundError if the DataProducer does not exist.
			// Returns the DataProducer.
			virtual DataProducer* OnDataChannelsNewDataConsumer(
				DataConsumer* dataConsumer, const std::string& dataProducerId)          = 0;
			virtual void OnDataChannelsDataConsumerClosed(DataConsumer* dataConsumer) = 0;
		};

	public:
		// The data fields of the transport's dump, built in the transport's
		// builder before the dump table itself.
		struct DumpFields
		{
			std::vector<flatbuffers::Offset<flatbuffers::String>> dataProducerIds;
			std::vector<flatbuffers::Offset<flatbuffers::String>> dataConsumerIds;
			flatbuffers::Offset<FBS::SctpParameters::SctpParameters> sctpParameters;
			flatbuffers::Optional<FBS::Transport::SctpState> sctpState;
			flatbuffers::Offset<FBS::Transport::SctpNegotiatedCapabilities> sctpNegotiated;
			// Present (possibly empty) only with SCTP.
			std::vector<flatbuffers::Offset<FBS::Common::Uint16String>> sctpStreamIds;
		};

	public:
		// `transportId`: the id its notifications are sent with. `options` may
		// be null (no SCTP, not direct).
		// Throws MediaSoupError if usrsctp refuses the association.
		TransportDataChannels(
			Shared* shared,
			const std::string& transportId,
			Listener* listener,
			const FBS::Transport::Options* options);
		// The owner calls CloseAll() first, while it can still send and tell
		// the Router.
		~TransportDataChannels() override;

		TransportDataChannels(const TransportDataChannels&)            = delete;
		TransportDataChannels& operator=(const TransportDataChannels&) = delete;

	public:
		// TRANSPORT_PRODUCE_DATA, TRANSPORT_CONSUME_DATA,
		// TRANSPORT_CLOSE_DATAPRODUCER and TRANSPORT_CLOSE_DATACONSUMER.
		// Throws as the transport's requests do.
		void HandleRequest(Channel::ChannelRequest* request);
		// Every DataConsumer then DataProducer closes, telling the Router, and
		// the SCTP association aborts (the peer hears it now).
		void CloseAll();
		bool HasSctp() const { return this->sctpAssociation != nullptr; }
		// The link below SCTP is up: the association starts.
		void SctpLinkConnected();
		// An SCTP packet received from the peer (the transport checked that
		// SCTP is enabled).
		void ReceiveSctpData(const uint8_t* data, size_t len);
		uint32_t GetMaxMessageSize() const { return this->maxMessageSize; }
		DumpFields FillDumpFields(flatbuffers::FlatBufferBuilder& builder) const;
		// The association's state for stats, none without SCTP.
		flatbuffers::Optional<FBS::Transport::SctpState> GetSctpState() const;

		/* Pure virtual methods inherited from DataProducer::Listener. */
	public:
		void OnDataProducerPaused(DataProducer* dataProducer) override;
		void OnDataProducerResumed(DataProducer* dataProducer) override;
		void OnDataProducerMessageReceived(
			DataProducer* dataProducer, const DataProducer::Message& message) override;

		/* Pure virtual methods inherited from DataConsumer::Listener. */
	public:
		void OnDataConsumerDataProducerClosed(DataConsumer* dataConsumer) override;

		/* Pure virtual methods inherited from SctpAssociation::Listener. */
	public:
		void OnSctpAssociationStateChanged(
			SctpAssociation* association, SctpAssociation::State state) override;
		void OnSctpAssociationSendData(
			SctpAssociation* association, const uint8_t* data, size_t len) override;
		void OnSctpAssociationMessageReceived(
			SctpAssociation* association,
			uint16_t streamId,
			uint32_t ppid,
			const uint8_t* msg,
			size_t len) override;
		void OnSctpAssociationBufferedAmount(
			SctpAssociation* association, uint16_t streamId, uint32_t bufferedAmount) override;

	private:
		void ProduceData(Channel::ChannelRequest* request);
		void ConsumeData(Channel::ChannelRequest* request);
		void CloseDataProducer(DataProducer* dataProducer);
		void CloseDataConsumer(DataConsumer* dataConsumer);

	private:
		// Passed by argument.
		Shared* shared{ nullptr };
		Listener* listener{ nullptr };
		// A copy, declared before the association so that it outlives it: the
		// association may still notify while it goes.
		const std::string transportId;
		// Allocated by this.
		std::map<std::string, std::unique_ptr<DataProducer>> mapDataProducers;
		std::map<std::string, std::unique_ptr<DataConsumer>> mapDataConsumers;
		std::unique_ptr<SctpAssociation> sctpAssociation;
		// Others.
		// SCTP DataProducers by the stream they receive on.
		std::unordered_map<uint16_t, DataProducer*> mapStreamIdDataProducer;
		// Outgoing SCTP streams of the DataConsumers (ids are not shared).
		std::unordered_map<uint16_t, DataConsumer*> mapStreamIdDataConsumer;
		uint32_t sctpDefaultBufferedAmountLowThreshold{ 1024u };
		// DirectTransport: the largest message its DataProducers may send.
		uint32_t maxMessageSize{ 0u };
		bool direct{ false };
		bool isDataChannel{ false };
	};
} // namespace RTC

#endif
