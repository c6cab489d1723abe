#define MS_CLASS "RTC::TransportDataChannels"

#include "RTC/TransportDataChannels.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

namespace RTC
{
	namespace
	{
		// Streams each SCTP association asks for and accepts. usrsctp allocates
		// the state of every negotiated stream, in and out, when the
		// association comes up: measured worker RSS per association is about
		// 125 KB with 1024 streams and 6.7 MB with 65535 (two pipes offering
		// 65535 each), so 1024 it stays: what WebRTC stacks used to ask for,
		// and the peer may agree to fewer.
		constexpr uint16_t SctpStreams{ 1024u };

		FBS::Transport::SctpState SctpStateToFbs(SctpAssociation::State state)
		{
			switch (state)
			{
				case SctpAssociation::State::NEW:
					return FBS::Transport::SctpState::NEW;
				case SctpAssociation::State::CONNECTING:
					return FBS::Transport::SctpState::CONNECTING;
				case SctpAssociation::State::CONNECTED:
					return FBS::Transport::SctpState::CONNECTED;
				case SctpAssociation::State::FAILED:
					return FBS::Transport::SctpState::FAILED;
				case SctpAssociation::State::CLOSED:
					return FBS::Transport::SctpState::CLOSED;
			}

			return FBS::Transport::SctpState::CLOSED;
		}
	} // namespace

	TransportDataChannels::TransportDataChannels(
		Shared* shared,
		const std::string& transportId,
		Listener* listener,
		const FBS::Transport::Options* options)
			: shared(shared), listener(listener), transportId(transportId)
	{
		if (options)
		{
			this->direct         = options->direct();
			this->maxMessageSize = options->max_message_size();
			this->isDataChannel  = options->is_data_channel();
			this->sctpDefaultBufferedAmountLowThreshold =
				options->sctp_default_stream_buffered_amount_low_threshold();

			if (options->enable_sctp() && !this->direct)
			{
				SctpAssociation::Options sctpOptions;

				sctpOptions.os                    = SctpStreams;
				sctpOptions.mis                   = SctpStreams;
				sctpOptions.maxReceiveMessageSize = options->max_sctp_message_size();
				sctpOptions.maxSendMessageSize    = options->max_sctp_send_message_size();
				sctpOptions.sendBufferSize        = options->sctp_send_buffer_size();
				sctpOptions.receiveBufferSize     = options->sctp_max_receiver_window_buffer_size();

				// This may throw.
				this->sctpAssociation = std::make_unique<SctpAssociation>(this, sctpOptions);
			}
		}
	}

	TransportDataChannels::~TransportDataChannels() = default;

	void TransportDataChannels::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::TRANSPORT_PRODUCE_DATA:
			{
				ProduceData(request);

				break;
			}

			case FBS::Request::Method::TRANSPORT_CONSUME_DATA:
			{
				ConsumeData(request);

				break;
			}

			case FBS::Request::Method::TRANSPORT_CLOSE_DATAPRODUCER:
			{
				const auto* body = request->GetBody<FBS::Transport::CloseDataProducerRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const auto it = this->mapDataProducers.find(body->data_producer_id()->str());

				if (it == this->mapDataProducers.end())
				{
					MS_THROW_NOT_FOUND_ERROR(
						"no DataProducer with id '%s'", body->data_producer_id()->c_str());
				}

				CloseDataProducer(it->second.get());

				request->Accept();

				break;
			}

			case FBS::Request::Method::TRANSPORT_CLOSE_DATACONSUMER:
			{
				const auto* body = request->GetBody<FBS::Transport::CloseDataConsumerRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const auto it = this->mapDataConsumers.find(body->data_consumer_id()->str());

				if (it == this->mapDataConsumers.end())
				{
					MS_THROW_NOT_FOUND_ERROR(
						"no DataConsumer with id '%s'", body->data_consumer_id()->c_str());
				}

				CloseDataConsumer(it->second.get());

				request->Accept();

				break;
			}

