#ifndef MS_FUZZER_WHOLE_PATH_PACKETS_HPP
#define MS_FUZZER_WHOLE_PATH_PACKETS_HPP

// The whole-path fuzzer's reader of its input and the RTP and RTCP packets it
// builds around fuzzed bytes, so that most of them reach real streams.

#include "common.hpp"

#include "FuzzInputReader.hpp"
#include "WholePathParameters.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <vector>

namespace WholePath
{
	using Reader = Fuzz::InputReader;

	// An RTP packet with a known SSRC and payload type picked by index, the
	// rest (extensions, payload) from the input.
	inline std::vector<uint8_t> BuildRtp(Reader& reader)
	{
		const uint8_t flags = reader.Byte();
		std::vector<uint8_t> packet(12u);
		const std::array<uint8_t, 4> payloadTypes{ VideoPayloadType, RtxPayloadType, 100u, 111u };

		// Version 2; extension bit, padding bit and CSRC count from the flags.
		packet[0] = 0x80u | (flags & 0x10u) | (flags & 0x20u) | ((flags >> 6) & 0x03u);
		packet[1] = payloadTypes[flags & 0x03u] | ((flags & 0x04u) ? 0x80u : 0u);

		const uint16_t seq       = reader.Short();
		const uint32_t timestamp = reader.Long();
		const uint32_t ssrc      = KnownSsrcs[reader.Byte() % KnownSsrcs.size()];

		packet[2] = static_cast<uint8_t>(seq >> 8);
		packet[3] = static_cast<uint8_t>(seq);

		for (size_t i = 0u; i < 4u; ++i)
		{
			packet[4u + i] = static_cast<uint8_t>(timestamp >> (24u - 8u * i));
			packet[8u + i] = static_cast<uint8_t>(ssrc >> (24u - 8u * i));
		}

		const auto rest = reader.Take(reader.Short() % 1400u);

		packet.insert(packet.end(), rest.begin(), rest.end());

		return packet;
	}

	// One to three RTCP packets with a right length field and known SSRCs in
	// their first two words, the rest from the input.
	inline std::vector<uint8_t> BuildRtcp(Reader& reader)
	{
		const std::array<uint8_t, 8> packetTypes{ 200u, 201u, 202u, 203u, 204u, 205u, 206u, 207u };
		std::vector<uint8_t> datagram;
		const size_t count = 1u + reader.Byte() % 3u;

		for (size_t p = 0u; p < count; ++p)
		{
			const uint8_t first = reader.Byte();
			const size_t words  = reader.Byte() % 64u;
			std::vector<uint8_t> packet(4u + 4u * words, 0u);

			packet[0] = 0x80u | (first & 0x1Fu);
			packet[1] = packetTypes[(first >> 5) & 0x07u];
			packet[2] = static_cast<uint8_t>(words >> 8);
			packet[3] = static_cast<uint8_t>(words);

			for (size_t w = 0u; w < std::min<size_t>(words, 2u); ++w)
			{
				const uint32_t ssrc = KnownSsrcs[reader.Byte() % KnownSsrcs.size()];

				for (size_t i = 0u; i < 4u; ++i)
				{
					packet[4u + 4u * w + i] = static_cast<uint8_t>(ssrc >> (24u - 8u * i));
				}
			}

			if (words > 2u)
			{
				const auto rest = reader.Take(4u * (words - 2u));

				std::copy(rest.begin(), rest.end(), packet.begin() + 12);
			}

			datagram.insert(datagram.end(), packet.begin(), packet.end());
		}

		return datagram;
	}
} // namespace WholePath

#endif
