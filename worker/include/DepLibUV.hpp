#ifndef MS_DEP_LIBUV_HPP
#define MS_DEP_LIBUV_HPP

#include "common.hpp"

#include <uv.h>

// The libuv event loop of this process (its default loop) and its clock.
class DepLibUV
{
public:
	static uv_loop_t* GetLoop() { return uv_default_loop(); }
	static void RunLoop();
	// Closes every handle left and runs the loop until they are gone.
	static void ClassDestroy();
	// clang-format off
#ifdef MEDIASOUP_FUZZER
	// The whole-path fuzzer (worker/fuzzer) compiles the worker with this
	// define: its clock is whatever the fuzzer sets, so that a crash input
	// replays the same.
	static inline uint64_t fuzzerTimeUs{ 0u };
	static void SetFuzzerTimeUs(uint64_t timeUs) { fuzzerTimeUs = timeUs; }
	static uint64_t GetTimeMs() { return fuzzerTimeUs / 1000u; }
	static uint64_t GetTimeMsNow() { return fuzzerTimeUs / 1000u; }
	static uint64_t GetTimeUsNow() { return fuzzerTimeUs; }
#else
	// Milliseconds of the loop's monotonic clock (cached per loop iteration).
	static uint64_t GetTimeMs() { return uv_now(uv_default_loop()); }
	// Milliseconds of the monotonic clock, read now.
	static uint64_t GetTimeMsNow() { return uv_hrtime() / 1000000u; }
	// Microseconds of the monotonic clock, read now (packet arrival times for
	// bandwidth feedback, where the loop's cached millisecond is too coarse).
	static uint64_t GetTimeUsNow() { return uv_hrtime() / 1000u; }
#endif
	static const char* GetVersion() { return uv_version_string(); }
	// clang-format on
};

#endif
