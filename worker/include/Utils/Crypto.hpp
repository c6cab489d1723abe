#ifndef MS_UTILS_CRYPTO_HPP
#define MS_UTILS_CRYPTO_HPP

#include "common.hpp"

#include <array>

namespace Utils
{
	class Crypto
	{
	public:
		// Uniform random integer in [min, max], from OpenSSL's CSPRNG.
		static uint32_t GetRandomUInt(uint32_t min, uint32_t max);
		// Random string of [a-z0-9] of the given length.
		static std::string GetRandomString(size_t length);
		// HMAC-SHA1 (RFC 2104) of `data` with `key`.
		static std::array<uint8_t, 20> GetHmacSha1(std::string_view key, std::span<const uint8_t> data);
		// CRC-32 (ISO-HDLC, as in STUN FINGERPRINT, RFC 5389 15.5).
		static uint32_t GetCrc32(std::span<const uint8_t> data);
	};
} // namespace Utils

#endif
