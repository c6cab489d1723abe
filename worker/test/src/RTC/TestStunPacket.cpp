#include "common.hpp"

#include "RTC/StunPacket.hpp"
#include "Utils/Crypto.hpp"
#include "Utils/IP.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <cstring>
#include <vector>

using RTC::StunPacket;

namespace
{
	using Bytes = std::vector<uint8_t>;

	// RFC 5769 test vectors.
	const std::string Rfc5769Password{ "VOkJxbRl1RmTxUk/WvJxBt" };

	// 2.1. Sample Request.
	const Bytes Rfc5769Request{
		0x00, 0x01, 0x00, 0x58, // Request type and message length
		0x21, 0x12, 0xa4, 0x42, // Magic cookie
		0xb7, 0xe7, 0xa7, 0x01, // }
		0xbc, 0x34, 0xd6, 0x86, // }  Transaction ID
		0xfa, 0x87, 0xdf, 0xae, // }
		0x80, 0x22, 0x00, 0x10, // SOFTWARE attribute header
		0x53, 0x54, 0x55, 0x4e, // }
		0x20, 0x74, 0x65, 0x73, // }  User-agent...
		0x74, 0x20, 0x63, 0x6c, // }  ...name ("STUN test client")
		0x69, 0x65, 0x6e, 0x74, // }
		0x00, 0x24, 0x00, 0x04, // PRIORITY attribute header
		0x6e, 0x00, 0x01, 0xff, // ICE priority value
		0x80, 0x29, 0x00, 0x08, // ICE-CONTROLLED attribute header
		0x93, 0x2f, 0xf9, 0xb1, // }  Pseudo-random tie breaker...
		0x51, 0x26, 0x3b, 0x36, // }   ...for ICE control
		0x00, 0x06, 0x00, 0x09, // USERNAME attribute header
		0x65, 0x76, 0x74, 0x6a, // }
		0x3a, 0x68, 0x36, 0x76, // }  Username (9 bytes, "evtj:h6vY") and padding (3 bytes)
		0x59, 0x20, 0x20, 0x20, // }
		0x00, 0x08, 0x00, 0x14, // MESSAGE-INTEGRITY attribute header
		0x9a, 0xea, 0xa7, 0x0c, // }
		0xbf, 0xd8, 0xcb, 0x56, // }
		0x78, 0x1e, 0xf2, 0xb5, // }  HMAC-SHA1 fingerprint
		0xb2, 0xd3, 0xf2, 0x49, // }
		0xc1, 0xb5, 0x71, 0xa2, // }
		0x80, 0x28, 0x00, 0x04, // FINGERPRINT attribute header
		0xe5, 0x7a, 0x3b, 0xcf, // CRC32 fingerprint
	};

	// 2.2. Sample IPv4 Response (192.0.2.1 port 32853).
	const Bytes Rfc5769Ipv4Response{
		0x01, 0x01, 0x00, 0x3c, // Response type and message length
		0x21, 0x12, 0xa4, 0x42, // Magic cookie
		0xb7, 0xe7, 0xa7, 0x01, // }
		0xbc, 0x34, 0xd6, 0x86, // }  Transaction ID
		0xfa, 0x87, 0xdf, 0xae, // }
		0x80, 0x22, 0x00, 0x0b, // SOFTWARE attribute header
		0x74, 0x65, 0x73, 0x74, // }
		0x20, 0x76, 0x65, 0x63, // }  UTF-8 server name ("test vector")
		0x74, 0x6f, 0x72, 0x20, // }
		0x00, 0x20, 0x00, 0x08, // XOR-MAPPED-ADDRESS attribute header
		0x00, 0x01, 0xa1, 0x47, // Address family (IPv4) and xor'd mapped port number
		0xe1, 0x12, 0xa6, 0x43, // Xor'd mapped IPv4 address
		0x00, 0x08, 0x00, 0x14, // MESSAGE-INTEGRITY attribute header
		0x2b, 0x91, 0xf5, 0x99, // }
		0xfd, 0x9e, 0x90, 0xc3, // }
		0x8c, 0x74, 0x89, 0xf9, // }  HMAC-SHA1 fingerprint
		0x2a, 0xf9, 0xba, 0x53, // }
		0xf0, 0x6b, 0xe7, 0xd7, // }
		0x80, 0x28, 0x00, 0x04, // FINGERPRINT attribute header
		0xc0, 0x7d, 0x4c, 0x96, // CRC32 fingerprint
	};

