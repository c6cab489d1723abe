#include "common.hpp"

#include "Utils/Rfc4571Decoder.hpp"

#include <catch2/catch.hpp>

#include <vector>

using Utils::Rfc4571Decoder;

namespace
{
	// Records what the decoder reports, and where the bytes were.
	class FakeListener : public Rfc4571Decoder::Listener
	{
	public:
		void OnRfc4571Frame(std::span<const uint8_t> frame) override
		{
			this->frames.emplace_back(frame.begin(), frame.end());
			this->views.push_back(frame.data());
		}

	public:
		std::vector<std::vector<uint8_t>> frames;
		std::vector<const uint8_t*> views;
	};

	// A frame: 2-byte big-endian length, then the packet.
	std::vector<uint8_t> frame(const std::vector<uint8_t>& packet)
	{
		std::vector<uint8_t> bytes{
			static_cast<uint8_t>(packet.size() >> 8),
			static_cast<uint8_t>(packet.size()),
		};

		bytes.insert(bytes.end(), packet.begin(), packet.end());

		return bytes;
	}

	std::vector<uint8_t> concat(const std::vector<std::vector<uint8_t>>& parts)
	{
		std::vector<uint8_t> all;

		for (const auto& part : parts)
		{
			all.insert(all.end(), part.begin(), part.end());
		}

		return all;
	}

	std::vector<uint8_t> pattern(size_t size, uint8_t seed)
	{
		std::vector<uint8_t> bytes(size);

		for (size_t i = 0; i < size; ++i)
		{
			bytes[i] = static_cast<uint8_t>(seed + i * 7u);
		}

		return bytes;
	}

	// Feeds `stream` cut at the given offsets and checks the frames, and that
	// the decoder never holds more than the part of the current frame it has
	// seen (never a whole frame plus the next one).
	void validate(
		const std::vector<std::vector<uint8_t>>& packets,
		const std::vector<uint8_t>& stream,
		const std::vector<size_t>& cuts)
	{
		FakeListener listener;
		Rfc4571Decoder decoder(&listener);

		// Start offset of each frame in the stream.
		std::vector<size_t> frameStarts;
		size_t start{ 0u };

		for (const auto& packet : packets)
		{
			frameStarts.push_back(start);
			start += Rfc4571Decoder::HeaderSize + packet.size();
		}

		size_t offset{ 0u };

		for (size_t i = 0; i <= cuts.size(); ++i)
		{
			const size_t end = i < cuts.size() ? cuts[i] : stream.size();

			decoder.Feed(std::span<const uint8_t>(stream.data() + offset, end - offset));
			offset = end;

			// The frame in progress starts at the last frame start <= offset.
			size_t currentStart{ 0u };

			for (const size_t frameStart : frameStarts)
			{
				if (frameStart <= offset)
				{
					currentStart = frameStart;
				}
			}

			REQUIRE(decoder.GetBufferedSize() <= offset - currentStart);
			REQUIRE(
				decoder.GetBufferedSize() <= Rfc4571Decoder::HeaderSize + Rfc4571Decoder::MaxFrameSize);
		}

		REQUIRE(listener.frames == packets);
		REQUIRE(decoder.GetBufferedSize() == 0u);
	}
} // namespace

TEST_CASE("Rfc4571Decoder delivers frames split at every byte", "[Rfc4571Decoder]")
{
	const std::vector<std::vector<uint8_t>> packets{
		{ 0x80, 0x60, 0x00, 0x01 }, // a 4-byte packet
		{},                         // a zero-length frame
		{ 0xff },                   // 1 byte
		pattern(300, 0x10),         // length with a non-zero high byte (0x01 0x2c)
		{ 0x00, 0x00 },             // looks like a header
	};
	const auto stream = concat({ frame(packets[0]),
															 frame(packets[1]),
															 frame(packets[2]),
															 frame(packets[3]),
															 frame(packets[4]) });

	SECTION("one cut, at every offset")
	{
		for (size_t cut = 0; cut <= stream.size(); ++cut)
		{
			validate(packets, stream, { cut });
		}
	}

	SECTION("two cuts, at every pair of offsets in the headers and around them")
	{
		for (size_t a = 0; a <= 12; ++a)
		{
			for (size_t b = a; b <= 16; ++b)
			{
				validate(packets, stream, { a, b });
			}
		}
	}

	SECTION("one byte at a time")
	{
		std::vector<size_t> cuts;

		for (size_t cut = 1; cut < stream.size(); ++cut)
		{
			cuts.push_back(cut);
		}

		validate(packets, stream, cuts);
	}
}

