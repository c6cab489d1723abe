#define MS_CLASS "RTC::RtpPacket"
// #define MS_LOG_DEV

#include "RTC/RtpPacket.hpp"

#include "Logger.hpp"

#include <cinttypes>
#include <cstring>

namespace RTC
{
	namespace
	{
		using Utils::Byte;

		constexpr uint8_t VersionShift{ 6u };
		constexpr uint8_t Version{ 2u };
		constexpr uint8_t PaddingBit{ 0x20u };
		constexpr uint8_t ExtensionBit{ 0x10u };
		constexpr uint8_t MarkerBit{ 0x80u };
		// One-byte form ID reserved for a future extension: processing of the
		// block stops there (RFC 8285 4.2).
		constexpr uint8_t OneByteReservedId{ 15u };
		// RTCP packet types 200..207 with the marker bit masked (RFC 5761 4).
		constexpr uint8_t MinRtcpLikePayloadType{ 72u };
		constexpr uint8_t MaxRtcpLikePayloadType{ 79u };
	} // namespace

	/* Class methods. */

	bool RtpPacket::IsRtp(std::span<const uint8_t> data)
	{
		if (data.size() < FixedHeaderSize || (data[0] >> VersionShift) != Version)
		{
			return false;
		}

		const uint8_t payloadType = data[1] & 0x7Fu;

		return payloadType < MinRtcpLikePayloadType || payloadType > MaxRtcpLikePayloadType;
	}

	std::optional<RtpPacket> RtpPacket::Parse(std::span<uint8_t> data)
	{
		DropReason reason{ DropReason::TOO_SHORT };

		return Parse(data, reason);
	}

	std::optional<RtpPacket> RtpPacket::Parse(std::span<uint8_t> data, DropReason& reason)
	{
		const auto drop = [&reason](DropReason why, size_t size)
		{
			reason = why;

			MS_DEBUG_TAG(
				rtp, "dropping RTP packet of %zu bytes: %s", size, DropReasonToString(why).data());

			return std::nullopt;
		};

		if (data.size() < FixedHeaderSize)
		{
			return drop(DropReason::TOO_SHORT, data.size());
		}

		const uint8_t* bytes = data.data();
		const size_t size    = data.size();

		if ((bytes[0] >> VersionShift) != Version)
		{
			return drop(DropReason::BAD_VERSION, size);
		}

		RtpPacket packet(data);
		size_t pos = FixedHeaderSize + (CsrcSize * (bytes[0] & 0x0Fu));

		if (pos > size)
		{
			return drop(DropReason::CSRCS_OVERFLOW, size);
		}

		if ((bytes[0] & ExtensionBit) != 0u)
		{
			if (size - pos < ExtensionHeaderSize)
			{
				return drop(DropReason::EXTENSION_HEADER_OVERFLOW, size);
			}

			const uint16_t profile   = Byte::Get2Bytes(bytes, pos);
			const size_t blockLength = size_t{ 4u } * Byte::Get2Bytes(bytes, pos + 2u);

			pos += ExtensionHeaderSize;

			if (size - pos < blockLength)
			{
				return drop(DropReason::EXTENSION_OVERFLOW, size);
			}

			if (profile == OneByteExtensionProfile)
			{
				packet.extensionForm = ExtensionForm::ONE_BYTE;
			}
			else if ((profile & TwoByteExtensionProfileMask) == TwoByteExtensionProfile)
			{
				packet.extensionForm = ExtensionForm::TWO_BYTE;
			}
			else
			{
				packet.extensionForm = ExtensionForm::OTHER;
			}

			packet.extensionBlockOffset = pos;
			packet.extensionBlockLength = blockLength;
			pos += blockLength;
		}
		else
		{
			// An empty block right after the CSRCs, so GetExtensionBlock() is
			// always in bounds.
			packet.extensionBlockOffset = pos;
		}

		packet.headerSize = pos;

		if ((bytes[0] & PaddingBit) != 0u)
		{
			// The count is the last byte, which must lie after the header.
			if (size == pos)
			{
				return drop(DropReason::PADDING_OVERFLOW, size);
			}

			const uint8_t paddingLength = bytes[size - 1u];

			if (paddingLength == 0u)
			{
				return drop(DropReason::PADDING_ZERO, size);
			}

			if (paddingLength > size - pos)
			{
				return drop(DropReason::PADDING_OVERFLOW, size);
			}

			packet.paddingLength = paddingLength;
		}

		packet.payloadLength = size - pos - packet.paddingLength;

		packet.IndexExtensions();

		return packet;
	}

