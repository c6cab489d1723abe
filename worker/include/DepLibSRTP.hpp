#ifndef MS_DEP_LIBSRTP_HPP
#define MS_DEP_LIBSRTP_HPP

#include "common.hpp"

// Process-wide initialisation of libsrtp2.
class DepLibSRTP
{
public:
	// Throws MediaSoupError if libsrtp cannot be initialised.
	static void ClassInit();
	static void ClassDestroy();
	static const char* GetVersion();
};

#endif
