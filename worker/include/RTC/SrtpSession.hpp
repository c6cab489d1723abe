#ifndef MS_RTC_SRTP_SESSION_HPP
#define MS_RTC_SRTP_SESSION_HPP

#include "common.hpp"

#include <srtp2/srtp.h>

#include <optional>
#include <vector>

namespace RTC
{
	// One direction of SRTP/SRTCP protection (RFC 3711, RFC 7714 for AES-GCM)
	// with one master key, for any SSRC. libsrtp must have been initialised by
	// DepLibSRTP::ClassInit().
	class SrtpSession
	{
	public:
		enum class CryptoSuite
		{
			AEAD_AES_256_GCM = 1,
			AEAD_AES_128_GCM,
			AES_CM_128_HMAC_SHA1_80,
			AES_CM_128_HMAC_SHA1_32
		};

		enum class Type
		{
			INBOUND = 1,
			OUTBOUND
		};

	public:
		// Largest RTP or RTCP packet EncryptRtp() and EncryptRtcp() accept.
		static constexpr size_t MaxPacketLength{ 65536u };
		// Inbound SSRCs whose libsrtp state (rollover counter, replay window) is
		// kept. Each authenticated packet with an unknown SSRC makes libsrtp
		// create a stream, so past this the oldest one is dropped.
		static constexpr size_t MaxInboundStreams{ 1024u };

	public:
		static size_t GetMasterKeyLength(CryptoSuite suite);
		static size_t GetMasterSaltLength(CryptoSuite suite);
		// Master key + master salt: 30 for AES_CM, 28 for 128 GCM, 44 for 256 GCM.
		static size_t GetMasterLength(CryptoSuite suite);
		// "AEAD_AES_256_GCM", "AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80" or
		// "AES_CM_128_HMAC_SHA1_32".
		static std::optional<CryptoSuite> GetCryptoSuite(std::string_view name);
		static std::string_view GetCryptoSuiteString(CryptoSuite suite);

	public:
		// `key` is the master key followed by the master salt and `keyLen` must
		// be GetMasterLength(suite). Throws MediaSoupTypeError on a bad suite or
		// length, MediaSoupError if libsrtp fails.
		SrtpSession(Type type, CryptoSuite suite, const uint8_t* key, size_t keyLen);
		~SrtpSession();
		SrtpSession(const SrtpSession&)            = delete;
		SrtpSession& operator=(const SrtpSession&) = delete;

	public:
		// OUTBOUND only. Protects a copy of the packet in a buffer of this thread;
		// on success *data and *len describe the protected packet, valid until the
		// next call on any SrtpSession of the thread. Returns false (and warns)
		// on failure, e.g. a packet longer than MaxPacketLength.
		bool EncryptRtp(const uint8_t** data, size_t* len);
		bool EncryptRtcp(const uint8_t** data, size_t* len);
		// INBOUND only. Unprotects in place, at any alignment (a misaligned
		// packet is unprotected in an aligned copy, for libsrtp).
		// Returns false when the packet is malformed or fails the authentication
		// or replay check: the caller drops it.
		bool DecryptSrtp(uint8_t* data, size_t* len);
		bool DecryptSrtcp(uint8_t* data, size_t* len);
		// Forgets the state of an SSRC (the stream closed).
		void RemoveStream(uint32_t ssrc);

	private:
		bool Encrypt(const uint8_t** data, size_t* len, bool rtcp);
		void RememberInboundSsrc(uint32_t ssrc);

	private:
		// Allocated by this (srtp_dealloc()).
		srtp_t session{ nullptr };
		// Others.
		Type type{ Type::INBOUND };
		// Inbound SSRCs libsrtp holds a stream for, oldest first (at most
		// MaxInboundStreams).
		std::vector<uint32_t> inboundSsrcs;
	};
} // namespace RTC

#endif