	// 2.3. Sample IPv6 Response (2001:db8:1234:5678:11:2233:4455:6677 port 32853).
	const Bytes Rfc5769Ipv6Response{
		0x01, 0x01, 0x00, 0x48, // Response type and message length
		0x21, 0x12, 0xa4, 0x42, // Magic cookie
		0xb7, 0xe7, 0xa7, 0x01, // }
		0xbc, 0x34, 0xd6, 0x86, // }  Transaction ID
		0xfa, 0x87, 0xdf, 0xae, // }
		0x80, 0x22, 0x00, 0x0b, // SOFTWARE attribute header
		0x74, 0x65, 0x73, 0x74, // }
		0x20, 0x76, 0x65, 0x63, // }  UTF-8 server name
		0x74, 0x6f, 0x72, 0x20, // }
		0x00, 0x20, 0x00, 0x14, // XOR-MAPPED-ADDRESS attribute header
		0x00, 0x02, 0xa1, 0x47, // Address family (IPv6) and xor'd mapped port number
		0x01, 0x13, 0xa9, 0xfa, // }
		0xa5, 0xd3, 0xf1, 0x79, // }  Xor'd mapped IPv6 address
		0xbc, 0x25, 0xf4, 0xb5, // }
		0xbe, 0xd2, 0xb9, 0xd9, // }
		0x00, 0x08, 0x00, 0x14, // MESSAGE-INTEGRITY attribute header
		0xa3, 0x82, 0x95, 0x4e, // }
		0x4b, 0xe6, 0x7b, 0xf1, // }
		0x17, 0x84, 0xc9, 0x7c, // }  HMAC-SHA1 fingerprint
		0x82, 0x92, 0xc2, 0x75, // }
		0xbf, 0xe3, 0xed, 0x41, // }
		0x80, 0x28, 0x00, 0x04, // FINGERPRINT attribute header
		0xc8, 0xfb, 0x0b, 0x4c, // CRC32 fingerprint
	};

	// 2.4. Sample Request with Long-Term Authentication (no FINGERPRINT).
	const Bytes Rfc5769LongTermRequest{
		0x00, 0x01, 0x00, 0x60, // Request type and message length
		0x21, 0x12, 0xa4, 0x42, // Magic cookie
		0x78, 0xad, 0x34, 0x33, // }
		0xc6, 0xad, 0x72, 0xc0, // }  Transaction ID
		0x29, 0xda, 0x41, 0x2e, // }
		0x00, 0x06, 0x00, 0x12, // USERNAME attribute header
		0xe3, 0x83, 0x9e, 0xe3, // }
		0x83, 0x88, 0xe3, 0x83, // }
		0xaa, 0xe3, 0x83, 0x83, // }  Username value (18 bytes) and padding (2 bytes)
		0xe3, 0x82, 0xaf, 0xe3, // }
		0x82, 0xb9, 0x00, 0x00, // }
		0x00, 0x15, 0x00, 0x1c, // NONCE attribute header
		0x66, 0x2f, 0x2f, 0x34, // }
		0x39, 0x39, 0x6b, 0x39, // }
		0x35, 0x34, 0x64, 0x36, // }
		0x4f, 0x4c, 0x33, 0x34, // }  Nonce value
		0x6f, 0x4c, 0x39, 0x46, // }
		0x53, 0x54, 0x76, 0x79, // }
		0x36, 0x34, 0x73, 0x41, // }
		0x00, 0x14, 0x00, 0x0b, // REALM attribute header
		0x65, 0x78, 0x61, 0x6d, // }
		0x70, 0x6c, 0x65, 0x2e, // }  Realm value (11 bytes) and padding (1 byte)
		0x6f, 0x72, 0x67, 0x00, // }
		0x00, 0x08, 0x00, 0x14, // MESSAGE-INTEGRITY attribute header
		0xf6, 0x70, 0x24, 0x65, // }
		0x6d, 0xd6, 0x4a, 0x3e, // }
		0x02, 0xb8, 0xe0, 0x71, // }  HMAC-SHA1 fingerprint
		0x2e, 0x85, 0xc9, 0xa2, // }
		0x8c, 0xa8, 0x96, 0x66, // }
	};

	const std::array<uint8_t, 12> Rfc5769TransactionId{ 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
																											0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae };

	struct Attr
	{
		uint16_t type;
		Bytes value;
	};

	Bytes Text(std::string_view text)
	{
		return { text.begin(), text.end() };
	}

	Bytes Be32(uint32_t value)
	{
		return { static_cast<uint8_t>(value >> 24),
						 static_cast<uint8_t>(value >> 16),
						 static_cast<uint8_t>(value >> 8),
						 static_cast<uint8_t>(value) };
	}

	// A STUN message with the given raw attributes (zero padded) and a
	// correct length; FINGERPRINT appended (and computed) when asked.
	Bytes Build(uint16_t type, const std::vector<Attr>& attrs, bool fingerprint = false)
	{
		Bytes bytes{ static_cast<uint8_t>(type >> 8),
								 static_cast<uint8_t>(type),
								 0x00,
								 0x00,
								 0x21,
								 0x12,
								 0xa4,
								 0x42 };

		for (uint8_t i = 0; i < 12; ++i)
		{
			bytes.push_back(i);
		}

		for (const auto& attr : attrs)
		{
			bytes.push_back(static_cast<uint8_t>(attr.type >> 8));
			bytes.push_back(static_cast<uint8_t>(attr.type));
			bytes.push_back(static_cast<uint8_t>(attr.value.size() >> 8));
			bytes.push_back(static_cast<uint8_t>(attr.value.size()));
			bytes.insert(bytes.end(), attr.value.begin(), attr.value.end());

			while (bytes.size() % 4 != 0)
			{
				bytes.push_back(0x00);
			}
		}

		const auto setLength = [&bytes](size_t length)
		{
			bytes[2] = static_cast<uint8_t>(length >> 8);
			bytes[3] = static_cast<uint8_t>(length);
		};

		if (fingerprint)
		{
			setLength(bytes.size() + 8u - 20u);

			const uint32_t crc = Utils::Crypto::GetCrc32(bytes) ^ 0x5354554Eu;
			const Bytes header{ 0x80, 0x28, 0x00, 0x04 };

			bytes.insert(bytes.end(), header.begin(), header.end());

			const auto value = Be32(crc);

			bytes.insert(bytes.end(), value.begin(), value.end());
		}

		setLength(bytes.size() - 20u);

		return bytes;
	}

