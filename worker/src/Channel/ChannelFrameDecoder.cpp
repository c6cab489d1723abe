#define MS_CLASS "Channel::ChannelFrameDecoder"

#include "Channel/ChannelFrameDecoder.hpp"

#include <algorithm>

namespace Channel
{
	namespace
	{
		uint32_t ReadLength(const uint8_t* data)
		{
			return static_cast<uint32_t>(data[0]) | (static_cast<uint32_t>(data[1]) << 8) |
						 (static_cast<uint32_t>(data[2]) << 16) | (static_cast<uint32_t>(data[3]) << 24);
		}
	} // namespace

	void ChannelFrameDecoder::Feed(std::span<const uint8_t> data)
	{
		while (!data.empty())
		{
			// Discard what is left of an oversize frame.
			if (this->skipRemaining > 0u)
			{
				const size_t skipped = std::min(this->skipRemaining, data.size());

				this->skipRemaining -= skipped;
				data = data.subspan(skipped);

				continue;
			}

			// Fast path: nothing buffered and a whole frame (or several) in `data`,
			// delivered without copying.
			if (this->buffer.empty() && data.size() >= HeaderSize)
			{
				const size_t length = ReadLength(data.data());

				if (length > MaxFrameSize)
				{
					this->listener->OnChannelOversizeFrame(length);
					this->skipRemaining = length;
					data                = data.subspan(HeaderSize);

					continue;
				}

				if (data.size() >= HeaderSize + length)
				{
					this->listener->OnChannelFrame(data.subspan(HeaderSize, length));
					data = data.subspan(HeaderSize + length);

					continue;
				}
			}

			// Slow path: accumulate until the header and then the whole frame are
			// there.
			if (this->buffer.size() < HeaderSize)
			{
				const size_t needed = HeaderSize - this->buffer.size();
				const size_t taken  = std::min(needed, data.size());

				this->buffer.insert(this->buffer.end(), data.begin(), data.begin() + taken);
				data = data.subspan(taken);

				if (this->buffer.size() < HeaderSize)
				{
					return;
				}

				const size_t length = ReadLength(this->buffer.data());

				if (length > MaxFrameSize)
				{
					this->listener->OnChannelOversizeFrame(length);
					this->skipRemaining = length;
					this->buffer.clear();

					continue;
				}
			}

			const size_t length = ReadLength(this->buffer.data());
			const size_t needed = HeaderSize + length - this->buffer.size();
			const size_t taken  = std::min(needed, data.size());

			this->buffer.insert(this->buffer.end(), data.begin(), data.begin() + taken);
			data = data.subspan(taken);

			if (this->buffer.size() == HeaderSize + length)
			{
				this->listener->OnChannelFrame(
					std::span<const uint8_t>(this->buffer.data() + HeaderSize, length));
				this->buffer.clear();
			}
		}
	}
} // namespace Channel