TEST_CASE("Rfc4571Decoder delivers merged frames from one read", "[Rfc4571Decoder]")
{
	const std::vector<std::vector<uint8_t>> packets{
		pattern(20, 1), pattern(1200, 2), {}, pattern(1, 3), pattern(65535, 4), pattern(5, 5),
	};
	std::vector<std::vector<uint8_t>> frames;

	for (const auto& packet : packets)
	{
		frames.push_back(frame(packet));
	}

	const auto stream = concat(frames);

	// Chunk sizes: every split of the headers is reached by the small ones, the
	// large ones merge several frames into a read.
	const std::vector<size_t> chunkSizes{ 1, 2, 3, 5, 7, 1000, 1500, 65536, 70000, stream.size() };

	for (const size_t chunkSize : chunkSizes)
	{
		DYNAMIC_SECTION("chunks of " << chunkSize << " bytes")
		{
			std::vector<size_t> cuts;

			for (size_t cut = chunkSize; cut < stream.size(); cut += chunkSize)
			{
				cuts.push_back(cut);
			}

			validate(packets, stream, cuts);
		}
	}
}

TEST_CASE("Rfc4571Decoder hands whole frames of a read over without copying", "[Rfc4571Decoder]")
{
	FakeListener listener;
	Rfc4571Decoder decoder(&listener);
	const auto stream = concat({ frame({ 1, 2, 3 }), frame({ 4, 5 }) });

	decoder.Feed(stream);

	REQUIRE(listener.frames.size() == 2u);
	REQUIRE(listener.views[0] == stream.data() + 2);
	REQUIRE(listener.views[1] == stream.data() + 7);
}

TEST_CASE("Rfc4571Decoder reports zero-length frames", "[Rfc4571Decoder]")
{
	// Table rows: { input bytes, expected frames, expected buffered bytes }.
	struct Row
	{
		std::vector<uint8_t> input;
		std::vector<std::vector<uint8_t>> frames;
		size_t buffered;
	};

	const std::vector<Row> rows{
		{ { 0x00, 0x00 }, { {} }, 0u }, { { 0x00, 0x00, 0x00, 0x00 }, { {}, {} }, 0u },
		{ { 0x00 }, {}, 1u },           { { 0x00, 0x00, 0x00 }, { {} }, 1u },
		{ { 0x00, 0x01 }, {}, 2u },     { { 0x00, 0x01, 0xaa, 0x00, 0x00 }, { { 0xaa }, {} }, 0u },
	};

	for (size_t i = 0; i < rows.size(); ++i)
	{
		DYNAMIC_SECTION("row " << i)
		{
			FakeListener listener;
			Rfc4571Decoder decoder(&listener);

			decoder.Feed(rows[i].input);

			REQUIRE(listener.frames == rows[i].frames);
			REQUIRE(decoder.GetBufferedSize() == rows[i].buffered);
		}
	}
}

TEST_CASE("Rfc4571Decoder accepts a frame of the maximum size", "[Rfc4571Decoder]")
{
	const auto packet = pattern(Rfc4571Decoder::MaxFrameSize, 0x42);
	const auto bytes  = frame(packet);

	REQUIRE(bytes[0] == 0xff);
	REQUIRE(bytes[1] == 0xff);

	SECTION("in one read")
	{
		validate({ packet }, bytes, {});
	}

	SECTION("one byte at a time")
	{
		FakeListener listener;
		Rfc4571Decoder decoder(&listener);

		for (size_t i = 0; i < bytes.size(); ++i)
		{
			decoder.Feed(std::span<const uint8_t>(bytes.data() + i, 1));

			if (i + 1 < bytes.size())
			{
				REQUIRE(decoder.GetBufferedSize() == i + 1);
				REQUIRE(listener.frames.empty());
			}
		}

		REQUIRE(listener.frames.size() == 1u);
		REQUIRE(listener.frames[0] == packet);
		REQUIRE(decoder.GetBufferedSize() == 0u);
	}

	SECTION("the header alone, then the packet, then the next frame's first byte")
	{
		FakeListener listener;
		Rfc4571Decoder decoder(&listener);

		decoder.Feed(std::span<const uint8_t>(bytes.data(), 2));
		REQUIRE(decoder.GetBufferedSize() == 2u);

		decoder.Feed(std::span<const uint8_t>(bytes.data() + 2, bytes.size() - 2));
		REQUIRE(listener.frames.size() == 1u);
		REQUIRE(decoder.GetBufferedSize() == 0u);

		const std::vector<uint8_t> next{ 0x00 };

		decoder.Feed(next);
		REQUIRE(decoder.GetBufferedSize() == 1u);
	}
}

