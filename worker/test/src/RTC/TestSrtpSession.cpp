#include "common.hpp"

#include "DepLibSRTP.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/SrtpSession.hpp"
#include "Utils/Byte.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace RTC;

namespace
{
	// libsrtp refuses a second srtp_init() without srtp_shutdown() in between,
	// so each scenario initialises it around its sessions, unless something
	// else in this process already did.
	class LibSrtpScope
	{
	public:
		LibSrtpScope()
		{
			try
			{
				DepLibSRTP::ClassInit();
				this->owned = true;
			}
			catch (const MediaSoupError& /*error*/)
			{
			}
		}

		~LibSrtpScope()
		{
			if (this->owned)
			{
				DepLibSRTP::ClassDestroy();
			}
		}

	private:
		bool owned{ false };
	};

	std::vector<uint8_t> MakeKey(SrtpSession::CryptoSuite suite, uint8_t seed)
	{
		std::vector<uint8_t> key(SrtpSession::GetMasterLength(suite));

		for (size_t i{ 0u }; i < key.size(); ++i)
		{
			key[i] = static_cast<uint8_t>(seed + i * 7u);
		}

		return key;
	}

	// RTP (RFC 3550 5.1), payload of `payloadLen` bytes.
	std::vector<uint8_t> MakeRtp(uint32_t ssrc, uint16_t seq, size_t payloadLen = 160u)
	{
		std::vector<uint8_t> packet{
			0x80, 0x6F,             // V=2, PT=111
			0x00, 0x00,             // sequence number
			0x00, 0x01, 0xE2, 0x40, // timestamp 123456
			0x00, 0x00, 0x00, 0x00, // SSRC
		};

		Utils::Byte::Set2Bytes(packet.data(), 2, seq);
		Utils::Byte::Set4Bytes(packet.data(), 8, ssrc);

		for (size_t i{ 0u }; i < payloadLen; ++i)
		{
			packet.push_back(static_cast<uint8_t>(i * 3u + seq));
		}

		return packet;
	}

	// RTCP sender report without report blocks (RFC 3550 6.4.1).
	std::vector<uint8_t> MakeRtcp(uint32_t ssrc)
	{
		std::vector<uint8_t> packet{
			0x80, 0xC8, 0x00, 0x06, // V=2, RC=0, PT=200 (SR), length 6 words
			0x00, 0x00, 0x00, 0x00, // sender SSRC
			0xE8, 0x00, 0x00, 0x00, // NTP timestamp, most significant word
			0x12, 0x34, 0x56, 0x78, // NTP timestamp, least significant word
			0x00, 0x01, 0xE2, 0x40, // RTP timestamp
			0x00, 0x00, 0x00, 0x0A, // sender's packet count
			0x00, 0x00, 0x06, 0x40, // sender's octet count
		};

		Utils::Byte::Set4Bytes(packet.data(), 4, ssrc);

		return packet;
	}

	std::vector<uint8_t> Encrypt(SrtpSession& session, const std::vector<uint8_t>& packet, bool rtcp)
	{
		const uint8_t* data = packet.data();
		size_t len          = packet.size();
		const bool ok       = rtcp ? session.EncryptRtcp(&data, &len) : session.EncryptRtp(&data, &len);

		REQUIRE(ok);
		REQUIRE(data != packet.data());

		return { data, data + len };
	}

	// Decrypts a copy (std::vector storage is suitably aligned for libsrtp).
	bool Decrypt(
		SrtpSession& session,
		std::vector<uint8_t> packet,
		bool rtcp,
		std::vector<uint8_t>* out = nullptr)
	{
		size_t len = packet.size();
		const bool ok =
			rtcp ? session.DecryptSrtcp(packet.data(), &len) : session.DecryptSrtp(packet.data(), &len);

		if (ok && out)
		{
			out->assign(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(len));
		}

		return ok;
	}

	struct SuiteRow
	{
		SrtpSession::CryptoSuite suite;
		const char* name;
		size_t keyLength;
		size_t saltLength;
		// Bytes protection adds to RTP, and to RTCP (SRTCP index included).
		size_t rtpOverhead;
		size_t rtcpOverhead;
	};

