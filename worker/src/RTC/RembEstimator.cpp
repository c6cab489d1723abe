#define MS_CLASS "RTC::RembEstimator"
// #define MS_LOG_DEV

#include "RTC/RembEstimator.hpp"

#include "Logger.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		// Weight of a new packet in the average packet size.
		constexpr double PacketSizeWeight{ 0.05 };
	} // namespace

	RembEstimator::RembEstimator() : incomingRate(RateWindowUs) {}

	void RembEstimator::ReceivePacket(uint64_t arrivalUs, uint32_t absSendTime, size_t size)
	{
		if (!this->firstArrivalUs)
		{
			this->firstArrivalUs = arrivalUs;
			this->lastArrivalUs  = arrivalUs;
		}
		else if (arrivalUs < this->lastArrivalUs)
		{
			this->clockStepBackCount++;
			arrivalUs = this->lastArrivalUs;
		}

		this->lastArrivalUs    = arrivalUs;
		this->arrivedSinceRemb = true;

		size = std::min(size, MaxPacketSize);

		this->incomingRate.Update(size, arrivalUs);
		this->averagePacketBits = (1.0 - PacketSizeWeight) * this->averagePacketBits +
															PacketSizeWeight * 8.0 * static_cast<double>(size);

		const uint64_t sendUs = this->unwrapper.Unwrap(absSendTime);

		const auto signal = this->delayBased.AddPacket(
			sendUs,
			arrivalUs,
			size,
			GetEstimate(),
			[this, arrivalUs]() { return this->incomingRate.GetRate(arrivalUs); });

		if (signal)
		{
			this->rateController.Update(
				signal->usage, signal->incomingBps, this->averagePacketBits, arrivalUs);
		}

		if (
			!this->promptUs && this->lastRembUs &&
			static_cast<double>(GetEstimate()) <
				PromptDecreaseRatio * static_cast<double>(this->lastRembBitrate))
		{
			this->promptUs = arrivalUs;
		}
	}

	std::optional<uint64_t> RembEstimator::GetNextDeadlineUs() const
	{
		if (!this->firstArrivalUs)
		{
			return std::nullopt;
		}

		// The first one as soon as there is an estimate.
		if (!this->lastRembUs)
		{
			return *this->firstArrivalUs;
		}

		if (this->promptUs)
		{
			return *this->promptUs;
		}

		if (!this->arrivedSinceRemb)
		{
			return std::nullopt;
		}

		if (
			static_cast<double>(GetEstimate()) >
			PromptIncreaseRatio * static_cast<double>(this->lastRembBitrate))
		{
			return *this->lastRembUs + MinRembIntervalUs;
		}

		return *this->lastRembUs + RembIntervalUs;
	}

	std::optional<uint32_t> RembEstimator::Process(uint64_t nowUs)
	{
		const auto deadline = GetNextDeadlineUs();

		if (!deadline || nowUs < *deadline)
		{
			return std::nullopt;
		}

		this->lastRembUs       = nowUs;
		this->lastRembBitrate  = GetEstimate();
		this->arrivedSinceRemb = false;
		this->promptUs.reset();

		MS_DEBUG_DEV("REMB of %" PRIu32 " bps due", this->lastRembBitrate);

		return this->lastRembBitrate;
	}

	uint32_t RembEstimator::GetEstimate() const
	{
		if (!this->firstArrivalUs)
		{
			return 0u;
		}

		return this->rateController.GetBitrate();
	}
} // namespace RTC
