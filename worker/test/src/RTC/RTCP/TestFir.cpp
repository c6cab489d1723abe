#include "common.hpp"

#include "RTC/RTCP/Fir.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

TEST_CASE("Fir", "[RTCP][Fir]")
{
	const auto bytes = RtcpTest::ChromeFir();
	const auto fir   = RtcpTest::RoundTrip<Fir>(bytes);

	REQUIRE(fir.GetType() == Type::PSFB);
	REQUIRE(fir.GetSenderSsrc() == 0xfa17fa17u);
	REQUIRE(fir.GetMediaSsrc() == 0u);
	REQUIRE(fir.GetEntries().size() == 1u);
	REQUIRE(fir.GetEntries()[0] == Fir::Entry{ 0x2d9f152cu, 7u });

	RtcpTest::CheckTruncations<Fir>(bytes);

	SECTION("built from scratch")
	{
		Fir built;

		built.SetSenderSsrc(0xfa17fa17u);
		built.AddEntry(Fir::Entry{ 0x2d9f152cu, 7u });

		REQUIRE(RtcpTest::Serialize(built) == bytes);
	}
}

TEST_CASE("Fir table", "[RTCP][Fir]")
{
	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		bool parses;
		size_t entries;
	};

	const std::vector<Row> rows{
		{ "two entries, reserved bits ignored",
			Hex("84 ce 00 06 fa 17 fa 17 00 00 00 00"
					"11 11 11 11 01 ff ff ff" // reserved bits set: ignored
					"22 22 22 22 02 00 00 00"),
			true,
			2u },
		{ "no entry (lenient)", Hex("84 ce 00 02 fa 17 fa 17 00 00 00 00"), true, 0u },
		{ "half an entry", Hex("84 ce 00 03 fa 17 fa 17 00 00 00 00 11 11 11 11"), false, 0u },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		const auto fir = Fir::Parse(row.data);

		REQUIRE(fir.has_value() == row.parses);

		if (fir)
		{
			REQUIRE(fir->GetEntries().size() == row.entries);
			REQUIRE(Fir::Parse(RtcpTest::Serialize(*fir)) == fir);
		}
	}
}

TEST_CASE("Fir entry cap", "[RTCP][Fir]")
{
	SECTION("40 entries on the wire: the first MaxEntries kept")
	{
		auto bytes = Hex("84 ce 00 00 fa 17 fa 17 00 00 00 00");

		for (uint8_t i = 0u; i < 40u; ++i)
		{
			bytes.insert(bytes.end(), { 0x00, 0x00, 0x00, i, i, 0x00, 0x00, 0x00 });
		}

		bytes[3] = static_cast<uint8_t>(bytes.size() / 4u - 1u);

		const auto fir = Fir::Parse(bytes);

		REQUIRE(fir.has_value());
		REQUIRE(fir->GetEntries().size() == Fir::MaxEntries);
		REQUIRE(fir->GetEntries().back() == Fir::Entry{ 31u, 31u });
		REQUIRE(Fir::Parse(RtcpTest::Serialize(*fir)) == fir);
	}

	SECTION("the builder refuses entry MaxEntries + 1")
	{
		Fir fir;

		for (uint32_t i = 0u; i < Fir::MaxEntries; ++i)
		{
			REQUIRE(fir.AddEntry(Fir::Entry{ i, 0u }));
		}

		REQUIRE_FALSE(fir.AddEntry(Fir::Entry{ 99u, 0u }));
	}
}
