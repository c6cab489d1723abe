#define MS_CLASS "RTC::Codecs::VP8"
// #define MS_LOG_DEV

#include "RTC/Codecs/VP8.hpp"

#include "Logger.hpp"

namespace RTC::Codecs
{
	namespace
	{
		// Bytes a key frame starts with after the 3-byte frame tag (RFC 6386 9.1).
		constexpr uint8_t StartCode[3]{ 0x9Du, 0x01u, 0x2Au };
		// Frame tag, start code, width, height.
		constexpr size_t KeyFrameHeaderSize{ 10u };

		// Whether `a` comes after `b` in a space of `mask + 1` values that
		// wraps: less than half of the space ahead.
		constexpr bool IsNewer(uint16_t a, uint16_t b, uint16_t mask)
		{
			const uint16_t diff = static_cast<uint16_t>((a - b) & mask);

			return diff != 0u && diff <= (mask >> 1);
		}

		static_assert(IsNewer(0x0000u, 0x7FFFu, Vp8::MaxPictureId));
		static_assert(!IsNewer(0x7FFFu, 0x0000u, Vp8::MaxPictureId));
		static_assert(IsNewer(0x00u, 0xFFu, 0xFFu));

		uint16_t ReadLe14(const uint8_t* data)
		{
			return static_cast<uint16_t>((data[0] | (data[1] << 8)) & 0x3FFF);
		}
	} // namespace

	/* Class methods. */

	std::optional<Vp8PayloadDescriptor> Vp8::Parse(std::span<const uint8_t> payload)
	{
		const size_t len = payload.size();

		if (len < 1u)
		{
			MS_DEBUG_DEV("empty payload");

			return std::nullopt;
		}

		const uint8_t* data = payload.data();
		Vp8PayloadDescriptor descriptor;
		size_t pos{ 1u };

		descriptor.extended         = (data[0] & 0x80u) != 0u;
		descriptor.nonReference     = (data[0] & 0x20u) != 0u;
		descriptor.startOfPartition = (data[0] & 0x10u) != 0u;
		descriptor.partitionIndex   = data[0] & 0x07u;

		if (descriptor.extended)
		{
			if (len < 2u)
			{
				MS_DEBUG_DEV("no room for the extension byte");

				return std::nullopt;
			}

			descriptor.hasPictureId = (data[1] & 0x80u) != 0u;
			descriptor.hasTl0PicIdx = (data[1] & 0x40u) != 0u;
			descriptor.hasTid       = (data[1] & 0x20u) != 0u;
			descriptor.hasKeyIdx    = (data[1] & 0x10u) != 0u;
			pos                     = 2u;

			if (descriptor.hasPictureId)
			{
				if (pos >= len)
				{
					MS_DEBUG_DEV("no room for PictureID");

					return std::nullopt;
				}

				descriptor.hasLongPictureId = (data[pos] & 0x80u) != 0u;

				if (descriptor.hasLongPictureId)
				{
					if (pos + 1u >= len)
					{
						MS_DEBUG_DEV("no room for the 15-bit PictureID");

						return std::nullopt;
					}

					descriptor.pictureId = static_cast<uint16_t>(((data[pos] & 0x7Fu) << 8) | data[pos + 1u]);
					pos += 2u;
				}
				else
				{
					descriptor.pictureId = data[pos] & 0x7Fu;
					pos += 1u;
				}
			}

			if (descriptor.hasTl0PicIdx)
			{
				if (pos >= len)
				{
					MS_DEBUG_DEV("no room for TL0PICIDX");

					return std::nullopt;
				}

				descriptor.tl0PicIdx = data[pos];
				pos += 1u;
			}

			if (descriptor.hasTid || descriptor.hasKeyIdx)
			{
				if (pos >= len)
				{
					MS_DEBUG_DEV("no room for TID/Y/KEYIDX");

					return std::nullopt;
				}

				if (descriptor.hasTid)
				{
					descriptor.tid       = data[pos] >> 6;
					descriptor.layerSync = (data[pos] & 0x20u) != 0u;
				}

				if (descriptor.hasKeyIdx)
				{
					descriptor.keyIdx = data[pos] & 0x1Fu;
				}

				pos += 1u;
			}
		}

		// A descriptor with nothing after it carries no VP8 data.
		if (pos >= len)
		{
			MS_DEBUG_DEV("no VP8 payload after the descriptor");

			return std::nullopt;
		}

		descriptor.size = pos;

		// The payload header (with its P bit) is only in the first packet of a
		// frame: the start of partition 0.
		if (descriptor.startOfPartition && descriptor.partitionIndex == 0u && (data[pos] & 0x01u) == 0u)
		{
			descriptor.isKeyFrame = true;

			if (
				len - pos >= KeyFrameHeaderSize && data[pos + 3u] == StartCode[0] &&
				data[pos + 4u] == StartCode[1] && data[pos + 5u] == StartCode[2])
			{
				descriptor.width  = ReadLe14(data + pos + 6u);
				descriptor.height = ReadLe14(data + pos + 8u);
			}
		}

		return descriptor;
	}

