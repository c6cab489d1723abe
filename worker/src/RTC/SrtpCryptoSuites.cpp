// The SRTP crypto suites SrtpSession knows: names and master key and salt
// lengths. Apart from the session so that a build without libsrtp (the
// whole-path fuzzer's passthrough session) shares the same table.

#include "RTC/SrtpSession.hpp"

namespace RTC
{
	namespace
	{
		struct Suite
		{
			SrtpSession::CryptoSuite suite;
			std::string_view name;
			size_t keyLength;
			size_t saltLength;
		};

		// Key and salt lengths: RFC 3711 4.3.3 (AES-CM), RFC 7714 12 (AES-GCM).
		constexpr Suite Suites[]{
			{ SrtpSession::CryptoSuite::AEAD_AES_256_GCM, "AEAD_AES_256_GCM", 32u, 12u },
			{ SrtpSession::CryptoSuite::AEAD_AES_128_GCM, "AEAD_AES_128_GCM", 16u, 12u },
			{ SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80", 16u, 14u },
			{ SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_32, "AES_CM_128_HMAC_SHA1_32", 16u, 14u },
		};

		const Suite* FindSuite(SrtpSession::CryptoSuite suite)
		{
			for (const auto& entry : Suites)
			{
				if (entry.suite == suite)
				{
					return &entry;
				}
			}

			return nullptr;
		}
	} // namespace

	size_t SrtpSession::GetMasterKeyLength(CryptoSuite suite)
	{
		const auto* entry = FindSuite(suite);

		return entry ? entry->keyLength : 0u;
	}

	size_t SrtpSession::GetMasterSaltLength(CryptoSuite suite)
	{
		const auto* entry = FindSuite(suite);

		return entry ? entry->saltLength : 0u;
	}

	size_t SrtpSession::GetMasterLength(CryptoSuite suite)
	{
		return GetMasterKeyLength(suite) + GetMasterSaltLength(suite);
	}

	std::optional<SrtpSession::CryptoSuite> SrtpSession::GetCryptoSuite(std::string_view name)
	{
		for (const auto& entry : Suites)
		{
			if (entry.name == name)
			{
				return entry.suite;
			}
		}

		return std::nullopt;
	}

	std::string_view SrtpSession::GetCryptoSuiteString(CryptoSuite suite)
	{
		const auto* entry = FindSuite(suite);

		return entry ? entry->name : std::string_view{};
	}
} // namespace RTC
