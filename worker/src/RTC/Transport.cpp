#define MS_CLASS "RTC::Transport"

#include "RTC/Transport.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/RtcpInterval.hpp"
#include "Utils/Crypto.hpp"

#include <algorithm>
#include <variant>

namespace RTC
{
	namespace
	{
		// Where outgoing RTCP is serialised, shared by every transport (the
		// worker is single threaded; each packet is sent before the next).
		uint8_t RtcpBuffer[1500];
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

	void Transport::OnOutgoingBweSendProbe(std::span<const uint8_t> packet)
	{
		const size_t sent = SendRtpData(packet.data(), packet.size());

		if (sent == 0u)
		{
			return;
		}

		const uint64_t nowMs = DepLibUV::GetTimeMs();

		this->sendTransmission.Update(sent, nowMs);
		this->sendProbationTransmission.Update(sent, nowMs);

		if (std::ranges::find(this->traceEventTypes, "probation") != this->traceEventTypes.end())
		{
			auto& builder = GetNotificationBuilder();

			Notify(
				FBS::Notification::Event::TRANSPORT_TRACE,
				FBS::Notification::Body::Transport_TraceNotification,
				FBS::Transport::CreateTraceNotification(
					builder,
					FBS::Transport::TraceEventType::PROBATION,
					nowMs,
					FBS::Transport::TraceDirection::DIRECTION_OUT)
					.Union());
		}
	}

	void Transport::OnOutgoingBweAllocated(uint64_t desiredBitrate)
	{
		const uint32_t available = this->outgoingBwe.GetAvailableBitrate();

		if (
			available == this->lastTracedAvailableBitrate &&
			desiredBitrate == this->lastTracedDesiredBitrate)
		{
			return;
		}

		this->lastTracedAvailableBitrate = available;
		this->lastTracedDesiredBitrate   = desiredBitrate;

		MS_DEBUG_TAG(
			bwe,
			"available outgoing bitrate %" PRIu32 " bps, desired %" PRIu64 " bps",
			available,
			desiredBitrate);

		if (std::ranges::find(this->traceEventTypes, "bwe") == this->traceEventTypes.end())
		{
			return;
		}

		const auto& estimator = this->outgoingBwe.GetEstimator();
		const uint32_t desired32 =
			static_cast<uint32_t>(std::min<uint64_t>(desiredBitrate, UINT32_MAX));
		const uint32_t maxBitrate = estimator.GetMaxBitrate();
		auto& builder             = GetNotificationBuilder();
		const auto info           = FBS::Transport::CreateBweTraceInfo(
      builder,
      this->outgoingBwe.GetType() == BweType::REMB ? FBS::Transport::BweType::REMB
																														 : FBS::Transport::BweType::TRANSPORT_CC,
      desired32,
      maxBitrate != 0u ? std::min(desired32, maxBitrate) : desired32,
      estimator.GetMinBitrate(),
      maxBitrate,
      this->outgoingBwe.GetInitialBitrate(),
      0u,
      available);

		Notify(
			FBS::Notification::Event::TRANSPORT_TRACE,
			FBS::Notification::Body::Transport_TraceNotification,
			FBS::Transport::CreateTraceNotification(
				builder,
				FBS::Transport::TraceEventType::BWE,
				DepLibUV::GetTimeMs(),
				FBS::Transport::TraceDirection::DIRECTION_OUT,
				FBS::Transport::TraceInfo::BweTraceInfo,
				info.Union())
				.Union());
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

	flatbuffers::Offset<FBS::Transport::Dump>
	Transport::FillBufferDump(flatbuffers::FlatBufferBuilder& builder) const
	{
		const std::vector<flatbuffers::Offset<FBS::Common::Uint32String>> noSsrcs;
		std::vector<flatbuffers::Offset<flatbuffers::String>> producerIds;
		std::vector<flatbuffers::Offset<flatbuffers::String>> consumerIds;
		std::vector<flatbuffers::Offset<FBS::Common::Uint32String>> ssrcConsumerIds;
		std::vector<flatbuffers::Offset<flatbuffers::String>> traceEventTypes;
		auto data = this->dataChannels.FillDumpFields(builder);

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
			&data.dataProducerIds,
			&data.dataConsumerIds,
			this->dataChannels.GetMaxMessageSize(),
			&traceEventTypes,
			dropped,
			data.sctpParameters,
			data.sctpState,
			data.sctpNegotiated,
			this->dataChannels.HasSctp() ? &data.sctpStreamIds : nullptr);
	}

