#ifndef MS_RTC_DTLS_TRANSPORT_HPP
#define MS_RTC_DTLS_TRANSPORT_HPP

#include "common.hpp"

#include "RTC/DtlsCertificate.hpp"
#include "RTC/SrtpSession.hpp"
#include "handles/TimerHandle.hpp"

#include <openssl/ssl.h>

#include <optional>

namespace RTC
{
	// The OpenSSL context every DTLS transport of the worker shares: the worker
	// certificate, DTLS 1.2 only, ECDHE, mutual authentication and DTLS-SRTP.
	class DtlsContext
	{
	public:
		// Throws MediaSoupError if OpenSSL refuses the certificate or a setting.
		explicit DtlsContext(const DtlsCertificate* certificate);
		~DtlsContext();
		DtlsContext(const DtlsContext&)            = delete;
		DtlsContext& operator=(const DtlsContext&) = delete;

	public:
		SSL_CTX* GetSslContext() const { return this->sslContext; }
		const DtlsCertificate* GetCertificate() const { return this->certificate; }

	private:
		// Passed by argument.
		const DtlsCertificate* certificate{ nullptr };
		// Allocated by this.
		SSL_CTX* sslContext{ nullptr };
	};

	// One DTLS association (RFC 6347) over an ICE-selected path, used to agree
	// SRTP keys (RFC 5764) and later to carry SCTP. The peer's certificate is
	// authenticated by the fingerprint signalled for it (RFC 8122). Datagrams
	// come in through ProcessDtlsData() and go out through the listener; a
	// TimerHandle drives retransmissions and the handshake deadline.
	//
	// Listener callbacks are never made from inside OpenSSL. The owner may
	// call Close(), SetRemoteFingerprint() or SendApplicationData() from a
	// callback, but must not delete the transport from one.
	class DtlsTransport : public TimerHandle::Listener
	{
	public:
		enum class DtlsState
		{
			NEW = 1,
			CONNECTING,
			CONNECTED,
			FAILED,
			CLOSED
		};

		enum class Role
		{
			AUTO = 1,
			CLIENT,
			SERVER
		};

		enum class FingerprintAlgorithm
		{
			SHA1 = 1,
			SHA224,
			SHA256,
			SHA384,
			SHA512
		};

		struct Fingerprint
		{
			FingerprintAlgorithm algorithm;
			// Hex byte pairs joined by ':' (compared case-insensitively).
			std::string value;
		};

	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			virtual void OnDtlsTransportConnecting(const DtlsTransport* dtlsTransport) = 0;
			// srtpLocalKey: master key and salt for what this side sends;
			// srtpRemoteKey: for what it receives. remoteCert: the peer's, in PEM.
			virtual void OnDtlsTransportConnected(
				const DtlsTransport* dtlsTransport,
				SrtpSession::CryptoSuite srtpCryptoSuite,
				uint8_t* srtpLocalKey,
				size_t srtpLocalKeyLen,
				uint8_t* srtpRemoteKey,
				size_t srtpRemoteKeyLen,
				std::string& remoteCert)                                             = 0;
			virtual void OnDtlsTransportFailed(const DtlsTransport* dtlsTransport) = 0;
			// The peer sent close_notify.
			virtual void OnDtlsTransportClosed(const DtlsTransport* dtlsTransport) = 0;
			// One datagram to send to the peer.
			virtual void OnDtlsTransportSendData(
				const DtlsTransport* dtlsTransport, const uint8_t* data, size_t len) = 0;
			virtual void OnDtlsTransportApplicationDataReceived(
				const DtlsTransport* dtlsTransport, const uint8_t* data, size_t len) = 0;
		};

	public:
		// Largest datagram sent: handshake flights are fragmented to fit it.
		static constexpr size_t Mtu{ 1350u };
		// A handshake not finished this long after Run() fails.
		static constexpr uint64_t HandshakeTimeoutMs{ 30000u };
		// Largest SendApplicationData() payload (one DTLS record).
		static constexpr size_t MaxApplicationDataLength{ 16384u };

