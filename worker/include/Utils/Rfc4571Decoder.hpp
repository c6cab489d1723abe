#ifndef MS_UTILS_RFC4571_DECODER_HPP
#define MS_UTILS_RFC4571_DECODER_HPP

#include "common.hpp"

#include <array>
#include <memory>

namespace Utils
{
	// Splits a TCP byte stream into RFC 4571 frames (2-byte big-endian length,
	// then the packet), whatever the read boundaries. Whole frames of a read are
	// handed over as views of it; only a frame that spans reads is copied, into
	// a buffer of exactly its announced size, freed once the frame is complete.
	// So an idle connection, or one that receives whole frames, holds no
	// reassembly memory.
	class Rfc4571Decoder
	{
	public:
		static constexpr size_t HeaderSize{ 2u };
		static constexpr size_t MaxFrameSize{ 65535u };

	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			// `frame` is valid only during the call. A zero-length frame is
			// reported too (callers drop it). The listener may call
			// SetMaxFrameSize() from here; it applies from the next header.
			virtual void OnRfc4571Frame(std::span<const uint8_t> frame) = 0;
		};

	public:
		explicit Rfc4571Decoder(Listener* listener) : listener(listener) {}

	public:
		// Returns false, and decodes nothing more ever, once a header announces
		// more than the maximum frame size (the stream cannot be resynchronised:
		// the caller closes it).
		bool Feed(std::span<const uint8_t> data);
		// Frames announcing more than `size` bytes (<= MaxFrameSize) are refused.
		void SetMaxFrameSize(size_t size) { this->maxFrameSize = std::min(size, MaxFrameSize); }
		// Bytes of the current partial frame seen so far (header included).
		size_t GetBufferedSize() const { return this->headerFilled + this->bodyFilled; }
		// Bytes of heap held for the partial frame (0 at a frame boundary).
		size_t GetAllocatedSize() const { return this->body ? this->bodyLength : 0u; }
		bool HasFailed() const { return this->failed; }

	private:
		// Passed by argument.
		Listener* listener{ nullptr };
		// Allocated by this.
		std::unique_ptr<uint8_t[]> body;
		// Others.
		std::array<uint8_t, HeaderSize> header{};
		size_t headerFilled{ 0u };
		size_t bodyLength{ 0u };
		size_t bodyFilled{ 0u };
		size_t maxFrameSize{ MaxFrameSize };
		bool failed{ false };
	};
} // namespace Utils

#endif
