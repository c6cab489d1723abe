#include "common.hpp"

#include "RTC/RtpPacket.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <functional>
#include <vector>

using RTC::RtpPacket;

namespace
{
	using Bytes = std::vector<uint8_t>;
	using Form  = RtpPacket::ExtensionForm;

	/* Fixtures. */

	// The smallest packet: a fixed header and nothing else.
	const Bytes Minimal{
		0x80, 0x60, 0x00, 0x01, // V=2, P=0, X=0, CC=0 | M=0, PT=96 | seq 1
		0x00, 0x00, 0x00, 0x0a, // timestamp 10
		0x12, 0x34, 0x56, 0x78, // SSRC 0x12345678
	};

	// Two CSRCs, the marker and a payload.
	const Bytes WithCsrcs{
		0x82, 0xe0, 0xff, 0xff, // V=2, CC=2 | M=1, PT=96 | seq 65535
		0xff, 0xff, 0xff, 0xff, // timestamp 4294967295
		0x00, 0x00, 0x00, 0x01, // SSRC 1
		0xaa, 0xaa, 0xaa, 0xaa, // CSRC 0xaaaaaaaa
		0xbb, 0xbb, 0xbb, 0xbb, // CSRC 0xbbbbbbbb
		0x01, 0x02, 0x03,       // payload (3 bytes)
	};

	// One-byte form, zero padding bytes between and after the elements.
	const Bytes OneByte{
		0x90, 0x6f, 0x12, 0x34, // V=2, X=1 | PT=111 | seq 0x1234
		0x00, 0x01, 0xe2, 0x40, // timestamp 123456
		0x01, 0x02, 0x03, 0x04, // SSRC
		0xbe, 0xde, 0x00, 0x03, // one-byte form, 3 words
		0x10, 0xff, 0x00, 0x00, // ID 1, 1 byte: ff; 2 padding bytes
		0x22, 0x01, 0x02, 0x03, // ID 2, 3 bytes: 01 02 03
		0x30, 0xaa, 0x00, 0x00, // ID 3, 1 byte: aa; 2 padding bytes
		0xde, 0xad, 0xbe, 0xef, // payload (4 bytes)
	};

	// Two-byte form with a zero-length element, application bits 0x5.
	const Bytes TwoByte{
		0x90, 0x60, 0x00, 0x07, // V=2, X=1 | PT=96 | seq 7
		0x00, 0x00, 0x00, 0x00, // timestamp 0
		0xca, 0xfe, 0xba, 0xbe, // SSRC
		0x10, 0x05, 0x00, 0x03, // two-byte form (app bits 5), 3 words
		0x01, 0x00, 0x00, 0x0f, // ID 1, 0 bytes; padding; ID 15...
		0x03, 0xaa, 0xbb, 0xcc, // ...3 bytes: aa bb cc
		0xc8, 0x01, 0x55, 0x00, // ID 200, 1 byte: 55; padding
		0x11,                   // payload (1 byte)
	};

	// Padding: 2 payload bytes then 4 padding bytes.
	const Bytes Padded{
		0xa0, 0x60, 0x00, 0x02, // V=2, P=1 | PT=96 | seq 2
		0x00, 0x00, 0x00, 0x14, // timestamp 20
		0x12, 0x34, 0x56, 0x78, // SSRC
		0x99, 0x88,             // payload (2 bytes)
		0x00, 0x00, 0x00, 0x04, // padding, count 4
	};

	// Padding only (a bandwidth probe): count covers everything after the header.
	const Bytes PaddingOnly{
		0xa0, 0x60, 0x00, 0x03, // V=2, P=1 | PT=96 | seq 3
		0x00, 0x00, 0x00, 0x14, // timestamp 20
		0x12, 0x34, 0x56, 0x78, // SSRC
		0x00, 0x00, 0x00, 0x00, // }
		0x00, 0x00, 0x00, 0x08, // } padding, count 8
	};

	// An extension block of another profile: opaque, no elements.
	const Bytes OtherProfile{
		0x90, 0x60, 0x00, 0x04, // V=2, X=1 | PT=96 | seq 4
		0x00, 0x00, 0x00, 0x00, // timestamp 0
		0x00, 0x00, 0x00, 0x05, // SSRC 5
		0x12, 0x34, 0x00, 0x01, // profile 0x1234, 1 word
		0x10, 0xff, 0x20, 0xee, // not RFC 8285: not indexed
		0x42,                   // payload (1 byte)
	};

	// One-byte form with the reserved ID 15: what follows it is ignored.
	const Bytes OneByteReservedId{
		0x90, 0x60, 0x00, 0x05, // V=2, X=1 | PT=96 | seq 5
		0x00, 0x00, 0x00, 0x00, // timestamp 0
		0x00, 0x00, 0x00, 0x05, // SSRC 5
		0xbe, 0xde, 0x00, 0x02, // one-byte form, 2 words
		0x10, 0x11, 0xf0, 0x20, // ID 1, 1 byte: 11; ID 15 (stop), then...
		0x22, 0x00, 0x00, 0x00, // ...ID 2 never read
	};

	// One-byte form whose second element overflows the block: the first is kept.
	const Bytes OneByteOverflowingElement{
		0x90, 0x60, 0x00, 0x06, // V=2, X=1 | PT=96 | seq 6
		0x00, 0x00, 0x00, 0x00, // timestamp 0
		0x00, 0x00, 0x00, 0x05, // SSRC 5
		0xbe, 0xde, 0x00, 0x01, // one-byte form, 1 word
		0x10, 0x11, 0x23, 0x01, // ID 1, 1 byte: 11; ID 2, 4 bytes: only 1 left
		0x77,                   // payload (1 byte)
	};

	// Two-byte form whose last element has no room for its length byte.
	const Bytes TwoByteTruncatedElement{
		0x90, 0x60, 0x00, 0x08, // V=2, X=1 | PT=96 | seq 8
		0x00, 0x00, 0x00, 0x00, // timestamp 0
		0x00, 0x00, 0x00, 0x05, // SSRC 5
		0x10, 0x00, 0x00, 0x01, // two-byte form, 1 word
		0x01, 0x01, 0x33, 0x02, // ID 1, 1 byte: 33; ID 2 and no length
	};

	// The same ID twice: the first one is read.
	const Bytes OneByteDuplicateId{
		0x90, 0x60, 0x00, 0x09, // V=2, X=1 | PT=96 | seq 9
		0x00, 0x00, 0x00, 0x00, // timestamp 0
		0x00, 0x00, 0x00, 0x05, // SSRC 5
		0xbe, 0xde, 0x00, 0x01, // one-byte form, 1 word
		0x10, 0x01, 0x10, 0x02, // ID 1, 1 byte: 01; ID 1, 1 byte: 02
	};

	// An audio packet as a browser sends it (IDs as Chrome numbers them).
	const Bytes ChromeAudio{
		0x90, 0x6f, 0x00, 0x2a, // V=2, X=1 | PT=111 (Opus) | seq 42
		0x00, 0x00, 0x03, 0xc0, // timestamp 960
		0x11, 0x22, 0x33, 0x44, // SSRC
		0xbe, 0xde, 0x00, 0x03, // one-byte form, 3 words
		0x10, 0xaa, 0x22, 0x12, // ID 1 (audio level): V=1, 42 -dBov; ID 2 (abs-send-time)...
		0x34, 0x56, 0x31, 0x01, // ...0x123456; ID 3 (transport-cc)...
		0x23, 0x40, 0x30, 0x00, // ...0x0123; ID 4 (mid): "0"; padding
		0xf8, 0xff, 0xfe,       // payload (Opus DTX frame)
	};

