#include "common.hpp"

#include "RTC/RTCP/CompoundPacket.hpp"
#include "RtcpTestHelpers.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace RTC::RTCP;
using RtcpTest::Hex;

namespace
{
	struct Read
	{
		std::vector<AnyPacket> packets;
		ParseError error{ ParseError::NONE };
		size_t offset{ 0u };
	};

	Read ReadAll(std::span<const uint8_t> data)
	{
		Read read;
		CompoundPacket::Reader reader(data);

		for (const auto& packet : reader)
		{
			read.packets.push_back(packet);
		}

		read.error  = reader.GetError();
		read.offset = reader.GetOffset();

		REQUIRE(reader.GetPacketCount() == read.packets.size());
		// Once stopped, stays stopped.
		REQUIRE_FALSE(reader.Next().has_value());

		return read;
	}

	std::vector<uint8_t> SerializeAny(const AnyPacket& packet)
	{
		std::vector<uint8_t> out(CompoundPacket::GetSize(packet));

		REQUIRE(!out.empty());
		REQUIRE(CompoundPacket::Serialize(packet, out) == out.size());

		return out;
	}

	// Fixtures and the alternative each decodes to.
	struct Fixture
	{
		const char* name;
		std::vector<uint8_t> bytes;
		size_t index;
	};

	template <typename T, size_t I = 0u>
	constexpr size_t IndexOf()
	{
		if constexpr (std::is_same_v<std::variant_alternative_t<I, AnyPacket>, T>)
		{
			return I;
		}
		else
		{
			return IndexOf<T, I + 1u>();
		}
	}

	std::vector<Fixture> Fixtures()
	{
		return {
			{ "SR with 2 blocks", RtcpTest::ChromeSenderReport(), IndexOf<SenderReport>() },
			{ "RR", RtcpTest::ChromeReceiverReport(), IndexOf<ReceiverReport>() },
			{ "SDES CNAME", RtcpTest::ChromeSdes(), IndexOf<Sdes>() },
			{ "BYE with reason", RtcpTest::ChromeBye(), IndexOf<Bye>() },
			{ "NACK", RtcpTest::ChromeNack(), IndexOf<Nack>() },
			{ "transport-cc", RtcpTest::ChromeTransportWideCc(), IndexOf<TransportWideCc>() },
			{ "PLI", RtcpTest::ChromePli(), IndexOf<Pli>() },
			{ "FIR", RtcpTest::ChromeFir(), IndexOf<Fir>() },
			{ "REMB", RtcpTest::ChromeRemb(), IndexOf<Remb>() },
			{ "XR RRT", RtcpTest::ChromeXrRrt(), IndexOf<Xr>() },
			{ "XR DLRR", RtcpTest::ChromeXrDlrr(), IndexOf<Xr>() },
			{ "APP", RtcpTest::AppPacket(), IndexOf<RawPacket>() },
			{ "SLI", Hex("82 ce 00 03 fa 17 fa 17 2d 9f 15 2c 00 04 10 3f"), IndexOf<RawPacket>() },
			{ "AFB not REMB",
				Hex("8f ce 00 03 fa 17 fa 17 00 00 00 00 41 42 43 44"),
				IndexOf<RawPacket>() },
			{ "RTPFB FMT 3 (TMMBR)",
				Hex("83 cd 00 04 fa 17 fa 17 00 00 00 00 2d 9f 15 2c 10 05 e8 28"),
				IndexOf<RawPacket>() },
			{ "unknown type 210", Hex("80 d2 00 01 01 02 03 04"), IndexOf<RawPacket>() },
		};
	}
} // namespace

