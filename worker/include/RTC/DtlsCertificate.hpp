#ifndef MS_RTC_DTLS_CERTIFICATE_HPP
#define MS_RTC_DTLS_CERTIFICATE_HPP

#include "common.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <vector>

namespace RTC
{
	// The certificate and private key this worker presents in every DTLS
	// handshake, with its fingerprints (RFC 8122, as in SDP a=fingerprint).
	class DtlsCertificate
	{
	public:
		struct Fingerprint
		{
			// "sha-1", "sha-224", "sha-256", "sha-384" or "sha-512".
			std::string algorithm;
			// Upper-case hex byte pairs separated by ':'.
			std::string value;
		};

	public:
		// Loads PEM files. Throws MediaSoupTypeError naming the file when it
		// cannot be read or parsed, or when the key does not match the
		// certificate.
		static std::unique_ptr<DtlsCertificate>
		FromFiles(const std::string& certificateFile, const std::string& privateKeyFile);
		// Generates a fresh self-signed certificate (ECDSA P-256). Throws
		// MediaSoupError if OpenSSL fails.
		static std::unique_ptr<DtlsCertificate> Generate();

	public:
		~DtlsCertificate();
		DtlsCertificate(const DtlsCertificate&)            = delete;
		DtlsCertificate& operator=(const DtlsCertificate&) = delete;

	public:
		X509* GetCertificate() const { return this->certificate.get(); }
		EVP_PKEY* GetPrivateKey() const { return this->privateKey.get(); }
		// In this order: sha-1, sha-224, sha-256, sha-384, sha-512.
		const std::vector<Fingerprint>& GetFingerprints() const { return this->fingerprints; }

	private:
		// Frees the OpenSSL objects held in std::unique_ptr.
		struct OpenSslDeleter
		{
			void operator()(X509* certificate) const;
			void operator()(EVP_PKEY* key) const;
			void operator()(BIO* bio) const;
		};

		using X509Ptr    = std::unique_ptr<X509, OpenSslDeleter>;
		using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter>;
		using BioPtr     = std::unique_ptr<BIO, OpenSslDeleter>;

	private:
		// These throw MediaSoupTypeError naming the file.
		static BioPtr OpenFile(const std::string& file, const char* what);
		static X509Ptr ReadCertificateFile(const std::string& file);
		static EvpPkeyPtr ReadPrivateKeyFile(const std::string& file);

	private:
		// Computes the fingerprints. Throws MediaSoupError if OpenSSL fails.
		DtlsCertificate(X509Ptr certificate, EvpPkeyPtr privateKey);

	private:
		// Allocated by this.
		X509Ptr certificate{ nullptr };
		EvpPkeyPtr privateKey{ nullptr };
		// Others.
		std::vector<Fingerprint> fingerprints;
	};
} // namespace RTC

#endif
