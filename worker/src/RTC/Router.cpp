#define MS_CLASS "RTC::Router"

#include "RTC/Router.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

namespace RTC
{
	Router::Router(Channel::ChannelMessageRegistrator* registrator, const std::string& id)
			: registrator(registrator), id(id)
	{
		this->registrator->RegisterHandler(this->id, this);
	}

	Router::~Router()
	{
		this->registrator->UnregisterHandler(this->id);
	}

	void Router::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::ROUTER_DUMP:
			{
				auto& builder = request->GetBufferBuilder();
				const std::vector<flatbuffers::Offset<flatbuffers::String>> noIds;
				const std::vector<flatbuffers::Offset<FBS::Common::StringStringArray>> noArrays;
				const std::vector<flatbuffers::Offset<FBS::Common::StringString>> noPairs;
				auto dump = FBS::Router::CreateDumpResponseDirect(
					builder,
					this->id.c_str(),
					&noIds,
					&noIds,
					&noArrays,
					&noPairs,
					&noArrays,
					&noArrays,
					&noPairs);

				request->Accept(FBS::Response::Body::Router_DumpResponse, dump);

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
} // namespace RTC
