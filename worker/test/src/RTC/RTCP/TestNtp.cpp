#include "common.hpp"

#include "RTC/RTCP/Ntp.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC::RTCP;

TEST_CASE("NtpTime conversions", "[RTCP][Ntp]")
{
	SECTION("milliseconds to NTP and back")
	{
		struct Row
		{
			uint64_t ms;
			uint32_t seconds;
			uint32_t fractions;
		};

		const std::vector<Row> rows{
			{ 0u, 0u, 0u },
			{ 1u, 0u, 4294967u },               // 2^32 / 1000, rounded
			{ 500u, 0u, 0x80000000u },          // half a second
			{ 999u, 0u, 4290672329u },          // just under a second
			{ 1250u, 1u, 0x40000000u },         // 1.25 s
			{ 5250u, 5u, 0x40000000u },         // RFC 3550 example DLSR
			{ 3913056000000u, 3913056000u, 0u } // 2024-01-01 in NTP seconds
		};

		for (const auto& row : rows)
		{
			INFO(row.ms);

			const auto ntp = NtpTime::FromMs(row.ms);

			REQUIRE(ntp.seconds == row.seconds);
			REQUIRE(ntp.fractions == row.fractions);
			REQUIRE(ntp.ToMs() == row.ms);
			REQUIRE(NtpTime::FromUint64(ntp.ToUint64()) == ntp);
		}
	}

	SECTION("every millisecond of a second survives the round trip")
	{
		for (uint64_t ms = 123000u; ms < 124000u; ++ms)
		{
			REQUIRE(NtpTime::FromMs(ms).ToMs() == ms);
			REQUIRE(NtpTime::CompactToMs(NtpTime::MsToCompact(ms)) == ms);
		}
	}

	SECTION("compact form is the middle 32 bits")
	{
		const NtpTime ntp{ 0xe83a5f9cu, 0x7ef9db23u };

		REQUIRE(ntp.ToCompact() == 0x5f9c7ef9u);
		REQUIRE(ntp.ToUint64() == 0xe83a5f9c7ef9db23u);
		REQUIRE(NtpTime::MsToCompact(5250u) == 0x00054000u);
		REQUIRE(NtpTime::MsToCompact(500u) == 0x00008000u);
		REQUIRE(NtpTime::CompactToMs(0x00062000u) == 6125u);
		// Seconds wrap at 16 bits.
		REQUIRE(NtpTime::MsToCompact(65536000u + 1000u) == 0x00010000u);
	}

	SECTION("Unix epoch offset")
	{
		// 1970-01-01 is 2208988800 s after 1900-01-01.
		REQUIRE(NtpTime::FromMs(NtpTime::NtpUnixEpochOffsetMs).seconds == 2208988800u);
	}
}

TEST_CASE("ComputeRttMs follows RFC 3550 6.4.1", "[RTCP][Ntp]")
{
	SECTION("the RFC's example: A 46864.500, LSR 46853.125, DLSR 5.250 gives 6.125 s")
	{
		REQUIRE(ComputeRttMs(0xb7108000u, 0xb7052000u, 0x00054000u) == 6125u);
	}

	SECTION("table")
	{
		struct Row
		{
			const char* name;
			uint32_t arrival;
			uint32_t lsr;
			uint32_t dlsr;
			std::optional<uint64_t> rtt;
		};

		const std::vector<Row> rows{
			{ "no SR received yet", 0x12345678u, 0u, 0u, std::nullopt },
			{ "zero RTT", 0x00018000u, 0x00010000u, 0x00008000u, 0u },
			{ "negative comes out as 0", 0x00010000u, 0x00010000u, 0x00008000u, 0u },
			{ "wraps around the compact clock", 0x00000800u, 0xfffff000u, 0x00000800u, 63u },
			{ "100 ms", 0x00021999u + 0x1000u, 0x00020000u, 0x00001000u, 100u },
		};

		for (const auto& row : rows)
		{
			INFO(row.name);

			REQUIRE(ComputeRttMs(row.arrival, row.lsr, row.dlsr) == row.rtt);
		}
	}

	SECTION("with times in milliseconds, as a transport would drive it")
	{
		uint64_t nowMs{ 1700000000000u };

		// We send an SR stamped now; the peer holds it 120 ms and answers; the
		// answer arrives 200 ms after we sent.
		const uint32_t lsr  = NtpTime::FromMs(nowMs).ToCompact();
		const uint32_t dlsr = NtpTime::MsToCompact(120u);

		nowMs += 200u;

		const auto rtt = ComputeRttMsAt(nowMs, lsr, dlsr);

		REQUIRE(rtt.has_value());
		REQUIRE(*rtt >= 79u);
		REQUIRE(*rtt <= 81u);
	}
}
