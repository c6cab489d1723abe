#ifndef MS_RTC_STUN_PACKET_HPP
#define MS_RTC_STUN_PACKET_HPP

#include "common.hpp"

#include <array>
#include <concepts>
#include <netinet/in.h>
#include <optional>
#include <sys/socket.h>

namespace RTC
{
	// A STUN message: the subset of RFC 5389 / RFC 8489 that ICE (RFC 8445)
	// needs. https://www.rfc-editor.org/rfc/rfc5389#section-6
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |0 0|     STUN Message Type     |         Message Length        |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                         Magic Cookie                          |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                                                               |
	// |                     Transaction ID (96 bits)                  |
	// |                                                               |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |         Type                  |            Length             |  attributes,
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  each padded
	// |                         Value (variable)                ....     to 4 bytes
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	//
	// A parsed packet is a view over the caller's bytes: USERNAME, SOFTWARE,
	// the ERROR-CODE reason and the transaction id point into them, so the
	// packet must not outlive the buffer. Nothing is allocated.
	class StunPacket
	{
	public:
		// The two class bits of the message type (RFC 5389 6).
		enum class Class : uint8_t
		{
			REQUEST          = 0,
			INDICATION       = 1,
			SUCCESS_RESPONSE = 2,
			ERROR_RESPONSE   = 3
		};

		// The 12 method bits. Other values than BINDING may be held (and are
		// answered with 400 by the ICE server).
		enum class Method : uint16_t
		{
			BINDING = 0x001
		};

		// Attribute types this code knows (RFC 5389 18.2, RFC 8489 18.3, RFC 8445 16.1).
		enum class Attribute : uint16_t
		{
			MAPPED_ADDRESS           = 0x0001,
			USERNAME                 = 0x0006,
			MESSAGE_INTEGRITY        = 0x0008,
			ERROR_CODE               = 0x0009,
			UNKNOWN_ATTRIBUTES       = 0x000A,
			MESSAGE_INTEGRITY_SHA256 = 0x001C,
			XOR_MAPPED_ADDRESS       = 0x0020,
			PRIORITY                 = 0x0024,
			USE_CANDIDATE            = 0x0025,
			SOFTWARE                 = 0x8022,
			FINGERPRINT              = 0x8028,
			ICE_CONTROLLED           = 0x8029,
			ICE_CONTROLLING          = 0x802A
		};

		// Result of CheckAuthentication() (RFC 5389 10.1.2, RFC 8445 7.3).
		enum class Authentication : uint8_t
		{
			OK = 1,
			// Answer with 401 and no MESSAGE-INTEGRITY.
			UNAUTHORIZED,
			// Answer with 400 and no MESSAGE-INTEGRITY.
			BAD_REQUEST
		};

		struct ErrorCode
		{
			// 300..699.
			uint16_t code{ 0u };
			std::string_view reason;
		};

		class Writer;

	public:
		static constexpr size_t HeaderSize{ 20u };
		static constexpr size_t AttributeHeaderSize{ 4u };
		static constexpr uint32_t MagicCookie{ 0x2112A442u };
		static constexpr size_t TransactionIdSize{ 12u };
		// XORed into the CRC-32 of FINGERPRINT (RFC 5389 15.5).
		static constexpr uint32_t FingerprintXor{ 0x5354554Eu };
		static constexpr size_t MessageIntegritySize{ 20u };
		// RFC 5389 15.3: USERNAME is less than 513 bytes.
		static constexpr size_t MaxUsernameLength{ 512u };
		// Unknown comprehension-required attribute types remembered for a 420
		// response; further ones only make the list longer than is useful.
		static constexpr size_t MaxUnknownAttributes{ 8u };

	public:
		// Cheap check for demultiplexing (RFC 7983): long enough, first two
		// bits 0, and the magic cookie.
		static bool IsStun(std::span<const uint8_t> data);
		// Validates the whole message and returns a view over `data`, or
		// nullopt when it is not a well-formed STUN message: too short, length
		// not matching or not a multiple of 4, bad cookie, an attribute not
		// fitting, a known attribute of the wrong size, anything but FINGERPRINT
		// (or MESSAGE-INTEGRITY-SHA256) after MESSAGE-INTEGRITY, FINGERPRINT not
		// last or not matching.
		static std::optional<StunPacket> Parse(std::span<const uint8_t> data);

