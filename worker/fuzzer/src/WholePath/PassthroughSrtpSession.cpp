// The whole-path fuzzer's SrtpSession: SRTP off. Packets pass unchanged in
// both directions, so that fuzzed RTP and RTCP reach the transports' parsers
// and everything behind them (the real SrtpSession has Catch2 tests and
// libsrtp its own fuzzing). The suite table (SrtpCryptoSuites.cpp) is the
// real one: transports validate keys with it.

#include "MediaSoupErrors.hpp"
#include "RTC/SrtpSession.hpp"

namespace RTC
{
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
