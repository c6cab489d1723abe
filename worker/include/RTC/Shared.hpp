#ifndef MS_RTC_SHARED_HPP
#define MS_RTC_SHARED_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "Channel/ChannelSocket.hpp"

#include <functional>

namespace RTC
{
	class DtlsContext;
	class WebRtcServer;

	// What every Router and Transport of a worker needs from it. Owned by the
	// Worker; passed down by pointer.
	struct Shared
	{
		Channel::ChannelSocket* channel{ nullptr };
		Channel::ChannelMessageRegistrator* registrator{ nullptr };
		DtlsContext* dtlsContext{ nullptr };
		// Finds a WebRtcServer of this worker by id (nullptr if none).
		std::function<WebRtcServer*(const std::string& id)> getWebRtcServer;
	};
} // namespace RTC

#endif