			// Not reached: the transport forwards only the four above.
			default:
			{
				MS_THROW_ERROR(
					"unknown method '%.*s'",
					static_cast<int>(request->methodName.size()),
					request->methodName.data());
			}
		}
	}

	void TransportDataChannels::CloseAll()
	{
		while (!this->mapDataConsumers.empty())
		{
			CloseDataConsumer(this->mapDataConsumers.begin()->second.get());
		}

		while (!this->mapDataProducers.empty())
		{
			CloseDataProducer(this->mapDataProducers.begin()->second.get());
		}

		// Aborts the association (the peer hears it now, while we can send).
		this->sctpAssociation.reset();
	}

	void TransportDataChannels::SctpLinkConnected()
	{
		if (this->sctpAssociation)
		{
			this->sctpAssociation->Connect();
		}
	}

	void TransportDataChannels::ReceiveSctpData(const uint8_t* data, size_t len)
	{
		if (this->sctpAssociation)
		{
			this->sctpAssociation->ProcessSctpData(data, len);
		}
	}

	TransportDataChannels::DumpFields
	TransportDataChannels::FillDumpFields(flatbuffers::FlatBufferBuilder& builder) const
	{
		DumpFields fields;

		for (const auto& [dataProducerId, dataProducer] : this->mapDataProducers)
		{
			fields.dataProducerIds.push_back(builder.CreateString(dataProducerId));
		}

		for (const auto& [dataConsumerId, dataConsumer] : this->mapDataConsumers)
		{
			fields.dataConsumerIds.push_back(builder.CreateString(dataConsumerId));
		}

		if (this->sctpAssociation)
		{
			const auto& association = *this->sctpAssociation;
			const auto& options     = association.GetOptions();

			fields.sctpParameters = FBS::SctpParameters::CreateSctpParameters(
				builder,
				SctpAssociation::Port,
				options.os,
				options.mis,
				static_cast<uint32_t>(options.maxReceiveMessageSize),
				static_cast<uint32_t>(options.sendBufferSize),
				association.GetBufferedAmount(),
				this->isDataChannel);
			fields.sctpState = SctpStateToFbs(association.GetState());

			// Both 0 until the association connects.
			fields.sctpNegotiated = FBS::Transport::CreateSctpNegotiatedCapabilities(
				builder, association.GetNegotiatedOs(), association.GetNegotiatedMis());

			for (const auto& [streamId, dataProducer] : this->mapStreamIdDataProducer)
			{
				fields.sctpStreamIds.push_back(
					FBS::Common::CreateUint16StringDirect(builder, streamId, dataProducer->GetId().c_str()));
			}
		}

		return fields;
	}

	flatbuffers::Optional<FBS::Transport::SctpState> TransportDataChannels::GetSctpState() const
	{
		if (!this->sctpAssociation)
		{
			return flatbuffers::nullopt;
		}

		return SctpStateToFbs(this->sctpAssociation->GetState());
	}

	void TransportDataChannels::ProduceData(Channel::ChannelRequest* request)
	{
		const auto* body = request->GetBody<FBS::Transport::ProduceDataRequest>();

		if (!body)
		{
			MS_THROW_TYPE_ERROR("missing body");
		}

		const std::string dataProducerId = body->data_producer_id()->str();

		if (dataProducerId.empty())
		{
			MS_THROW_TYPE_ERROR("empty dataProducerId");
		}

		if (this->mapDataProducers.contains(dataProducerId))
		{
			MS_THROW_ERROR(
				"a DataProducer with id '%s' already exists in this transport", dataProducerId.c_str());
		}

		const bool isSctp = body->type() == FBS::DataProducer::Type::SCTP;

		if (isSctp && !this->sctpAssociation)
		{
			MS_THROW_ERROR("SCTP is not enabled on this transport");
		}

		if (!isSctp && !this->direct)
		{
			MS_THROW_TYPE_ERROR("a direct DataProducer needs a DirectTransport");
		}

		// This may throw.
		auto dataProducer = std::make_unique<DataProducer>(
			this->shared, dataProducerId, this, body, this->maxMessageSize);

		if (isSctp)
		{
			const uint16_t streamId = dataProducer->GetSctpStreamParameters().streamId;

			if (this->mapStreamIdDataProducer.contains(streamId))
			{
				MS_THROW_ERROR("streamId %" PRIu16 " already in use", streamId);
			}
		}

		// This may throw (id taken in the Router).
		this->listener->OnDataChannelsNewDataProducer(dataProducer.get());

		auto* dataProducerPtr = dataProducer.get();

		if (isSctp)
		{
			this->mapStreamIdDataProducer[dataProducerPtr->GetSctpStreamParameters().streamId] =
				dataProducerPtr;
		}

		this->mapDataProducers[dataProducerId] = std::move(dataProducer);

		auto dump = dataProducerPtr->FillBuffer(request->GetBufferBuilder());

		request->Accept(FBS::Response::Body::DataProducer_DumpResponse, dump);
	}

	void TransportDataChannels::ConsumeData(Channel::ChannelRequest* request)
	{
		const auto* body = request->GetBody<FBS::Transport::ConsumeDataRequest>();

		if (!body)
		{
			MS_THROW_TYPE_ERROR("missing body");
		}

		const std::string dataConsumerId = body->data_consumer_id()->str();

		if (dataConsumerId.empty())
		{
			MS_THROW_TYPE_ERROR("empty dataConsumerId");
		}

		if (this->mapDataConsumers.contains(dataConsumerId))
		{
			MS_THROW_ERROR(
				"a DataConsumer with id '%s' already exists in this transport", dataConsumerId.c_str());
		}

		const bool isSctp = body->type() == FBS::DataProducer::Type::SCTP;

		if (!isSctp && !this->direct)
		{
			MS_THROW_TYPE_ERROR("a direct DataConsumer needs a DirectTransport");
		}

		// This may throw.
		auto dataConsumer = std::make_unique<DataConsumer>(
			this->shared,
			dataConsumerId,
			this,
			body,
			this->sctpAssociation.get(),
			this->sctpDefaultBufferedAmountLowThreshold,
			this->listener->IsPipe());

		if (isSctp)
		{
			const uint16_t streamId = dataConsumer->GetSctpStreamParameters().streamId;

			if (this->mapStreamIdDataConsumer.contains(streamId))
			{
				MS_THROW_ERROR("streamId %" PRIu16 " already in use", streamId);
			}
		}

		// This may throw (unknown DataProducer).
		auto* dataProducer = this->listener->OnDataChannelsNewDataConsumer(
			dataConsumer.get(), dataConsumer->GetDataProducerId());

		dataConsumer->SetDataProducerPaused(dataProducer->IsPaused());

		auto* dataConsumerPtr = dataConsumer.get();

		if (isSctp)
		{
			this->mapStreamIdDataConsumer[dataConsumerPtr->GetSctpStreamParameters().streamId] =
				dataConsumerPtr;
		}

		this->mapDataConsumers[dataConsumerId] = std::move(dataConsumer);

		auto dump = dataConsumerPtr->FillBuffer(request->GetBufferBuilder());

		request->Accept(FBS::Response::Body::DataConsumer_DumpResponse, dump);
	}

	void TransportDataChannels::CloseDataProducer(DataProducer* dataProducer)
	{
		// The Router closes its DataConsumers first.
		this->listener->OnDataChannelsDataProducerClosed(dataProducer);

		if (dataProducer->GetType() == DataProducer::Type::SCTP)
		{
			const uint16_t streamId = dataProducer->GetSctpStreamParameters().streamId;

			this->mapStreamIdDataProducer.erase(streamId);

			// The peer's data channel closes too.
			if (this->sctpAssociation)
			{
				this->sctpAssociation->ResetStream(streamId);
			}
		}

		this->mapDataProducers.erase(dataProducer->GetId());
	}

	void TransportDataChannels::CloseDataConsumer(DataConsumer* dataConsumer)
	{
		this->listener->OnDataChannelsDataConsumerClosed(dataConsumer);

		if (dataConsumer->GetType() == DataProducer::Type::SCTP)
		{
			const uint16_t streamId = dataConsumer->GetSctpStreamParameters().streamId;

			this->mapStreamIdDataConsumer.erase(streamId);

			if (this->sctpAssociation)
			{
				this->sctpAssociation->ResetStream(streamId);
			}
		}

		this->mapDataConsumers.erase(dataConsumer->GetId());
	}

	void TransportDataChannels::OnDataProducerPaused(DataProducer* dataProducer)
	{
		this->listener->OnDataChannelsDataProducerPaused(dataProducer);
	}

	void TransportDataChannels::OnDataProducerResumed(DataProducer* dataProducer)
	{
		this->listener->OnDataChannelsDataProducerResumed(dataProducer);
	}

	void TransportDataChannels::OnDataProducerMessageReceived(
		DataProducer* dataProducer, const DataProducer::Message& message)
	{
		this->listener->OnDataChannelsDataProducerMessageReceived(dataProducer, message);
	}

	void TransportDataChannels::OnDataConsumerDataProducerClosed(DataConsumer* dataConsumer)
	{
		CloseDataConsumer(dataConsumer);
	}

	void TransportDataChannels::OnSctpAssociationStateChanged(
		SctpAssociation* association, SctpAssociation::State state)
	{
		auto& builder = this->shared->channel->GetNotificationBuilder();
		flatbuffers::Offset<FBS::Transport::SctpNegotiatedCapabilities> negotiated;

		if (state == SctpAssociation::State::CONNECTED)
		{
			negotiated = FBS::Transport::CreateSctpNegotiatedCapabilities(
				builder, association->GetNegotiatedOs(), association->GetNegotiatedMis());
		}

		auto body =
			FBS::Transport::CreateSctpStateChangeNotification(builder, SctpStateToFbs(state), negotiated);

		this->shared->channel->SendNotification(
			this->transportId,
			FBS::Notification::Event::TRANSPORT_SCTP_STATE_CHANGE,
			FBS::Notification::Body::Transport_SctpStateChangeNotification,
			body.Union());
	}

	void TransportDataChannels::OnSctpAssociationSendData(
		SctpAssociation* /*association*/, const uint8_t* data, size_t len)
	{
		this->listener->OnDataChannelsSendSctpData(data, len);
	}

	void TransportDataChannels::OnSctpAssociationMessageReceived(
		SctpAssociation* /*association*/,
		uint16_t streamId,
		uint32_t ppid,
		const uint8_t* msg,
		size_t len)
	{
		const auto it = this->mapStreamIdDataProducer.find(streamId);

		if (it == this->mapStreamIdDataProducer.end())
		{
			MS_DEBUG_TAG(
				sctp, "message on SCTP stream %" PRIu16 " with no DataProducer, dropped", streamId);

			return;
		}

		if (this->listener->IsPipe())
		{
			it->second->ReceivePipeMessage(ppid, msg, len);
		}
		else
		{
			it->second->ReceiveMessage(ppid, msg, len);
		}
	}

	void TransportDataChannels::OnSctpAssociationBufferedAmount(
		SctpAssociation* /*association*/, uint16_t streamId, uint32_t bufferedAmount)
	{
		const auto it = this->mapStreamIdDataConsumer.find(streamId);

		if (it != this->mapStreamIdDataConsumer.end())
		{
			it->second->SctpBufferedAmountChanged(bufferedAmount);
		}
	}
} // namespace RTC
