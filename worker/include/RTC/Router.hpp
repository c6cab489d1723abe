#ifndef MS_RTC_ROUTER_HPP
#define MS_RTC_ROUTER_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"

namespace RTC
{
	// A media room: the transports, producers and consumers that can exchange
	// media with one another. Transports and RTP observers arrive with later
	// work; for now a Router answers for itself.
	class Router : public Channel::RequestHandler
	{
	public:
		// Throws MediaSoupError if the id is already registered.
		Router(Channel::ChannelMessageRegistrator* registrator, const std::string& id);
		~Router() override;

	public:
		const std::string& GetId() const { return this->id; }

		/* Methods inherited from Channel::RequestHandler. */
	public:
		void HandleRequest(Channel::ChannelRequest* request) override;

	private:
		// Passed by argument.
		Channel::ChannelMessageRegistrator* registrator{ nullptr };
		// Others.
		const std::string id;
	};
} // namespace RTC

#endif
