#define MS_CLASS "RTC::Transport"

#include "RTC/Transport.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

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
			: shared(shared), id(id), listener(listener)
	{
		if (options)
		{
			this->direct                          = options->direct();
			this->maxMessageSize                  = options->max_message_size();
			this->initialAvailableOutgoingBitrate = options->initial_available_outgoing_bitrate();
		}

		// This may throw.
		this->shared->registrator->RegisterHandler(this->id, this);
	}

	Transport::~Transport()
	{
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

		for (const auto& rid : producer->GetRids())
		{
			if (this->mapRidProducer.contains(rid))
			{
				MS_THROW_ERROR("rid '%s' already in use", rid.c_str());
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

		for (const auto& rid : producer->GetRids())
		{
			this->mapRidProducer[rid] = producer.get();
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
		auto consumer = std::make_unique<Consumer>(this->shared, consumerId, this, body, false);

		for (const auto ssrc : consumer->GetSsrcs())
		{
			if (this->mapSsrcConsumer.contains(ssrc))
			{
				MS_THROW_ERROR("consumer ssrc %u already in use", ssrc);
			}
		}

		// This may throw (unknown producer).
		const bool producerPaused =
			this->listener->OnTransportNewConsumer(this, consumer.get(), consumer->GetProducerId());

		if (producerPaused)
		{
			// Silently: the app learns it from the response.
			consumer->ProducerPausedSilently();
		}

		for (const auto ssrc : consumer->GetSsrcs())
		{
			this->mapSsrcConsumer[ssrc] = consumer.get();
		}

		auto* consumerPtr = consumer.get();

		this->mapConsumers[consumerId] = std::move(consumer);

		auto& builder = request->GetBufferBuilder();
		const std::vector<uint8_t> producerScores;
		auto score = FBS::Consumer::CreateConsumerScoreDirect(
			builder, consumerPtr->GetScore(), consumerPtr->GetScore(), &producerScores);
		auto response = FBS::Transport::CreateConsumeResponse(
			builder, consumerPtr->IsPaused(), consumerPtr->IsProducerPaused(), score);

		request->Accept(FBS::Response::Body::Transport_ConsumeResponse, response);
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

	void Transport::OnConsumerSendRtpPacket(Consumer* /*consumer*/, RtpPacket& packet)
	{
		const size_t sent = SendRtpData(packet.GetData().data(), packet.GetSize());

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

				this->maxIncomingBitrate = body->max_incoming_bitrate();

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

	flatbuffers::Offset<FBS::Transport::Dump>
	Transport::FillBufferDump(flatbuffers::FlatBufferBuilder& builder) const
	{
		const std::vector<flatbuffers::Offset<flatbuffers::String>> noIds;
		const std::vector<flatbuffers::Offset<FBS::Common::Uint32String>> noSsrcs;
		std::vector<flatbuffers::Offset<flatbuffers::String>> producerIds;
		std::vector<flatbuffers::Offset<flatbuffers::String>> consumerIds;
		std::vector<flatbuffers::Offset<FBS::Common::Uint32String>> ssrcConsumerIds;
		std::vector<flatbuffers::Offset<flatbuffers::String>> traceEventTypes;

		for (const auto& [producerId, producer] : this->mapProducers)
		{
			producerIds.push_back(builder.CreateString(producerId));
		}

		for (const auto& [consumerId, consumer] : this->mapConsumers)
		{
			consumerIds.push_back(builder.CreateString(consumerId));
		}

		for (const auto& [ssrc, consumer] : this->mapSsrcConsumer)
		{
			ssrcConsumerIds.push_back(
				FBS::Common::CreateUint32StringDirect(builder, ssrc, consumer->GetId().c_str()));
		}

		for (const auto& type : this->traceEventTypes)
		{
			traceEventTypes.push_back(builder.CreateString(type));
		}

		auto dropped = FBS::Transport::CreateDroppedCounters(
			builder,
			this->dropped.notStunDtlsRtpRtcp,
			this->dropped.invalidStun,
			this->dropped.stunUnauthorized,
			this->dropped.dtlsUnexpected,
			this->dropped.rtpBeforeSrtp,
			this->dropped.srtpDecryptFailed,
			this->dropped.srtcpDecryptFailed,
			this->dropped.invalidRtp,
			this->dropped.invalidRtcp,
			this->dropped.unknownTuple,
			this->dropped.unknownSsrc);

		return FBS::Transport::CreateDumpDirect(
			builder,
			this->id.c_str(),
			this->direct,
			&producerIds,
			&consumerIds,
			&ssrcConsumerIds,
			&noSsrcs,
			&noIds,
			&noIds,
			this->maxMessageSize,
			&traceEventTypes,
			dropped);
	}

	flatbuffers::Offset<FBS::Transport::Stats>
	Transport::FillBufferStats(flatbuffers::FlatBufferBuilder& builder)
	{
		const uint64_t nowMs = DepLibUV::GetTimeMs();

		return FBS::Transport::CreateStatsDirect(
			builder,
			this->id.c_str(),
			nowMs,
			this->recvTransmission.GetBytes(),
			this->recvTransmission.GetRate(nowMs),
			this->sendTransmission.GetBytes(),
			this->sendTransmission.GetRate(nowMs),
			this->recvRtpTransmission.GetBytes(),
			this->recvRtpTransmission.GetRate(nowMs),
			this->sendRtpTransmission.GetBytes(),
			this->sendRtpTransmission.GetRate(nowMs),
			this->recvRtxTransmission.GetBytes(),
			this->recvRtxTransmission.GetRate(nowMs),
			this->sendRtxTransmission.GetBytes(),
			this->sendRtxTransmission.GetRate(nowMs),
			this->sendProbationTransmission.GetBytes(),
			this->sendProbationTransmission.GetRate(nowMs),
			// No bandwidth estimation yet: the available outgoing bitrate is the
			// initial one.
			this->direct ? flatbuffers::Optional<uint32_t>() : this->initialAvailableOutgoingBitrate,
			flatbuffers::nullopt,
			this->maxIncomingBitrate ? flatbuffers::Optional<uint32_t>(this->maxIncomingBitrate)
															 : flatbuffers::nullopt,
			this->maxOutgoingBitrate ? flatbuffers::Optional<uint32_t>(this->maxOutgoingBitrate)
															 : flatbuffers::nullopt,
			this->minOutgoingBitrate ? flatbuffers::Optional<uint32_t>(this->minOutgoingBitrate)
															 : flatbuffers::nullopt);
	}

	void Transport::DataReceived(size_t len)
	{
		this->recvTransmission.Update(len, DepLibUV::GetTimeMs());
	}

	void Transport::DataSent(size_t len)
	{
		this->sendTransmission.Update(len, DepLibUV::GetTimeMs());
	}

	void Transport::ReceiveRtpPacket(uint8_t* data, size_t len)
	{
		const uint64_t nowMs = DepLibUV::GetTimeMs();
		auto packet          = RtpPacket::Parse(std::span<uint8_t>(data, len));

		if (!packet)
		{
			++this->dropped.invalidRtp;

			return;
		}

		this->recvRtpTransmission.Update(len, nowMs);

		packet->SetExtensionIds(this->recvExtensionIds);

		auto* producer = FindProducerForPacket(*packet);

		if (!producer)
		{
			++this->dropped.unknownSsrc;

			return;
		}

		packet->SetExtensionIds(producer->GetExtensionIds());

		if (producer->ReceiveRtpPacket(*packet, nowMs) != Producer::ReceiveResult::MEDIA)
		{
			return;
		}

		this->listener->OnTransportProducerRtpPacketReceived(this, producer, *packet);
	}

	void Transport::ReceiveRtcpPacket(const uint8_t* /*data*/, size_t /*len*/)
	{
		// RTCP is handled with the media routing work; until then it is dropped.
	}

	void Transport::Notify(
		FBS::Notification::Event event,
		FBS::Notification::Body bodyType,
		flatbuffers::Offset<void> body)
	{
		this->shared->channel->SendNotification(this->id, event, bodyType, body);
	}
} // namespace RTC