	flatbuffers::Offset<FBS::Transport::Stats>
	Transport::FillBufferStats(flatbuffers::FlatBufferBuilder& builder)
	{
		const uint64_t nowMs                = DepLibUV::GetTimeMs();
		const uint32_t maxIncomingBitrate   = this->incomingBwe.GetMaxIncomingBitrate();
		const auto availableIncomingBitrate = this->incomingBwe.GetAvailableIncomingBitrate();

		return FBS::Transport::CreateStatsDirect(
			builder,
			this->id.c_str(),
			nowMs,
			this->dataChannels.GetSctpState(),
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
			// The initial one until consumers measure the path, within the
			// min and max outgoing bitrates.
			this->direct ? flatbuffers::Optional<uint32_t>() : this->outgoingBwe.GetAvailableBitrate(),
			availableIncomingBitrate ? flatbuffers::Optional<uint32_t>(*availableIncomingBitrate)
															 : flatbuffers::nullopt,
			maxIncomingBitrate ? flatbuffers::Optional<uint32_t>(maxIncomingBitrate)
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
			return;
		}

		this->listener->OnTransportProducerRtpPacketReceived(this, producer, *packet, isKeyFrame);
	}

	void Transport::ReceiveRtcpPacket(const uint8_t* data, size_t len)
	{
		const uint64_t nowMs = DepLibUV::GetTimeMs();
		const uint64_t nowUs = DepLibUV::GetTimeUsNow();
		RTCP::CompoundPacket::Reader reader(std::span<const uint8_t>(data, len));

		this->avgRtcpSize = RtcpInterval::UpdateAverageSize(this->avgRtcpSize, len);

		auto findConsumer = [this](uint32_t ssrc) -> Consumer*
		{
			const auto it = this->mapSsrcConsumer.find(ssrc);

			return it != this->mapSsrcConsumer.end() ? it->second : nullptr;
		};

		auto receiveReportBlocks = [&](std::span<const RTCP::ReportBlock> blocks)
		{
			for (const auto& block : blocks)
			{
				if (auto* consumer = findConsumer(block.ssrc))
				{
					consumer->ReceiveReportBlock(block, nowMs);
					this->outgoingBwe.ReceiveReportBlock(block, consumer->GetRttMs(), nowUs);

					// The RTT to this endpoint paces our NACK retries too.
					if (const auto rtt = consumer->GetRttMs())
					{
						for (auto& [id, producer] : this->mapProducers)
						{
							producer->SetRttMs(*rtt);
						}
					}
				}
			}
		};

		for (const auto& any : reader)
		{
			std::visit(
				[&](const auto& packet)
				{
					using T = std::decay_t<decltype(packet)>;

					if constexpr (std::is_same_v<T, RTCP::SenderReport>)
					{
						const auto it = this->mapSsrcProducer.find(packet.GetSsrc());

						if (it != this->mapSsrcProducer.end())
						{
							it->second->ReceiveSenderReport(packet, nowMs);
						}

						receiveReportBlocks(packet.GetReportBlocks());
					}
					else if constexpr (std::is_same_v<T, RTCP::ReceiverReport>)
					{
						receiveReportBlocks(packet.GetReportBlocks());
					}
					else if constexpr (std::is_same_v<T, RTCP::Nack>)
					{
						if (auto* consumer = findConsumer(packet.GetMediaSsrc()))
						{
							consumer->ReceiveNack(packet, nowMs);
						}
					}
					else if constexpr (std::is_same_v<T, RTCP::Pli>)
					{
						if (auto* consumer = findConsumer(packet.GetMediaSsrc()))
						{
							consumer->ReceiveKeyFrameRequest(packet.GetMediaSsrc(), false);
						}
					}
					else if constexpr (std::is_same_v<T, RTCP::Fir>)
					{
						for (const auto& entry : packet.GetEntries())
						{
							if (auto* consumer = findConsumer(entry.ssrc))
							{
								consumer->ReceiveKeyFrameRequest(entry.ssrc, true);
							}
						}
					}
					else if constexpr (std::is_same_v<T, RTCP::TransportWideCc>)
					{
						this->outgoingBwe.ReceiveTransportCc(packet, nowUs);
					}
					else if constexpr (std::is_same_v<T, RTCP::Remb>)
					{
						// From a REMB-only endpoint, or as an upper bound from one that
						// also sends transport-cc feedback: both are fine.
						this->outgoingBwe.ReceiveRemb(packet.GetBitrate());
					}
					else
					{
						// SDES, BYE, XR and unknown types carry nothing we act on.
					}
				},
				any);
		}

		if (reader.GetError() != RTCP::ParseError::NONE)
		{
			++this->dropped.invalidRtcp;
		}
	}

