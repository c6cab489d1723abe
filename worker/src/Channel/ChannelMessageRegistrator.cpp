#define MS_CLASS "Channel::ChannelMessageRegistrator"

#include "Channel/ChannelMessageRegistrator.hpp"

#include "MediaSoupErrors.hpp"

#include <algorithm>

namespace Channel
{
	void ChannelMessageRegistrator::RegisterHandler(const std::string& id, RequestHandler* handler)
	{
		if (this->mapIdRequestHandler.contains(id))
		{
			MS_THROW_ERROR("a channel request handler with id '%s' already exists", id.c_str());
		}

		this->mapIdRequestHandler[id] = handler;
	}

	void ChannelMessageRegistrator::UnregisterHandler(const std::string& id)
	{
		this->mapIdRequestHandler.erase(id);
	}

	RequestHandler* ChannelMessageRegistrator::GetHandler(const std::string& id) const
	{
		const auto it = this->mapIdRequestHandler.find(id);

		return it != this->mapIdRequestHandler.end() ? it->second : nullptr;
	}

	std::vector<std::string> ChannelMessageRegistrator::GetRequestHandlerIds() const
	{
		std::vector<std::string> ids;

		ids.reserve(this->mapIdRequestHandler.size());

		for (const auto& [id, handler] : this->mapIdRequestHandler)
		{
			ids.push_back(id);
		}

		std::sort(ids.begin(), ids.end());

		return ids;
	}
} // namespace Channel
