#define MS_CLASS "RTC::RTCP::CompoundPacket"
// #define MS_LOG_DEV

#include "RTC/RTCP/CompoundPacket.hpp"

#include "Logger.hpp"

namespace RTC::RTCP
{
	namespace
	{
		template <Packet T>
		std::optional<AnyPacket> Decode(std::span<const uint8_t> data)
		{
			auto packet = T::Parse(data);

			if (!packet)
			{
				return std::nullopt;
			}

			return AnyPacket(std::in_place_type<T>, std::move(*packet));
		}

		// `header` is valid and its packet is exactly what to decode. nullopt
		// when the body of a known type is malformed.
		std::optional<AnyPacket> DecodeBody(const CommonHeader& header)
		{
			const auto data = header.packet;

			switch (header.type)
			{
				case Type::SR:
				{
					return Decode<SenderReport>(data);
				}

				case Type::RR:
				{
					return Decode<ReceiverReport>(data);
				}

				case Type::SDES:
				{
					return Decode<Sdes>(data);
				}

				case Type::BYE:
				{
					return Decode<Bye>(data);
				}

				case Type::RTPFB:
				{
					if (header.count == Nack::Fmt)
					{
						return Decode<Nack>(data);
					}

					if (header.count == TransportWideCc::Fmt)
					{
						return Decode<TransportWideCc>(data);
					}

					break;
				}

				case Type::PSFB:
				{
					if (header.count == Pli::Fmt)
					{
						return Decode<Pli>(data);
					}

					if (header.count == Fir::Fmt)
					{
						return Decode<Fir>(data);
					}

					// AFB carries other applications' messages too.
					if (header.count == Remb::Fmt && Remb::IsRemb(data))
					{
						return Decode<Remb>(data);
					}

					break;
				}

				case Type::XR:
				{
					return Decode<Xr>(data);
				}

				default:;
			}

			return Decode<RawPacket>(data);
		}
	} // namespace

	/* CompoundPacket. */

	std::optional<AnyPacket>
	CompoundPacket::ParsePacket(std::span<const uint8_t> data, ParseError* error)
	{
		ParseError reason{ ParseError::NONE };
		auto header = CommonHeader::Parse(data, &reason);

		if (header && header->packet.size() != data.size())
		{
			header.reset();
			reason = ParseError::BAD_LENGTH;
		}

		std::optional<AnyPacket> packet;

		if (header)
		{
			packet = DecodeBody(*header);

			if (!packet)
			{
				reason = ParseError::MALFORMED;
			}
		}

		if (error)
		{
			*error = reason;
		}

		return packet;
	}

	Type CompoundPacket::GetType(const AnyPacket& packet)
	{
		return std::visit([](const auto& p) { return p.GetType(); }, packet);
	}

	size_t CompoundPacket::GetSize(const AnyPacket& packet)
	{
		return std::visit([](const auto& p) { return p.GetSize(); }, packet);
	}

	size_t CompoundPacket::Serialize(const AnyPacket& packet, std::span<uint8_t> out)
	{
		return std::visit([out](const auto& p) { return p.Serialize(out); }, packet);
	}

	/* Reader. */

	std::optional<AnyPacket> CompoundPacket::Reader::Next()
	{
		if (this->error != ParseError::NONE || this->offset >= this->data.size())
		{
			return std::nullopt;
		}

		const auto rest = this->data.subspan(this->offset);
		ParseError reason{ ParseError::NONE };
		const auto header = CommonHeader::Parse(rest, &reason);
		std::optional<AnyPacket> packet;

		if (header)
		{
			packet = DecodeBody(*header);
			reason = packet ? ParseError::NONE : ParseError::MALFORMED;
		}

		if (!packet)
		{
			this->error = reason;

			MS_DEBUG_TAG(
				rtcp,
				"bad RTCP packet (%s) at offset %zu, %zu of %zu bytes dropped after %zu packets",
				ParseErrorToString(reason).data(),
				this->offset,
				rest.size(),
				this->data.size(),
				this->packetCount);

			return std::nullopt;
		}

		this->offset += header->packet.size();
		this->packetCount++;

		return packet;
	}

	/* Builder. */

	bool CompoundPacket::Builder::Add(const AnyPacket& packet)
	{
		return Push(Entry{ &packet,
											 [](const void* p)
											 { return CompoundPacket::GetSize(*static_cast<const AnyPacket*>(p)); },
											 [](const void* p, std::span<uint8_t> out)
											 {
												 return CompoundPacket::Serialize(*static_cast<const AnyPacket*>(p), out);
											 } });
	}

	size_t CompoundPacket::Builder::GetSize() const
	{
		size_t size{ 0u };

		for (size_t i = 0u; i < this->count; ++i)
		{
			const auto& entry       = this->entries[i];
			const size_t packetSize = entry.getSize(entry.packet);

			if (packetSize == 0u)
			{
				return 0u;
			}

			size += packetSize;
		}

		return size;
	}

	size_t CompoundPacket::Builder::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (size == 0u || out.size() < size)
		{
			return 0u;
		}

		size_t pos{ 0u };

		for (size_t i = 0u; i < this->count; ++i)
		{
			const auto& entry = this->entries[i];
			const size_t n    = entry.serialize(entry.packet, out.subspan(pos));

			// Cannot happen (each packet was sized above and there is room for
			// all of them), but a half-written datagram must never go out.
			if (n == 0u)
			{
				MS_ERROR("packet %zu of %zu not written", i, this->count);

				return 0u;
			}

			pos += n;
		}

		return pos;
	}
} // namespace RTC::RTCP
