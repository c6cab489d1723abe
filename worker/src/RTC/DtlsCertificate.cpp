#define MS_CLASS "RTC::DtlsCertificate"

#include "RTC/DtlsCertificate.hpp"

#include "MediaSoupErrors.hpp"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <array>
#include <system_error>

namespace RTC
{
	namespace
	{
		struct FingerprintAlgorithm
		{
			const char* name;
			const EVP_MD* (*digest)();
		};

		// In the order GetFingerprints() promises.
		constexpr std::array<FingerprintAlgorithm, 5> FingerprintAlgorithms{ {
			{ "sha-1", EVP_sha1 },
			{ "sha-224", EVP_sha224 },
			{ "sha-256", EVP_sha256 },
			{ "sha-384", EVP_sha384 },
			{ "sha-512", EVP_sha512 },
		} };

		constexpr int ValidityBeforeNowSeconds{ 24 * 3600 };
		constexpr int ValidityAfterNowSeconds{ 30 * 24 * 3600 };

		// Pops every error OpenSSL queued in this thread and returns the reason of
		// the first one (the root cause). The queue must be left empty: a stale
		// entry would be read later by SSL_get_error() as the cause of an
		// unrelated DTLS failure.
		std::string PopOpenSslError()
		{
			const unsigned long first = ERR_peek_error();
			std::string reason{ "unknown OpenSSL error" };

			if (first != 0 && ERR_SYSTEM_ERROR(first))
			{
				// errno of a failed fopen() and the like, which OpenSSL has no text for.
				reason = std::generic_category().message(ERR_GET_REASON(first));
			}
			else if (first != 0)
			{
				const char* text = ERR_reason_error_string(first);

				if (text != nullptr)
				{
					reason = text;
				}
				else
				{
					char buffer[256];

					ERR_error_string_n(first, buffer, sizeof(buffer));
					reason = buffer;
				}
			}

			ERR_clear_error();

			return reason;
		}

		// Never prompt for a passphrase on the terminal (OpenSSL's default when no
		// callback is given): an encrypted key just fails to load.
		int NoPassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*userData*/)
		{
			return -1;
		}

