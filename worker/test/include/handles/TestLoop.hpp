#ifndef MS_TEST_HANDLES_TEST_LOOP_HPP
#define MS_TEST_HANDLES_TEST_LOOP_HPP

#include "common.hpp"

#include "DepLibUV.hpp"
#include "handles/TimerHandle.hpp"

#include <uv.h>

#include <functional>

// Drives the default libuv loop from socket tests, always bounded in time.
namespace TestLoop
{
	class Watchdog : public TimerHandle::Listener
	{
	public:
		void OnTimer(TimerHandle* /*timer*/) override { this->fired = true; }

	public:
		bool fired{ false };
	};

	// Runs loop iterations until `done()` holds or `timeoutMs` passed (a timer
	// wakes the loop up, so UV_RUN_ONCE never blocks for longer). Returns
	// `done()`.
	inline bool RunUntil(const std::function<bool()>& done, uint64_t timeoutMs = 3000u)
	{
		Watchdog watchdog;

		{
			TimerHandle timer(&watchdog);

			uv_update_time(DepLibUV::GetLoop());
			timer.Start(timeoutMs);

			while (!done() && !watchdog.fired)
			{
				uv_run(DepLibUV::GetLoop(), UV_RUN_ONCE);
			}
		}

		// Let the timer's close callback free it.
		uv_run(DepLibUV::GetLoop(), UV_RUN_NOWAIT);

		return done();
	}

	// Runs a few non-blocking iterations: enough for close callbacks (and the
	// callbacks of cancelled requests) to run after uv_close().
	inline void Drain()
	{
		for (int i = 0; i < 10; ++i)
		{
			uv_run(DepLibUV::GetLoop(), UV_RUN_NOWAIT);
		}
	}
} // namespace TestLoop

#endif