	bool Vp8::IsKeyFrame(std::span<const uint8_t> payload)
	{
		const auto descriptor = Parse(payload);

		return descriptor && descriptor->isKeyFrame;
	}

	bool
	Vp8::SetPictureIdAndTl0PicIdx(std::span<uint8_t> payload, uint16_t pictureId, uint8_t tl0PicIdx)
	{
		const auto descriptor = Parse(payload);

		if (!descriptor)
		{
			return false;
		}

		// Parse() checked that every field it found fits.
		uint8_t* data = payload.data();
		size_t pos{ 2u };

		if (descriptor->hasPictureId)
		{
			if (descriptor->hasLongPictureId)
			{
				data[pos]      = static_cast<uint8_t>(0x80u | ((pictureId >> 8) & 0x7Fu));
				data[pos + 1u] = static_cast<uint8_t>(pictureId);
				pos += 2u;
			}
			else
			{
				data[pos] = static_cast<uint8_t>(pictureId & 0x7Fu);
				pos += 1u;
			}
		}

		if (descriptor->hasTl0PicIdx)
		{
			data[pos] = tl0PicIdx;
		}

		return true;
	}

	/* Instance methods of Vp8::EncodingContext. */

	Vp8::EncodingContext::Ids Vp8::EncodingContext::Rewrite(const Vp8PayloadDescriptor& descriptor)
	{
		Ids ids;

		if (descriptor.hasPictureId)
		{
			ids.pictureId = RewritePictureId(descriptor.pictureId, descriptor.hasLongPictureId);
		}

		if (descriptor.hasTl0PicIdx)
		{
			ids.tl0PicIdx =
				RewriteTl0PicIdx(descriptor.tl0PicIdx, !descriptor.hasTid || descriptor.tid == 0u);
		}

		return ids;
	}

	std::optional<Vp8PayloadDescriptor>
	Vp8::EncodingContext::RewritePayload(std::span<uint8_t> payload)
	{
		auto descriptor = Vp8::Parse(payload);

		if (!descriptor)
		{
			return std::nullopt;
		}

		const auto ids = Rewrite(*descriptor);

		Vp8::SetPictureIdAndTl0PicIdx(
			payload,
			ids.pictureId.value_or(descriptor->pictureId),
			ids.tl0PicIdx.value_or(descriptor->tl0PicIdx));

		return descriptor;
	}

	uint16_t Vp8::EncodingContext::RewritePictureId(uint16_t pictureId, bool isLong)
	{
		uint16_t source;

		if (this->syncPictureId)
		{
			source = isLong ? (pictureId & MaxPictureId) : (pictureId & MaxShortPictureId);

			// The first picture of the new source follows the last one sent.
			this->pictureIdOffset =
				this->hasSentPictureId
					? static_cast<uint16_t>((this->highestPictureId + 1u - source) & MaxPictureId)
					: 0u;
			this->sourcePictureId = source;
			this->syncPictureId   = false;
		}
		else if (isLong)
		{
			source = pictureId & MaxPictureId;

			if (IsNewer(source, this->sourcePictureId, MaxPictureId))
			{
				this->sourcePictureId = source;
			}
		}
		else
		{
			// Nearest 15-bit value with these 7 low bits.
			int delta = static_cast<int>((pictureId - this->sourcePictureId) & MaxShortPictureId);

			if (delta > static_cast<int>(MaxShortPictureId >> 1))
			{
				delta -= static_cast<int>(MaxShortPictureId) + 1;
			}

			source = static_cast<uint16_t>((this->sourcePictureId + delta) & MaxPictureId);

			if (delta > 0)
			{
				this->sourcePictureId = source;
			}
		}

		const auto out = static_cast<uint16_t>((source + this->pictureIdOffset) & MaxPictureId);

		if (!this->hasSentPictureId || IsNewer(out, this->highestPictureId, MaxPictureId))
		{
			this->highestPictureId = out;
			this->hasSentPictureId = true;
		}

		return out;
	}

	uint8_t Vp8::EncodingContext::RewriteTl0PicIdx(uint8_t tl0PicIdx, bool isTemporalBaseLayer)
	{
		if (this->syncTl0PicIdx)
		{
			if (this->hasSentTl0PicIdx)
			{
				// A TL0 picture starts a new group; a higher layer one belongs to
				// the group of the last TL0 picture sent.
				const auto target = static_cast<uint8_t>(
					isTemporalBaseLayer ? this->highestTl0PicIdx + 1u : this->highestTl0PicIdx);

				this->tl0PicIdxOffset = static_cast<uint8_t>(target - tl0PicIdx);
			}
			else
			{
				this->tl0PicIdxOffset = 0u;
			}

			this->syncTl0PicIdx = false;
		}

		const auto out = static_cast<uint8_t>(tl0PicIdx + this->tl0PicIdxOffset);

		if (!this->hasSentTl0PicIdx || IsNewer(out, this->highestTl0PicIdx, 0xFFu))
		{
			this->highestTl0PicIdx = out;
			this->hasSentTl0PicIdx = true;
		}

		return out;
	}
} // namespace RTC::Codecs