TEST_CASE("Rfc4571Decoder ignores an empty read", "[Rfc4571Decoder]")
{
	FakeListener listener;
	Rfc4571Decoder decoder(&listener);

	decoder.Feed({});

	const std::vector<uint8_t> half{ 0x00 };

	decoder.Feed(half);
	decoder.Feed({});

	REQUIRE(listener.frames.empty());
	REQUIRE(decoder.GetBufferedSize() == 1u);
}

TEST_CASE("Rfc4571Decoder holds memory only for a frame spanning reads", "[Rfc4571Decoder]")
{
	FakeListener listener;
	Rfc4571Decoder decoder(&listener);
	const auto packet = pattern(1000, 9);
	const auto bytes  = concat({ frame(packet), frame(packet) });

	// Whole frames in one read: nothing kept.
	REQUIRE(decoder.Feed(bytes));
	REQUIRE(listener.frames.size() == 2u);
	REQUIRE(decoder.GetAllocatedSize() == 0u);

	// A header alone: two bytes, no heap yet... then the body is announced.
	REQUIRE(decoder.Feed(std::span<const uint8_t>(bytes.data(), 1)));
	REQUIRE(decoder.GetAllocatedSize() == 0u);
	REQUIRE(decoder.Feed(std::span<const uint8_t>(bytes.data() + 1, 11)));
	// Exactly the announced size, not 64 KiB.
	REQUIRE(decoder.GetAllocatedSize() == packet.size());

	// Completed: freed.
	REQUIRE(decoder.Feed(std::span<const uint8_t>(bytes.data() + 12, bytes.size() / 2 - 12)));
	REQUIRE(listener.frames.size() == 3u);
	REQUIRE(listener.frames[2] == packet);
	REQUIRE(decoder.GetAllocatedSize() == 0u);
}

TEST_CASE("Rfc4571Decoder refuses frames larger than the maximum set", "[Rfc4571Decoder]")
{
	// Rows: { max frame size, reads, frames delivered, Feed() results }.
	struct Row
	{
		size_t maxFrameSize;
		std::vector<std::vector<uint8_t>> reads;
		size_t frames;
		std::vector<bool> results;
	};

	const auto small = frame(pattern(100, 1));
	const auto large = frame(pattern(101, 2));

	const std::vector<Row> rows{
		// At the limit: delivered.
		{ 100u, { small }, 1u, { true } },
		// Above it, in one read: refused before anything is buffered.
		{ 100u, { large }, 0u, { false } },
		// Above it, header split over two reads.
		{ 100u, { { large[0] }, { large.begin() + 1, large.end() } }, 0u, { true, false } },
		// A good frame, then a bad header in the same read: the first goes out.
		{ 100u, { concat({ small, large }) }, 1u, { false } },
		// Once failed, nothing more is decoded.
		{ 100u, { large, small }, 0u, { false, false } },
	};

	for (size_t i = 0; i < rows.size(); ++i)
	{
		DYNAMIC_SECTION("row " << i)
		{
			FakeListener listener;
			Rfc4571Decoder decoder(&listener);

			decoder.SetMaxFrameSize(rows[i].maxFrameSize);

			for (size_t r = 0; r < rows[i].reads.size(); ++r)
			{
				REQUIRE(decoder.Feed(rows[i].reads[r]) == rows[i].results[r]);
			}

			REQUIRE(listener.frames.size() == rows[i].frames);
			REQUIRE(decoder.GetAllocatedSize() == 0u);
			REQUIRE(decoder.HasFailed() == !rows[i].results.back());
		}
	}
}
