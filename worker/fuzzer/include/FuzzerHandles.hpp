#ifndef MS_FUZZER_HANDLES_HPP
#define MS_FUZZER_HANDLES_HPP

// What the whole-path fuzzer (FuzzerRouter.cpp) sees of its replacements of
// the socket and timer handles (src/WholePath/Fake*.cpp): no datagram goes to
// the network, and timers fire when the fuzzer's clock says so.

#include "common.hpp"

#include "handles/UdpSocketHandle.hpp"

namespace FuzzerHandles
{
	// The socket a transport (its UdpSocketHandle::Listener) received, in
	// creation order; nullptr if none.
	UdpSocketHandle* FindUdpSocket(const UdpSocketHandle::Listener* listener, size_t nth = 0u);
	size_t GetUdpSocketCount();
	// Hands a datagram to the socket's listener, from a heap copy of exactly
	// `len` bytes (so that ASan sees any read past its end) that the listener
	// may modify, as the real receive buffer.
	void DeliverDatagram(
		UdpSocketHandle* socket, const uint8_t* data, size_t len, const struct sockaddr* remoteAddr);
	// Fires the timers due at DepLibUV's (fuzzer) clock, earliest first, at most
	// `maxFirings` of them (a timer re-armed at 0 ms would fire forever).
	void FireDueTimers(size_t maxFirings);
	size_t GetTimerCount();
} // namespace FuzzerHandles

#endif
