#include "common.hpp"

#include "MediaSoupErrors.hpp"
#include "RTC/DtlsCertificate.hpp"

#include <catch2/catch.hpp>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <vector>

// Fixtures in test/data, made once with the openssl CLI (indented lines
// continue the command above them):
//
//   openssl req -x509 -newkey rsa:2048 -nodes -keyout dtls-key.pem -out dtls-cert.pem
//     -days 36500 -sha256 -subj "/CN=mediasoup-test"
//   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out dtls-other-key.pem
//   openssl req -x509 -newkey ed25519 -nodes -keyout dtls-ed25519-key.pem
//     -out dtls-ed25519-cert.pem -days 36500 -subj "/CN=mediasoup-test-ed25519"
//   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-256-cbc
//     -pass pass:mediasoup -out dtls-encrypted-key.pem
//
// garbage.pem is a text line followed by a PEM block that is not DER.

using namespace RTC;

namespace
{
	std::string DataFile(const char* name)
	{
		return std::string(MS_TEST_DATA_DIR) + "/" + name;
	}

	// Upper-case hex pairs separated by ':', as in SDP a=fingerprint.
	bool IsFingerprintFormat(const std::string& value)
	{
		if (value.size() % 3u != 2u)
		{
			return false;
		}

		for (size_t i{ 0u }; i < value.size(); ++i)
		{
			const char c = value[i];

			if (i % 3u == 2u)
			{
				if (c != ':')
				{
					return false;
				}
			}
			else if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			{
				return false;
			}
		}

		return true;
	}

	std::string GetCommonName(X509* certificate)
	{
		char buffer[256]{};

		X509_NAME_get_text_by_NID(
			X509_get_subject_name(certificate), NID_commonName, buffer, sizeof(buffer));

		return buffer;
	}
} // namespace

SCENARIO("DtlsCertificate::FromFiles() loads PEM files", "[DtlsCertificate]")
{
	SECTION("RSA certificate: fingerprints equal those of `openssl x509 -fingerprint`")
	{
		const auto certificate =
			DtlsCertificate::FromFiles(DataFile("dtls-cert.pem"), DataFile("dtls-key.pem"));

		REQUIRE(certificate);
		REQUIRE(certificate->GetCertificate() != nullptr);
		REQUIRE(certificate->GetPrivateKey() != nullptr);
		REQUIRE(EVP_PKEY_is_a(certificate->GetPrivateKey(), "RSA") == 1);
		REQUIRE(GetCommonName(certificate->GetCertificate()) == "mediasoup-test");

		struct Row
		{
			const char* algorithm;
			const char* value;
		};

		// `openssl x509 -noout -fingerprint -sha1 (-sha224...) -in dtls-cert.pem`.
		const std::vector<Row> expected{
			{ "sha-1",
				"BF:29:C5:67:42:2F:E2:4A:BC:FB:33:50:E5:D4:25:A3:"
				"83:C4:17:50" },
			{ "sha-224",
				"C0:C9:9C:A1:E8:EE:3B:BF:4C:CA:48:47:A9:F8:30:10:"
				"FD:BD:18:40:73:5D:93:2E:74:B7:AF:14" },
			{ "sha-256",
				"6D:C8:68:23:4F:F4:17:29:D3:AE:7F:F1:22:1F:C4:6E:"
				"57:62:8A:DF:BE:94:6F:88:08:F1:16:60:DB:5E:47:81" },
			{ "sha-384",
				"9E:7B:86:08:39:3D:C2:BF:02:3E:DB:3A:EA:07:5A:B6:"
				"31:3A:06:1F:11:1C:9C:46:B4:AB:2B:5E:7A:5B:99:87:"
				"64:8F:5D:B2:A3:71:84:5C:55:C4:77:9C:3F:EE:C1:3B" },
			{ "sha-512",
				"66:47:A2:5F:E3:EC:60:B8:10:DF:A4:C3:CA:70:49:DA:"
				"BF:ED:BB:3E:67:45:3F:6A:73:C4:19:29:9E:D3:9D:C1:"
				"8F:0C:78:7C:52:2D:96:1F:CF:7C:1F:E4:8C:16:AA:D6:"
				"C0:3C:41:0F:C2:6C:FA:51:8B:F7:0E:42:6B:3E:87:A6" },
		};

		const auto& fingerprints = certificate->GetFingerprints();

		REQUIRE(fingerprints.size() == expected.size());

		for (size_t i{ 0u }; i < expected.size(); ++i)
		{
			INFO("row " << i << ": " << expected[i].algorithm);

			CHECK(fingerprints[i].algorithm == expected[i].algorithm);
			CHECK(fingerprints[i].value == expected[i].value);
		}
	}

	SECTION("Ed25519 certificate")
	{
		const auto certificate = DtlsCertificate::FromFiles(
			DataFile("dtls-ed25519-cert.pem"), DataFile("dtls-ed25519-key.pem"));

		REQUIRE(certificate);
		REQUIRE(EVP_PKEY_is_a(certificate->GetPrivateKey(), "ED25519") == 1);
		REQUIRE(certificate->GetFingerprints().size() == 5u);
		// `openssl x509 -fingerprint -sha256 -in dtls-ed25519-cert.pem`.
		REQUIRE(
			certificate->GetFingerprints()[2].value == "5F:13:A2:5B:6C:21:E6:A6:F4:1C:42:87:55:30:27:CF:"
																								 "33:B3:A8:F6:52:4C:75:31:54:7B:9A:C1:90:3B:D8:0B");
	}

	// A failed load must not leave errors in OpenSSL's per-thread queue, where
	// a later SSL_get_error() would mistake them for a DTLS failure.
	REQUIRE(ERR_peek_error() == 0u);
}

