#define MS_CLASS "DepUsrSCTP"

#include "DepUsrSCTP.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "handles/TimerHandle.hpp"

#include <usrsctp.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <unordered_map>

namespace
{
	// usrsctp's timers have a 10 ms granularity of their own.
	constexpr uint64_t TimerIntervalMs{ 10u };
	// A closed socket and its association are freed by usrsctp's own timers
	// (the association and endpoint "kill" timers, tens of ms), not by
	// usrsctp_close(). Stopping the timers with the last association left
	// every socket closed since the last tick allocated for good: routers
	// with SCTP created and closed one after another grew the worker by
	// ~175 bytes each. So the timers keep running this long after the last
	// association goes: the maximum RTO we configure, far longer than any
	// of usrsctp's cleanup timers.
	constexpr uint64_t SettleMs{ 10000u };

	std::unordered_map<uintptr_t, DepUsrSCTP::Sender*> Senders;
	uintptr_t NextSenderId{ 1u };
	uint64_t LastTimersMs{ 0u };
	// When the last association went (meaningful while none exist).
	uint64_t LastUnregisterMs{ 0u };
	std::unique_ptr<TimerHandle> Timer;

	class PeriodicTimer : public TimerHandle::Listener
	{
	public:
		void OnTimer(TimerHandle* /*timer*/) override
		{
			const uint64_t nowMs = DepLibUV::GetTimeMs();
			const auto elapsedMs = static_cast<uint32_t>(nowMs - LastTimersMs);

			LastTimersMs = nowMs;
			DepUsrSCTP::AdvanceTimers(elapsedMs);

			if (Senders.empty() && nowMs - LastUnregisterMs >= SettleMs)
			{
				Timer->Stop();
			}
		}
	};

	PeriodicTimer TimerListener;

	int onSctpOutbound(void* addr, void* data, size_t len, uint8_t /*tos*/, uint8_t /*setDf*/)
	{
		const auto it = Senders.find(reinterpret_cast<uintptr_t>(addr));

		if (it == Senders.end())
		{
			MS_DEBUG_TAG(sctp, "outgoing SCTP packet of a closed association, dropped");

			return -1;
		}

		it->second->OnUsrSctpSendPacket(static_cast<const uint8_t*>(data), len);

		return 0;
	}

	void onSctpDebug(const char* format, ...)
	{
		char line[1024];
		va_list args;

		va_start(args, format);
		vsnprintf(line, sizeof(line), format, args);
		va_end(args);

		MS_DEBUG_TAG(sctp, "usrsctp: %s", line);
	}
} // namespace

void DepUsrSCTP::ClassInit()
{
	// Port 0: no UDP encapsulation; packets go through onSctpOutbound.
	usrsctp_init_nothreads(0, onSctpOutbound, onSctpDebug);

	// As WebRTC endpoints do: no ECN, no ASCONF and AUTH (browsers do not
	// offer them), PR-SCTP and stream reconfiguration on.
	usrsctp_sysctl_set_sctp_ecn_enable(0);
	usrsctp_sysctl_set_sctp_asconf_enable(0);
	usrsctp_sysctl_set_sctp_auth_enable(0);
	usrsctp_sysctl_set_sctp_pr_enable(1);
	usrsctp_sysctl_set_sctp_reconfig_enable(1);
	// Retransmission timeouts sized for real-time data: a lost packet is
	// resent within a second, and back-off stops at 10 s instead of 60 s.
	usrsctp_sysctl_set_sctp_rto_initial_default(1000);
	usrsctp_sysctl_set_sctp_rto_max_default(10000);
	// usrsctp refuses to queue more than 512 chunks per association by
	// default, in either direction: a burst of small messages far below the
	// send buffer would be refused (and incoming ones dropped). Bytes stay
	// bounded by the socket buffers; this only bounds chunk bookkeeping.
	usrsctp_sysctl_set_sctp_max_chunks_on_queue(32768);
	// Abort silently on out of the blue packets instead of answering them.
	usrsctp_sysctl_set_sctp_blackhole(2);

	MS_DEBUG_TAG(info, "usrsctp initialised");
}

void DepUsrSCTP::ClassDestroy()
{
	Timer.reset();
	usrsctp_finish();
}

uintptr_t DepUsrSCTP::RegisterSender(Sender* sender)
{
	const uintptr_t id = NextSenderId++;

	Senders[id] = sender;
	usrsctp_register_address(reinterpret_cast<void*>(id));

	if (!Timer)
	{
		Timer = std::make_unique<TimerHandle>(&TimerListener);
		// Settling after the last association must not keep a closing worker
		// alive; while associations exist their transports' sockets do.
		Timer->Unref();
	}

	if (!Timer->IsActive())
	{
		LastTimersMs = DepLibUV::GetTimeMs();
		Timer->Start(TimerIntervalMs, TimerIntervalMs);
	}

	return id;
}

void DepUsrSCTP::UnregisterSender(uintptr_t id)
{
	usrsctp_deregister_address(reinterpret_cast<void*>(id));
	Senders.erase(id);

	// The timers go on for SettleMs so that usrsctp frees what it closed.
	if (Senders.empty())
	{
		LastUnregisterMs = DepLibUV::GetTimeMs();
	}
}

void DepUsrSCTP::AdvanceTimers(uint32_t elapsedMs)
{
	usrsctp_handle_timers(elapsedMs);
}

DepUsrSCTP::Sender* DepUsrSCTP::GetSender(uintptr_t id)
{
	const auto it = Senders.find(id);

	return it == Senders.end() ? nullptr : it->second;
}
