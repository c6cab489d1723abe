#define MS_CLASS "Channel::ChannelSocket"

#include "Channel/ChannelSocket.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

#include <cstring>
#include <utility>

namespace Channel
{
	namespace
	{
		// A write that could not complete at once owns the bytes it writes.
		struct PendingWrite
		{
			uv_write_t req;
			std::vector<uint8_t> data;
		};

		// Notifications that carry network traffic or debugging output to Node:
		// lost without harm when Node does not keep up.
		bool isDroppable(FBS::Notification::Event event)
		{
			switch (event)
			{
				case FBS::Notification::Event::CONSUMER_RTP:
				case FBS::Notification::Event::DIRECTTRANSPORT_RTCP:
				case FBS::Notification::Event::DATACONSUMER_MESSAGE:
				case FBS::Notification::Event::PRODUCER_TRACE:
				case FBS::Notification::Event::CONSUMER_TRACE:
				case FBS::Notification::Event::TRANSPORT_TRACE:
					return true;
				default:
					return false;
			}
		}

		void onAlloc(uv_handle_t* handle, size_t suggestedSize, uv_buf_t* buf)
		{
			static_cast<ChannelSocket*>(handle->data)->OnUvAlloc(suggestedSize, buf);
		}

		void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf)
		{
			// The handle outlives the socket only while it is closing.
			if (stream->data)
			{
				static_cast<ChannelSocket*>(stream->data)->OnUvRead(nread, buf);
			}
		}

		void onWrite(uv_write_t* req, int status)
		{
			// The pipe's data is cleared when the socket closes (pending writes
			// are then cancelled, before the pipe is freed).
			auto* owner = static_cast<ChannelSocket*>(req->handle->data);

			delete reinterpret_cast<PendingWrite*>(req);

			if (owner)
			{
				owner->OnUvWritten(status);
			}
		}

		void onClose(uv_handle_t* handle)
		{
			delete reinterpret_cast<uv_pipe_t*>(handle);
		}