	// RFC 3711 4.3.3 and RFC 5764 4.1.2 (AES_CM), RFC 7714 12 and 9.1 (GCM).
	const std::vector<SuiteRow> SuiteRows{
		{ SrtpSession::CryptoSuite::AEAD_AES_256_GCM, "AEAD_AES_256_GCM", 32u, 12u, 16u, 20u },
		{ SrtpSession::CryptoSuite::AEAD_AES_128_GCM, "AEAD_AES_128_GCM", 16u, 12u, 16u, 20u },
		{ SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80,
			"AES_CM_128_HMAC_SHA1_80",
			16u,
			14u,
			10u,
			14u },
		// SRTCP keeps the 80-bit tag with the _32 profile.
		{ SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_32,
			"AES_CM_128_HMAC_SHA1_32",
			16u,
			14u,
			4u,
			14u },
	};
} // namespace

SCENARIO("SrtpSession class methods", "[SrtpSession]")
{
	for (const auto& row : SuiteRows)
	{
		INFO(row.name);

		CHECK(SrtpSession::GetMasterKeyLength(row.suite) == row.keyLength);
		CHECK(SrtpSession::GetMasterSaltLength(row.suite) == row.saltLength);
		CHECK(SrtpSession::GetMasterLength(row.suite) == row.keyLength + row.saltLength);
		CHECK(SrtpSession::GetCryptoSuiteString(row.suite) == row.name);
		CHECK(SrtpSession::GetCryptoSuite(row.name) == row.suite);
	}

	CHECK(SrtpSession::GetMasterLength(SrtpSession::CryptoSuite::AEAD_AES_256_GCM) == 44u);
	CHECK(SrtpSession::GetMasterLength(SrtpSession::CryptoSuite::AEAD_AES_128_GCM) == 28u);
	CHECK(SrtpSession::GetMasterLength(SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80) == 30u);
	CHECK(SrtpSession::GetMasterLength(SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_32) == 30u);

	for (const char* name : { "", "aead_aes_256_gcm", "AES_CM_128_HMAC_SHA1", "AEAD_AES_256_GCM " })
	{
		INFO("name '" << name << "'");

		CHECK_FALSE(SrtpSession::GetCryptoSuite(name));
	}
}