	// A simulcast video packet as a browser sends it.
	const Bytes ChromeVideo{
		0x90, 0xe0, 0x1f, 0x40, // V=2, X=1 | M=1, PT=96 (VP8) | seq 8000
		0x00, 0x01, 0x5f, 0x90, // timestamp 90000
		0x55, 0x66, 0x77, 0x88, // SSRC
		0xbe, 0xde, 0x00, 0x04, // one-byte form, 4 words
		0xa1, 0x72, 0x31, 0xd0, // ID 10 (rid): "r1"; ID 13 (video orientation)...
		0x01, 0x52, 0xff, 0xff, // ...C=0 F=0 R=1 (90); ID 5 (toffset)...
		0xfe, 0x62, 0x00, 0x10, // ...-2; ID 6 (playout delay)...
		0x0a, 0x00, 0x00, 0x00, // ...min 10 ms, max 100 ms; padding
		0x90, 0xe0, 0x80, 0x01, // payload (VP8 descriptor...)
	};

	// Two-byte form: a 5-byte MID and a 16-byte abs-capture-time.
	const Bytes TwoByteVideo{
		0x90, 0x60, 0x00, 0x01, // V=2, X=1 | PT=96 | seq 1
		0x00, 0x00, 0x00, 0x00, // timestamp 0
		0x55, 0x66, 0x77, 0x88, // SSRC
		0x10, 0x00, 0x00, 0x07, // two-byte form, 7 words
		0x01, 0x05, 0x76, 0x69, // ID 1 (mid), 5 bytes: "vi...
		0x64, 0x65, 0x6f, 0x12, // ...deo"; ID 18 (abs-capture-time)...
		0x10, 0xe5, 0x8c, 0x2c, // ...16 bytes: NTP time 0xe58c2c3b.80000000...
		0x3b, 0x80, 0x00, 0x00, // }
		0x00, 0xff, 0xff, 0xff, // } ...clock offset -0.25 s (Q32.32)...
		0xff, 0xc0, 0x00, 0x00, // }
		0x00, 0x00, 0x00, 0x00, // }; padding
	};

	struct Expected
	{
		bool marker;
		uint8_t payloadType;
		uint16_t sequenceNumber;
		uint32_t timestamp;
		uint32_t ssrc;
		std::vector<uint32_t> csrcs;
		size_t headerSize;
		Bytes payload;
		size_t paddingLength;
		Form form;
		uint16_t profile;
		// Indexed elements, in order.
		std::vector<std::pair<uint8_t, Bytes>> extensions;
	};

	void Validate(const Bytes& fixture, const Expected& expected)
	{
		Bytes bytes = fixture;
		RtpPacket::DropReason reason{ RtpPacket::DropReason::TOO_SHORT };
		const auto packet = RtpPacket::Parse(bytes, reason);

		REQUIRE(packet);
		REQUIRE(RtpPacket::IsRtp(bytes));
		REQUIRE(packet->GetData().data() == bytes.data());
		REQUIRE(packet->GetSize() == bytes.size());
		REQUIRE(packet->GetVersion() == 2u);
		REQUIRE(packet->HasMarker() == expected.marker);
		REQUIRE(packet->GetPayloadType() == expected.payloadType);
		REQUIRE(packet->GetSequenceNumber() == expected.sequenceNumber);
		REQUIRE(packet->GetTimestamp() == expected.timestamp);
		REQUIRE(packet->GetSsrc() == expected.ssrc);
		REQUIRE(packet->GetCsrcCount() == expected.csrcs.size());

		for (size_t i = 0u; i < expected.csrcs.size(); ++i)
		{
			REQUIRE(packet->GetCsrc(i) == expected.csrcs[i]);
		}

		REQUIRE_FALSE(packet->GetCsrc(expected.csrcs.size()));
		REQUIRE(packet->GetHeaderSize() == expected.headerSize);
		REQUIRE(Bytes(packet->GetPayload().begin(), packet->GetPayload().end()) == expected.payload);
		REQUIRE(packet->GetPayloadLength() == expected.payload.size());
		REQUIRE(packet->HasPadding() == (expected.paddingLength != 0u));
		REQUIRE(packet->GetPaddingLength() == expected.paddingLength);
		REQUIRE(
			packet->GetHeaderSize() + packet->GetPayloadLength() + packet->GetPaddingLength() ==
			packet->GetSize());
		REQUIRE(packet->HasHeaderExtension() == (expected.form != Form::NONE));
		REQUIRE(packet->GetExtensionForm() == expected.form);
		REQUIRE(packet->GetExtensionProfile() == expected.profile);
		REQUIRE(packet->GetExtensions().size() == expected.extensions.size());

		for (size_t i = 0u; i < expected.extensions.size(); ++i)
		{
			const auto& [id, value] = expected.extensions[i];
			const auto& extension   = packet->GetExtensions()[i];

			REQUIRE(extension.id == id);
			REQUIRE(extension.length == value.size());
			REQUIRE(
				Bytes(
					bytes.begin() + extension.offset, bytes.begin() + extension.offset + extension.length) ==
				value);
		}

		// Lookup by ID gives the first element with it.
		for (const auto& [id, value] : expected.extensions)
		{
			const auto found = packet->GetExtension(id);

			REQUIRE(found);

			bool first{ false };

			for (const auto& [otherId, otherValue] : expected.extensions)
			{
				if (otherId == id)
				{
					first = Bytes(found->begin(), found->end()) == otherValue;

					break;
				}
			}

			REQUIRE(first);
		}

		REQUIRE_FALSE(packet->GetExtension(0u));
	}

	// RTP fields of `bytes` read without the parser (to check writes).
	uint16_t ReadSeq(const Bytes& bytes)
	{
		return static_cast<uint16_t>((bytes[2] << 8) | bytes[3]);
	}

	// `original` as RtxDecode() gives it back: padding dropped, P cleared.
	Bytes WithoutPadding(const Bytes& original)
	{
		Bytes bytes       = original;
		const auto packet = RtpPacket::Parse(bytes);

		REQUIRE(packet);

		bytes.resize(packet->GetSize() - packet->GetPaddingLength());
		bytes[0] &= 0xdf;

		return bytes;
	}

	std::array<uint8_t, 256> IdentityMap()
	{
		std::array<uint8_t, 256> map{};

		for (size_t i = 0u; i < map.size(); ++i)
		{
			map[i] = static_cast<uint8_t>(i);
		}

		return map;
	}
} // namespace