TEST_CASE("CompoundPacket reads Chrome's RR + SDES + REMB", "[RTCP][CompoundPacket]")
{
	const auto bytes = RtcpTest::ChromeCompound();
	const auto read  = ReadAll(bytes);

	REQUIRE(read.error == ParseError::NONE);
	REQUIRE(read.offset == bytes.size());
	REQUIRE(read.packets.size() == 3u);

	const auto* rr   = std::get_if<ReceiverReport>(&read.packets[0]);
	const auto* sdes = std::get_if<Sdes>(&read.packets[1]);
	const auto* remb = std::get_if<Remb>(&read.packets[2]);

	REQUIRE(rr);
	REQUIRE(sdes);
	REQUIRE(remb);
	REQUIRE(rr->GetReportBlocks().size() == 1u);
	REQUIRE(sdes->GetCname(rr->GetSsrc()) == "Wv4jtB9mpbUGLZvk");
	REQUIRE(remb->GetBitrate() == 3320256u);
	REQUIRE(CompoundPacket::GetType(read.packets[2]) == Type::PSFB);

	SECTION("written back byte for byte by the builder")
	{
		CompoundPacket::Builder builder;

		for (const auto& packet : read.packets)
		{
			REQUIRE(builder.Add(packet));
		}

		std::vector<uint8_t> out(builder.GetSize());

		REQUIRE(out.size() == bytes.size());
		REQUIRE(builder.Serialize(std::span<uint8_t>(out.data(), out.size() - 1u)) == 0u);
		REQUIRE(builder.Serialize(out) == bytes.size());
		REQUIRE(out == bytes);
	}

	SECTION("Next() by hand")
	{
		CompoundPacket::Reader reader(bytes);

		REQUIRE(std::holds_alternative<ReceiverReport>(*reader.Next()));
		REQUIRE(reader.GetOffset() == 32u);
		REQUIRE(std::holds_alternative<Sdes>(*reader.Next()));
		REQUIRE(std::holds_alternative<Remb>(*reader.Next()));
		REQUIRE_FALSE(reader.Next().has_value());
		REQUIRE(reader.GetError() == ParseError::NONE);
	}
}

TEST_CASE("CompoundPacket every fixture round-trips through ParsePacket", "[RTCP][CompoundPacket]")
{
	for (const auto& fixture : Fixtures())
	{
		INFO(fixture.name);

		ParseError error{ ParseError::MALFORMED };
		const auto packet = CompoundPacket::ParsePacket(fixture.bytes, &error);

		REQUIRE(error == ParseError::NONE);
		REQUIRE(packet.has_value());
		REQUIRE(packet->index() == fixture.index);
		REQUIRE(SerializeAny(*packet) == fixture.bytes);

		// With a byte more it is not one packet.
		auto longer = fixture.bytes;

		longer.push_back(0u);

		REQUIRE_FALSE(CompoundPacket::ParsePacket(longer, &error).has_value());
		REQUIRE(error == ParseError::BAD_LENGTH);
	}
}

TEST_CASE("CompoundPacket all fixtures in one datagram", "[RTCP][CompoundPacket]")
{
	const auto fixtures = Fixtures();
	std::vector<uint8_t> bytes;
	// Where each packet ends.
	std::vector<size_t> ends;

	for (const auto& fixture : fixtures)
	{
		bytes.insert(bytes.end(), fixture.bytes.begin(), fixture.bytes.end());
		ends.push_back(bytes.size());
	}

	const auto whole = ReadAll(bytes);

	REQUIRE(whole.error == ParseError::NONE);
	REQUIRE(whole.packets.size() == fixtures.size());

	for (size_t i = 0u; i < fixtures.size(); ++i)
	{
		INFO(fixtures[i].name);

		REQUIRE(whole.packets[i].index() == fixtures[i].index);
	}

	SECTION("every truncation: no crash, nothing reported past the cut")
	{
		for (size_t length = 0u; length <= bytes.size(); ++length)
		{
			INFO("truncated to " << length << " of " << bytes.size());

			// Its own buffer of the exact size, for ASan.
			const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + length);
			const auto read = ReadAll(prefix);

			// The packets that end within the prefix, and only them.
			const auto complete =
				static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), length) - ends.begin());
			const size_t completeEnd = complete == 0u ? 0u : ends[complete - 1u];

			REQUIRE(read.packets.size() == complete);
			REQUIRE(read.offset == completeEnd);

			for (size_t i = 0u; i < complete; ++i)
			{
				REQUIRE(read.packets[i] == whole.packets[i]);
			}

			if (length == completeEnd)
			{
				REQUIRE(read.error == ParseError::NONE);
			}
			else
			{
				REQUIRE(
					read.error ==
					(length - completeEnd < 4u ? ParseError::TOO_SHORT : ParseError::BAD_LENGTH));
			}
		}
	}
}

