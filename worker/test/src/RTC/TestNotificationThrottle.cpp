#include "common.hpp"

#include "RTC/NotificationThrottle.hpp"

#include <catch2/catch.hpp>

using RTC::NotificationThrottle;

TEST_CASE("NotificationThrottle notifies at most once per interval", "[NotificationThrottle]")
{
	NotificationThrottle throttle(1000u);

	SECTION("the first change is notified at once")
	{
		REQUIRE(throttle.OnChange(5000u));
		REQUIRE_FALSE(throttle.GetDeadlineMs());
	}

	SECTION("changes a whole interval apart are all notified at once")
	{
		REQUIRE(throttle.OnChange(5000u));
		REQUIRE(throttle.OnChange(6000u));
		REQUIRE(throttle.OnChange(7500u));
		REQUIRE_FALSE(throttle.GetDeadlineMs());
	}

	SECTION("a burst within the interval is held and reported once at its end")
	{
		REQUIRE(throttle.OnChange(5000u));

		// One change per packet, as alternating sources would cause.
		for (uint64_t nowMs = 5001u; nowMs < 6000u; nowMs += 7u)
		{
			REQUIRE_FALSE(throttle.OnChange(nowMs));
			REQUIRE(throttle.GetDeadlineMs() == 6000u);
		}

		REQUIRE_FALSE(throttle.OnTimeout(5999u));
		REQUIRE(throttle.OnTimeout(6000u));
		REQUIRE_FALSE(throttle.GetDeadlineMs());
		// Nothing more held: a second timeout reports nothing.
		REQUIRE_FALSE(throttle.OnTimeout(6001u));

		// The reported one starts a new interval.
		REQUIRE_FALSE(throttle.OnChange(6500u));
		REQUIRE(throttle.GetDeadlineMs() == 7000u);
		REQUIRE(throttle.OnTimeout(7200u));
		REQUIRE_FALSE(throttle.OnChange(8000u));
		REQUIRE(throttle.GetDeadlineMs() == 8200u);
	}

	SECTION("a late timer still reports the held change")
	{
		REQUIRE(throttle.OnChange(5000u));
		REQUIRE_FALSE(throttle.OnChange(5500u));
		REQUIRE(throttle.OnTimeout(9000u));
	}

	SECTION("time going backwards counts as no time passing")
	{
		REQUIRE(throttle.OnChange(5000u));
		REQUIRE_FALSE(throttle.OnChange(100u));
		REQUIRE(throttle.GetDeadlineMs() == 6000u);
		REQUIRE_FALSE(throttle.OnTimeout(200u));
		REQUIRE(throttle.OnTimeout(6000u));
	}
}