SCENARIO("SrtpSession protects and unprotects with each crypto suite", "[SrtpSession]")
{
	const LibSrtpScope libSrtp;

	for (const auto& row : SuiteRows)
	{
		DYNAMIC_SECTION(row.name)
		{
			const auto key   = MakeKey(row.suite, 1u);
			const auto other = MakeKey(row.suite, 2u);

			SrtpSession outbound(SrtpSession::Type::OUTBOUND, row.suite, key.data(), key.size());
			SrtpSession inbound(SrtpSession::Type::INBOUND, row.suite, key.data(), key.size());
			SrtpSession wrongKey(SrtpSession::Type::INBOUND, row.suite, other.data(), other.size());

			SECTION("RTP round trip, flipped bit, wrong key, replay")
			{
				const auto rtp        = MakeRtp(0x11223344u, 1000u);
				const auto protected1 = Encrypt(outbound, rtp, false);

				REQUIRE(protected1.size() == rtp.size() + row.rtpOverhead);
				// The header stays in clear; the payload does not.
				REQUIRE(std::equal(rtp.begin(), rtp.begin() + 12, protected1.begin()));
				REQUIRE_FALSE(std::equal(rtp.begin() + 12, rtp.end(), protected1.begin() + 12));

				auto flipped = protected1;

				flipped[40] ^= 0x01u;

				// Checked first: a failed packet must not spoil the real one.
				REQUIRE_FALSE(Decrypt(inbound, flipped, false));
				REQUIRE_FALSE(Decrypt(wrongKey, protected1, false));

				std::vector<uint8_t> decrypted;

				REQUIRE(Decrypt(inbound, protected1, false, &decrypted));
				REQUIRE(decrypted == rtp);

				// Replay.
				REQUIRE_FALSE(Decrypt(inbound, protected1, false));

				// A flipped bit in the header or in the tag fails too.
				const auto protected2 = Encrypt(outbound, MakeRtp(0x11223344u, 1001u), false);
				auto badHeader        = protected2;
				auto badTag           = protected2;

				badHeader[5] ^= 0x80u;
				badTag.back() ^= 0x01u;

				REQUIRE_FALSE(Decrypt(inbound, badHeader, false));
				REQUIRE_FALSE(Decrypt(inbound, badTag, false));
				REQUIRE(Decrypt(inbound, protected2, false));
			}

			SECTION("RTCP round trip, flipped bit, wrong key, replay")
			{
				const auto rtcp       = MakeRtcp(0x55667788u);
				const auto protected1 = Encrypt(outbound, rtcp, true);

				REQUIRE(protected1.size() == rtcp.size() + row.rtcpOverhead);

				auto flipped = protected1;

				flipped[10] ^= 0x04u;

				REQUIRE_FALSE(Decrypt(inbound, flipped, true));
				REQUIRE_FALSE(Decrypt(wrongKey, protected1, true));

				std::vector<uint8_t> decrypted;

				REQUIRE(Decrypt(inbound, protected1, true, &decrypted));
				REQUIRE(decrypted == rtcp);
				REQUIRE_FALSE(Decrypt(inbound, protected1, true));

				// The next one (next SRTCP index) is fine.
				const auto protected2 = Encrypt(outbound, rtcp, true);

				REQUIRE(protected2 != protected1);
				REQUIRE(Decrypt(inbound, protected2, true, &decrypted));
				REQUIRE(decrypted == rtcp);
			}

			SECTION("a retransmission with the same sequence number can be protected again")
			{
				const auto rtp    = MakeRtp(0x01020304u, 7u);
				const auto first  = Encrypt(outbound, rtp, false);
				const auto second = Encrypt(outbound, rtp, false);

				REQUIRE(first == second);
				REQUIRE(Decrypt(inbound, first, false));
				// The receiver has seen it: the retransmission is a replay for it.
				REQUIRE_FALSE(Decrypt(inbound, second, false));
			}

			SECTION("packets reordered within the replay window are accepted")
			{
				std::vector<std::vector<uint8_t>> packets;

				for (uint16_t seq{ 0u }; seq < 600u; ++seq)
				{
					packets.push_back(Encrypt(outbound, MakeRtp(0x0A0B0C0Du, seq, 20u), false));
				}

				REQUIRE(Decrypt(inbound, packets[599], false));

				for (size_t i{ 0u }; i < 599u; ++i)
				{
					INFO("packet " << i);

					REQUIRE(Decrypt(inbound, packets[i], false));
				}
			}
		}
	}
}

SCENARIO("SrtpSession rejects bad keys", "[SrtpSession]")
{
	const LibSrtpScope libSrtp;

	for (const auto& row : SuiteRows)
	{
		INFO(row.name);

		const auto key = MakeKey(row.suite, 3u);

		for (const auto type : { SrtpSession::Type::INBOUND, SrtpSession::Type::OUTBOUND })
		{
			REQUIRE_THROWS_AS(
				SrtpSession(type, row.suite, key.data(), key.size() - 1u), MediaSoupTypeError);
			REQUIRE_THROWS_AS(SrtpSession(type, row.suite, key.data(), 0u), MediaSoupTypeError);
			REQUIRE_THROWS_AS(SrtpSession(type, row.suite, nullptr, key.size()), MediaSoupTypeError);

			auto longer = key;

			longer.push_back(0u);

			REQUIRE_THROWS_AS(
				SrtpSession(type, row.suite, longer.data(), longer.size()), MediaSoupTypeError);
			REQUIRE_NOTHROW(SrtpSession(type, row.suite, key.data(), key.size()));
		}
	}

	// The longest key (256 GCM) is too long for the others and the other way round.
	const auto gcm256 = MakeKey(SrtpSession::CryptoSuite::AEAD_AES_256_GCM, 4u);

	REQUIRE_THROWS_AS(
		SrtpSession(
			SrtpSession::Type::OUTBOUND,
			SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80,
			gcm256.data(),
			gcm256.size()),
		MediaSoupTypeError);
	REQUIRE_THROWS_AS(
		SrtpSession(
			SrtpSession::Type::OUTBOUND,
			static_cast<SrtpSession::CryptoSuite>(99),
			gcm256.data(),
			gcm256.size()),
		MediaSoupTypeError);
}