	std::string_view RtpPacket::DropReasonToString(DropReason reason)
	{
		switch (reason)
		{
			case DropReason::TOO_SHORT:
				return "shorter than the fixed header";
			case DropReason::BAD_VERSION:
				return "version is not 2";
			case DropReason::CSRCS_OVERFLOW:
				return "CSRC list overflows the packet";
			case DropReason::EXTENSION_HEADER_OVERFLOW:
				return "extension header overflows the packet";
			case DropReason::EXTENSION_OVERFLOW:
				return "extension block overflows the packet";
			case DropReason::PADDING_ZERO:
				return "padding count is 0";
			case DropReason::PADDING_OVERFLOW:
				return "padding overflows the payload";
		}

		return "unknown";
	}

	std::optional<RtpPacket>
	RtpPacket::RtxDecode(std::span<uint8_t> data, uint8_t originalPayloadType, uint32_t originalSsrc)
	{
		auto packet = Parse(data);

		if (!packet)
		{
			return std::nullopt;
		}

		if (packet->payloadLength < RtxOsnSize)
		{
			MS_DEBUG_TAG(
				rtx,
				"dropping RTX packet without OSN [ssrc:%" PRIu32 ", seq:%" PRIu16 "]",
				packet->GetSsrc(),
				packet->GetSequenceNumber());

			return std::nullopt;
		}

		const size_t headerSize = packet->headerSize;
		const uint16_t osn      = Byte::Get2Bytes(data.data(), headerSize);

		// Move the header over the OSN: offsets within the view do not change,
		// only where it starts.
		std::memmove(data.data() + RtxOsnSize, data.data(), headerSize);

		packet->data = data.subspan(RtxOsnSize);
		packet->payloadLength -= RtxOsnSize;
		packet->SetSequenceNumber(osn);
		packet->SetPayloadType(originalPayloadType);
		packet->SetSsrc(originalSsrc);

		return packet;
	}

	/* Instance methods. */

	bool RtpPacket::UpdateExtensionValue(uint8_t id, std::span<const uint8_t> value)
	{
		const Extension* extension = FindExtension(id);

		if (!extension || extension->length != value.size())
		{
			return false;
		}

		if (!value.empty())
		{
			std::memmove(this->data.data() + extension->offset, value.data(), value.size());
		}

		return true;
	}

