#define MS_CLASS "DepOpenSSL"

#include "DepOpenSSL.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

#include <openssl/crypto.h>
#include <openssl/ssl.h>

void DepOpenSSL::ClassInit()
{
	if (
		OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr) !=
		1)
	{
		MS_THROW_ERROR("OPENSSL_init_ssl() failed");
	}

	MS_DEBUG_TAG(info, "OpenSSL version: %s", GetVersion());
}

const char* DepOpenSSL::GetVersion()
{
	return OpenSSL_version(OPENSSL_VERSION);
}
