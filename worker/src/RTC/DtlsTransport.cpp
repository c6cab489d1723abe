#define MS_CLASS "RTC::DtlsTransport"

#include "RTC/DtlsTransport.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "Utils/Byte.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/srtp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <sys/time.h> // struct timeval

namespace RTC
{
	namespace
	{
		// ECDHE (forward secrecy) with AEAD only. Not CBC: OpenSSL 3.0 DTLS fails
		// the association on a single forged CBC record (bad MAC) instead of
		// dropping it, and anyone who can spoof the peer's address could send one.
		constexpr const char* CipherList{ "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL:!PSK:!SRP:!DSS" };
		constexpr const char* Groups{ "X25519:P-256:P-384" };
		// DTLS-SRTP protection profiles (RFC 5764 4.1.2, RFC 7714 14.2), ours
		// first: as a server OpenSSL picks by this order.
		constexpr const char* SrtpProfiles{
			"SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32"
		};
		// RFC 5764 4.2.
		constexpr std::string_view SrtpExporterLabel{ "EXTRACTOR-dtls_srtp" };

		// Retransmission timer of handshake flights: RFC 6347 4.2.4.1 suggests
		// 1 s; less gets media going sooner when the first flight is lost.
		constexpr unsigned int InitialRetransmissionUs{ 500000u };
		constexpr unsigned int MaxRetransmissionUs{ 4000000u };

		// Longest datagram accepted (UDP payload, or an RFC 4571 frame).
		constexpr size_t MaxIncomingDatagramLength{ 65535u };
		// Smallest AEAD overhead (the ChaCha20-Poly1305 tag): no encrypted record
		// can be shorter, whatever the cipher suite.
		constexpr size_t MinAeadOverhead{ 16u };
		// Longest record OpenSSL writes, header included.
		constexpr size_t MaxRecordLength{ DTLS1_RT_HEADER_LENGTH + SSL3_RT_MAX_ENCRYPTED_LENGTH };

		// Master keys and salts of the longest suite, AEAD_AES_256_GCM: 32 + 12;
		// AES_CM salts are 14.
		constexpr size_t MaxSrtpKeyLength{ 32u };
		constexpr size_t MaxSrtpSaltLength{ 14u };

		struct FingerprintAlgorithmEntry
		{
			DtlsTransport::FingerprintAlgorithm algorithm;
			std::string_view name;
			const EVP_MD* (*digest)();
		};

		// RFC 8122 5 (hash function names of RFC 4572, as in SDP a=fingerprint).
		constexpr std::array<FingerprintAlgorithmEntry, 5> FingerprintAlgorithms{ {
			{ DtlsTransport::FingerprintAlgorithm::SHA1, "sha-1", EVP_sha1 },
			{ DtlsTransport::FingerprintAlgorithm::SHA224, "sha-224", EVP_sha224 },
			{ DtlsTransport::FingerprintAlgorithm::SHA256, "sha-256", EVP_sha256 },
			{ DtlsTransport::FingerprintAlgorithm::SHA384, "sha-384", EVP_sha384 },
			{ DtlsTransport::FingerprintAlgorithm::SHA512, "sha-512", EVP_sha512 },
		} };

		const FingerprintAlgorithmEntry*
		FindFingerprintAlgorithm(DtlsTransport::FingerprintAlgorithm algorithm)
		{
			for (const auto& entry : FingerprintAlgorithms)
			{
				if (entry.algorithm == algorithm)
				{
					return &entry;
				}
			}

			return nullptr;
		}

		// The first error OpenSSL queued in this thread (the root cause); empties
		// the queue, so that a stale entry is not read later by SSL_get_error().
		std::string PopOpenSslError()
		{
			const unsigned long first = ERR_peek_error();
			std::string reason{ "no OpenSSL error queued" };

			if (first != 0)
			{
				char buffer[256];

				ERR_error_string_n(first, buffer, sizeof(buffer));
				reason = buffer;
			}

			ERR_clear_error();

			return reason;
		}