TEST_CASE("RtpPacket parses valid packets", "[RtpPacket]")
{
	struct Row
	{
		const char* name;
		const Bytes& bytes;
		Expected expected;
	};

	const std::vector<Row> rows{
		{ "minimal",
			Minimal,
			{ false, 96u, 1u, 10u, 0x12345678u, {}, 12u, {}, 0u, Form::NONE, 0u, {} } },
		{ "CSRCs",
			WithCsrcs,
			{ true,
				96u,
				65535u,
				0xffffffffu,
				1u,
				{ 0xaaaaaaaau, 0xbbbbbbbbu },
				20u,
				{ 0x01, 0x02, 0x03 },
				0u,
				Form::NONE,
				0u,
				{} } },
		{ "one-byte extensions with padding between elements",
			OneByte,
			{ false,
				111u,
				0x1234u,
				123456u,
				0x01020304u,
				{},
				28u,
				{ 0xde, 0xad, 0xbe, 0xef },
				0u,
				Form::ONE_BYTE,
				0xbedeu,
				{ { 1u, { 0xff } }, { 2u, { 0x01, 0x02, 0x03 } }, { 3u, { 0xaa } } } } },
		{ "two-byte extensions with a zero-length element",
			TwoByte,
			{ false,
				96u,
				7u,
				0u,
				0xcafebabeu,
				{},
				28u,
				{ 0x11 },
				0u,
				Form::TWO_BYTE,
				0x1005u,
				{ { 1u, {} }, { 15u, { 0xaa, 0xbb, 0xcc } }, { 200u, { 0x55 } } } } },
		{ "padding",
			Padded,
			{ false, 96u, 2u, 20u, 0x12345678u, {}, 12u, { 0x99, 0x88 }, 4u, Form::NONE, 0u, {} } },
		{ "padding only",
			PaddingOnly,
			{ false, 96u, 3u, 20u, 0x12345678u, {}, 12u, {}, 8u, Form::NONE, 0u, {} } },
		{ "other extension profile",
			OtherProfile,
			{ false, 96u, 4u, 0u, 5u, {}, 20u, { 0x42 }, 0u, Form::OTHER, 0x1234u, {} } },
		{ "one-byte ID 15 stops the block",
			OneByteReservedId,
			{ false, 96u, 5u, 0u, 5u, {}, 24u, {}, 0u, Form::ONE_BYTE, 0xbedeu, { { 1u, { 0x11 } } } } },
		{ "one-byte element overflowing the block",
			OneByteOverflowingElement,
			{ false,
				96u,
				6u,
				0u,
				5u,
				{},
				20u,
				{ 0x77 },
				0u,
				Form::ONE_BYTE,
				0xbedeu,
				{ { 1u, { 0x11 } } } } },
		{ "two-byte element without its length",
			TwoByteTruncatedElement,
			{ false, 96u, 8u, 0u, 5u, {}, 20u, {}, 0u, Form::TWO_BYTE, 0x1000u, { { 1u, { 0x33 } } } } },
		{ "duplicate ID",
			OneByteDuplicateId,
			{ false,
				96u,
				9u,
				0u,
				5u,
				{},
				20u,
				{},
				0u,
				Form::ONE_BYTE,
				0xbedeu,
				{ { 1u, { 0x01 } }, { 1u, { 0x02 } } } } },
	};

	for (const auto& row : rows)
	{
		SECTION(row.name)
		{
			Validate(row.bytes, row.expected);
		}
	}
}

TEST_CASE("RtpPacket indexes at most MaxExtensions elements", "[RtpPacket]")
{
	// Two-byte form, 20 one-byte elements with IDs 1..20: 60 bytes, 15 words.
	Bytes bytes{
		0x90, 0x60, 0x00, 0x01, // V=2, X=1 | PT=96 | seq 1
		0x00, 0x00, 0x00, 0x00, // timestamp 0
		0x00, 0x00, 0x00, 0x01, // SSRC 1
		0x10, 0x00, 0x00, 0x0f, // two-byte form, 15 words
	};

	for (uint8_t id = 1u; id <= 20u; ++id)
	{
		bytes.insert(bytes.end(), { id, 0x01, static_cast<uint8_t>(0xa0u + id) });
	}

	REQUIRE(bytes.size() == 16u + 60u);

	auto packet = RtpPacket::Parse(bytes);

	REQUIRE(packet);
	REQUIRE(packet->GetExtensions().size() == RtpPacket::MaxExtensions);
	REQUIRE(packet->GetExtension(16u));
	REQUIRE(*packet->GetExtension(16u).value().begin() == 0xb0u);
	REQUIRE_FALSE(packet->GetExtension(17u));
	REQUIRE_FALSE(packet->GetExtension(20u));

	// Remapping blanks what was not indexed, so no stale ID goes out.
	REQUIRE(packet->RemapExtensionIds(IdentityMap()));

	for (size_t i = 16u + (16u * 3u); i < bytes.size(); ++i)
	{
		REQUIRE(bytes[i] == 0u);
	}

	REQUIRE(RtpPacket::Parse(bytes)->GetExtensions().size() == RtpPacket::MaxExtensions);
}

TEST_CASE("RtpPacket rejects malformed packets", "[RtpPacket]")
{
	using Reason = RtpPacket::DropReason;

	struct Row
	{
		const char* name;
		Bytes bytes;
		Reason reason;
	};

	const std::vector<Row> rows{
		{ "empty", {}, Reason::TOO_SHORT },
		{ "11 bytes",
			{
				0x80,
				0x60,
				0x00,
				0x01, // V=2 | PT=96 | seq 1
				0x00,
				0x00,
				0x00,
				0x0a, // timestamp
				0x12,
				0x34,
				0x56, // 3 bytes of SSRC
			},
			Reason::TOO_SHORT },
		{ "version 0",
			{
				0x00,
				0x60,
				0x00,
				0x01, // V=0
				0x00,
				0x00,
				0x00,
				0x0a, // timestamp
				0x12,
				0x34,
				0x56,
				0x78, // SSRC
			},
			Reason::BAD_VERSION },
		{ "version 1",
			{
				0x40,
				0x60,
				0x00,
				0x01, // V=1
				0x00,
				0x00,
				0x00,
				0x0a, // timestamp
				0x12,
				0x34,
				0x56,
				0x78, // SSRC
			},
			Reason::BAD_VERSION },
		{ "version 3",
			{
				0xc0,
				0x60,
				0x00,
				0x01, // V=3
				0x00,
				0x00,
				0x00,
				0x0a, // timestamp
				0x12,
				0x34,
				0x56,
				0x78, // SSRC
			},
			Reason::BAD_VERSION },
		{ "one CSRC missing",
			{
				0x81,
				0x60,
				0x00,
				0x01, // V=2, CC=1
				0x00,
				0x00,
				0x00,
				0x0a, // timestamp
				0x12,
				0x34,
				0x56,
				0x78, // SSRC
			},
			Reason::CSRCS_OVERFLOW },
		{ "second CSRC cut",
			{
				0x82, 0x60, 0x00, 0x01, // V=2, CC=2
				0x00, 0x00, 0x00, 0x0a, // timestamp
				0x12, 0x34, 0x56, 0x78, // SSRC
				0xaa, 0xaa, 0xaa, 0xaa, // CSRC
				0xbb, 0xbb, 0xbb,       // 3 bytes of CSRC
			},
			Reason::CSRCS_OVERFLOW },
		{ "extension header cut",
			{
				0x90,
				0x60,
				0x00,
				0x01, // V=2, X=1
				0x00,
				0x00,
				0x00,
				0x0a, // timestamp
				0x12,
				0x34,
				0x56,
				0x78, // SSRC
				0xbe,
				0xde,
				0x00, // 3 bytes of extension header
			},
			Reason::EXTENSION_HEADER_OVERFLOW },
		{ "extension length one word too long",
			{
				0x90, 0x60, 0x00, 0x01, // V=2, X=1
				0x00, 0x00, 0x00, 0x0a, // timestamp
				0x12, 0x34, 0x56, 0x78, // SSRC
				0xbe, 0xde, 0x00, 0x02, // one-byte form, 2 words
				0x10, 0xff, 0x00, 0x00, // 1 word only
			},
			Reason::EXTENSION_OVERFLOW },
		{ "extension length 65535 words",
			{
				0x90, 0x60, 0x00, 0x01, // V=2, X=1
				0x00, 0x00, 0x00, 0x0a, // timestamp
				0x12, 0x34, 0x56, 0x78, // SSRC
				0x10, 0x00, 0xff, 0xff, // two-byte form, 65535 words
				0x01, 0x01, 0xff, 0x00, // 1 word only
			},
			Reason::EXTENSION_OVERFLOW },
		{ "padding count 0",
			{
				0xa0,
				0x60,
				0x00,
				0x01, // V=2, P=1
				0x00,
				0x00,
				0x00,
				0x0a, // timestamp
				0x12,
				0x34,
				0x56,
				0x78, // SSRC
				0x01,
				0x02,
				0x03,
				0x00, // payload, padding count 0
			},
			Reason::PADDING_ZERO },
		{ "padding count over the payload",
			{
				0xa0,
				0x60,
				0x00,
				0x01, // V=2, P=1
				0x00,
				0x00,
				0x00,
				0x0a, // timestamp
				0x12,
				0x34,
				0x56,
				0x78, // SSRC
				0x00,
				0x00,
				0x00,
				0x05, // padding count 5, 4 bytes after the header
			},
			Reason::PADDING_OVERFLOW },
		{ "padding count over the payload, after extensions",
			{
				0xb0, 0x60, 0x00, 0x01, // V=2, P=1, X=1
				0x00, 0x00, 0x00, 0x0a, // timestamp
				0x12, 0x34, 0x56, 0x78, // SSRC
				0xbe, 0xde, 0x00, 0x01, // one-byte form, 1 word
				0x10, 0xff, 0x00, 0x00, // ID 1, 1 byte: ff; padding
				0x01,                   // payload
				0x03,                   // padding count 3, only 2 bytes after the header
			},
			Reason::PADDING_OVERFLOW },
		{ "P set and nothing after the header",
			{
				0xa0,
				0x60,
				0x00,
				0x01, // V=2, P=1
				0x00,
				0x00,
				0x00,
				0x0a, // timestamp
				0x12,
				0x34,
				0x56,
				0x01, // SSRC (its last byte is not a padding count)
			},
			Reason::PADDING_OVERFLOW },
	};

	for (const auto& row : rows)
	{
		SECTION(row.name)
		{
			Bytes bytes = row.bytes;
			Reason reason{ Reason::TOO_SHORT };

			REQUIRE_FALSE(RtpPacket::Parse(bytes, reason));
			REQUIRE(reason == row.reason);
			REQUIRE_FALSE(RtpPacket::DropReasonToString(reason).empty());
			// Parse() leaves rejected bytes alone.
			REQUIRE(bytes == row.bytes);
		}
	}
}

