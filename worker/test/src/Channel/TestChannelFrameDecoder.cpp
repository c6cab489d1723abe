#include "common.hpp"

#include "Channel/ChannelFrameDecoder.hpp"

#include <catch2/catch.hpp>

#include <vector>

using Channel::ChannelFrameDecoder;

namespace
{
	// Records what the decoder reports.
	class FakeListener : public ChannelFrameDecoder::Listener
	{
	public:
		void OnChannelFrame(std::span<const uint8_t> frame) override
		{
			this->frames.emplace_back(frame.begin(), frame.end());
		}
		void OnChannelOversizeFrame(size_t length) override { this->oversizeLengths.push_back(length); }

	public:
		std::vector<std::vector<uint8_t>> frames;
		std::vector<size_t> oversizeLengths;
	};

	// A frame: 4-byte little-endian length, then the payload.
	std::vector<uint8_t> frame(const std::vector<uint8_t>& payload)
	{
		const auto length = static_cast<uint32_t>(payload.size());
		std::vector<uint8_t> bytes{
			static_cast<uint8_t>(length),
			static_cast<uint8_t>(length >> 8),
			static_cast<uint8_t>(length >> 16),
			static_cast<uint8_t>(length >> 24),
		};

		bytes.insert(bytes.end(), payload.begin(), payload.end());

		return bytes;
	}

	std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts)
	{
		std::vector<uint8_t> all;

		for (const auto& part : parts)
		{
			all.insert(all.end(), part.begin(), part.end());
		}

		return all;
	}
} // namespace

TEST_CASE(
	"ChannelFrameDecoder splits frames however the bytes arrive", "[Channel][ChannelFrameDecoder]")
{
	const std::vector<uint8_t> a{ 0x01, 0x02, 0x03 };
	const std::vector<uint8_t> b{};
	const std::vector<uint8_t> c(70000, 0xab);
	const auto stream = concat({ frame(a), frame(b), frame(c) });

	// Chunk sizes to cut the stream with: every split point of the headers is
	// covered by the small ones, the large ones merge frames.
	const std::vector<size_t> chunkSizes{ 1, 2, 3, 4, 5, 7, 13, 1000, 65536, stream.size() };

	for (const size_t chunkSize : chunkSizes)
	{
		DYNAMIC_SECTION("chunks of " << chunkSize << " bytes")
		{
			FakeListener listener;
			ChannelFrameDecoder decoder(&listener);

			for (size_t offset = 0; offset < stream.size(); offset += chunkSize)
			{
				const size_t length = std::min(chunkSize, stream.size() - offset);

				decoder.Feed(std::span<const uint8_t>(stream.data() + offset, length));
			}

			REQUIRE(listener.frames.size() == 3);
			REQUIRE(listener.frames[0] == a);
			REQUIRE(listener.frames[1] == b);
			REQUIRE(listener.frames[2] == c);
			REQUIRE(listener.oversizeLengths.empty());
			REQUIRE(decoder.GetBufferedSize() == 0);
		}
	}
}

TEST_CASE(
	"ChannelFrameDecoder keeps a partial frame until it completes", "[Channel][ChannelFrameDecoder]")
{
	FakeListener listener;
	ChannelFrameDecoder decoder(&listener);
	const auto bytes = frame({ 0x10, 0x20, 0x30, 0x40 });

	decoder.Feed(std::span<const uint8_t>(bytes.data(), 6));

	REQUIRE(listener.frames.empty());
	REQUIRE(decoder.GetBufferedSize() == 6);

	decoder.Feed(std::span<const uint8_t>(bytes.data() + 6, bytes.size() - 6));

	REQUIRE(listener.frames.size() == 1);
	REQUIRE(listener.frames[0] == std::vector<uint8_t>{ 0x10, 0x20, 0x30, 0x40 });
}

TEST_CASE(
	"ChannelFrameDecoder refuses an oversize frame and resynchronises",
	"[Channel][ChannelFrameDecoder]")
{
	const size_t oversize = ChannelFrameDecoder::MaxFrameSize + 1;
	const std::vector<uint8_t> big(oversize, 0x55);
	const std::vector<uint8_t> after{ 0x99 };
	const auto stream = concat({ frame(big), frame(after) });

	for (const size_t chunkSize : { size_t{ 3 }, size_t{ 65536 }, stream.size() })
	{
		DYNAMIC_SECTION("chunks of " << chunkSize << " bytes")
		{
			FakeListener listener;
			ChannelFrameDecoder decoder(&listener);
			size_t maxBuffered{ 0 };

			for (size_t offset = 0; offset < stream.size(); offset += chunkSize)
			{
				const size_t length = std::min(chunkSize, stream.size() - offset);

				decoder.Feed(std::span<const uint8_t>(stream.data() + offset, length));
				maxBuffered = std::max(maxBuffered, decoder.GetBufferedSize());
			}

			// The oversize frame is never buffered.
			REQUIRE(maxBuffered <= ChannelFrameDecoder::HeaderSize + 1);

			REQUIRE(listener.oversizeLengths == std::vector<size_t>{ oversize });
			REQUIRE(listener.frames.size() == 1);
			REQUIRE(listener.frames[0] == after);
		}
	}
}

TEST_CASE(
	"ChannelFrameDecoder accepts a frame of exactly the limit", "[Channel][ChannelFrameDecoder]")
{
	FakeListener listener;
	ChannelFrameDecoder decoder(&listener);
	const std::vector<uint8_t> max(ChannelFrameDecoder::MaxFrameSize, 0x01);
	const auto bytes = frame(max);

	decoder.Feed(bytes);

	REQUIRE(listener.oversizeLengths.empty());
	REQUIRE(listener.frames.size() == 1);
	REQUIRE(listener.frames[0].size() == ChannelFrameDecoder::MaxFrameSize);
}
