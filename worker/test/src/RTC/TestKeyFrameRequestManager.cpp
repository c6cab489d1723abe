#include "common.hpp"

#include "RTC/KeyFrameRequestManager.hpp"

#include <catch2/catch.hpp>

using RTC::KeyFrameRequestManager;

TEST_CASE("KeyFrameRequestManager without a delay", "[KeyFrameRequestManager]")
{
	KeyFrameRequestManager manager;
	uint64_t nowMs{ 10000u };

	REQUIRE(!manager.GetNextDeadlineMs());
	REQUIRE(!manager.OnTimeout(nowMs));

	SECTION("the first request goes at once, more while awaiting send nothing")
	{
		REQUIRE(manager.RequestKeyFrame(nowMs));
		REQUIRE(manager.IsPending());
		REQUIRE(!manager.RequestKeyFrame(nowMs));
		REQUIRE(!manager.RequestKeyFrame(nowMs + 500u));
		REQUIRE(manager.GetRequestsSent() == 1u);
	}

	SECTION("retried every RetryIntervalMs until a key frame arrives")
	{
		REQUIRE(manager.RequestKeyFrame(nowMs));
		REQUIRE(manager.GetNextDeadlineMs() == nowMs + KeyFrameRequestManager::RetryIntervalMs);
		REQUIRE(!manager.OnTimeout(nowMs + KeyFrameRequestManager::RetryIntervalMs - 1u));

		for (int i = 1; i <= 5; ++i)
		{
			nowMs += KeyFrameRequestManager::RetryIntervalMs;

			REQUIRE(manager.OnTimeout(nowMs));
			REQUIRE(manager.GetNextDeadlineMs() == nowMs + KeyFrameRequestManager::RetryIntervalMs);
		}

		REQUIRE(manager.GetRequestsSent() == 6u);

		manager.KeyFrameReceived();

		REQUIRE(!manager.IsPending());
		REQUIRE(!manager.GetNextDeadlineMs());
		REQUIRE(!manager.OnTimeout(nowMs + 10u * KeyFrameRequestManager::RetryIntervalMs));
	}

	SECTION("once the key frame arrived, a new request goes at once")
	{
		REQUIRE(manager.RequestKeyFrame(nowMs));
		manager.KeyFrameReceived();
		REQUIRE(manager.RequestKeyFrame(nowMs + 1u));
		REQUIRE(manager.GetRequestsSent() == 2u);
	}

	SECTION("a key frame arriving unasked changes nothing")
	{
		manager.KeyFrameReceived();
		REQUIRE(!manager.IsPending());
		REQUIRE(manager.RequestKeyFrame(nowMs));
	}
}

TEST_CASE("KeyFrameRequestManager with a delay", "[KeyFrameRequestManager]")
{
	KeyFrameRequestManager manager(500u);
	const uint64_t nowMs{ 10000u };

	SECTION("the first request goes at once")
	{
		REQUIRE(manager.RequestKeyFrame(nowMs));
	}

	SECTION("a request sooner than the delay after the last one is held")
	{
		REQUIRE(manager.RequestKeyFrame(nowMs));
		manager.KeyFrameReceived();

		REQUIRE(!manager.RequestKeyFrame(nowMs + 100u));
		REQUIRE(manager.IsPending());
		REQUIRE(manager.GetNextDeadlineMs() == nowMs + 500u);
		// More requests are covered by the held one.
		REQUIRE(!manager.RequestKeyFrame(nowMs + 200u));
		REQUIRE(!manager.OnTimeout(nowMs + 499u));
		REQUIRE(manager.OnTimeout(nowMs + 500u));
		REQUIRE(manager.GetRequestsSent() == 2u);
		// Then awaited and retried as usual.
		REQUIRE(manager.GetNextDeadlineMs() == nowMs + 500u + KeyFrameRequestManager::RetryIntervalMs);
	}

	SECTION("a key frame arriving meanwhile cancels the held request")
	{
		REQUIRE(manager.RequestKeyFrame(nowMs));
		manager.KeyFrameReceived();
		REQUIRE(!manager.RequestKeyFrame(nowMs + 100u));

		manager.KeyFrameReceived();

		REQUIRE(!manager.GetNextDeadlineMs());
		REQUIRE(!manager.OnTimeout(nowMs + 500u));
		REQUIRE(manager.GetRequestsSent() == 1u);
	}

	SECTION("a request after the delay goes at once")
	{
		REQUIRE(manager.RequestKeyFrame(nowMs));
		manager.KeyFrameReceived();
		REQUIRE(manager.RequestKeyFrame(nowMs + 500u));
	}

	SECTION("a delay longer than RetryIntervalMs spaces the retries too")
	{
		KeyFrameRequestManager slow(3000u);

		REQUIRE(slow.RequestKeyFrame(nowMs));
		REQUIRE(slow.GetNextDeadlineMs() == nowMs + 3000u);
		REQUIRE(!slow.OnTimeout(nowMs + KeyFrameRequestManager::RetryIntervalMs));
		REQUIRE(slow.OnTimeout(nowMs + 3000u));
	}

	SECTION("time going backwards counts as no time passing")
	{
		REQUIRE(manager.RequestKeyFrame(nowMs));
		manager.KeyFrameReceived();
		// Taken as nowMs: held.
		REQUIRE(!manager.RequestKeyFrame(nowMs - 5000u));
		REQUIRE(manager.GetNextDeadlineMs() == nowMs + 500u);
		REQUIRE(!manager.OnTimeout(nowMs - 5000u));
	}

	SECTION("reset forgets the last request")
	{
		REQUIRE(manager.RequestKeyFrame(nowMs));
		manager.Reset();

		REQUIRE(!manager.IsPending());
		REQUIRE(manager.RequestKeyFrame(nowMs + 1u));
	}
}
