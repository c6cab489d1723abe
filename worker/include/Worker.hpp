#ifndef MS_WORKER_HPP
#define MS_WORKER_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "Channel/ChannelSocket.hpp"
#include "RTC/DtlsCertificate.hpp"
#include "RTC/DtlsTransport.hpp"
#include "RTC/Router.hpp"
#include "RTC/Shared.hpp"
#include "RTC/WebRtcServer.hpp"
#include "handles/SignalHandle.hpp"

#include <map>

// The root of a worker process: answers requests addressed to the Worker,
// dispatches the others to their entities, and owns the Routers.
class Worker : public Channel::ChannelSocket::Listener,
							 public Channel::RequestHandler,
							 public SignalHandle::Listener
{
public:
	Worker(Channel::ChannelSocket* channel, std::unique_ptr<RTC::DtlsCertificate> certificate);
	~Worker() override;

public:
	void Close();
	bool IsClosed() const { return this->closed; }

	/* Methods inherited from Channel::ChannelSocket::Listener. */
public:
	void OnChannelRequest(Channel::ChannelSocket* channel, Channel::ChannelRequest* request) override;
	void OnChannelNotification(
		Channel::ChannelSocket* channel, const FBS::Notification::Notification* notification) override;
	void OnChannelClosed(Channel::ChannelSocket* channel) override;

	/* Methods inherited from Channel::RequestHandler. */
public:
	void HandleRequest(Channel::ChannelRequest* request) override;

	/* Methods inherited from SignalHandle::Listener. */
public:
	void OnSignal(SignalHandle* signalHandle, int signum) override;

private:
	void FillResourceUsage(Channel::ChannelRequest* request) const;

private:
	// Passed by argument.
	Channel::ChannelSocket* channel{ nullptr };
	// Allocated by this.
	std::unique_ptr<RTC::DtlsCertificate> certificate;
	std::unique_ptr<RTC::DtlsContext> dtlsContext;
	std::unique_ptr<SignalHandle> signalHandle;
	std::map<std::string, std::unique_ptr<RTC::WebRtcServer>> mapWebRtcServers;
	std::map<std::string, std::unique_ptr<RTC::Router>> mapRouters;
	// Others.
	Channel::ChannelMessageRegistrator registrator;
	RTC::Shared shared;
	bool closed{ false };
};

#endif
