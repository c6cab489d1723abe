#ifndef MS_RTC_SRTP_PARAMETERS_HPP
#define MS_RTC_SRTP_PARAMETERS_HPP

#include "common.hpp"

#include "FBS/srtpParameters_generated.h"
#include "RTC/SrtpSession.hpp"

#include <vector>

namespace RTC
{
	// SRTP keying exchanged out of band (plain and pipe transports): a crypto
	// suite and the base64 of master key followed by master salt.
	struct SrtpParameters
	{
		SrtpSession::CryptoSuite cryptoSuite{ SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80 };
		std::vector<uint8_t> key;

		// Throws MediaSoupTypeError when the key is not base64 or not of the
		// suite's length.
		static SrtpParameters FromFbs(const FBS::SrtpParameters::SrtpParameters* parameters);
		static SrtpSession::CryptoSuite FromFbs(FBS::SrtpParameters::SrtpCryptoSuite suite);
		static FBS::SrtpParameters::SrtpCryptoSuite ToFbs(SrtpSession::CryptoSuite suite);
		// A random key of the suite's master length.
		static std::vector<uint8_t> GenerateKey(SrtpSession::CryptoSuite suite);

		flatbuffers::Offset<FBS::SrtpParameters::SrtpParameters>
		FillBuffer(flatbuffers::FlatBufferBuilder& builder) const;
	};
} // namespace RTC

#endif
