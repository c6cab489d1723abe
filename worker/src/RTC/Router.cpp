#define MS_CLASS "RTC::Router"

#include "RTC/Router.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/ActiveSpeakerObserver.hpp"
#include "RTC/AudioLevelObserver.hpp"
#include "RTC/DirectTransport.hpp"
#include "RTC/PipeTransport.hpp"
#include "RTC/PlainTransport.hpp"
#include "RTC/WebRtcTransport.hpp"

namespace RTC
{
	Router::Router(Shared* shared, const std::string& id) : shared(shared), id(id)
	{
		this->shared->registrator->RegisterHandler(this->id, this);
	}

	Router::~Router()
	{
		this->shared->registrator->UnregisterHandler(this->id);

		// Observers first: closing the transports closes their Producers, which
		// would otherwise be removed from observers one by one.
		this->mapProducerRtpObservers.clear();
		this->mapRtpObservers.clear();

		this->mapTransports.clear();
	}

	void Router::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::ROUTER_DUMP:
			{
				auto& builder = request->GetBufferBuilder();
				std::vector<flatbuffers::Offset<flatbuffers::String>> transportIds;

				for (const auto& [transportId, transport] : this->mapTransports)
				{
					transportIds.push_back(builder.CreateString(transportId));
				}

				std::vector<flatbuffers::Offset<FBS::Common::StringStringArray>> producerConsumers;
				std::vector<flatbuffers::Offset<FBS::Common::StringString>> consumerProducer;

				for (const auto& [producer, consumers] : this->mapProducerConsumers)
				{
					std::vector<flatbuffers::Offset<flatbuffers::String>> consumerIds;

					for (auto* consumer : consumers)
					{
						consumerIds.push_back(builder.CreateString(consumer->GetId()));
					}

					producerConsumers.push_back(FBS::Common::CreateStringStringArrayDirect(
						builder, producer->GetId().c_str(), &consumerIds));
				}

				for (const auto& [consumer, producer] : this->mapConsumerProducer)
				{
					consumerProducer.push_back(FBS::Common::CreateStringStringDirect(
						builder, consumer->GetId().c_str(), producer->GetId().c_str()));
				}
				std::vector<flatbuffers::Offset<FBS::Common::StringStringArray>> dataProducerDataConsumers;
				std::vector<flatbuffers::Offset<FBS::Common::StringString>> dataConsumerDataProducer;

				for (const auto& [dataProducer, dataConsumers] : this->mapDataProducerDataConsumers)
				{
					std::vector<flatbuffers::Offset<flatbuffers::String>> dataConsumerIds;

					for (auto* dataConsumer : dataConsumers)
					{
						dataConsumerIds.push_back(builder.CreateString(dataConsumer->GetId()));
					}

					dataProducerDataConsumers.push_back(FBS::Common::CreateStringStringArrayDirect(
						builder, dataProducer->GetId().c_str(), &dataConsumerIds));
				}

				for (const auto& [dataConsumer, dataProducer] : this->mapDataConsumerDataProducer)
				{
					dataConsumerDataProducer.push_back(FBS::Common::CreateStringStringDirect(
						builder, dataConsumer->GetId().c_str(), dataProducer->GetId().c_str()));
				}

				// RtpObservers.
				std::vector<flatbuffers::Offset<flatbuffers::String>> rtpObserverIds;
				std::vector<flatbuffers::Offset<FBS::Common::StringStringArray>> producerRtpObservers;

				for (const auto& [rtpObserverId, rtpObserver] : this->mapRtpObservers)
				{
					rtpObserverIds.push_back(builder.CreateString(rtpObserverId));
				}

				for (const auto& [producer, rtpObservers] : this->mapProducerRtpObservers)
				{
					std::vector<flatbuffers::Offset<flatbuffers::String>> observerIds;

					for (auto* rtpObserver : rtpObservers)
					{
						observerIds.push_back(builder.CreateString(rtpObserver->GetId()));
					}

					producerRtpObservers.push_back(FBS::Common::CreateStringStringArrayDirect(
						builder, producer->GetId().c_str(), &observerIds));
				}

				auto dump = FBS::Router::CreateDumpResponseDirect(
					builder,
					this->id.c_str(),
					&transportIds,
					&rtpObserverIds,
					&producerConsumers,
					&consumerProducer,
					&producerRtpObservers,
					&dataProducerDataConsumers,
					&dataConsumerDataProducer);

				request->Accept(FBS::Response::Body::Router_DumpResponse, dump);

				break;
			}