	void Transport::SendRtcpCompound(const RTCP::CompoundPacket::Builder& builder)
	{
		const size_t len = builder.Serialize(std::span<uint8_t>(RtcpBuffer));

		if (len == 0u)
		{
			return;
		}

		SendRtcpBytes(std::span<const uint8_t>(RtcpBuffer, len));
	}

	void Transport::SendRtcpBytes(std::span<const uint8_t> packet)
	{
		this->avgRtcpSize = RtcpInterval::UpdateAverageSize(this->avgRtcpSize, packet.size());

		const size_t sent = SendRtcpData(packet.data(), packet.size());

		if (sent > 0u)
		{
			this->sendTransmission.Update(sent, DepLibUV::GetTimeMs());
		}
	}

	void Transport::SendRtcpReports(uint64_t nowMs)
	{
		std::vector<RTCP::SenderReport> senderReports;
		std::vector<RTCP::ReportBlock> blocks;

		for (auto& [id, consumer] : this->mapConsumers)
		{
			consumer->FillSenderReports(senderReports, nowMs);
		}

		for (auto& [id, producer] : this->mapProducers)
		{
			producer->FillReportBlocks(blocks, nowMs);
		}

		if (senderReports.empty() && blocks.empty())
		{
			return;
		}

		// Report blocks go in an RR from our own SSRC (RFC 3550 6.4.2 allows
		// them in any SR too; an RR keeps them apart from the send streams).
		// One datagram per batch, so each stays under the MTU.
		constexpr size_t MaxSenderReportsPerPacket{ 10u };
		size_t srIdx{ 0u };
		size_t blockIdx{ 0u };

		while (srIdx < senderReports.size() || blockIdx < blocks.size())
		{
			RTCP::CompoundPacket::Builder builder;
			RTCP::ReceiverReport receiverReport;
			RTCP::Sdes sdes;
			const size_t srEnd = std::min(srIdx + MaxSenderReportsPerPacket, senderReports.size());

			for (size_t i = srIdx; i < srEnd; ++i)
			{
				builder.Add(senderReports[i]);
			}

			if (blockIdx < blocks.size() || srIdx == srEnd)
			{
				receiverReport.SetSsrc(this->rtcpSsrc);

				while (blockIdx < blocks.size() && receiverReport.AddReportBlock(blocks[blockIdx]))
				{
					++blockIdx;
				}

				builder.Add(receiverReport);
			}

			const uint32_t cnameSsrc = srIdx < srEnd ? senderReports[srIdx].GetSsrc() : this->rtcpSsrc;

			sdes.AddChunk(cnameSsrc);
			sdes.AddItem(RTCP::Sdes::ItemType::CNAME, this->rtcpCname);
			builder.Add(sdes);

			SendRtcpCompound(builder);

			srIdx = srEnd;
		}
	}

	void Transport::ScheduleRtcpReports(uint64_t nowMs, bool initial)
	{
		if (!this->rtcpTimer)
		{
			this->rtcpTimer = std::make_unique<TimerHandle>(&this->timerListener);
		}

		RtcpInterval::Input input;
		uint32_t senders{ 0u };

		for (const auto& [id, producer] : this->mapProducers)
		{
			senders += static_cast<uint32_t>(producer->GetScores().size());
		}

		const auto ourStreams = static_cast<uint32_t>(this->mapConsumers.size());

		input.members        = senders + std::max<uint32_t>(ourStreams, 1u);
		input.senders        = senders + ourStreams;
		input.weSent         = ourStreams > 0u;
		input.sessionBitrate = static_cast<uint64_t>(this->recvRtpTransmission.GetRate(nowMs)) +
													 this->sendRtpTransmission.GetRate(nowMs);
		input.avgRtcpSize = this->avgRtcpSize;
		input.initial     = initial;

		const uint64_t intervalMs = RtcpInterval::Randomize(
			RtcpInterval::ComputeMs(input),
			static_cast<double>(Utils::Crypto::GetRandomUInt(0u, 1000000u)) / 1000000.0);

		this->rtcpTimer->Start(intervalMs);
	}

	void Transport::ScheduleFeedback(uint64_t deadlineMs, uint64_t nowMs)
	{
		if (!this->feedbackTimer)
		{
			this->feedbackTimer = std::make_unique<TimerHandle>(&this->timerListener);
		}

		if (this->feedbackTimer->IsActive() && this->feedbackDeadlineMs <= deadlineMs)
		{
			return;
		}

		this->feedbackDeadlineMs = deadlineMs;
		this->feedbackTimer->Start(deadlineMs > nowMs ? deadlineMs - nowMs : 0u);
	}