SCENARIO("DtlsCertificate::FromFiles() rejects bad files", "[DtlsCertificate]")
{
	struct Row
	{
		const char* description;
		std::string certificateFile;
		std::string privateKeyFile;
		// The file the error message must name.
		std::string namedFile;
	};

	const auto missing   = DataFile("does-not-exist.pem");
	const auto garbage   = DataFile("garbage.pem");
	const auto cert      = DataFile("dtls-cert.pem");
	const auto key       = DataFile("dtls-key.pem");
	const auto otherKey  = DataFile("dtls-other-key.pem");
	const auto edKey     = DataFile("dtls-ed25519-key.pem");
	const auto encrypted = DataFile("dtls-encrypted-key.pem");

	const std::vector<Row> rows{
		{ "missing certificate file", missing, key, missing },
		{ "missing private key file", cert, missing, missing },
		{ "certificate file is a directory", MS_TEST_DATA_DIR, key, MS_TEST_DATA_DIR },
		{ "garbage certificate file", garbage, key, garbage },
		{ "garbage private key file", cert, garbage, garbage },
		{ "private key given as certificate", key, key, key },
		{ "certificate given as private key", cert, cert, cert },
		{ "encrypted private key (never prompts)", cert, encrypted, encrypted },
		{ "private key of another RSA certificate", cert, otherKey, otherKey },
		{ "private key of another type", cert, edKey, edKey },
	};

	for (const auto& row : rows)
	{
		DYNAMIC_SECTION(row.description)
		{
			std::string message;

			try
			{
				DtlsCertificate::FromFiles(row.certificateFile, row.privateKeyFile);

				FAIL("no error thrown");
			}
			catch (const MediaSoupTypeError& error)
			{
				message = error.what();
			}

			INFO("message: " << message);

			REQUIRE(message.find("'" + row.namedFile + "'") != std::string::npos);
			REQUIRE(ERR_peek_error() == 0u);
		}
	}
}

