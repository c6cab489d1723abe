#ifndef MS_DEP_OPENSSL_HPP
#define MS_DEP_OPENSSL_HPP

#include "common.hpp"

// Process-wide initialisation of OpenSSL (libssl and libcrypto).
class DepOpenSSL
{
public:
	// Throws MediaSoupError if OpenSSL cannot be initialised.
	static void ClassInit();
	static const char* GetVersion();
};

#endif
