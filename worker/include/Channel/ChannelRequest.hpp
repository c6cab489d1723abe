#ifndef MS_CHANNEL_REQUEST_HPP
#define MS_CHANNEL_REQUEST_HPP

#include "common.hpp"

#include "FBS/message_generated.h"

namespace Channel
{
	class ChannelSocket;

	// One request from Node, verified, with the means to answer it exactly once.
	class ChannelRequest
	{
	public:
		ChannelRequest(ChannelSocket* channel, const FBS::Request::Request* data);

	public:
		// The builder in which a response body must be built before Accept().
		flatbuffers::FlatBufferBuilder& GetBufferBuilder();
		void Accept();
		template <typename Body>
		void Accept(FBS::Response::Body bodyType, flatbuffers::Offset<Body>& body)
		{
			SendResponse(true, bodyType, body.Union(), nullptr, nullptr);
		}
		// `errorType` is the JavaScript error class Node rejects with.
		void Error(const char* errorType, const char* reason);
		// The typed body, or nullptr when it is absent or of another type.
		template <typename Body>
		const Body* GetBody() const
		{
			return this->data->body_as<Body>();
		}
		static std::string_view MethodToString(FBS::Request::Method method);

	private:
		void SendResponse(
			bool accepted,
			FBS::Response::Body bodyType,
			flatbuffers::Offset<void> body,
			const char* errorType,
			const char* reason);

	public:
		// Passed by argument.
		ChannelSocket* channel{ nullptr };
		const FBS::Request::Request* data{ nullptr };
		// Others.
		uint32_t id{ 0u };
		FBS::Request::Method method;
		std::string_view methodName;
		std::string handlerId;
		bool replied{ false };
	};
} // namespace Channel

#endif