		// Upper-case hex pairs joined by ':'.
		std::string ToFingerprintString(const unsigned char* digest, size_t len)
		{
			static constexpr char Digits[]{ "0123456789ABCDEF" };
			std::string value;

			value.reserve(len * 3u);

			for (size_t i{ 0u }; i < len; ++i)
			{
				if (i > 0u)
				{
					value.push_back(':');
				}

				value.push_back(Digits[digest[i] >> 4]);
				value.push_back(Digits[digest[i] & 0x0F]);
			}

			return value;
		}

		// Upper-cases `value` if it is `len` hex pairs joined by ':'.
		std::optional<std::string> NormalizeFingerprintString(std::string_view value, size_t len)
		{
			if (len == 0u || value.size() != len * 3u - 1u)
			{
				return std::nullopt;
			}

			std::string normalized(value);

			for (size_t i{ 0u }; i < normalized.size(); ++i)
			{
				char& c = normalized[i];

				if (i % 3u == 2u)
				{
					if (c != ':')
					{
						return std::nullopt;
					}
				}
				else if (c >= 'a' && c <= 'f')
				{
					c = static_cast<char>(c - 'a' + 'A');
				}
				else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
				{
					return std::nullopt;
				}
			}

			return normalized;
		}

		// The peer's certificate is authenticated by its fingerprint (RFC 8122),
		// not by a chain: accept whatever chain verification says. Without a
		// certificate the handshake still fails (SSL_VERIFY_FAIL_IF_NO_PEER_CERT).
		int OnSslVerify(int /*preverifyOk*/, X509_STORE_CTX* /*store*/)
		{
			return 1;
		}

		unsigned int OnSslTimer(SSL* /*ssl*/, unsigned int timerUs)
		{
			if (timerUs == 0u)
			{
				return InitialRetransmissionUs;
			}

			return std::min(timerUs * 2u, MaxRetransmissionUs);
		}

		// Logging only: listener calls never happen inside OpenSSL.
		void OnSslInfo(const SSL* /*ssl*/, int where, int ret)
		{
			if ((where & SSL_CB_ALERT) != 0)
			{
				MS_DEBUG_TAG(
					dtls,
					"%s DTLS alert: %s %s",
					(where & SSL_CB_READ) != 0 ? "received" : "sent",
					SSL_alert_type_string_long(ret),
					SSL_alert_desc_string_long(ret));
			}
		}
	} // namespace

	/* DtlsContext. */

	DtlsContext::DtlsContext(const DtlsCertificate* certificate) : certificate(certificate)
	{
		if (!certificate || !certificate->GetCertificate() || !certificate->GetPrivateKey())
		{
			MS_THROW_ERROR("DTLS context: no certificate");
		}

		this->sslContext = SSL_CTX_new(DTLS_method());

		if (!this->sslContext)
		{
			const auto reason = PopOpenSslError();

			MS_THROW_ERROR("DTLS context: SSL_CTX_new() failed (%s)", reason.c_str());
		}

		SSL_CTX* ctx = this->sslContext;
		const char* failed{ nullptr };

		if (SSL_CTX_use_certificate(ctx, certificate->GetCertificate()) != 1)
		{
			failed = "SSL_CTX_use_certificate()";
		}
		else if (SSL_CTX_use_PrivateKey(ctx, certificate->GetPrivateKey()) != 1)
		{
			failed = "SSL_CTX_use_PrivateKey()";
		}
		else if (SSL_CTX_check_private_key(ctx) != 1)
		{
			failed = "SSL_CTX_check_private_key()";
		}
		// OpenSSL 3.0 has no DTLS 1.3; a peer offering it (Chromium) gets 1.2.
		else if (
			SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
			SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) != 1)
		{
			failed = "SSL_CTX_set_min/max_proto_version()";
		}
		else if (SSL_CTX_set_cipher_list(ctx, CipherList) != 1)
		{
			failed = "SSL_CTX_set_cipher_list()";
		}
		else if (SSL_CTX_set1_groups_list(ctx, Groups) != 1)
		{
			failed = "SSL_CTX_set1_groups_list()";
		}
		// This one returns 0 on success.
		else if (SSL_CTX_set_tlsext_use_srtp(ctx, SrtpProfiles) != 0)
		{
			failed = "SSL_CTX_set_tlsext_use_srtp()";
		}

		if (failed)
		{
			const auto reason = PopOpenSslError();

			SSL_CTX_free(this->sslContext);
			this->sslContext = nullptr;

			MS_THROW_ERROR("DTLS context: %s failed (%s)", failed, reason.c_str());
		}

