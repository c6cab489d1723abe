#define MS_CLASS "RTC::SrtpSession"

#include "RTC/SrtpSession.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "Utils/Byte.hpp"

#include <algorithm>
#include <arpa/inet.h> // htonl()
#include <cinttypes>   // PRIu32
#include <cstdint>
#include <cstring>

namespace RTC
{
	namespace
	{
		// Replay window of inbound RTP streams, in packets (libsrtp accepts 64 to
		// 32768). Generous, so that packets reordered by the network or sent late
		// as retransmissions are not mistaken for replays.
		constexpr unsigned long ReplayWindowSize{ 1024u };

		// What libsrtp may append to a packet: authentication tag and MKI, plus the
		// 4-byte SRTCP index for RTCP.
		constexpr size_t MaxTrailerLength{ SRTP_MAX_TRAILER_LEN + 4u };

		// Fixed RTP header (RFC 3550 5.1) and RTCP header with sender SSRC (6.4).
		constexpr size_t RtpHeaderLength{ 12u };
		constexpr size_t RtcpHeaderLength{ 8u };

		// Protected packets are written here: libsrtp works in place and the
		// caller's packet must stay untouched (it may be sent again, or to other
		// transports). One per thread, since a worker may run as a thread of the
		// Rust crate. libsrtp reads the packet as 32-bit words.
		alignas(16) thread_local uint8_t EncryptBuffer[SrtpSession::MaxPacketLength + MaxTrailerLength];

		// Inbound packets are unprotected in place, but libsrtp reads them as
		// 32-bit words, which is undefined behaviour on a misaligned buffer:
		// TCP framing (RFC 4571, a 2-byte length before each packet) and other
		// offsets into a receive buffer give those. A misaligned packet is
		// unprotected here and copied back.
		alignas(16) thread_local uint8_t DecryptBuffer[SrtpSession::MaxPacketLength + MaxTrailerLength];

		bool IsAligned(const uint8_t* data)
		{
			return reinterpret_cast<uintptr_t>(data) % alignof(uint32_t) == 0u;
		}

		const char* StatusToString(srtp_err_status_t status)
		{
			switch (status)
			{
				case srtp_err_status_ok:
					return "ok";
				case srtp_err_status_bad_param:
					return "bad parameter";
				case srtp_err_status_alloc_fail:
					return "allocation failure";
				case srtp_err_status_init_fail:
					return "initialisation failure";
				case srtp_err_status_auth_fail:
					return "authentication failure";
				case srtp_err_status_cipher_fail:
					return "cipher failure";
				case srtp_err_status_replay_fail:
					return "replayed packet";
				case srtp_err_status_replay_old:
					return "packet too old for the replay window";
				case srtp_err_status_no_ctx:
					return "no appropriate context";
				case srtp_err_status_parse_err:
					return "parse error";
				default:
					return "other error";
			}
		}
	} // namespace

	/* Instance methods. */

	SrtpSession::SrtpSession(Type type, CryptoSuite suite, const uint8_t* key, size_t keyLen)
			: type(type)
	{
		if (type != Type::INBOUND && type != Type::OUTBOUND)
		{
			MS_THROW_TYPE_ERROR("invalid SRTP session type %d", static_cast<int>(type));
		}

		const size_t masterLength = GetMasterLength(suite);

		if (masterLength == 0u)
		{
			MS_THROW_TYPE_ERROR("invalid SRTP crypto suite %d", static_cast<int>(suite));
		}

		const auto name = GetCryptoSuiteString(suite);

		if (!key || keyLen != masterLength)
		{
			MS_THROW_TYPE_ERROR(
				"invalid SRTP master key length %zu for %.*s (must be %zu)",
				keyLen,
				static_cast<int>(name.size()),
				name.data(),
				masterLength);
		}

		srtp_policy_t policy;

		std::memset(&policy, 0, sizeof(policy));

		switch (suite)
		{
			case CryptoSuite::AEAD_AES_256_GCM:
			{
				srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
				srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);

				break;
			}

			case CryptoSuite::AEAD_AES_128_GCM:
			{
				srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
				srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);

				break;
			}