	Bytes Serialize(const StunPacket::Writer& writer)
	{
		Bytes out(writer.GetSize());

		REQUIRE(!out.empty());
		REQUIRE(writer.Serialize(out) == out.size());

		return out;
	}

	std::string AddressToString(const struct sockaddr* addr)
	{
		int family{ 0 };
		std::string ip;
		uint16_t port{ 0u };

		Utils::IP::GetAddressInfo(addr, family, ip, port);

		return ip + " " + std::to_string(port);
	}

	const struct sockaddr* AsSockaddr(const struct sockaddr_storage& storage)
	{
		return reinterpret_cast<const struct sockaddr*>(&storage);
	}
} // namespace

TEST_CASE("StunPacket parses the RFC 5769 vectors", "[StunPacket]")
{
	SECTION("2.1 sample request")
	{
		REQUIRE(StunPacket::IsStun(Rfc5769Request));

		const auto packet = StunPacket::Parse(Rfc5769Request);

		REQUIRE(packet);
		REQUIRE(packet->GetSize() == Rfc5769Request.size());
		REQUIRE(packet->GetClass() == StunPacket::Class::REQUEST);
		REQUIRE(packet->GetMethod() == StunPacket::Method::BINDING);
		REQUIRE(std::equal(
			packet->GetTransactionId().begin(),
			packet->GetTransactionId().end(),
			Rfc5769TransactionId.begin()));
		REQUIRE(packet->GetSoftware() == "STUN test client");
		REQUIRE(packet->HasUsername());
		REQUIRE(packet->GetUsername() == "evtj:h6vY");
		REQUIRE(packet->GetPriority() == 0x6e0001ffu);
		REQUIRE(packet->GetIceControlled() == 0x932ff9b151263b36u);
		REQUIRE_FALSE(packet->GetIceControlling());
		REQUIRE_FALSE(packet->HasUseCandidate());
		REQUIRE_FALSE(packet->GetErrorCode());
		REQUIRE(packet->GetXorMappedAddress() == nullptr);
		REQUIRE(packet->HasMessageIntegrity());
		REQUIRE(packet->HasFingerprint());
		REQUIRE(packet->GetUnknownAttributes().empty());

		REQUIRE(packet->CheckMessageIntegrity(Rfc5769Password));
		REQUIRE(packet->CheckAuthentication("evtj", Rfc5769Password) == StunPacket::Authentication::OK);
		REQUIRE(
			packet->CheckAuthentication("h6vY", Rfc5769Password) ==
			StunPacket::Authentication::UNAUTHORIZED);
		REQUIRE(
			packet->CheckAuthentication("evtj", "VOkJxbRl1RmTxUk/WvJxBT") ==
			StunPacket::Authentication::UNAUTHORIZED);
	}

	SECTION("2.2 sample IPv4 response")
	{
		const auto packet = StunPacket::Parse(Rfc5769Ipv4Response);

		REQUIRE(packet);
		REQUIRE(packet->GetClass() == StunPacket::Class::SUCCESS_RESPONSE);
		REQUIRE(packet->GetMethod() == StunPacket::Method::BINDING);
		REQUIRE(packet->GetSoftware() == "test vector");
		REQUIRE_FALSE(packet->HasUsername());
		REQUIRE(packet->GetXorMappedAddress() != nullptr);
		REQUIRE(packet->GetXorMappedAddress()->sa_family == AF_INET);
		REQUIRE(AddressToString(packet->GetXorMappedAddress()) == "192.0.2.1 32853");
		REQUIRE(packet->HasMessageIntegrity());
		REQUIRE(packet->HasFingerprint());
		REQUIRE(packet->CheckMessageIntegrity(Rfc5769Password));
		REQUIRE(
			packet->CheckAuthentication("ignored", Rfc5769Password) == StunPacket::Authentication::OK);
		REQUIRE(
			packet->CheckAuthentication("ignored", "wrong") == StunPacket::Authentication::UNAUTHORIZED);
	}

	SECTION("2.3 sample IPv6 response")
	{
		const auto packet = StunPacket::Parse(Rfc5769Ipv6Response);

		REQUIRE(packet);
		REQUIRE(packet->GetClass() == StunPacket::Class::SUCCESS_RESPONSE);
		REQUIRE(packet->GetXorMappedAddress() != nullptr);
		REQUIRE(packet->GetXorMappedAddress()->sa_family == AF_INET6);
		REQUIRE(
			AddressToString(packet->GetXorMappedAddress()) ==
			"2001:db8:1234:5678:11:2233:4455:6677 32853");
		REQUIRE(packet->HasFingerprint());
		REQUIRE(packet->CheckMessageIntegrity(Rfc5769Password));
	}

	SECTION("2.4 sample request with long-term authentication")
	{
		const auto packet = StunPacket::Parse(Rfc5769LongTermRequest);

		REQUIRE(packet);
		REQUIRE(packet->GetClass() == StunPacket::Class::REQUEST);
		// "マトリックス" in UTF-8.
		REQUIRE(
			packet->GetUsername() ==
			"\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9");
		REQUIRE(packet->HasMessageIntegrity());
		REQUIRE_FALSE(packet->HasFingerprint());
		// NONCE and REALM: long-term credentials are not ours.
		REQUIRE(packet->GetUnknownAttributes().size() == 2u);
		REQUIRE(packet->GetUnknownAttributes()[0] == 0x0015u);
		REQUIRE(packet->GetUnknownAttributes()[1] == 0x0014u);

		// The long-term key is MD5(username ":" realm ":" SASLprep(password)).
		const std::string input = std::string(packet->GetUsername()) + ":example.org:TheMatrIX";
		unsigned char md5[16];
		unsigned int md5Len{ 0u };

		REQUIRE(EVP_Digest(input.data(), input.size(), md5, &md5Len, EVP_md5(), nullptr) == 1);

		const std::string key(reinterpret_cast<const char*>(md5), md5Len);

		REQUIRE(packet->CheckMessageIntegrity(key));
		REQUIRE_FALSE(packet->CheckMessageIntegrity("TheMatrIX"));
		// Its USERNAME is not "<ufrag>:<ufrag>".
		REQUIRE(packet->CheckAuthentication("evtj", key) == StunPacket::Authentication::UNAUTHORIZED);
	}
}

