#ifndef MS_RTC_STREAM_SCORE_HPP
#define MS_RTC_STREAM_SCORE_HPP

#include "common.hpp"

#include <array>

namespace RTC
{
	// The 0..10 quality score of an RTP stream (the `score` of the public API),
	// from its packet loss. The owner feeds one sample per interval (each
	// receiver report received, or each report sent): how many packets were
	// expected, how many never arrived and how many arrived only thanks to a
	// retransmission.
	//
	// A sample scores round(10 * d^4), with d = 1 - (lost + repaired / 4) /
	// expected: a repaired packet costs a quarter of a lost one (it arrived
	// late and cost bandwidth, but the media is whole). A sample with nothing
	// expected scores 0: nothing arrived. Some values (no repair):
	//
	//   loss   0%  1%  2%  5%  10%  20%  30%  50%  60%+
	//   score  10  10   9   8    7    4    2    1    0
	//
	// The score is the average of the last MaxSamples samples weighted by
	// recency (the newest weighs MaxSamples, the oldest 1), rounded: it drops
	// within a sample or two of loss and climbs back as clean samples come in.
	// Before any sample it is the initial score.
	class StreamScore
	{
	public:
		static constexpr size_t MaxSamples{ 8u };
		static constexpr uint8_t MaxScore{ 10u };

	public:
		// Score of one sample (see above). `lost` and `repaired` are clamped so
		// that they do not add up to more than `expected`.
		static uint8_t ComputeSampleScore(uint32_t expected, uint32_t lost, uint32_t repaired);

	public:
		// `initialScore` is clamped to MaxScore.
		explicit StreamScore(uint8_t initialScore = 0u);

	public:
		// Returns the new score.
		uint8_t AddSample(uint32_t expected, uint32_t lost, uint32_t repaired = 0u);
		uint8_t GetScore() const { return this->score; }
		size_t GetSampleCount() const { return this->count; }
		// Forgets the samples; the score goes back to the initial one.
		void Reset();

	private:
		// Passed by argument.
		uint8_t initialScore{ 0u };
		// Others.
		// Ring of sample scores; `next` is where the next one goes.
		std::array<uint8_t, MaxSamples> samples{};
		size_t next{ 0u };
		size_t count{ 0u };
		uint8_t score{ 0u };
	};
} // namespace RTC

#endif