SCENARIO("SrtpSession refuses what it cannot handle", "[SrtpSession]")
{
	const LibSrtpScope libSrtp;

	const auto suite = SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80;
	const auto key   = MakeKey(suite, 5u);

	SrtpSession outbound(SrtpSession::Type::OUTBOUND, suite, key.data(), key.size());
	SrtpSession inbound(SrtpSession::Type::INBOUND, suite, key.data(), key.size());

	SECTION("packets longer than MaxPacketLength are not encrypted; MaxPacketLength is")
	{
		auto largest = MakeRtp(1u, 1u, SrtpSession::MaxPacketLength - 12u);

		REQUIRE(largest.size() == SrtpSession::MaxPacketLength);

		const auto protectedPacket = Encrypt(outbound, largest, false);

		REQUIRE(protectedPacket.size() == SrtpSession::MaxPacketLength + 10u);
		REQUIRE(Decrypt(inbound, protectedPacket, false));

		largest.push_back(0u);

		const uint8_t* data = largest.data();
		size_t len          = largest.size();

		REQUIRE_FALSE(outbound.EncryptRtp(&data, &len));
		REQUIRE(data == largest.data());
		REQUIRE_FALSE(outbound.EncryptRtcp(&data, &len));
	}

	SECTION("too short packets")
	{
		const std::vector<uint8_t> shortPacket(7u, 0x80u);
		const uint8_t* data = shortPacket.data();
		size_t len          = shortPacket.size();

		REQUIRE_FALSE(outbound.EncryptRtp(&data, &len));
		REQUIRE_FALSE(outbound.EncryptRtcp(&data, &len));
		REQUIRE_FALSE(Decrypt(inbound, shortPacket, false));
		REQUIRE_FALSE(Decrypt(inbound, shortPacket, true));
		REQUIRE_FALSE(Decrypt(inbound, {}, false));
		REQUIRE_FALSE(Decrypt(inbound, {}, true));
	}

	SECTION("wrong direction")
	{
		const auto rtp      = MakeRtp(1u, 1u);
		const uint8_t* data = rtp.data();
		size_t len          = rtp.size();

		REQUIRE_FALSE(inbound.EncryptRtp(&data, &len));
		REQUIRE_FALSE(inbound.EncryptRtcp(&data, &len));

		const auto protectedPacket = Encrypt(outbound, rtp, false);

		REQUIRE_FALSE(Decrypt(outbound, protectedPacket, false));
		REQUIRE(Decrypt(inbound, protectedPacket, false));
	}

	SECTION("garbage does not decrypt")
	{
		uint32_t seed{ 12345u };

		for (size_t i{ 0u }; i < 2000u; ++i)
		{
			std::vector<uint8_t> garbage(i % 300u);

			for (auto& byte : garbage)
			{
				seed = seed * 1103515245u + 12345u;
				byte = static_cast<uint8_t>(seed >> 16);
			}

			if (!garbage.empty())
			{
				// Mostly valid-looking RTP/RTCP version bits.
				garbage[0] = static_cast<uint8_t>((garbage[0] & 0x3Fu) | 0x80u);
			}

			REQUIRE_FALSE(Decrypt(inbound, garbage, false));
			REQUIRE_FALSE(Decrypt(inbound, garbage, true));
		}
	}
}