TEST_CASE("StunPacket::Writer reproduces the RFC 5769 vectors byte by byte", "[StunPacket]")
{
	SECTION("2.1 sample request")
	{
		StunPacket::Writer writer(
			StunPacket::Class::REQUEST, StunPacket::Method::BINDING, Rfc5769TransactionId);

		writer.SetSoftware("STUN test client");
		writer.SetPriority(0x6e0001ffu);
		writer.SetIceControlled(0x932ff9b151263b36u);
		writer.SetUsername("evtj:h6vY");
		writer.SetMessageIntegrityKey(Rfc5769Password);
		writer.SetPaddingByte(0x20);

		REQUIRE(Serialize(writer) == Rfc5769Request);
	}

	SECTION("2.2 sample IPv4 response, built as the answer to 2.1")
	{
		const auto request = StunPacket::Parse(Rfc5769Request);

		REQUIRE(request);

		const auto mapped = Utils::IP::MakeAddress("192.0.2.1", 32853u);
		auto writer =
			StunPacket::Writer::MakeBindingSuccessResponse(*request, AsSockaddr(mapped), Rfc5769Password);

		writer.SetSoftware("test vector");
		writer.SetPaddingByte(0x20);

		REQUIRE(Serialize(writer) == Rfc5769Ipv4Response);
	}

	SECTION("2.3 sample IPv6 response, built as the answer to 2.1")
	{
		const auto request = StunPacket::Parse(Rfc5769Request);

		REQUIRE(request);

		const auto mapped = Utils::IP::MakeAddress("2001:db8:1234:5678:11:2233:4455:6677", 32853u);
		auto writer =
			StunPacket::Writer::MakeBindingSuccessResponse(*request, AsSockaddr(mapped), Rfc5769Password);

		writer.SetSoftware("test vector");
		writer.SetPaddingByte(0x20);

		REQUIRE(Serialize(writer) == Rfc5769Ipv6Response);
	}
}