			case CryptoSuite::AES_CM_128_HMAC_SHA1_80:
			{
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);

				break;
			}

			case CryptoSuite::AES_CM_128_HMAC_SHA1_32:
			{
				// The short tag is for SRTP only: SRTCP keeps 80 bits (RFC 5764 4.1.2).
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
				srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);

				break;
			}
		}

		// libsrtp reads the key while creating the session and keeps its own
		// derived keys, but takes a non-const pointer.
		uint8_t masterKey[SRTP_MAX_KEY_LEN];

		static_assert(sizeof(masterKey) >= 44u, "room for the longest master key and salt");

		std::memcpy(masterKey, key, masterLength);

		policy.ssrc.type   = type == Type::INBOUND ? ssrc_any_inbound : ssrc_any_outbound;
		policy.ssrc.value  = 0u;
		policy.key         = masterKey;
		policy.window_size = ReplayWindowSize;
		// Retransmissions (NACK answered without RTX) go out with the sequence
		// number they had the first time, and the same payload.
		policy.allow_repeat_tx = 1;
		policy.next            = nullptr;

		const srtp_err_status_t status = srtp_create(&this->session, &policy);

		// Do not leave key material on the stack.
		std::memset(masterKey, 0, sizeof(masterKey));

		if (status != srtp_err_status_ok)
		{
			this->session = nullptr;

			MS_THROW_ERROR(
				"srtp_create() failed for %.*s: %s",
				static_cast<int>(name.size()),
				name.data(),
				StatusToString(status));
		}

		if (type == Type::INBOUND)
		{
			this->inboundSsrcs.reserve(16u);
		}
	}

	SrtpSession::~SrtpSession()
	{
		if (this->session)
		{
			srtp_dealloc(this->session);
		}
	}

	bool SrtpSession::EncryptRtp(const uint8_t** data, size_t* len)
	{
		return Encrypt(data, len, /*rtcp*/ false);
	}

	bool SrtpSession::EncryptRtcp(const uint8_t** data, size_t* len)
	{
		return Encrypt(data, len, /*rtcp*/ true);
	}

	bool SrtpSession::DecryptSrtp(uint8_t* data, size_t* len)
	{
		if (this->type != Type::INBOUND)
		{
			MS_WARN_TAG(srtp, "cannot decrypt SRTP with an outbound session");

			return false;
		}

		// libsrtp checks lengths too; this also keeps the length within int.
		if (!data || *len < RtpHeaderLength || *len > MaxPacketLength + MaxTrailerLength)
		{
			MS_DEBUG_TAG(srtp, "SRTP packet of invalid length %zu dropped", *len);

			return false;
		}

		const bool aligned = IsAligned(data);
		uint8_t* buffer    = aligned ? data : DecryptBuffer;

		if (!aligned)
		{
			std::memcpy(DecryptBuffer, data, *len);
		}

		int length                     = static_cast<int>(*len);
		const srtp_err_status_t status = srtp_unprotect(this->session, buffer, &length);

		if (status != srtp_err_status_ok)
		{
			MS_DEBUG_TAG(srtp, "srtp_unprotect() failed: %s", StatusToString(status));

			return false;
		}

		if (!aligned)
		{
			std::memcpy(data, DecryptBuffer, static_cast<size_t>(length));
		}

		*len = static_cast<size_t>(length);

		RememberInboundSsrc(Utils::Byte::Get4Bytes(data, 8));

		return true;
	}

	bool SrtpSession::DecryptSrtcp(uint8_t* data, size_t* len)
	{
		if (this->type != Type::INBOUND)
		{
			MS_WARN_TAG(srtp, "cannot decrypt SRTCP with an outbound session");

			return false;
		}

		if (!data || *len < RtcpHeaderLength || *len > MaxPacketLength + MaxTrailerLength)
		{
			MS_DEBUG_TAG(srtp, "SRTCP packet of invalid length %zu dropped", *len);

			return false;
		}

		const bool aligned = IsAligned(data);
		uint8_t* buffer    = aligned ? data : DecryptBuffer;

		if (!aligned)
		{
			std::memcpy(DecryptBuffer, data, *len);
		}

		int length                     = static_cast<int>(*len);
		const srtp_err_status_t status = srtp_unprotect_rtcp(this->session, buffer, &length);

		if (status != srtp_err_status_ok)
		{
			MS_DEBUG_TAG(srtp, "srtp_unprotect_rtcp() failed: %s", StatusToString(status));

			return false;
		}

		if (!aligned)
		{
			std::memcpy(data, DecryptBuffer, static_cast<size_t>(length));
		}

		*len = static_cast<size_t>(length);

		// libsrtp keys SRTCP streams by the sender SSRC.
		RememberInboundSsrc(Utils::Byte::Get4Bytes(data, 4));

		return true;
	}

	void SrtpSession::RemoveStream(uint32_t ssrc)
	{
		// Unknown SSRCs are fine: libsrtp answers srtp_err_status_no_ctx.
		srtp_remove_stream(this->session, htonl(ssrc));

		const auto it = std::find(this->inboundSsrcs.begin(), this->inboundSsrcs.end(), ssrc);

		if (it != this->inboundSsrcs.end())
		{
			this->inboundSsrcs.erase(it);
		}
	}

	bool SrtpSession::Encrypt(const uint8_t** data, size_t* len, bool rtcp)
	{
		const char* what = rtcp ? "RTCP" : "RTP";

		if (this->type != Type::OUTBOUND)
		{
			MS_WARN_TAG(srtp, "cannot encrypt %s with an inbound session", what);

			return false;
		}

		const size_t minLength = rtcp ? RtcpHeaderLength : RtpHeaderLength;

		if (!data || !*data || *len < minLength)
		{
			MS_WARN_TAG(srtp, "cannot encrypt %s packet of length %zu: too short", what, *len);

			return false;
		}

		// The trailer must fit after the packet too.
		if (*len > MaxPacketLength)
		{
			MS_WARN_TAG(
				srtp,
				"cannot encrypt %s packet of length %zu: longer than %zu",
				what,
				*len,
				MaxPacketLength);

			return false;
		}

		std::memcpy(EncryptBuffer, *data, *len);

		int length                     = static_cast<int>(*len);
		const srtp_err_status_t status = rtcp ? srtp_protect_rtcp(this->session, EncryptBuffer, &length)
																					: srtp_protect(this->session, EncryptBuffer, &length);

		if (status != srtp_err_status_ok)
		{
			MS_WARN_TAG(
				srtp,
				"%s failed: %s",
				rtcp ? "srtp_protect_rtcp()" : "srtp_protect()",
				StatusToString(status));

			return false;
		}

		*data = EncryptBuffer;
		*len  = static_cast<size_t>(length);

		return true;
	}

	void SrtpSession::RememberInboundSsrc(uint32_t ssrc)
	{
		// Most packets belong to the last streams seen: search from the end.
		for (auto it = this->inboundSsrcs.rbegin(); it != this->inboundSsrcs.rend(); ++it)
		{
			if (*it == ssrc)
			{
				return;
			}
		}

		if (this->inboundSsrcs.size() >= MaxInboundStreams)
		{
			const uint32_t oldest = this->inboundSsrcs.front();

			MS_DEBUG_TAG(
				srtp,
				"more than %zu inbound SSRCs, forgetting the oldest one (%" PRIu32 ")",
				MaxInboundStreams,
				oldest);

			srtp_remove_stream(this->session, htonl(oldest));
			this->inboundSsrcs.erase(this->inboundSsrcs.begin());
		}

		this->inboundSsrcs.push_back(ssrc);
	}
} // namespace RTC