SCENARIO("DtlsCertificate::Generate() makes a self-signed ECDSA certificate", "[DtlsCertificate]")
{
	const auto certificate = DtlsCertificate::Generate();

	REQUIRE(certificate);

	X509* x509    = certificate->GetCertificate();
	EVP_PKEY* key = certificate->GetPrivateKey();

	REQUIRE(x509 != nullptr);
	REQUIRE(key != nullptr);

	SECTION("P-256 key matching the certificate, which it signed with SHA-256")
	{
		char group[64]{};
		size_t groupLen{ 0u };

		REQUIRE(EVP_PKEY_is_a(key, "EC") == 1);
		REQUIRE(EVP_PKEY_get_group_name(key, group, sizeof(group), &groupLen) == 1);
		REQUIRE(std::string(group) == "prime256v1");
		REQUIRE(X509_check_private_key(x509, key) == 1);
		REQUIRE(X509_verify(x509, key) == 1);
		REQUIRE(X509_get_signature_nid(x509) == NID_ecdsa_with_SHA256);
		REQUIRE(X509_get_version(x509) == X509_VERSION_3);
	}

	SECTION("random serial, subject equals issuer, random common name")
	{
		const auto commonName = GetCommonName(x509);

		REQUIRE(X509_NAME_cmp(X509_get_subject_name(x509), X509_get_issuer_name(x509)) == 0);
		REQUIRE(commonName.starts_with("mediasoup"));
		REQUIRE(commonName.size() > std::string("mediasoup").size());
		uint64_t serial{ 0u };

		REQUIRE(ASN1_INTEGER_get_uint64(&serial, X509_get_serialNumber(x509)) == 1);
		REQUIRE(serial != 0u);
	}

	SECTION("valid from one day ago until 30 days from now")
	{
		time_t now = time(nullptr);
		int days{ 0 };
		int seconds{ 0 };

		REQUIRE(X509_cmp_time(X509_get0_notBefore(x509), &now) < 0);
		REQUIRE(X509_cmp_time(X509_get0_notAfter(x509), &now) > 0);
		REQUIRE(
			ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(x509), X509_get0_notAfter(x509)) == 1);
		REQUIRE(days == 31);
		REQUIRE(seconds == 0);

		// notBefore is one day before now, give or take the test's run time
		// (a null time means now).
		REQUIRE(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(x509), nullptr) == 1);
		REQUIRE(days == 1);
		REQUIRE(seconds < 60);
	}

	SECTION("five fingerprints of the right algorithms and lengths")
	{
		struct Row
		{
			const char* algorithm;
			size_t length;
		};

		// N bytes print as 2N hex digits and N-1 colons.
		const std::vector<Row> expected{
			{ "sha-1", 59u },    { "sha-224", 83u },  { "sha-256", 95u },
			{ "sha-384", 143u }, { "sha-512", 191u },
		};

		const auto& fingerprints = certificate->GetFingerprints();

		REQUIRE(fingerprints.size() == expected.size());

		for (size_t i{ 0u }; i < expected.size(); ++i)
		{
			INFO("row " << i << ": " << expected[i].algorithm << " " << fingerprints[i].value);

			CHECK(fingerprints[i].algorithm == expected[i].algorithm);
			CHECK(fingerprints[i].value.size() == expected[i].length);
			CHECK(IsFingerprintFormat(fingerprints[i].value));
		}
	}

	SECTION("two generated certificates differ")
	{
		const auto other = DtlsCertificate::Generate();

		REQUIRE(other);
		REQUIRE(X509_check_private_key(x509, other->GetPrivateKey()) == 0);
		ERR_clear_error();
		REQUIRE(EVP_PKEY_eq(key, other->GetPrivateKey()) != 1);
		REQUIRE(
			ASN1_INTEGER_cmp(
				X509_get_serialNumber(x509), X509_get_serialNumber(other->GetCertificate())) != 0);
		REQUIRE(GetCommonName(x509) != GetCommonName(other->GetCertificate()));

		for (size_t i{ 0u }; i < certificate->GetFingerprints().size(); ++i)
		{
			CHECK(certificate->GetFingerprints()[i].value != other->GetFingerprints()[i].value);
		}
	}

	REQUIRE(ERR_peek_error() == 0u);
}
