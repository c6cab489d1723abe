#ifndef MS_TEST_RTC_RTCP_RTCP_TEST_HELPERS_HPP
#define MS_TEST_RTC_RTCP_RTCP_TEST_HELPERS_HPP

// Helpers and hex fixtures shared by the RTCP tests. The fixtures are shaped
// as Chrome (libwebrtc) sends them; SSRCs, sequence numbers and times are
// made up.

#include "common.hpp"

#include "RTC/RTCP/Packet.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace RtcpTest
{
	// Bytes from hex digits; anything else (spaces) is skipped.
	inline std::vector<uint8_t> Hex(std::string_view hex)
	{
		std::vector<uint8_t> bytes;
		int high{ -1 };

		for (const char c : hex)
		{
			int value;

			if (c >= '0' && c <= '9')
			{
				value = c - '0';
			}
			else if (c >= 'a' && c <= 'f')
			{
				value = c - 'a' + 10;
			}
			else if (c >= 'A' && c <= 'F')
			{
				value = c - 'A' + 10;
			}
			else
			{
				continue;
			}

			if (high < 0)
			{
				high = value;
			}
			else
			{
				bytes.push_back(static_cast<uint8_t>((high << 4) | value));
				high = -1;
			}
		}

		if (high >= 0)
		{
			throw std::invalid_argument("odd number of hex digits");
		}

		return bytes;
	}

	inline std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts)
	{
		std::vector<uint8_t> bytes;

		for (const auto& part : parts)
		{
			bytes.insert(bytes.end(), part.begin(), part.end());
		}

		return bytes;
	}

	// Writes `packet`, checking on the way that a buffer one byte short gets
	// nothing written and that nothing is written past GetSize().
	template <RTC::RTCP::Packet T>
	std::vector<uint8_t> Serialize(const T& packet)
	{
		constexpr uint8_t Canary{ 0xEE };
		const size_t size = packet.GetSize();

		REQUIRE(size > 0u);
		REQUIRE(size % 4u == 0u);

		std::vector<uint8_t> out(size + 8u, Canary);

		REQUIRE(packet.Serialize(std::span<uint8_t>(out.data(), size - 1u)) == 0u);
		REQUIRE(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == Canary; }));
		REQUIRE(packet.Serialize(out) == size);
		REQUIRE(std::all_of(out.begin() + size, out.end(), [](uint8_t b) { return b == Canary; }));

		out.resize(size);

		return out;
	}

	// Parses `bytes` as one T, writes it back and checks the bytes are the
	// same. The packet returned may view `bytes`.
	template <RTC::RTCP::Packet T>
	T RoundTrip(const std::vector<uint8_t>& bytes)
	{
		const auto packet = T::Parse(bytes);

		REQUIRE(packet.has_value());

		const auto written = Serialize(*packet);

		REQUIRE(written == bytes);

		return *packet;
	}

	// Every shorter prefix, copied into a buffer of its exact size (so that
	// ASan sees any read past it), must fail to parse as T.
	template <RTC::RTCP::Packet T>
	void CheckTruncations(const std::vector<uint8_t>& bytes)
	{
		for (size_t length = 0u; length < bytes.size(); ++length)
		{
			INFO("truncated to " << length << " of " << bytes.size() << " bytes");

			const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + length);

			CHECK_FALSE(T::Parse(prefix).has_value());
		}
	}

	/* Fixtures. */

	// Receiver report with one block, as Chrome sends for a received stream.
	inline std::vector<uint8_t> ChromeReceiverReport()
	{
		return Hex("81 c9 00 07" // V=2 P=0 RC=1, PT=201 (RR), length=7 (32 bytes)
							 "fa 17 fa 17" // SSRC of packet sender
							 "2d 9f 15 2c" // block 1: SSRC of source
							 "0a 00 00 2a" //   fraction lost 10/256, cumulative lost 42
							 "00 01 4a 2b" //   extended highest sequence number 84523 (1 cycle)
							 "00 00 00 1d" //   interarrival jitter 29
							 "c2 a4 b1 40" //   LSR
							 "00 00 3a 14" //   DLSR 0x3a14 / 65536 s
		);
	}

	// SDES with one chunk holding a CNAME, as Chrome sends it.
	inline std::vector<uint8_t> ChromeSdes()
	{
		return Hex("81 ca 00 06" // V=2 P=0 SC=1, PT=202 (SDES), length=6 (28 bytes)
							 "fa 17 fa 17" // chunk 1: SSRC
							 "01 10"       //   CNAME, length 16
							 "57 76 34 6a" //   "Wv4j"
							 "74 42 39 6d" //   "tB9m"
							 "70 62 55 47" //   "pbUG"
							 "4c 5a 76 6b" //   "LZvk"
							 "00 00"       //   end of items, pad to 32 bits
		);
	}

	// REMB for two video SSRCs at 3320256 bps.
	inline std::vector<uint8_t> ChromeRemb()
	{
		return Hex("8f ce 00 06" // V=2 P=0 FMT=15 (AFB), PT=206 (PSFB), length=6 (28 bytes)
							 "fa 17 fa 17" // SSRC of packet sender
							 "00 00 00 00" // SSRC of media source (unused, 0)
							 "52 45 4d 42" // "REMB"
							 "02 13 2a 9c" // num SSRC=2, BR exp=4, BR mantissa=0x32a9c (207516 << 4 bps)
							 "2d 9f 15 2c" // SSRC feedback 1
							 "1b 4c 7e 20" // SSRC feedback 2
		);
	}

	// RR + SDES + REMB: the compound packet Chrome sends as a receiver.
	inline std::vector<uint8_t> ChromeCompound()
	{
		return Concat({ ChromeReceiverReport(), ChromeSdes(), ChromeRemb() });
	}

	// Transport-cc feedback for 7 packets, padded with the P bit as libwebrtc
	// does.
	inline std::vector<uint8_t> ChromeTransportWideCc()
	{
		return Hex("af cd 00 07" // V=2 P=1 FMT=15, PT=205 (RTPFB), length=7 (32 bytes)
							 "fa 17 fa 17" // SSRC of packet sender
							 "2d 9f 15 2c" // SSRC of media source
							 "0a 3c 00 07" // base sequence number 2620, packet status count 7
							 "1b 6c 2a 05" // reference time 0x1b6c2a (x 64 ms), fb pkt count 5
							 "d5 25"       // status vector, 2-bit symbols: 1 1 1 0 2 1 1
							 "14 04 08"    // small deltas 20, 4, 8 (x 250 us)
							 "ff f0"       // large delta -16
							 "50 02"       // small deltas 80, 2
							 "00 00 03"    // padding, 3 bytes
		);
	}

	// Generic NACK with two items, the first with three BLP bits.
	inline std::vector<uint8_t> ChromeNack()
	{
		return Hex("81 cd 00 04" // V=2 P=0 FMT=1, PT=205 (RTPFB), length=4 (20 bytes)
							 "fa 17 fa 17" // SSRC of packet sender
							 "2d 9f 15 2c" // SSRC of media source
							 "06 0f 80 05" // PID 1551, BLP bits 0, 2, 15: 1552, 1554, 1567
							 "06 2a 00 00" // PID 1578, BLP 0
		);
	}

	inline std::vector<uint8_t> ChromePli()
	{
		return Hex("81 ce 00 02" // V=2 P=0 FMT=1, PT=206 (PSFB), length=2 (12 bytes)
							 "fa 17 fa 17" // SSRC of packet sender
							 "2d 9f 15 2c" // SSRC of media source
		);
	}

	inline std::vector<uint8_t> ChromeFir()
	{
		return Hex("84 ce 00 04" // V=2 P=0 FMT=4, PT=206 (PSFB), length=4 (20 bytes)
							 "fa 17 fa 17" // SSRC of packet sender
							 "00 00 00 00" // SSRC of media source (unused, 0)
							 "2d 9f 15 2c" // FCI entry: SSRC
							 "07 00 00 00" //   command sequence number 7, reserved
		);
	}

	// Sender report with two report blocks.
	inline std::vector<uint8_t> ChromeSenderReport()
	{
		return Hex("82 c8 00 12" // V=2 P=0 RC=2, PT=200 (SR), length=18 (76 bytes)
							 "2d 9f 15 2c" // SSRC of sender
							 "e8 3a 5f 9c" // NTP timestamp, most significant word
							 "7e f9 db 23" // NTP timestamp, least significant word
							 "0d 8e 7b 40" // RTP timestamp
							 "00 00 02 9e" // sender's packet count 670
							 "00 05 c6 34" // sender's octet count 378420
							 "1b 4c 7e 20" // block 1: SSRC of source
							 "05 00 00 2a" //   fraction lost 5/256, cumulative lost 42
							 "00 01 12 8f" //   extended highest sequence number
							 "00 00 00 0e" //   jitter 14
							 "5f 9c 7e f9" //   LSR
							 "00 01 40 00" //   DLSR 1.25 s
							 "3a 14 c2 a4" // block 2: SSRC of source
							 "00 ff ff ff" //   fraction lost 0, cumulative lost -1 (a duplicate)
							 "00 00 ff f0" //   extended highest sequence number
							 "00 00 01 02" //   jitter 258
							 "00 00 00 00" //   LSR: no SR received yet
							 "00 00 00 00" //   DLSR
		);
	}

	// XR with a Receiver Reference Time block, as a receiver sends it.
	inline std::vector<uint8_t> ChromeXrRrt()
	{
		return Hex("80 cf 00 04" // V=2 P=0 reserved=0, PT=207 (XR), length=4 (20 bytes)
							 "fa 17 fa 17" // SSRC
							 "04 00 00 02" // BT=4 (RRT), reserved, block length=2
							 "e8 3a 5f 9d" // NTP timestamp, most significant word
							 "10 62 4d d3" // NTP timestamp, least significant word
		);
	}

	// XR with a DLRR block, as a sender answers an RRT.
	inline std::vector<uint8_t> ChromeXrDlrr()
	{
		return Hex("80 cf 00 05" // V=2 P=0 reserved=0, PT=207 (XR), length=5 (24 bytes)
							 "2d 9f 15 2c" // SSRC
							 "05 00 00 03" // BT=5 (DLRR), reserved, block length=3
							 "fa 17 fa 17" // sub-block 1: SSRC of receiver
							 "5f 9d 10 62" //   last RR (LRR)
							 "00 00 80 00" //   delay since last RR: 0.5 s
		);
	}

	inline std::vector<uint8_t> ChromeBye()
	{
		return Hex("81 cb 00 04" // V=2 P=0 SC=1, PT=203 (BYE), length=4 (20 bytes)
							 "2d 9f 15 2c" // SSRC
							 "0a 63 61 6c" // reason length 10, "cal"
							 "6c 20 65 6e" //   "l en"
							 "64 65 64 00" //   "ded", zero padding
		);
	}

	// APP packet: not decoded, passed through.
	inline std::vector<uint8_t> AppPacket()
	{
		return Hex("81 cc 00 03" // V=2 P=0 subtype=1, PT=204 (APP), length=3 (16 bytes)
							 "2d 9f 15 2c" // SSRC
							 "71 6f 73 31" // name "qos1"
							 "00 00 00 2a" // application-dependent data
		);
	}
} // namespace RtcpTest

#endif
