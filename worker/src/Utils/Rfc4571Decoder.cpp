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
	bool Rfc4571Decoder::Feed(std::span<const uint8_t> data)
	{
		while (!data.empty() && !this->failed)
		{
			// Fast path: at a frame boundary with a whole frame at the start of
			// `data`: delivered as a view, without copying.
			if (this->headerFilled == 0u && data.size() >= HeaderSize)
			{
				const size_t length = Byte::Get2Bytes(data.data(), 0);

				if (length > this->maxFrameSize)
				{
					this->failed = true;

					break;
				}

				if (data.size() >= HeaderSize + length)
				{
					this->listener->OnRfc4571Frame(data.subspan(HeaderSize, length));
					data = data.subspan(HeaderSize + length);

					continue;
				}
			}

			// Slow path: complete the header first.
			if (this->headerFilled < HeaderSize)
			{
				const size_t taken = std::min(HeaderSize - this->headerFilled, data.size());

				std::memcpy(this->header.data() + this->headerFilled, data.data(), taken);
				this->headerFilled += taken;
				data = data.subspan(taken);

				if (this->headerFilled < HeaderSize)
				{
					break;
				}

				this->bodyLength = Byte::Get2Bytes(this->header.data(), 0);
				this->bodyFilled = 0u;

				if (this->bodyLength > this->maxFrameSize)
				{
					this->failed = true;

					break;
				}

				// Memory only for a frame that spans reads, and only its size.
				if (this->bodyLength > 0u)
				{
					this->body = std::make_unique<uint8_t[]>(this->bodyLength);
				}
			}

			const size_t taken = std::min(this->bodyLength - this->bodyFilled, data.size());

			if (taken > 0u)
			{
				std::memcpy(this->body.get() + this->bodyFilled, data.data(), taken);
				this->bodyFilled += taken;
				data = data.subspan(taken);
			}

			if (this->bodyFilled == this->bodyLength)
			{
				// Reset first; the buffer lives until the listener returns.
				const auto frame    = std::move(this->body);
				const size_t length = this->bodyLength;
				this->headerFilled  = 0u;
				this->bodyLength    = 0u;
				this->bodyFilled    = 0u;

				this->listener->OnRfc4571Frame(std::span<const uint8_t>(frame.get(), length));
			}
		}

		return !this->failed;
	}
} // namespace Utils
