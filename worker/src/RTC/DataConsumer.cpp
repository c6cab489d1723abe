#define MS_CLASS "RTC::DataConsumer"

#include "RTC/DataConsumer.hpp"

#include "Channel/ChannelRequest.hpp"
#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/PipeSubchannels.hpp"

#include <algorithm>
#include <vector>

namespace RTC
{
	DataConsumer::DataConsumer(
		Shared* shared,
		const std::string& id,
		Listener* listener,
		const FBS::Transport::ConsumeDataRequest* request,
		SctpAssociation* sctpAssociation,
		uint32_t bufferedAmountLowThreshold,
		bool pipe)
			: shared(shared),
				id(id),
				listener(listener),
				sctpAssociation(sctpAssociation),
				pipe(pipe),
				bufferedAmountLowThreshold(bufferedAmountLowThreshold)
	{
		this->dataProducerId = request->data_producer_id()->str();
		this->type = request->type() == FBS::DataProducer::Type::DIRECT ? DataProducer::Type::DIRECT
																																		: DataProducer::Type::SCTP;

		if (this->type == DataProducer::Type::SCTP)
		{
			if (!this->sctpAssociation)
			{
				MS_THROW_ERROR("SCTP is not enabled on this transport");
			}

			if (!request->sctp_stream_parameters())
			{
				MS_THROW_TYPE_ERROR("missing sctpStreamParameters");
			}

			// This may throw.
			this->sctpStreamParameters = SctpStreamParameters::FromFbs(request->sctp_stream_parameters());
		}

		if (request->label())
		{
			this->label = request->label()->str();
		}

		if (request->protocol())
		{
			this->protocol = request->protocol()->str();
		}

		this->paused = request->paused();

		if (request->subchannels())
		{
			this->subchannels.insert(request->subchannels()->begin(), request->subchannels()->end());
		}

		// This may throw.
		this->shared->registrator->RegisterHandler(this->id, this);
	}

	DataConsumer::~DataConsumer()
	{
		this->shared->registrator->UnregisterHandler(this->id);
	}

	void DataConsumer::DataProducerPaused()
	{
		if (this->dataProducerPaused)
		{
			return;
		}

		this->dataProducerPaused = true;
		Notify(FBS::Notification::Event::DATACONSUMER_DATAPRODUCER_PAUSE);
	}

	void DataConsumer::DataProducerResumed()
	{
		if (!this->dataProducerPaused)
		{
			return;
		}

		this->dataProducerPaused = false;
		Notify(FBS::Notification::Event::DATACONSUMER_DATAPRODUCER_RESUME);
	}

	void DataConsumer::DataProducerClosed()
	{
		Notify(FBS::Notification::Event::DATACONSUMER_DATAPRODUCER_CLOSE);

		// This destroys us.
		this->listener->OnDataConsumerDataProducerClosed(this);
	}

	void DataConsumer::DeliverMessage(const DataProducer::Message& message)
	{
		if (!IsActive() || !PassesSubchannels(message))
		{
			return;
		}

		if (this->type == DataProducer::Type::SCTP)
		{
			// Across a pipe, who the message is for goes along: the other
			// Router's DataConsumers filter by it. One buffer per thread (a
			// worker may run as a thread of a Rust process).
			thread_local std::vector<uint8_t> pipeMessage;

			if (
				this->pipe && PipeSubchannels::Encode(
												message.ppid,
												message.data,
												message.len,
												message.subchannels,
												message.requiredSubchannel,
												message.ignoredSubchannel,
												pipeMessage))
			{
				SendSctp(PipeSubchannels::Ppid, pipeMessage.data(), pipeMessage.size(), message.len, false);

				return;
			}

			SendSctp(message.ppid, message.data, message.len, message.len, false);

			return;
		}

		++this->messagesSent;
		this->bytesSent += message.len;

		auto& builder = this->shared->channel->GetNotificationBuilder();
		auto body     = FBS::DataConsumer::CreateMessageNotification(
      builder, message.ppid, builder.CreateVector(message.data, message.len));

		this->shared->channel->SendNotification(
			this->id,
			FBS::Notification::Event::DATACONSUMER_MESSAGE,
			FBS::Notification::Body::DataConsumer_MessageNotification,
			body.Union());
	}

