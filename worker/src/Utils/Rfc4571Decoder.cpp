#define MS_CLASS "Utils::Rfc4571Decoder"

#include "Utils/Rfc4571Decoder.hpp"

#include "Utils/Byte.hpp"

#include <algorithm>
#include <cstring>

namespace Utils
{
	/*
	 * RFC 4571 section 2 (framing RTP and RTCP over connection-oriented transport):
	 *
	 *   0                   1                   2                   3
	 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	 *  ---------------------------------------------------------------
	 * |             LENGTH            |  RTP or RTCP packet ...       |
	 *  ---------------------------------------------------------------
	 *
	 * https://www.rfc-editor.org/rfc/rfc4571#section-2
	 */
	void Rfc4571Decoder::Feed(std::span<const uint8_t> data)
	{
		while (!data.empty())
		{
			// Fast path: nothing buffered and a whole frame at the start of `data`:
			// delivered as a view, without copying.
			if (this->bufferedSize == 0u && data.size() >= HeaderSize)
			{
				const size_t length = Byte::Get2Bytes(data.data(), 0);

				if (data.size() >= HeaderSize + length)
				{
					this->listener->OnRfc4571Frame(data.subspan(HeaderSize, length));
					data = data.subspan(HeaderSize + length);

					continue;
				}
			}

			// Slow path: complete the header first, then the frame, in the buffer.
			if (this->bufferedSize < HeaderSize)
			{
				const size_t taken = std::min(HeaderSize - this->bufferedSize, data.size());

				std::memcpy(this->buffer.data() + this->bufferedSize, data.data(), taken);
				this->bufferedSize += taken;
				data = data.subspan(taken);

				if (this->bufferedSize < HeaderSize)
				{
					return;
				}
			}

			// A 16-bit length cannot exceed MaxFrameSize, so the frame always fits.
			const size_t length = Byte::Get2Bytes(this->buffer.data(), 0);
			const size_t taken  = std::min(HeaderSize + length - this->bufferedSize, data.size());

			if (taken > 0u)
			{
				std::memcpy(this->buffer.data() + this->bufferedSize, data.data(), taken);
				this->bufferedSize += taken;
				data = data.subspan(taken);
			}

			if (this->bufferedSize == HeaderSize + length)
			{
				// Reset first: the frame stays readable until the next Feed().
				this->bufferedSize = 0u;

				this->listener->OnRfc4571Frame(
					std::span<const uint8_t>(this->buffer.data() + HeaderSize, length));
			}
		}
	}
} // namespace Utils
