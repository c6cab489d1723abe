#define MS_CLASS "TimerHandle"

#include "handles/TimerHandle.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

namespace
{
	void onTimer(uv_timer_t* handle)
	{
		static_cast<TimerHandle*>(handle->data)->OnUvTimer();
	}

	void onClose(uv_handle_t* handle)
	{
		delete reinterpret_cast<uv_timer_t*>(handle);
	}
} // namespace

TimerHandle::TimerHandle(Listener* listener) : listener(listener)
{
	auto* handle  = new uv_timer_t;
	const int err = uv_timer_init(DepLibUV::GetLoop(), handle);

	if (err != 0)
	{
		// Not registered in the loop: nothing to close.
		delete handle;

		MS_THROW_ERROR("uv_timer_init() failed: %s", uv_strerror(err));
	}

	handle->data   = this;
	this->uvHandle = handle;
}

TimerHandle::~TimerHandle()
{
	// Closing stops the timer; the memory goes in the close callback. Safe from
	// inside OnTimer() too: libuv no longer touches the handle then.
	this->uvHandle->data = nullptr;

	uv_close(reinterpret_cast<uv_handle_t*>(this->uvHandle), onClose);
}

void TimerHandle::Start(uint64_t timeoutMs, uint64_t repeatMs)
{
	// uv_timer_start() reschedules a running timer, as the header promises.
	const int err = uv_timer_start(this->uvHandle, onTimer, timeoutMs, repeatMs);

	if (err != 0)
	{
		// Only possible on a closing handle, which this class never exposes.
		MS_ABORT("uv_timer_start() failed: %s", uv_strerror(err));
	}
}

void TimerHandle::Stop()
{
	uv_timer_stop(this->uvHandle);
}

bool TimerHandle::IsActive() const
{
	return uv_is_active(reinterpret_cast<const uv_handle_t*>(this->uvHandle)) != 0;
}

void TimerHandle::Unref()
{
	uv_unref(reinterpret_cast<uv_handle_t*>(this->uvHandle));
}

void TimerHandle::OnUvTimer()
{
	// The listener may delete this timer: nothing after the call.
	this->listener->OnTimer(this);
}