TEST_CASE("CompoundPacket stops at the first bad packet", "[RTCP][CompoundPacket]")
{
	const auto rr   = RtcpTest::ChromeReceiverReport();
	const auto sdes = RtcpTest::ChromeSdes();
	const auto remb = RtcpTest::ChromeRemb();

	struct Row
	{
		const char* name;
		std::vector<uint8_t> data;
		size_t packets;
		ParseError error;
		size_t offset;
	};

	// A copy of `bytes` with byte `i` set to `value`.
	const auto patch = [](std::vector<uint8_t> bytes, size_t i, uint8_t value)
	{
		bytes.at(i) = value;

		return bytes;
	};

	const std::vector<Row> rows{
		{ "empty", {}, 0u, ParseError::NONE, 0u },
		{ "1 to 3 trailing bytes",
			RtcpTest::Concat({ rr, Hex("80 c9 00") }),
			1u,
			ParseError::TOO_SHORT,
			32u },
		{ "SDES length one word too long, pointing past the end",
			RtcpTest::Concat({ rr, patch(sdes, 3u, 7u) }),
			1u,
			ParseError::BAD_LENGTH,
			32u },
		{ "REMB length past the datagram",
			patch(RtcpTest::ChromeCompound(), 63u, 0x10u),
			2u,
			ParseError::BAD_LENGTH,
			60u },
		// RR says 6 words: its block no longer fits.
		{ "RR length one word short",
			patch(RtcpTest::ChromeCompound(), 3u, 6u),
			0u,
			ParseError::MALFORMED,
			0u },
		// RR says 8 words: it takes SDES's first word as an extension, and the
		// next "header" is the SDES SSRC (version 3).
		{ "RR length one word long",
			patch(RtcpTest::ChromeCompound(), 3u, 8u),
			1u,
			ParseError::BAD_VERSION,
			36u },
		{ "SDES count lies (SC=2)",
			patch(RtcpTest::ChromeCompound(), 32u, 0x82u),
			1u,
			ParseError::MALFORMED,
			32u },
		{ "RR count lies (RC=2)",
			patch(RtcpTest::ChromeCompound(), 0u, 0x82u),
			0u,
			ParseError::MALFORMED,
			0u },
		{ "REMB count lies (3 SSRCs)",
			patch(RtcpTest::ChromeCompound(), 76u, 0x03u),
			2u,
			ParseError::MALFORMED,
			60u },
		{ "version 1 in the middle",
			patch(RtcpTest::ChromeCompound(), 32u, 0x41u),
			1u,
			ParseError::BAD_VERSION,
			32u },
		{ "bad padding count in the middle",
			RtcpTest::Concat({ rr, Hex("a0 cc 00 01 00 00 00 09"), remb }),
			1u,
			ParseError::BAD_PADDING,
			32u },
		{ "malformed transport-cc, then a PLI",
			RtcpTest::Concat({ Hex("8f cd 00 04 fa 17 fa 17 2d 9f 15 2c 0a 3c 00 01 1b 6c 2a 05"),
												 RtcpTest::ChromePli() }),
			0u,
			ParseError::MALFORMED,
			0u },
		{ "garbage (an RTP header)",
			Hex("80 60 12 34 00 00 00 01 de ad be ef"),
			0u,
			ParseError::BAD_LENGTH,
			0u },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		const auto read = ReadAll(row.data);

		REQUIRE(read.packets.size() == row.packets);
		REQUIRE(read.error == row.error);
		REQUIRE(read.offset == row.offset);
	}
}

