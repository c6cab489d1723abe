#define MS_CLASS "Worker"

#include "Worker.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "Settings.hpp"

#include <csignal>
#include <unistd.h>

Worker::Worker(Channel::ChannelSocket* channel, std::unique_ptr<RTC::DtlsCertificate> certificate)
		: channel(channel), certificate(std::move(certificate))
{
	this->channel->SetListener(this);

	// This may throw.
	this->dtlsContext = std::make_unique<RTC::DtlsContext>(this->certificate.get());

	this->shared.channel         = this->channel;
	this->shared.registrator     = &this->registrator;
	this->shared.dtlsContext     = this->dtlsContext.get();
	this->shared.getWebRtcServer = [this](const std::string& id) -> RTC::WebRtcServer*
	{
		const auto it = this->mapWebRtcServers.find(id);

		return it != this->mapWebRtcServers.end() ? it->second.get() : nullptr;
	};

	// Node asks us to close through the channel (or closes it). SIGINT (a
	// Ctrl-C reaching the whole process group) and SIGTERM close the worker
	// too, as mediasoup's worker does; Node then reports it as died.
	this->signalHandle = std::make_unique<SignalHandle>(this);
	this->signalHandle->AddSignal(SIGINT, "INT");
	this->signalHandle->AddSignal(SIGTERM, "TERM");

	MS_DEBUG_TAG(info, "worker ready [pid:%d]", static_cast<int>(getpid()));

	this->channel->SendNotification("", FBS::Notification::Event::WORKER_RUNNING);
}

Worker::~Worker()
{
	Close();
}

void Worker::Close()
{
	if (this->closed)
	{
		return;
	}

	this->closed = true;

	// Routers first: their WebRtcTransports unregister from the servers.
	this->mapRouters.clear();
	this->mapWebRtcServers.clear();
	this->signalHandle->Close();
	this->channel->Close();
}

void Worker::OnChannelNotification(
	Channel::ChannelSocket* /*channel*/, const FBS::Notification::Notification* notification)
{
	auto* handler = this->registrator.GetHandler(notification->handler_id()->str());

	// The entity may have closed while the notification was on its way.
	if (!handler)
	{
		MS_DEBUG_DEV("notification for unknown entity '%s'", notification->handler_id()->c_str());

		return;
	}

	try
	{
		handler->HandleNotification(notification);
	}
	catch (const MediaSoupError& error)
	{
		MS_WARN_TAG(rtp, "notification failed: %s", error.what());
	}
}

void Worker::OnChannelRequest(Channel::ChannelSocket* /*channel*/, Channel::ChannelRequest* request)
{
	MS_DEBUG_DEV(
		"request [method:%.*s, id:%u]",
		static_cast<int>(request->methodName.size()),
		request->methodName.data(),
		request->id);

	try
	{
		if (request->handlerId.empty())
		{
			HandleRequest(request);
		}
		else
		{
			auto* handler = this->registrator.GetHandler(request->handlerId);

			if (!handler)
			{
				MS_THROW_NOT_FOUND_ERROR(
					"no entity with id '%s' for request '%.*s'",
					request->handlerId.c_str(),
					static_cast<int>(request->methodName.size()),
					request->methodName.data());
			}

			handler->HandleRequest(request);
		}
	}
	catch (const MediaSoupError& error)
	{
		if (!request->replied)
		{
			request->Error(error.TypeName(), error.what());
		}
		else
		{
			MS_ERROR("error after replying to request %u: %s", request->id, error.what());
		}
	}
}

void Worker::OnChannelClosed(Channel::ChannelSocket* /*channel*/)
{
	// Node closed the pipe or died: leave no orphan behind.
	MS_DEBUG_TAG(info, "channel closed, closing the worker");

	Close();
}

