// The whole-path fuzzer's TimerHandle: no libuv timer, a deadline on the
// fuzzer's clock (DepLibUV::GetTimeMs()) that FuzzerHandles::FireDueTimers()
// honours, earliest first, as libuv would.

#define MS_CLASS "TimerHandle"

#include "DepLibUV.hpp"
#include "FuzzerHandles.hpp"
#include "handles/TimerHandle.hpp"

#include <map>

namespace
{
	struct Schedule
	{
		bool active{ false };
		uint64_t deadlineMs{ 0u };
		uint64_t repeatMs{ 0u };
		// Start order, so that timers due at the same time fire in that order.
		uint64_t sequence{ 0u };
	};

	std::map<TimerHandle*, Schedule> timers;
	uint64_t nextSequence{ 0u };
} // namespace

TimerHandle::TimerHandle(Listener* listener) : listener(listener)
{
	timers[this] = Schedule{};
}

TimerHandle::~TimerHandle()
{
	timers.erase(this);
}

void TimerHandle::Start(uint64_t timeoutMs, uint64_t repeatMs)
{
	timers[this] = Schedule{ true, DepLibUV::GetTimeMs() + timeoutMs, repeatMs, nextSequence++ };
}

void TimerHandle::Stop()
{
	timers[this].active = false;
}

bool TimerHandle::IsActive() const
{
	const auto it = timers.find(const_cast<TimerHandle*>(this));

	return it != timers.end() && it->second.active;
}

// Nothing keeps the fuzzer's loop alive: there is no loop.
void TimerHandle::Unref() {}

void TimerHandle::OnUvTimer()
{
	// The listener may delete this timer: nothing after the call.
	this->listener->OnTimer(this);
}

namespace FuzzerHandles
{
	void FireDueTimers(size_t maxFirings)
	{
		const uint64_t nowMs = DepLibUV::GetTimeMs();

		for (size_t i = 0u; i < maxFirings; ++i)
		{
			TimerHandle* due{ nullptr };
			Schedule* dueSchedule{ nullptr };

			for (auto& [timer, schedule] : timers)
			{
				if (
					schedule.active && schedule.deadlineMs <= nowMs &&
					(!dueSchedule || schedule.deadlineMs < dueSchedule->deadlineMs ||
					 (schedule.deadlineMs == dueSchedule->deadlineMs &&
						schedule.sequence < dueSchedule->sequence)))
				{
					due         = timer;
					dueSchedule = &schedule;
				}
			}

			if (!due)
			{
				return;
			}

			if (dueSchedule->repeatMs != 0u)
			{
				dueSchedule->deadlineMs = nowMs + dueSchedule->repeatMs;
				dueSchedule->sequence   = nextSequence++;
			}
			else
			{
				dueSchedule->active = false;
			}

			due->OnUvTimer();
		}
	}

	size_t GetTimerCount()
	{
		return timers.size();
	}
} // namespace FuzzerHandles