	void DataConsumer::SctpBufferedAmountChanged(uint32_t bufferedAmount)
	{
		const uint32_t previous  = this->lastBufferedAmount;
		this->lastBufferedAmount = bufferedAmount;

		if (
			previous > this->bufferedAmountLowThreshold &&
			bufferedAmount <= this->bufferedAmountLowThreshold)
		{
			auto& builder = this->shared->channel->GetNotificationBuilder();
			auto body = FBS::DataConsumer::CreateBufferedAmountLowNotification(builder, bufferedAmount);

			this->shared->channel->SendNotification(
				this->id,
				FBS::Notification::Event::DATACONSUMER_BUFFERED_AMOUNT_LOW,
				FBS::Notification::Body::DataConsumer_BufferedAmountLowNotification,
				body.Union());
		}
	}

	flatbuffers::Offset<FBS::DataConsumer::DumpResponse>
	DataConsumer::FillBuffer(flatbuffers::FlatBufferBuilder& builder) const
	{
		flatbuffers::Offset<FBS::SctpParameters::SctpStreamParameters> sctpStreamParameters;

		if (this->type == DataProducer::Type::SCTP)
		{
			sctpStreamParameters = this->sctpStreamParameters.FillBuffer(builder);
		}

		const auto subchannels = FillBufferSubchannels(builder);

		return FBS::DataConsumer::CreateDumpResponse(
			builder,
			builder.CreateString(this->id),
			builder.CreateString(this->dataProducerId),
			this->type == DataProducer::Type::DIRECT ? FBS::DataProducer::Type::DIRECT
																							 : FBS::DataProducer::Type::SCTP,
			sctpStreamParameters,
			builder.CreateString(this->label),
			builder.CreateString(this->protocol),
			GetBufferedAmount(),
			this->bufferedAmountLowThreshold,
			this->paused,
			this->dataProducerPaused,
			subchannels);
	}

	void DataConsumer::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::DATACONSUMER_DUMP:
			{
				auto dump = FillBuffer(request->GetBufferBuilder());

				request->Accept(FBS::Response::Body::DataConsumer_DumpResponse, dump);

				break;
			}

			case FBS::Request::Method::DATACONSUMER_GET_STATS:
			{
				auto& builder = request->GetBufferBuilder();
				auto stats    = FBS::DataConsumer::CreateGetStatsResponseDirect(
          builder,
          DepLibUV::GetTimeMs(),
          this->label.c_str(),
          this->protocol.c_str(),
          this->messagesSent,
          this->bytesSent,
          GetBufferedAmount());

				request->Accept(FBS::Response::Body::DataConsumer_GetStatsResponse, stats);

				break;
			}

			case FBS::Request::Method::DATACONSUMER_PAUSE:
			{
				this->paused = true;

				request->Accept();

				break;
			}

			case FBS::Request::Method::DATACONSUMER_RESUME:
			{
				this->paused = false;

				request->Accept();

				break;
			}

			case FBS::Request::Method::DATACONSUMER_GET_BUFFERED_AMOUNT:
			{
				auto& builder = request->GetBufferBuilder();
				auto response =
					FBS::DataConsumer::CreateGetBufferedAmountResponse(builder, GetBufferedAmount());

				request->Accept(FBS::Response::Body::DataConsumer_GetBufferedAmountResponse, response);

				break;
			}

			case FBS::Request::Method::DATACONSUMER_SET_BUFFERED_AMOUNT_LOW_THRESHOLD:
			{
				const auto* body =
					request->GetBody<FBS::DataConsumer::SetBufferedAmountLowThresholdRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				this->bufferedAmountLowThreshold = body->threshold();

				request->Accept();

				// Already at or below the new threshold: say so now, as a browser's
				// bufferedamountlow would not wait for the next change.
				if (this->sctpAssociation && this->lastBufferedAmount > this->bufferedAmountLowThreshold)
				{
					SctpBufferedAmountChanged(GetBufferedAmount());
				}

				break;
			}

			case FBS::Request::Method::DATACONSUMER_SEND:
			{
				const auto* body = request->GetBody<FBS::DataConsumer::SendRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				if (this->type != DataProducer::Type::SCTP)
				{
					MS_THROW_TYPE_ERROR("send() is only for SCTP DataConsumers");
				}

				// This may throw.
				SendSctp(
					body->ppid(), body->data()->data(), body->data()->size(), body->data()->size(), true);

				auto& builder = request->GetBufferBuilder();
				auto response =
					FBS::DataConsumer::CreateGetBufferedAmountResponse(builder, GetBufferedAmount());

				request->Accept(FBS::Response::Body::DataConsumer_GetBufferedAmountResponse, response);

				break;
			}

