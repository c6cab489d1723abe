#define MS_CLASS "DepUsrSCTP"

#include "DepUsrSCTP.hpp"

#include "Logger.hpp"

#include <usrsctp.h>

namespace
{
	// usrsctp hands every outgoing SCTP packet to this callback, with the
	// address the association was connected to. No association exists in this
	// process until a transport enables SCTP, so there is nowhere to send it.
	int onSctpOutbound(
		void* /*addr*/, void* /*data*/, size_t /*len*/, uint8_t /*tos*/, uint8_t /*setDf*/)
	{
		MS_WARN_TAG(sctp, "outgoing SCTP packet with no association to carry it, dropped");

		return -1;
	}
} // namespace

void DepUsrSCTP::ClassInit()
{
	// Port 0: no UDP encapsulation; packets go through onSctpOutbound.
	usrsctp_init_nothreads(0, onSctpOutbound, nullptr);

	// No ECN, as in WebRTC's own use of usrsctp.
	usrsctp_sysctl_set_sctp_ecn_enable(0);

	MS_DEBUG_TAG(info, "usrsctp initialised");
}

void DepUsrSCTP::ClassDestroy()
{
	usrsctp_finish();
}