TEST_CASE("StunPacket rejects malformed messages", "[StunPacket]")
{
	SECTION("every truncation of every vector")
	{
		for (const auto* vector :
				 { &Rfc5769Request, &Rfc5769Ipv4Response, &Rfc5769Ipv6Response, &Rfc5769LongTermRequest })
		{
			for (size_t len = 0u; len < vector->size(); ++len)
			{
				INFO("length " << len << " of " << vector->size());

				REQUIRE_FALSE(StunPacket::Parse(std::span<const uint8_t>(vector->data(), len)));
			}
		}
	}

	SECTION("trailing bytes after the message")
	{
		for (const size_t extra : { 1u, 3u, 4u, 8u })
		{
			Bytes bytes = Rfc5769Request;

			bytes.resize(bytes.size() + extra, 0x00);

			REQUIRE_FALSE(StunPacket::Parse(bytes));
		}
	}

	struct Row
	{
		const char* name;
		Bytes bytes;
	};

	const auto mutate = [](Bytes bytes, size_t index, uint8_t value)
	{
		bytes.at(index) = value;

		return bytes;
	};

	const Bytes validMi(20, 0xAB);
	const std::vector<Row> rows{
		{ "first bit set", mutate(Rfc5769Request, 0, 0x80) },
		{ "second bit set", mutate(Rfc5769Request, 0, 0x40) },
		{ "bad magic cookie", mutate(Rfc5769Request, 7, 0x43) },
		{ "length one less", mutate(Rfc5769Request, 3, 0x57) },
		{ "length four less", mutate(Rfc5769Request, 3, 0x54) },
		{ "length four more", mutate(Rfc5769Request, 3, 0x5c) },
		{ "length 0xFFFF", mutate(mutate(Rfc5769Request, 2, 0xff), 3, 0xff) },
		{ "bad CRC", mutate(Rfc5769Request, Rfc5769Request.size() - 1u, 0xce) },
		{ "body changed under FINGERPRINT", mutate(Rfc5769Ipv4Response, 24, 0x75) },
		{ "SOFTWARE length overflowing", mutate(Rfc5769Request, 23, 0x60) },
		{ "FINGERPRINT length overflowing", mutate(Rfc5769Request, Rfc5769Request.size() - 5u, 0x08) },
		{ "header only, length 4 but no room for the attribute value",
			Bytes{ 0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42, 0,    0,    0,    0,
						 0,    0,    0,    0,    0,    0,    0,    0,    0x80, 0x22, 0x00, 0x01 } },
		{ "message length not a multiple of 4",
			Bytes{ 0x00, 0x01, 0x00, 0x05, 0x21, 0x12, 0xa4, 0x42, 0,    0,    0,    0,   0,
						 0,    0,    0,    0,    0,    0,    0,    0x80, 0x22, 0x00, 0x01, 0x41 } },
		{ "FINGERPRINT not last", Build(0x0001, { { 0x8028, Be32(0) }, { 0x8022, Text("late") } }) },
		{ "FINGERPRINT twice", Build(0x0001, { { 0x8028, Be32(0) } }, true) },
		{ "attribute after MESSAGE-INTEGRITY",
			Build(0x0001, { { 0x0006, Text("a:b") }, { 0x0008, validMi }, { 0x0024, Be32(1) } }) },
		{ "MESSAGE-INTEGRITY twice",
			Build(0x0001, { { 0x0008, validMi }, { 0x0008, validMi } }, true) },
		{ "anything after MESSAGE-INTEGRITY-SHA256",
			Build(0x0001, { { 0x001C, Bytes(32, 1) }, { 0x0024, Be32(1) } }) },
		{ "MESSAGE-INTEGRITY-SHA256 twice",
			Build(0x0001, { { 0x0008, validMi }, { 0x001C, Bytes(32, 1) }, { 0x001C, Bytes(32, 1) } }) },
		{ "MESSAGE-INTEGRITY-SHA256 of 12 bytes", Build(0x0001, { { 0x001C, Bytes(12, 1) } }) },
		{ "MESSAGE-INTEGRITY of 16 bytes", Build(0x0001, { { 0x0008, Bytes(16, 1) } }) },
		{ "FINGERPRINT of 8 bytes", Build(0x0001, { { 0x8028, Bytes(8, 1) } }) },
		{ "PRIORITY of 3 bytes", Build(0x0001, { { 0x0024, Bytes(3, 1) } }) },
		{ "USE-CANDIDATE with a value", Build(0x0001, { { 0x0025, Be32(1) } }) },
		{ "ICE-CONTROLLING of 4 bytes", Build(0x0001, { { 0x802A, Be32(1) } }) },
		{ "ICE-CONTROLLED of 12 bytes", Build(0x0001, { { 0x8029, Bytes(12, 1) } }) },
		{ "USERNAME of 513 bytes", Build(0x0001, { { 0x0006, Bytes(513, 'a') } }) },
		{ "ERROR-CODE of 3 bytes", Build(0x0111, { { 0x0009, Bytes{ 0, 0, 4 } } }) },
		{ "ERROR-CODE class 2", Build(0x0111, { { 0x0009, Bytes{ 0, 0, 2, 0 } } }) },
		{ "ERROR-CODE class 7", Build(0x0111, { { 0x0009, Bytes{ 0, 0, 7, 0 } } }) },
		{ "ERROR-CODE number 100", Build(0x0111, { { 0x0009, Bytes{ 0, 0, 4, 100 } } }) },
		{ "XOR-MAPPED-ADDRESS family 3",
			Build(0x0101, { { 0x0020, Bytes{ 0, 3, 0, 0, 1, 2, 3, 4 } } }) },
		{ "XOR-MAPPED-ADDRESS IPv4 of 20 bytes",
			Build(
				0x0101,
				{ { 0x0020, Bytes{ 0, 1, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 } } }) },
		{ "XOR-MAPPED-ADDRESS IPv6 of 8 bytes",
			Build(0x0101, { { 0x0020, Bytes{ 0, 2, 0, 0, 1, 2, 3, 4 } } }) },
		{ "XOR-MAPPED-ADDRESS of 2 bytes", Build(0x0101, { { 0x0020, Bytes{ 0, 1 } } }) },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		REQUIRE_FALSE(StunPacket::Parse(row.bytes));
	}
}

