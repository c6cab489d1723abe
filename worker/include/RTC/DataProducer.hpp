#ifndef MS_RTC_DATA_PRODUCER_HPP
#define MS_RTC_DATA_PRODUCER_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "FBS/transport_generated.h"
#include "RTC/SctpStreamParameters.hpp"
#include "RTC/Shared.hpp"

#include <optional>
#include <span>
#include <string>

namespace RTC
{
	// Messages an endpoint sends into a Router: on one SCTP stream of its
	// transport, or (DirectTransport) from the application through send().
	class DataProducer : public Channel::RequestHandler
	{
	public:
		enum class Type : uint8_t
		{
			SCTP = 0,
			DIRECT
		};

		// One message and, for the application's messages, who it is for.
		struct Message
		{
			uint32_t ppid{ 0u };
			const uint8_t* data{ nullptr };
			size_t len{ 0u };
			std::span<const uint16_t> subchannels;
			std::optional<uint16_t> requiredSubchannel;
			std::optional<uint16_t> ignoredSubchannel;
		};

		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			virtual void OnDataProducerPaused(DataProducer* dataProducer)  = 0;
			virtual void OnDataProducerResumed(DataProducer* dataProducer) = 0;
			// A message to deliver to the DataConsumers (never while paused).
			virtual void
			OnDataProducerMessageReceived(DataProducer* dataProducer, const Message& message) = 0;
		};

	public:
		// Throws MediaSoupTypeError on bad parameters. `maxMessageSize` bounds
		// the application's messages (DirectTransport).
		DataProducer(
			Shared* shared,
			const std::string& id,
			Listener* listener,
			const FBS::Transport::ProduceDataRequest* request,
			size_t maxMessageSize);
		~DataProducer() override;

	public:
		const std::string& GetId() const { return this->id; }
		Type GetType() const { return this->type; }
		// Only for SCTP.
		const SctpStreamParameters& GetSctpStreamParameters() const
		{
			return this->sctpStreamParameters;
		}
		bool IsPaused() const { return this->paused; }
		// A message of its SCTP stream.
		void ReceiveMessage(uint32_t ppid, const uint8_t* data, size_t len);
		// A message of its SCTP stream on a PipeTransport: it may say who it
		// is for (PipeSubchannels). A malformed one is dropped and counted.
		void ReceivePipeMessage(uint32_t ppid, const uint8_t* data, size_t len);
		flatbuffers::Offset<FBS::DataProducer::DumpResponse>
		FillBuffer(flatbuffers::FlatBufferBuilder& builder) const;

		/* Methods inherited from Channel::RequestHandler. */
	public:
		void HandleRequest(Channel::ChannelRequest* request) override;
		// DATAPRODUCER_SEND: the application's message (DirectTransport).
		void HandleNotification(const FBS::Notification::Notification* notification) override;

	private:
		void Deliver(const Message& message);

	private:
		// Passed by argument.
		Shared* shared{ nullptr };
		const std::string id;
		Listener* listener{ nullptr };
		// Others.
		Type type{ Type::SCTP };
		SctpStreamParameters sctpStreamParameters;
		std::string label;
		std::string protocol;
		bool paused{ false };
		size_t maxMessageSize{ 0u };
		uint64_t messagesReceived{ 0u };
		uint64_t bytesReceived{ 0u };
		uint64_t malformedPipeMessages{ 0u };
	};
} // namespace RTC

#endif
