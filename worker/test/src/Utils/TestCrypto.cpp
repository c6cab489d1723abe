#include "common.hpp"

#include "Utils/Crypto.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <vector>

using Utils::Crypto;

namespace
{
	std::vector<uint8_t> Bytes(std::string_view text)
	{
		return { text.begin(), text.end() };
	}

	std::vector<uint8_t> Repeat(uint8_t byte, size_t count)
	{
		return std::vector<uint8_t>(count, byte);
	}

	std::string ToHex(std::span<const uint8_t> data)
	{
		static constexpr char Digits[]{ "0123456789abcdef" };
		std::string hex;

		for (const uint8_t byte : data)
		{
			hex.push_back(Digits[byte >> 4]);
			hex.push_back(Digits[byte & 0x0F]);
		}

		return hex;
	}

	std::string AsString(const std::vector<uint8_t>& bytes)
	{
		return { bytes.begin(), bytes.end() };
	}
} // namespace

TEST_CASE("HMAC-SHA1 matches the RFC 2202 test cases", "[Crypto]")
{
	struct Row
	{
		int testCase;
		std::vector<uint8_t> key;
		std::vector<uint8_t> data;
		std::string digest;
	};

	std::vector<uint8_t> key4;

	for (uint8_t i = 0x01; i <= 0x19; ++i)
	{
		key4.push_back(i);
	}

	// RFC 2202 section 3.
	const std::vector<Row> rows{
		{ 1, Repeat(0x0b, 20), Bytes("Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00" },
		{ 2,
			Bytes("Jefe"),
			Bytes("what do ya want for nothing?"),
			"effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
		{ 3, Repeat(0xaa, 20), Repeat(0xdd, 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
		{ 4, key4, Repeat(0xcd, 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
		{ 5,
			Repeat(0x0c, 20),
			Bytes("Test With Truncation"),
			"4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
		{ 6,
			Repeat(0xaa, 80),
			Bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
			"aa4ae5e15272d00e95705637ce8a3b55ed402112" },
		{ 7,
			Repeat(0xaa, 80),
			Bytes("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"),
			"e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
	};

	for (const auto& row : rows)
	{
		INFO("RFC 2202 test case " << row.testCase);

		const std::string key = AsString(row.key);

		REQUIRE(ToHex(Crypto::GetHmacSha1(key, row.data)) == row.digest);
	}

	SECTION("an empty key and empty data still work")
	{
		REQUIRE(
			ToHex(Crypto::GetHmacSha1(std::string_view(), std::span<const uint8_t>())) ==
			"fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
	}
}

TEST_CASE("CRC-32 is the ISO-HDLC one used by STUN FINGERPRINT", "[Crypto]")
{
	struct Row
	{
		std::string input;
		uint32_t crc;
	};

	const std::vector<Row> rows{
		// The catalogue check value of CRC-32/ISO-HDLC.
		{ "123456789", 0xCBF43926u },
		{ "", 0x00000000u },
		{ "a", 0xE8B7BE43u },
		{ "The quick brown fox jumps over the lazy dog", 0x414FA339u },
	};

	for (const auto& row : rows)
	{
		INFO("input '" << row.input << "'");

		REQUIRE(Crypto::GetCrc32(Bytes(row.input)) == row.crc);
	}
}

TEST_CASE("random values stay in range and vary", "[Crypto]")
{
	SECTION("GetRandomUInt stays within [min, max]")
	{
		std::set<uint32_t> seen;

		for (int i = 0; i < 2000; ++i)
		{
			const uint32_t value = Crypto::GetRandomUInt(10u, 19u);

			REQUIRE(value >= 10u);
			REQUIRE(value <= 19u);

			seen.insert(value);
		}

		// 2000 draws over 10 values miss one with probability ~1e-91.
		REQUIRE(seen.size() == 10u);
	}

	SECTION("GetRandomUInt handles the full range and min == max")
	{
		REQUIRE(Crypto::GetRandomUInt(7u, 7u) == 7u);
		REQUIRE(Crypto::GetRandomUInt(9u, 3u) == 9u);

		// Must not loop forever or overflow.
		for (int i = 0; i < 10; ++i)
		{
			Crypto::GetRandomUInt(0u, UINT32_MAX);
		}
	}

	SECTION("GetRandomString has the length and alphabet asked")
	{
		for (const size_t length : { 0u, 1u, 16u, 32u, 300u })
		{
			const std::string text = Crypto::GetRandomString(length);

			REQUIRE(text.size() == length);

			for (const char c : text)
			{
				REQUIRE(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')));
			}
		}

		REQUIRE(Crypto::GetRandomString(32u) != Crypto::GetRandomString(32u));
	}
}