TEST_CASE("StunPacket accepts what the RFCs allow", "[StunPacket]")
{
	SECTION("message type decoding")
	{
		struct Row
		{
			uint16_t type;
			StunPacket::Class klass;
			uint16_t method;
		};

		const std::vector<Row> rows{
			{ 0x0001, StunPacket::Class::REQUEST, 0x001 },
			{ 0x0011, StunPacket::Class::INDICATION, 0x001 },
			{ 0x0101, StunPacket::Class::SUCCESS_RESPONSE, 0x001 },
			{ 0x0111, StunPacket::Class::ERROR_RESPONSE, 0x001 },
			{ 0x0003, StunPacket::Class::REQUEST, 0x003 },
			{ 0x0113, StunPacket::Class::ERROR_RESPONSE, 0x003 },
			{ 0x3EFF, StunPacket::Class::INDICATION, 0xFFF },
			{ 0x3EEF, StunPacket::Class::REQUEST, 0xFFF },
			{ 0x3FFF, StunPacket::Class::ERROR_RESPONSE, 0xFFF },
		};

		for (const auto& row : rows)
		{
			INFO("type " << row.type);

			const auto bytes  = Build(row.type, {});
			const auto packet = StunPacket::Parse(bytes);

			REQUIRE(packet);
			REQUIRE(packet->GetClass() == row.klass);
			REQUIRE(static_cast<uint16_t>(packet->GetMethod()) == row.method);
		}
	}

	SECTION("a header alone is a message")
	{
		const auto bytes  = Build(0x0001, {});
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE_FALSE(packet->HasUsername());
		REQUIRE(packet->GetUsername().empty());
		REQUIRE_FALSE(packet->HasMessageIntegrity());
		REQUIRE_FALSE(packet->HasFingerprint());
		REQUIRE_FALSE(packet->GetPriority());
		REQUIRE(packet->CheckAuthentication("a", "b") == StunPacket::Authentication::BAD_REQUEST);
		REQUIRE_FALSE(packet->CheckMessageIntegrity("b"));
	}

	SECTION("unknown attributes: comprehension-optional ignored, required listed up to the cap")
	{
		std::vector<Attr> attrs{ { 0xC057, Be32(1) }, { 0x8000, {} } };

		for (uint16_t type = 0x7000; type < 0x7000 + StunPacket::MaxUnknownAttributes + 3u; ++type)
		{
			attrs.push_back({ type, Bytes{ 1, 2, 3 } });
		}

		const auto bytes  = Build(0x0001, attrs, true);
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(packet->HasFingerprint());
		REQUIRE(packet->GetUnknownAttributes().size() == StunPacket::MaxUnknownAttributes);
		REQUIRE(packet->GetUnknownAttributes()[0] == 0x7000u);
	}

	SECTION("known comprehension-required attributes are not unknown")
	{
		const auto bytes = Build(
			0x0001,
			{ { 0x0001, Bytes{ 0, 1, 0, 80, 1, 2, 3, 4 } },
				{ 0x0006, Text("a:b") },
				{ 0x0024, Be32(7) },
				{ 0x0025, {} },
				{ 0x000A, Bytes{ 0x70, 0x00 } } });
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(packet->GetUnknownAttributes().empty());
		REQUIRE(packet->HasUseCandidate());
		REQUIRE(packet->GetPriority() == 7u);
	}

	SECTION("the first occurrence of an attribute counts")
	{
		const auto bytes = Build(
			0x0001,
			{ { 0x0006, Text("first:x") },
				{ 0x0006, Text("second:x") },
				{ 0x0024, Be32(1) },
				{ 0x0024, Be32(2) },
				{ 0x802A, Bytes{ 0, 0, 0, 0, 0, 0, 0, 1 } },
				{ 0x802A, Bytes{ 0, 0, 0, 0, 0, 0, 0, 2 } } });
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(packet->GetUsername() == "first:x");
		REQUIRE(packet->GetPriority() == 1u);
		REQUIRE(packet->GetIceControlling() == 1u);
	}

	SECTION("MESSAGE-INTEGRITY-SHA256 may follow MESSAGE-INTEGRITY, then FINGERPRINT")
	{
		const auto bytes = Build(
			0x0001,
			{ { 0x0006, Text("a:b") }, { 0x0008, Bytes(20, 1) }, { 0x001C, Bytes(32, 1) } },
			true);
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(packet->HasMessageIntegrity());
		REQUIRE(packet->HasFingerprint());
	}

	SECTION("an empty USERNAME is present but empty")
	{
		const auto bytes  = Build(0x0001, { { 0x0006, {} } });
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(packet->HasUsername());
		REQUIRE(packet->GetUsername().empty());
	}

	SECTION("ERROR-CODE with its reason")
	{
		auto value        = Bytes{ 0xFF, 0xFF, 0xF8 | 4, 87 };
		const auto reason = Text("Role Conflict");

		value.insert(value.end(), reason.begin(), reason.end());

		const auto bytes  = Build(0x0111, { { 0x0009, value } });
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(packet->GetErrorCode());
		REQUIRE(packet->GetErrorCode()->code == 487u);
		REQUIRE(packet->GetErrorCode()->reason == "Role Conflict");
	}
}

