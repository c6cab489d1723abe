#include "common.hpp"

#include "RTC/RetransmissionBuffer.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using RTC::RetransmissionBuffer;
using InsertResult = RTC::RetransmissionBuffer::InsertResult;

namespace
{
	std::vector<uint8_t> MakePacket(uint16_t seq, size_t size = 100u)
	{
		std::vector<uint8_t> packet(size);

		for (size_t i = 0u; i < size; ++i)
		{
			packet[i] = static_cast<uint8_t>(seq + i);
		}

		return packet;
	}

	bool Holds(RetransmissionBuffer& buffer, uint16_t seq, uint64_t nowMs, size_t size = 100u)
	{
		// An RTT of 0 (unknown) counts as MinRttMs: each packet is asked for
		// once per test, or MinRttMs apart.
		const auto bytes = buffer.GetForResend(seq, nowMs, 0u);

		if (!bytes)
		{
			return false;
		}

		const auto expected = MakePacket(seq, size);

		return std::equal(bytes->begin(), bytes->end(), expected.begin(), expected.end());
	}

	void InsertRange(RetransmissionBuffer& buffer, uint32_t from, uint32_t to, uint64_t nowMs)
	{
		for (uint32_t seq = from; seq <= to; ++seq)
		{
			const auto s = static_cast<uint16_t>(seq);

			REQUIRE(buffer.Insert(s, seq * 10u, MakePacket(s), nowMs) == InsertResult::STORED);
		}
	}
} // namespace

TEST_CASE("RetransmissionBuffer hands out stored packets", "[RetransmissionBuffer]")
{
	RetransmissionBuffer buffer;
	const uint64_t nowMs{ 10000u };

	REQUIRE(buffer.GetCapacity() == RetransmissionBuffer::MaxPackets);
	REQUIRE(!buffer.GetForResend(100u, nowMs, 0u));

	InsertRange(buffer, 100u, 102u, nowMs);

	SECTION("the bytes as inserted")
	{
		REQUIRE(Holds(buffer, 100u, nowMs));
		REQUIRE(Holds(buffer, 102u, nowMs));
		REQUIRE(!buffer.GetForResend(99u, nowMs, 0u));
		REQUIRE(!buffer.GetForResend(103u, nowMs, 0u));
		REQUIRE(buffer.GetRtpTimestamp(101u) == 1010u);
		REQUIRE(!buffer.GetRtpTimestamp(103u));
		REQUIRE(buffer.GetStoredCount() == 3u);
	}

	SECTION("not again within an RTT")
	{
		REQUIRE(buffer.GetForResend(101u, nowMs, 100u));
		REQUIRE(!buffer.GetForResend(101u, nowMs + 99u, 100u));
		REQUIRE(buffer.GetForResend(101u, nowMs + 100u, 100u));
		REQUIRE(buffer.GetResendCount(101u) == 2u);
		REQUIRE(buffer.GetResendCount(100u) == 0u);
		// Time going backwards counts as no time passing.
		REQUIRE(!buffer.GetForResend(101u, nowMs, 100u));
		REQUIRE(buffer.GetForResend(101u, nowMs + 200u, 100u));
	}

	SECTION("an unknown or tiny RTT counts as MinRttMs")
	{
		constexpr uint32_t MinRttMs{ RetransmissionBuffer::MinRttMs };

		// An RTT just below the floor is the floor.
		REQUIRE(buffer.GetForResend(100u, nowMs, MinRttMs - 1u));
		REQUIRE(!buffer.GetForResend(100u, nowMs + MinRttMs - 1u, MinRttMs - 1u));
		REQUIRE(buffer.GetForResend(100u, nowMs + MinRttMs, MinRttMs - 1u));

		// A NACK repeated in a loop with a forged RTT of 0 gets one resend.
		const uint64_t startMs = nowMs + 1000u;

		REQUIRE(buffer.GetForResend(102u, startMs, 0u));

		for (uint64_t t = 0u; t < MinRttMs; t += 5u)
		{
			REQUIRE(!buffer.GetForResend(102u, startMs + t, 0u));
		}

		REQUIRE(buffer.GetResendCount(102u) == 1u);
		REQUIRE(buffer.GetSuppressedCount() == 1u + (MinRttMs / 5u));
		REQUIRE(buffer.GetForResend(102u, startMs + MinRttMs, 0u));
		// A larger RTT than the floor still paces.
		REQUIRE(!buffer.GetForResend(102u, startMs + MinRttMs + 150u, 300u));
	}

	SECTION("at most MaxResends resends of a packet")
	{
		uint64_t t = nowMs;

		for (uint32_t i = 0u; i < RetransmissionBuffer::MaxResends; ++i)
		{
			REQUIRE(buffer.GetForResend(101u, t, 0u));

			t += RetransmissionBuffer::MinRttMs;
		}

		REQUIRE(buffer.GetResendCount(101u) == RetransmissionBuffer::MaxResends);

		// However long the receiver waits between requests.
		for (uint32_t i = 0u; i < 5u; ++i)
		{
			t += 300u;

			REQUIRE(!buffer.GetForResend(101u, t, 0u));
		}

		REQUIRE(buffer.GetSuppressedCount() == 5u);
		// The other packets have their own count.
		REQUIRE(buffer.GetForResend(100u, t, 0u));
		// A new packet in the same slot (the stream moved a whole ring on)
		// starts from 0.
		REQUIRE(buffer.Insert(101u, 7u, MakePacket(101u), t) == InsertResult::STORED);
		REQUIRE(buffer.GetForResend(101u, t, 0u));
	}

	SECTION("not once older than maxAgeMs")
	{
		REQUIRE(buffer.GetForResend(100u, nowMs + RetransmissionBuffer::DefaultMaxAgeMs, 0u));
		REQUIRE(!buffer.GetForResend(101u, nowMs + RetransmissionBuffer::DefaultMaxAgeMs + 1u, 0u));

		RetransmissionBuffer shortLived(10u, 300u);

		shortLived.Insert(1u, 0u, MakePacket(1u), nowMs);
		REQUIRE(shortLived.GetForResend(1u, nowMs + 300u, 0u));
		REQUIRE(!shortLived.GetForResend(1u, nowMs + 301u, 0u));
	}

	SECTION("a duplicate insertion replaces the packet")
	{
		REQUIRE(buffer.GetForResend(101u, nowMs, 100u));
		REQUIRE(buffer.Insert(101u, 7u, MakePacket(101u, 50u), nowMs) == InsertResult::STORED);
		REQUIRE(buffer.GetStoredCount() == 3u);
		REQUIRE(buffer.GetRtpTimestamp(101u) == 7u);
		REQUIRE(buffer.GetResendCount(101u) == 0u);
		REQUIRE(Holds(buffer, 101u, nowMs, 50u));
	}

	SECTION("clear forgets everything, the numbering included")
	{
		buffer.Clear();

		REQUIRE(buffer.GetStoredCount() == 0u);
		REQUIRE(!buffer.GetForResend(101u, nowMs, 0u));
		REQUIRE(buffer.Insert(40000u, 0u, MakePacket(40000u), nowMs) == InsertResult::STORED);
		REQUIRE(Holds(buffer, 40000u, nowMs));
	}
}

