// Reads arbitrary bytes as an RTCP datagram. Every packet that comes out is
// written back (a buffer one byte short must get nothing), parsed again and
// compared, and written again to the same bytes; all of them are then
// rebuilt into one datagram with the builder and read back. Each packet
// type's own Parse() is also fed the whole input, and the NTP / RTT helpers
// get numbers taken from it.

#include "common.hpp"

#include "RTC/RTCP/CompoundPacket.hpp"
#include "RTC/RTCP/Ntp.hpp"
#include "Settings.hpp"

#include <array>
#include <cstring>
#include <vector>

using namespace RTC::RTCP;

namespace
{
	// A failed property is a bug: crash so that libFuzzer reports it.
	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}

	std::array<uint8_t, CommonHeader::MaxPacketSize> buffer;
	std::array<uint8_t, CommonHeader::MaxPacketSize> buffer2;

	template <Packet T>
	size_t SizeOf(const T& packet)
	{
		return packet.GetSize();
	}

	size_t SizeOf(const AnyPacket& packet)
	{
		return CompoundPacket::GetSize(packet);
	}

	template <Packet T>
	size_t Write(const T& packet, std::span<uint8_t> out)
	{
		return packet.Serialize(out);
	}

	size_t Write(const AnyPacket& packet, std::span<uint8_t> out)
	{
		return CompoundPacket::Serialize(packet, out);
	}

	// Writes `packet`, parses it back with `parse` and checks it is equal and
	// writes the same bytes again.
	template <typename T, typename Parse>
	void RoundTrip(const T& packet, Parse&& parse)
	{
		const size_t size = SizeOf(packet);

		Check(size > 0u && size % 4u == 0u && size <= CommonHeader::MaxPacketSize);
		Check(Write(packet, std::span<uint8_t>(buffer.data(), size - 1u)) == 0u);
		Check(Write(packet, buffer) == size);

		const auto again = parse(std::span<const uint8_t>(buffer.data(), size));

		Check(again.has_value());
		Check(*again == packet);
		Check(Write(*again, buffer2) == size);
		Check(std::memcmp(buffer.data(), buffer2.data(), size) == 0);
	}

	template <Packet T>
	void ParseAs(std::span<const uint8_t> data)
	{
		if (auto packet = T::Parse(data))
		{
			Check(packet->GetType() == static_cast<Type>(data[1]));
			RoundTrip(*packet, [](std::span<const uint8_t> bytes) { return T::Parse(bytes); });
		}
	}

	// Reads what each type offers beyond its fields.
	void Exercise(const AnyPacket& packet)
	{
		if (const auto* nack = std::get_if<Nack>(&packet))
		{
			std::array<uint16_t, Nack::MaxItems * Nack::Item::MaxLostSequenceNumbers> lost{};

			Check(nack->GetItems().size() <= Nack::MaxItems);
			Check(nack->GetLostSequenceNumbers(lost) == nack->CountLostSequenceNumbers());
		}
		else if (const auto* twcc = std::get_if<TransportWideCc>(&packet))
		{
			auto reader = twcc->GetStatusReader();
			size_t count{ 0u };

			while (auto status = reader.Next())
			{
				Check(
					status->sequenceNumber == static_cast<uint16_t>(twcc->GetBaseSequenceNumber() + count));
				Check(status->status != TransportWideCc::Status::RESERVED);
				++count;
			}

			// Parse checked the chunks: they decode to the end.
			Check(!reader.HasError());
			Check(count == twcc->GetPacketStatusCount());
		}
		else if (const auto* sdes = std::get_if<Sdes>(&packet))
		{
			Check(sdes->GetChunkCount() <= Sdes::MaxChunks);

			for (size_t i = 0u; i < sdes->GetChunkCount(); ++i)
			{
				const auto chunk = sdes->GetChunk(i);

				Check(chunk.has_value());

				if (const auto cname = chunk->GetCname())
				{
					Check(cname->size() <= Sdes::MaxItemLength);
					Check(sdes->GetCname(chunk->ssrc).has_value());
				}
			}

			Check(!sdes->GetChunk(sdes->GetChunkCount()).has_value());
		}
		else if (const auto* rr = std::get_if<ReceiverReport>(&packet))
		{
			for (const auto& block : rr->GetReportBlocks())
			{
				ComputeRttMs(rr->GetSsrc(), block.lastSenderReport, block.delaySinceLastSenderReport);
				Check(block.cumulativeLost >= ReportBlock::MinCumulativeLost);
				Check(block.cumulativeLost <= ReportBlock::MaxCumulativeLost);
			}
		}
		else if (const auto* xr = std::get_if<Xr>(&packet))
		{
			for (const auto& subBlock : xr->GetDlrrSubBlocks())
			{
				ComputeRttMs(
					xr->GetSsrc(), subBlock.lastReceiverReport, subBlock.delaySinceLastReceiverReport);
			}
		}
		else if (const auto* remb = std::get_if<Remb>(&packet))
		{
			Check((remb->GetBitrate() >> remb->GetExponent()) == remb->GetMantissa());
		}
	}

	void CheckTime(std::span<const uint8_t> data)
	{
		if (data.size() < 12u)
		{
			return;
		}

		uint32_t a;
		uint32_t b;
		uint32_t c;

		std::memcpy(&a, data.data(), 4u);
		std::memcpy(&b, data.data() + 4u, 4u);
		std::memcpy(&c, data.data() + 8u, 4u);

		// Milliseconds whose seconds fit in 32 bits survive NTP.
		const uint64_t ms = static_cast<uint64_t>(a) * 1000u + c % 1000u;

		Check(NtpTime::FromMs(ms).ToMs() == ms);
		Check(NtpTime::CompactToMs(NtpTime::MsToCompact(c % 65536000u)) == c % 65536000u);

		const auto rtt = ComputeRttMs(a, b, c);

		Check(rtt.has_value() == (b != 0u));
		Check(!rtt || *rtt <= NtpTime::CompactToMs(0x7FFFFFFFu));
	}
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	const std::span<const uint8_t> bytes(data, size);
	CompoundPacket::Reader reader(bytes);
	std::vector<AnyPacket> packets;

	for (const auto& packet : reader)
	{
		Exercise(packet);
		RoundTrip(
			packet,
			[](std::span<const uint8_t> written) { return CompoundPacket::ParsePacket(written); });

		if (packets.size() < CompoundPacket::Builder::MaxPackets)
		{
			packets.push_back(packet);
		}
	}

	Check(reader.GetOffset() <= size);
	Check((reader.GetError() == ParseError::NONE) == (reader.GetOffset() == size));
	Check(reader.GetPacketCount() >= packets.size());
	Check(!reader.Next().has_value());

	// All of them in one datagram, read back.
	CompoundPacket::Builder builder;

	for (const auto& packet : packets)
	{
		Check(builder.Add(packet));
	}

	const size_t total = builder.GetSize();

	Check(total > 0u || packets.empty());

	if (total > 0u)
	{
		std::vector<uint8_t> datagram(total);

		Check(builder.Serialize(datagram) == total);

		CompoundPacket::Reader again(datagram);
		size_t i{ 0u };

		for (const auto& packet : again)
		{
			Check(i < packets.size() && packet == packets[i]);
			++i;
		}

		Check(i == packets.size());
		Check(again.GetError() == ParseError::NONE);
	}

	// Each type's own parser on the whole input.
	if (size >= CommonHeader::Size)
	{
		ParseAs<SenderReport>(bytes);
		ParseAs<ReceiverReport>(bytes);
		ParseAs<Sdes>(bytes);
		ParseAs<Bye>(bytes);
		ParseAs<Nack>(bytes);
		ParseAs<TransportWideCc>(bytes);
		ParseAs<Pli>(bytes);
		ParseAs<Fir>(bytes);
		ParseAs<Remb>(bytes);
		ParseAs<Xr>(bytes);
		ParseAs<RawPacket>(bytes);
	}

	CheckTime(bytes);

	return 0;
}
