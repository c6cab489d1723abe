#define MS_CLASS "RTC::RtpObserver"

#include "RTC/RtpObserver.hpp"

#include "FBS/rtpObserver_generated.h"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

namespace RTC
{
	RtpObserver::RtpObserver(Shared* shared, const std::string& id, Listener* listener)
			: shared(shared), listener(listener), id(id)
	{
		// This may throw.
		this->shared->registrator->RegisterHandler(this->id, this);
	}

	RtpObserver::~RtpObserver()
	{
		this->shared->registrator->UnregisterHandler(this->id);
	}

	void RtpObserver::ReceiveRtpPacket(Producer* producer, const RtpPacket& packet)
	{
		if (this->paused)
		{
			return;
		}

		ObserveRtpPacket(producer, packet);
	}

	void RtpObserver::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::RTPOBSERVER_PAUSE:
			{
				const bool wasPaused = this->paused;

				this->paused = true;

				// Answer first: what Paused() notifies must not reach Node before
				// the response.
				request->Accept();

				if (!wasPaused)
				{
					Paused();
				}

				break;
			}

			case FBS::Request::Method::RTPOBSERVER_RESUME:
			{
				const bool wasPaused = this->paused;

				this->paused = false;

				request->Accept();

				if (wasPaused)
				{
					Resumed();
				}

				break;
			}

			case FBS::Request::Method::RTPOBSERVER_ADD_PRODUCER:
			{
				const auto* body = request->GetBody<FBS::RtpObserver::AddProducerRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				// This may throw.
				auto* producer = GetProducer(body->producer_id()->str());

				// This may throw.
				AddProducer(producer);

				this->listener->OnRtpObserverAddProducer(this, producer);

				request->Accept();

				break;
			}

			case FBS::Request::Method::RTPOBSERVER_REMOVE_PRODUCER:
			{
				const auto* body = request->GetBody<FBS::RtpObserver::RemoveProducerRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				// This may throw.
				auto* producer = GetProducer(body->producer_id()->str());

				// A Producer of the Router that was not added is not an error: there
				// is nothing to remove.
				RemoveProducer(producer);

				this->listener->OnRtpObserverRemoveProducer(this, producer);

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

	Producer* RtpObserver::GetProducer(const std::string& producerId)
	{
		auto* producer = this->listener->RtpObserverGetProducer(producerId);

		if (!producer)
		{
			MS_THROW_NOT_FOUND_ERROR("no Producer with id '%s'", producerId.c_str());
		}

		return producer;
	}
} // namespace RTC
