#ifndef MS_UTILS_BYTE_HPP
#define MS_UTILS_BYTE_HPP

#include "common.hpp"

namespace Utils
{
	// Network (big-endian) byte order reads and writes. Callers check bounds.
	class Byte
	{
	public:
		static uint8_t Get1Byte(const uint8_t* data, size_t i) { return data[i]; }
		static uint16_t Get2Bytes(const uint8_t* data, size_t i)
		{
			return static_cast<uint16_t>((data[i] << 8) | data[i + 1]);
		}
		static uint32_t Get3Bytes(const uint8_t* data, size_t i)
		{
			return (static_cast<uint32_t>(data[i]) << 16) | (static_cast<uint32_t>(data[i + 1]) << 8) |
						 static_cast<uint32_t>(data[i + 2]);
		}
		static uint32_t Get4Bytes(const uint8_t* data, size_t i)
		{
			return (static_cast<uint32_t>(data[i]) << 24) | (static_cast<uint32_t>(data[i + 1]) << 16) |
						 (static_cast<uint32_t>(data[i + 2]) << 8) | static_cast<uint32_t>(data[i + 3]);
		}
		static uint64_t Get8Bytes(const uint8_t* data, size_t i)
		{
			return (static_cast<uint64_t>(Get4Bytes(data, i)) << 32) | Get4Bytes(data, i + 4);
		}
		static void Set1Byte(uint8_t* data, size_t i, uint8_t value) { data[i] = value; }
		static void Set2Bytes(uint8_t* data, size_t i, uint16_t value)
		{
			data[i]     = static_cast<uint8_t>(value >> 8);
			data[i + 1] = static_cast<uint8_t>(value);
		}
		static void Set3Bytes(uint8_t* data, size_t i, uint32_t value)
		{
			data[i]     = static_cast<uint8_t>(value >> 16);
			data[i + 1] = static_cast<uint8_t>(value >> 8);
			data[i + 2] = static_cast<uint8_t>(value);
		}
		static void Set4Bytes(uint8_t* data, size_t i, uint32_t value)
		{
			data[i]     = static_cast<uint8_t>(value >> 24);
			data[i + 1] = static_cast<uint8_t>(value >> 16);
			data[i + 2] = static_cast<uint8_t>(value >> 8);
			data[i + 3] = static_cast<uint8_t>(value);
		}
		static void Set8Bytes(uint8_t* data, size_t i, uint64_t value)
		{
			Set4Bytes(data, i, static_cast<uint32_t>(value >> 32));
			Set4Bytes(data, i + 4, static_cast<uint32_t>(value));
		}
		// Padded length to a multiple of 4.
		static size_t PadTo4Bytes(size_t size) { return (size + 3u) & ~size_t{ 3u }; }
	};
} // namespace Utils

#endif
