#define MS_CLASS "Utils::Crypto"

#include "Utils/Crypto.hpp"

#include "Logger.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace
{
	// CRC-32 as used by STUN FINGERPRINT (RFC 5389 15.5, ITU-T V.42 / ISO-HDLC):
	// reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF.
	constexpr uint32_t Crc32Polynomial{ 0xEDB88320u };

	constexpr std::array<uint32_t, 256> MakeCrc32Table()
	{
		std::array<uint32_t, 256> table{};

		for (uint32_t i = 0u; i < 256u; ++i)
		{
			uint32_t crc = i;

			for (int bit = 0; bit < 8; ++bit)
			{
				crc = (crc & 1u) != 0u ? (crc >> 1) ^ Crc32Polynomial : crc >> 1;
			}

			table[i] = crc;
		}

		return table;
	}

	constexpr std::array<uint32_t, 256> Crc32Table{ MakeCrc32Table() };

	static_assert(Crc32Table[1] == 0x77073096u, "CRC-32 table is wrong");
	static_assert(Crc32Table[255] == 0x2D02EF8Du, "CRC-32 table is wrong");

	// Alphabet of GetRandomString().
	constexpr std::string_view RandomStringChars{ "abcdefghijklmnopqrstuvwxyz0123456789" };

	void FillRandom(uint8_t* data, size_t len)
	{
		// RAND_bytes only fails when the CSPRNG cannot be seeded, which leaves
		// nothing safe to generate ICE credentials or SSRCs from.
		if (RAND_bytes(data, static_cast<int>(len)) != 1)
		{
			MS_ABORT("RAND_bytes() failed");
		}
	}
} // namespace

namespace Utils
{
	uint32_t Crypto::GetRandomUInt(uint32_t min, uint32_t max)
	{
		if (min >= max)
		{
			return min;
		}

		const uint64_t range = static_cast<uint64_t>(max) - min + 1u;
		// Reject values from the incomplete last block so that every result is
		// equally likely (no modulo bias).
		const uint64_t limit = (uint64_t{ 1 } << 32) - ((uint64_t{ 1 } << 32) % range);

		while (true)
		{
			uint32_t value{ 0u };

			FillRandom(reinterpret_cast<uint8_t*>(&value), sizeof(value));

			if (value < limit)
			{
				return static_cast<uint32_t>(min + (value % range));
			}
		}
	}

	std::string Crypto::GetRandomString(size_t length)
	{
		std::string text(length, '\0');
		uint8_t buffer[64];
		size_t filled{ 0u };

		while (filled < length)
		{
			FillRandom(buffer, sizeof(buffer));

			for (const uint8_t byte : buffer)
			{
				// 252 is the largest multiple of 36 below 256: reject above it to
				// keep the characters uniform.
				if (byte >= 252u)
				{
					continue;
				}

				text[filled++] = RandomStringChars[byte % RandomStringChars.size()];

				if (filled == length)
				{
					break;
				}
			}
		}

		return text;
	}

	std::array<uint8_t, 20> Crypto::GetHmacSha1(std::string_view key, std::span<const uint8_t> data)
	{
		std::array<uint8_t, 20> digest{};
		unsigned int digestLen{ 0u };

		// HMAC() with a null md buffer is not used: it would write to a static
		// buffer shared by threads (the Rust crate runs workers in threads).
		// An empty key still needs a valid pointer: OpenSSL 3.0 fails on NULL.
		static constexpr char EmptyKey[1]{};
		const auto* result = HMAC(
			EVP_sha1(),
			key.empty() ? EmptyKey : key.data(),
			static_cast<int>(key.size()),
			data.data(),
			data.size(),
			digest.data(),
			&digestLen);

		if (!result || digestLen != digest.size())
		{
			MS_ABORT("HMAC-SHA1 failed");
		}

		return digest;
	}

	uint32_t Crypto::GetCrc32(std::span<const uint8_t> data)
	{
		uint32_t crc{ 0xFFFFFFFFu };

		for (const uint8_t byte : data)
		{
			crc = Crc32Table[(crc ^ byte) & 0xFFu] ^ (crc >> 8);
		}

		return crc ^ 0xFFFFFFFFu;
	}
} // namespace Utils