		// Upper-case hex byte pairs, joined by the separator (':' in fingerprints).
		std::string ToHex(std::span<const unsigned char> bytes, std::string_view separator)
		{
			static constexpr char Digits[]{ "0123456789ABCDEF" };
			std::string hex;

			hex.reserve(bytes.size() * (2u + separator.size()));

			for (size_t i{ 0u }; i < bytes.size(); ++i)
			{
				if (i > 0u)
				{
					hex.append(separator);
				}

				hex.push_back(Digits[bytes[i] >> 4]);
				hex.push_back(Digits[bytes[i] & 0x0F]);
			}

			return hex;
		}
	} // namespace

	/* Class methods. */

	std::unique_ptr<DtlsCertificate>
	DtlsCertificate::FromFiles(const std::string& certificateFile, const std::string& privateKeyFile)
	{
		// These may throw.
		auto certificate = ReadCertificateFile(certificateFile);
		auto privateKey  = ReadPrivateKeyFile(privateKeyFile);

		if (X509_check_private_key(certificate.get(), privateKey.get()) != 1)
		{
			const auto reason = PopOpenSslError();

			MS_THROW_TYPE_ERROR(
				"DTLS private key file '%s' does not match certificate file '%s' (%s)",
				privateKeyFile.c_str(),
				certificateFile.c_str(),
				reason.c_str());
		}

		// The constructor is private, so std::make_unique cannot call it.
		return std::unique_ptr<DtlsCertificate>(
			new DtlsCertificate(std::move(certificate), std::move(privateKey)));
	}

	std::unique_ptr<DtlsCertificate> DtlsCertificate::Generate()
	{
		// Named curve encoding is OpenSSL 3's default, as peers expect.
		EvpPkeyPtr privateKey{ EVP_EC_gen("P-256") };

		if (!privateKey)
		{
			const auto reason = PopOpenSslError();

			MS_THROW_ERROR("DTLS certificate: P-256 key generation failed (%s)", reason.c_str());
		}

		X509Ptr certificate{ X509_new() };

		if (!certificate)
		{
			const auto reason = PopOpenSslError();

			MS_THROW_ERROR("DTLS certificate: X509_new() failed (%s)", reason.c_str());
		}

		// Random serial number and common name, so two workers (or two runs) never
		// present the same identity. The serial is forced odd so it is never zero.
		uint64_t serial{ 0u };
		std::array<unsigned char, 8> nameBytes{};

		if (
			RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial)) != 1 ||
			RAND_bytes(nameBytes.data(), static_cast<int>(nameBytes.size())) != 1)
		{
			const auto reason = PopOpenSslError();

			MS_THROW_ERROR("DTLS certificate: RAND_bytes() failed (%s)", reason.c_str());
		}

		serial |= 1u;

		const std::string commonName = "mediasoup" + ToHex(nameBytes, "");

		X509* cert       = certificate.get();
		X509_NAME* name  = X509_get_subject_name(cert);
		const auto* cn   = reinterpret_cast<const unsigned char*>(commonName.c_str());
		const auto* from = X509_gmtime_adj(X509_getm_notBefore(cert), -ValidityBeforeNowSeconds);
		const auto* to   = X509_gmtime_adj(X509_getm_notAfter(cert), ValidityAfterNowSeconds);

		// Self-signed: the subject is also the issuer.
		bool filled = from != nullptr && to != nullptr;

		filled = filled && X509_set_version(cert, X509_VERSION_3) == 1;
		filled = filled && ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial) == 1;
		filled = filled && X509_set_pubkey(cert, privateKey.get()) == 1;
		filled = filled && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) == 1;
		filled = filled && X509_set_issuer_name(cert, name) == 1;

		if (!filled)
		{
			const auto reason = PopOpenSslError();

			MS_THROW_ERROR("DTLS certificate: cannot fill the certificate (%s)", reason.c_str());
		}

		// X509_sign() returns the signature size, 0 on failure.
		if (X509_sign(cert, privateKey.get(), EVP_sha256()) <= 0)
		{
			const auto reason = PopOpenSslError();

			MS_THROW_ERROR("DTLS certificate: X509_sign() failed (%s)", reason.c_str());
		}

		return std::unique_ptr<DtlsCertificate>(
			new DtlsCertificate(std::move(certificate), std::move(privateKey)));
	}

	DtlsCertificate::BioPtr DtlsCertificate::OpenFile(const std::string& file, const char* what)
	{
		BioPtr bio{ BIO_new_file(file.c_str(), "r") };

		if (!bio)
		{
			const auto reason = PopOpenSslError();

			MS_THROW_TYPE_ERROR("cannot open DTLS %s file '%s' (%s)", what, file.c_str(), reason.c_str());
		}

		return bio;
	}

	DtlsCertificate::X509Ptr DtlsCertificate::ReadCertificateFile(const std::string& file)
	{
		// This may throw.
		auto bio = OpenFile(file, "certificate");

		// Only the first certificate of the file is used: DTLS peers check the
		// fingerprint, not a chain.
		X509Ptr certificate{ PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr) };

		if (!certificate)
		{
			const auto reason = PopOpenSslError();

			MS_THROW_TYPE_ERROR(
				"invalid DTLS certificate file '%s': no PEM certificate could be read (%s)",
				file.c_str(),
				reason.c_str());
		}

		return certificate;
	}

	DtlsCertificate::EvpPkeyPtr DtlsCertificate::ReadPrivateKeyFile(const std::string& file)
	{
		// This may throw.
		auto bio = OpenFile(file, "private key");

		EvpPkeyPtr privateKey{ PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) };

		if (!privateKey)
		{
			const auto reason = PopOpenSslError();

			MS_THROW_TYPE_ERROR(
				"invalid DTLS private key file '%s': no unencrypted PEM private key could be read (%s)",
				file.c_str(),
				reason.c_str());
		}

		return privateKey;
	}

	/* Instance methods. */

	DtlsCertificate::DtlsCertificate(X509Ptr certificate, EvpPkeyPtr privateKey)
			: certificate(std::move(certificate)), privateKey(std::move(privateKey))
	{
		this->fingerprints.reserve(FingerprintAlgorithms.size());

		for (const auto& algorithm : FingerprintAlgorithms)
		{
			unsigned char digest[EVP_MAX_MD_SIZE];
			unsigned int len{ 0u };

			// If this throws, the members already built free the certificate and key.
			if (X509_digest(this->certificate.get(), algorithm.digest(), digest, &len) != 1)
			{
				const auto reason = PopOpenSslError();

				MS_THROW_ERROR(
					"DTLS certificate: X509_digest() failed for %s (%s)", algorithm.name, reason.c_str());
			}

			this->fingerprints.push_back({ algorithm.name, ToHex({ digest, len }, ":") });
		}
	}

	DtlsCertificate::~DtlsCertificate() = default;

	void DtlsCertificate::OpenSslDeleter::operator()(X509* certificate) const
	{
		X509_free(certificate);
	}

	void DtlsCertificate::OpenSslDeleter::operator()(EVP_PKEY* key) const
	{
		EVP_PKEY_free(key);
	}

	void DtlsCertificate::OpenSslDeleter::operator()(BIO* bio) const
	{
		BIO_free(bio);
	}
} // namespace RTC
