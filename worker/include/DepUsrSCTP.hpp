#ifndef MS_DEP_USRSCTP_HPP
#define MS_DEP_USRSCTP_HPP

#include "common.hpp"

// Process-wide initialisation of usrsctp in its callback (AF_CONN) mode, with
// no threads of its own: its timers are driven from the libuv loop once SCTP
// associations exist.
class DepUsrSCTP
{
public:
	static void ClassInit();
	static void ClassDestroy();
};

#endif