TEST_CASE("StunPacket::CheckAuthentication follows RFC 8445 7.3", "[StunPacket]")
{
	const std::array<uint8_t, 12> transactionId{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	struct Row
	{
		const char* name;
		std::string username;
		std::optional<std::string> key;
		StunPacket::Authentication expected;
	};

	const std::vector<Row> rows{
		{ "right", "local:remote", "password", StunPacket::Authentication::OK },
		{ "empty remote part", "local:", "password", StunPacket::Authentication::OK },
		{ "no MESSAGE-INTEGRITY",
			"local:remote",
			std::nullopt,
			StunPacket::Authentication::BAD_REQUEST },
		{ "no USERNAME", "", "password", StunPacket::Authentication::BAD_REQUEST },
		{ "wrong password", "local:remote", "passworD", StunPacket::Authentication::UNAUTHORIZED },
		{ "empty password", "local:remote", "", StunPacket::Authentication::UNAUTHORIZED },
		{ "reversed", "remote:local", "password", StunPacket::Authentication::UNAUTHORIZED },
		{ "no colon", "local", "password", StunPacket::Authentication::UNAUTHORIZED },
		{ "longer ufrag", "localx:remote", "password", StunPacket::Authentication::UNAUTHORIZED },
		{ "shorter ufrag", "loca:remote", "password", StunPacket::Authentication::UNAUTHORIZED },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		StunPacket::Writer writer(
			StunPacket::Class::REQUEST, StunPacket::Method::BINDING, transactionId);

		writer.SetUsername(row.username);
		writer.SetPriority(1u);
		writer.SetMessageIntegrityKey(row.key);

		const auto bytes  = Serialize(writer);
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(packet->CheckAuthentication("local", "password") == row.expected);
	}

	SECTION("a changed byte under MESSAGE-INTEGRITY (without FINGERPRINT) fails it")
	{
		auto writer = StunPacket::Writer::MakeBindingRequest(
			transactionId, "local:remote", 1000u, 42u, false, "password");

		writer.SetFingerprint(false);

		auto bytes = Serialize(writer);

		REQUIRE(
			StunPacket::Parse(bytes)->CheckAuthentication("local", "password") ==
			StunPacket::Authentication::OK);

		// Every byte covered by the HMAC, except the header length field (its
		// value is replaced by the computation) and the type.
		for (size_t i = 4u; i < bytes.size() - 24u; ++i)
		{
			auto changed = bytes;

			changed[i] ^= 0x01;

			const auto packet = StunPacket::Parse(changed);

			if (packet)
			{
				INFO("byte " << i);

				REQUIRE(packet->CheckAuthentication("local", "password") != StunPacket::Authentication::OK);
			}
		}
	}
}

TEST_CASE("StunPacket::Writer builds what StunPacket parses", "[StunPacket]")
{
	const std::array<uint8_t, 12> transactionId{ 0xA, 0xB, 0xC, 0xD, 1, 2, 3, 4, 5, 6, 7, 8 };

	SECTION("Binding request")
	{
		const auto writer = StunPacket::Writer::MakeBindingRequest(
			transactionId, "remoteUfrag:localUfrag", 0x6e7f1eFFu, 0x0102030405060708u, true, "pass");
		const auto bytes  = Serialize(writer);
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(packet->GetClass() == StunPacket::Class::REQUEST);
		REQUIRE(packet->GetMethod() == StunPacket::Method::BINDING);
		REQUIRE(
			std::equal(transactionId.begin(), transactionId.end(), packet->GetTransactionId().begin()));
		REQUIRE(packet->GetUsername() == "remoteUfrag:localUfrag");
		REQUIRE(packet->GetPriority() == 0x6e7f1eFFu);
		REQUIRE(packet->GetIceControlling() == 0x0102030405060708u);
		REQUIRE(packet->HasUseCandidate());
		REQUIRE(packet->HasFingerprint());
		REQUIRE(packet->CheckAuthentication("remoteUfrag", "pass") == StunPacket::Authentication::OK);
	}

	SECTION("Binding request without USE-CANDIDATE")
	{
		const auto writer =
			StunPacket::Writer::MakeBindingRequest(transactionId, "a:b", 1u, 2u, false, "pass");
		const auto bytes  = Serialize(writer);
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE_FALSE(packet->HasUseCandidate());
	}

	SECTION("Binding success responses, IPv4 and IPv6")
	{
		const auto requestBytes = Serialize(
			StunPacket::Writer::MakeBindingRequest(transactionId, "a:b", 1u, 2u, false, "pass"));
		const auto request = StunPacket::Parse(requestBytes);

		REQUIRE(request);

		for (const auto& [ip, port] : std::vector<std::pair<std::string, uint16_t>>{
					 { "10.1.2.3", 5000u }, { "::1", 1u }, { "2001:db8::ff00:42:8329", 65535u } })
		{
			INFO(ip);

			const auto mapped = Utils::IP::MakeAddress(ip, port);
			const auto bytes  = Serialize(
        StunPacket::Writer::MakeBindingSuccessResponse(*request, AsSockaddr(mapped), "pass"));
			const auto packet = StunPacket::Parse(bytes);

			REQUIRE(packet);
			REQUIRE(packet->GetClass() == StunPacket::Class::SUCCESS_RESPONSE);
			REQUIRE(
				std::equal(transactionId.begin(), transactionId.end(), packet->GetTransactionId().begin()));
			REQUIRE(packet->GetXorMappedAddress());
			REQUIRE(Utils::IP::CompareAddresses(packet->GetXorMappedAddress(), AsSockaddr(mapped)));
			REQUIRE(packet->HasFingerprint());
			REQUIRE(packet->CheckAuthentication("", "pass") == StunPacket::Authentication::OK);
		}
	}

	SECTION("error responses: reason phrases, MESSAGE-INTEGRITY only with a password")
	{
		const auto requestBytes = Serialize(
			StunPacket::Writer::MakeBindingRequest(transactionId, "a:b", 1u, 2u, false, "pass"));
		const auto request = StunPacket::Parse(requestBytes);

		REQUIRE(request);

		struct Row
		{
			uint16_t code;
			std::string password;
			std::string reason;
		};

		const std::vector<Row> rows{
			{ 400u, "", "Bad Request" },
			{ 401u, "", "Unauthorized" },
			{ 420u, "pass", "Unknown Attribute" },
			{ 487u, "pass", "Role Conflict" },
			{ 599u, "", "" },
		};

		for (const auto& row : rows)
		{
			INFO("code " << row.code);

			const auto bytes =
				Serialize(StunPacket::Writer::MakeBindingErrorResponse(*request, row.code, row.password));
			const auto packet = StunPacket::Parse(bytes);

			REQUIRE(packet);
			REQUIRE(packet->GetClass() == StunPacket::Class::ERROR_RESPONSE);
			REQUIRE(packet->GetErrorCode());
			REQUIRE(packet->GetErrorCode()->code == row.code);
			REQUIRE(packet->GetErrorCode()->reason == row.reason);
			REQUIRE(packet->HasFingerprint());
			REQUIRE(packet->HasMessageIntegrity() == !row.password.empty());

			if (!row.password.empty())
			{
				REQUIRE(packet->CheckMessageIntegrity(row.password));
			}
		}
	}

	SECTION("UNKNOWN-ATTRIBUTES, odd count padded")
	{
		const uint16_t unknown[]{ 0x7001, 0x7002, 0x7003 };
		StunPacket::Writer writer(
			StunPacket::Class::ERROR_RESPONSE, StunPacket::Method::BINDING, transactionId);

		writer.SetErrorCode(420u, "Unknown Attribute");
		writer.SetUnknownAttributes(unknown);

		const auto bytes  = Serialize(writer);
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(bytes.size() % 4u == 0u);
		// UNKNOWN-ATTRIBUTES is known: it is not itself reported as unknown.
		REQUIRE(packet->GetUnknownAttributes().empty());

		// Its value: after the header and ERROR-CODE (4 + 4 + 17 -> 28 bytes).
		const size_t offset = 20u + 28u;

		REQUIRE(bytes[offset + 1] == 0x0A);
		REQUIRE(bytes[offset + 3] == 6u);
		REQUIRE(bytes[offset + 4] == 0x70);
		REQUIRE(bytes[offset + 5] == 0x01);
		REQUIRE(bytes[offset + 8] == 0x70);
		REQUIRE(bytes[offset + 9] == 0x03);
	}

	SECTION("Serialize writes nothing into a short buffer")
	{
		const auto writer =
			StunPacket::Writer::MakeBindingRequest(transactionId, "a:b", 1u, 2u, true, "pass");
		const size_t size = writer.GetSize();

		REQUIRE(size > 0u);

		for (size_t len = 0u; len < size; ++len)
		{
			Bytes out(len + 1u, 0xEE);

			REQUIRE(writer.Serialize(std::span<uint8_t>(out.data(), len)) == 0u);
			REQUIRE(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0xEE; }));
		}

		Bytes out(size + 10u);

		REQUIRE(writer.Serialize(out) == size);
	}

	SECTION("messages that cannot be encoded have size 0")
	{
		const std::string huge(70000u, 'x');

		StunPacket::Writer tooLong(
			StunPacket::Class::REQUEST, StunPacket::Method::BINDING, transactionId);

		tooLong.SetUsername(huge);

		REQUIRE(tooLong.GetSize() == 0u);

		Bytes out(100000u);

		REQUIRE(tooLong.Serialize(out) == 0u);

		// Two attributes that fit alone but not together.
		const std::string big(40000u, 'y');
		StunPacket::Writer tooBig(
			StunPacket::Class::REQUEST, StunPacket::Method::BINDING, transactionId);

		tooBig.SetUsername(big);
		tooBig.SetSoftware(big);

		REQUIRE(tooBig.GetSize() == 0u);

		StunPacket::Writer badCode(
			StunPacket::Class::ERROR_RESPONSE, StunPacket::Method::BINDING, transactionId);

		badCode.SetErrorCode(700u, "");

		REQUIRE(badCode.GetSize() == 0u);
	}

	SECTION("an address of another family is left out")
	{
		struct sockaddr_storage storage
		{
		};

		storage.ss_family = AF_UNIX;

		StunPacket::Writer writer(
			StunPacket::Class::SUCCESS_RESPONSE, StunPacket::Method::BINDING, transactionId);

		writer.SetXorMappedAddress(AsSockaddr(storage));

		const auto bytes  = Serialize(writer);
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(packet->GetXorMappedAddress() == nullptr);
	}
}
