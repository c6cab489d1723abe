#ifndef MS_CHANNEL_FRAME_DECODER_HPP
#define MS_CHANNEL_FRAME_DECODER_HPP

#include "common.hpp"

#include <vector>

namespace Channel
{
	// Splits the byte stream read from the channel pipe into frames. Each frame
	// is a 4-byte little-endian length followed by that many bytes. Bytes may
	// arrive split or merged in any way. A frame longer than MaxFrameSize is
	// reported and skipped without being buffered, so a bad length cannot make
	// the worker allocate without bound.
	class ChannelFrameDecoder
	{
	public:
		static constexpr size_t HeaderSize{ 4u };
		// Largest message accepted in either direction (the same limit Node uses).
		static constexpr size_t MaxFrameSize{ 4u * 1024u * 1024u };

	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			// `frame` is valid only during the call.
			virtual void OnChannelFrame(std::span<const uint8_t> frame) = 0;
			virtual void OnChannelOversizeFrame(size_t length)          = 0;
		};

	public:
		explicit ChannelFrameDecoder(Listener* listener) : listener(listener) {}

	public:
		void Feed(std::span<const uint8_t> data);
		// Bytes held waiting for the rest of a frame.
		size_t GetBufferedSize() const { return this->buffer.size(); }

	private:
		// Passed by argument.
		Listener* listener{ nullptr };
		// Others.
		std::vector<uint8_t> buffer;
		// Bytes of an oversize frame still to be discarded.
		size_t skipRemaining{ 0u };
	};
} // namespace Channel

#endif
