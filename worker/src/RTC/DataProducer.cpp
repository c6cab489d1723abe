#define MS_CLASS "RTC::DataProducer"

#include "RTC/DataProducer.hpp"

#include "Channel/ChannelRequest.hpp"
#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/PipeSubchannels.hpp"

#include <vector>

namespace RTC
{
	DataProducer::DataProducer(
		Shared* shared,
		const std::string& id,
		Listener* listener,
		const FBS::Transport::ProduceDataRequest* request,
		size_t maxMessageSize)
			: shared(shared), id(id), listener(listener), maxMessageSize(maxMessageSize)
	{
		this->type = request->type() == FBS::DataProducer::Type::DIRECT ? Type::DIRECT : Type::SCTP;

		if (this->type == Type::SCTP)
		{
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

		// This may throw.
		this->shared->registrator->RegisterHandler(this->id, this);
	}

	DataProducer::~DataProducer()
	{
		this->shared->registrator->UnregisterHandler(this->id);
	}

	void DataProducer::ReceiveMessage(uint32_t ppid, const uint8_t* data, size_t len)
	{
		Message message;

		message.ppid = ppid;
		message.data = data;
		message.len  = len;

		Deliver(message);
	}

	void DataProducer::ReceivePipeMessage(uint32_t ppid, const uint8_t* data, size_t len)
	{
		if (ppid != PipeSubchannels::Ppid)
		{
			ReceiveMessage(ppid, data, len);

			return;
		}

		// One per thread (a worker may run as a thread of a Rust process).
		thread_local PipeSubchannels::Decoded decoded;

		if (!PipeSubchannels::Decode(data, len, decoded))
		{
			++this->malformedPipeMessages;

			MS_DEBUG_TAG(sctp, "malformed subchannels header of a piped message, dropped");

			return;
		}

		Message message;

		message.ppid               = decoded.ppid;
		message.data               = decoded.payload;
		message.len                = decoded.payloadLen;
		message.subchannels        = decoded.subchannels;
		message.requiredSubchannel = decoded.requiredSubchannel;
		message.ignoredSubchannel  = decoded.ignoredSubchannel;

		Deliver(message);
	}

	flatbuffers::Offset<FBS::DataProducer::DumpResponse>
	DataProducer::FillBuffer(flatbuffers::FlatBufferBuilder& builder) const
	{
		flatbuffers::Offset<FBS::SctpParameters::SctpStreamParameters> sctpStreamParameters;

		if (this->type == Type::SCTP)
		{
			sctpStreamParameters = this->sctpStreamParameters.FillBuffer(builder);
		}

		return FBS::DataProducer::CreateDumpResponseDirect(
			builder,
			this->id.c_str(),
			this->type == Type::DIRECT ? FBS::DataProducer::Type::DIRECT : FBS::DataProducer::Type::SCTP,
			sctpStreamParameters,
			this->label.c_str(),
			this->protocol.c_str(),
			this->paused);
	}

	void DataProducer::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::DATAPRODUCER_DUMP:
			{
				auto dump = FillBuffer(request->GetBufferBuilder());

				request->Accept(FBS::Response::Body::DataProducer_DumpResponse, dump);

				break;
			}

			case FBS::Request::Method::DATAPRODUCER_GET_STATS:
			{
				auto& builder = request->GetBufferBuilder();
				auto stats    = FBS::DataProducer::CreateGetStatsResponseDirect(
          builder,
          DepLibUV::GetTimeMs(),
          this->label.c_str(),
          this->protocol.c_str(),
          this->messagesReceived,
          this->bytesReceived);

				request->Accept(FBS::Response::Body::DataProducer_GetStatsResponse, stats);

				break;
			}

			case FBS::Request::Method::DATAPRODUCER_PAUSE:
			{
				const bool wasPaused = this->paused;

				this->paused = true;

				request->Accept();

				if (!wasPaused)
				{
					this->listener->OnDataProducerPaused(this);
				}

				break;
			}

			case FBS::Request::Method::DATAPRODUCER_RESUME:
			{
				const bool wasPaused = this->paused;

				this->paused = false;

				request->Accept();

				if (wasPaused)
				{
					this->listener->OnDataProducerResumed(this);
				}

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

	void DataProducer::HandleNotification(const FBS::Notification::Notification* notification)
	{
		if (notification->event() != FBS::Notification::Event::DATAPRODUCER_SEND)
		{
			return;
		}

		const auto* body = notification->body_as_DataProducer_SendNotification();

		if (!body)
		{
			return;
		}

		if (this->type != Type::DIRECT)
		{
			MS_WARN_TAG(sctp, "send() on a DataProducer that is not direct, ignored");

			return;
		}

		if (body->data()->size() > this->maxMessageSize)
		{
			MS_WARN_TAG(
				sctp,
				"message of %" PRIu32 " bytes over maxMessageSize (%zu), dropped",
				body->data()->size(),
				this->maxMessageSize);

			return;
		}

		Message message;

		message.ppid = body->ppid();
		message.data = body->data()->data();
		message.len  = body->data()->size();

		if (body->subchannels())
		{
			message.subchannels =
				std::span<const uint16_t>(body->subchannels()->data(), body->subchannels()->size());
		}

		if (body->required_subchannel())
		{
			message.requiredSubchannel = *body->required_subchannel();
		}

		if (body->ignored_subchannel())
		{
			message.ignoredSubchannel = *body->ignored_subchannel();
		}

		Deliver(message);
	}

	void DataProducer::Deliver(const Message& message)
	{
		++this->messagesReceived;
		this->bytesReceived += message.len;

		// A paused DataProducer drops what it receives.
		if (this->paused)
		{
			return;
		}

		this->listener->OnDataProducerMessageReceived(this, message);
	}
} // namespace RTC