TEST_CASE("RetransmissionBuffer packet sizes", "[RetransmissionBuffer]")
{
	RetransmissionBuffer buffer(10u);
	const uint64_t nowMs{ 10000u };

	REQUIRE(
		buffer.Insert(1u, 0u, MakePacket(1u, RetransmissionBuffer::MaxPacketSize), nowMs) ==
		InsertResult::STORED);
	REQUIRE(Holds(buffer, 1u, nowMs, RetransmissionBuffer::MaxPacketSize));

	REQUIRE(
		buffer.Insert(2u, 0u, MakePacket(2u, RetransmissionBuffer::MaxPacketSize + 1u), nowMs) ==
		InsertResult::TOO_BIG);
	REQUIRE(!buffer.GetForResend(2u, nowMs, 0u));
	REQUIRE(buffer.GetTooBigCount() == 1u);

	REQUIRE(buffer.Insert(3u, 0u, {}, nowMs) == InsertResult::STORED);
	REQUIRE(buffer.GetForResend(3u, nowMs, 0u)->empty());
}

TEST_CASE(
	"RetransmissionBuffer keeps the window of the last capacity seqs", "[RetransmissionBuffer]")
{
	RetransmissionBuffer buffer(10u);
	const uint64_t nowMs{ 10000u };

	SECTION("out of order within the window")
	{
		InsertRange(buffer, 100u, 100u, nowMs);
		InsertRange(buffer, 102u, 102u, nowMs);
		InsertRange(buffer, 101u, 101u, nowMs);
		// Before the first packet, still within the window.
		InsertRange(buffer, 95u, 95u, nowMs);

		REQUIRE(Holds(buffer, 95u, nowMs));
		REQUIRE(Holds(buffer, 101u, nowMs));
		REQUIRE(!buffer.GetForResend(96u, nowMs, 0u));
		REQUIRE(buffer.GetStoredCount() == 4u);
	}

	SECTION("past the capacity the oldest go")
	{
		InsertRange(buffer, 0u, 24u, nowMs);

		REQUIRE(buffer.GetStoredCount() == 10u);
		REQUIRE(!buffer.GetForResend(14u, nowMs, 0u));

		for (uint16_t seq = 15u; seq <= 24u; ++seq)
		{
			REQUIRE(Holds(buffer, seq, nowMs));
		}

		// Too old to store.
		REQUIRE(buffer.Insert(14u, 0u, MakePacket(14u), nowMs) == InsertResult::TOO_OLD);
		REQUIRE(buffer.Insert(1u, 0u, MakePacket(1u), nowMs) == InsertResult::TOO_OLD);
		REQUIRE(buffer.GetTooOldCount() == 2u);
		REQUIRE(buffer.GetStoredCount() == 10u);
	}

	SECTION("gaps release the slots they skip")
	{
		InsertRange(buffer, 0u, 9u, nowMs);
		InsertRange(buffer, 13u, 13u, nowMs);

		REQUIRE(buffer.GetStoredCount() == 7u);
		REQUIRE(!buffer.GetForResend(3u, nowMs, 0u));
		REQUIRE(Holds(buffer, 4u, nowMs));

		// A jump of a whole ring or more leaves only the new packet.
		InsertRange(buffer, 5000u, 5000u, nowMs);

		REQUIRE(buffer.GetStoredCount() == 1u);
		REQUIRE(!buffer.GetForResend(13u, nowMs, 0u));
	}

	SECTION("a packet far behind means the numbering restarted")
	{
		InsertRange(buffer, 20000u, 20010u, nowMs);

		// Behind, but not RestartDistance behind: too old.
		REQUIRE(buffer.Insert(19000u, 0u, MakePacket(19000u), nowMs) == InsertResult::TOO_OLD);
		REQUIRE(
			buffer.Insert(
				static_cast<uint16_t>(20010u - RetransmissionBuffer::RestartDistance),
				0u,
				MakePacket(100u),
				nowMs) == InsertResult::RESTARTED);
		REQUIRE(buffer.GetStoredCount() == 1u);
		REQUIRE(!buffer.GetForResend(20010u, nowMs, 0u));

		InsertRange(
			buffer,
			20010u - RetransmissionBuffer::RestartDistance + 1u,
			20010u - RetransmissionBuffer::RestartDistance + 20u,
			nowMs);
		REQUIRE(buffer.GetStoredCount() == 10u);
	}
}

