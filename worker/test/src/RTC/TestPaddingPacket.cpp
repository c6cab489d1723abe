#include "common.hpp"

#include "RTC/PaddingPacket.hpp"
#include "RTC/ProbationStream.hpp"
#include "RTC/RtpPacket.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

using RTC::PaddingPacket;
using RTC::ProbationStream;
using RTC::RtpHeaderExtensionIds;
using RTC::RtpPacket;

namespace
{
	// The Router's id of transport-wide-cc-extensions-01.
	constexpr uint8_t TransportWideCcId{ 5u };
	constexpr std::array<uint8_t, 2> TwccPlaceholder{ 0u, 0u };
	constexpr std::array<PaddingPacket::Extension, 1> TwccOnly{ PaddingPacket::Extension{
		TransportWideCcId, TwccPlaceholder } };

	RtpHeaderExtensionIds TwccIds()
	{
		RtpHeaderExtensionIds ids;

		ids.transportWideCc01 = TransportWideCcId;

		return ids;
	}
} // namespace

TEST_CASE("PaddingPacket writes a padding-only packet that parses back", "[probe]")
{
	// A consumer's RTX stream: RTX SSRC and payload type, the RTX sequence
	// number, the stream's last timestamp.
	const PaddingPacket::Header header{
		.payloadType    = 97u,
		.sequenceNumber = 0xfffeu,
		.timestamp      = 0xdeadbeefu,
		.ssrc           = 0x11223344u,
		.extensions     = TwccOnly,
	};
	std::array<uint8_t, 1500> buffer{};

	// 12 bytes of header, 4 of extension header, 4 of block (ID|len, 2 bytes,
	// 1 zero byte to the word).
	REQUIRE(PaddingPacket::GetHeaderSize(header) == 20u);

	const size_t paddingLength = GENERATE(1u, 2u, 100u, 255u);
	auto packet                = PaddingPacket::Write(buffer, header, paddingLength, TwccIds());

	REQUIRE(packet);

	// Parsed again from the bytes alone, as the receiver would.
	auto parsed = RtpPacket::Parse(std::span<uint8_t>(buffer.data(), packet->GetSize()));

	REQUIRE(parsed);
	REQUIRE(parsed->GetSize() == 20u + paddingLength);
	REQUIRE(parsed->HasPadding());
	REQUIRE(parsed->GetPaddingLength() == paddingLength);
	REQUIRE(parsed->GetPayloadLength() == 0u);
	REQUIRE(parsed->GetData()[parsed->GetSize() - 1u] == paddingLength);
	REQUIRE(parsed->GetPayloadType() == 97u);
	REQUIRE_FALSE(parsed->HasMarker());
	REQUIRE(parsed->GetSequenceNumber() == 0xfffeu);
	REQUIRE(parsed->GetTimestamp() == 0xdeadbeefu);
	REQUIRE(parsed->GetSsrc() == 0x11223344u);
	REQUIRE(parsed->GetCsrcCount() == 0u);
	REQUIRE(parsed->GetExtensionForm() == RtpPacket::ExtensionForm::ONE_BYTE);

	// The transport-wide sequence number is stamped after the fact, on the
	// returned view, and reads back from the bytes.
	REQUIRE(packet->ReadTransportWideCc01() == 0u);
	REQUIRE(packet->UpdateTransportWideCc01(0xabcdu));

	parsed->SetExtensionIds(TwccIds());

	REQUIRE(parsed->ReadTransportWideCc01() == 0xabcdu);
	REQUIRE(parsed->GetSize() == 20u + paddingLength);
}

