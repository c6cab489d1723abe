#ifndef MS_TIMER_HANDLE_HPP
#define MS_TIMER_HANDLE_HPP

#include "common.hpp"

#include <uv.h>

// A libuv timer calling its listener. Protocol logic never owns one: the
// thin owners (transports) arm it at the deadline the logic reports.
class TimerHandle
{
public:
	class Listener
	{
	public:
		virtual ~Listener() = default;

	public:
		virtual void OnTimer(TimerHandle* timer) = 0;
	};

public:
	explicit TimerHandle(Listener* listener);
	~TimerHandle();
	TimerHandle(const TimerHandle&)            = delete;
	TimerHandle& operator=(const TimerHandle&) = delete;

public:
	// `repeatMs` 0: one shot. Restarting a running timer reschedules it.
	void Start(uint64_t timeoutMs, uint64_t repeatMs = 0u);
	void Stop();
	bool IsActive() const;
	// Lets the loop end while this timer runs (housekeeping that must not
	// keep a closing worker alive).
	void Unref();

	/* Callbacks fired by libuv. */
public:
	void OnUvTimer();

private:
	// Passed by argument.
	Listener* listener{ nullptr };
	// Allocated by this (freed by libuv's close callback).
	uv_timer_t* uvHandle{ nullptr };
};

#endif
