#include "common.hpp"

#include "RTC/Codecs/Opus.hpp"

#include <catch2/catch.hpp>

#include <vector>

using RTC::Codecs::Opus;
using RTC::Codecs::OpusPacketInfo;

namespace
{
	using Bytes = std::vector<uint8_t>;
	using Mode  = OpusPacketInfo::Mode;
	using Bw    = OpusPacketInfo::Bandwidth;

	// Packets from libopus 1.3.1, mono at 48 kHz, 20 ms frames unless said
	// otherwise: a 440 Hz tone, then digital silence with DTX on
	// (OPUS_APPLICATION_VOIP, 32 kbit/s).

	// Speech-like frame: Hybrid super-wideband.
	const Bytes HybridFrame{
		0x68,                                           // TOC: config 13 (Hybrid SWB 20 ms), s=0, c=0
		0x28, 0xc0, 0xc1, 0x59, 0x41, 0xfc, 0x55, 0xd1, // }
		0xbc, 0xe9, 0x87, 0x3a, 0x63, 0xbb, 0xba, 0x1c, // }
		0x94, 0xe1, 0xf9, 0x40, 0x56, 0xe5, 0x57, 0xdf, // }
		0x24, 0xf3, 0x70, 0x39, 0xd1, 0x95, 0xb1, 0x12, // }  one 44-byte frame
		0x51, 0xa4, 0xd0, 0x55, 0x4d, 0x51, 0xf8, 0x4e, // }
		0xf8, 0x3e, 0xf0, 0x80,                         // }
	};

	// First frames of silence: a real (tiny) CELT frame.
	const Bytes CeltSilence{
		0xd8, // TOC: config 27 (CELT SWB 20 ms), s=0, c=0
		0xff, // }  a 2-byte CELT frame of silence
		0xfe, // }
	};

	// Then DTX: the TOC byte alone, every 20 ms... as long as the encoder
	// is asked for frames (it is the sender that stops sending them).
	const Bytes Dtx{
		0xd8, // TOC: config 27 (CELT SWB 20 ms), s=0, c=0, and a 0-byte frame
	};

