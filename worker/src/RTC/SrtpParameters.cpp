#define MS_CLASS "RTC::SrtpParameters"

#include "RTC/SrtpParameters.hpp"

#include "MediaSoupErrors.hpp"
#include "Utils/Base64.hpp"

#include <openssl/rand.h>

namespace RTC
{
	SrtpParameters SrtpParameters::FromFbs(const FBS::SrtpParameters::SrtpParameters* parameters)
	{
		SrtpParameters srtpParameters;

		srtpParameters.cryptoSuite = FromFbs(parameters->crypto_suite());

		auto key = Utils::Base64::Decode(parameters->key_base64()->string_view());

		if (!key)
		{
			MS_THROW_TYPE_ERROR("srtpParameters.keyBase64 is not valid base64");
		}

		const size_t expected = SrtpSession::GetMasterLength(srtpParameters.cryptoSuite);

		if (key->size() != expected)
		{
			MS_THROW_TYPE_ERROR(
				"srtpParameters.keyBase64 decodes to %zu bytes, the crypto suite needs %zu",
				key->size(),
				expected);
		}

		srtpParameters.key = std::move(*key);

		return srtpParameters;
	}

	SrtpSession::CryptoSuite SrtpParameters::FromFbs(FBS::SrtpParameters::SrtpCryptoSuite suite)
	{
		switch (suite)
		{
			case FBS::SrtpParameters::SrtpCryptoSuite::AEAD_AES_256_GCM:
				return SrtpSession::CryptoSuite::AEAD_AES_256_GCM;
			case FBS::SrtpParameters::SrtpCryptoSuite::AEAD_AES_128_GCM:
				return SrtpSession::CryptoSuite::AEAD_AES_128_GCM;
			case FBS::SrtpParameters::SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80:
				return SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80;
			case FBS::SrtpParameters::SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32:
				return SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_32;
		}

		MS_THROW_TYPE_ERROR("invalid SRTP crypto suite %u", static_cast<unsigned int>(suite));
	}

	FBS::SrtpParameters::SrtpCryptoSuite SrtpParameters::ToFbs(SrtpSession::CryptoSuite suite)
	{
		switch (suite)
		{
			case SrtpSession::CryptoSuite::AEAD_AES_256_GCM:
				return FBS::SrtpParameters::SrtpCryptoSuite::AEAD_AES_256_GCM;
			case SrtpSession::CryptoSuite::AEAD_AES_128_GCM:
				return FBS::SrtpParameters::SrtpCryptoSuite::AEAD_AES_128_GCM;
			case SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80:
				return FBS::SrtpParameters::SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80;
			case SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_32:
				return FBS::SrtpParameters::SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_32;
		}

		return FBS::SrtpParameters::SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80;
	}

	std::vector<uint8_t> SrtpParameters::GenerateKey(SrtpSession::CryptoSuite suite)
	{
		std::vector<uint8_t> key(SrtpSession::GetMasterLength(suite));

		if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
		{
			MS_THROW_ERROR("RAND_bytes() failed");
		}

		return key;
	}

	flatbuffers::Offset<FBS::SrtpParameters::SrtpParameters>
	SrtpParameters::FillBuffer(flatbuffers::FlatBufferBuilder& builder) const
	{
		return FBS::SrtpParameters::CreateSrtpParametersDirect(
			builder, ToFbs(this->cryptoSuite), Utils::Base64::Encode(this->key).c_str());
	}
} // namespace RTC
