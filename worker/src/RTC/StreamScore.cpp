#define MS_CLASS "RTC::StreamScore"
// #define MS_LOG_DEV

#include "RTC/StreamScore.hpp"

#include "Logger.hpp"

#include <algorithm>
#include <cmath>

namespace RTC
{
	/* Class methods. */

	uint8_t StreamScore::ComputeSampleScore(uint32_t expected, uint32_t lost, uint32_t repaired)
	{
		if (expected == 0u)
		{
			return 0u;
		}

		lost     = std::min(lost, expected);
		repaired = std::min(repaired, expected - lost);

		const double penalty   = static_cast<double>(lost) + static_cast<double>(repaired) / 4.0;
		const double delivered = 1.0 - penalty / static_cast<double>(expected);
		const double squared   = delivered * delivered;

		return static_cast<uint8_t>(std::lround(static_cast<double>(MaxScore) * squared * squared));
	}

	/* Instance methods. */

	StreamScore::StreamScore(uint8_t initialScore)
			: initialScore(std::min(initialScore, MaxScore)), score(this->initialScore)
	{
	}

	uint8_t StreamScore::AddSample(uint32_t expected, uint32_t lost, uint32_t repaired)
	{
		this->samples[this->next] = ComputeSampleScore(expected, lost, repaired);
		this->next                = (this->next + 1u) % MaxSamples;
		this->count               = std::min(this->count + 1u, MaxSamples);

		// Walk from the newest (weight MaxSamples) to the oldest kept.
		uint32_t weighted{ 0u };
		uint32_t weights{ 0u };

		for (size_t i = 0u; i < this->count; ++i)
		{
			const size_t index    = (this->next + MaxSamples - 1u - i) % MaxSamples;
			const uint32_t weight = static_cast<uint32_t>(MaxSamples - i);

			weighted += weight * this->samples[index];
			weights += weight;
		}

		const auto previous = this->score;

		// Rounded half up.
		this->score = static_cast<uint8_t>((2u * weighted + weights) / (2u * weights));

		if (this->score != previous)
		{
			MS_DEBUG_TAG(score, "score changed [previous:%u, score:%u]", previous, this->score);
		}

		return this->score;
	}

	void StreamScore::Reset()
	{
		this->samples.fill(0u);
		this->next  = 0u;
		this->count = 0u;
		this->score = this->initialScore;
	}
} // namespace RTC
