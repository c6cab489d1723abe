#include "common.hpp"

#include "RTC/PipeSubchannels.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC;

TEST_CASE("PipeSubchannels", "[sctp][subchannels]")
{
	const std::vector<uint8_t> payload = { 'h', 'e', 'l', 'l', 'o' };
	std::vector<uint8_t> wire;
	PipeSubchannels::Decoded decoded;

	SECTION("nothing to carry: the message goes unchanged")
	{
		REQUIRE(!PipeSubchannels::Encode(51u, payload.data(), payload.size(), {}, {}, {}, wire));
		REQUIRE(wire.empty());
	}

	SECTION("subchannels, requiredSubchannel and ignoredSubchannel survive the trip")
	{
		const std::vector<uint16_t> subchannels = { 1u, 300u, 65535u };

		REQUIRE(
			PipeSubchannels::Encode(53u, payload.data(), payload.size(), subchannels, 7u, 0u, wire));
		// 7 fixed bytes, 3 subchannels, both optional fields.
		REQUIRE(wire.size() == 7u + 6u + 4u + payload.size());

		REQUIRE(PipeSubchannels::Decode(wire.data(), wire.size(), decoded));
		REQUIRE(decoded.ppid == 53u);
		REQUIRE(decoded.subchannels == subchannels);
		REQUIRE(decoded.requiredSubchannel == 7u);
		REQUIRE(decoded.ignoredSubchannel == 0u);
		REQUIRE(std::vector<uint8_t>(decoded.payload, decoded.payload + decoded.payloadLen) == payload);
	}

	SECTION("each field alone")
	{
		REQUIRE(PipeSubchannels::Encode(51u, payload.data(), payload.size(), {}, {}, 9u, wire));
		REQUIRE(PipeSubchannels::Decode(wire.data(), wire.size(), decoded));
		REQUIRE(decoded.subchannels.empty());
		REQUIRE(!decoded.requiredSubchannel);
		REQUIRE(decoded.ignoredSubchannel == 9u);

		REQUIRE(PipeSubchannels::Encode(51u, payload.data(), payload.size(), {}, 4u, {}, wire));
		REQUIRE(PipeSubchannels::Decode(wire.data(), wire.size(), decoded));
		REQUIRE(decoded.requiredSubchannel == 4u);
		REQUIRE(!decoded.ignoredSubchannel);
	}

	SECTION("malformed headers are refused, whatever their length")
	{
		const std::vector<uint16_t> subchannels = { 1u, 2u };

		REQUIRE(
			PipeSubchannels::Encode(51u, payload.data(), payload.size(), subchannels, 3u, {}, wire));

		// Every truncation that leaves no payload.
		for (size_t len{ 0u }; len <= 7u + 4u + 2u; ++len)
		{
			REQUIRE(!PipeSubchannels::Decode(wire.data(), len, decoded));
		}

		// An unknown flag.
		auto bad = wire;

		bad[4] |= 0x80u;
		REQUIRE(!PipeSubchannels::Decode(bad.data(), bad.size(), decoded));

		// A count larger than the message.
		bad    = wire;
		bad[5] = 0xFFu;
		REQUIRE(!PipeSubchannels::Decode(bad.data(), bad.size(), decoded));
	}
}
