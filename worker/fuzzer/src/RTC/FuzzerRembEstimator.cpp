// Drives the receive-side REMB estimator with packets whose arrival-time
// steps (forwards and back), abs-send-time steps (small, huge, wrapping) and
// sizes (up to SIZE_MAX) all come from the input, calling Process() whenever
// the input says so or the deadline is due. Whatever the input: the estimate
// stays within [MinBitrate, MaxBitrate] once a packet has arrived, every
// REMB announced is within it too, and the deadline is never before the
// last REMB.

#include "common.hpp"

#include "RTC/RembEstimator.hpp"
#include "Settings.hpp"

namespace
{
	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}

	bool InRange(uint32_t bitrate)
	{
		return bitrate >= RTC::AimdRateController::MinBitrate &&
					 bitrate <= RTC::AimdRateController::MaxBitrate;
	}
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	RTC::RembEstimator estimator;
	uint64_t nowUs{ 1000000000u };
	uint32_t absSendTime{ 0u };

	// Six bytes per packet: flags, an arrival step, a send step, a size.
	for (size_t i = 0u; i + 5u < size; i += 6u)
	{
		const uint8_t flags        = data[i];
		const uint16_t arrivalStep = static_cast<uint16_t>((data[i + 1u] << 8) | data[i + 2u]);
		const auto sendStep        = static_cast<int16_t>((data[i + 3u] << 8) | data[i + 4u]);
		const uint8_t sizeByte     = data[i + 5u];

		if ((flags & 0x01u) != 0u && nowUs > arrivalStep)
		{
			nowUs -= arrivalStep;
		}
		else
		{
			// Up to 65 ms, or up to 16.7 s when scaled.
			nowUs += (flags & 0x02u) != 0u ? uint64_t{ arrivalStep } << 8u : arrivalStep;
		}

		if ((flags & 0x04u) != 0u)
		{
			// Anywhere: garbage or a new sender clock.
			absSendTime = static_cast<uint32_t>((sendStep << 16) ^ (arrivalStep << 4) ^ sizeByte);
		}
		else
		{
			absSendTime += static_cast<uint32_t>(static_cast<int32_t>(sendStep));
		}

		size_t packetSize = sizeByte * 8u;

		if ((flags & 0x08u) != 0u)
		{
			packetSize = SIZE_MAX - sizeByte;
		}

		estimator.ReceivePacket(nowUs, absSendTime, packetSize);

		Check(InRange(estimator.GetEstimate()));

		const auto deadline = estimator.GetNextDeadlineUs();

		if ((flags & 0x10u) != 0u || (deadline && *deadline <= nowUs))
		{
			if (const auto remb = estimator.Process(nowUs))
			{
				Check(InRange(*remb));
			}
		}
	}

	return 0;
}