SCENARIO("SrtpSession forgets streams", "[SrtpSession]")
{
	const LibSrtpScope libSrtp;

	const auto suite = SrtpSession::CryptoSuite::AEAD_AES_128_GCM;
	const auto key   = MakeKey(suite, 6u);

	SrtpSession outbound(SrtpSession::Type::OUTBOUND, suite, key.data(), key.size());
	SrtpSession inbound(SrtpSession::Type::INBOUND, suite, key.data(), key.size());

	SECTION("RemoveStream() drops the replay state of that SSRC only")
	{
		const auto packetA = Encrypt(outbound, MakeRtp(0xAAAAAAAAu, 1u), false);
		const auto packetB = Encrypt(outbound, MakeRtp(0xBBBBBBBBu, 1u), false);

		REQUIRE(Decrypt(inbound, packetA, false));
		REQUIRE(Decrypt(inbound, packetB, false));
		REQUIRE_FALSE(Decrypt(inbound, packetA, false));

		inbound.RemoveStream(0xAAAAAAAAu);
		// Unknown SSRCs are fine.
		inbound.RemoveStream(0x12345678u);

		REQUIRE(Decrypt(inbound, packetA, false));
		REQUIRE_FALSE(Decrypt(inbound, packetB, false));
	}

	SECTION("past MaxInboundStreams SSRCs the oldest is forgotten")
	{
		const size_t count = SrtpSession::MaxInboundStreams + 10u;
		std::vector<std::vector<uint8_t>> packets;

		for (uint32_t ssrc{ 1u }; ssrc <= count; ++ssrc)
		{
			packets.push_back(Encrypt(outbound, MakeRtp(ssrc, 1u, 8u), false));
		}

		for (size_t i{ 0u }; i < count; ++i)
		{
			INFO("SSRC " << i + 1u);

			REQUIRE(Decrypt(inbound, packets[i], false));
		}

		// The 10 oldest were forgotten (so their packets look new), the newest
		// are still known (so theirs are replays).
		for (size_t i{ 0u }; i < 10u; ++i)
		{
			INFO("SSRC " << i + 1u);

			REQUIRE(Decrypt(inbound, packets[i], false));
		}

		REQUIRE_FALSE(Decrypt(inbound, packets[count - 1u], false));
	}
}

SCENARIO("SrtpSession decrypts misaligned packets", "[SrtpSession]")
{
	// TCP framing (RFC 4571) puts a 2-byte length before each packet, so the
	// packet starts 2 bytes past an aligned receive buffer; libsrtp reads
	// 32-bit words (undefined behaviour there, caught by
	// -fsanitize=alignment).
	const LibSrtpScope libSrtp;

	// `packet` copied `offset` bytes into zeroed, aligned storage.
	const auto place =
		[](std::vector<uint32_t>& storage, const std::vector<uint8_t>& packet, size_t offset)
	{
		storage.assign((packet.size() + offset) / 4u + 2u, 0u);

		auto* data = reinterpret_cast<uint8_t*>(storage.data()) + offset;

		std::copy(packet.begin(), packet.end(), data);

		return data;
	};

	for (const auto& row : SuiteRows)
	{
		DYNAMIC_SECTION(row.name)
		{
			const auto key = MakeKey(row.suite, 9u);

			SrtpSession outbound(SrtpSession::Type::OUTBOUND, row.suite, key.data(), key.size());
			SrtpSession inbound(SrtpSession::Type::INBOUND, row.suite, key.data(), key.size());
			std::vector<uint32_t> storage;

			for (const bool rtcp : { false, true })
			{
				for (size_t offset{ 1u }; offset <= 4u; ++offset)
				{
					INFO((rtcp ? "RTCP" : "RTP") << " at offset " << offset);

					// A new sequence number each time (the same one is a replay).
					const auto plain  = rtcp ? MakeRtcp(0x01020304u)
																	 : MakeRtp(0x01020304u, static_cast<uint16_t>(50u + offset), 101u);
					const auto packet = Encrypt(outbound, plain, rtcp);
					auto* data        = place(storage, packet, offset);
					size_t len        = packet.size();

					REQUIRE((rtcp ? inbound.DecryptSrtcp(data, &len) : inbound.DecryptSrtp(data, &len)));
					REQUIRE(len == plain.size());
					REQUIRE(std::equal(plain.begin(), plain.end(), data));
					// The bytes before the packet are untouched.
					REQUIRE(std::all_of(
						reinterpret_cast<uint8_t*>(storage.data()),
						data,
						[](uint8_t byte) { return byte == 0u; }));
				}

				// A forged packet at an odd offset is refused.
				const auto plain = rtcp ? MakeRtcp(0x01020304u) : MakeRtp(0x01020304u, 60u, 101u);
				auto packet      = Encrypt(outbound, plain, rtcp);
				packet.back() ^= 0x01u;
				auto* data = place(storage, packet, 3u);
				size_t len = packet.size();

				REQUIRE_FALSE((rtcp ? inbound.DecryptSrtcp(data, &len) : inbound.DecryptSrtp(data, &len)));
			}
		}
	}
}
