#include "common.hpp"

#include "Channel/ChannelSendQueue.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using Channel::ChannelSendQueue;
using Kind = ChannelSendQueue::Kind;

namespace
{
	// A message whose first byte tells it apart from the others.
	std::vector<uint8_t> message(uint8_t tag, size_t size)
	{
		std::vector<uint8_t> bytes(size, 0u);

		bytes[0] = tag;

		return bytes;
	}

	std::vector<uint8_t> popAllTags(ChannelSendQueue& queue)
	{
		std::vector<uint8_t> tags;

		while (!queue.IsEmpty())
		{
			tags.push_back(queue.Pop()[0]);
		}

		return tags;
	}
} // namespace

SCENARIO("ChannelSendQueue", "[channel][sendqueue]")
{
	constexpr size_t Big{ 1024u * 1024u };

	SECTION("below the caps every message is kept, in order")
	{
		ChannelSendQueue queue;

		REQUIRE(queue.Push(Kind::Droppable, {}, 0u, message(1u, 100u)));
		REQUIRE(queue.Push(Kind::State, "a", 5u, message(2u, 100u)));
		REQUIRE(queue.Push(Kind::State, "a", 5u, message(3u, 100u)));
		REQUIRE(queue.Push(Kind::Response, {}, 0u, message(4u, 100u)));

		REQUIRE(queue.GetBytes() == 400u);
		REQUIRE(popAllTags(queue) == std::vector<uint8_t>{ 1u, 2u, 3u, 4u });
		REQUIRE(queue.GetBytes() == 0u);
		REQUIRE(queue.GetDroppedCount() == 0u);
		REQUIRE(queue.GetCoalescedCount() == 0u);
	}

	SECTION("droppable messages stop at their watermark and are counted")
	{
		ChannelSendQueue queue;
		size_t pushed{ 0u };

		for (size_t i = 0u; i < 20u; ++i)
		{
			pushed += queue.Push(Kind::Droppable, {}, 0u, message(1u, Big)) ? 1u : 0u;
		}

		REQUIRE(pushed == ChannelSendQueue::DroppableMaxBytes / Big);
		REQUIRE(queue.GetDroppedCount() == 20u - pushed);
		REQUIRE(queue.GetBytes() <= ChannelSendQueue::DroppableMaxBytes);

		// Responses and state still get in above the watermark.
		REQUIRE(queue.Push(Kind::Response, {}, 0u, message(2u, Big)));
		REQUIRE(queue.Push(Kind::State, "a", 1u, message(3u, Big)));
	}

	SECTION("a write in progress counts against the watermark")
	{
		ChannelSendQueue queue;

		queue.SetInFlightBytes(ChannelSendQueue::DroppableMaxBytes);

		REQUIRE(!queue.Push(Kind::Droppable, {}, 0u, message(1u, 1u)));

		queue.SetInFlightBytes(0u);

		REQUIRE(queue.Push(Kind::Droppable, {}, 0u, message(1u, 1u)));
	}

	SECTION("over the cap the newest state of an entity and event replaces the queued one, last")
	{
		ChannelSendQueue queue;

		// Fill up to the cap with responses (never dropped).
		for (size_t i = 0u; i < ChannelSendQueue::MaxBytes / Big; ++i)
		{
			REQUIRE(queue.Push(Kind::Response, {}, 0u, message(0u, Big)));
		}

		REQUIRE(queue.Push(Kind::State, "producer1", 7u, message(10u, 10u))); // pause
		REQUIRE(queue.Push(Kind::State, "producer1", 8u, message(11u, 10u))); // resume
		REQUIRE(queue.Push(Kind::State, "producer1", 7u, message(12u, 10u))); // pause again
		REQUIRE(queue.Push(Kind::State, "producer2", 7u, message(13u, 10u)));
		REQUIRE(queue.Push(Kind::State, "producer1", 8u, message(14u, 10u))); // resume again

		REQUIRE(queue.GetCoalescedCount() == 2u);

		auto tags = popAllTags(queue);

		tags.erase(tags.begin(), tags.begin() + (ChannelSendQueue::MaxBytes / Big));

		// Each entity's last state is the last one pushed.
		REQUIRE(tags == std::vector<uint8_t>{ 12u, 13u, 14u });
	}

	SECTION("a flood of one state notification stays one message over the cap")
	{
		ChannelSendQueue queue;

		for (size_t i = 0u; i < ChannelSendQueue::MaxBytes / Big; ++i)
		{
			REQUIRE(queue.Push(Kind::Response, {}, 0u, message(0u, Big)));
		}

		const size_t before = queue.GetCount();

		for (size_t i = 0u; i < 100000u; ++i)
		{
			queue.Push(Kind::State, "consumer", 3u, message(static_cast<uint8_t>(i), 100u));
		}

		REQUIRE(queue.GetCount() == before + 1u);
		REQUIRE(queue.GetCoalescedCount() == 100000u - 1u);
		REQUIRE(queue.GetBytes() == ChannelSendQueue::MaxBytes + 100u);
	}

	SECTION("states queued below the cap are kept, then coalesced once it is reached")
	{
		ChannelSendQueue queue;

		REQUIRE(queue.Push(Kind::State, "c", 1u, message(1u, 10u)));

		while (queue.GetBytes() < ChannelSendQueue::MaxBytes)
		{
			REQUIRE(queue.Push(Kind::Response, {}, 0u, message(0u, Big)));
		}

		REQUIRE(queue.Push(Kind::State, "c", 1u, message(2u, 10u)));
		REQUIRE(queue.GetCoalescedCount() == 1u);

		auto tags = popAllTags(queue);

		REQUIRE(tags.front() == 0u);
		REQUIRE(tags.back() == 2u);
		REQUIRE(std::count(tags.begin(), tags.end(), 1u) == 0);
	}

	SECTION("popping the newest state of a key forgets it")
	{
		ChannelSendQueue queue;

		REQUIRE(queue.Push(Kind::State, "c", 1u, message(1u, 10u)));
		REQUIRE(queue.Pop()[0] == 1u);

		while (queue.GetBytes() < ChannelSendQueue::MaxBytes)
		{
			REQUIRE(queue.Push(Kind::Response, {}, 0u, message(0u, Big)));
		}

		// Nothing of this key is queued: it is appended, nothing coalesced.
		REQUIRE(queue.Push(Kind::State, "c", 1u, message(2u, 10u)));
		REQUIRE(queue.GetCoalescedCount() == 0u);
	}
}