	// 60 ms in CELT-only mode (OPUS_APPLICATION_RESTRICTED_LOWDELAY,
	// 24 kbit/s): code 3, three 20 ms frames.
	const Bytes Celt60msVbr{
		0xfb,       // TOC: config 31 (CELT FB 20 ms), s=0, c=3
		0x83,       // v=1 (VBR), p=0, M=3
		0x76, 0x3e, // frame lengths 118 and 62 (the last: the rest, 60)
		0xb4, 0xf0, 0x04, 0xd6, 0xea, 0xd2, 0xcd, 0xa2, // }
		0x57, 0xa7, 0xa0, 0xb2, 0xa2, 0x89, 0x6c, 0xdb, // }
		0x7c, 0x93, 0x3f, 0x09, 0x01, 0x61, 0x2a, 0x04, // }
		0xbb, 0xec, 0xf0, 0x38, 0x26, 0x92, 0xf3, 0x03, // }
		0xf2, 0xc1, 0x9e, 0xcd, 0xbd, 0x87, 0x47, 0xee, // }
		0x93, 0x26, 0xde, 0xaa, 0x87, 0xc2, 0x1e, 0x32, // }
		0xdb, 0x08, 0xce, 0x19, 0xea, 0xc3, 0xe3, 0xbc, // }
		0x65, 0xc8, 0x2a, 0xfe, 0xb0, 0x4e, 0x02, 0x82, // }
		0x76, 0x62, 0x0e, 0x50, 0xa4, 0x0a, 0x23, 0x60, // }
		0xf6, 0xae, 0xc5, 0xbc, 0x03, 0x8c, 0x6c, 0x04, // }
		0x4c, 0xba, 0x47, 0xf6, 0x76, 0x00, 0xfa, 0xba, // }
		0x54, 0x40, 0x81, 0xec, 0xe5, 0x0c, 0xf7, 0xf8, // }
		0x3d, 0x13, 0xac, 0x32, 0xaa, 0x2d, 0x0e, 0x03, // }
		0xb8, 0xf1, 0x9b, 0x77, 0xf3, 0x35, 0x3e, 0x11, // }
		0x55, 0xb2, 0xe8, 0x89, 0x25, 0x6c, 0xb1, 0xa1, // }
		0xa1, 0xb5, 0x7b, 0x98, 0xe4, 0xda, 0x9f, 0x70, // }  three frames
		0x4a, 0x4e, 0x1d, 0xf9, 0x22, 0x19, 0x4f, 0xf8, // }
		0x7a, 0xd3, 0x59, 0x95, 0xac, 0x91, 0x28, 0x05, // }
		0xc8, 0x5a, 0x18, 0x0f, 0x55, 0x17, 0x7f, 0x62, // }
		0xea, 0xa6, 0xfe, 0x50, 0x4e, 0xe5, 0xc6, 0x25, // }
		0x85, 0x47, 0xd1, 0x22, 0x6b, 0xf2, 0xeb, 0xb9, // }
		0x37, 0xb5, 0x3c, 0x7f, 0x6d, 0x00, 0x4c, 0xd5, // }
		0xac, 0x54, 0xb7, 0xae, 0xad, 0x80, 0x76, 0x8b, // }
		0x19, 0xa9, 0xc7, 0x83, 0xe9, 0x7a, 0x5f, 0x82, // }
		0x61, 0x33, 0x8a, 0x51, 0x00, 0xd2, 0x85, 0xca, // }
		0x1e, 0xa3, 0x99, 0x7e, 0x66, 0x87, 0x8f, 0x02, // }
		0xce, 0x9c, 0xfc, 0x7e, 0xdd, 0xa0, 0xef, 0x41, // }
		0xee, 0x95, 0x62, 0x73, 0x1f, 0x55, 0xb4, 0x6d, // }
		0x97, 0x85, 0x7f, 0xc4, 0x39, 0xfe, 0x84, 0x3a, // }
		0xfb, 0xcd, 0x3a, 0x6c, 0x28, 0x60, 0x13, 0xae, // }
	};

	// The same in CBR: three 58-byte frames and 3 bytes of padding.
	const Bytes Celt60msCbr{
		0xfb,                                           // TOC: config 31 (CELT FB 20 ms), s=0, c=3
		0x43,                                           // v=0 (CBR), p=1, M=3
		0x03,                                           // 3 bytes of padding at the end
		0xb4, 0xf0, 0x04, 0xd6, 0xea, 0xd2, 0xcd, 0xa2, // }
		0x57, 0xa7, 0xa0, 0xb2, 0xd2, 0x7d, 0xbe, 0x1e, // }
		0x4c, 0xd9, 0xbb, 0xba, 0x74, 0xa9, 0x38, 0xba, // }
		0xcb, 0x81, 0x68, 0x27, 0xeb, 0x37, 0x2b, 0x4d, // }
		0xf0, 0xbd, 0xd7, 0x6d, 0x48, 0x27, 0xe8, 0x8a, // }
		0x37, 0x44, 0x0b, 0x79, 0xf9, 0x19, 0xc9, 0x04, // }
		0xee, 0xdd, 0xd3, 0x77, 0x11, 0x1f, 0x56, 0x90, // }
		0x53, 0x6c, 0xb1, 0xa1, 0xa1, 0xb5, 0x7b, 0x61, // }
		0xd0, 0xc6, 0x0b, 0xb6, 0xd4, 0x8f, 0xdf, 0x7e, // }
		0x91, 0x3b, 0x2c, 0xc9, 0xf5, 0x04, 0x16, 0x85, // }
		0xbd, 0xf7, 0xc0, 0xda, 0xa9, 0x25, 0x36, 0x8b, // }
		0x7b, 0x3c, 0xe5, 0x77, 0x10, 0x92, 0xeb, 0xb4, // }  three 58-byte frames
		0xce, 0xfc, 0x3e, 0x84, 0x59, 0x0d, 0x91, 0x51, // }
		0x64, 0x5a, 0x5a, 0xde, 0xdd, 0x94, 0xd0, 0x65, // }
		0xcc, 0x54, 0xd5, 0xae, 0xad, 0x80, 0x76, 0x8b, // }
		0x1b, 0x89, 0x05, 0xe6, 0x18, 0xc1, 0xbf, 0x23, // }
		0x55, 0x98, 0x0e, 0x3b, 0x7e, 0x15, 0x85, 0x8b, // }
		0xd2, 0xa8, 0x06, 0x22, 0xe3, 0x18, 0x97, 0x46, // }
		0xe1, 0xd7, 0x95, 0xe3, 0xe0, 0x1d, 0x07, 0xba, // }
		0x55, 0x89, 0xcc, 0x33, 0xb6, 0xd7, 0x33, 0x54, // }
		0xd1, 0xcb, 0x8c, 0x8b, 0xba, 0xc3, 0xec, 0xfb, // }
		0x28, 0x34, 0x28, 0x60, 0x13, 0xae,             // }
		0x00, 0x00, 0x00,                               // padding
	};

