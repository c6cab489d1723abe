#include "common.hpp"

#include "RTC/OutgoingRtpStamper.hpp"
#include "RTC/RtpPacket.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

using RTC::OutgoingRtpStamper;
using RTC::RtpPacket;

namespace
{
	using Bytes = std::vector<uint8_t>;

	constexpr uint8_t TwccId{ 5u };
	constexpr uint8_t AbsSendTimeId{ 4u };
	const std::array<uint8_t, 5> Payload{ 0x90, 0x80, 0x01, 0x02, 0x03 };

	Bytes Build(
		const std::vector<std::pair<uint8_t, Bytes>>& extensions,
		uint8_t padding   = 0u,
		bool forceTwoByte = false)
	{
		RtpPacket::Writer writer(96u, 1000u, 90000u, 0x11223344u);

		writer.SetMarker(true);
		writer.AddCsrc(0xabcdef01u);

		for (const auto& [id, value] : extensions)
		{
			writer.AddExtension(id, value);
		}

		writer.SetForceTwoByteExtensions(forceTwoByte);
		writer.SetPayload(Payload);
		writer.SetPaddingLength(padding);

		Bytes out(writer.GetSize());

		writer.Serialize(out);

		return out;
	}

	// Parses what was sent and checks that only the stamped elements differ.
	RtpPacket ParseSent(Bytes& storage, std::span<uint8_t> sent)
	{
		storage.assign(sent.begin(), sent.end());

		auto packet = RtpPacket::Parse(storage);

		REQUIRE(packet);
		REQUIRE(packet->GetPayloadType() == 96u);
		REQUIRE(packet->HasMarker());
		REQUIRE(packet->GetSequenceNumber() == 1000u);
		REQUIRE(packet->GetTimestamp() == 90000u);
		REQUIRE(packet->GetSsrc() == 0x11223344u);
		REQUIRE(packet->GetCsrc(0u) == 0xabcdef01u);
		REQUIRE(
			Bytes(packet->GetPayload().begin(), packet->GetPayload().end()) ==
			Bytes(Payload.begin(), Payload.end()));

		return *packet;
	}

	Bytes Value(const RtpPacket& packet, uint8_t id)
	{
		const auto value = packet.GetExtension(id);

		REQUIRE(value);

		return { value->begin(), value->end() };
	}
} // namespace