	public:
		std::span<const uint8_t> GetData() const { return this->data; }
		size_t GetSize() const { return this->data.size(); }
		Class GetClass() const { return this->klass; }
		Method GetMethod() const { return this->method; }
		std::span<const uint8_t, TransactionIdSize> GetTransactionId() const
		{
			return this->data.subspan<8u, TransactionIdSize>();
		}
		bool HasUsername() const { return this->hasUsername; }
		// Empty when absent.
		std::string_view GetUsername() const { return this->username; }
		std::string_view GetSoftware() const { return this->software; }
		std::optional<uint32_t> GetPriority() const { return this->priority; }
		bool HasUseCandidate() const { return this->useCandidate; }
		// Tie breakers.
		std::optional<uint64_t> GetIceControlling() const { return this->iceControlling; }
		std::optional<uint64_t> GetIceControlled() const { return this->iceControlled; }
		std::optional<ErrorCode> GetErrorCode() const { return this->errorCode; }
		// The decoded XOR-MAPPED-ADDRESS (sockaddr_in or sockaddr_in6), or
		// nullptr when absent.
		const struct sockaddr* GetXorMappedAddress() const
		{
			return this->hasXorMappedAddress
							 ? reinterpret_cast<const struct sockaddr*>(&this->xorMappedAddress)
							 : nullptr;
		}
		bool HasMessageIntegrity() const { return this->messageIntegrityOffset != 0u; }
		bool HasFingerprint() const { return this->hasFingerprint; }
		// Comprehension-required types (0x0000-0x7FFF) this code does not know,
		// at most MaxUnknownAttributes of them.
		std::span<const uint16_t> GetUnknownAttributes() const
		{
			return std::span<const uint16_t>(
				this->unknownAttributes.data(), this->unknownAttributesCount);
		}
		// Short-term credential check of a request or indication sent to us
		// (RFC 8445 7.3): USERNAME and MESSAGE-INTEGRITY must be present
		// (BAD_REQUEST), USERNAME must be "<localUsernameFragment>:<remote one>"
		// and MESSAGE-INTEGRITY must be the HMAC-SHA1 keyed with `localPassword`
		// (UNAUTHORIZED). For a response only MESSAGE-INTEGRITY is checked, with
		// `localPassword` as the key (the password our request was sent with).
		Authentication CheckAuthentication(
			std::string_view localUsernameFragment, std::string_view localPassword) const;
		// Whether MESSAGE-INTEGRITY is present and is the HMAC-SHA1 of the
		// message keyed with `key` (the password for short-term credentials, or
		// MD5(username:realm:password) for long-term ones).
		bool CheckMessageIntegrity(std::string_view key) const;

	private:
		explicit StunPacket(std::span<const uint8_t> data) : data(data) {}

	private:
		// Passed by argument.
		std::span<const uint8_t> data;
		// Others.
		Class klass{ Class::REQUEST };
		Method method{ Method::BINDING };
		bool hasUsername{ false };
		std::string_view username;
		std::string_view software;
		std::optional<uint32_t> priority;
		bool useCandidate{ false };
		std::optional<uint64_t> iceControlling;
		std::optional<uint64_t> iceControlled;
		std::optional<ErrorCode> errorCode;
		bool hasXorMappedAddress{ false };
		struct sockaddr_storage xorMappedAddress
		{
		};
		// Offset of the MESSAGE-INTEGRITY attribute header; 0 when absent (it
		// can never be at 0, where the STUN header is).
		size_t messageIntegrityOffset{ 0u };
		bool hasFingerprint{ false };
		std::array<uint16_t, MaxUnknownAttributes> unknownAttributes{};
		size_t unknownAttributesCount{ 0u };
	};

