#include "common.hpp"

#include "DepLibUV.hpp"
#include "handles/TestLoop.hpp"
#include "handles/TimerHandle.hpp"

#include <catch2/catch.hpp>
#include <uv.h>

namespace
{
	// Counts firings; optionally stops or deletes the timer from its callback.
	class FakeListener : public TimerHandle::Listener
	{
	public:
		void OnTimer(TimerHandle* timer) override
		{
			++this->count;

			if (this->stopAt != 0u && this->count == this->stopAt)
			{
				timer->Stop();
			}

			if (this->owned && this->count == 1u)
			{
				this->owned.reset();
			}
		}

	public:
		size_t count{ 0u };
		size_t stopAt{ 0u };
		std::unique_ptr<TimerHandle> owned;
	};
} // namespace

TEST_CASE("TimerHandle fires once", "[TimerHandle]")
{
	FakeListener listener;

	{
		TimerHandle timer(&listener);

		REQUIRE_FALSE(timer.IsActive());

		timer.Start(5u);

		REQUIRE(timer.IsActive());
		REQUIRE(TestLoop::RunUntil([&] { return listener.count == 1u; }));
		REQUIRE_FALSE(timer.IsActive());

		// Nothing more comes.
		TestLoop::RunUntil([] { return false; }, 30u);

		REQUIRE(listener.count == 1u);
	}

	TestLoop::Drain();
}

TEST_CASE("TimerHandle repeats until stopped", "[TimerHandle]")
{
	FakeListener listener;

	listener.stopAt = 3u;

	{
		TimerHandle timer(&listener);

		timer.Start(1u, 1u);

		REQUIRE(TestLoop::RunUntil([&] { return listener.count == 3u; }));
		REQUIRE_FALSE(timer.IsActive());

		TestLoop::RunUntil([] { return false; }, 20u);

		REQUIRE(listener.count == 3u);
	}

	TestLoop::Drain();
}

TEST_CASE("TimerHandle Stop() before it fires", "[TimerHandle]")
{
	FakeListener listener;

	{
		TimerHandle timer(&listener);

		timer.Start(10u);
		timer.Stop();

		REQUIRE_FALSE(timer.IsActive());

		TestLoop::RunUntil([] { return false; }, 40u);

		REQUIRE(listener.count == 0u);

		// Usable again after a Stop().
		timer.Start(1u);

		REQUIRE(TestLoop::RunUntil([&] { return listener.count == 1u; }));
	}

	TestLoop::Drain();
}

TEST_CASE("TimerHandle Start() reschedules a running timer", "[TimerHandle]")
{
	FakeListener listener;

	{
		TimerHandle timer(&listener);

		timer.Start(1u, 1u);
		// Now a one-shot far away: the repeat is gone.
		timer.Start(100000u);

		TestLoop::RunUntil([] { return false; }, 30u);

		REQUIRE(listener.count == 0u);
		REQUIRE(timer.IsActive());
	}

	TestLoop::Drain();
}

TEST_CASE("TimerHandle deleted from its own callback", "[TimerHandle]")
{
	FakeListener listener;

	listener.owned = std::make_unique<TimerHandle>(&listener);
	listener.owned->Start(1u, 1u);

	REQUIRE(TestLoop::RunUntil([&] { return !listener.owned; }));

	TestLoop::RunUntil([] { return false; }, 20u);
	TestLoop::Drain();

	REQUIRE(listener.count == 1u);
}

TEST_CASE("TimerHandle destroyed while running never fires", "[TimerHandle]")
{
	FakeListener listener;

	{
		TimerHandle timer(&listener);

		timer.Start(1u);
	}

	TestLoop::RunUntil([] { return false; }, 20u);
	TestLoop::Drain();

	REQUIRE(listener.count == 0u);
}