TEST_CASE("RtpPacket rejects every truncation of a full packet", "[RtpPacket]")
{
	using Reason = RtpPacket::DropReason;

	// Every byte after the header, were it the last one, is 0 or larger than
	// the bytes after the header up to it: no truncation is a valid packet.
	const Bytes full{
		0xb1, 0xe0, 0x00, 0x01, // V=2, P=1, X=1, CC=1 | M=1, PT=96 | seq 1
		0x00, 0x00, 0x00, 0x0a, // timestamp 10
		0x12, 0x34, 0x56, 0x78, // SSRC
		0xaa, 0xbb, 0xcc, 0xdd, // CSRC
		0xbe, 0xde, 0x00, 0x02, // one-byte form, 2 words
		0x10, 0x05, 0x22, 0x01, // ID 1, 1 byte: 05; ID 2, 3 bytes...
		0x02, 0x03, 0x00, 0x00, // ...01 02 03; padding
		0xff, 0xfe, 0xfd, 0xfc, // payload (4 bytes)
		0x00, 0x00, 0x00, 0x04, // padding, count 4
	};

	{
		Bytes bytes       = full;
		const auto packet = RtpPacket::Parse(bytes);

		REQUIRE(packet);
		REQUIRE(packet->GetHeaderSize() == 28u);
		REQUIRE(packet->GetPayloadLength() == 4u);
		REQUIRE(packet->GetPaddingLength() == 4u);
	}

	for (size_t length = 0u; length < full.size(); ++length)
	{
		CAPTURE(length);

		Bytes bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(length));
		Reason reason{ Reason::TOO_SHORT };

		REQUIRE_FALSE(RtpPacket::Parse(bytes, reason));

		Reason expected{ Reason::TOO_SHORT };

		if (length < 12u)
		{
			expected = Reason::TOO_SHORT;
		}
		else if (length < 16u)
		{
			expected = Reason::CSRCS_OVERFLOW;
		}
		else if (length < 20u)
		{
			expected = Reason::EXTENSION_HEADER_OVERFLOW;
		}
		else if (length < 28u)
		{
			expected = Reason::EXTENSION_OVERFLOW;
		}
		else if (length < 33u)
		{
			// Nothing after the header, or a payload byte as count: too large.
			expected = Reason::PADDING_OVERFLOW;
		}
		else
		{
			expected = Reason::PADDING_ZERO;
		}

		REQUIRE(reason == expected);
	}
}

TEST_CASE("RtpPacket::IsRtp", "[RtpPacket]")
{
	struct Row
	{
		const char* name;
		Bytes bytes;
		bool isRtp;
	};

	const std::vector<Row> rows{
		{ "RTP", Minimal, true },
		{ "11 bytes", Bytes(Minimal.begin(), Minimal.end() - 1), false },
		{ "version 0",
			{ 0x00, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x12, 0x34, 0x56, 0x78 },
			false },
		{ "version 3",
			{ 0xc0, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x12, 0x34, 0x56, 0x78 },
			false },
		{ "PT 71", { 0x80, 0x47, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x12, 0x34, 0x56, 0x78 }, true },
		// RTCP SR (200) reads as M=1, PT=72.
		{ "RTCP SR",
			{ 0x80, 0xc8, 0x00, 0x06, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00 },
			false },
		// RTCP XR (207) reads as M=1, PT=79.
		{ "RTCP XR",
			{ 0x80, 0xcf, 0x00, 0x02, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00 },
			false },
		{ "PT 72 without marker",
			{ 0x80, 0x48, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x12, 0x34, 0x56, 0x78 },
			false },
		{ "PT 80", { 0x80, 0xd0, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x12, 0x34, 0x56, 0x78 }, true },
	};

	for (const auto& row : rows)
	{
		SECTION(row.name)
		{
			REQUIRE(RtpPacket::IsRtp(row.bytes) == row.isRtp);
		}
	}
}

