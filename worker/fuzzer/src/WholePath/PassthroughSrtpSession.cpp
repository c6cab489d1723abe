// The whole-path fuzzer's SrtpSession: SRTP off. Packets pass unchanged in
// both directions, so that fuzzed RTP and RTCP reach the transports' parsers
// and everything behind them (the real SrtpSession has Catch2 tests and
// libsrtp its own fuzzing). The suite table keeps the real key lengths:
// transports validate keys with it.

#include "MediaSoupErrors.hpp"
#include "RTC/SrtpSession.hpp"

#include <array>

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

		constexpr std::array<Suite, 4> Suites{ {
			{ SrtpSession::CryptoSuite::AEAD_AES_256_GCM, "AEAD_AES_256_GCM", 32u, 12u },
			{ SrtpSession::CryptoSuite::AEAD_AES_128_GCM, "AEAD_AES_128_GCM", 16u, 12u },
			{ SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80", 16u, 14u },
			{ SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_32, "AES_CM_128_HMAC_SHA1_32", 16u, 14u },
		} };

		const Suite& FindSuite(SrtpSession::CryptoSuite suite)
		{
			for (const auto& entry : Suites)
			{
				if (entry.suite == suite)
				{
					return entry;
				}
			}

			MS_THROW_TYPE_ERROR("unknown SRTP crypto suite");
		}
	} // namespace

	size_t SrtpSession::GetMasterKeyLength(CryptoSuite suite)
	{
		return FindSuite(suite).keyLength;
	}

	size_t SrtpSession::GetMasterSaltLength(CryptoSuite suite)
	{
		return FindSuite(suite).saltLength;
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
		return FindSuite(suite).name;
	}

	SrtpSession::SrtpSession(Type type, CryptoSuite suite, const uint8_t* /*key*/, size_t keyLen)
			: type(type)
	{
		if (keyLen != GetMasterLength(suite))
		{
			MS_THROW_TYPE_ERROR("wrong SRTP master key length");
		}
	}

	SrtpSession::~SrtpSession() = default;

	bool SrtpSession::EncryptRtp(const uint8_t** data, size_t* len)
	{
		return Encrypt(data, len, false);
	}

	bool SrtpSession::EncryptRtcp(const uint8_t** data, size_t* len)
	{
		return Encrypt(data, len, true);
	}

	bool SrtpSession::DecryptSrtp(uint8_t* /*data*/, size_t* /*len*/)
	{
		return this->type == Type::INBOUND;
	}

	bool SrtpSession::DecryptSrtcp(uint8_t* /*data*/, size_t* /*len*/)
	{
		return this->type == Type::INBOUND;
	}

	void SrtpSession::RemoveStream(uint32_t /*ssrc*/) {}

	bool SrtpSession::Encrypt(const uint8_t** /*data*/, size_t* len, bool /*rtcp*/)
	{
		return this->type == Type::OUTBOUND && *len <= MaxPacketLength;
	}

	void SrtpSession::RememberInboundSsrc(uint32_t /*ssrc*/) {}
} // namespace RTC