			case FBS::Request::Method::ROUTER_CREATE_WEBRTCTRANSPORT:
			{
				const auto* body = request->GetBody<FBS::Router::CreateWebRtcTransportRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const std::string transportId = body->transport_id()->str();

				CheckNewTransportId(transportId);

				const auto* options = body->options();
				std::unique_ptr<WebRtcTransport> transport;

				if (const auto* listenServer = options->listen_as_ListenServer())
				{
					auto* webRtcServer =
						this->shared->getWebRtcServer(listenServer->web_rtc_server_id()->str());

					if (!webRtcServer)
					{
						MS_THROW_ERROR(
							"no WebRtcServer with id '%s'", listenServer->web_rtc_server_id()->c_str());
					}

					// This may throw.
					transport = std::make_unique<WebRtcTransport>(
						this->shared,
						transportId,
						this,
						webRtcServer,
						webRtcServer->GetServerSockets(),
						options);

					webRtcServer->SetTransportListener(transport.get(), this);
				}
				else
				{
					// This may throw.
					transport = std::make_unique<WebRtcTransport>(this->shared, transportId, this, options);
				}

				this->mapTransports[transportId] = std::move(transport);

				request->Accept();

				break;
			}

			case FBS::Request::Method::ROUTER_CREATE_PLAINTRANSPORT:
			{
				const auto* body = request->GetBody<FBS::Router::CreatePlainTransportRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const std::string transportId = body->transport_id()->str();

				CheckNewTransportId(transportId);

				// This may throw.
				this->mapTransports[transportId] =
					std::make_unique<PlainTransport>(this->shared, transportId, this, body->options());

				request->Accept();

				break;
			}

			case FBS::Request::Method::ROUTER_CREATE_PIPETRANSPORT:
			{
				const auto* body = request->GetBody<FBS::Router::CreatePipeTransportRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const std::string transportId = body->transport_id()->str();

				CheckNewTransportId(transportId);

				// This may throw.
				this->mapTransports[transportId] =
					std::make_unique<PipeTransport>(this->shared, transportId, this, body->options());

				request->Accept();

				break;
			}

			case FBS::Request::Method::ROUTER_CREATE_DIRECTTRANSPORT:
			{
				const auto* body = request->GetBody<FBS::Router::CreateDirectTransportRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const std::string transportId = body->transport_id()->str();

				CheckNewTransportId(transportId);

				// This may throw.
				this->mapTransports[transportId] =
					std::make_unique<DirectTransport>(this->shared, transportId, this, body->options());

				request->Accept();

				break;
			}

			case FBS::Request::Method::ROUTER_CLOSE_TRANSPORT:
			{
				const auto* body = request->GetBody<FBS::Router::CloseTransportRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const auto it = this->mapTransports.find(body->transport_id()->str());

				if (it == this->mapTransports.end())
				{
					MS_THROW_NOT_FOUND_ERROR("no Transport with id '%s'", body->transport_id()->c_str());
				}

				this->mapTransports.erase(it);

				request->Accept();

				break;
			}

			case FBS::Request::Method::ROUTER_CREATE_AUDIOLEVELOBSERVER:
			{
				const auto* body = request->GetBody<FBS::Router::CreateAudioLevelObserverRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const std::string rtpObserverId = body->rtp_observer_id()->str();

				CheckNewRtpObserverId(rtpObserverId);

				// This may throw.
				this->mapRtpObservers[rtpObserverId] =
					std::make_unique<AudioLevelObserver>(this->shared, rtpObserverId, this, body->options());

				request->Accept();

				break;
			}

			case FBS::Request::Method::ROUTER_CREATE_ACTIVESPEAKEROBSERVER:
			{
				const auto* body = request->GetBody<FBS::Router::CreateActiveSpeakerObserverRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const std::string rtpObserverId = body->rtp_observer_id()->str();

				CheckNewRtpObserverId(rtpObserverId);

				// This may throw.
				this->mapRtpObservers[rtpObserverId] = std::make_unique<ActiveSpeakerObserver>(
					this->shared, rtpObserverId, this, body->options());

				request->Accept();

				break;
			}