	bool RtpPacket::RemapExtensionIds(const std::array<uint8_t, 256>& map)
	{
		if (
			this->extensionForm != ExtensionForm::ONE_BYTE &&
			this->extensionForm != ExtensionForm::TWO_BYTE)
		{
			return true;
		}

		const bool oneByte             = this->extensionForm == ExtensionForm::ONE_BYTE;
		const size_t elementHeaderSize = oneByte ? 1u : 2u;

		// Check everything before writing anything.
		if (oneByte)
		{
			for (size_t i = 0u; i < this->extensionsCount; ++i)
			{
				if (map[this->extensions[i].id] > MaxOneByteExtensionId)
				{
					return false;
				}
			}
		}

		uint8_t* bytes = this->data.data();
		size_t kept{ 0u };

		for (size_t i = 0u; i < this->extensionsCount; ++i)
		{
			const Extension extension = this->extensions[i];
			const uint8_t newId       = map[extension.id];
			const size_t elementStart = extension.offset - elementHeaderSize;

			if (newId == 0u)
			{
				// Zero bytes are padding in both forms.
				std::memset(bytes + elementStart, 0, elementHeaderSize + extension.length);

				continue;
			}

			if (oneByte)
			{
				bytes[elementStart] = static_cast<uint8_t>((newId << 4) | (extension.length - 1u));
			}
			else
			{
				bytes[elementStart] = newId;
			}

			this->extensions[kept++] = Extension{ newId, extension.length, extension.offset };
		}

		this->extensionsCount = kept;

		// What the parser ignored would reach the receiver with IDs of the
		// sender's numbering: blank it.
		if (this->extensionIndexedLength < this->extensionBlockLength)
		{
			std::memset(
				bytes + this->extensionBlockOffset + this->extensionIndexedLength,
				0,
				this->extensionBlockLength - this->extensionIndexedLength);

			this->extensionIndexedLength = this->extensionBlockLength;
		}

		for (uint8_t* id : { &this->extensionIds.mid,
												 &this->extensionIds.rid,
												 &this->extensionIds.rrid,
												 &this->extensionIds.absSendTime,
												 &this->extensionIds.transportWideCc01,
												 &this->extensionIds.ssrcAudioLevel,
												 &this->extensionIds.videoOrientation,
												 &this->extensionIds.toffset,
												 &this->extensionIds.absCaptureTime,
												 &this->extensionIds.playoutDelay,
												 &this->extensionIds.dependencyDescriptor,
												 &this->extensionIds.mediasoupPacketId })
		{
			if (*id != 0u)
			{
				*id = map[*id];
			}
		}

		return true;
	}

	std::optional<uint32_t> RtpPacket::ReadAbsSendTime() const
	{
		const uint8_t* value = GetFixedExtension(this->extensionIds.absSendTime, 3u);

		if (!value)
		{
			return std::nullopt;
		}

		return Byte::Get3Bytes(value, 0u);
	}

	std::optional<uint16_t> RtpPacket::ReadTransportWideCc01() const
	{
		const uint8_t* value = GetFixedExtension(this->extensionIds.transportWideCc01, 2u);

		if (!value)
		{
			return std::nullopt;
		}

		return Byte::Get2Bytes(value, 0u);
	}

	std::optional<std::pair<uint8_t, bool>> RtpPacket::ReadSsrcAudioLevel() const
	{
		// V (voice activity) then the 7-bit level.
		const uint8_t* value = GetFixedExtension(this->extensionIds.ssrcAudioLevel, 1u);

		if (!value)
		{
			return std::nullopt;
		}

		return std::make_pair(static_cast<uint8_t>(value[0] & 0x7Fu), (value[0] & 0x80u) != 0u);
	}

	std::optional<RtpPacket::VideoOrientation> RtpPacket::ReadVideoOrientation() const
	{
		const uint8_t* value = GetFixedExtension(this->extensionIds.videoOrientation, 1u);

		if (!value)
		{
			return std::nullopt;
		}

		VideoOrientation orientation;

		orientation.camera   = (value[0] & 0x08u) != 0u;
		orientation.flip     = (value[0] & 0x04u) != 0u;
		orientation.rotation = static_cast<uint16_t>((value[0] & 0x03u) * 90u);

		return orientation;
	}

	std::optional<int32_t> RtpPacket::ReadToffset() const
	{
		const uint8_t* value = GetFixedExtension(this->extensionIds.toffset, 3u);

		if (!value)
		{
			return std::nullopt;
		}

		const auto raw = static_cast<int32_t>(Byte::Get3Bytes(value, 0u));

		// Sign extension of the 24-bit two's complement value.
		return (raw & 0x800000) != 0 ? raw - 0x1000000 : raw;
	}

