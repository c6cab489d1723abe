#ifndef MS_RTC_DATA_CONSUMER_HPP
#define MS_RTC_DATA_CONSUMER_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "FBS/transport_generated.h"
#include "RTC/DataProducer.hpp"
#include "RTC/SctpAssociation.hpp"
#include "RTC/SctpStreamParameters.hpp"
#include "RTC/Shared.hpp"

#include <set>
#include <string>

namespace RTC
{
	// Messages of one DataProducer a Router delivers to an endpoint: on one
	// SCTP stream of its transport, or (DirectTransport) to the application.
	// Subchannels let the application pick which of the producer's messages
	// reach it.
	class DataConsumer : public Channel::RequestHandler
	{
	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			// The DataProducer is gone: the listener destroys the DataConsumer.
			virtual void OnDataConsumerDataProducerClosed(DataConsumer* dataConsumer) = 0;
		};

	public:
		// Throws MediaSoupTypeError on bad parameters. `sctpAssociation` is the
		// transport's (nullptr without SCTP); it outlives the DataConsumer.
		// `pipe`: the transport links two Routers (subchannel rules differ).
		DataConsumer(
			Shared* shared,
			const std::string& id,
			Listener* listener,
			const FBS::Transport::ConsumeDataRequest* request,
			SctpAssociation* sctpAssociation,
			uint32_t bufferedAmountLowThreshold,
			bool pipe);
		~DataConsumer() override;

	public:
		const std::string& GetId() const { return this->id; }
		const std::string& GetDataProducerId() const { return this->dataProducerId; }
		DataProducer::Type GetType() const { return this->type; }
		const SctpStreamParameters& GetSctpStreamParameters() const
		{
			return this->sctpStreamParameters;
		}
		// Silently, at creation (the application learns it from the response).
		void SetDataProducerPaused(bool paused) { this->dataProducerPaused = paused; }
		void DataProducerPaused();
		void DataProducerResumed();
		void DataProducerClosed();
		// A message of the DataProducer: delivered unless paused or filtered
		// out by subchannels.
		void DeliverMessage(const DataProducer::Message& message);
		// The buffered amount of its SCTP stream went down.
		void SctpBufferedAmountChanged(uint32_t bufferedAmount);
		flatbuffers::Offset<FBS::DataConsumer::DumpResponse>
		FillBuffer(flatbuffers::FlatBufferBuilder& builder) const;

		/* Methods inherited from Channel::RequestHandler. */
	public:
		void HandleRequest(Channel::ChannelRequest* request) override;

	private:
		bool IsActive() const { return !this->paused && !this->dataProducerPaused; }
		// Bytes of its SCTP stream not yet sent (0 without SCTP).
		uint32_t GetBufferedAmount() const
		{
			return this->type == DataProducer::Type::SCTP && this->sctpAssociation
							 ? this->sctpAssociation->GetBufferedAmount(this->sctpStreamParameters.streamId)
							 : 0u;
		}
		bool PassesSubchannels(const DataProducer::Message& message) const;
		// Sends on the SCTP stream; tells the application when the buffer is
		// full. `applicationLen`: the bytes the stats count (a piped message
		// carries a header). Throws MediaSoupError when `throwOnFailure` and
		// it was not sent.
		void SendSctp(
			uint32_t ppid, const uint8_t* data, size_t len, size_t applicationLen, bool throwOnFailure);
		void Notify(FBS::Notification::Event event);
		flatbuffers::Offset<flatbuffers::Vector<uint16_t>>
		FillBufferSubchannels(flatbuffers::FlatBufferBuilder& builder) const;

	private:
		// Passed by argument.
		Shared* shared{ nullptr };
		const std::string id;
		Listener* listener{ nullptr };
		SctpAssociation* sctpAssociation{ nullptr };
		// Others.
		std::string dataProducerId;
		DataProducer::Type type{ DataProducer::Type::SCTP };
		SctpStreamParameters sctpStreamParameters;
		std::string label;
		std::string protocol;
		bool pipe{ false };
		bool paused{ false };
		bool dataProducerPaused{ false };
		std::set<uint16_t> subchannels;
		uint32_t bufferedAmountLowThreshold{ 0u };
		// The stream's buffered amount we last heard of: "low" is news
		// only when it crosses the threshold going down.
		uint32_t lastBufferedAmount{ 0u };
		uint64_t messagesSent{ 0u };
		uint64_t bytesSent{ 0u };
	};
} // namespace RTC

#endif