void Worker::HandleRequest(Channel::ChannelRequest* request)
{
	switch (request->method)
	{
		case FBS::Request::Method::WORKER_CLOSE:
		{
			request->Accept();
			Close();

			break;
		}

		case FBS::Request::Method::WORKER_DUMP:
		{
			auto& builder = request->GetBufferBuilder();
			std::vector<flatbuffers::Offset<flatbuffers::String>> routerIds;

			for (const auto& [id, router] : this->mapRouters)
			{
				routerIds.push_back(builder.CreateString(id));
			}

			std::vector<flatbuffers::Offset<flatbuffers::String>> handlerIds;

			for (const auto& id : this->registrator.GetRequestHandlerIds())
			{
				handlerIds.push_back(builder.CreateString(id));
			}

			std::vector<flatbuffers::Offset<flatbuffers::String>> webRtcServerIds;

			for (const auto& [id, webRtcServer] : this->mapWebRtcServers)
			{
				webRtcServerIds.push_back(builder.CreateString(id));
			}

			const std::vector<flatbuffers::Offset<flatbuffers::String>> noIds;
			auto handlers = FBS::Worker::CreateChannelMessageHandlersDirect(builder, &handlerIds, &noIds);
			auto dump     = FBS::Worker::CreateDumpResponseDirect(
        builder,
        static_cast<uint32_t>(getpid()),
        &webRtcServerIds,
        &routerIds,
        handlers,
        this->channel->GetSendQueueDroppedCount(),
        this->channel->GetSendQueueCoalescedCount());

			request->Accept(FBS::Response::Body::Worker_DumpResponse, dump);

			break;
		}

		case FBS::Request::Method::WORKER_GET_RESOURCE_USAGE:
		{
			FillResourceUsage(request);

			break;
		}

		case FBS::Request::Method::WORKER_UPDATE_SETTINGS:
		{
			const auto* body = request->GetBody<FBS::Worker::UpdateSettingsRequest>();

			if (!body)
			{
				MS_THROW_TYPE_ERROR("missing body");
			}

			// Validate everything before changing anything.
			auto logLevel = Settings::configuration.logLevel;
			auto logTags  = Settings::configuration.logTags;

			if (body->log_level())
			{
				logLevel = Settings::ParseLogLevel(body->log_level()->string_view());
			}

			if (body->log_tags())
			{
				std::vector<std::string_view> tags;

				for (const auto* tag : *body->log_tags())
				{
					tags.push_back(tag->string_view());
				}

				logTags = Settings::ParseLogTags(tags);
			}

			Settings::configuration.logLevel = logLevel;
			Settings::configuration.logTags  = logTags;

			request->Accept();

			break;
		}

		case FBS::Request::Method::WORKER_CREATE_ROUTER:
		{
			const auto* body = request->GetBody<FBS::Worker::CreateRouterRequest>();

			if (!body)
			{
				MS_THROW_TYPE_ERROR("missing body");
			}

			const std::string routerId = body->router_id()->str();

			if (routerId.empty())
			{
				MS_THROW_TYPE_ERROR("empty routerId");
			}

			if (this->mapRouters.contains(routerId))
			{
				MS_THROW_ERROR("a Router with id '%s' already exists", routerId.c_str());
			}

			// This may throw (id already taken by another entity).
			auto router = std::make_unique<RTC::Router>(&this->shared, routerId);

			this->mapRouters[routerId] = std::move(router);

			MS_DEBUG_DEV("Router created [routerId:%s]", routerId.c_str());

			request->Accept();

			break;
		}

		case FBS::Request::Method::WORKER_CREATE_WEBRTCSERVER:
		{
			const auto* body = request->GetBody<FBS::Worker::CreateWebRtcServerRequest>();

			if (!body)
			{
				MS_THROW_TYPE_ERROR("missing body");
			}

			const std::string webRtcServerId = body->web_rtc_server_id()->str();

			if (webRtcServerId.empty())
			{
				MS_THROW_TYPE_ERROR("empty webRtcServerId");
			}

			if (this->mapWebRtcServers.contains(webRtcServerId))
			{
				MS_THROW_ERROR("a WebRtcServer with id '%s' already exists", webRtcServerId.c_str());
			}

			// This may throw.
			this->mapWebRtcServers[webRtcServerId] =
				std::make_unique<RTC::WebRtcServer>(&this->shared, webRtcServerId, body->listen_infos());

			request->Accept();

			break;
		}

		case FBS::Request::Method::WORKER_WEBRTCSERVER_CLOSE:
		{
			const auto* body = request->GetBody<FBS::Worker::CloseWebRtcServerRequest>();

			if (!body)
			{
				MS_THROW_TYPE_ERROR("missing body");
			}

			const auto it = this->mapWebRtcServers.find(body->web_rtc_server_id()->str());

			if (it == this->mapWebRtcServers.end())
			{
				MS_THROW_NOT_FOUND_ERROR(
					"no WebRtcServer with id '%s'", body->web_rtc_server_id()->c_str());
			}

			this->mapWebRtcServers.erase(it);

			request->Accept();

			break;
		}

		case FBS::Request::Method::WORKER_CLOSE_ROUTER:
		{
			const auto* body = request->GetBody<FBS::Worker::CloseRouterRequest>();

			if (!body)
			{
				MS_THROW_TYPE_ERROR("missing body");
			}

			const auto it = this->mapRouters.find(body->router_id()->str());

			if (it == this->mapRouters.end())
			{
				MS_THROW_NOT_FOUND_ERROR("no Router with id '%s'", body->router_id()->c_str());
			}

			this->mapRouters.erase(it);

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

void Worker::OnSignal(SignalHandle* /*signalHandle*/, int signum)
{
	MS_DEBUG_TAG(info, "signal %d received, closing", signum);

	Close();
}

void Worker::FillResourceUsage(Channel::ChannelRequest* request) const
{
	uv_rusage_t usage;
	const int err = uv_getrusage(&usage);

	if (err != 0)
	{
		MS_THROW_ERROR("uv_getrusage() failed: %s", uv_strerror(err));
	}

	auto toMs = [](const uv_timeval_t& tv)
	{
		return static_cast<uint64_t>(tv.tv_sec) * 1000u + static_cast<uint64_t>(tv.tv_usec) / 1000u;
	};

	auto& builder = request->GetBufferBuilder();
	auto body     = FBS::Worker::CreateResourceUsageResponse(
    builder,
    toMs(usage.ru_utime),
    toMs(usage.ru_stime),
    usage.ru_maxrss,
    usage.ru_ixrss,
    usage.ru_idrss,
    usage.ru_isrss,
    usage.ru_minflt,
    usage.ru_majflt,
    usage.ru_nswap,
    usage.ru_inblock,
    usage.ru_oublock,
    usage.ru_msgsnd,
    usage.ru_msgrcv,
    usage.ru_nsignals,
    usage.ru_nvcsw,
    usage.ru_nivcsw);

	request->Accept(FBS::Response::Body::Worker_ResourceUsageResponse, body);
}