	Bytes Prefix(const Bytes& bytes, size_t size)
	{
		return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
	}

	Bytes Filled(std::initializer_list<uint8_t> head, size_t size)
	{
		Bytes bytes(head);

		bytes.resize(size, 0x55);

		return bytes;
	}
} // namespace

SCENARIO("Opus::IsDtx(): 1 or 2 bytes", "[Codecs][Opus]")
{
	CHECK(Opus::IsDtx(Dtx));
	CHECK(Opus::IsDtx(Bytes{ 0x68, 0x00 }));
	CHECK(!Opus::IsDtx(CeltSilence));
	CHECK(!Opus::IsDtx(HybridFrame));
	CHECK(!Opus::IsDtx(Bytes{}));
}

SCENARIO("Opus::Parse() reads the frame layout (RFC 6716 3.2)", "[Codecs][Opus]")
{
	struct Row
	{
		const char* name;
		Bytes payload;
		uint8_t code;
		std::vector<uint16_t> frameSizes;
		uint32_t samples;
	};

	const std::vector<Row> rows{
		{ "libopus Hybrid SWB frame", HybridFrame, 0, { 44 }, 960 },
		{ "libopus CELT silence", CeltSilence, 0, { 2 }, 960 },
		{ "libopus DTX", Dtx, 0, { 0 }, 960 },
		{ "libopus 60 ms CELT VBR", Celt60msVbr, 3, { 118, 62, 60 }, 2880 },
		{ "libopus 60 ms CELT CBR with padding", Celt60msCbr, 3, { 58, 58, 58 }, 2880 },
		{ "SILK NB 10 ms", { 0x00, 0x01 }, 0, { 1 }, 480 },
		{ "SILK MB 40 ms, code 2", { 0x32, 0x01, 0xaa }, 2, { 1, 0 }, 3840 },
		{ "Hybrid FB 10 ms, empty frame", { 0x70 }, 0, { 0 }, 480 },
		{ "CELT NB 2.5 ms", { 0x80 }, 0, { 0 }, 120 },
		{ "CELT WB 5 ms, code 1 with empty frames", { 0xa9 }, 1, { 0, 0 }, 480 },
		{ "code 1: two equal frames", { 0xf9, 0x01, 0x02, 0x03, 0x04 }, 1, { 2, 2 }, 1920 },
		{ "code 2: 1-byte length", { 0xfa, 0x02, 0x01, 0x02, 0x03 }, 2, { 2, 1 }, 1920 },
		{ "code 2: 2-byte length (4 * 1 + 252)",
			Filled({ 0xfa, 0xfc, 0x01 }, 3u + 256u + 5u),
			2,
			{ 256, 5 },
			1920 },
		{ "code 2: 0-byte first frame", { 0xfa, 0x00, 0x01 }, 2, { 0, 1 }, 1920 },
		{ "code 3: 48 frames of 2.5 ms", { 0x83, 0x30 }, 3, std::vector<uint16_t>(48, 0), 5760 },
		{ "code 3: padding of 254 + 1 bytes",
			Filled({ 0xfb, 0x41, 0xff, 0x01, 0x07 }, 5u + 255u),
			3,
			{ 1 },
			960 },
		{ "code 3: 1275-byte frame", Filled({ 0xfb, 0x01 }, 2u + 1275u), 3, { 1275 }, 960 },
		{ "code 0: 1275-byte frame", Filled({ 0xf8 }, 1u + 1275u), 0, { 1275 }, 960 },
	};

	for (const auto& row : rows)
	{
		DYNAMIC_SECTION(row.name)
		{
			const auto info = Opus::Parse(row.payload);

			REQUIRE(info);
			CHECK(info->config == row.payload[0] >> 3);
			CHECK(info->code == row.code);
			CHECK(info->samples == row.samples);
			REQUIRE(info->frameCount == row.frameSizes.size());

			for (size_t i = 0u; i < row.frameSizes.size(); ++i)
			{
				CHECK(info->frameSizes[i] == row.frameSizes[i]);
			}
		}
	}
}