	public:
		// RFC 7983: first byte in 20..63 and room for a record header.
		static bool IsDtls(const uint8_t* data, size_t len);
		// "sha-1", "sha-224", "sha-256", "sha-384", "sha-512".
		static std::optional<FingerprintAlgorithm> GetFingerprintAlgorithm(std::string_view name);
		static std::string_view GetFingerprintAlgorithmString(FingerprintAlgorithm algorithm);
		// "auto", "client", "server".
		static std::optional<Role> GetRole(std::string_view name);
		static std::string_view GetRoleString(Role role);

	public:
		// Throws MediaSoupError if OpenSSL fails.
		DtlsTransport(Listener* listener, DtlsContext* context);
		~DtlsTransport() override;
		DtlsTransport(const DtlsTransport&)            = delete;
		DtlsTransport& operator=(const DtlsTransport&) = delete;

	public:
		// Starts the handshake as CLIENT or SERVER, once. Throws
		// MediaSoupTypeError for AUTO and MediaSoupError when not in NEW state.
		void Run(Role localRole);
		// Returns false if the value is not hex pairs of the algorithm's digest
		// length. May be called before or after the handshake: the peer
		// certificate is checked as soon as both are known, and a mismatch fails
		// the transport.
		bool SetRemoteFingerprint(const Fingerprint& fingerprint);
		// One received datagram. Anything that is not valid DTLS for the current
		// state is dropped, or fails the transport when OpenSSL says so.
		void ProcessDtlsData(const uint8_t* data, size_t len);
		// Returns false unless CONNECTED and the length is 1..MaxApplicationDataLength.
		bool SendApplicationData(const uint8_t* data, size_t len);
		// Sends close_notify if the handshake finished; then CLOSED, and no more
		// listener calls.
		void Close();
		DtlsState GetState() const { return this->state; }
		std::optional<Role> GetLocalRole() const { return this->localRole; }

		/* Pure virtual methods inherited from TimerHandle::Listener. */
	public:
		void OnTimer(TimerHandle* timer) override;

	private:
		bool IsRunning() const
		{
			return this->state == DtlsState::CONNECTING || this->state == DtlsState::CONNECTED;
		}
		// Whole records only, none of them too short to be decrypted.
		bool IsAcceptableDatagram(const uint8_t* data, size_t len) const;
		// Runs the handshake or reads application data after input or a timeout.
		// Returns false if the transport left CONNECTING/CONNECTED meanwhile.
		bool Advance();
		void ReadApplicationData();
		// Sends what OpenSSL wrote, record-aligned datagrams of at most Mtu bytes.
		void SendPendingOutgoingData();
		void ArmTimer();
		void OnHandshakeDone();
		// Checks the peer certificate against the remote fingerprint, derives the
		// SRTP keys and reports CONNECTED, or fails.
		void MayReportConnected();
		bool CheckRemoteFingerprint();
		std::optional<SrtpSession::CryptoSuite> GetNegotiatedSrtpCryptoSuite() const;
		// Sends close_notify if possible (no state change, no other callback).
		void SendCloseNotify();
		// Logs OpenSSL's error queue (then empties it) and fails the transport.
		void Fail(const char* reason);
		// Empties OpenSSL's error queue, logging it.
		void LogOpenSslErrors(const char* context);

	private:
		// Passed by argument.
		Listener* listener{ nullptr };
		DtlsContext* context{ nullptr };
		// Allocated by this.
		SSL* ssl{ nullptr };
		// Owned by the SSL (SSL_set_bio()).
		BIO* bioFromNetwork{ nullptr };
		BIO* bioToNetwork{ nullptr };
		std::unique_ptr<TimerHandle> timer;
		// Others.
		DtlsState state{ DtlsState::NEW };
		std::optional<Role> localRole;
		std::optional<Fingerprint> remoteFingerprint;
		bool handshakeDone{ false };
		uint64_t handshakeDeadlineMs{ 0u };
	};
} // namespace RTC

#endif
