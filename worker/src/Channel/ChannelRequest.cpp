#define MS_CLASS "Channel::ChannelRequest"

#include "Channel/ChannelRequest.hpp"

#include "Channel/ChannelSocket.hpp"
#include "Logger.hpp"

namespace Channel
{
	ChannelRequest::ChannelRequest(ChannelSocket* channel, const FBS::Request::Request* data)
			: channel(channel),
				data(data),
				id(data->id()),
				method(data->method()),
				methodName(MethodToString(data->method())),
				handlerId(data->handler_id()->str())
	{
	}

	flatbuffers::FlatBufferBuilder& ChannelRequest::GetBufferBuilder()
	{
		return this->channel->GetBufferBuilder();
	}

	void ChannelRequest::Accept()
	{
		SendResponse(true, FBS::Response::Body::NONE, 0, nullptr, nullptr);
	}

	void ChannelRequest::Error(const char* errorType, const char* reason)
	{
		SendResponse(false, FBS::Response::Body::NONE, 0, errorType, reason);
	}

	void ChannelRequest::SendResponse(
		bool accepted,
		FBS::Response::Body bodyType,
		flatbuffers::Offset<void> body,
		const char* errorType,
		const char* reason)
	{
		MS_ASSERT(!this->replied, "request %u already replied", this->id);

		this->replied = true;

		auto& builder = this->channel->GetBufferBuilder();
		auto response = FBS::Response::CreateResponseDirect(
			builder, this->id, accepted, bodyType, body, errorType, reason);
		auto message =
			FBS::Message::CreateMessage(builder, FBS::Message::Body::Response, response.Union());

		if (!this->channel->SendMessage(message))
		{
			// Too large for the channel: answer with an error instead.
			auto errorResponse = FBS::Response::CreateResponseDirect(
				builder,
				this->id,
				false,
				FBS::Response::Body::NONE,
				0,
				"Error",
				"response exceeds the channel message size limit");
			auto errorMessage =
				FBS::Message::CreateMessage(builder, FBS::Message::Body::Response, errorResponse.Union());

			this->channel->SendMessage(errorMessage);
		}
	}

	std::string_view ChannelRequest::MethodToString(FBS::Request::Method method)
	{
		const char* name = FBS::Request::EnumNameMethod(method);

		return (name && *name) ? name : "UNKNOWN";
	}
} // namespace Channel
