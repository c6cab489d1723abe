#ifndef MS_DEP_USRSCTP_HPP
#define MS_DEP_USRSCTP_HPP

#include "common.hpp"

// Process-wide initialisation of usrsctp in its callback (AF_CONN) mode, with
// no threads of its own: its timers are driven from the libuv loop while SCTP
// associations exist, and for a while after the last one goes.
//
// usrsctp hands every outgoing SCTP packet to one process-wide callback with
// the address the association was bound to. That address is an id registered
// here, so a packet of an association that is gone finds nobody, instead of a
// dangling pointer.
class DepUsrSCTP
{
public:
	// Whoever carries the SCTP packets of one association.
	class Sender
	{
	public:
		virtual ~Sender() = default;

	public:
		virtual void OnUsrSctpSendPacket(const uint8_t* data, size_t len) = 0;
	};

public:
	static void ClassInit();
	static void ClassDestroy();
	// Returns the id to bind the association's socket to. Starts the timers
	// with the first association.
	static uintptr_t RegisterSender(Sender* sender);
	// The timers stop a while after the last association goes (see SettleMs).
	static void UnregisterSender(uintptr_t id);
	// Tells usrsctp that time passed (the periodic timer does it with the
	// loop's clock; tests do it with theirs).
	static void AdvanceTimers(uint32_t elapsedMs);
	// nullptr once unregistered.
	static Sender* GetSender(uintptr_t id);
};

#endif
