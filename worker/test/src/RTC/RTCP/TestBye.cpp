#include "common.hpp"

#include "RTC/RTCP/Bye.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

TEST_CASE("Bye with a reason", "[RTCP][Bye]")
{
	const auto bytes = RtcpTest::ChromeBye();
	const auto bye   = RtcpTest::RoundTrip<Bye>(bytes);

	REQUIRE(bye.GetType() == Type::BYE);
	REQUIRE(bye.GetSsrcs().size() == 1u);
	REQUIRE(bye.GetSsrcs()[0] == 0x2d9f152cu);
	REQUIRE(bye.GetReason() == "call ended");

	RtcpTest::CheckTruncations<Bye>(bytes);
}

TEST_CASE("Bye table", "[RTCP][Bye]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		bool parses;
		size_t ssrcs;
		std::string_view reason;
	};

	const std::vector<Row> rows{
		{ "no SSRC, no reason", Hex("80 cb 00 00"), true, 0u, "" },
		{ "two SSRCs", Hex("82 cb 00 02 11 11 11 11 22 22 22 22"), true, 2u, "" },
		{ "SC=2, one SSRC (count lies)", Hex("82 cb 00 01 11 11 11 11"), false, 0u, "" },
		{ "reason past the end", Hex("81 cb 00 02 11 11 11 11 05 61 62 63"), false, 0u, "" },
		{ "reason filling the word", Hex("81 cb 00 02 11 11 11 11 03 61 62 63"), true, 1u, "abc" },
		{ "zero reason length", Hex("81 cb 00 02 11 11 11 11 00 00 00 00"), true, 1u, "" },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		const auto bye = Bye::Parse(row.data);

		REQUIRE(bye.has_value() == row.parses);

		if (bye)
		{
			REQUIRE(bye->GetSsrcs().size() == row.ssrcs);
			REQUIRE(bye->GetReason() == row.reason);
			REQUIRE(Bye::Parse(RtcpTest::Serialize(*bye)) == bye);
		}
	}
}

TEST_CASE("Bye built from scratch and its caps", "[RTCP][Bye]")
{
	Bye bye;

	REQUIRE(bye.AddSsrc(0x2d9f152cu));
	REQUIRE(bye.SetReason("call ended"));
	REQUIRE(RtcpTest::Serialize(bye) == RtcpTest::ChromeBye());

	const std::string tooLong(Bye::MaxReasonLength + 1u, 'x');
	const std::string longest(Bye::MaxReasonLength, 'x');

	REQUIRE_FALSE(bye.SetReason(std::string_view(tooLong)));
	REQUIRE(bye.GetReason() == "call ended");
	REQUIRE(bye.SetReason(std::string_view(longest)));

	while (bye.GetSsrcs().size() < Bye::MaxSsrcs)
	{
		REQUIRE(bye.AddSsrc(static_cast<uint32_t>(bye.GetSsrcs().size())));
	}

	REQUIRE_FALSE(bye.AddSsrc(99u));

	const auto written = RtcpTest::Serialize(bye);

	REQUIRE(written[0] == 0x9fu);
	REQUIRE(written.size() == 4u + 31u * 4u + 256u);
	REQUIRE(Bye::Parse(written) == bye);
}
