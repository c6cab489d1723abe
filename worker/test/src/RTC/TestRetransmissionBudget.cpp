#include "common.hpp"

#include "RTC/RetransmissionBudget.hpp"

#include <catch2/catch.hpp>

using RTC::RetransmissionBudget;

namespace
{
	constexpr uint64_t Second{ 1000000u };
} // namespace

TEST_CASE("RetransmissionBudget", "[retransmission-budget]")
{
	RetransmissionBudget budget;
	uint64_t nowUs{ 5u * Second };

	// 240 kbit/s: 30000 bytes a second, 15000 held at most.
	budget.SetRate(240000u, nowUs);

	SECTION("a burst up to the window passes, then only the rate")
	{
		size_t taken{ 0u };

		while (budget.TryTake(1000u, nowUs))
		{
			taken += 1000u;
		}

		REQUIRE(taken == 15000u);
		REQUIRE(budget.GetDeniedCount() == 1u);

		// A sustained storm for 10 s: 1000 bytes asked every millisecond.
		taken = 0u;

		for (size_t i{ 0u }; i < 10000u; ++i)
		{
			nowUs += 1000u;

			if (budget.TryTake(1000u, nowUs))
			{
				taken += 1000u;
			}
		}

		REQUIRE(taken <= 300000u + 1000u);
		REQUIRE(taken >= 300000u - 1000u);
	}

	SECTION("idle time earns no more than the window")
	{
		nowUs += 60u * Second;

		size_t taken{ 0u };

		while (budget.TryTake(1000u, nowUs))
		{
			taken += 1000u;
		}

		REQUIRE(taken == 15000u);
	}

	SECTION("a lower rate shrinks what is held, and 0 allows nothing")
	{
		budget.SetRate(80000u, nowUs);

		REQUIRE(budget.TryTake(5000u, nowUs));
		REQUIRE_FALSE(budget.TryTake(1u, nowUs));

		budget.SetRate(0u, nowUs);
		nowUs += 10u * Second;

		REQUIRE_FALSE(budget.TryTake(1u, nowUs));
	}

	SECTION("time going back earns nothing")
	{
		REQUIRE(budget.TryTake(15000u, nowUs));
		REQUIRE_FALSE(budget.TryTake(1u, nowUs - Second));
		REQUIRE_FALSE(budget.TryTake(1u, nowUs));
	}
}
