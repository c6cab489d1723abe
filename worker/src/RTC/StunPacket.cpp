#define MS_CLASS "RTC::StunPacket"
// #define MS_LOG_DEV

#include "RTC/StunPacket.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"
#include "Utils/Crypto.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace RTC
{
	namespace
	{
		using Utils::Byte;

		constexpr uint16_t ToType(StunPacket::Attribute attribute)
		{
			return static_cast<uint16_t>(attribute);
		}

		// Message type <-> class and method (RFC 5389 6):
		//
		//  0                 1
		//  2  3  4 5 6 7 8 9 0 1 2 3 4 5
		// +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
		// |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
		// |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
		// +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
		constexpr uint16_t EncodeMessageType(StunPacket::Class klass, StunPacket::Method method)
		{
			const auto c = static_cast<uint16_t>(klass);
			const auto m = static_cast<uint16_t>(method);

			return static_cast<uint16_t>(
				(m & 0x000Fu) | ((m & 0x0070u) << 1) | ((m & 0x0F80u) << 2) | ((c & 0x1u) << 4) |
				((c & 0x2u) << 7));
		}

		constexpr StunPacket::Class DecodeClass(uint16_t type)
		{
			return static_cast<StunPacket::Class>(((type >> 4) & 0x1u) | ((type >> 7) & 0x2u));
		}

		constexpr StunPacket::Method DecodeMethod(uint16_t type)
		{
			return static_cast<StunPacket::Method>(
				(type & 0x000Fu) | ((type >> 1) & 0x0070u) | ((type >> 2) & 0x0F80u));
		}

		static_assert(
			EncodeMessageType(StunPacket::Class::SUCCESS_RESPONSE, StunPacket::Method::BINDING) ==
			0x0101u);
		static_assert(
			EncodeMessageType(StunPacket::Class::ERROR_RESPONSE, StunPacket::Method::BINDING) == 0x0111u);
		static_assert(
			DecodeMethod(EncodeMessageType(
				StunPacket::Class::INDICATION, static_cast<StunPacket::Method>(0x0ABCu))) ==
			static_cast<StunPacket::Method>(0x0ABCu));

		// Comprehension-required attributes (0x0000-0x7FFF) that are not reported
		// as unknown: the ones parsed here, plus MAPPED-ADDRESS (RFC 3489 servers
		// and clients) and MESSAGE-INTEGRITY-SHA256, accepted but not verified.
		bool IsKnownComprehensionRequired(uint16_t type)
		{
			switch (static_cast<StunPacket::Attribute>(type))
			{
				case StunPacket::Attribute::MAPPED_ADDRESS:
				case StunPacket::Attribute::USERNAME:
				case StunPacket::Attribute::MESSAGE_INTEGRITY:
				case StunPacket::Attribute::ERROR_CODE:
				case StunPacket::Attribute::UNKNOWN_ATTRIBUTES:
				case StunPacket::Attribute::MESSAGE_INTEGRITY_SHA256:
				case StunPacket::Attribute::XOR_MAPPED_ADDRESS:
				case StunPacket::Attribute::PRIORITY:
				case StunPacket::Attribute::USE_CANDIDATE:
				{
					return true;
				}

				default:
				{
					return false;
				}
			}
		}

		// XOR-MAPPED-ADDRESS value (RFC 5389 15.2): reserved byte, family (1:
		// IPv4, 2: IPv6), port XOR the cookie's top 16 bits, address XOR the
		// cookie (IPv4) or the cookie and the transaction id (IPv6).
		bool DecodeXorMappedAddress(
			const uint8_t* value, size_t len, const uint8_t* header, struct sockaddr_storage& storage)
		{
			if (len < 4u)
			{
				return false;
			}

			const uint8_t family = value[1];
			const auto port =
				static_cast<uint16_t>(Byte::Get2Bytes(value, 2) ^ (StunPacket::MagicCookie >> 16));

			storage = {};

			if (family == 0x01u && len == 8u)
			{
				auto* addr4 = reinterpret_cast<struct sockaddr_in*>(&storage);
				// The cookie is at header + 4, in network order: XOR byte by byte.
				uint8_t ip[4];

				for (size_t i = 0u; i < 4u; ++i)
				{
					ip[i] = value[4u + i] ^ header[4u + i];
				}

				addr4->sin_family = AF_INET;
				addr4->sin_port   = htons(port);
				std::memcpy(&addr4->sin_addr, ip, sizeof(ip));

				return true;
			}

			if (family == 0x02u && len == 20u)
			{
				auto* addr6 = reinterpret_cast<struct sockaddr_in6*>(&storage);
				uint8_t ip[16];

				// Cookie and transaction id are the 16 bytes at header + 4.
				for (size_t i = 0u; i < 16u; ++i)
				{
					ip[i] = value[4u + i] ^ header[4u + i];
				}

				addr6->sin6_family = AF_INET6;
				addr6->sin6_port   = htons(port);
				std::memcpy(&addr6->sin6_addr, ip, sizeof(ip));

				return true;
			}

			return false;
		}
	} // namespace

	/* Class methods. */

	bool StunPacket::IsStun(std::span<const uint8_t> data)
	{
		return data.size() >= HeaderSize && (data[0] & 0xC0u) == 0u &&
					 Byte::Get4Bytes(data.data(), 4) == MagicCookie;
	}

	std::optional<StunPacket> StunPacket::Parse(std::span<const uint8_t> data)
	{
		if (!IsStun(data))
		{
			MS_DEBUG_DEV("not a STUN message");

			return std::nullopt;
		}

		const uint8_t* bytes       = data.data();
		const size_t messageLength = Byte::Get2Bytes(bytes, 2);

		// The length counts the attributes only, all padded to 4 bytes, and the
		// datagram (or RFC 4571 frame) holds exactly one message.
		if (messageLength % 4u != 0u || HeaderSize + messageLength != data.size())
		{
			MS_DEBUG_DEV("bad message length %zu for %zu bytes", messageLength, data.size());

			return std::nullopt;
		}

		StunPacket packet(data);
		const uint16_t type = Byte::Get2Bytes(bytes, 0);

		packet.klass  = DecodeClass(type);
		packet.method = DecodeMethod(type);

		bool hasMessageIntegritySha256{ false };
		size_t fingerprintOffset{ 0u };
		size_t pos{ HeaderSize };

		while (pos < data.size())
		{
			// pos and data.size() are both multiples of 4: the header fits.
			const uint16_t attrType  = Byte::Get2Bytes(bytes, pos);
			const size_t attrLen     = Byte::Get2Bytes(bytes, pos + 2u);
			const size_t valueOffset = pos + AttributeHeaderSize;
			const uint8_t* value     = bytes + valueOffset;

			if (Utils::Byte::PadTo4Bytes(attrLen) > data.size() - valueOffset)
			{
				MS_DEBUG_DEV("attribute 0x%04x overflows the message", attrType);

				return std::nullopt;
			}

			// FINGERPRINT must be the last attribute (RFC 5389 15.5).
			if (fingerprintOffset != 0u)
			{
				MS_DEBUG_DEV("attribute after FINGERPRINT");

				return std::nullopt;
			}

			// After MESSAGE-INTEGRITY only FINGERPRINT may follow (RFC 5389 15.4),
			// or MESSAGE-INTEGRITY-SHA256 then FINGERPRINT (RFC 8489 14.5, 14.6).
			const bool isFingerprint = attrType == ToType(Attribute::FINGERPRINT);
			const bool isSha256      = attrType == ToType(Attribute::MESSAGE_INTEGRITY_SHA256);

			if (
				!isFingerprint &&
				(hasMessageIntegritySha256 || (packet.messageIntegrityOffset != 0u && !isSha256)))
			{
				MS_DEBUG_DEV("attribute 0x%04x after MESSAGE-INTEGRITY", attrType);

				return std::nullopt;
			}

			switch (static_cast<Attribute>(attrType))
			{
				case Attribute::USERNAME:
				{
					if (attrLen > MaxUsernameLength)
					{
						return std::nullopt;
					}

					// The first occurrence counts (RFC 5389 15).
					if (!packet.hasUsername)
					{
						packet.hasUsername = true;
						packet.username    = std::string_view(reinterpret_cast<const char*>(value), attrLen);
					}

					break;
				}

				case Attribute::SOFTWARE:
				{
					if (packet.software.empty())
					{
						packet.software = std::string_view(reinterpret_cast<const char*>(value), attrLen);
					}

					break;
				}

				case Attribute::PRIORITY:
				{
					if (attrLen != 4u)
					{
						return std::nullopt;
					}

					if (!packet.priority)
					{
						packet.priority = Byte::Get4Bytes(value, 0);
					}

					break;
				}

				case Attribute::USE_CANDIDATE:
				{
					if (attrLen != 0u)
					{
						return std::nullopt;
					}

					packet.useCandidate = true;

					break;
				}

				case Attribute::ICE_CONTROLLING:
				{
					if (attrLen != 8u)
					{
						return std::nullopt;
					}

					if (!packet.iceControlling)
					{
						packet.iceControlling = Byte::Get8Bytes(value, 0);
					}

					break;
				}

				case Attribute::ICE_CONTROLLED:
				{
					if (attrLen != 8u)
					{
						return std::nullopt;
					}

					if (!packet.iceControlled)
					{
						packet.iceControlled = Byte::Get8Bytes(value, 0);
					}

					break;
				}

				case Attribute::ERROR_CODE:
				{
					// 21 reserved bits, class (3 bits, 3..6), number (8 bits, 0..99),
					// then the reason phrase (RFC 5389 15.6).
					if (attrLen < 4u)
					{
						return std::nullopt;
					}

					const uint8_t errorClass  = value[2] & 0x07u;
					const uint8_t errorNumber = value[3];

					if (errorClass < 3u || errorClass > 6u || errorNumber > 99u)
					{
						return std::nullopt;
					}

					if (!packet.errorCode)
					{
						packet.errorCode =
							ErrorCode{ static_cast<uint16_t>(errorClass * 100u + errorNumber),
												 std::string_view(reinterpret_cast<const char*>(value) + 4, attrLen - 4u) };
					}

					break;
				}

				case Attribute::XOR_MAPPED_ADDRESS:
				{
					struct sockaddr_storage storage
					{
					};

					if (!DecodeXorMappedAddress(value, attrLen, bytes, storage))
					{
						return std::nullopt;
					}

					if (!packet.hasXorMappedAddress)
					{
						packet.hasXorMappedAddress = true;
						packet.xorMappedAddress    = storage;
					}

					break;
				}

				case Attribute::MESSAGE_INTEGRITY:
				{
					// A second one is rejected above (only FINGERPRINT may follow).
					if (attrLen != MessageIntegritySize)
					{
						return std::nullopt;
					}

					packet.messageIntegrityOffset = pos;

					break;
				}

				case Attribute::MESSAGE_INTEGRITY_SHA256:
				{
					// RFC 8489 14.6: 16 to 32 bytes, a multiple of 4. Not verified.
					if (attrLen < 16u || attrLen > 32u || attrLen % 4u != 0u)
					{
						return std::nullopt;
					}

					hasMessageIntegritySha256 = true;

					break;
				}

				case Attribute::FINGERPRINT:
				{
					if (attrLen != 4u)
					{
						return std::nullopt;
					}

					fingerprintOffset = pos;

					break;
				}

				default:
				{
					if (
						attrType < 0x8000u && !IsKnownComprehensionRequired(attrType) &&
						packet.unknownAttributesCount < MaxUnknownAttributes)
					{
						packet.unknownAttributes[packet.unknownAttributesCount++] = attrType;
					}
				}
			}

			pos = valueOffset + Utils::Byte::PadTo4Bytes(attrLen);
		}

		if (fingerprintOffset != 0u)
		{
			// CRC-32 of the message up to FINGERPRINT, the header length already
			// counting FINGERPRINT since it is last.
			const uint32_t expected = Byte::Get4Bytes(bytes, fingerprintOffset + AttributeHeaderSize);
			const uint32_t computed =
				Utils::Crypto::GetCrc32(data.first(fingerprintOffset)) ^ FingerprintXor;

			if (expected != computed)
			{
				MS_DEBUG_DEV("wrong FINGERPRINT");

				return std::nullopt;
			}

			packet.hasFingerprint = true;
		}

		return packet;
	}

	/* Instance methods. */

	StunPacket::Authentication StunPacket::CheckAuthentication(
		std::string_view localUsernameFragment, std::string_view localPassword) const
	{
		switch (this->klass)
		{
			case Class::REQUEST:
			case Class::INDICATION:
			{
				if (!this->hasUsername || !HasMessageIntegrity())
				{
					return Authentication::BAD_REQUEST;
				}

				// USERNAME is "<our ufrag>:<their ufrag>" (RFC 8445 7.2.2).
				if (
					this->username.size() <= localUsernameFragment.size() ||
					!this->username.starts_with(localUsernameFragment) ||
					this->username[localUsernameFragment.size()] != ':')
				{
					return Authentication::UNAUTHORIZED;
				}

				return CheckMessageIntegrity(localPassword) ? Authentication::OK
																										: Authentication::UNAUTHORIZED;
			}

			case Class::SUCCESS_RESPONSE:
			case Class::ERROR_RESPONSE:
			{
				if (!HasMessageIntegrity())
				{
					return Authentication::BAD_REQUEST;
				}

				return CheckMessageIntegrity(localPassword) ? Authentication::OK
																										: Authentication::UNAUTHORIZED;
			}
		}

		return Authentication::BAD_REQUEST;
	}

	bool StunPacket::CheckMessageIntegrity(std::string_view key) const
	{
		if (!HasMessageIntegrity())
		{
			return false;
		}

		// The HMAC covers the message up to MESSAGE-INTEGRITY with the header
		// length counting up to and including it (RFC 5389 15.4), as if it were
		// the last attribute. The caller's bytes are read-only, so the covered
		// part is copied (it is at most one 64 KiB message; one buffer per
		// thread, as the Rust crate runs workers in threads).
		thread_local std::array<uint8_t, HeaderSize + 0xFFFFu> buffer;

		const size_t offset        = this->messageIntegrityOffset;
		const size_t coveredLength = offset + AttributeHeaderSize + MessageIntegritySize - HeaderSize;

		std::memcpy(buffer.data(), this->data.data(), offset);
		Byte::Set2Bytes(buffer.data(), 2, static_cast<uint16_t>(coveredLength));

		const auto computed =
			Utils::Crypto::GetHmacSha1(key, std::span<const uint8_t>(buffer.data(), offset));
		const uint8_t* received = this->data.data() + offset + AttributeHeaderSize;

		return CRYPTO_memcmp(computed.data(), received, MessageIntegritySize) == 0;
	}

	/* Writer. */

	StunPacket::Writer StunPacket::Writer::MakeBindingSuccessResponse(
		const StunPacket& request, const struct sockaddr* mappedAddress, std::string_view password)
	{
		Writer writer(Class::SUCCESS_RESPONSE, Method::BINDING, request.GetTransactionId());

		writer.SetXorMappedAddress(mappedAddress);
		writer.SetMessageIntegrityKey(password);

		return writer;
	}

	StunPacket::Writer StunPacket::Writer::MakeBindingErrorResponse(
		const StunPacket& request, uint16_t code, std::string_view password)
	{
		Writer writer(Class::ERROR_RESPONSE, Method::BINDING, request.GetTransactionId());

		writer.SetErrorCode(code, GetReasonPhrase(code));

		if (!password.empty())
		{
			writer.SetMessageIntegrityKey(password);
		}

		return writer;
	}

	StunPacket::Writer StunPacket::Writer::MakeBindingRequest(
		std::span<const uint8_t, TransactionIdSize> transactionId,
		std::string_view username,
		uint32_t priority,
		uint64_t iceControllingTieBreaker,
		bool useCandidate,
		std::string_view password)
	{
		Writer writer(Class::REQUEST, Method::BINDING, transactionId);

		writer.SetUsername(username);
		writer.SetPriority(priority);
		writer.SetIceControlling(iceControllingTieBreaker);
		writer.SetUseCandidate(useCandidate);
		writer.SetMessageIntegrityKey(password);

		return writer;
	}

	std::string_view StunPacket::Writer::GetReasonPhrase(uint16_t code)
	{
		switch (code)
		{
			case 300:
				return "Try Alternate";
			case 400:
				return "Bad Request";
			case 401:
				return "Unauthorized";
			case 420:
				return "Unknown Attribute";
			case 438:
				return "Stale Nonce";
			case 487:
				return "Role Conflict";
			case 500:
				return "Server Error";
			default:
				return "";
		}
	}

	StunPacket::Writer::Writer(
		Class klass, Method method, std::span<const uint8_t, TransactionIdSize> transactionId)
			: klass(klass), method(method)
	{
		std::memcpy(this->transactionId.data(), transactionId.data(), TransactionIdSize);
	}

	void StunPacket::Writer::SetXorMappedAddress(const struct sockaddr* addr)
	{
		this->hasXorMappedAddress = false;
		this->xorMappedAddress    = {};

		if (!addr)
		{
			return;
		}

		if (addr->sa_family == AF_INET)
		{
			std::memcpy(&this->xorMappedAddress, addr, sizeof(struct sockaddr_in));
			this->hasXorMappedAddress = true;
		}
		else if (addr->sa_family == AF_INET6)
		{
			std::memcpy(&this->xorMappedAddress, addr, sizeof(struct sockaddr_in6));
			this->hasXorMappedAddress = true;
		}
	}

	size_t StunPacket::Writer::GetSize() const
	{
		// Each attribute: header plus value padded to 4 bytes; a value must fit
		// the 16-bit length field.
		size_t size{ HeaderSize };
		bool fits{ true };

		const auto add = [&size, &fits](size_t valueLength)
		{
			if (valueLength > 0xFFFFu)
			{
				fits = false;
			}

			size += AttributeHeaderSize + Utils::Byte::PadTo4Bytes(valueLength);
		};

		if (!this->software.empty())
		{
			add(this->software.size());
		}

		if (this->errorCode)
		{
			if (this->errorCode->code < 300u || this->errorCode->code > 699u)
			{
				return 0u;
			}

			add(4u + this->errorCode->reason.size());
		}

		if (!this->unknownAttributes.empty())
		{
			add(2u * this->unknownAttributes.size());
		}

		if (this->hasXorMappedAddress)
		{
			add(this->xorMappedAddress.ss_family == AF_INET ? 8u : 20u);
		}

		if (this->priority)
		{
			add(4u);
		}

		if (this->iceControlled)
		{
			add(8u);
		}

		if (this->iceControlling)
		{
			add(8u);
		}

		if (this->useCandidate)
		{
			add(0u);
		}

		if (!this->username.empty())
		{
			add(this->username.size());
		}

		if (this->messageIntegrityKey)
		{
			add(MessageIntegritySize);
		}

		if (this->fingerprint)
		{
			add(4u);
		}

		if (!fits || size - HeaderSize > 0xFFFFu)
		{
			return 0u;
		}

		return size;
	}

	size_t StunPacket::Writer::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (size == 0u || out.size() < size)
		{
			return 0u;
		}

		uint8_t* bytes = out.data();
		size_t pos{ HeaderSize };

		// Writes an attribute header and value (left for the caller to fill when
		// `value` is null), then the padding. Returns the offset of the value.
		const auto writeAttribute = [this, bytes, &pos](Attribute type, const void* value, size_t len)
		{
			Byte::Set2Bytes(bytes, pos, ToType(type));
			Byte::Set2Bytes(bytes, pos + 2u, static_cast<uint16_t>(len));
			pos += AttributeHeaderSize;

			const size_t valueOffset = pos;

			if (len > 0u && value)
			{
				std::memcpy(bytes + pos, value, len);
			}

			pos += len;

			while (pos % 4u != 0u)
			{
				bytes[pos++] = this->paddingByte;
			}

			return valueOffset;
		};

		Byte::Set2Bytes(bytes, 0, EncodeMessageType(this->klass, this->method));
		Byte::Set2Bytes(bytes, 2, static_cast<uint16_t>(size - HeaderSize));
		Byte::Set4Bytes(bytes, 4, MagicCookie);
		std::memcpy(bytes + 8, this->transactionId.data(), TransactionIdSize);

		if (!this->software.empty())
		{
			writeAttribute(Attribute::SOFTWARE, this->software.data(), this->software.size());
		}

		if (this->errorCode)
		{
			const auto& reason       = this->errorCode->reason;
			const size_t valueOffset = writeAttribute(Attribute::ERROR_CODE, nullptr, 4u + reason.size());

			// 21 reserved bits, class (hundreds), number, then the reason phrase.
			bytes[valueOffset]      = 0u;
			bytes[valueOffset + 1u] = 0u;
			bytes[valueOffset + 2u] = static_cast<uint8_t>(this->errorCode->code / 100u);
			bytes[valueOffset + 3u] = static_cast<uint8_t>(this->errorCode->code % 100u);

			if (!reason.empty())
			{
				std::memcpy(bytes + valueOffset + 4u, reason.data(), reason.size());
			}
		}

		if (!this->unknownAttributes.empty())
		{
			const size_t valueOffset =
				writeAttribute(Attribute::UNKNOWN_ATTRIBUTES, nullptr, 2u * this->unknownAttributes.size());

			for (size_t i = 0u; i < this->unknownAttributes.size(); ++i)
			{
				Byte::Set2Bytes(bytes, valueOffset + 2u * i, this->unknownAttributes[i]);
			}
		}

		if (this->hasXorMappedAddress)
		{
			uint8_t value[20]{};
			size_t len{ 0u };

			value[0] = 0u;

			if (this->xorMappedAddress.ss_family == AF_INET)
			{
				const auto* addr4 = reinterpret_cast<const struct sockaddr_in*>(&this->xorMappedAddress);

				value[1] = 0x01u;
				Byte::Set2Bytes(
					value, 2, static_cast<uint16_t>(ntohs(addr4->sin_port) ^ (MagicCookie >> 16)));
				std::memcpy(value + 4, &addr4->sin_addr, 4u);
				len = 8u;
			}
			else
			{
				const auto* addr6 = reinterpret_cast<const struct sockaddr_in6*>(&this->xorMappedAddress);

				value[1] = 0x02u;
				Byte::Set2Bytes(
					value, 2, static_cast<uint16_t>(ntohs(addr6->sin6_port) ^ (MagicCookie >> 16)));
				std::memcpy(value + 4, &addr6->sin6_addr, 16u);
				len = 20u;
			}

			// XOR with the cookie and transaction id, as written in the header.
			for (size_t i = 4u; i < len; ++i)
			{
				value[i] ^= bytes[i];
			}

			writeAttribute(Attribute::XOR_MAPPED_ADDRESS, value, len);
		}

		if (this->priority)
		{
			uint8_t value[4];

			Byte::Set4Bytes(value, 0, *this->priority);
			writeAttribute(Attribute::PRIORITY, value, sizeof(value));
		}

		if (this->iceControlled)
		{
			uint8_t value[8];

			Byte::Set8Bytes(value, 0, *this->iceControlled);
			writeAttribute(Attribute::ICE_CONTROLLED, value, sizeof(value));
		}

		if (this->iceControlling)
		{
			uint8_t value[8];

			Byte::Set8Bytes(value, 0, *this->iceControlling);
			writeAttribute(Attribute::ICE_CONTROLLING, value, sizeof(value));
		}

		if (this->useCandidate)
		{
			writeAttribute(Attribute::USE_CANDIDATE, nullptr, 0u);
		}

		if (!this->username.empty())
		{
			writeAttribute(Attribute::USERNAME, this->username.data(), this->username.size());
		}

		if (this->messageIntegrityKey)
		{
			const size_t offset = pos;

			// The length counts up to MESSAGE-INTEGRITY for its HMAC (RFC 5389 15.4).
			Byte::Set2Bytes(
				bytes,
				2,
				static_cast<uint16_t>(offset + AttributeHeaderSize + MessageIntegritySize - HeaderSize));

			const auto hmac = Utils::Crypto::GetHmacSha1(
				*this->messageIntegrityKey, std::span<const uint8_t>(bytes, offset));

			writeAttribute(Attribute::MESSAGE_INTEGRITY, hmac.data(), hmac.size());
			Byte::Set2Bytes(bytes, 2, static_cast<uint16_t>(size - HeaderSize));
		}

		if (this->fingerprint)
		{
			const size_t offset = pos;
			uint8_t value[4];

			Byte::Set4Bytes(
				value,
				0,
				Utils::Crypto::GetCrc32(std::span<const uint8_t>(bytes, offset)) ^ FingerprintXor);
			writeAttribute(Attribute::FINGERPRINT, value, sizeof(value));
		}

		return pos;
	}
} // namespace RTC