	std::optional<RtpPacket::PlayoutDelay> RtpPacket::ReadPlayoutDelay() const
	{
		// MIN (12 bits) then MAX (12 bits), in 10 ms units.
		const uint8_t* value = GetFixedExtension(this->extensionIds.playoutDelay, 3u);

		if (!value)
		{
			return std::nullopt;
		}

		const uint32_t both = Byte::Get3Bytes(value, 0u);
		PlayoutDelay delay;

		delay.minDelayMs = static_cast<uint16_t>(((both >> 12) & 0x0FFFu) * 10u);
		delay.maxDelayMs = static_cast<uint16_t>((both & 0x0FFFu) * 10u);

		return delay;
	}

	std::optional<RtpPacket::AbsCaptureTime> RtpPacket::ReadAbsCaptureTime() const
	{
		const Extension* extension = FindExtension(this->extensionIds.absCaptureTime);

		if (!extension || (extension->length != 8u && extension->length != 16u))
		{
			return std::nullopt;
		}

		const uint8_t* value = this->data.data() + extension->offset;
		AbsCaptureTime time;

		time.absoluteCaptureTimestamp = Byte::Get8Bytes(value, 0u);

		if (extension->length == 16u)
		{
			// Two's complement (a defined conversion since C++20).
			time.estimatedCaptureClockOffset = static_cast<int64_t>(Byte::Get8Bytes(value, 8u));
		}

		return time;
	}

	bool RtpPacket::UpdateAbsSendTime(uint32_t absSendTime)
	{
		uint8_t value[3];

		Byte::Set3Bytes(value, 0u, absSendTime & 0xFFFFFFu);

		return UpdateExtensionValue(this->extensionIds.absSendTime, value);
	}

	bool RtpPacket::UpdateTransportWideCc01(uint16_t sequenceNumber)
	{
		uint8_t value[2];

		Byte::Set2Bytes(value, 0u, sequenceNumber);

		return UpdateExtensionValue(this->extensionIds.transportWideCc01, value);
	}

	std::optional<RtpPacket> RtpPacket::CopyTo(std::span<uint8_t> out) const
	{
		if (out.size() < this->data.size())
		{
			return std::nullopt;
		}

		std::memcpy(out.data(), this->data.data(), this->data.size());

		RtpPacket copy(*this);

		copy.data = out.first(this->data.size());

		return copy;
	}

	bool RtpPacket::RtxEncode(
		std::span<uint8_t> out,
		uint8_t rtxPayloadType,
		uint32_t rtxSsrc,
		uint16_t rtxSequenceNumber,
		size_t& outLen) const
	{
		const size_t rtxSize = GetRtxSize();

		if (out.size() < rtxSize)
		{
			return false;
		}

		const uint8_t* src = this->data.data();
		uint8_t* dst       = out.data();
		// Read before anything is written: `out` may be these very bytes.
		const uint16_t osn = GetSequenceNumber();

		// The payload first (moving it 2 bytes on when `out` is this packet's
		// own buffer), then the header, then the OSN between them.
		std::memmove(dst + this->headerSize + RtxOsnSize, src + this->headerSize, this->payloadLength);
		std::memmove(dst, src, this->headerSize);
		Byte::Set2Bytes(dst, this->headerSize, osn);

		dst[0] = static_cast<uint8_t>(dst[0] & ~PaddingBit);
		dst[1] = static_cast<uint8_t>((dst[1] & MarkerBit) | (rtxPayloadType & 0x7Fu));
		Byte::Set2Bytes(dst, 2u, rtxSequenceNumber);
		Byte::Set4Bytes(dst, 8u, rtxSsrc);

		outLen = rtxSize;

		return true;
	}