		// The MTU is set per SSL: asking the BIO (a memory BIO) makes no sense.
		// No session resumption, no renegotiation.
		SSL_CTX_set_options(
			ctx,
			SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
				SSL_OP_CIPHER_SERVER_PREFERENCE);
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		// Mutual authentication: a server asks for the client's certificate too.
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, OnSslVerify);
		SSL_CTX_set_info_callback(ctx, OnSslInfo);
	}

	DtlsContext::~DtlsContext()
	{
		SSL_CTX_free(this->sslContext);
	}

	/* DtlsTransport class methods. */

	bool DtlsTransport::IsDtls(const uint8_t* data, size_t len)
	{
		// RFC 7983 7: DTLS content types fall in 20..63.
		return data && len >= DTLS1_RT_HEADER_LENGTH && data[0] >= 20 && data[0] <= 63;
	}

	std::optional<DtlsTransport::FingerprintAlgorithm>
	DtlsTransport::GetFingerprintAlgorithm(std::string_view name)
	{
		for (const auto& entry : FingerprintAlgorithms)
		{
			if (entry.name == name)
			{
				return entry.algorithm;
			}
		}

		return std::nullopt;
	}

	std::string_view DtlsTransport::GetFingerprintAlgorithmString(FingerprintAlgorithm algorithm)
	{
		const auto* entry = FindFingerprintAlgorithm(algorithm);

		return entry ? entry->name : std::string_view{};
	}

	std::optional<DtlsTransport::Role> DtlsTransport::GetRole(std::string_view name)
	{
		if (name == "auto")
		{
			return Role::AUTO;
		}
		else if (name == "client")
		{
			return Role::CLIENT;
		}
		else if (name == "server")
		{
			return Role::SERVER;
		}

		return std::nullopt;
	}

	std::string_view DtlsTransport::GetRoleString(Role role)
	{
		switch (role)
		{
			case Role::AUTO:
				return "auto";
			case Role::CLIENT:
				return "client";
			case Role::SERVER:
				return "server";
		}

		return {};
	}

	/* DtlsTransport instance methods. */

	DtlsTransport::DtlsTransport(Listener* listener, DtlsContext* context)
			: listener(listener), context(context)
	{
		if (!listener || !context || !context->GetSslContext())
		{
			MS_THROW_ERROR("DTLS transport: no listener or context");
		}

		// This may throw (before anything else is allocated).
		this->timer = std::make_unique<TimerHandle>(this);

		this->ssl = SSL_new(context->GetSslContext());

		if (!this->ssl)
		{
			const auto reason = PopOpenSslError();

			MS_THROW_ERROR("DTLS transport: SSL_new() failed (%s)", reason.c_str());
		}

		// Memory BIOs: OpenSSL reads the datagram fed by ProcessDtlsData() and
		// writes records that SendPendingOutgoingData() hands to the listener.
		// (A custom BIO would have to answer 0 to every ctrl it does not know:
		// OpenSSL 3.0 with kTLS crashes otherwise.)
		this->bioFromNetwork = BIO_new(BIO_s_mem());
		this->bioToNetwork   = BIO_new(BIO_s_mem());

		if (!this->bioFromNetwork || !this->bioToNetwork)
		{
			const auto reason = PopOpenSslError();

			BIO_free(this->bioFromNetwork);
			BIO_free(this->bioToNetwork);
			SSL_free(this->ssl);

			this->bioFromNetwork = nullptr;
			this->bioToNetwork   = nullptr;
			this->ssl            = nullptr;

			MS_THROW_ERROR("DTLS transport: BIO_new() failed (%s)", reason.c_str());
		}

		// An empty BIO means "no more data for now", not end of file.
		BIO_set_mem_eof_return(this->bioFromNetwork, -1);
		BIO_set_mem_eof_return(this->bioToNetwork, -1);

		// The SSL owns the BIOs from here.
		SSL_set_bio(this->ssl, this->bioFromNetwork, this->bioToNetwork);

		// Handshake messages are fragmented so that each record fits; records are
		// then packed into datagrams of at most Mtu bytes.
		SSL_set_mtu(this->ssl, static_cast<long>(Mtu));
		DTLS_set_timer_cb(this->ssl, OnSslTimer);
	}

	DtlsTransport::~DtlsTransport()
	{
		// No listener call here: Close() first to say goodbye to the peer.
		SSL_free(this->ssl);
	}

	void DtlsTransport::Run(Role localRole)
	{
		if (localRole != Role::CLIENT && localRole != Role::SERVER)
		{
			MS_THROW_TYPE_ERROR("invalid local DTLS role (must be client or server)");
		}

		if (this->state != DtlsState::NEW)
		{
			MS_THROW_ERROR("DTLS transport already run");
		}

		MS_DEBUG_TAG(dtls, "running as DTLS %s", localRole == Role::CLIENT ? "client" : "server");

		this->localRole           = localRole;
		this->state               = DtlsState::CONNECTING;
		this->handshakeDeadlineMs = DepLibUV::GetTimeMs() + HandshakeTimeoutMs;

		if (localRole == Role::CLIENT)
		{
			SSL_set_connect_state(this->ssl);
		}
		else
		{
			SSL_set_accept_state(this->ssl);
		}

		this->listener->OnDtlsTransportConnecting(this);

		// Closed from the callback.
		if (this->state != DtlsState::CONNECTING)
		{
			return;
		}

		// A client sends its ClientHello now; a server waits for one.
		if (Advance())
		{
			ArmTimer();
		}
	}

	bool DtlsTransport::SetRemoteFingerprint(const Fingerprint& fingerprint)
	{
		const auto* entry = FindFingerprintAlgorithm(fingerprint.algorithm);

		if (!entry)
		{
			MS_WARN_TAG(dtls, "invalid remote fingerprint algorithm");

			return false;
		}

		const auto digestLength = static_cast<size_t>(EVP_MD_get_size(entry->digest()));
		auto value              = NormalizeFingerprintString(fingerprint.value, digestLength);

		if (!value)
		{
			MS_WARN_TAG(
				dtls,
				"malformed %.*s remote fingerprint",
				static_cast<int>(entry->name.size()),
				entry->name.data());

			return false;
		}

		this->remoteFingerprint = Fingerprint{ fingerprint.algorithm, std::move(*value) };

		if (!this->handshakeDone)
		{
			return true;
		}

		if (this->state == DtlsState::CONNECTING)
		{
			// The handshake was waiting for it.
			MayReportConnected();
		}
		else if (this->state == DtlsState::CONNECTED && !CheckRemoteFingerprint())
		{
			MS_WARN_TAG(dtls, "new remote fingerprint does not match the peer certificate");

			SendCloseNotify();
			Fail("remote fingerprint mismatch");
		}

		return true;
	}

	void DtlsTransport::ProcessDtlsData(const uint8_t* data, size_t len)
	{
		if (!IsRunning())
		{
			MS_DEBUG_TAG(dtls, "DTLS transport not running, datagram dropped");

			return;
		}

		if (!IsDtls(data, len) || len > MaxIncomingDatagramLength)
		{
			MS_DEBUG_TAG(dtls, "not a DTLS datagram (length %zu), dropped", len);

			return;
		}

		if (!IsAcceptableDatagram(data, len))
		{
			MS_DEBUG_TAG(dtls, "malformed DTLS datagram (length %zu), dropped", len);

			return;
		}

		const int written = BIO_write(this->bioFromNetwork, data, static_cast<int>(len));

		if (written != static_cast<int>(len))
		{
			MS_DEBUG_TAG(dtls, "BIO_write() failed, datagram dropped");

			ERR_clear_error();
			(void)BIO_reset(this->bioFromNetwork);

			return;
		}

		const bool running = Advance();

		// OpenSSL reads a memory BIO in chunks, not datagrams: whatever it left
		// must not be taken as the start of the next datagram.
		(void)BIO_reset(this->bioFromNetwork);

		if (running)
		{
			ArmTimer();
		}
	}

	bool DtlsTransport::SendApplicationData(const uint8_t* data, size_t len)
	{
		if (this->state != DtlsState::CONNECTED)
		{
			MS_DEBUG_TAG(dtls, "cannot send application data: not connected");

			return false;
		}

		if (!data || len == 0u || len > MaxApplicationDataLength)
		{
			MS_WARN_TAG(dtls, "cannot send application data of length %zu", len);

			return false;
		}

		ERR_clear_error();

		const int ret = SSL_write(this->ssl, data, static_cast<int>(len));
		const int err = ret > 0 ? SSL_ERROR_NONE : SSL_get_error(this->ssl, ret);

		SendPendingOutgoingData();

		if (ret > 0)
		{
			return true;
		}

		if (err == SSL_ERROR_SSL || err == SSL_ERROR_SYSCALL)
		{
			if (IsRunning())
			{
				Fail("SSL_write() failed");
			}
		}
		else
		{
			LogOpenSslErrors("SSL_write()");
		}

		return false;
	}

	void DtlsTransport::Close()
	{
		if (this->state == DtlsState::CLOSED)
		{
			return;
		}

		const bool sayGoodbye = this->handshakeDone && this->state != DtlsState::FAILED;

		// First, so that a Close() from the send callback below returns at once.
		this->state = DtlsState::CLOSED;
		this->timer->Stop();

		// What OpenSSL wrote and was not sent yet (the rest of a flight, when
		// called from the send callback) is dropped: no more listener calls but
		// for the close_notify.
		(void)BIO_reset(this->bioToNetwork);

		if (sayGoodbye)
		{
			SendCloseNotify();
		}
	}

	void DtlsTransport::OnTimer(TimerHandle* /*timer*/)
	{
		if (!IsRunning())
		{
			return;
		}

		if (this->state == DtlsState::CONNECTING && DepLibUV::GetTimeMs() >= this->handshakeDeadlineMs)
		{
			MS_WARN_TAG(dtls, "DTLS handshake timed out");

			Fail("handshake timeout");

			return;
		}

		ERR_clear_error();

		// 1: a flight was sent again; 0: not due yet; -1: too many timeouts.
		const int ret = DTLSv1_handle_timeout(this->ssl);

		SendPendingOutgoingData();

		if (!IsRunning())
		{
			return;
		}

		if (ret < 0)
		{
			Fail("DTLS retransmission limit reached");

			return;
		}

		ArmTimer();
	}

	bool DtlsTransport::Advance()
	{
		if (!this->handshakeDone)
		{
			ERR_clear_error();

			const int ret = SSL_do_handshake(this->ssl);
			// Before anything else touches this thread's error queue.
			const int err = ret == 1 ? SSL_ERROR_NONE : SSL_get_error(this->ssl, ret);

			// The next flight, or the alert OpenSSL sends on failure.
			SendPendingOutgoingData();

			if (!IsRunning())
			{
				return false;
			}

			switch (err)
			{
				case SSL_ERROR_NONE:
				{
					OnHandshakeDone();

					if (!IsRunning())
					{
						return false;
					}

					break;
				}

				case SSL_ERROR_WANT_READ:
				case SSL_ERROR_WANT_WRITE:
				{
					// Waiting for the peer's next flight. OpenSSL silently drops what it
					// cannot use, but may queue an error anyway.
					ERR_clear_error();

					return true;
				}

				case SSL_ERROR_ZERO_RETURN:
				{
					MS_DEBUG_TAG(dtls, "close_notify received during the handshake");

					ERR_clear_error();
					this->state = DtlsState::CLOSED;
					this->timer->Stop();
					this->listener->OnDtlsTransportClosed(this);

					return false;
				}

				default:
				{
					Fail("DTLS handshake failed");

					return false;
				}
			}
		}

		ReadApplicationData();

		return IsRunning();
	}

	void DtlsTransport::ReadApplicationData()
	{
		uint8_t buffer[SSL3_RT_MAX_PLAIN_LENGTH];

		// One record per SSL_read(); a datagram may hold several.
		while (IsRunning())
		{
			ERR_clear_error();

			const int ret = SSL_read(this->ssl, buffer, static_cast<int>(sizeof(buffer)));

			if (ret > 0)
			{
				if (this->state == DtlsState::CONNECTED)
				{
					this->listener->OnDtlsTransportApplicationDataReceived(
						this, buffer, static_cast<size_t>(ret));
				}
				else
				{
					MS_DEBUG_TAG(dtls, "application data before CONNECTED dropped");
				}

				continue;
			}

			const int err = SSL_get_error(this->ssl, ret);

			// Alerts, or the last flight again when the peer did not get it.
			SendPendingOutgoingData();

			if (!IsRunning())
			{
				return;
			}

			switch (err)
			{
				case SSL_ERROR_WANT_READ:
				case SSL_ERROR_WANT_WRITE:
				{
					ERR_clear_error();

					return;
				}

				case SSL_ERROR_ZERO_RETURN:
				{
					MS_DEBUG_TAG(dtls, "close_notify received");

					ERR_clear_error();
					this->state = DtlsState::CLOSED;
					this->timer->Stop();
					// Answer with ours (RFC 5246 7.2.1).
					SendCloseNotify();
					this->listener->OnDtlsTransportClosed(this);

					return;
				}

				default:
				{
					Fail("SSL_read() failed");

					return;
				}
			}
		}
	}

	bool DtlsTransport::IsAcceptableDatagram(const uint8_t* data, size_t len) const
	{
		// An encrypted record shorter than the cipher's overhead (explicit nonce
		// and tag) makes OpenSSL 3.0 fail the association with an internal error,
		// where RFC 6347 4.1.2.7 wants it silently dropped. Drop it first.
		size_t minEncryptedLength{ MinAeadOverhead };

		if (SSL_get_current_cipher(this->ssl))
		{
			// What OpenSSL leaves of the MTU for data, once it knows the cipher.
			const size_t dataMtu = DTLS_get_data_mtu(this->ssl);

			if (dataMtu > 0u && dataMtu + DTLS1_RT_HEADER_LENGTH < Mtu)
			{
				minEncryptedLength = std::max(minEncryptedLength, Mtu - DTLS1_RT_HEADER_LENGTH - dataMtu);
			}
		}

		// RFC 6347 4.1: records of 13-byte header (content type, version, epoch,
		// sequence number, length) and body, back to back, filling the datagram.
		size_t offset{ 0u };

		while (offset < len)
		{
			if (len - offset < DTLS1_RT_HEADER_LENGTH)
			{
				return false;
			}

			const uint16_t epoch   = Utils::Byte::Get2Bytes(data, offset + 3u);
			const size_t recordLen = Utils::Byte::Get2Bytes(data, offset + 11u);

			if (recordLen > len - offset - DTLS1_RT_HEADER_LENGTH)
			{
				return false;
			}

			// Epoch 0 is the clear-text start of the handshake.
			if (epoch != 0u && recordLen < minEncryptedLength)
			{
				return false;
			}

			offset += DTLS1_RT_HEADER_LENGTH + recordLen;
		}

		return true;
	}

	void DtlsTransport::SendPendingOutgoingData()
	{
		// Room for the longest record OpenSSL writes.
		uint8_t datagram[MaxRecordLength];

		for (;;)
		{
			char* pending{ nullptr };
			const long pendingLen = BIO_get_mem_data(this->bioToNetwork, &pending);

			if (pendingLen <= 0 || !pending)
			{
				return;
			}

			const auto* records = reinterpret_cast<const uint8_t*>(pending);
			const auto total    = static_cast<size_t>(pendingLen);
			size_t len{ 0u };

			// Whole records while they fit in Mtu (at least one). OpenSSL sizes each
			// record for the MTU, but a memory BIO keeps no datagram boundaries.
			while (len < total)
			{
				const size_t left = total - len;
				size_t recordLen  = left;

				if (left >= DTLS1_RT_HEADER_LENGTH)
				{
					recordLen = std::min(
						left, DTLS1_RT_HEADER_LENGTH + size_t{ Utils::Byte::Get2Bytes(records, len + 11u) });
				}

				if (len > 0u && len + recordLen > Mtu)
				{
					break;
				}

				len += recordLen;
			}

			len = std::min(len, sizeof(datagram));

			const int read = BIO_read(this->bioToNetwork, datagram, static_cast<int>(len));

			if (read <= 0)
			{
				// Cannot happen with a memory BIO holding data; do not spin.
				ERR_clear_error();
				(void)BIO_reset(this->bioToNetwork);

				return;
			}

			// The listener may call Close() (which sends through here as well) or
			// SendApplicationData(): the datagram is already out of the BIO.
			this->listener->OnDtlsTransportSendData(this, datagram, static_cast<size_t>(read));
		}
	}

	void DtlsTransport::ArmTimer()
	{
		if (!IsRunning())
		{
			this->timer->Stop();

			return;
		}

		std::optional<uint64_t> timeoutMs;
		timeval timeout{};

		if (DTLSv1_get_timeout(this->ssl, &timeout) == 1)
		{
			// Rounded up: firing early only means arming again.
			timeoutMs = static_cast<uint64_t>(timeout.tv_sec) * 1000u +
									(static_cast<uint64_t>(timeout.tv_usec) + 999u) / 1000u;
		}

		if (this->state == DtlsState::CONNECTING)
		{
			const uint64_t nowMs = DepLibUV::GetTimeMs();
			const uint64_t leftMs =
				this->handshakeDeadlineMs > nowMs ? this->handshakeDeadlineMs - nowMs : 0u;

			timeoutMs = timeoutMs ? std::min(*timeoutMs, leftMs) : leftMs;
		}

		if (timeoutMs)
		{
			this->timer->Start(*timeoutMs);
		}
		else
		{
			this->timer->Stop();
		}
	}

	void DtlsTransport::OnHandshakeDone()
	{
		this->handshakeDone = true;

		MS_DEBUG_TAG(
			dtls,
			"DTLS handshake done [version:%s, cipher:%s]",
			SSL_get_version(this->ssl),
			SSL_get_cipher_name(this->ssl));

		MayReportConnected();
	}

	void DtlsTransport::MayReportConnected()
	{
		if (!this->handshakeDone || this->state != DtlsState::CONNECTING)
		{
			return;
		}

		if (!this->remoteFingerprint)
		{
			MS_DEBUG_TAG(dtls, "DTLS handshake done, waiting for the remote fingerprint");

			return;
		}

		if (!CheckRemoteFingerprint())
		{
			MS_WARN_TAG(dtls, "the peer certificate does not match the remote fingerprint");

			SendCloseNotify();
			Fail("remote fingerprint mismatch");

			return;
		}

		const auto suite = GetNegotiatedSrtpCryptoSuite();

		if (!suite)
		{
			MS_WARN_TAG(dtls, "no SRTP protection profile negotiated");

			SendCloseNotify();
			Fail("no SRTP protection profile");

			return;
		}

		const size_t keyLen  = SrtpSession::GetMasterKeyLength(*suite);
		const size_t saltLen = SrtpSession::GetMasterSaltLength(*suite);

		// RFC 5764 4.2: client key, server key, client salt, server salt.
		uint8_t material[2u * (MaxSrtpKeyLength + MaxSrtpSaltLength)];
		uint8_t localKey[MaxSrtpKeyLength + MaxSrtpSaltLength];
		uint8_t remoteKey[MaxSrtpKeyLength + MaxSrtpSaltLength];
		const size_t materialLen = 2u * (keyLen + saltLen);

		ERR_clear_error();

		if (
			SSL_export_keying_material(
				this->ssl,
				material,
				materialLen,
				SrtpExporterLabel.data(),
				SrtpExporterLabel.size(),
				nullptr,
				0u,
				0) != 1)
		{
			SendCloseNotify();
			Fail("SSL_export_keying_material() failed");

			return;
		}

		const uint8_t* clientKey  = material;
		const uint8_t* serverKey  = clientKey + keyLen;
		const uint8_t* clientSalt = serverKey + keyLen;
		const uint8_t* serverSalt = clientSalt + saltLen;
		const bool isClient       = this->localRole == Role::CLIENT;

		std::copy_n(isClient ? clientKey : serverKey, keyLen, localKey);
		std::copy_n(isClient ? clientSalt : serverSalt, saltLen, localKey + keyLen);
		std::copy_n(isClient ? serverKey : clientKey, keyLen, remoteKey);
		std::copy_n(isClient ? serverSalt : clientSalt, saltLen, remoteKey + keyLen);
		OPENSSL_cleanse(material, sizeof(material));

		std::string remoteCert;
		X509* certificate = SSL_get0_peer_certificate(this->ssl);
		BIO* bio          = BIO_new(BIO_s_mem());

		if (bio && certificate && PEM_write_bio_X509(bio, certificate) == 1)
		{
			char* pem{ nullptr };
			const long pemLen = BIO_get_mem_data(bio, &pem);

			if (pemLen > 0 && pem)
			{
				remoteCert.assign(pem, static_cast<size_t>(pemLen));
			}
		}
		else
		{
			LogOpenSslErrors("PEM_write_bio_X509()");
		}

		BIO_free(bio);

		this->state = DtlsState::CONNECTED;
		// No handshake deadline any more.
		ArmTimer();

		MS_DEBUG_TAG(
			dtls,
			"DTLS connected [srtp crypto suite:%.*s]",
			static_cast<int>(SrtpSession::GetCryptoSuiteString(*suite).size()),
			SrtpSession::GetCryptoSuiteString(*suite).data());

		this->listener->OnDtlsTransportConnected(
			this, *suite, localKey, keyLen + saltLen, remoteKey, keyLen + saltLen, remoteCert);

		OPENSSL_cleanse(localKey, sizeof(localKey));
		OPENSSL_cleanse(remoteKey, sizeof(remoteKey));
	}

	bool DtlsTransport::CheckRemoteFingerprint()
	{
		if (!this->remoteFingerprint)
		{
			return false;
		}

		const auto* entry = FindFingerprintAlgorithm(this->remoteFingerprint->algorithm);
		X509* certificate = SSL_get0_peer_certificate(this->ssl);

		if (!entry || !certificate)
		{
			return false;
		}

		unsigned char digest[EVP_MAX_MD_SIZE];
		unsigned int digestLen{ 0u };

		if (X509_digest(certificate, entry->digest(), digest, &digestLen) != 1)
		{
			LogOpenSslErrors("X509_digest()");

			return false;
		}

		const auto actual = ToFingerprintString(digest, digestLen);

		if (actual != this->remoteFingerprint->value)
		{
			MS_DEBUG_TAG(
				dtls,
				"peer certificate %.*s fingerprint %s, expected %s",
				static_cast<int>(entry->name.size()),
				entry->name.data(),
				actual.c_str(),
				this->remoteFingerprint->value.c_str());

			return false;
		}

		return true;
	}

	std::optional<SrtpSession::CryptoSuite> DtlsTransport::GetNegotiatedSrtpCryptoSuite() const
	{
		const SRTP_PROTECTION_PROFILE* profile = SSL_get_selected_srtp_profile(this->ssl);

		if (!profile)
		{
			return std::nullopt;
		}

		switch (profile->id)
		{
			case SRTP_AEAD_AES_256_GCM:
				return SrtpSession::CryptoSuite::AEAD_AES_256_GCM;
			case SRTP_AEAD_AES_128_GCM:
				return SrtpSession::CryptoSuite::AEAD_AES_128_GCM;
			case SRTP_AES128_CM_SHA1_80:
				return SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80;
			case SRTP_AES128_CM_SHA1_32:
				return SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_32;
			default:
				return std::nullopt;
		}
	}

	void DtlsTransport::SendCloseNotify()
	{
		if ((SSL_get_shutdown(this->ssl) & SSL_SENT_SHUTDOWN) != 0)
		{
			return;
		}

		ERR_clear_error();

		// 0: sent, the peer's has not arrived; 1: both done. Either way nothing
		// else to wait for.
		if (SSL_shutdown(this->ssl) < 0)
		{
			LogOpenSslErrors("SSL_shutdown()");
		}

		SendPendingOutgoingData();
	}

	void DtlsTransport::Fail(const char* reason)
	{
		if (this->state == DtlsState::FAILED || this->state == DtlsState::CLOSED)
		{
			ERR_clear_error();

			return;
		}

		LogOpenSslErrors(reason);

		this->state = DtlsState::FAILED;
		this->timer->Stop();
		this->listener->OnDtlsTransportFailed(this);
	}

	void DtlsTransport::LogOpenSslErrors(const char* context)
	{
		if (ERR_peek_error() == 0)
		{
			MS_WARN_TAG(dtls, "%s", context);

			return;
		}

		const auto reason = PopOpenSslError();

		MS_WARN_TAG(dtls, "%s: %s", context, reason.c_str());
	}
} // namespace RTC