TEST_CASE("PaddingPacket refuses what RFC 3550 padding cannot carry", "[probe]")
{
	const PaddingPacket::Header header{
		.payloadType = 97u, .sequenceNumber = 1u, .timestamp = 2u, .ssrc = 3u, .extensions = TwccOnly
	};
	std::array<uint8_t, 1500> buffer{};

	SECTION("no padding, or more than the count byte says")
	{
		REQUIRE_FALSE(PaddingPacket::Write(buffer, header, 0u, TwccIds()));
		REQUIRE_FALSE(PaddingPacket::Write(buffer, header, 256u, TwccIds()));
	}

	SECTION("a buffer too small, leaving it untouched")
	{
		std::array<uint8_t, 20u + 10u> small{};

		REQUIRE_FALSE(PaddingPacket::Write(small, header, 11u, TwccIds()));
		REQUIRE(small == decltype(small){});
		REQUIRE(PaddingPacket::Write(small, header, 10u, TwccIds()));
	}

	SECTION("extensions that cannot be written")
	{
		const std::array<PaddingPacket::Extension, 1> zeroId{ PaddingPacket::Extension{
			0u, TwccPlaceholder } };
		const PaddingPacket::Header bad{ .payloadType = 97u, .extensions = zeroId };

		REQUIRE(PaddingPacket::GetHeaderSize(bad) == 0u);
		REQUIRE(PaddingPacket::GetPaddingLengthFor(bad, 1200u) == 0u);
		REQUIRE_FALSE(PaddingPacket::Write(buffer, bad, 10u, TwccIds()));
	}

	SECTION("the padding length for a packet size")
	{
		// Bounded by the count byte, however large the packet may be.
		REQUIRE(PaddingPacket::GetPaddingLengthFor(header, 1200u) == 255u);
		REQUIRE(PaddingPacket::GetPaddingLengthFor(header, 20u + 100u) == 100u);
		REQUIRE(PaddingPacket::GetPaddingLengthFor(header, 21u) == 1u);
		REQUIRE(PaddingPacket::GetPaddingLengthFor(header, 20u) == 0u);
		REQUIRE(PaddingPacket::GetPaddingLengthFor(header, 0u) == 0u);
	}
}

TEST_CASE("PaddingPacket without extensions", "[probe]")
{
	const PaddingPacket::Header header{
		.payloadType = 96u, .sequenceNumber = 9u, .timestamp = 0u, .ssrc = 5u, .extensions = {}
	};
	std::array<uint8_t, 64> buffer{};
	auto packet = PaddingPacket::Write(buffer, header, 40u, {});

	REQUIRE(packet);
	REQUIRE(packet->GetSize() == 12u + 40u);
	REQUIRE_FALSE(packet->HasHeaderExtension());
	// Nothing to stamp: the update says so and changes nothing.
	REQUIRE_FALSE(packet->UpdateTransportWideCc01(1u));
}

TEST_CASE("ProbationStream writes SSRC 1234, payload type 127, in sequence", "[probe]")
{
	// mid too, as mediasoup-client's probator m-section has the consumer's
	// header extensions.
	constexpr uint8_t MidId{ 1u };
	const std::array<uint8_t, 8> mid{ 'p', 'r', 'o', 'b', 'a', 't', 'o', 'r' };
	const std::array<PaddingPacket::Extension, 2> extensions{
		PaddingPacket::Extension{ MidId, mid },
		PaddingPacket::Extension{ TransportWideCcId, TwccPlaceholder },
	};
	RtpHeaderExtensionIds ids = TwccIds();

	ids.mid = MidId;

	ProbationStream stream(0xffffu);
	std::array<uint8_t, 1500> buffer{};
	std::vector<uint16_t> seqs;
	uint64_t nowUs{ 10000000u };

	for (size_t i{ 0u }; i < 3u; ++i)
	{
		auto packet = stream.WriteNext(buffer, 1200u, extensions, ids, nowUs);

		REQUIRE(packet);
		REQUIRE(packet->GetSsrc() == ProbationStream::Ssrc);
		REQUIRE(packet->GetSsrc() == 1234u);
		REQUIRE(packet->GetPayloadType() == 127u);
		REQUIRE(packet->GetPayloadLength() == 0u);
		// The largest padding-only packet: 12 + 4 + 12 (mid 1+8, twcc 1+2) +
		// 255.
		REQUIRE(packet->GetSize() == 12u + 4u + 12u + 255u);
		REQUIRE(packet->GetPaddingLength() == 255u);
		REQUIRE(packet->ReadMid() == ProbationStream::Mid);
		REQUIRE(packet->GetTimestamp() == static_cast<uint32_t>(nowUs * 90u / 1000u));
		REQUIRE(packet->UpdateTransportWideCc01(static_cast<uint16_t>(100u + i)));
		REQUIRE(packet->ReadTransportWideCc01() == 100u + i);

		seqs.push_back(packet->GetSequenceNumber());
		nowUs += 1000u;
	}

	REQUIRE(seqs == std::vector<uint16_t>{ 0xffffu, 0u, 1u });
	REQUIRE(stream.GetPacketCount() == 3u);

	SECTION("a size that leaves no room for padding takes no sequence number")
	{
		REQUIRE_FALSE(stream.WriteNext(buffer, 28u, extensions, ids, nowUs));
		REQUIRE(stream.GetNextSequenceNumber() == 2u);

		auto packet = stream.WriteNext(buffer, 100u, extensions, ids, nowUs);

		REQUIRE(packet);
		REQUIRE(packet->GetSize() == 100u);
		REQUIRE(packet->GetSequenceNumber() == 2u);
	}
}