		uv_pipe_t* openPipe(int fd, ChannelSocket* owner)
		{
			auto* pipe = new uv_pipe_t;

			int err = uv_pipe_init(uv_default_loop(), pipe, 0);

			if (err != 0)
			{
				delete pipe;

				MS_THROW_ERROR("uv_pipe_init() failed: %s", uv_strerror(err));
			}

			pipe->data = owner;

			err = uv_pipe_open(pipe, fd);

			if (err != 0)
			{
				uv_close(reinterpret_cast<uv_handle_t*>(pipe), onClose);

				MS_THROW_ERROR("uv_pipe_open() failed for fd %d: %s", fd, uv_strerror(err));
			}

			return pipe;
		}
	} // namespace

	ChannelSocket::ChannelSocket(int consumerFd, int producerFd) : decoder(this)
	{
		this->consumerPipe = openPipe(consumerFd, this);

		try
		{
			this->producerPipe = openPipe(producerFd, this);
		}
		catch (const MediaSoupError&)
		{
			uv_close(reinterpret_cast<uv_handle_t*>(this->consumerPipe), onClose);

			throw;
		}

		const int err =
			uv_read_start(reinterpret_cast<uv_stream_t*>(this->consumerPipe), onAlloc, onRead);

		if (err != 0)
		{
			Close();

			MS_THROW_ERROR("uv_read_start() failed: %s", uv_strerror(err));
		}
	}

	ChannelSocket::~ChannelSocket()
	{
		Close();
	}

	void ChannelSocket::SetListener(Listener* listener)
	{
		this->listener = listener;
	}

	void ChannelSocket::Close()
	{
		if (this->closed)
		{
			return;
		}

		this->closed = true;

		uv_read_stop(reinterpret_cast<uv_stream_t*>(this->consumerPipe));

		this->consumerPipe->data = nullptr;
		this->producerPipe->data = nullptr;

		uv_close(reinterpret_cast<uv_handle_t*>(this->consumerPipe), onClose);
		uv_close(reinterpret_cast<uv_handle_t*>(this->producerPipe), onClose);
	}

	bool ChannelSocket::SendMessage(flatbuffers::Offset<FBS::Message::Message> message)
	{
		this->bufferBuilder.FinishSizePrefixed(message);

		const size_t size = this->bufferBuilder.GetSize();

		if (size > ChannelFrameDecoder::HeaderSize + ChannelFrameDecoder::MaxFrameSize)
		{
			this->bufferBuilder.Clear();
			++this->droppedMessages;

			return false;
		}

		Write(ChannelSendQueue::Kind::Response, {}, 0u, this->bufferBuilder.GetBufferPointer(), size);
		this->bufferBuilder.Clear();

		return true;
	}

	void ChannelSocket::SendNotification(const std::string& handlerId, FBS::Notification::Event event)
	{
		SendNotification(handlerId, event, FBS::Notification::Body::NONE, 0);
	}

	void ChannelSocket::SendNotification(
		const std::string& handlerId,
		FBS::Notification::Event event,
		FBS::Notification::Body bodyType,
		flatbuffers::Offset<void> body)
	{
		auto& builder     = this->sideBuilder;
		auto notification = FBS::Notification::CreateNotificationDirect(
			builder, handlerId.c_str(), event, bodyType, body);
		auto message =
			FBS::Message::CreateMessage(builder, FBS::Message::Body::Notification, notification.Union());

		builder.FinishSizePrefixed(message);
		Write(
			isDroppable(event) ? ChannelSendQueue::Kind::Droppable : ChannelSendQueue::Kind::State,
			handlerId,
			static_cast<uint8_t>(event),
			builder.GetBufferPointer(),
			builder.GetSize());
		builder.Clear();
	}

	void ChannelSocket::OnLog(LogLevel level, std::string_view source, std::string_view text)
	{
		// A log written while sending a log (or after closing) goes nowhere.
		if (this->closed || this->sendingLog)
		{
			return;
		}

		this->sendingLog = true;

		FBS::Log::Level fbsLevel{ FBS::Log::Level::DEBUG };

		switch (level)
		{
			case LogLevel::LOG_ERROR:
				fbsLevel = FBS::Log::Level::ERROR;
				break;
			case LogLevel::LOG_WARN:
				fbsLevel = FBS::Log::Level::WARN;
				break;
			default:
				break;
		}

		auto& builder = this->logBuilder;
		auto log      = FBS::Log::CreateLog(
      builder,
      fbsLevel,
      builder.CreateString(source.data(), source.size()),
      builder.CreateString(text.data(), text.size()));
		auto message = FBS::Message::CreateMessage(builder, FBS::Message::Body::Log, log.Union());

		builder.FinishSizePrefixed(message);
		Write(ChannelSendQueue::Kind::Droppable, {}, 0u, builder.GetBufferPointer(), builder.GetSize());
		builder.Clear();

		this->sendingLog = false;
	}

	void ChannelSocket::OnChannelFrame(std::span<const uint8_t> frame)
	{
		// Node builds each message size-prefixed, aligned from the prefix on; the
		// decoder hands us the bytes after the prefix at whatever address they
		// arrived. Restore the original alignment before reading anything.
		this->alignedFrame.resize(((frame.size() + 4u) / sizeof(uint64_t)) + 1u);

		auto* base = reinterpret_cast<uint8_t*>(this->alignedFrame.data());
		auto* data = base + 4u;

		const auto prefix = static_cast<flatbuffers::uoffset_t>(frame.size());

		// The verifier checks alignment relative to the start of what it is
		// given, so it gets the whole size-prefixed buffer.
		flatbuffers::WriteScalar(base, prefix);
		std::memcpy(data, frame.data(), frame.size());

		flatbuffers::Verifier verifier(base, frame.size() + 4u);

		if (!FBS::Message::VerifySizePrefixedMessageBuffer(verifier))
		{
			++this->droppedMessages;

			MS_ERROR("dropping a channel message that fails FlatBuffers verification");

			return;
		}

		const auto* message = FBS::Message::GetMessage(data);

		if (message->data_type() == FBS::Message::Body::Notification)
		{
			if (this->listener)
			{
				this->listener->OnChannelNotification(this, message->data_as_Notification());
			}

			return;
		}

		if (message->data_type() != FBS::Message::Body::Request)
		{
			++this->droppedMessages;

			MS_ERROR(
				"dropping a channel message of unexpected type %s",
				FBS::Message::EnumNameBody(message->data_type()));

			return;
		}

		ChannelRequest request(this, message->data_as_Request());

		if (this->listener)
		{
			this->listener->OnChannelRequest(this, &request);
		}

		if (!request.replied)
		{
			request.Error("Error", "request not handled");
		}
	}

	void ChannelSocket::OnChannelOversizeFrame(size_t length)
	{
		++this->droppedMessages;

		MS_ERROR(
			"dropping a channel message of %zu bytes (limit is %zu)",
			length,
			ChannelFrameDecoder::MaxFrameSize);
	}

	void ChannelSocket::OnUvAlloc(size_t /*suggestedSize*/, uv_buf_t* buf)
	{
		buf->base = reinterpret_cast<char*>(this->readBuffer);
		buf->len  = sizeof(this->readBuffer);
	}

	void ChannelSocket::OnUvRead(ssize_t nread, const uv_buf_t* buf)
	{
		if (nread > 0)
		{
			this->decoder.Feed(std::span<const uint8_t>(
				reinterpret_cast<const uint8_t*>(buf->base), static_cast<size_t>(nread)));
		}
		else if (nread < 0)
		{
			// EOF or a read error: Node closed its end, or died.
			Close();

			if (this->listener)
			{
				this->listener->OnChannelClosed(this);
			}
		}
	}

	void ChannelSocket::OnUvWritten(int status)
	{
		this->writing = false;
		this->sendQueue.SetInFlightBytes(0u);

		// A failed write means Node went away; the read side reports that.
		if (status != 0)
		{
			return;
		}

		Flush();
	}

	void ChannelSocket::Write(
		ChannelSendQueue::Kind kind,
		std::string_view entity,
		uint8_t event,
		const uint8_t* data,
		size_t length)
	{
		if (this->closed)
		{
			return;
		}

		// Earlier messages wait: this one waits behind them, which keeps the order.
		if (this->writing || !this->sendQueue.IsEmpty())
		{
			this->sendQueue.Push(kind, entity, event, std::span<const uint8_t>(data, length));

			return;
		}

		auto* stream    = reinterpret_cast<uv_stream_t*>(this->producerPipe);
		uv_buf_t buffer = uv_buf_init(
			reinterpret_cast<char*>(const_cast<uint8_t*>(data)), static_cast<unsigned int>(length));
		const int written = uv_try_write(stream, &buffer, 1);

		if (written == static_cast<int>(length))
		{
			return;
		}
		else if (written < 0 && written != UV_EAGAIN && written != UV_ENOSYS)
		{
			// Node is gone; the read side will report the closure.
			return;
		}

		// Whatever its kind, a message begun must be finished: the rest goes out
		// before anything else.
		const size_t done = written > 0 ? static_cast<size_t>(written) : 0u;

		StartWrite(std::vector<uint8_t>(data + done, data + length), 0u);
	}

	void ChannelSocket::Flush()
	{
		auto* stream = reinterpret_cast<uv_stream_t*>(this->producerPipe);

		while (!this->closed && !this->writing && !this->sendQueue.IsEmpty())
		{
			std::vector<uint8_t> bytes = this->sendQueue.Pop();
			uv_buf_t buffer =
				uv_buf_init(reinterpret_cast<char*>(bytes.data()), static_cast<unsigned int>(bytes.size()));
			const int written = uv_try_write(stream, &buffer, 1);

			if (written == static_cast<int>(bytes.size()))
			{
				continue;
			}
			else if (written < 0 && written != UV_EAGAIN && written != UV_ENOSYS)
			{
				return;
			}

			StartWrite(std::move(bytes), written > 0 ? static_cast<size_t>(written) : 0u);
		}
	}

	void ChannelSocket::StartWrite(std::vector<uint8_t> bytes, size_t offset)
	{
		auto* stream       = reinterpret_cast<uv_stream_t*>(this->producerPipe);
		auto* pendingWrite = new PendingWrite();

		pendingWrite->data = std::move(bytes);

		const size_t pending  = pendingWrite->data.size() - offset;
		const uv_buf_t buffer = uv_buf_init(
			reinterpret_cast<char*>(pendingWrite->data.data() + offset),
			static_cast<unsigned int>(pending));
		const int err = uv_write(&pendingWrite->req, stream, &buffer, 1, onWrite);

		if (err != 0)
		{
			// Node is gone; the read side will report the closure.
			delete pendingWrite;

			return;
		}

		this->writing = true;
		this->sendQueue.SetInFlightBytes(pending);
	}
} // namespace Channel