	// Builds a STUN message into a caller's buffer: GetSize(), then
	// Serialize() into at least that many bytes. Attributes are written in a
	// fixed order: SOFTWARE, ERROR-CODE, UNKNOWN-ATTRIBUTES, XOR-MAPPED-ADDRESS,
	// PRIORITY, ICE-CONTROLLED, ICE-CONTROLLING, USE-CANDIDATE, USERNAME,
	// MESSAGE-INTEGRITY, FINGERPRINT.
	//
	// The writer keeps views of the strings it is given (username, software,
	// reason phrase, integrity key, unknown attribute list): they must outlive
	// Serialize(). Addresses are copied.
	class StunPacket::Writer
	{
	public:
		// A Binding success response to `request`: same transaction id,
		// XOR-MAPPED-ADDRESS of `mappedAddress` (the request's source),
		// MESSAGE-INTEGRITY keyed with `password` and FINGERPRINT.
		static Writer MakeBindingSuccessResponse(
			const StunPacket& request, const struct sockaddr* mappedAddress, std::string_view password);
		// A Binding error response to `request` with ERROR-CODE `code` and its
		// standard reason phrase, MESSAGE-INTEGRITY only when `password` is not
		// empty (never for 400/401 due to failed authentication, RFC 5389
		// 10.1.2), and FINGERPRINT.
		static Writer
		MakeBindingErrorResponse(const StunPacket& request, uint16_t code, std::string_view password);
		// A Binding request as a controlling ICE agent sends it (RFC 8445 7.1.1):
		// USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE when nominating,
		// MESSAGE-INTEGRITY keyed with `password` and FINGERPRINT.
		static Writer MakeBindingRequest(
			std::span<const uint8_t, TransactionIdSize> transactionId,
			std::string_view username,
			uint32_t priority,
			uint64_t iceControllingTieBreaker,
			bool useCandidate,
			std::string_view password);
		// Standard reason phrases (RFC 5389 15.6, RFC 8445 16.2); "" for others.
		static std::string_view GetReasonPhrase(uint16_t code);

	public:
		Writer(Class klass, Method method, std::span<const uint8_t, TransactionIdSize> transactionId);

	public:
		void SetUsername(std::string_view username) { this->username = username; }
		// The writer keeps views: a temporary std::string would dangle.
		template <typename T>
		requires std::same_as<T, std::string>
		void SetUsername(T&& username) = delete;
		void SetSoftware(std::string_view software) { this->software = software; }
		template <typename T>
		requires std::same_as<T, std::string>
		void SetSoftware(T&& software) = delete;
		void SetPriority(uint32_t priority) { this->priority = priority; }
		void SetUseCandidate(bool useCandidate) { this->useCandidate = useCandidate; }
		void SetIceControlling(uint64_t tieBreaker) { this->iceControlling = tieBreaker; }
		void SetIceControlled(uint64_t tieBreaker) { this->iceControlled = tieBreaker; }
		// `code` in 300..699.
		void SetErrorCode(uint16_t code, std::string_view reason)
		{
			this->errorCode = ErrorCode{ code, reason };
		}
		void SetUnknownAttributes(std::span<const uint16_t> types) { this->unknownAttributes = types; }
		// Ignored unless `addr` is AF_INET or AF_INET6.
		void SetXorMappedAddress(const struct sockaddr* addr);
		// Adds MESSAGE-INTEGRITY keyed with `key` (nullopt: none).
		void SetMessageIntegrityKey(std::optional<std::string_view> key)
		{
			this->messageIntegrityKey = key;
		}
		template <typename T>
		requires std::same_as<T, std::string>
		void SetMessageIntegrityKey(T&& key) = delete;
		void SetFingerprint(bool fingerprint) { this->fingerprint = fingerprint; }
		// Value of the padding bytes (0 by default; RFC 5769's vectors use 0x20).
		void SetPaddingByte(uint8_t paddingByte) { this->paddingByte = paddingByte; }
		// Bytes Serialize() needs; 0 when the message cannot be encoded (an
		// attribute or the whole message over the 16-bit length fields, an
		// error code out of 300..699).
		size_t GetSize() const;
		// Returns the bytes written, or 0 when `out` is too small or the message
		// cannot be encoded.
		size_t Serialize(std::span<uint8_t> out) const;

	private:
		// Passed by argument.
		Class klass;
		Method method;
		std::array<uint8_t, TransactionIdSize> transactionId{};
		std::string_view username;
		std::string_view software;
		std::optional<uint32_t> priority;
		bool useCandidate{ false };
		std::optional<uint64_t> iceControlling;
		std::optional<uint64_t> iceControlled;
		std::optional<ErrorCode> errorCode;
		std::span<const uint16_t> unknownAttributes;
		bool hasXorMappedAddress{ false };
		struct sockaddr_storage xorMappedAddress
		{
		};
		std::optional<std::string_view> messageIntegrityKey;
		bool fingerprint{ true };
		uint8_t paddingByte{ 0u };
	};
} // namespace RTC

#endif