			case FBS::Request::Method::ROUTER_CLOSE_RTPOBSERVER:
			{
				const auto* body = request->GetBody<FBS::Router::CloseRtpObserverRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const auto it = this->mapRtpObservers.find(body->rtp_observer_id()->str());

				if (it == this->mapRtpObservers.end())
				{
					MS_THROW_NOT_FOUND_ERROR("no RtpObserver with id '%s'", body->rtp_observer_id()->c_str());
				}

				auto* rtpObserver = it->second.get();

				for (auto producerIt = this->mapProducerRtpObservers.begin();
						 producerIt != this->mapProducerRtpObservers.end();)
				{
					producerIt->second.erase(rtpObserver);

					producerIt = producerIt->second.empty() ? this->mapProducerRtpObservers.erase(producerIt)
																									: std::next(producerIt);
				}

				this->mapRtpObservers.erase(it);

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

	void Router::OnWebRtcServerTransportListenServerClosed(WebRtcTransport* transport)
	{
		this->mapTransports.erase(transport->GetId());
	}

	void Router::OnTransportNewProducer(Transport* /*transport*/, Producer* producer)
	{
		if (this->mapProducers.contains(producer->GetId()))
		{
			MS_THROW_ERROR("a Producer with id '%s' already exists", producer->GetId().c_str());
		}

		this->mapProducers[producer->GetId()] = producer;
		this->mapProducerConsumers[producer];
	}

	void Router::OnTransportProducerClosed(Transport* /*transport*/, Producer* producer)
	{
		// RtpObservers.
		if (const auto observersIt = this->mapProducerRtpObservers.find(producer);
				observersIt != this->mapProducerRtpObservers.end())
		{
			for (auto* rtpObserver : observersIt->second)
			{
				rtpObserver->ProducerClosed(producer);
			}

			this->mapProducerRtpObservers.erase(observersIt);
		}

		auto it = this->mapProducerConsumers.find(producer);

		if (it != this->mapProducerConsumers.end())
		{
			// Each consumer closes itself (its transport calls back
			// OnTransportConsumerClosed, which edits the list): work on a copy.
			const auto consumers = it->second;

			for (auto* consumer : consumers)
			{
				consumer->ProducerClosed();
			}
		}

		this->mapProducerConsumers.erase(producer);
		this->mapProducers.erase(producer->GetId());
	}

	void Router::OnTransportProducerPaused(Transport* /*transport*/, Producer* producer)
	{
		for (auto* consumer : this->mapProducerConsumers[producer])
		{
			consumer->ProducerPaused();
		}

		// RtpObservers.
		if (const auto it = this->mapProducerRtpObservers.find(producer);
				it != this->mapProducerRtpObservers.end())
		{
			for (auto* rtpObserver : it->second)
			{
				rtpObserver->ProducerPaused(producer);
			}
		}
	}

	void Router::OnTransportProducerResumed(Transport* /*transport*/, Producer* producer)
	{
		for (auto* consumer : this->mapProducerConsumers[producer])
		{
			consumer->ProducerResumed();
		}

		// RtpObservers.
		if (const auto it = this->mapProducerRtpObservers.find(producer);
				it != this->mapProducerRtpObservers.end())
		{
			for (auto* rtpObserver : it->second)
			{
				rtpObserver->ProducerResumed(producer);
			}
		}
	}

	void Router::OnTransportProducerRtpPacketReceived(
		Transport* /*transport*/, Producer* producer, RtpPacket& packet, bool isKeyFrame)
	{
		// RtpObservers, before the consumers rewrite the packet in place.
		if (const auto observersIt = this->mapProducerRtpObservers.find(producer);
				observersIt != this->mapProducerRtpObservers.end())
		{
			for (auto* rtpObserver : observersIt->second)
			{
				rtpObserver->ReceiveRtpPacket(producer, packet);
			}
		}

		const auto it = this->mapProducerConsumers.find(producer);

		if (it == this->mapProducerConsumers.end())
		{
			return;
		}

		for (auto* consumer : it->second)
		{
			consumer->SendRtpPacket(packet, isKeyFrame);
		}
	}

	void Router::OnTransportProducerScore(Transport* /*transport*/, Producer* producer)
	{
		const auto it = this->mapProducerConsumers.find(producer);

		if (it == this->mapProducerConsumers.end())
		{
			return;
		}

		const auto scores = producer->GetScores();

		for (auto* consumer : it->second)
		{
			consumer->ProducerScoresChanged(scores);
		}
	}

	void Router::OnTransportConsumerKeyFrameRequested(
		Transport* /*transport*/, Consumer* consumer, uint32_t mappedSsrc)
	{
		const auto it = this->mapConsumerProducer.find(consumer);

		if (it == this->mapConsumerProducer.end())
		{
			return;
		}

		it->second->RequestKeyFrame(mappedSsrc, DepLibUV::GetTimeMs());
	}

	Producer* Router::OnTransportNewConsumer(
		Transport* /*transport*/, Consumer* consumer, const std::string& producerId)
	{
		const auto it = this->mapProducers.find(producerId);

		if (it == this->mapProducers.end())
		{
			MS_THROW_NOT_FOUND_ERROR("no Producer with id '%s'", producerId.c_str());
		}

		auto* producer = it->second;

		this->mapProducerConsumers[producer].push_back(consumer);
		this->mapConsumerProducer[consumer] = producer;

		return producer;
	}

	void Router::OnTransportConsumerClosed(Transport* /*transport*/, Consumer* consumer)
	{
		const auto it = this->mapConsumerProducer.find(consumer);

		if (it == this->mapConsumerProducer.end())
		{
			return;
		}

		auto& consumers = this->mapProducerConsumers[it->second];

		std::erase(consumers, consumer);
		this->mapConsumerProducer.erase(it);
	}

	void Router::OnTransportNewDataProducer(Transport* /*transport*/, DataProducer* dataProducer)
	{
		if (this->mapDataProducers.contains(dataProducer->GetId()))
		{
			MS_THROW_ERROR("a DataProducer with id '%s' already exists", dataProducer->GetId().c_str());
		}

		this->mapDataProducers[dataProducer->GetId()] = dataProducer;
		this->mapDataProducerDataConsumers[dataProducer];
	}

	void Router::OnTransportDataProducerClosed(Transport* /*transport*/, DataProducer* dataProducer)
	{
		const auto it = this->mapDataProducerDataConsumers.find(dataProducer);

		if (it != this->mapDataProducerDataConsumers.end())
		{
			// Each DataConsumer closes itself (its transport calls back
			// OnTransportDataConsumerClosed, which edits the list): work on a copy.
			const auto dataConsumers = it->second;

			for (auto* dataConsumer : dataConsumers)
			{
				dataConsumer->DataProducerClosed();
			}
		}

		this->mapDataProducerDataConsumers.erase(dataProducer);
		this->mapDataProducers.erase(dataProducer->GetId());
	}

	void Router::OnTransportDataProducerPaused(Transport* /*transport*/, DataProducer* dataProducer)
	{
		for (auto* dataConsumer : this->mapDataProducerDataConsumers[dataProducer])
		{
			dataConsumer->DataProducerPaused();
		}
	}

	void Router::OnTransportDataProducerResumed(Transport* /*transport*/, DataProducer* dataProducer)
	{
		for (auto* dataConsumer : this->mapDataProducerDataConsumers[dataProducer])
		{
			dataConsumer->DataProducerResumed();
		}
	}

	void Router::OnTransportDataProducerMessageReceived(
		Transport* /*transport*/, DataProducer* dataProducer, const DataProducer::Message& message)
	{
		const auto it = this->mapDataProducerDataConsumers.find(dataProducer);

		if (it == this->mapDataProducerDataConsumers.end())
		{
			return;
		}

		// Delivery never closes a DataConsumer: the list holds still.
		for (auto* dataConsumer : it->second)
		{
			dataConsumer->DeliverMessage(message);
		}
	}

	DataProducer* Router::OnTransportNewDataConsumer(
		Transport* /*transport*/, DataConsumer* dataConsumer, const std::string& dataProducerId)
	{
		const auto it = this->mapDataProducers.find(dataProducerId);

		if (it == this->mapDataProducers.end())
		{
			MS_THROW_NOT_FOUND_ERROR("no DataProducer with id '%s'", dataProducerId.c_str());
		}

		auto* dataProducer = it->second;

		this->mapDataProducerDataConsumers[dataProducer].push_back(dataConsumer);
		this->mapDataConsumerDataProducer[dataConsumer] = dataProducer;

		return dataProducer;
	}

	void Router::OnTransportDataConsumerClosed(Transport* /*transport*/, DataConsumer* dataConsumer)
	{
		const auto it = this->mapDataConsumerDataProducer.find(dataConsumer);

		if (it == this->mapDataConsumerDataProducer.end())
		{
			return;
		}

		std::erase(this->mapDataProducerDataConsumers[it->second], dataConsumer);
		this->mapDataConsumerDataProducer.erase(it);
	}

	void Router::CheckNewTransportId(const std::string& transportId) const
	{
		if (transportId.empty())
		{
			MS_THROW_TYPE_ERROR("empty transportId");
		}

		if (this->mapTransports.contains(transportId))
		{
			MS_THROW_ERROR("a Transport with id '%s' already exists", transportId.c_str());
		}
	}

	/* RtpObservers. */

	void Router::CheckNewRtpObserverId(const std::string& rtpObserverId) const
	{
		if (rtpObserverId.empty())
		{
			MS_THROW_TYPE_ERROR("empty rtpObserverId");
		}

		if (this->mapRtpObservers.contains(rtpObserverId))
		{
			MS_THROW_ERROR("an RtpObserver with id '%s' already exists", rtpObserverId.c_str());
		}
	}

	Producer* Router::RtpObserverGetProducer(const std::string& producerId)
	{
		const auto it = this->mapProducers.find(producerId);

		return it != this->mapProducers.end() ? it->second : nullptr;
	}

	void Router::OnRtpObserverAddProducer(RtpObserver* rtpObserver, Producer* producer)
	{
		this->mapProducerRtpObservers[producer].insert(rtpObserver);
	}

	void Router::OnRtpObserverRemoveProducer(RtpObserver* rtpObserver, Producer* producer)
	{
		const auto it = this->mapProducerRtpObservers.find(producer);

		if (it == this->mapProducerRtpObservers.end())
		{
			return;
		}

		it->second.erase(rtpObserver);

		if (it->second.empty())
		{
			this->mapProducerRtpObservers.erase(it);
		}
	}
} // namespace RTC