TEST_CASE("RtpPacket typed extension readers", "[RtpPacket]")
{
	SECTION("audio: audio level, abs-send-time, transport-cc, mid")
	{
		Bytes bytes = ChromeAudio;
		auto packet = RtpPacket::Parse(bytes);

		REQUIRE(packet);

		// Nothing negotiated: nothing read.
		REQUIRE_FALSE(packet->ReadSsrcAudioLevel());
		REQUIRE_FALSE(packet->ReadAbsSendTime());
		REQUIRE_FALSE(packet->ReadMid());

		RTC::RtpHeaderExtensionIds ids;

		ids.ssrcAudioLevel    = 1u;
		ids.absSendTime       = 2u;
		ids.transportWideCc01 = 3u;
		ids.mid               = 4u;
		ids.rid               = 10u;
		packet->SetExtensionIds(ids);

		REQUIRE(packet->ReadSsrcAudioLevel() == std::make_pair(uint8_t{ 42u }, true));
		REQUIRE(packet->ReadAbsSendTime() == 0x123456u);
		REQUIRE(packet->ReadTransportWideCc01() == 0x0123u);
		REQUIRE(packet->ReadMid() == "0");
		REQUIRE_FALSE(packet->ReadRid());
		REQUIRE_FALSE(packet->ReadVideoOrientation());
		REQUIRE(
			Bytes(packet->GetPayload().begin(), packet->GetPayload().end()) == Bytes{ 0xf8, 0xff, 0xfe });

		// Negotiated IDs pointing at elements of the wrong size.
		ids.absSendTime       = 1u; // 1 byte, not 3
		ids.transportWideCc01 = 2u; // 3 bytes, not 2
		ids.ssrcAudioLevel    = 3u; // 2 bytes, not 1
		ids.videoOrientation  = 2u; // 3 bytes, not 1
		ids.playoutDelay      = 1u; // 1 byte, not 3
		ids.toffset           = 3u; // 2 bytes, not 3
		ids.absCaptureTime    = 2u; // 3 bytes, not 8 or 16
		packet->SetExtensionIds(ids);

		REQUIRE_FALSE(packet->ReadAbsSendTime());
		REQUIRE_FALSE(packet->ReadTransportWideCc01());
		REQUIRE_FALSE(packet->ReadSsrcAudioLevel());
		REQUIRE_FALSE(packet->ReadVideoOrientation());
		REQUIRE_FALSE(packet->ReadPlayoutDelay());
		REQUIRE_FALSE(packet->ReadToffset());
		REQUIRE_FALSE(packet->ReadAbsCaptureTime());
	}

	SECTION("video: rid, video orientation, toffset, playout delay")
	{
		Bytes bytes = ChromeVideo;
		auto packet = RtpPacket::Parse(bytes);

		REQUIRE(packet);

		RTC::RtpHeaderExtensionIds ids;

		ids.rid              = 10u;
		ids.videoOrientation = 13u;
		ids.toffset          = 5u;
		ids.playoutDelay     = 6u;
		packet->SetExtensionIds(ids);

		REQUIRE(packet->HasMarker());
		REQUIRE(packet->ReadRid() == "r1");

		const auto orientation = packet->ReadVideoOrientation();

		REQUIRE(orientation);
		REQUIRE_FALSE(orientation->camera);
		REQUIRE_FALSE(orientation->flip);
		REQUIRE(orientation->rotation == 90u);
		REQUIRE(packet->ReadToffset() == -2);

		const auto delay = packet->ReadPlayoutDelay();

		REQUIRE(delay);
		REQUIRE(delay->minDelayMs == 10u);
		REQUIRE(delay->maxDelayMs == 100u);
	}

	SECTION("two-byte form: mid, abs-capture-time with clock offset")
	{
		Bytes bytes = TwoByteVideo;
		auto packet = RtpPacket::Parse(bytes);

		REQUIRE(packet);

		RTC::RtpHeaderExtensionIds ids;

		ids.mid            = 1u;
		ids.absCaptureTime = 18u;
		packet->SetExtensionIds(ids);

		REQUIRE(packet->ReadMid() == "video");

		const auto time = packet->ReadAbsCaptureTime();

		REQUIRE(time);
		REQUIRE(time->absoluteCaptureTimestamp == 0xe58c2c3b80000000u);
		REQUIRE(time->estimatedCaptureClockOffset == -int64_t{ 0x40000000 });
	}

	SECTION("single values, one table")
	{
		struct Row
		{
			const char* name;
			Bytes element; // one-byte form element, ID 1
			std::function<void(const RtpPacket&)> check;
		};

		const std::vector<Row> rows{
			{ "audio level 127, no voice",
				{ 0x10, 0x7f },
				[](const RtpPacket& p)
				{
					REQUIRE(p.ReadSsrcAudioLevel() == std::make_pair(uint8_t{ 127u }, false));
				} },
			{ "audio level 0, voice",
				{ 0x10, 0x80 },
				[](const RtpPacket& p)
				{
					REQUIRE(p.ReadSsrcAudioLevel() == std::make_pair(uint8_t{ 0u }, true));
				} },
			{ "video orientation: back camera, flip, 270",
				{ 0x10, 0x0f },
				[](const RtpPacket& p)
				{
					REQUIRE(p.ReadVideoOrientation()->camera);
					REQUIRE(p.ReadVideoOrientation()->flip);
					REQUIRE(p.ReadVideoOrientation()->rotation == 270u);
				} },
			{ "video orientation: 180",
				{ 0x10, 0x02 },
				[](const RtpPacket& p)
				{
					REQUIRE(p.ReadVideoOrientation()->rotation == 180u);
				} },
			{ "toffset max positive",
				{ 0x12, 0x7f, 0xff, 0xff },
				[](const RtpPacket& p)
				{
					REQUIRE(p.ReadToffset() == 0x7fffff);
				} },
			{ "toffset min negative",
				{ 0x12, 0x80, 0x00, 0x00 },
				[](const RtpPacket& p)
				{
					REQUIRE(p.ReadToffset() == -0x800000);
				} },
			{ "playout delay max",
				{ 0x12, 0xff, 0xff, 0xff },
				[](const RtpPacket& p)
				{
					REQUIRE(p.ReadPlayoutDelay()->minDelayMs == 40950u);
					REQUIRE(p.ReadPlayoutDelay()->maxDelayMs == 40950u);
				} },
			{ "abs-send-time max",
				{ 0x12, 0xff, 0xff, 0xff },
				[](const RtpPacket& p)
				{
					REQUIRE(p.ReadAbsSendTime() == 0xffffffu);
				} },
			{ "abs-capture-time without clock offset",
				{ 0x17, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 },
				[](const RtpPacket& p)
				{
					REQUIRE(p.ReadAbsCaptureTime()->absoluteCaptureTimestamp == 0x0102030405060708u);
					REQUIRE_FALSE(p.ReadAbsCaptureTime()->estimatedCaptureClockOffset);
				} },
			{ "mid padded with zero bytes",
				{ 0x13, 0x61, 0x62, 0x00, 0x00 },
				[](const RtpPacket& p)
				{
					REQUIRE(p.ReadMid() == "ab");
				} },
			{ "mid starting with a zero byte",
				{ 0x11, 0x00, 0x61 },
				[](const RtpPacket& p)
				{
					REQUIRE_FALSE(p.ReadMid());
				} },
			{ "mid with a space",
				{ 0x12, 0x61, 0x20, 0x62 },
				[](const RtpPacket& p)
				{
					REQUIRE_FALSE(p.ReadMid());
				} },
			{ "mid with a control byte",
				{ 0x10, 0x07 },
				[](const RtpPacket& p)
				{
					REQUIRE_FALSE(p.ReadMid());
				} },
			{ "16-byte rid",
				{ 0x1f,
					0x61,
					0x62,
					0x63,
					0x64,
					0x65,
					0x66,
					0x67,
					0x68,
					0x69,
					0x6a,
					0x6b,
					0x6c,
					0x6d,
					0x6e,
					0x6f,
					0x70 },
				[](const RtpPacket& p)
				{
					REQUIRE(p.ReadRid() == "abcdefghijklmnop");
				} },
		};

		for (const auto& row : rows)
		{
			SECTION(row.name)
			{
				// Every reader looks at ID 1; the element is zero-padded to 4 bytes.
				Bytes bytes{
					0x90, 0x60, 0x00, 0x01, // V=2, X=1 | PT=96 | seq 1
					0x00, 0x00, 0x00, 0x00, // timestamp
					0x00, 0x00, 0x00, 0x01, // SSRC
					0xbe, 0xde, 0x00, 0x00, // one-byte form, length set below
				};

				bytes.insert(bytes.end(), row.element.begin(), row.element.end());

				while (bytes.size() % 4u != 0u)
				{
					bytes.push_back(0x00);
				}

				bytes[15] = static_cast<uint8_t>((bytes.size() - 16u) / 4u);

				auto packet = RtpPacket::Parse(bytes);

				REQUIRE(packet);

				const RTC::RtpHeaderExtensionIds ids{ .mid               = 1u,
																							.rid               = 1u,
																							.rrid              = 1u,
																							.absSendTime       = 1u,
																							.transportWideCc01 = 1u,
																							.ssrcAudioLevel    = 1u,
																							.videoOrientation  = 1u,
																							.toffset           = 1u,
																							.absCaptureTime    = 1u,
																							.playoutDelay      = 1u };

				packet->SetExtensionIds(ids);
				row.check(*packet);
			}
		}
	}
}

