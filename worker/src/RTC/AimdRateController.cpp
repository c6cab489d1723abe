#define MS_CLASS "RTC::AimdRateController"
// #define MS_LOG_DEV

#include "RTC/AimdRateController.hpp"

#include "Logger.hpp"

#include <algorithm>
#include <cmath>

namespace RTC
{
	uint32_t AimdRateController::Update(
		BandwidthUsage usage, std::optional<uint32_t> incomingBps, double packetBits, uint64_t nowUs)
	{
		const uint64_t lastUs = this->lastUpdateUs.value_or(nowUs);
		const uint64_t stepUs = std::min(nowUs > lastUs ? nowUs - lastUs : 0u, MaxIncreaseStepUs);
		const double stepS    = static_cast<double>(stepUs) / 1e6;
		const State before    = this->state;

		this->lastUpdateUs = std::max(nowUs, lastUs);

		Transition(usage);

		if (before == State::Decrease && this->state != State::Decrease && this->episodeIncomingBps)
		{
			UpdateAverageAtDecrease(*this->episodeIncomingBps);
			this->episodeIncomingBps.reset();
		}

		switch (this->state)
		{
			case State::Hold:
			{
				break;
			}

			case State::Decrease:
			{
				const bool entering = before != State::Decrease;

				if (incomingBps)
				{
					// The last rate of the episode is the best measure of the
					// capacity: by then the window holds only what the queue let
					// through. It is recorded when the episode ends.
					this->episodeIncomingBps = static_cast<double>(*incomingBps);
					this->bitrate            = std::min(this->bitrate, Beta * *this->episodeIncomingBps);
				}
				else if (entering)
				{
					// Nothing measured yet: back off from the estimate, once.
					this->bitrate = Beta * this->bitrate;
				}

				if (entering)
				{
					MS_DEBUG_TAG(
						bwe,
						"over-use: estimate %" PRIu32 " bps (incoming %" PRIu32 " bps)",
						static_cast<uint32_t>(std::max(this->bitrate, double{ MinBitrate })),
						incomingBps.value_or(0u));
				}

				break;
			}

			case State::Increase:
			{
				// The sender got more than the band around the last congestion
				// point through without over-use: the capacity has grown, forget
				// it. The incoming rate, not the estimate, decides: the estimate
				// runs ahead of a sender that hears from us once a second.
				if (
					this->averageAtDecreaseBps && incomingBps &&
					static_cast<double>(*incomingBps) > *this->averageAtDecreaseBps + 2.0 * GetDeviation())
				{
					MS_DEBUG_TAG(
						bwe,
						"incoming %" PRIu32 " bps past the last congestion point, increasing faster",
						*incomingBps);

					this->averageAtDecreaseBps.reset();
				}

				double increased{ this->bitrate };

				// Additive within the band around the congestion point;
				// multiplicative under it (back to where the path is known to
				// be fine) and when there is none.
				if (
					this->averageAtDecreaseBps &&
					this->bitrate >= *this->averageAtDecreaseBps - 3.0 * GetDeviation())
				{
					const double bits = std::clamp(packetBits, 8.0 * 100.0, 8.0 * 1500.0);
					const double perSecond =
						std::max({ MinAdditiveIncreaseBps,
											 bits * 1e6 / static_cast<double>(ResponseTimeUs),
											 NearIncreasePerSecond * *this->averageAtDecreaseBps });

					increased += perSecond * stepS;
				}
				else
				{
					increased *= std::pow(MultiplicativeIncrease, stepS);
				}

				// Near the congestion point, not far past it until the sender
				// has shown (by the rule above) that the path carries more.
				if (this->averageAtDecreaseBps)
				{
					const double ceiling = *this->averageAtDecreaseBps + 3.0 * GetDeviation();

					increased = std::min(increased, std::max(ceiling, this->bitrate));
				}

				if (incomingBps)
				{
					const double ceiling =
						IncreaseCapFactor * static_cast<double>(*incomingBps) + CapHeadroomBps;

					// A ceiling under the estimate stops the increase, it does not cut.
					increased = std::min(increased, std::max(ceiling, this->bitrate));
				}

				this->bitrate = increased;

				break;
			}
		}

		// Whatever the state. This also brings the estimate down when the
		// capacity drops under a queue already full: the delay no longer
		// grows there, but the incoming rate shows the new capacity.
		if (incomingBps && this->cutToIncomingRate)
		{
			this->bitrate =
				std::min(this->bitrate, CapFactor * static_cast<double>(*incomingBps) + CapHeadroomBps);
		}

		this->bitrate = std::clamp(this->bitrate, double{ MinBitrate }, double{ MaxBitrate });

		return GetBitrate();
	}

	void AimdRateController::SetBitrate(uint32_t bitrate)
	{
		this->bitrate =
			std::clamp(static_cast<double>(bitrate), double{ MinBitrate }, double{ MaxBitrate });
	}

	double AimdRateController::GetDeviation() const
	{
		return this->averageAtDecreaseBps.value_or(0.0) * std::sqrt(this->relativeVariance);
	}

	void AimdRateController::Transition(BandwidthUsage usage)
	{
		switch (usage)
		{
			case BandwidthUsage::Overusing:
			{
				this->state = State::Decrease;

				break;
			}

			case BandwidthUsage::Normal:
			{
				if (this->state == State::Hold)
				{
					this->state = State::Increase;
				}
				else if (this->state == State::Decrease)
				{
					this->state = State::Hold;
				}

				break;
			}

			case BandwidthUsage::Underusing:
			{
				this->state = State::Hold;

				break;
			}
		}
	}

	void AimdRateController::UpdateAverageAtDecrease(double incomingBps)
	{
		if (incomingBps <= 0.0)
		{
			return;
		}

		if (!this->averageAtDecreaseBps)
		{
			this->averageAtDecreaseBps = incomingBps;

			return;
		}

		double& average = *this->averageAtDecreaseBps;

		// Far from where congestion used to start: the path has changed.
		if (std::fabs(incomingBps - average) > 3.0 * GetDeviation())
		{
			average                = incomingBps;
			this->relativeVariance = MinRelativeDeviation * MinRelativeDeviation;

			return;
		}

		average = (1.0 - AverageWeight) * average + AverageWeight * incomingBps;

		const double relative = (incomingBps - average) / average;

		this->relativeVariance =
			(1.0 - AverageWeight) * this->relativeVariance + AverageWeight * relative * relative;
		this->relativeVariance = std::clamp(
			this->relativeVariance,
			MinRelativeDeviation * MinRelativeDeviation,
			MaxRelativeDeviation * MaxRelativeDeviation);
	}
} // namespace RTC