	void Transport::ScheduleIncomingBwe(uint64_t nowUs)
	{
		const auto deadlineUs = this->incomingBwe.GetNextDeadlineUs();

		if (!deadlineUs)
		{
			return;
		}

		if (!this->incomingBweTimer)
		{
			this->incomingBweTimer = std::make_unique<TimerHandle>(&this->timerListener);
		}

		if (this->incomingBweTimer->IsActive() && this->incomingBweDeadlineUs <= *deadlineUs)
		{
			return;
		}

		this->incomingBweDeadlineUs = *deadlineUs;

		// Rounded up: the timer has millisecond resolution and running early
		// would find nothing due.
		const uint64_t delayUs = *deadlineUs > nowUs ? *deadlineUs - nowUs : 0u;

		this->incomingBweTimer->Start((delayUs + 999u) / 1000u);
	}

	void Transport::SendIncomingBwe(uint64_t nowUs)
	{
		const auto rembBitrate = this->incomingBwe.Process(
			nowUs, this->rtcpSsrc, [this](std::span<const uint8_t> packet) { SendRtcpBytes(packet); });

		if (!rembBitrate)
		{
			return;
		}

		// The SSRCs of the streams the remote sender sends us with feedback
		// (receivers apply a REMB to the whole session anyway).
		RTCP::Remb remb;

		remb.SetSenderSsrc(this->rtcpSsrc);
		remb.SetBitrate(*rembBitrate);

		for (const auto& [ssrc, producer] : this->mapSsrcProducer)
		{
			if (producer->GetBweType() != BweType::NONE && !remb.AddSsrc(ssrc))
			{
				break;
			}
		}

		MS_DEBUG_TAG(bwe, "sending REMB of %" PRIu64 " bps", *rembBitrate);

		RTCP::CompoundPacket::Builder builder;

		builder.Add(remb);
		SendRtcpCompound(builder);

		if (std::ranges::find(this->traceEventTypes, "bwe") != this->traceEventTypes.end())
		{
			// Our own estimate when the sender is a REMB one; else the REMB only
			// carries the cap for a transport-cc sender.
			const auto type           = this->incomingBwe.GetAvailableIncomingBitrate()
																		? FBS::Transport::BweType::REMB
																		: FBS::Transport::BweType::TRANSPORT_CC;
			auto& notificationBuilder = GetNotificationBuilder();
			const auto info           = FBS::Transport::CreateBweTraceInfo(
        notificationBuilder,
        type,
        0u,
        0u,
        0u,
        this->incomingBwe.GetMaxIncomingBitrate(),
        0u,
        0u,
        static_cast<uint32_t>(std::min<uint64_t>(*rembBitrate, UINT32_MAX)));

			Notify(
				FBS::Notification::Event::TRANSPORT_TRACE,
				FBS::Notification::Body::Transport_TraceNotification,
				FBS::Transport::CreateTraceNotification(
					notificationBuilder,
					FBS::Transport::TraceEventType::BWE,
					DepLibUV::GetTimeMs(),
					FBS::Transport::TraceDirection::DIRECTION_IN,
					FBS::Transport::TraceInfo::BweTraceInfo,
					info.Union())
					.Union());
		}
	}

	void Transport::OnTimer(TimerHandle* timer)
	{
		const uint64_t nowMs = DepLibUV::GetTimeMs();

		if (timer == this->rtcpTimer.get())
		{
			SendRtcpReports(nowMs);
			ScheduleRtcpReports(nowMs, false);
		}
		else if (timer == this->incomingBweTimer.get())
		{
			const uint64_t nowUs = DepLibUV::GetTimeUsNow();

			SendIncomingBwe(nowUs);
			ScheduleIncomingBwe(nowUs);
		}
		else if (timer == this->feedbackTimer.get())
		{
			std::optional<uint64_t> next;

			for (auto& [id, producer] : this->mapProducers)
			{
				producer->OnFeedbackTimer(nowMs);

				const auto deadline = producer->GetNextFeedbackDeadlineMs();

				if (deadline && (!next || *deadline < *next))
				{
					next = deadline;
				}
			}

			if (next)
			{
				// Never spin: a deadline already past runs on the next tick.
				ScheduleFeedback(std::max(*next, nowMs + 1u), nowMs);
			}
		}
	}

	void Transport::Notify(
		FBS::Notification::Event event,
		FBS::Notification::Body bodyType,
		flatbuffers::Offset<void> body)
	{
		this->shared->channel->SendNotification(this->id, event, bodyType, body);
	}
} // namespace RTC
