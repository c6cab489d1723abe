#ifndef MS_CHANNEL_MESSAGE_REGISTRATOR_HPP
#define MS_CHANNEL_MESSAGE_REGISTRATOR_HPP

#include "common.hpp"

#include "Channel/ChannelRequest.hpp"
#include "FBS/notification_generated.h"

#include <unordered_map>
#include <vector>

namespace Channel
{
	// Whatever answers requests addressed to its id (a Router, a Transport...).
	class RequestHandler
	{
	public:
		virtual ~RequestHandler() = default;

	public:
		// May throw MediaSoupError; the dispatcher turns it into an error response.
		virtual void HandleRequest(ChannelRequest* request) = 0;
		// A notification from Node (no response). Entities that take none
		// ignore them.
		virtual void HandleNotification(const FBS::Notification::Notification* /*notification*/) {}
	};

	// Maps entity ids to the handlers of requests addressed to them.
	class ChannelMessageRegistrator
	{
	public:
		// Throws MediaSoupError if the id is already registered.
		void RegisterHandler(const std::string& id, RequestHandler* handler);
		void UnregisterHandler(const std::string& id);
		RequestHandler* GetHandler(const std::string& id) const;
		std::vector<std::string> GetRequestHandlerIds() const;

	private:
		std::unordered_map<std::string, RequestHandler*> mapIdRequestHandler;
	};
} // namespace Channel

#endif
