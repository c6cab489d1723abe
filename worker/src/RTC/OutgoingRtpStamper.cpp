#define MS_CLASS "RTC::OutgoingRtpStamper"

#include "RTC/OutgoingRtpStamper.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

namespace RTC
{
	namespace
	{
		constexpr size_t TransportWideCc01Length{ 2u };
		constexpr size_t AbsSendTimeLength{ 3u };

		uint8_t* FindValue(RtpPacket& packet, uint8_t id, size_t length)
		{
			if (id == 0u)
			{
				return nullptr;
			}

			for (const auto& extension : packet.GetExtensions())
			{
				if (extension.id == id)
				{
					return extension.length == length ? packet.GetData().data() + extension.offset : nullptr;
				}
			}

			return nullptr;
		}

		bool HasElement(const RtpPacket& packet, uint8_t id)
		{
			for (const auto& extension : packet.GetExtensions())
			{
				if (extension.id == id)
				{
					return true;
				}
			}

			return false;
		}
	} // namespace

	uint32_t OutgoingRtpStamper::ToAbsSendTime(uint64_t nowUs)
	{
		return static_cast<uint32_t>(((nowUs << 18u) / 1000000u) & 0xFFFFFFu);
	}

	void OutgoingRtpStamper::WriteTransportWideCc01(const Prepared& prepared, uint16_t sequenceNumber)
	{
		if (prepared.transportWideCc01)
		{
			Utils::Byte::Set2Bytes(prepared.transportWideCc01, 0u, sequenceNumber);
		}
	}

	void OutgoingRtpStamper::WriteAbsSendTime(const Prepared& prepared, uint32_t absSendTime)
	{
		if (prepared.absSendTime)
		{
			Utils::Byte::Set3Bytes(prepared.absSendTime, 0u, absSendTime & 0xFFFFFFu);
		}
	}

	OutgoingRtpStamper::Prepared OutgoingRtpStamper::Prepare(RtpPacket& packet, const Ids& ids)
	{
		Prepared prepared;

		prepared.data              = packet.GetData();
		prepared.transportWideCc01 = FindValue(packet, ids.transportWideCc01, TransportWideCc01Length);
		prepared.absSendTime       = FindValue(packet, ids.absSendTime, AbsSendTimeLength);

		const bool twccMissing = ids.transportWideCc01 != 0u && !prepared.transportWideCc01;
		const bool astMissing  = ids.absSendTime != 0u && !prepared.absSendTime;

		if (!twccMissing && !astMissing)
		{
			return prepared;
		}

		// An element with the ID but another length, or a block we cannot add
		// to: better unstamped than two elements with one ID.
		if (
			packet.GetExtensionForm() == RtpPacket::ExtensionForm::OTHER ||
			(twccMissing && HasElement(packet, ids.transportWideCc01)) ||
			(astMissing && HasElement(packet, ids.absSendTime)))
		{
			++this->unstampableCount;

			return prepared;
		}

		// Rebuild the packet with the missing elements (zeroed, written by the
		// caller) after the ones it has.
		RtpPacket::Writer writer(
			packet.GetPayloadType(), packet.GetSequenceNumber(), packet.GetTimestamp(), packet.GetSsrc());
		static constexpr std::array<uint8_t, 3> Zeros{};

		writer.SetMarker(packet.HasMarker());

		for (size_t idx = 0u; idx < packet.GetCsrcCount(); ++idx)
		{
			writer.AddCsrc(*packet.GetCsrc(idx));
		}

		if (packet.GetExtensionForm() == RtpPacket::ExtensionForm::TWO_BYTE)
		{
			writer.SetForceTwoByteExtensions(true);
		}

		bool fits{ true };

		for (const auto& extension : packet.GetExtensions())
		{
			fits =
				fits &&
				writer.AddExtension(
					extension.id,
					std::span<const uint8_t>(packet.GetData()).subspan(extension.offset, extension.length));
		}

		if (twccMissing)
		{
			fits = fits && writer.AddExtension(
											 ids.transportWideCc01,
											 std::span<const uint8_t>(Zeros).first(TransportWideCc01Length));
		}

		if (astMissing)
		{
			fits = fits && writer.AddExtension(ids.absSendTime, std::span<const uint8_t>(Zeros));
		}

		writer.SetPayload(packet.GetPayload());
		writer.SetPaddingLength(static_cast<uint8_t>(packet.GetPaddingLength()));

		if (!fits || writer.GetSize() > this->buffer.size())
		{
			++this->unstampableCount;

			return prepared;
		}

		const size_t len = writer.Serialize(this->buffer);
		auto copy        = RtpPacket::Parse(std::span<uint8_t>(this->buffer.data(), len));

		if (!copy)
		{
			++this->unstampableCount;

			return prepared;
		}

		Prepared rebuilt;

		rebuilt.data              = std::span<uint8_t>(this->buffer.data(), len);
		rebuilt.transportWideCc01 = FindValue(*copy, ids.transportWideCc01, TransportWideCc01Length);
		rebuilt.absSendTime       = FindValue(*copy, ids.absSendTime, AbsSendTimeLength);

		return rebuilt;
	}
} // namespace RTC