TEST_CASE("CompoundPacket passes unknown kinds through raw", "[RTCP][CompoundPacket]")
{
	const auto bytes = RtcpTest::Concat({
		RtcpTest::ChromeReceiverReport(),
		RtcpTest::AppPacket(),
		Hex("8f ce 00 03 fa 17 fa 17 00 00 00 00 41 42 43 44"), // AFB, not REMB
		Hex("a0 d2 00 01 00 00 00 04"),                         // type 210 with padding
		RtcpTest::ChromePli(),
	});
	const auto read  = ReadAll(bytes);

	REQUIRE(read.error == ParseError::NONE);
	REQUIRE(read.packets.size() == 5u);
	REQUIRE(std::holds_alternative<RawPacket>(read.packets[1]));
	REQUIRE(std::get<RawPacket>(read.packets[1]).GetType() == Type::APP);
	REQUIRE(std::holds_alternative<RawPacket>(read.packets[2]));
	REQUIRE(std::get<RawPacket>(read.packets[2]).GetCount() == 15u);
	REQUIRE(std::get<RawPacket>(read.packets[3]).HasPadding());
	REQUIRE(std::holds_alternative<Pli>(read.packets[4]));

	CompoundPacket::Builder builder;

	for (const auto& packet : read.packets)
	{
		builder.Add(packet);
	}

	std::vector<uint8_t> out(builder.GetSize());

	REQUIRE(builder.Serialize(out) == bytes.size());
	REQUIRE(out == bytes);
}

TEST_CASE("CompoundPacket::Builder", "[RTCP][CompoundPacket]")
{
	SECTION("SR + SDES CNAME + NACK + PLI, as a sender answers")
	{
		SenderReport sr;

		sr.SetSsrc(0x2d9f152cu);
		sr.SetNtpTime(NtpTime::FromMs(NtpTime::NtpUnixEpochOffsetMs + 1700000000123u));
		sr.SetRtpTimestamp(90000u);
		sr.SetPacketCount(10u);
		sr.SetOctetCount(12000u);

		Sdes sdes;

		sdes.AddChunk(0x2d9f152cu);
		sdes.AddItem(Sdes::ItemType::CNAME, "sfu-cname");

		Nack nack;

		nack.SetSenderSsrc(0x2d9f152cu);
		nack.SetMediaSsrc(0x11111111u);
		nack.AddLostSequenceNumber(100u);
		nack.AddLostSequenceNumber(102u);

		const Pli pli(0x2d9f152cu, 0x11111111u);
		CompoundPacket::Builder builder;

		REQUIRE(builder.GetSize() == 0u);
		REQUIRE(builder.Add(sr));
		REQUIRE(builder.Add(sdes));
		REQUIRE(builder.Add(nack));
		REQUIRE(builder.Add(pli));
		REQUIRE(builder.GetPacketCount() == 4u);
		REQUIRE(builder.GetSize() == 28u + 20u + 16u + 12u);

		std::vector<uint8_t> out(builder.GetSize());

		REQUIRE(builder.Serialize(out) == out.size());

		const auto read = ReadAll(out);

		REQUIRE(read.error == ParseError::NONE);
		REQUIRE(read.packets.size() == 4u);
		REQUIRE(std::get<SenderReport>(read.packets[0]) == sr);
		REQUIRE(std::get<Sdes>(read.packets[1]) == sdes);
		REQUIRE(std::get<Nack>(read.packets[2]) == nack);
		REQUIRE(std::get<Pli>(read.packets[3]) == pli);
		REQUIRE(
			std::get<SenderReport>(read.packets[0]).GetNtpTime().ToMs() ==
			NtpTime::NtpUnixEpochOffsetMs + 1700000000123u);

		builder.Clear();

		REQUIRE(builder.GetPacketCount() == 0u);
		REQUIRE(builder.GetSize() == 0u);
		REQUIRE(builder.Serialize(out) == 0u);
	}

	SECTION("at most MaxPackets packets")
	{
		const Pli pli(1u, 2u);
		CompoundPacket::Builder builder;

		for (size_t i = 0u; i < CompoundPacket::Builder::MaxPackets; ++i)
		{
			REQUIRE(builder.Add(pli));
		}

		REQUIRE_FALSE(builder.Add(pli));
		REQUIRE(builder.GetSize() == CompoundPacket::Builder::MaxPackets * 12u);
	}

	SECTION("a packet that cannot be encoded makes the whole 0")
	{
		const Pli pli(1u, 2u);
		TransportWideCc twcc;

		// One status and no chunk: not encodable.
		twcc.SetPacketStatusCount(1u);

		CompoundPacket::Builder builder;

		builder.Add(pli);
		builder.Add(twcc);

		REQUIRE(builder.GetSize() == 0u);

		std::vector<uint8_t> out(1000u);

		REQUIRE(builder.Serialize(out) == 0u);
	}
}
