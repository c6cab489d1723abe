// Parses arbitrary bytes as a VP8 payload; whatever parses has its ids
// rewritten in place, parsed back and restored. Then the input, cut into
// packets, goes through an EncodingContext, some of them switching source,
// and the outgoing PictureIDs must follow on at every switch.

#include "common.hpp"

#include "RTC/Codecs/Tools.hpp"
#include "RTC/Codecs/VP8.hpp"
#include "Settings.hpp"

#include <algorithm>
#include <vector>

using RTC::Codecs::Vp8;

namespace
{
	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}

	void CheckRewrite(std::span<const uint8_t> bytes)
	{
		const auto descriptor = Vp8::Parse(bytes);
		std::vector<uint8_t> copy(bytes.begin(), bytes.end());

		Check(Vp8::IsKeyFrame(bytes) == (descriptor && descriptor->isKeyFrame));
		Check(
			RTC::Codecs::IsKeyFrame(RTC::Codecs::CodecKind::VP8, bytes) ==
			(descriptor && descriptor->isKeyFrame));

		if (!descriptor)
		{
			Check(!Vp8::SetPictureIdAndTl0PicIdx(copy, 0x1234u, 0x56u));
			Check(std::equal(copy.begin(), copy.end(), bytes.begin()));

			return;
		}

		Check(descriptor->size >= 1u && descriptor->size <= 6u && descriptor->size < bytes.size());
		Check(descriptor->pictureId <= (descriptor->hasLongPictureId ? 0x7FFFu : 0x7Fu));
		Check(descriptor->tid <= 3u && descriptor->keyIdx <= 31u && descriptor->partitionIndex <= 7u);
		Check(
			!descriptor->isKeyFrame ||
			(descriptor->startOfPartition && descriptor->partitionIndex == 0u));

		const auto pictureId = static_cast<uint16_t>(descriptor->pictureId ^ 0x5555u);
		const auto tl0PicIdx = static_cast<uint8_t>(~descriptor->tl0PicIdx);

		Check(Vp8::SetPictureIdAndTl0PicIdx(copy, pictureId, tl0PicIdx));

		const auto rewritten = Vp8::Parse(copy);

		Check(rewritten.has_value());
		Check(rewritten->size == descriptor->size);
		Check(rewritten->hasLongPictureId == descriptor->hasLongPictureId);
		Check(rewritten->isKeyFrame == descriptor->isKeyFrame);

		if (descriptor->hasPictureId)
		{
			Check(rewritten->pictureId == (pictureId & (descriptor->hasLongPictureId ? 0x7FFFu : 0x7Fu)));
		}

		if (descriptor->hasTl0PicIdx)
		{
			Check(rewritten->tl0PicIdx == tl0PicIdx);
		}

		// Only the ids changed: the VP8 data after the descriptor is the same.
		Check(
			std::equal(copy.begin() + descriptor->size, copy.end(), bytes.begin() + descriptor->size));

		Check(Vp8::SetPictureIdAndTl0PicIdx(copy, descriptor->pictureId, descriptor->tl0PicIdx));
		Check(std::equal(copy.begin(), copy.end(), bytes.begin()));
	}

	// Records of [flags][length][payload]: flags bit 0 switches source before
	// the packet.
	void CheckContext(std::span<const uint8_t> bytes)
	{
		Vp8::EncodingContext context;
		size_t pos{ 0u };

		while (bytes.size() - pos >= 2u)
		{
			const bool switchSource = (bytes[pos] & 0x01u) != 0u;
			const size_t len        = std::min<size_t>(bytes[pos + 1u], bytes.size() - pos - 2u);
			std::vector<uint8_t> packet(bytes.begin() + pos + 2u, bytes.begin() + pos + 2u + len);

			pos += 2u + len;

			const auto highestBefore = context.GetHighestPictureId();

			if (switchSource)
			{
				context.SyncRequired();
			}

			const auto original = context.RewritePayload(packet);

			if (!original)
			{
				continue;
			}

			const auto rewritten = Vp8::Parse(packet);

			Check(rewritten.has_value());

			if (!original->hasPictureId)
			{
				continue;
			}

			const auto highest = context.GetHighestPictureId();

			Check(highest.has_value());

			// The first PictureID after a switch follows the highest one sent.
			if (switchSource && highestBefore)
			{
				const auto expected = static_cast<uint16_t>((*highestBefore + 1u) & 0x7FFFu);
				const uint16_t mask = original->hasLongPictureId ? 0x7FFFu : 0x7Fu;

				Check(rewritten->pictureId == (expected & mask));
				Check(*highest == expected);
			}
		}
	}
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	const std::span<const uint8_t> bytes(data, size);

	CheckRewrite(bytes);
	CheckContext(bytes);

	return 0;
}