	void RtpPacket::IndexExtensions()
	{
		this->extensionsCount        = 0u;
		this->extensionIndexedLength = 0u;

		if (
			this->extensionForm != ExtensionForm::ONE_BYTE &&
			this->extensionForm != ExtensionForm::TWO_BYTE)
		{
			return;
		}

		const bool oneByte   = this->extensionForm == ExtensionForm::ONE_BYTE;
		const uint8_t* block = this->data.data() + this->extensionBlockOffset;
		const size_t length  = this->extensionBlockLength;
		size_t pos{ 0u };

		while (pos < length)
		{
			// Padding between elements (and, in the one-byte form, any byte with
			// ID 0, whose length nibble is ignored).
			if ((oneByte && (block[pos] >> 4) == 0u) || (!oneByte && block[pos] == 0u))
			{
				++pos;

				continue;
			}

			uint8_t id{ 0u };
			size_t valueLength{ 0u };
			size_t elementHeaderSize{ 0u };

			if (oneByte)
			{
				id                = block[pos] >> 4;
				valueLength       = (block[pos] & 0x0Fu) + 1u;
				elementHeaderSize = 1u;

				if (id == OneByteReservedId)
				{
					MS_DEBUG_DEV("one-byte extension ID 15, ignoring the rest of the block");

					break;
				}
			}
			else
			{
				if (length - pos < 2u)
				{
					MS_DEBUG_DEV("truncated two-byte extension element, ignoring it");

					break;
				}

				id                = block[pos];
				valueLength       = block[pos + 1u];
				elementHeaderSize = 2u;
			}

			if (length - pos < elementHeaderSize + valueLength)
			{
				MS_DEBUG_DEV("extension element %u overflows the block, ignoring the rest", id);

				break;
			}

			if (this->extensionsCount == MaxExtensions)
			{
				MS_DEBUG_DEV("more than %zu extension elements, ignoring the rest", MaxExtensions);

				break;
			}

			this->extensions[this->extensionsCount++] =
				Extension{ id,
									 static_cast<uint8_t>(valueLength),
									 static_cast<uint32_t>(this->extensionBlockOffset + pos + elementHeaderSize) };

			pos += elementHeaderSize + valueLength;
		}

		this->extensionIndexedLength = pos;
	}

	std::optional<std::string_view> RtpPacket::ReadSdesText(uint8_t id) const
	{
		const auto value = GetExtension(id);

		if (!value)
		{
			return std::nullopt;
		}

		size_t length{ 0u };

		// Some senders pad the text with zero bytes.
		while (length < value->size() && (*value)[length] != 0u)
		{
			const uint8_t c = (*value)[length];

			if (c < 0x21u || c > 0x7Eu)
			{
				return std::nullopt;
			}

			++length;
		}

		if (length == 0u)
		{
			return std::nullopt;
		}

		return std::string_view(reinterpret_cast<const char*>(value->data()), length);
	}

	/* Writer. */

	RtpPacket::Writer::Writer(
		uint8_t payloadType, uint16_t sequenceNumber, uint32_t timestamp, uint32_t ssrc)
			: payloadType(payloadType & 0x7Fu),
				sequenceNumber(sequenceNumber),
				timestamp(timestamp),
				ssrc(ssrc)
	{
	}

	bool RtpPacket::Writer::AddCsrc(uint32_t csrc)
	{
		if (this->csrcsCount == MaxCsrcs)
		{
			return false;
		}

		this->csrcs[this->csrcsCount++] = csrc;

		return true;
	}

	bool RtpPacket::Writer::AddExtension(uint8_t id, std::span<const uint8_t> value)
	{
		if (
			id == 0u || value.size() > MaxTwoByteExtensionLength || this->elementsCount == MaxExtensions)
		{
			return false;
		}

		this->elements[this->elementsCount++] = Element{ id, value };

		return true;
	}

	RtpPacket::ExtensionForm RtpPacket::Writer::GetExtensionForm() const
	{
		if (this->elementsCount == 0u)
		{
			return ExtensionForm::NONE;
		}

		if (this->forceTwoByteExtensions)
		{
			return ExtensionForm::TWO_BYTE;
		}

		for (size_t i = 0u; i < this->elementsCount; ++i)
		{
			const auto& element = this->elements[i];

			if (
				element.id > MaxOneByteExtensionId || element.value.empty() ||
				element.value.size() > MaxOneByteExtensionLength)
			{
				return ExtensionForm::TWO_BYTE;
			}
		}

		return ExtensionForm::ONE_BYTE;
	}

