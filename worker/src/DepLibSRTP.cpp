#define MS_CLASS "DepLibSRTP"

#include "DepLibSRTP.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

#include <srtp2/srtp.h>

void DepLibSRTP::ClassInit()
{
	const srtp_err_status_t status = srtp_init();

	if (status != srtp_err_status_ok)
	{
		MS_THROW_ERROR("srtp_init() failed with status %d", static_cast<int>(status));
	}

	MS_DEBUG_TAG(info, "libsrtp version: %s", GetVersion());
}

void DepLibSRTP::ClassDestroy()
{
	srtp_shutdown();
}

const char* DepLibSRTP::GetVersion()
{
	return srtp_get_version_string();
}
