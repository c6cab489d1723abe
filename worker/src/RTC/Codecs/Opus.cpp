#define MS_CLASS "RTC::Codecs::Opus"
// #define MS_LOG_DEV

#include "RTC/Codecs/Opus.hpp"

#include "Logger.hpp"

namespace RTC::Codecs
{
	namespace
	{
		// Reads a frame length (RFC 6716 3.2.1) at `pos`, advancing it.
		bool ReadFrameLength(const uint8_t* data, size_t len, size_t& pos, size_t& frameLength)
		{
			if (pos >= len)
			{
				return false;
			}

			if (data[pos] < 252u)
			{
				frameLength = data[pos];
				pos += 1u;

				return true;
			}

			if (pos + 1u >= len)
			{
				return false;
			}

			frameLength = 4u * data[pos + 1u] + data[pos];
			pos += 2u;

			return true;
		}
	} // namespace

	/* Class methods. */

	uint32_t Opus::GetSamplesPerFrame(uint8_t toc)
	{
		const uint8_t config = toc >> 3;

		// RFC 6716 3.1 Table 2: SILK 10/20/40/60 ms, Hybrid 10/20 ms, CELT
		// 2.5/5/10/20 ms.
		if (config < 12u)
		{
			static constexpr uint32_t Silk[4]{ 480u, 960u, 1920u, 2880u };

			return Silk[config & 0x03u];
		}

		if (config < 16u)
		{
			return (config & 0x01u) != 0u ? 960u : 480u;
		}

		return 120u << (config & 0x03u);
	}

	std::optional<OpusPacketInfo> Opus::Parse(std::span<const uint8_t> payload)
	{
		const size_t len = payload.size();

		// R1.
		if (len < 1u)
		{
			MS_DEBUG_DEV("empty payload");

			return std::nullopt;
		}

		const uint8_t* data = payload.data();
		OpusPacketInfo info;

		info.config          = data[0] >> 3;
		info.stereo          = (data[0] & 0x04u) != 0u;
		info.code            = data[0] & 0x03u;
		info.samplesPerFrame = GetSamplesPerFrame(data[0]);

		if (info.config < 12u)
		{
			info.mode      = OpusPacketInfo::Mode::SILK;
			info.bandwidth = static_cast<OpusPacketInfo::Bandwidth>(info.config / 4u); // NB, MB, WB.
		}
		else if (info.config < 16u)
		{
			info.mode      = OpusPacketInfo::Mode::HYBRID;
			info.bandwidth = info.config < 14u ? OpusPacketInfo::Bandwidth::SUPERWIDEBAND
																				 : OpusPacketInfo::Bandwidth::FULLBAND;
		}
		else
		{
			static constexpr OpusPacketInfo::Bandwidth CeltBandwidths[4]{
				OpusPacketInfo::Bandwidth::NARROWBAND,
				OpusPacketInfo::Bandwidth::WIDEBAND,
				OpusPacketInfo::Bandwidth::SUPERWIDEBAND,
				OpusPacketInfo::Bandwidth::FULLBAND
			};

			info.mode      = OpusPacketInfo::Mode::CELT;
			info.bandwidth = CeltBandwidths[(info.config - 16u) / 4u];
		}

		size_t pos{ 1u };

		switch (info.code)
		{
			case 0u:
			{
				// R2.
				if (len - pos > MaxFrameSize)
				{
					MS_DEBUG_DEV("frame of %zu bytes", len - pos);

					return std::nullopt;
				}

				info.frameCount    = 1u;
				info.frameSizes[0] = static_cast<uint16_t>(len - pos);

				break;
			}

			case 1u:
			{
				// R3.
				if ((len - pos) % 2u != 0u || (len - pos) / 2u > MaxFrameSize)
				{
					MS_DEBUG_DEV("code 1 with %zu bytes", len - pos);

					return std::nullopt;
				}

				info.frameCount    = 2u;
				info.frameSizes[0] = static_cast<uint16_t>((len - pos) / 2u);
				info.frameSizes[1] = info.frameSizes[0];

				break;
			}

			case 2u:
			{
				size_t first;

				// R4.
				if (!ReadFrameLength(data, len, pos, first) || first > len - pos)
				{
					MS_DEBUG_DEV("code 2 first frame does not fit");

					return std::nullopt;
				}

				const size_t second = len - pos - first;

				if (second > MaxFrameSize)
				{
					MS_DEBUG_DEV("code 2 second frame of %zu bytes", second);

					return std::nullopt;
				}

				info.vbr           = true;
				info.frameCount    = 2u;
				info.frameSizes[0] = static_cast<uint16_t>(first);
				info.frameSizes[1] = static_cast<uint16_t>(second);

				break;
			}

			default:
			{
				// R6, R7: at least the frame count byte.
				if (len < 2u)
				{
					MS_DEBUG_DEV("code 3 without frame count byte");

					return std::nullopt;
				}

				const uint8_t countByte = data[1];
				const size_t count      = countByte & 0x3Fu;

				pos = 2u;

				// R5.
				if (count == 0u || count * info.samplesPerFrame > MaxPacketSamples)
				{
					MS_DEBUG_DEV("code 3 with %zu frames", count);

					return std::nullopt;
				}

				info.vbr        = (countByte & 0x80u) != 0u;
				info.frameCount = static_cast<uint8_t>(count);

				// Padding length: bytes of 255 add 254 and go on, the last one adds
				// its value.
				if ((countByte & 0x40u) != 0u)
				{
					uint8_t byte;

					do
					{
						if (pos >= len)
						{
							MS_DEBUG_DEV("code 3 padding length does not fit");

							return std::nullopt;
						}

						byte = data[pos++];
						info.paddingSize += byte == 255u ? 254u : byte;
					} while (byte == 255u);
				}

				if (info.paddingSize > len - pos)
				{
					MS_DEBUG_DEV("code 3 padding of %zu bytes does not fit", info.paddingSize);

					return std::nullopt;
				}

				// Bytes for the frame lengths (VBR) and the frames.
				const size_t end = len - info.paddingSize;

				if (info.vbr)
				{
					size_t total{ 0u };

					for (size_t i = 0u; i + 1u < count; ++i)
					{
						size_t frameLength;

						if (!ReadFrameLength(data, end, pos, frameLength))
						{
							MS_DEBUG_DEV("code 3 length of frame %zu does not fit", i);

							return std::nullopt;
						}

						info.frameSizes[i] = static_cast<uint16_t>(frameLength);
						total += frameLength;
					}

					// R7.
					if (total > end - pos || end - pos - total > MaxFrameSize)
					{
						MS_DEBUG_DEV("code 3 VBR frames do not fit");

						return std::nullopt;
					}

					info.frameSizes[count - 1u] = static_cast<uint16_t>(end - pos - total);
				}
				else
				{
					const size_t bytes = end - pos;

					// R6.
					if (bytes % count != 0u || bytes / count > MaxFrameSize)
					{
						MS_DEBUG_DEV("code 3 CBR with %zu bytes for %zu frames", bytes, count);

						return std::nullopt;
					}

					for (size_t i = 0u; i < count; ++i)
					{
						info.frameSizes[i] = static_cast<uint16_t>(bytes / count);
					}
				}

				break;
			}
		}

		info.samples = info.samplesPerFrame * info.frameCount;

		return info;
	}
} // namespace RTC::Codecs
