#include "common.hpp"

#include "RTC/SctpUnsentBytes.hpp"
#include "Utils/Byte.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC;

namespace
{
	struct Chunk
	{
		uint8_t type;
		uint32_t tsn;
		uint16_t streamId;
		size_t payloadLen;
	};

	// An SCTP packet: common header, then the chunks (DATA ones with a TSN,
	// stream and payload; others just a header and padding).
	std::vector<uint8_t> Packet(const std::vector<Chunk>& chunks)
	{
		std::vector<uint8_t> packet(12u, 0u);

		for (const auto& chunk : chunks)
		{
			const size_t headerLen = chunk.type == 0u ? 16u : 4u;
			const size_t chunkLen  = headerLen + chunk.payloadLen;
			const size_t offset    = packet.size();

			packet.resize(offset + ((chunkLen + 3u) & ~size_t{ 3u }), 0u);
			packet[offset] = chunk.type;
			Utils::Byte::Set2Bytes(packet.data(), offset + 2u, static_cast<uint16_t>(chunkLen));

			if (chunk.type == 0u)
			{
				Utils::Byte::Set4Bytes(packet.data(), offset + 4u, chunk.tsn);
				Utils::Byte::Set2Bytes(packet.data(), offset + 8u, chunk.streamId);
			}
		}

		return packet;
	}
} // namespace

TEST_CASE("SctpUnsentBytes", "[sctp]")
{
	SctpUnsentBytes unsent;
	std::vector<uint16_t> changed;

	unsent.Queued(1u, 3000u);
	unsent.Queued(2u, 500u);

	REQUIRE(unsent.Get(1u) == 3000u);
	REQUIRE(unsent.Get(2u) == 500u);
	REQUIRE(unsent.Get(3u) == 0u);
	REQUIRE(unsent.GetTotal() == 3500u);

	SECTION("first transmissions take their bytes off their stream; retransmissions do not")
	{
		// A SACK (type 3) bundled in front is skipped.
		auto packet = Packet({ { 3u, 0u, 0u, 12u }, { 0u, 100u, 1u, 1000u }, { 0u, 101u, 2u, 201u } });

		unsent.Sent(packet.data(), packet.size(), changed);

		REQUIRE(unsent.Get(1u) == 2000u);
		REQUIRE(unsent.Get(2u) == 299u);
		REQUIRE(changed == std::vector<uint16_t>{ 1u, 2u });

		changed.clear();

		// TSN 100 again (a retransmission), then the next new one.
		packet = Packet({ { 0u, 100u, 1u, 1000u }, { 0u, 102u, 1u, 1000u } });
		unsent.Sent(packet.data(), packet.size(), changed);

		REQUIRE(unsent.Get(1u) == 1000u);
		REQUIRE(unsent.GetTotal() == 1299u);
		REQUIRE(changed == std::vector<uint16_t>{ 1u });
	}

	SECTION("TSNs wrap around")
	{
		auto packet = Packet({ { 0u, 0xFFFFFFFFu, 1u, 1000u } });

		unsent.Sent(packet.data(), packet.size(), changed);
		packet = Packet({ { 0u, 0u, 1u, 1000u } });
		unsent.Sent(packet.data(), packet.size(), changed);

		REQUIRE(unsent.Get(1u) == 1000u);

		// Older than the highest sent: a retransmission.
		packet = Packet({ { 0u, 0xFFFFFFFFu, 1u, 1000u } });
		unsent.Sent(packet.data(), packet.size(), changed);

		REQUIRE(unsent.Get(1u) == 1000u);
	}

	SECTION("never below zero, and a truncated chunk stops the reading")
	{
		auto packet = Packet({ { 0u, 1u, 2u, 900u } });

		unsent.Sent(packet.data(), packet.size(), changed);

		REQUIRE(unsent.Get(2u) == 0u);
		REQUIRE(unsent.GetTotal() == 3000u);

		packet = Packet({ { 0u, 2u, 1u, 1000u } });
		unsent.Sent(packet.data(), packet.size() - 4u, changed);

		REQUIRE(unsent.Get(1u) == 3000u);

		// A chunk length of 0 would loop forever.
		packet = Packet({ { 0u, 2u, 1u, 1000u } });
		Utils::Byte::Set2Bytes(packet.data(), 14u, 0u);
		unsent.Sent(packet.data(), packet.size(), changed);

		REQUIRE(unsent.Get(1u) == 3000u);
	}

	SECTION("dropped bytes and the sender going dry")
	{
		unsent.Dropped(1u, 1000u);

		REQUIRE(unsent.Get(1u) == 2000u);

		unsent.Clear(changed);

		REQUIRE(unsent.GetTotal() == 0u);
		REQUIRE(unsent.Get(1u) == 0u);
		REQUIRE(changed.size() == 2u);
	}

	SECTION("after a restart TSNs start over")
	{
		auto packet = Packet({ { 0u, 5000u, 1u, 1000u } });

		unsent.Sent(packet.data(), packet.size(), changed);
		unsent.Restart();
		packet = Packet({ { 0u, 10u, 1u, 1000u } });
		unsent.Sent(packet.data(), packet.size(), changed);

		REQUIRE(unsent.Get(1u) == 1000u);
	}
}