			case FBS::Request::Method::DATACONSUMER_SET_SUBCHANNELS:
			case FBS::Request::Method::DATACONSUMER_ADD_SUBCHANNEL:
			case FBS::Request::Method::DATACONSUMER_REMOVE_SUBCHANNEL:
			{
				if (request->method == FBS::Request::Method::DATACONSUMER_SET_SUBCHANNELS)
				{
					const auto* body = request->GetBody<FBS::DataConsumer::SetSubchannelsRequest>();

					if (!body)
					{
						MS_THROW_TYPE_ERROR("missing body");
					}

					this->subchannels.clear();
					this->subchannels.insert(body->subchannels()->begin(), body->subchannels()->end());
				}
				else if (request->method == FBS::Request::Method::DATACONSUMER_ADD_SUBCHANNEL)
				{
					const auto* body = request->GetBody<FBS::DataConsumer::AddSubchannelRequest>();

					if (!body)
					{
						MS_THROW_TYPE_ERROR("missing body");
					}

					this->subchannels.insert(body->subchannel());
				}
				else
				{
					const auto* body = request->GetBody<FBS::DataConsumer::RemoveSubchannelRequest>();

					if (!body)
					{
						MS_THROW_TYPE_ERROR("missing body");
					}

					this->subchannels.erase(body->subchannel());
				}

				auto& builder = request->GetBufferBuilder();
				auto response =
					FBS::DataConsumer::CreateSetSubchannelsResponse(builder, FillBufferSubchannels(builder));

				request->Accept(FBS::Response::Body::DataConsumer_SetSubchannelsResponse, response);

				break;
			}

			default:
			{
				MS_THROW_ERROR(
					"unknown method '%.*s'",
					static_cast<int>(request->methodName.size()),
					request->methodName.data());
			}
		}
	}

	bool DataConsumer::PassesSubchannels(const DataProducer::Message& message) const
	{
		// A pipe with no subscriptions carries everything to the other Router,
		// whose own DataConsumers filter.
		if (this->pipe && this->subchannels.empty())
		{
			return true;
		}

		if (message.requiredSubchannel && !this->subchannels.contains(*message.requiredSubchannel))
		{
			return false;
		}

		if (
			!this->pipe && message.ignoredSubchannel &&
			this->subchannels.contains(*message.ignoredSubchannel))
		{
			return false;
		}

		if (!message.subchannels.empty())
		{
			return std::any_of(
				message.subchannels.begin(),
				message.subchannels.end(),
				[this](uint16_t subchannel) { return this->subchannels.contains(subchannel); });
		}

		return true;
	}

	void DataConsumer::SendSctp(
		uint32_t ppid, const uint8_t* data, size_t len, size_t applicationLen, bool throwOnFailure)
	{
		const auto result = this->sctpAssociation->SendMessage(
			this->sctpStreamParameters.streamId, ppid, this->sctpStreamParameters.reliability, data, len);

		switch (result)
		{
			case SctpAssociation::SendResult::SENT:
			{
				++this->messagesSent;
				this->bytesSent += applicationLen;
				this->lastBufferedAmount = GetBufferedAmount();

				return;
			}

			case SctpAssociation::SendResult::BUFFER_FULL:
			{
				Notify(FBS::Notification::Event::DATACONSUMER_SCTP_SENDBUFFER_FULL);

				if (throwOnFailure)
				{
					MS_THROW_ERROR("SCTP send buffer full, message dropped");
				}

				return;
			}

			case SctpAssociation::SendResult::TOO_BIG:
			{
				if (throwOnFailure)
				{
					MS_THROW_ERROR(
						"message of %zu bytes is empty or larger than maxSendMessageSize (%zu)",
						len,
						this->sctpAssociation->GetOptions().maxSendMessageSize);
				}

				MS_DEBUG_TAG(sctp, "message of %zu bytes over maxSendMessageSize, dropped", len);

				return;
			}

			case SctpAssociation::SendResult::NOT_CONNECTED:
			{
				if (throwOnFailure)
				{
					MS_THROW_ERROR("the SCTP association is not connected");
				}

				MS_DEBUG_TAG(sctp, "SCTP association not connected, message dropped");

				return;
			}

			case SctpAssociation::SendResult::FAILED:
			{
				if (throwOnFailure)
				{
					MS_THROW_ERROR("sending the message failed");
				}

				return;
			}
		}
	}

	void DataConsumer::Notify(FBS::Notification::Event event)
	{
		this->shared->channel->SendNotification(this->id, event);
	}

	flatbuffers::Offset<flatbuffers::Vector<uint16_t>>
	DataConsumer::FillBufferSubchannels(flatbuffers::FlatBufferBuilder& builder) const
	{
		const std::vector<uint16_t> list(this->subchannels.begin(), this->subchannels.end());

		return builder.CreateVector(list);
	}
} // namespace RTC
