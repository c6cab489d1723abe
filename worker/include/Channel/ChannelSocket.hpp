#ifndef MS_CHANNEL_SOCKET_HPP
#define MS_CHANNEL_SOCKET_HPP

#include "common.hpp"

#include "Channel/ChannelFrameDecoder.hpp"
#include "Channel/ChannelRequest.hpp"
#include "Channel/ChannelSendQueue.hpp"
#include "FBS/message_generated.h"
#include "Logger.hpp"

#include <uv.h>

#include <vector>

namespace Channel
{
	// The two pipes to Node: requests are read from `consumerFd` (fd 3) and
	// responses, notifications and logs are written to `producerFd` (fd 4).
	class ChannelSocket : public Logger::Sink, public ChannelFrameDecoder::Listener
	{
	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			virtual void OnChannelRequest(ChannelSocket* channel, ChannelRequest* request) = 0;
			virtual void OnChannelNotification(
				ChannelSocket* channel, const FBS::Notification::Notification* notification) = 0;
			// The reading pipe closed (Node went away) or failed.
			virtual void OnChannelClosed(ChannelSocket* channel) = 0;
		};

	public:
		ChannelSocket(int consumerFd, int producerFd);
		~ChannelSocket() override;

	public:
		void SetListener(Listener* listener);
		void Close();
		flatbuffers::FlatBufferBuilder& GetBufferBuilder() { return this->bufferBuilder; }
		// Frames and writes a message built in GetBufferBuilder(), then clears it.
		// Returns false (and sends nothing) when the message exceeds the frame limit.
		bool SendMessage(flatbuffers::Offset<FBS::Message::Message> message);
		void SendNotification(const std::string& handlerId, FBS::Notification::Event event);
		// The builder a notification body must be built in before
		// SendNotification() with a body.
		flatbuffers::FlatBufferBuilder& GetNotificationBuilder() { return this->sideBuilder; }
		void SendNotification(
			const std::string& handlerId,
			FBS::Notification::Event event,
			FBS::Notification::Body bodyType,
			flatbuffers::Offset<void> body);
		// Counters for dumps and tests.
		size_t GetDroppedMessages() const { return this->droppedMessages; }
		// Messages dropped, and state notifications replaced by newer ones,
		// while Node did not read (see ChannelSendQueue).
		uint64_t GetSendQueueDroppedCount() const { return this->sendQueue.GetDroppedCount(); }
		uint64_t GetSendQueueCoalescedCount() const { return this->sendQueue.GetCoalescedCount(); }

		/* Pure virtual methods inherited from Logger::Sink. */
	public:
		void OnLog(LogLevel level, std::string_view source, std::string_view text) override;

		/* Pure virtual methods inherited from ChannelFrameDecoder::Listener. */
	public:
		void OnChannelFrame(std::span<const uint8_t> frame) override;
		void OnChannelOversizeFrame(size_t length) override;

		/* Callbacks fired by libuv. */
	public:
		void OnUvRead(ssize_t nread, const uv_buf_t* buf);
		void OnUvAlloc(size_t suggestedSize, uv_buf_t* buf);
		void OnUvWritten(int status);

	private:
		// Writes at once when nothing waits, else queues (or drops, or
		// coalesces) by kind; `entity` and `event` name a state notification.
		void Write(
			ChannelSendQueue::Kind kind,
			std::string_view entity,
			uint8_t event,
			const uint8_t* data,
			size_t length);
		// Writes queued messages until the pipe is full.
		void Flush();
		// Hands bytes the pipe did not take to libuv: one such write at a time.
		void StartWrite(std::vector<uint8_t> bytes, size_t offset);

	private:
		// Passed by argument.
		Listener* listener{ nullptr };
		// Allocated by this.
		uv_pipe_t* consumerPipe{ nullptr };
		uv_pipe_t* producerPipe{ nullptr };
		// Others.
		ChannelFrameDecoder decoder;
		flatbuffers::FlatBufferBuilder bufferBuilder;
		// Notifications may be sent while a response is being built, and logs
		// at any time: each has its own builder.
		flatbuffers::FlatBufferBuilder sideBuilder;
		flatbuffers::FlatBufferBuilder logBuilder;
		uint8_t readBuffer[65536];
		// Frames are copied here so that the FlatBuffer sits at the alignment it
		// was built with (its 4-byte size prefix at an 8-byte boundary): scalars
		// such as doubles are then read from aligned addresses.
		std::vector<uint64_t> alignedFrame;
		ChannelSendQueue sendQueue;
		bool closed{ false };
		bool sendingLog{ false };
		// A libuv write of ours is in progress.
		bool writing{ false };
		size_t droppedMessages{ 0u };
	};
} // namespace Channel

#endif