TEST_CASE("OutgoingRtpStamper", "[bwe][stamper]")
{
	OutgoingRtpStamper stamper;
	OutgoingRtpStamper::Ids ids;
	Bytes storage;

	ids.transportWideCc01 = TwccId;

	SECTION("updates an element the packet has, in place")
	{
		auto bytes          = Build({ { 1u, { 0x30 } }, { TwccId, { 0x00, 0x00 } } });
		auto packet         = RtpPacket::Parse(bytes);
		const auto prepared = stamper.Prepare(*packet, ids);

		REQUIRE(prepared.data.data() == bytes.data());
		REQUIRE(prepared.data.size() == bytes.size());
		OutgoingRtpStamper::WriteTransportWideCc01(prepared, 0xbeefu);

		const auto sent = ParseSent(storage, prepared.data);

		REQUIRE(Value(sent, TwccId) == Bytes{ 0xbe, 0xef });
		REQUIRE(Value(sent, 1u) == Bytes{ 0x30 });
	}

	SECTION("adds the element to a packet without extensions")
	{
		auto bytes  = Build({});
		auto packet = RtpPacket::Parse(bytes);

		REQUIRE(packet->GetExtensionForm() == RtpPacket::ExtensionForm::NONE);

		const auto prepared = stamper.Prepare(*packet, ids);

		REQUIRE(prepared.data.data() != bytes.data());
		// 4-byte extension header, then 1 + 2 bytes of element padded to 4.
		REQUIRE(prepared.data.size() == bytes.size() + 8u);
		OutgoingRtpStamper::WriteTransportWideCc01(prepared, 7u);

		const auto sent = ParseSent(storage, prepared.data);

		REQUIRE(sent.GetExtensionForm() == RtpPacket::ExtensionForm::ONE_BYTE);
		REQUIRE(Value(sent, TwccId) == Bytes{ 0x00, 0x07 });
		REQUIRE(stamper.GetUnstampableCount() == 0u);
	}

	SECTION("adds both elements after the ones a packet has, keeping its padding")
	{
		ids.absSendTime = AbsSendTimeId;

		auto bytes          = Build({ { 1u, { 0x30 } }, { 3u, { 0x01, 0x02, 0x03, 0x04 } } }, 20u);
		auto packet         = RtpPacket::Parse(bytes);
		const auto prepared = stamper.Prepare(*packet, ids);

		OutgoingRtpStamper::WriteTransportWideCc01(prepared, 0x1234u);
		OutgoingRtpStamper::WriteAbsSendTime(prepared, OutgoingRtpStamper::ToAbsSendTime(1500000u));

		const auto sent = ParseSent(storage, prepared.data);

		REQUIRE(Value(sent, 1u) == Bytes{ 0x30 });
		REQUIRE(Value(sent, 3u) == Bytes{ 0x01, 0x02, 0x03, 0x04 });
		REQUIRE(Value(sent, TwccId) == Bytes{ 0x12, 0x34 });
		// 1.5 s in 6.18 fixed point: 0x060000.
		REQUIRE(Value(sent, AbsSendTimeId) == Bytes{ 0x06, 0x00, 0x00 });
		REQUIRE(sent.GetPaddingLength() == 20u);
	}

	SECTION("keeps the two-byte form")
	{
		auto bytes          = Build({ { 1u, { 0x30 } } }, 0u, true);
		auto packet         = RtpPacket::Parse(bytes);
		const auto prepared = stamper.Prepare(*packet, ids);

		OutgoingRtpStamper::WriteTransportWideCc01(prepared, 9u);

		const auto sent = ParseSent(storage, prepared.data);

		REQUIRE(sent.GetExtensionForm() == RtpPacket::ExtensionForm::TWO_BYTE);
		REQUIRE(Value(sent, TwccId) == Bytes{ 0x00, 0x09 });
	}

	SECTION("leaves alone a packet whose element has another length")
	{
		auto bytes           = Build({ { TwccId, { 0x01, 0x02, 0x03 } } });
		const Bytes original = bytes;
		auto packet          = RtpPacket::Parse(bytes);
		const auto prepared  = stamper.Prepare(*packet, ids);

		REQUIRE(prepared.data.data() == bytes.data());
		REQUIRE(prepared.transportWideCc01 == nullptr);
		OutgoingRtpStamper::WriteTransportWideCc01(prepared, 9u);
		REQUIRE(bytes == original);
		REQUIRE(stamper.GetUnstampableCount() == 1u);
	}

	SECTION("leaves alone a packet with an extension block of another profile")
	{
		Bytes bytes = Build({});

		// X bit, then a 4-byte header of profile 0x1234 with one word.
		bytes[0] |= 0x10u;
		const Bytes block{ 0x12, 0x34, 0x00, 0x01, 0xaa, 0xbb, 0xcc, 0xdd };

		bytes.insert(bytes.begin() + 16, block.begin(), block.end());

		auto packet = RtpPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(packet->GetExtensionForm() == RtpPacket::ExtensionForm::OTHER);

		const auto prepared = stamper.Prepare(*packet, ids);

		REQUIRE(prepared.data.data() == bytes.data());
		REQUIRE(prepared.transportWideCc01 == nullptr);
		REQUIRE(stamper.GetUnstampableCount() == 1u);
	}

	SECTION("abs-send-time wraps every 64 s")
	{
		REQUIRE(OutgoingRtpStamper::ToAbsSendTime(0u) == 0u);
		REQUIRE(OutgoingRtpStamper::ToAbsSendTime(64000000u) == 0u);
		REQUIRE(OutgoingRtpStamper::ToAbsSendTime(63999999u) == 0xFFFFFFu);
	}
}
