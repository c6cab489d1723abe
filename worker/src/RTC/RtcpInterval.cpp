#define MS_CLASS "RTC::RtcpInterval"

#include "RTC/RtcpInterval.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		// e - 3/2 (RFC 3550 6.3.1).
		constexpr double CompensationFactor{ 1.21828 };
		// IPv4 and UDP headers, counted in the RTCP packet size (RFC 3550 6.2).
		constexpr size_t IpUdpHeaderSize{ 28u };
	} // namespace

	uint64_t RtcpInterval::ComputeMs(const Input& input)
	{
		const uint64_t standardMinMs =
			input.initial ? StandardMinIntervalMs / 2u : StandardMinIntervalMs;
		uint64_t minMs = standardMinMs;

		if (input.sessionBitrate > 0u)
		{
			// 360 s / (bandwidth in kb/s) = 360,000,000 ms / (bandwidth in b/s).
			const uint64_t reducedMs = 360000000u / input.sessionBitrate;

			minMs = std::clamp<uint64_t>(reducedMs, MinIntervalMs, standardMinMs);
		}

		const double rtcpBytesPerSecond =
			static_cast<double>(input.sessionBitrate) * RtcpBandwidthFraction / 8.0;

		if (rtcpBytesPerSecond <= 0.0)
		{
			return minMs;
		}

		double bandwidth = rtcpBytesPerSecond;
		double members   = std::max<uint32_t>(input.members, 1u);

		if (input.senders > 0u && input.senders <= input.members * SenderBandwidthFraction)
		{
			if (input.weSent)
			{
				bandwidth *= SenderBandwidthFraction;
				members = input.senders;
			}
			else
			{
				bandwidth *= 1.0 - SenderBandwidthFraction;
				members = input.members - input.senders;
			}
		}

		const double intervalMs = members * input.avgRtcpSize / bandwidth * 1000.0;

		return std::max<uint64_t>(minMs, static_cast<uint64_t>(intervalMs));
	}

	uint64_t RtcpInterval::Randomize(uint64_t intervalMs, double random)
	{
		const double factor = (0.5 + std::clamp(random, 0.0, 1.0)) / CompensationFactor;

		return static_cast<uint64_t>(static_cast<double>(intervalMs) * factor);
	}

	double RtcpInterval::UpdateAverageSize(double avgRtcpSize, size_t packetSize)
	{
		return (static_cast<double>(packetSize + IpUdpHeaderSize) / 16.0) + (avgRtcpSize * 15.0 / 16.0);
	}
} // namespace RTC
