// Parses arbitrary bytes as RTP; whatever parses has every accessor and typed
// extension reader called, is encoded as RTX and decoded back (which must
// give the original bytes without padding), is rebuilt with the Writer and
// parsed again, and has its extension IDs remapped with a map taken from the
// input.

#include "common.hpp"

#include "RTC/RtpPacket.hpp"
#include "Settings.hpp"

#include <algorithm>
#include <array>
#include <cstring>

using RTC::RtpPacket;

namespace
{
	// UDP payloads and RFC 4571 frames are at most this long.
	constexpr size_t MaxInputSize{ 65535u };
	// Room for the RTX OSN.
	constexpr size_t BufferSize{ MaxInputSize + RtpPacket::RtxOsnSize };

	// A failed property is a bug: crash so that libFuzzer reports it.
	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}

	bool Equal(std::span<const uint8_t> a, std::span<const uint8_t> b)
	{
		return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
	}

	// Every accessor; the invariants a parsed packet keeps.
	void CheckAccessors(const RtpPacket& packet)
	{
		const size_t size = packet.GetSize();

		Check(packet.GetVersion() == 2u);
		Check(packet.GetPayloadType() <= 127u);
		Check(packet.GetHeaderSize() >= RtpPacket::FixedHeaderSize + (4u * packet.GetCsrcCount()));
		Check(packet.GetHeaderSize() + packet.GetPayloadLength() + packet.GetPaddingLength() == size);
		Check(packet.HasPadding() == (packet.GetPaddingLength() != 0u));
		Check(packet.GetPayload().size() == packet.GetPayloadLength());
		Check(packet.GetPayload().data() == packet.GetData().data() + packet.GetHeaderSize());
		Check(
			packet.GetPaddingLength() == 0u || packet.GetData()[size - 1u] == packet.GetPaddingLength());
		(void)packet.HasMarker();
		(void)packet.GetSequenceNumber();
		(void)packet.GetTimestamp();
		(void)packet.GetSsrc();

		for (size_t i = 0u; i < packet.GetCsrcCount(); ++i)
		{
			Check(packet.GetCsrc(i).has_value());
		}

		Check(!packet.GetCsrc(packet.GetCsrcCount()).has_value());

		const auto form  = packet.GetExtensionForm();
		const auto block = packet.GetExtensionBlock();

		Check(packet.HasHeaderExtension() == (form != RtpPacket::ExtensionForm::NONE));
		Check(block.size() % 4u == 0u);
		Check(block.data() + block.size() == packet.GetData().data() + packet.GetHeaderSize());

		if (form == RtpPacket::ExtensionForm::ONE_BYTE)
		{
			Check(packet.GetExtensionProfile() == RtpPacket::OneByteExtensionProfile);
		}
		else if (form == RtpPacket::ExtensionForm::TWO_BYTE)
		{
			Check((packet.GetExtensionProfile() & 0xFFF0u) == RtpPacket::TwoByteExtensionProfile);
		}
		else
		{
			Check(packet.GetExtensions().empty());
		}

		Check(packet.GetExtensions().size() <= RtpPacket::MaxExtensions);

		for (const auto& extension : packet.GetExtensions())
		{
			Check(extension.id != 0u);
			Check(extension.offset >= static_cast<size_t>(block.data() - packet.GetData().data()));
			Check(extension.offset + extension.length <= packet.GetHeaderSize());

			if (form == RtpPacket::ExtensionForm::ONE_BYTE)
			{
				Check(extension.id <= RtpPacket::MaxOneByteExtensionId);
				Check(extension.length >= 1u && extension.length <= 16u);
			}

			const auto value = packet.GetExtension(extension.id);

			Check(value.has_value());
			Check(value->data() <= packet.GetData().data() + extension.offset);
		}

		Check(!packet.GetExtension(0u).has_value());
	}

	// Every typed reader, with every ID pointed at `id`.
	void CheckReaders(RtpPacket& packet, uint8_t id)
	{
		RTC::RtpHeaderExtensionIds ids;

		ids.mid = ids.rid = ids.rrid = ids.absSendTime = ids.transportWideCc01 = ids.ssrcAudioLevel =
			ids.videoOrientation = ids.toffset = ids.absCaptureTime = ids.playoutDelay =
				ids.dependencyDescriptor = ids.mediasoupPacketId = id;
		packet.SetExtensionIds(ids);

		for (const auto& text : { packet.ReadMid(), packet.ReadRid(), packet.ReadRrid() })
		{
			if (text)
			{
				Check(!text->empty());

				for (const char c : *text)
				{
					Check(c >= 0x21 && c <= 0x7E);
				}
			}
		}

		const auto absSendTime = packet.ReadAbsSendTime();
		const auto level       = packet.ReadSsrcAudioLevel();
		const auto orientation = packet.ReadVideoOrientation();
		const auto toffset     = packet.ReadToffset();
		const auto delay       = packet.ReadPlayoutDelay();
		const auto captureTime = packet.ReadAbsCaptureTime();

		(void)packet.ReadTransportWideCc01();
		Check(!absSendTime || *absSendTime <= 0xFFFFFFu);
		Check(!level || level->first <= 127u);
		Check(!orientation || orientation->rotation % 90u == 0u);
		Check(!orientation || orientation->rotation <= 270u);
		Check(!toffset || (*toffset >= -0x800000 && *toffset <= 0x7FFFFF));
		Check(!delay || (delay->minDelayMs <= 40950u && delay->maxDelayMs <= 40950u));
		(void)captureTime;

		// Writing back what was read changes nothing.
		if (absSendTime)
		{
			Check(packet.UpdateAbsSendTime(*absSendTime));
			Check(packet.ReadAbsSendTime() == absSendTime);
		}

		const auto transportWideCc = packet.ReadTransportWideCc01();

		if (transportWideCc)
		{
			Check(packet.UpdateTransportWideCc01(*transportWideCc));
		}
	}

	// RTX encode then decode gives the original without its padding.
	void CheckRtx(const RtpPacket& packet, std::span<const uint8_t> original)
	{
		thread_local std::array<uint8_t, BufferSize> rtx;

		const size_t rtxSize = packet.GetRtxSize();
		size_t rtxLen{ 0u };

		Check(rtxSize == packet.GetSize() - packet.GetPaddingLength() + RtpPacket::RtxOsnSize);
		Check(
			!packet.RtxEncode(std::span<uint8_t>(rtx.data(), rtxSize - 1u), 97u, 0xABCDu, 7u, rtxLen));
		Check(packet.RtxEncode(std::span<uint8_t>(rtx.data(), rtxSize), 97u, 0xABCDu, 7u, rtxLen));
		Check(rtxLen == rtxSize);

		{
			const auto rtxPacket = RtpPacket::Parse(std::span<uint8_t>(rtx.data(), rtxLen));

			Check(rtxPacket.has_value());
			Check(rtxPacket->GetPayloadType() == 97u);
			Check(rtxPacket->GetSsrc() == 0xABCDu);
			Check(rtxPacket->GetSequenceNumber() == 7u);
			Check(!rtxPacket->HasPadding());
			Check(rtxPacket->GetExtensions().size() == packet.GetExtensions().size());
		}

		const auto decoded = RtpPacket::RtxDecode(
			std::span<uint8_t>(rtx.data(), rtxLen), packet.GetPayloadType(), packet.GetSsrc());

		Check(decoded.has_value());
		CheckAccessors(*decoded);

		const auto restored       = decoded->GetData();
		const size_t expectedSize = packet.GetSize() - packet.GetPaddingLength();

		Check(restored.size() == expectedSize);
		Check(restored[0] == (original[0] & 0xDFu));
		Check(Equal(restored.subspan(1u), original.subspan(1u, expectedSize - 1u)));
		Check(decoded->GetExtensions().size() == packet.GetExtensions().size());
	}

	// The Writer rebuilds the same fields, elements and payload.
	void CheckWriter(const RtpPacket& packet)
	{
		thread_local std::array<uint8_t, BufferSize> out;

		RtpPacket::Writer writer(
			packet.GetPayloadType(), packet.GetSequenceNumber(), packet.GetTimestamp(), packet.GetSsrc());

		writer.SetMarker(packet.HasMarker());

		for (size_t i = 0u; i < packet.GetCsrcCount(); ++i)
		{
			Check(writer.AddCsrc(*packet.GetCsrc(i)));
		}

		for (const auto& extension : packet.GetExtensions())
		{
			Check(writer.AddExtension(
				extension.id, packet.GetData().subspan(extension.offset, extension.length)));
		}

		writer.SetPayload(packet.GetPayload());
		writer.SetPaddingLength(static_cast<uint8_t>(packet.GetPaddingLength()));

		const size_t size = writer.GetSize();

		if (size > out.size())
		{
			return;
		}

		Check(writer.Serialize(std::span<uint8_t>(out.data(), size - 1u)) == 0u);
		Check(writer.Serialize(out) == size);

		const auto rebuilt = RtpPacket::Parse(std::span<uint8_t>(out.data(), size));

		Check(rebuilt.has_value());
		Check(rebuilt->GetPayloadType() == packet.GetPayloadType());
		Check(rebuilt->HasMarker() == packet.HasMarker());
		Check(rebuilt->GetSequenceNumber() == packet.GetSequenceNumber());
		Check(rebuilt->GetTimestamp() == packet.GetTimestamp());
		Check(rebuilt->GetSsrc() == packet.GetSsrc());
		Check(rebuilt->GetCsrcCount() == packet.GetCsrcCount());
		Check(Equal(rebuilt->GetPayload(), packet.GetPayload()));
		Check(rebuilt->GetPaddingLength() == packet.GetPaddingLength());
		Check(rebuilt->GetExtensions().size() == packet.GetExtensions().size());

		for (size_t i = 0u; i < packet.GetExtensions().size(); ++i)
		{
			const auto& a = packet.GetExtensions()[i];
			const auto& b = rebuilt->GetExtensions()[i];

			Check(a.id == b.id);
			Check(Equal(
				packet.GetData().subspan(a.offset, a.length),
				rebuilt->GetData().subspan(b.offset, b.length)));
		}
	}

	// Remaps with a map made of the input bytes: on success the bytes parse to
	// the kept elements with their new IDs, on failure nothing changed.
	void CheckRemap(RtpPacket& packet, std::span<const uint8_t> input)
	{
		thread_local std::array<uint8_t, BufferSize> before;

		std::array<uint8_t, 256> map{};

		for (size_t i = 0u; i < map.size(); ++i)
		{
			map[i] = input[i % input.size()];
		}

		std::array<RtpPacket::Extension, RtpPacket::MaxExtensions> extensions{};
		const size_t count = packet.GetExtensions().size();

		std::copy(packet.GetExtensions().begin(), packet.GetExtensions().end(), extensions.begin());
		std::memcpy(before.data(), packet.GetData().data(), packet.GetSize());

		const bool oneByte = packet.GetExtensionForm() == RtpPacket::ExtensionForm::ONE_BYTE;
		bool fits{ true };

		for (size_t i = 0u; i < count; ++i)
		{
			fits = fits && (!oneByte || map[extensions[i].id] <= RtpPacket::MaxOneByteExtensionId);
		}

		if (!packet.RemapExtensionIds(map))
		{
			Check(!fits);
			Check(Equal(packet.GetData(), std::span<const uint8_t>(before.data(), packet.GetSize())));

			return;
		}

		Check(fits);

		const auto again = RtpPacket::Parse(packet.GetData());

		Check(again.has_value());
		Check(again->GetExtensions().size() == packet.GetExtensions().size());

		size_t j{ 0u };

		for (size_t i = 0u; i < count; ++i)
		{
			const uint8_t newId = map[extensions[i].id];

			if (newId == 0u)
			{
				continue;
			}

			Check(j < again->GetExtensions().size());
			Check(again->GetExtensions()[j].id == newId);
			Check(again->GetExtensions()[j].offset == extensions[i].offset);
			Check(packet.GetExtensions()[j].id == newId);
			++j;
		}

		Check(j == again->GetExtensions().size());
		// Only the extension block may have changed.
		Check(Equal(
			packet.GetData().first(packet.GetHeaderSize() - packet.GetExtensionBlock().size()),
			std::span<const uint8_t>(
				before.data(), packet.GetHeaderSize() - packet.GetExtensionBlock().size())));
		Check(Equal(
			packet.GetPayload(),
			std::span<const uint8_t>(before.data() + packet.GetHeaderSize(), packet.GetPayloadLength())));
	}
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	if (size > MaxInputSize)
	{
		return 0;
	}

	// The parser takes mutable bytes, as the receive buffer is.
	thread_local std::array<uint8_t, BufferSize> buffer;
	thread_local std::array<uint8_t, BufferSize> copy;

	const std::span<const uint8_t> input(data, size);

	if (size > 0u)
	{
		std::memcpy(buffer.data(), data, size);
	}

	RtpPacket::DropReason reason{ RtpPacket::DropReason::TOO_SHORT };
	auto packet = RtpPacket::Parse(std::span<uint8_t>(buffer.data(), size), reason);

	if (!packet)
	{
		Check(!RtpPacket::DropReasonToString(reason).empty());
		Check(Equal(std::span<const uint8_t>(buffer.data(), size), input));

		return 0;
	}

	// IsRtp() is the cheaper check: it only adds the RTCP range.
	Check(RtpPacket::IsRtp(input) == ((input[1] & 0x7Fu) < 72u || (input[1] & 0x7Fu) > 79u));
	Check(packet->GetSize() == size);
	Check(packet->GetData().data() == buffer.data());
	CheckAccessors(*packet);

	// Readers, pointed at each ID present and at an absent one.
	CheckReaders(*packet, 1u);

	for (const auto& extension : packet->GetExtensions())
	{
		CheckReaders(*packet, extension.id);
	}

	// Updating an element with its own value changes nothing (the first
	// element with an ID is the one updated).
	for (const auto& extension : packet->GetExtensions())
	{
		if (packet->GetExtension(extension.id)->data() != buffer.data() + extension.offset)
		{
			continue;
		}

		std::array<uint8_t, 256> value{};

		std::memcpy(value.data(), buffer.data() + extension.offset, extension.length);
		Check(packet->UpdateExtensionValue(
			extension.id, std::span<const uint8_t>(value.data(), extension.length)));
		Check(!packet->UpdateExtensionValue(
			extension.id, std::span<const uint8_t>(value.data(), extension.length + 1u)));
	}

	Check(Equal(std::span<const uint8_t>(buffer.data(), size), input));

	CheckRtx(*packet, input);
	CheckWriter(*packet);

	// A copy is the same packet over other bytes.
	{
		const auto copied = packet->CopyTo(copy);

		Check(copied.has_value());
		Check(Equal(copied->GetData(), input));
		Check(copied->GetExtensions().size() == packet->GetExtensions().size());
		Check(!packet->CopyTo(std::span<uint8_t>(copy.data(), size - 1u)).has_value());
	}

	// Setters write where the getters read, and nowhere else.
	{
		const bool marker = packet->HasMarker();

		packet->SetPayloadType(static_cast<uint8_t>(input[1] + 1u));
		packet->SetMarker(!marker);
		packet->SetSequenceNumber(static_cast<uint16_t>(packet->GetSequenceNumber() + 1u));
		packet->SetTimestamp(packet->GetTimestamp() + 1u);
		packet->SetSsrc(~packet->GetSsrc());

		Check(packet->HasMarker() == !marker);
		Check(packet->GetPayloadType() == ((input[1] + 1u) & 0x7Fu));
		Check(buffer[0] == input[0]);
		Check(Equal(std::span<const uint8_t>(buffer.data() + 12u, size - 12u), input.subspan(12u)));
	}

	CheckRemap(*packet, input);

	return 0;
}