TEST_CASE("RtpPacket setters write in place", "[RtpPacket]")
{
	for (const Bytes* fixture : { &Minimal, &WithCsrcs, &OneByte, &TwoByte, &Padded, &ChromeVideo })
	{
		Bytes bytes = *fixture;
		auto packet = RtpPacket::Parse(bytes);

		REQUIRE(packet);

		const bool marker = packet->HasMarker();

		packet->SetPayloadType(0xff); // only 7 bits taken
		packet->SetSequenceNumber(0xabcdu);
		packet->SetTimestamp(0x01020304u);
		packet->SetSsrc(0xdeadbeefu);

		REQUIRE(packet->GetPayloadType() == 127u);
		REQUIRE(packet->HasMarker() == marker);

		packet->SetMarker(!marker);
		REQUIRE(packet->GetPayloadType() == 127u);

		// The bytes say the same once parsed again.
		const auto again = RtpPacket::Parse(bytes);

		REQUIRE(again);
		REQUIRE(again->GetPayloadType() == 127u);
		REQUIRE(again->HasMarker() == !marker);
		REQUIRE(ReadSeq(bytes) == 0xabcdu);
		REQUIRE(again->GetSequenceNumber() == 0xabcdu);
		REQUIRE(again->GetTimestamp() == 0x01020304u);
		REQUIRE(again->GetSsrc() == 0xdeadbeefu);

		// Nothing else moved.
		REQUIRE(bytes[0] == (*fixture)[0]);
		REQUIRE(Bytes(bytes.begin() + 12, bytes.end()) == Bytes(fixture->begin() + 12, fixture->end()));
	}
}

TEST_CASE("RtpPacket updates extension values in place", "[RtpPacket]")
{
	Bytes bytes = ChromeAudio;
	auto packet = RtpPacket::Parse(bytes);

	REQUIRE(packet);

	RTC::RtpHeaderExtensionIds ids;

	ids.absSendTime       = 2u;
	ids.transportWideCc01 = 3u;
	packet->SetExtensionIds(ids);

	REQUIRE(packet->UpdateAbsSendTime(0xfedcbau));
	REQUIRE(packet->UpdateTransportWideCc01(0xbeefu));
	REQUIRE(packet->ReadAbsSendTime() == 0xfedcbau);
	REQUIRE(packet->ReadTransportWideCc01() == 0xbeefu);

	const std::array<uint8_t, 1> level{ 0x05 };
	const std::array<uint8_t, 2> wrong{ 0x05, 0x06 };

	REQUIRE(packet->UpdateExtensionValue(1u, level));
	REQUIRE_FALSE(packet->UpdateExtensionValue(1u, wrong)); // length differs
	REQUIRE_FALSE(packet->UpdateExtensionValue(7u, level)); // absent
	REQUIRE_FALSE(packet->UpdateExtensionValue(0u, level));

	const Bytes expected{
		0x90, 0x6f, 0x00, 0x2a, // unchanged
		0x00, 0x00, 0x03, 0xc0, // unchanged
		0x11, 0x22, 0x33, 0x44, // unchanged
		0xbe, 0xde, 0x00, 0x03, // unchanged
		0x10, 0x05, 0x22, 0xfe, // ID 1: 05; ID 2...
		0xdc, 0xba, 0x31, 0xbe, // ...0xfedcba; ID 3...
		0xef, 0x40, 0x30, 0x00, // ...0xbeef; rest unchanged
		0xf8, 0xff, 0xfe,       // unchanged
	};

	REQUIRE(bytes == expected);

	// Not negotiated: nothing written.
	packet->SetExtensionIds({});
	REQUIRE_FALSE(packet->UpdateAbsSendTime(1u));
	REQUIRE_FALSE(packet->UpdateTransportWideCc01(1u));
	REQUIRE(bytes == expected);

	// The two-byte form's zero-length element takes an empty value.
	Bytes twoByte = TwoByte;
	auto other    = RtpPacket::Parse(twoByte);

	REQUIRE(other->UpdateExtensionValue(1u, {}));
	REQUIRE(twoByte == TwoByte);
}

TEST_CASE("RtpPacket::RemapExtensionIds", "[RtpPacket]")
{
	SECTION("one-byte form: rewrite, drop, translate the typed IDs")
	{
		Bytes bytes = ChromeAudio;
		auto packet = RtpPacket::Parse(bytes);

		REQUIRE(packet);

		RTC::RtpHeaderExtensionIds ids;

		ids.ssrcAudioLevel    = 1u;
		ids.absSendTime       = 2u;
		ids.transportWideCc01 = 3u;
		ids.mid               = 4u;
		packet->SetExtensionIds(ids);

		std::array<uint8_t, 256> map{};

		map[1] = 10u; // audio level -> 10
		map[2] = 0u;  // abs-send-time dropped
		map[3] = 14u; // transport-cc -> 14
		map[4] = 4u;  // mid stays

		REQUIRE(packet->RemapExtensionIds(map));

		const Bytes expected{
			0x90, 0x6f, 0x00, 0x2a, // unchanged
			0x00, 0x00, 0x03, 0xc0, // unchanged
			0x11, 0x22, 0x33, 0x44, // unchanged
			0xbe, 0xde, 0x00, 0x03, // unchanged
			0xa0, 0xaa, 0x00, 0x00, // ID 10: aa; abs-send-time turned into padding...
			0x00, 0x00, 0xe1, 0x01, // ...; ID 14...
			0x23, 0x40, 0x30, 0x00, // ...01 23; ID 4: "0"; padding
			0xf8, 0xff, 0xfe,       // unchanged
		};

		REQUIRE(bytes == expected);
		REQUIRE(packet->GetExtensions().size() == 3u);
		REQUIRE(packet->GetExtensionIds().ssrcAudioLevel == 10u);
		REQUIRE(packet->GetExtensionIds().absSendTime == 0u);
		REQUIRE(packet->GetExtensionIds().transportWideCc01 == 14u);
		REQUIRE(packet->ReadSsrcAudioLevel() == std::make_pair(uint8_t{ 42u }, true));
		REQUIRE_FALSE(packet->ReadAbsSendTime());
		REQUIRE(packet->ReadTransportWideCc01() == 0x0123u);
		REQUIRE(packet->ReadMid() == "0");

		// The bytes parse to the same elements.
		const auto again = RtpPacket::Parse(bytes);

		REQUIRE(again->GetExtensions().size() == 3u);
		REQUIRE(again->GetExtension(10u));
		REQUIRE(again->GetExtension(14u));
		REQUIRE(again->GetExtension(4u));
		REQUIRE_FALSE(again->GetExtension(2u));
	}

	SECTION("one-byte form: an ID over 14 fails and changes nothing")
	{
		Bytes bytes = ChromeAudio;
		auto packet = RtpPacket::Parse(bytes);
		auto map    = IdentityMap();

		map[4] = 15u;

		REQUIRE_FALSE(packet->RemapExtensionIds(map));
		REQUIRE(bytes == ChromeAudio);

		map[4] = 200u;

		REQUIRE_FALSE(packet->RemapExtensionIds(map));
		REQUIRE(bytes == ChromeAudio);
		REQUIRE(packet->GetExtension(4u));
	}

	SECTION("two-byte form: any ID fits")
	{
		Bytes bytes = TwoByte;
		auto packet = RtpPacket::Parse(bytes);
		auto map    = IdentityMap();

		map[1]   = 255u;
		map[15]  = 0u;
		map[200] = 2u;

		REQUIRE(packet->RemapExtensionIds(map));

		const Bytes expected{
			0x90, 0x60, 0x00, 0x07, // unchanged
			0x00, 0x00, 0x00, 0x00, // unchanged
			0xca, 0xfe, 0xba, 0xbe, // unchanged
			0x10, 0x05, 0x00, 0x03, // unchanged (app bits kept)
			0xff, 0x00, 0x00, 0x00, // ID 255, 0 bytes; padding; ID 15 dropped...
			0x00, 0x00, 0x00, 0x00, // ...into padding
			0x02, 0x01, 0x55, 0x00, // ID 2: 55; padding
			0x11,                   // unchanged
		};

		REQUIRE(bytes == expected);
		REQUIRE(packet->GetExtensions().size() == 2u);
		REQUIRE(packet->GetExtension(255u));
		REQUIRE(packet->GetExtension(255u)->empty());
		REQUIRE(*packet->GetExtension(2u)->begin() == 0x55u);
	}

	SECTION("what was ignored past ID 15 is blanked")
	{
		Bytes bytes = OneByteReservedId;
		auto packet = RtpPacket::Parse(bytes);

		REQUIRE(packet->RemapExtensionIds(IdentityMap()));
		REQUIRE(
			Bytes(bytes.begin() + 16, bytes.end()) ==
			Bytes{ 0x10, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 });
	}

	SECTION("no RFC 8285 block: nothing to do")
	{
		Bytes minimal = Minimal;
		Bytes other   = OtherProfile;
		std::array<uint8_t, 256> map{};

		REQUIRE(RtpPacket::Parse(minimal)->RemapExtensionIds(map));
		REQUIRE(RtpPacket::Parse(other)->RemapExtensionIds(map));
		REQUIRE(minimal == Minimal);
		REQUIRE(other == OtherProfile);
	}
}