SCENARIO("Opus TOC byte: mode, bandwidth, stereo (RFC 6716 3.1)", "[Codecs][Opus]")
{
	const std::vector<Mode> modes{
		Mode::SILK,   Mode::SILK,   Mode::SILK, Mode::SILK, Mode::SILK, Mode::SILK,   Mode::SILK,
		Mode::SILK,   Mode::SILK,   Mode::SILK, Mode::SILK, Mode::SILK, Mode::HYBRID, Mode::HYBRID,
		Mode::HYBRID, Mode::HYBRID, Mode::CELT, Mode::CELT, Mode::CELT, Mode::CELT,   Mode::CELT,
		Mode::CELT,   Mode::CELT,   Mode::CELT, Mode::CELT, Mode::CELT, Mode::CELT,   Mode::CELT,
		Mode::CELT,   Mode::CELT,   Mode::CELT, Mode::CELT,
	};
	const std::vector<Bw> bandwidths{
		Bw::NARROWBAND,    Bw::NARROWBAND,    Bw::NARROWBAND,    Bw::NARROWBAND,    Bw::MEDIUMBAND,
		Bw::MEDIUMBAND,    Bw::MEDIUMBAND,    Bw::MEDIUMBAND,    Bw::WIDEBAND,      Bw::WIDEBAND,
		Bw::WIDEBAND,      Bw::WIDEBAND,      Bw::SUPERWIDEBAND, Bw::SUPERWIDEBAND, Bw::FULLBAND,
		Bw::FULLBAND,      Bw::NARROWBAND,    Bw::NARROWBAND,    Bw::NARROWBAND,    Bw::NARROWBAND,
		Bw::WIDEBAND,      Bw::WIDEBAND,      Bw::WIDEBAND,      Bw::WIDEBAND,      Bw::SUPERWIDEBAND,
		Bw::SUPERWIDEBAND, Bw::SUPERWIDEBAND, Bw::SUPERWIDEBAND, Bw::FULLBAND,      Bw::FULLBAND,
		Bw::FULLBAND,      Bw::FULLBAND,
	};

	for (uint8_t config = 0u; config < 32u; ++config)
	{
		for (const uint8_t stereo : { 0x00, 0x04 })
		{
			const Bytes payload{ static_cast<uint8_t>((config << 3) | stereo), 0x01 };
			const auto info = Opus::Parse(payload);

			INFO("config " << static_cast<int>(config));
			REQUIRE(info);
			REQUIRE(info->config == config);
			REQUIRE(info->mode == modes[config]);
			REQUIRE(info->bandwidth == bandwidths[config]);
			REQUIRE(info->stereo == (stereo != 0u));
		}
	}
}

