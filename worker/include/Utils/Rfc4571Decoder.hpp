#ifndef MS_UTILS_RFC4571_DECODER_HPP
#define MS_UTILS_RFC4571_DECODER_HPP

#include "common.hpp"

#include <array>

namespace Utils
{
	// Splits a TCP byte stream into RFC 4571 frames (2-byte big-endian length,
	// then the packet), whatever the read boundaries. Holds at most one
	// partial frame (<= 65537 bytes) in a fixed buffer: no allocation.
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
			// reported too (callers drop it).
			virtual void OnRfc4571Frame(std::span<const uint8_t> frame) = 0;
		};

	public:
		explicit Rfc4571Decoder(Listener* listener) : listener(listener) {}

	public:
		void Feed(std::span<const uint8_t> data);
		size_t GetBufferedSize() const { return this->bufferedSize; }

	private:
		// Passed by argument.
		Listener* listener{ nullptr };
		// Others.
		std::array<uint8_t, HeaderSize + MaxFrameSize> buffer{};
		size_t bufferedSize{ 0u };
	};
} // namespace Utils

#endif