TEST_CASE("RtpPacket RTX encode and decode", "[RtpPacket]")
{
	constexpr uint8_t RtxPayloadType{ 97u };
	constexpr uint32_t RtxSsrc{ 0x0badf00du };
	constexpr uint16_t RtxSeq{ 0x0102u };

	SECTION("round trips restore the original bytes")
	{
		for (const Bytes* fixture : { &Minimal,
																	&WithCsrcs,
																	&OneByte,
																	&TwoByte,
																	&Padded,
																	&ChromeAudio,
																	&ChromeVideo,
																	&TwoByteVideo })
		{
			Bytes bytes       = *fixture;
			const auto packet = RtpPacket::Parse(bytes);

			REQUIRE(packet);

			Bytes rtx(packet->GetRtxSize());
			size_t rtxLen{ 0u };

			REQUIRE_FALSE(packet->RtxEncode(
				std::span<uint8_t>(rtx.data(), rtx.size() - 1u), RtxPayloadType, RtxSsrc, RtxSeq, rtxLen));
			REQUIRE(rtxLen == 0u);
			REQUIRE(packet->RtxEncode(rtx, RtxPayloadType, RtxSsrc, RtxSeq, rtxLen));
			REQUIRE(rtxLen == rtx.size());

			// The RTX packet: new PT, seq and SSRC, OSN in front of the payload.
			Bytes rtxCopy        = rtx;
			const auto rtxPacket = RtpPacket::Parse(rtxCopy);

			REQUIRE(rtxPacket);
			REQUIRE(rtxPacket->GetPayloadType() == RtxPayloadType);
			REQUIRE(rtxPacket->HasMarker() == packet->HasMarker());
			REQUIRE(rtxPacket->GetSequenceNumber() == RtxSeq);
			REQUIRE(rtxPacket->GetSsrc() == RtxSsrc);
			REQUIRE(rtxPacket->GetTimestamp() == packet->GetTimestamp());
			REQUIRE_FALSE(rtxPacket->HasPadding());
			REQUIRE(rtxPacket->GetPayloadLength() == packet->GetPayloadLength() + 2u);
			REQUIRE(rtxPacket->GetPayload()[0] == (packet->GetSequenceNumber() >> 8));
			REQUIRE(rtxPacket->GetPayload()[1] == (packet->GetSequenceNumber() & 0xff));
			REQUIRE(rtxPacket->GetExtensions().size() == packet->GetExtensions().size());

			// Back.
			const auto decoded = RtpPacket::RtxDecode(rtx, packet->GetPayloadType(), packet->GetSsrc());

			REQUIRE(decoded);
			REQUIRE(decoded->GetData().data() == rtx.data() + 2);

			const Bytes restored(decoded->GetData().begin(), decoded->GetData().end());

			REQUIRE(restored == WithoutPadding(*fixture));
			REQUIRE(decoded->GetExtensions().size() == packet->GetExtensions().size());

			for (const auto& extension : packet->GetExtensions())
			{
				const auto value = decoded->GetExtension(extension.id);

				REQUIRE(value);
				REQUIRE(value->size() == extension.length);
			}
		}
	}

	SECTION("the original's padding is dropped")
	{
		Bytes bytes       = Padded;
		const auto packet = RtpPacket::Parse(bytes);
		Bytes rtx(64u);
		size_t rtxLen{ 0u };

		REQUIRE(packet->RtxEncode(rtx, RtxPayloadType, RtxSsrc, RtxSeq, rtxLen));

		const Bytes expected{
			0x80, 0x61, 0x01, 0x02, // V=2, P cleared | PT=97 | RTX seq 0x0102
			0x00, 0x00, 0x00, 0x14, // timestamp 20 (unchanged)
			0x0b, 0xad, 0xf0, 0x0d, // RTX SSRC
			0x00, 0x02,             // OSN 2
			0x99, 0x88,             // payload
		};

		REQUIRE(Bytes(rtx.begin(), rtx.begin() + static_cast<std::ptrdiff_t>(rtxLen)) == expected);
	}

	SECTION("encoding into the packet's own buffer")
	{
		Bytes bytes = OneByte;

		bytes.resize(OneByte.size() + 2u);

		const auto packet = RtpPacket::Parse(std::span<uint8_t>(bytes.data(), OneByte.size()));
		size_t rtxLen{ 0u };

		REQUIRE(packet->RtxEncode(bytes, RtxPayloadType, RtxSsrc, RtxSeq, rtxLen));
		REQUIRE(rtxLen == bytes.size());

		const auto decoded = RtpPacket::RtxDecode(bytes, 111u, 0x01020304u);

		REQUIRE(decoded);
		REQUIRE(Bytes(decoded->GetData().begin(), decoded->GetData().end()) == OneByte);
	}

	SECTION("an RTX packet's own padding is kept")
	{
		const std::array<uint8_t, 4> osnAndPayload{ 0x12, 0x34, 0xaa, 0xbb };
		RtpPacket::Writer writer(RtxPayloadType, RtxSeq, 1000u, RtxSsrc);

		writer.SetPayload(osnAndPayload);
		writer.SetPaddingLength(3u);

		Bytes rtx(writer.GetSize());

		REQUIRE(writer.Serialize(rtx) == rtx.size());

		const auto decoded = RtpPacket::RtxDecode(rtx, 96u, 0x12345678u);

		REQUIRE(decoded);

		const Bytes expected{
			0xa0, 0x60, 0x12, 0x34, // V=2, P=1 | PT=96 | seq 0x1234 (the OSN)
			0x00, 0x00, 0x03, 0xe8, // timestamp 1000
			0x12, 0x34, 0x56, 0x78, // original SSRC
			0xaa, 0xbb,             // payload
			0x00, 0x00, 0x03,       // padding, count 3
		};

		REQUIRE(Bytes(decoded->GetData().begin(), decoded->GetData().end()) == expected);
		REQUIRE(decoded->GetPayloadLength() == 2u);
		REQUIRE(decoded->GetPaddingLength() == 3u);
	}

	SECTION("no OSN: nothing decoded, nothing touched")
	{
		for (const Bytes* fixture : { &Minimal, &PaddingOnly })
		{
			Bytes bytes = *fixture;

			REQUIRE_FALSE(RtpPacket::RtxDecode(bytes, 96u, 1u));
			REQUIRE(bytes == *fixture);
		}

		// One payload byte.
		Bytes oneByte{
			0x80, 0x61, 0x00, 0x01, // V=2 | PT=97 | seq 1
			0x00, 0x00, 0x00, 0x00, // timestamp
			0x00, 0x00, 0x00, 0x01, // SSRC
			0x12,                   // half an OSN
		};
		const Bytes copy = oneByte;

		REQUIRE_FALSE(RtpPacket::RtxDecode(oneByte, 96u, 1u));
		REQUIRE(oneByte == copy);

		Bytes garbage{ 0x00, 0x01, 0x02 };

		REQUIRE_FALSE(RtpPacket::RtxDecode(garbage, 96u, 1u));
	}
}