SCENARIO("Opus::Parse() refuses what RFC 6716 3.4 (R1-R7) forbids", "[Codecs][Opus]")
{
	struct Row
	{
		const char* name;
		Bytes payload;
	};

	const std::vector<Row> rows{
		{ "empty", {} },
		{ "code 0: 1276-byte frame", Filled({ 0xf8 }, 1u + 1276u) },
		{ "code 1: odd length", { 0xf9, 0x01, 0x02, 0x03 } },
		{ "code 1: 1276-byte frames", Filled({ 0xf9 }, 1u + 2u * 1276u) },
		{ "code 2: no length", { 0xfa } },
		{ "code 2: 2-byte length cut", { 0xfa, 0xfc } },
		{ "code 2: first frame overflowing", { 0xfa, 0x03, 0x01, 0x02 } },
		{ "code 2: second frame of 1276 bytes", Filled({ 0xfa, 0x00 }, 2u + 1276u) },
		{ "code 3: no frame count", { 0xfb } },
		{ "code 3: M=0", { 0xfb, 0x00 } },
		{ "code 3: 3 x 60 ms", { 0x1b, 0x03 } },
		{ "code 3: 49 x 2.5 ms", { 0x83, 0x31 } },
		{ "code 3: padding length missing", { 0xfb, 0x41 } },
		{ "code 3: padding chain cut", { 0xfb, 0x41, 0xff } },
		{ "code 3: padding overflowing", { 0xfb, 0x41, 0x05, 0x00 } },
		{ "code 3: CBR bytes not a multiple of M", { 0xfb, 0x02, 0x01, 0x02, 0x03 } },
		{ "code 3: CBR frames over 1275", Filled({ 0xfb, 0x01 }, 2u + 1276u) },
		{ "code 3: VBR length missing", { 0xfb, 0x82 } },
		{ "code 3: VBR frames overflowing", { 0xfb, 0x82, 0x05, 0x01 } },
		{ "code 3: VBR lengths in the padding", { 0xfb, 0xc2, 0x01, 0x01 } },
		{ "code 3: VBR last frame over 1275", Filled({ 0xfb, 0x82, 0x00 }, 3u + 1276u) },
	};

	for (const auto& row : rows)
	{
		INFO(row.name);
		REQUIRE(!Opus::Parse(row.payload));
	}
}

SCENARIO("Opus::Parse() on every truncation of real packets", "[Codecs][Opus]")
{
	SECTION("code 0: any non-empty prefix is one shorter frame")
	{
		for (size_t size = 0u; size <= HybridFrame.size(); ++size)
		{
			const auto info = Opus::Parse(Prefix(HybridFrame, size));

			INFO("size " << size);
			REQUIRE(info.has_value() == (size >= 1u));
		}
	}

	SECTION("code 3 VBR: the coded lengths must fit")
	{
		// TOC, count, two lengths, 118 + 62 bytes: from there the last frame
		// is just shorter.
		for (size_t size = 0u; size <= Celt60msVbr.size(); ++size)
		{
			const auto info = Opus::Parse(Prefix(Celt60msVbr, size));

			INFO("size " << size);
			REQUIRE(info.has_value() == (size >= 4u + 118u + 62u));
		}
	}

	SECTION("code 3 CBR with padding: never crashes, never claims more than there is")
	{
		for (size_t size = 0u; size <= Celt60msCbr.size(); ++size)
		{
			const auto info = Opus::Parse(Prefix(Celt60msCbr, size));

			INFO("size " << size);

			if (info)
			{
				REQUIRE(3u + info->paddingSize + 3u * info->frameSizes[0] == size);
			}
		}
	}
}

SCENARIO("Opus::GetSamplesPerFrame() follows RFC 6716 Table 2", "[Codecs][Opus]")
{
	const std::vector<uint32_t> expected{
		480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,                     // SILK
		480, 960, 480,  960,                                                                  // Hybrid
		120, 240, 480,  960,  120, 240, 480,  960,  120, 240, 480,  960,  120, 240, 480, 960, // CELT
	};

	for (uint8_t config = 0u; config < 32u; ++config)
	{
		INFO("config " << static_cast<int>(config));
		REQUIRE(Opus::GetSamplesPerFrame(static_cast<uint8_t>(config << 3)) == expected[config]);
	}
}
