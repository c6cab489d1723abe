#ifndef MS_UTILS_BIT_READER_HPP
#define MS_UTILS_BIT_READER_HPP

#include "common.hpp"

#include <span>

namespace Utils
{
	// Reads bit fields, most significant bit first, from bytes it does not
	// own. A read past the end yields 0 and marks the reader overrun for
	// good: parsers of network input read a whole group of fields, then
	// check IsOverrun() once, and never touch memory past the span.
	class BitReader
	{
	public:
		static constexpr size_t MaxBitsPerRead{ 32u };

	public:
		explicit BitReader(std::span<const uint8_t> data) : data(data) {}

	public:
		// f(n): `count` bits (at most 32) as an unsigned number.
		uint32_t Read(size_t count)
		{
			if (count > MaxBitsPerRead || count > GetRemainingBits())
			{
				this->overrun = true;
				this->bitPos  = this->data.size() * 8u;

				return 0u;
			}

			uint32_t value{ 0u };

			for (size_t i = 0u; i < count; ++i)
			{
				const uint8_t byte = this->data[this->bitPos / 8u];
				const uint32_t bit = (byte >> (7u - (this->bitPos % 8u))) & 0x01u;

				value = (value << 1u) | bit;
				++this->bitPos;
			}

			return value;
		}
		bool ReadFlag() { return Read(1u) != 0u; }
		// ns(n) (AV1 4.10.7): a value in [0, n), in fewer bits for the small
		// ones. 0 when n is 0 or 1 (nothing to tell apart, no bits read).
		uint32_t ReadNonSymmetric(uint32_t n)
		{
			if (n <= 1u)
			{
				return 0u;
			}

			uint32_t width{ 0u };

			for (uint32_t x = n; x != 0u; x >>= 1u)
			{
				++width;
			}

			// The first `m` values take width - 1 bits, the others width bits.
			const auto m         = static_cast<uint32_t>((uint64_t{ 1u } << width) - n);
			const uint32_t value = Read(width - 1u);

			if (value < m)
			{
				return value;
			}

			return (value << 1u) - m + Read(1u);
		}
		size_t GetRemainingBits() const { return this->data.size() * 8u - this->bitPos; }
		size_t GetConsumedBits() const { return this->bitPos; }
		bool IsOverrun() const { return this->overrun; }

	private:
		// Passed by argument.
		std::span<const uint8_t> data;
		// Others.
		size_t bitPos{ 0u };
		bool overrun{ false };
	};
} // namespace Utils

#endif