TEST_CASE("RtpPacket::Writer", "[RtpPacket]")
{
	SECTION("reproduces the one-byte audio fixture")
	{
		const std::array<uint8_t, 1> level{ 0xaa };
		const std::array<uint8_t, 3> absSendTime{ 0x12, 0x34, 0x56 };
		const std::array<uint8_t, 2> transportCc{ 0x01, 0x23 };
		const std::array<uint8_t, 1> mid{ '0' };
		const std::array<uint8_t, 3> payload{ 0xf8, 0xff, 0xfe };
		RtpPacket::Writer writer(111u, 42u, 960u, 0x11223344u);

		REQUIRE(writer.AddExtension(1u, level));
		REQUIRE(writer.AddExtension(2u, absSendTime));
		REQUIRE(writer.AddExtension(3u, transportCc));
		REQUIRE(writer.AddExtension(4u, mid));
		writer.SetPayload(payload);

		REQUIRE(writer.GetExtensionForm() == RtpPacket::ExtensionForm::ONE_BYTE);
		REQUIRE(writer.GetSize() == ChromeAudio.size());

		Bytes out(writer.GetSize());

		REQUIRE(writer.Serialize(std::span<uint8_t>(out.data(), out.size() - 1u)) == 0u);
		REQUIRE(writer.Serialize(out) == out.size());
		REQUIRE(out == ChromeAudio);
	}

	SECTION("reproduces the two-byte fixture")
	{
		const std::array<uint8_t, 3> value15{ 0xaa, 0xbb, 0xcc };
		const std::array<uint8_t, 1> value200{ 0x55 };
		const std::array<uint8_t, 1> payload{ 0x11 };
		RtpPacket::Writer writer(96u, 7u, 0u, 0xcafebabeu);

		// Laid out without the padding byte the fixture has between elements.
		REQUIRE(writer.AddExtension(1u, {}));
		REQUIRE(writer.AddExtension(15u, value15));
		REQUIRE(writer.AddExtension(200u, value200));
		writer.SetTwoByteAppBits(5u);
		writer.SetPayload(payload);

		REQUIRE(writer.GetExtensionForm() == RtpPacket::ExtensionForm::TWO_BYTE);

		Bytes out(writer.GetSize());

		REQUIRE(writer.Serialize(out) == out.size());

		const Bytes expected{
			0x90, 0x60, 0x00, 0x07, // V=2, X=1 | PT=96 | seq 7
			0x00, 0x00, 0x00, 0x00, // timestamp 0
			0xca, 0xfe, 0xba, 0xbe, // SSRC
			0x10, 0x05, 0x00, 0x03, // two-byte form (app bits 5), 3 words
			0x01, 0x00, 0x0f, 0x03, // ID 1, 0 bytes; ID 15, 3 bytes...
			0xaa, 0xbb, 0xcc, 0xc8, // ...aa bb cc; ID 200...
			0x01, 0x55, 0x00, 0x00, // ...1 byte: 55; padding
			0x11,                   // payload
		};

		REQUIRE(out == expected);
		Validate(
			out,
			{ false,
				96u,
				7u,
				0u,
				0xcafebabeu,
				{},
				28u,
				{ 0x11 },
				0u,
				Form::TWO_BYTE,
				0x1005u,
				{ { 1u, {} }, { 15u, { 0xaa, 0xbb, 0xcc } }, { 200u, { 0x55 } } } });
	}

	SECTION("form choice")
	{
		const std::array<uint8_t, 1> one{ 0x01 };
		const std::array<uint8_t, 16> sixteen{};
		const std::array<uint8_t, 17> seventeen{};

		RtpPacket::Writer none(96u, 1u, 1u, 1u);

		REQUIRE(none.GetExtensionForm() == RtpPacket::ExtensionForm::NONE);

		RtpPacket::Writer sixteenBytes(96u, 1u, 1u, 1u);

		sixteenBytes.AddExtension(14u, sixteen);
		REQUIRE(sixteenBytes.GetExtensionForm() == RtpPacket::ExtensionForm::ONE_BYTE);
		sixteenBytes.SetForceTwoByteExtensions(true);
		REQUIRE(sixteenBytes.GetExtensionForm() == RtpPacket::ExtensionForm::TWO_BYTE);

		RtpPacket::Writer seventeenBytes(96u, 1u, 1u, 1u);

		seventeenBytes.AddExtension(1u, seventeen);
		REQUIRE(seventeenBytes.GetExtensionForm() == RtpPacket::ExtensionForm::TWO_BYTE);

		RtpPacket::Writer id15(96u, 1u, 1u, 1u);

		id15.AddExtension(15u, one);
		REQUIRE(id15.GetExtensionForm() == RtpPacket::ExtensionForm::TWO_BYTE);

		RtpPacket::Writer empty(96u, 1u, 1u, 1u);

		empty.AddExtension(1u, {});
		REQUIRE(empty.GetExtensionForm() == RtpPacket::ExtensionForm::TWO_BYTE);
	}

	SECTION("caps")
	{
		const std::array<uint8_t, 1> one{ 0x01 };
		const std::array<uint8_t, 256> tooLong{};
		RtpPacket::Writer writer(96u, 1u, 1u, 1u);

		for (uint32_t i = 0u; i < RtpPacket::MaxCsrcs; ++i)
		{
			REQUIRE(writer.AddCsrc(i));
		}

		REQUIRE_FALSE(writer.AddCsrc(99u));
		REQUIRE_FALSE(writer.AddExtension(0u, one));
		REQUIRE_FALSE(writer.AddExtension(1u, tooLong));

		for (uint8_t id = 1u; id <= RtpPacket::MaxExtensions; ++id)
		{
			REQUIRE(writer.AddExtension(id, one));
		}

		REQUIRE_FALSE(writer.AddExtension(100u, one));

		Bytes out(writer.GetSize());

		REQUIRE(writer.Serialize(out) == out.size());

		const auto packet = RtpPacket::Parse(out);

		REQUIRE(packet);
		REQUIRE(packet->GetCsrcCount() == 15u);
		REQUIRE(packet->GetCsrc(14u) == 14u);
		REQUIRE(packet->GetExtensions().size() == RtpPacket::MaxExtensions);
	}
}

TEST_CASE("RtpPacket::CopyTo", "[RtpPacket]")
{
	Bytes bytes = ChromeVideo;
	auto packet = RtpPacket::Parse(bytes);

	RTC::RtpHeaderExtensionIds ids;

	ids.rid = 10u;
	packet->SetExtensionIds(ids);

	Bytes small(bytes.size() - 1u);

	REQUIRE_FALSE(packet->CopyTo(small));

	Bytes large(1500u);
	auto copy = packet->CopyTo(large);

	REQUIRE(copy);
	REQUIRE(copy->GetData().data() == large.data());
	REQUIRE(copy->GetSize() == bytes.size());
	REQUIRE(copy->ReadRid() == "r1");

	// Independent bytes.
	copy->SetSequenceNumber(1u);
	REQUIRE(packet->GetSequenceNumber() == 8000u);
	REQUIRE(copy->GetSequenceNumber() == 1u);
}
