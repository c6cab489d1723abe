#ifndef MS_FUZZER_FUZZ_INPUT_READER_HPP
#define MS_FUZZER_FUZZ_INPUT_READER_HPP

// Reads a fuzzer's input front to back in the sizes its target needs; past
// the end it gives zeros, so a short input still builds a whole case.

#include "common.hpp"

#include <algorithm>
#include <span>

namespace Fuzz
{
	class InputReader
	{
	public:
		explicit InputReader(std::span<const uint8_t> data) : data(data) {}

	public:
		bool AtEnd() const { return this->pos >= this->data.size(); }
		uint8_t Byte() { return AtEnd() ? 0u : this->data[this->pos++]; }
		uint16_t Short() { return static_cast<uint16_t>((Byte() << 8) | Byte()); }
		uint32_t Long() { return (static_cast<uint32_t>(Short()) << 16) | Short(); }
		std::span<const uint8_t> Take(size_t len)
		{
			const size_t available = AtEnd() ? 0u : std::min(len, this->data.size() - this->pos);
			const auto taken       = this->data.subspan(this->pos, available);

			this->pos += available;

			return taken;
		}

	private:
		std::span<const uint8_t> data;
		size_t pos{ 0u };
	};
} // namespace Fuzz

#endif