TEST_CASE("RetransmissionBuffer runs past the 16-bit wrap for ever", "[RetransmissionBuffer]")
{
	// versatica/mediasoup#923: a send-side buffer holding more than 65535
	// entries hit an assert in production, after weeks, and the worker died.
	RetransmissionBuffer buffer;
	const uint64_t nowMs{ 10000u };
	uint16_t seq{ 65000u };
	const uint8_t* firstSlot{ nullptr };

	for (uint32_t i = 0u; i < 4u * 65536u + 1234u; ++i)
	{
		const auto packet = MakePacket(seq, 20u);

		REQUIRE(buffer.Insert(seq, i, packet, nowMs) == InsertResult::STORED);
		REQUIRE(buffer.GetStoredCount() <= RetransmissionBuffer::MaxPackets);

		if (i == 0u)
		{
			firstSlot = buffer.GetForResend(seq, nowMs, 0u)->data();
		}
		else if (i % RetransmissionBuffer::MaxPackets == 0u)
		{
			// Slots are reused in place: nothing is allocated as the stream goes.
			REQUIRE(buffer.GetForResend(seq, nowMs, 0u)->data() == firstSlot);
		}

		++seq;
	}

	REQUIRE(buffer.GetStoredCount() == RetransmissionBuffer::MaxPackets);

	const uint16_t last = seq - 1u;

	// Later than MinRttMs: the packets handed out above may go again.
	for (uint16_t back = 0u; back < RetransmissionBuffer::MaxPackets; ++back)
	{
		REQUIRE(Holds(buffer, static_cast<uint16_t>(last - back), nowMs + 1000u, 20u));
	}

	REQUIRE(!buffer.GetForResend(
		static_cast<uint16_t>(last - RetransmissionBuffer::MaxPackets), nowMs, 0u));
	REQUIRE(!buffer.GetForResend(static_cast<uint16_t>(last + 1u), nowMs, 0u));
}