	size_t RtpPacket::Writer::GetExtensionBlockLength() const
	{
		const auto form = GetExtensionForm();

		if (form == ExtensionForm::NONE)
		{
			return 0u;
		}

		const size_t elementHeaderSize = form == ExtensionForm::ONE_BYTE ? 1u : 2u;
		size_t length{ 0u };

		for (size_t i = 0u; i < this->elementsCount; ++i)
		{
			length += elementHeaderSize + this->elements[i].value.size();
		}

		return Byte::PadTo4Bytes(length);
	}

	size_t RtpPacket::Writer::GetSize() const
	{
		size_t size = FixedHeaderSize + (CsrcSize * this->csrcsCount);

		if (GetExtensionForm() != ExtensionForm::NONE)
		{
			size += ExtensionHeaderSize + GetExtensionBlockLength();
		}

		return size + this->payload.size() + this->paddingLength;
	}

	size_t RtpPacket::Writer::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (out.size() < size)
		{
			return 0u;
		}

		const auto form = GetExtensionForm();
		uint8_t* bytes  = out.data();

		bytes[0] = static_cast<uint8_t>(
			(Version << VersionShift) | (this->paddingLength != 0u ? PaddingBit : 0u) |
			(form != ExtensionForm::NONE ? ExtensionBit : 0u) | this->csrcsCount);
		bytes[1] = static_cast<uint8_t>((this->marker ? MarkerBit : 0u) | this->payloadType);
		Byte::Set2Bytes(bytes, 2u, this->sequenceNumber);
		Byte::Set4Bytes(bytes, 4u, this->timestamp);
		Byte::Set4Bytes(bytes, 8u, this->ssrc);

		size_t pos{ FixedHeaderSize };

		for (size_t i = 0u; i < this->csrcsCount; ++i)
		{
			Byte::Set4Bytes(bytes, pos, this->csrcs[i]);
			pos += CsrcSize;
		}

		if (form != ExtensionForm::NONE)
		{
			const bool oneByte       = form == ExtensionForm::ONE_BYTE;
			const size_t blockLength = GetExtensionBlockLength();
			const uint16_t profile =
				oneByte ? OneByteExtensionProfile
								: static_cast<uint16_t>(TwoByteExtensionProfile | this->twoByteAppBits);

			Byte::Set2Bytes(bytes, pos, profile);
			Byte::Set2Bytes(bytes, pos + 2u, static_cast<uint16_t>(blockLength / 4u));
			pos += ExtensionHeaderSize;

			const size_t blockEnd = pos + blockLength;

			for (size_t i = 0u; i < this->elementsCount; ++i)
			{
				const auto& element = this->elements[i];

				if (oneByte)
				{
					bytes[pos++] = static_cast<uint8_t>((element.id << 4) | (element.value.size() - 1u));
				}
				else
				{
					bytes[pos++] = element.id;
					bytes[pos++] = static_cast<uint8_t>(element.value.size());
				}

				if (!element.value.empty())
				{
					std::memcpy(bytes + pos, element.value.data(), element.value.size());
				}

				pos += element.value.size();
			}

			std::memset(bytes + pos, 0, blockEnd - pos);
			pos = blockEnd;
		}

		if (!this->payload.empty())
		{
			std::memcpy(bytes + pos, this->payload.data(), this->payload.size());
		}

		pos += this->payload.size();

		if (this->paddingLength != 0u)
		{
			std::memset(bytes + pos, 0, this->paddingLength - 1u);
			pos += this->paddingLength;
			bytes[pos - 1u] = this->paddingLength;
		}

		return pos;
	}
} // namespace RTC
