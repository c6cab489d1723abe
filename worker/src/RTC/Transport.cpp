#define MS_CLASS "RTC::Transport"

#include "RTC/Transport.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "Utils/Crypto.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		// Cap of the SSRCs learned from MID / RID on one transport.
		constexpr size_t MaxLearnedSsrcs{ 1000u };
		// Lowest non-zero outgoing bitrate limit accepted (bps).
		constexpr uint32_t MinOutgoingBitrateLimit{ 30000u };

		const std::vector<std::string_view> TraceEventTypes{ "probation", "bwe" };
	} // namespace

	Transport::Transport(
		Shared* shared,
		const std::string& id,
		Listener* listener,
		const FBS::Transport::Options* options)
			: shared(shared),
				id(id),
				listener(listener),
				// This may throw (SCTP association).
				dataChannels(shared, id, this, options),
				outgoingBwe(this, options ? options->initial_available_outgoing_bitrate() : 0u)
	{
		if (options)
		{
			this->direct = options->direct();
		}

		this->rtcpSsrc  = Utils::Crypto::GetRandomUInt(1u, 0xFFFFFFFEu);
		this->rtcpCname = Utils::Crypto::GetRandomString(16u);

		// This may throw.
		this->shared->registrator->RegisterHandler(this->id, this);
	}

	Transport::~Transport()
	{
		this->rtcpTimer.reset();
		this->feedbackTimer.reset();
		this->incomingBweTimer.reset();

		CloseProducersAndConsumers();

		this->shared->registrator->UnregisterHandler(this->id);
	}

	void Transport::CloseProducersAndConsumers()
	{
		// Consumers first: a producer of this transport may feed them.
		while (!this->mapConsumers.empty())
		{
			CloseConsumer(this->mapConsumers.begin()->second.get());
		}

		while (!this->mapProducers.empty())
		{
			CloseProducer(this->mapProducers.begin()->second.get());
		}

		// Then the DataConsumers and DataProducers; the SCTP association
		// aborts (the peer hears it now, while we can send).
		this->dataChannels.CloseAll();
	}

	void Transport::SctpLinkConnected()
	{
		this->dataChannels.SctpLinkConnected();
	}

	void Transport::ReceiveSctpData(const uint8_t* data, size_t len)
	{
		if (!this->dataChannels.HasSctp())
		{
			++this->dropped.notStunDtlsRtpRtcp;

			return;
		}

		this->dataChannels.ReceiveSctpData(data, len);
	}

	void Transport::OnDataChannelsSendSctpData(const uint8_t* data, size_t len)
	{
		SendSctpData(data, len);
	}

	void Transport::OnDataChannelsNewDataProducer(DataProducer* dataProducer)
	{
		this->listener->OnTransportNewDataProducer(this, dataProducer);
	}

	void Transport::OnDataChannelsDataProducerClosed(DataProducer* dataProducer)
	{
		this->listener->OnTransportDataProducerClosed(this, dataProducer);
	}

	void Transport::OnDataChannelsDataProducerPaused(DataProducer* dataProducer)
	{
		this->listener->OnTransportDataProducerPaused(this, dataProducer);
	}

	void Transport::OnDataChannelsDataProducerResumed(DataProducer* dataProducer)
	{
		this->listener->OnTransportDataProducerResumed(this, dataProducer);
	}

	void Transport::OnDataChannelsDataProducerMessageReceived(
		DataProducer* dataProducer, const DataProducer::Message& message)
	{
		this->listener->OnTransportDataProducerMessageReceived(this, dataProducer, message);
	}

	DataProducer* Transport::OnDataChannelsNewDataConsumer(
		DataConsumer* dataConsumer, const std::string& dataProducerId)
	{
		return this->listener->OnTransportNewDataConsumer(this, dataConsumer, dataProducerId);
	}

	void Transport::OnDataChannelsDataConsumerClosed(DataConsumer* dataConsumer)
	{
		this->listener->OnTransportDataConsumerClosed(this, dataConsumer);
	}

	void Transport::Produce(Channel::ChannelRequest* request)
	{
		const auto* body = request->GetBody<FBS::Transport::ProduceRequest>();

		if (!body)
		{
			MS_THROW_TYPE_ERROR("missing body");
		}

		const std::string producerId = body->producer_id()->str();

		if (producerId.empty())
		{
			MS_THROW_TYPE_ERROR("empty producerId");
		}

		if (this->mapProducers.contains(producerId))
		{
			MS_THROW_ERROR(
				"a Producer with id '%s' already exists in this transport", producerId.c_str());
		}

		// This may throw.
		auto producer = std::make_unique<Producer>(this->shared, producerId, this, body);

		// Its SSRCs, MID and RIDs must be free on this transport.
		for (const auto ssrc : producer->GetSsrcs())
		{
			if (this->mapSsrcProducer.contains(ssrc))
			{
				MS_THROW_ERROR("ssrc %u already in use", ssrc);
			}
		}

		const auto& mid = producer->GetRtpParameters().mid;

		if (!mid.empty() && this->mapMidProducer.contains(mid))
		{
			MS_THROW_ERROR("mid '%s' already in use", mid.c_str());
		}

		// Several simulcast producers may use the same RIDs (r0, r1…) when each
		// has its own MID (a camera and a screen share on one transport): their
		// packets are told apart by MID. Without a MID, RIDs must be unique.
		if (mid.empty())
		{
			for (const auto& rid : producer->GetRids())
			{
				if (this->mapRidProducer.contains(rid))
				{
					MS_THROW_ERROR("rid '%s' already in use", rid.c_str());
				}
			}
		}

		// This may throw (id used by another producer of the Router).
		this->listener->OnTransportNewProducer(this, producer.get());

		for (const auto ssrc : producer->GetSsrcs())
		{
			this->mapSsrcProducer[ssrc] = producer.get();
		}

		if (!mid.empty())
		{
			this->mapMidProducer[mid] = producer.get();
		}

		// A RID shared with an earlier producer stays with that one (packets
		// with MID and RID are matched by MID first).
		for (const auto& rid : producer->GetRids())
		{
			this->mapRidProducer.try_emplace(rid, producer.get());
		}

		// The first producer announcing MID / RID / RRID ids sets them for the
		// transport.
		const auto& ids = producer->GetExtensionIds();

		if (this->recvExtensionIds.mid == 0u)
		{
			this->recvExtensionIds.mid = ids.mid;
		}

		if (this->recvExtensionIds.rid == 0u)
		{
			this->recvExtensionIds.rid = ids.rid;
		}

		if (this->recvExtensionIds.rrid == 0u)
		{
			this->recvExtensionIds.rrid = ids.rrid;
		}

		auto* producerPtr = producer.get();

		this->mapProducers[producerId] = std::move(producer);

		auto& builder = request->GetBufferBuilder();
		auto response = FBS::Transport::CreateProduceResponse(
			builder, static_cast<FBS::Producer::Type>(producerPtr->GetType()));

		request->Accept(FBS::Response::Body::Transport_ProduceResponse, response);

		if (!this->rtcpTimer)
		{
			ScheduleRtcpReports(DepLibUV::GetTimeMs(), true);
		}
	}

	void Transport::Consume(Channel::ChannelRequest* request)
	{
		const auto* body = request->GetBody<FBS::Transport::ConsumeRequest>();

		if (!body)
		{
			MS_THROW_TYPE_ERROR("missing body");
		}

		const std::string consumerId = body->consumer_id()->str();

		if (consumerId.empty())
		{
			MS_THROW_TYPE_ERROR("empty consumerId");
		}

		if (this->mapConsumers.contains(consumerId))
		{
			MS_THROW_ERROR(
				"a Consumer with id '%s' already exists in this transport", consumerId.c_str());
		}

		// This may throw.
		auto consumer = std::make_unique<Consumer>(this->shared, consumerId, this, body);

		for (const auto ssrc : consumer->GetSsrcs())
		{
			if (this->mapSsrcConsumer.contains(ssrc))
			{
				MS_THROW_ERROR("consumer ssrc %u already in use", ssrc);
			}
		}

		// This may throw (unknown producer).
		auto* producer =
			this->listener->OnTransportNewConsumer(this, consumer.get(), consumer->GetProducerId());

		// Silently: the app learns it from the response.
		consumer->SetProducerState(producer->IsPaused(), producer->GetScores());

		for (const auto ssrc : consumer->GetSsrcs())
		{
			this->mapSsrcConsumer[ssrc] = consumer.get();
		}

		auto* consumerPtr = consumer.get();

		this->mapConsumers[consumerId] = std::move(consumer);
		// A DirectTransport's consumers go to Node: no path to measure.
		if (!this->direct)
		{
			this->outgoingBwe.AddConsumer(consumerPtr);
		}

		auto& builder = request->GetBufferBuilder();
		auto score    = FBS::Consumer::CreateConsumerScoreDirect(
      builder,
      consumerPtr->GetScore(),
      consumerPtr->GetProducerScore(),
      &consumerPtr->GetProducerScores());
		flatbuffers::Offset<FBS::Consumer::ConsumerLayers> preferredLayers;

		if (const auto& layers = consumerPtr->GetPreferredLayers())
		{
			preferredLayers = FBS::Consumer::CreateConsumerLayers(
				builder,
				layers->spatialLayer,
				layers->temporalLayer ? flatbuffers::Optional<uint8_t>(*layers->temporalLayer)
															: flatbuffers::nullopt);
		}

		auto response = FBS::Transport::CreateConsumeResponse(
			builder, consumerPtr->IsPaused(), consumerPtr->IsProducerPaused(), score, preferredLayers);

		request->Accept(FBS::Response::Body::Transport_ConsumeResponse, response);

		if (!this->rtcpTimer)
		{
			ScheduleRtcpReports(DepLibUV::GetTimeMs(), true);
		}

		consumerPtr->RequestKeyFrameIfNeeded();
	}

	void Transport::CloseProducer(Producer* producer)
	{
		// The Router closes its consumers first.
		this->listener->OnTransportProducerClosed(this, producer);

		std::erase_if(
			this->mapSsrcProducer, [producer](const auto& entry) { return entry.second == producer; });
		std::erase_if(
			this->mapMidProducer, [producer](const auto& entry) { return entry.second == producer; });
		std::erase_if(
			this->mapRidProducer, [producer](const auto& entry) { return entry.second == producer; });

		this->mapProducers.erase(producer->GetId());
	}

	void Transport::CloseConsumer(Consumer* consumer)
	{
		this->listener->OnTransportConsumerClosed(this, consumer);

		std::erase_if(
			this->mapSsrcConsumer, [consumer](const auto& entry) { return entry.second == consumer; });

		this->outgoingBwe.RemoveConsumer(consumer);
		this->mapConsumers.erase(consumer->GetId());
	}

	void Transport::OnProducerPaused(Producer* producer)
	{
		this->listener->OnTransportProducerPaused(this, producer);
	}

	void Transport::OnProducerResumed(Producer* producer)
	{
		this->listener->OnTransportProducerResumed(this, producer);
	}

	void Transport::OnProducerRtcpFeedback(Producer* /*producer*/, const RTCP::AnyPacket& packet)
	{
		RTCP::CompoundPacket::Builder builder;

		builder.Add(packet);
		SendRtcpCompound(builder);
	}

	void Transport::OnProducerScore(Producer* producer)
	{
		this->listener->OnTransportProducerScore(this, producer);
	}

	void Transport::OnProducerSendRtpPacket(Producer* /*producer*/, uint8_t* data, size_t len)
	{
		DataReceived(len);
		ReceiveRtpPacket(data, len);
	}

	void Transport::HandleNotification(const FBS::Notification::Notification* notification)
	{
		if (notification->event() != FBS::Notification::Event::TRANSPORT_SEND_RTCP)
		{
			return;
		}

		const auto* body = notification->body_as_PacketData();

		if (!body)
		{
			return;
		}

		DataReceived(body->data()->size());
		ReceiveRtcpPacket(body->data()->data(), body->data()->size());
	}

	bool Transport::OnConsumerRetransmitRtpPacket(Consumer* consumer, const uint8_t* data, size_t len)
	{
		const uint64_t nowUs = DepLibUV::GetTimeUsNow();

		if (!this->outgoingBwe.AllowRetransmission(len, nowUs))
		{
			return false;
		}

		const auto bytes  = this->outgoingBwe.PrepareRetransmission(consumer, data, len, nowUs);
		const size_t sent = SendConsumerRtpData(consumer, bytes.data(), bytes.size());

		if (sent > 0u)
		{
			const uint64_t nowMs = DepLibUV::GetTimeMs();

			this->sendTransmission.Update(sent, nowMs);
			this->sendRtxTransmission.Update(sent, nowMs);
		}

		return true;
	}

	void Transport::OnConsumerKeyFrameRequested(Consumer* consumer, uint32_t mappedSsrc)
	{
		this->listener->OnTransportConsumerKeyFrameRequested(this, consumer, mappedSsrc);
	}

	void Transport::OnConsumerSendRtpPacket(Consumer* consumer, RtpPacket& packet)
	{
		const auto bytes  = this->outgoingBwe.PrepareRtp(consumer, packet, DepLibUV::GetTimeUsNow());
		const size_t sent = SendConsumerRtpData(consumer, bytes.data(), bytes.size());

		if (sent > 0u)
		{
			const uint64_t nowMs = DepLibUV::GetTimeMs();

			this->sendTransmission.Update(sent, nowMs);
			this->sendRtpTransmission.Update(sent, nowMs);
		}
	}

	void Transport::OnConsumerProducerClosed(Consumer* consumer)
	{
		CloseConsumer(consumer);
	}

	void Transport::OnConsumerNeedsAllocation(Consumer* /*consumer*/)
	{
		this->outgoingBwe.Allocate(DepLibUV::GetTimeUsNow());
	}

	Producer* Transport::FindProducerForPacket(const RtpPacket& packet)
	{
		const uint32_t ssrc = packet.GetSsrc();
		const auto it       = this->mapSsrcProducer.find(ssrc);

		if (it != this->mapSsrcProducer.end())
		{
			return it->second;
		}

		Producer* producer{ nullptr };

		if (const auto mid = packet.ReadMid())
		{
			const auto midIt = this->mapMidProducer.find(std::string(*mid));

			if (midIt != this->mapMidProducer.end())
			{
				producer = midIt->second;
			}
		}

		if (!producer)
		{
			if (const auto rid = packet.ReadRid())
			{
				const auto ridIt = this->mapRidProducer.find(std::string(*rid));

				if (ridIt != this->mapRidProducer.end())
				{
					producer = ridIt->second;
				}
			}
		}

		// Later packets of this SSRC go straight to it (bounded: a producer has
		// few encodings, and entries go with it).
		if (producer && this->mapSsrcProducer.size() < MaxLearnedSsrcs)
		{
			this->mapSsrcProducer[ssrc] = producer;
		}

		return producer;
	}

	void Transport::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::TRANSPORT_DUMP:
			{
				FillDumpResponse(request);

				break;
			}

			case FBS::Request::Method::TRANSPORT_GET_STATS:
			{
				FillStatsResponse(request);

				break;
			}

			case FBS::Request::Method::TRANSPORT_SET_MAX_INCOMING_BITRATE:
			{
				const auto* body = request->GetBody<FBS::Transport::SetMaxIncomingBitrateRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const uint64_t nowUs = DepLibUV::GetTimeUsNow();

				this->incomingBwe.SetMaxIncomingBitrate(body->max_incoming_bitrate(), nowUs);
				ScheduleIncomingBwe(nowUs);

				request->Accept();

				break;
			}

			case FBS::Request::Method::TRANSPORT_SET_MAX_OUTGOING_BITRATE:
			{
				const auto* body = request->GetBody<FBS::Transport::SetMaxOutgoingBitrateRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const uint32_t bitrate = body->max_outgoing_bitrate();

				if (bitrate != 0u && bitrate < MinOutgoingBitrateLimit)
				{
					MS_THROW_TYPE_ERROR(
						"bitrate must be 0 or >= %u bps (got %u)", MinOutgoingBitrateLimit, bitrate);
				}

				if (bitrate != 0u && this->minOutgoingBitrate != 0u && bitrate < this->minOutgoingBitrate)
				{
					MS_THROW_TYPE_ERROR(
						"bitrate (%u) cannot be lower than the min outgoing bitrate (%u)",
						bitrate,
						this->minOutgoingBitrate);
				}

				this->maxOutgoingBitrate = bitrate;
				this->outgoingBwe.SetMaxBitrate(bitrate);

				request->Accept();

				break;
			}

			case FBS::Request::Method::TRANSPORT_SET_MIN_OUTGOING_BITRATE:
			{
				const auto* body = request->GetBody<FBS::Transport::SetMinOutgoingBitrateRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const uint32_t bitrate = body->min_outgoing_bitrate();

				if (bitrate != 0u && bitrate < MinOutgoingBitrateLimit)
				{
					MS_THROW_TYPE_ERROR(
						"bitrate must be 0 or >= %u bps (got %u)", MinOutgoingBitrateLimit, bitrate);
				}

				if (bitrate != 0u && this->maxOutgoingBitrate != 0u && bitrate > this->maxOutgoingBitrate)
				{
					MS_THROW_TYPE_ERROR(
						"bitrate (%u) cannot be higher than the max outgoing bitrate (%u)",
						bitrate,
						this->maxOutgoingBitrate);
				}

				this->minOutgoingBitrate = bitrate;
				this->outgoingBwe.SetMinBitrate(bitrate);

				request->Accept();

				break;
			}

			case FBS::Request::Method::TRANSPORT_ENABLE_TRACE_EVENT:
			{
				const auto* body = request->GetBody<FBS::Transport::EnableTraceEventRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				std::vector<std::string> types;

				for (const auto* type : *body->events())
				{
					const auto name = type->string_view();

					// Unknown names are ignored.
					if (
						std::find(TraceEventTypes.begin(), TraceEventTypes.end(), name) !=
						TraceEventTypes.end())
					{
						types.emplace_back(name);
					}
				}

				this->traceEventTypes = std::move(types);

				request->Accept();

				break;
			}

			case FBS::Request::Method::TRANSPORT_PRODUCE:
			{
				Produce(request);

				break;
			}

			case FBS::Request::Method::TRANSPORT_CONSUME:
			{
				Consume(request);

				break;
			}

			case FBS::Request::Method::TRANSPORT_CLOSE_PRODUCER:
			{
				const auto* body = request->GetBody<FBS::Transport::CloseProducerRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const auto it = this->mapProducers.find(body->producer_id()->str());

				if (it == this->mapProducers.end())
				{
					MS_THROW_NOT_FOUND_ERROR("no Producer with id '%s'", body->producer_id()->c_str());
				}

				CloseProducer(it->second.get());

				request->Accept();

				break;
			}

			case FBS::Request::Method::TRANSPORT_PRODUCE_DATA:
			case FBS::Request::Method::TRANSPORT_CONSUME_DATA:
			case FBS::Request::Method::TRANSPORT_CLOSE_DATAPRODUCER:
			case FBS::Request::Method::TRANSPORT_CLOSE_DATACONSUMER:
			{
				this->dataChannels.HandleRequest(request);

				break;
			}

			case FBS::Request::Method::TRANSPORT_CLOSE_CONSUMER:
			{
				const auto* body = request->GetBody<FBS::Transport::CloseConsumerRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const auto it = this->mapConsumers.find(body->consumer_id()->str());

				if (it == this->mapConsumers.end())
				{
					MS_THROW_NOT_FOUND_ERROR("no Consumer with id '%s'", body->consumer_id()->c_str());
				}

				CloseConsumer(it->second.get());

				request->Accept();

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

	void Transport::DataReceived(size_t len)
	{
		this->recvTransmission.Update(len, DepLibUV::GetTimeMs());
	}

	void Transport::DataSent(size_t len)
	{
		this->sendTransmission.Update(len, DepLibUV::GetTimeMs());
	}

	bool Transport::ReceiveRtpPacket(uint8_t* data, size_t len)
	{
		const uint64_t nowMs = DepLibUV::GetTimeMs();
		auto packet          = RtpPacket::Parse(std::span<uint8_t>(data, len));

		if (!packet)
		{
			++this->dropped.invalidRtp;

			return false;
		}

		this->recvRtpTransmission.Update(len, nowMs);

		packet->SetExtensionIds(this->recvExtensionIds);

		auto* producer = FindProducerForPacket(*packet);

		if (!producer)
		{
			++this->dropped.unknownSsrc;

			return true;
		}

		packet->SetExtensionIds(producer->GetExtensionIds());

		// Before the producer looks at it: RTX and padding count too (probes
		// are padding), and the producer may rewrite an RTX packet.
		if (producer->GetBweType() != BweType::NONE)
		{
			const uint64_t nowUs = DepLibUV::GetTimeUsNow();

			this->incomingBwe.ReceivePacket(producer->GetBweType(), *packet, nowUs);
			ScheduleIncomingBwe(nowUs);
		}

		bool isKeyFrame{ false };
		const auto result = producer->ReceiveRtpPacket(*packet, nowMs, isKeyFrame);

		if (const auto deadline = producer->GetNextFeedbackDeadlineMs())
		{
			ScheduleFeedback(*deadline, nowMs);
		}

		if (result != Producer::ReceiveResult::MEDIA)
		{
			return true;
		}

		this->listener->OnTransportProducerRtpPacketReceived(this, producer, *packet, isKeyFrame);

		return true;
	}

	void Transport::Notify(
		FBS::Notification::Event event,
		FBS::Notification::Body bodyType,
		flatbuffers::Offset<void> body)
	{
		this->shared->channel->SendNotification(this->id, event, bodyType, body);
	}
} // namespace RTC
