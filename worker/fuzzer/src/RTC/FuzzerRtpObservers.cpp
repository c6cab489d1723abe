// Drives the arithmetic of the RtpObservers (AudioLevelAggregator,
// DominantSpeakerDetector) with arbitrary audio levels, Producers coming and
// going, pauses and clock steps (forwards and backwards), all read from the
// input, and checks what they promise whatever the input: scores stay finite
// in 0..1, the dominant speaker is one of the speakers, reports are sorted,
// within the threshold and maxEntries, and silence is never reported twice
// in a row.

#include "common.hpp"

#include "RTC/AudioLevelAggregator.hpp"
#include "RTC/DominantSpeakerDetector.hpp"
#include "Settings.hpp"

#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace
{
	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}

	// Few ids, so that operations hit the same Producers again.
	const std::array<std::string, 4> Ids{ "a", "b", "c", "d" };

	bool InRange(double value)
	{
		return std::isfinite(value) && value >= 0.0 && value <= 1.0;
	}
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	if (size < 2u)
	{
		return 0;
	}

	RTC::AudioLevelAggregator aggregator(data[0] % 5u, static_cast<int8_t>(data[1]));
	RTC::DominantSpeakerDetector detector;
	std::vector<RTC::AudioLevelAggregator::Volume> volumes;
	uint64_t nowMs{ 1000000u };
	bool lastReportWasSilence{ false };

	// Two bytes per operation: what (and on whom), then an argument.
	for (size_t i = 2u; i + 1u < size; i += 2u)
	{
		const uint8_t op       = data[i] >> 4;
		const std::string& id  = Ids[data[i] & 0x03u];
		const uint8_t argument = data[i + 1u];

		switch (op)
		{
			case 0:
			case 1:
			case 2:
			case 3:
			{
				// Levels are the most common input; the argument may exceed 127.
				aggregator.AddLevel(id, argument);
				detector.AddLevel(id, argument, nowMs);

				break;
			}

			case 4:
			{
				nowMs += argument;

				break;
			}

			case 5:
			{
				nowMs += static_cast<uint64_t>(argument) * 1000u;

				break;
			}

			case 6:
			{
				// Backwards: the cores must take it as no time passing.
				nowMs -= std::min<uint64_t>(nowMs, argument);

				break;
			}

			case 7:
			{
				aggregator.AddProducer(id);
				detector.AddSpeaker(id, nowMs);

				break;
			}

			case 8:
			{
				aggregator.RemoveProducer(id);
				detector.RemoveSpeaker(id);

				break;
			}

			case 9:
			{
				aggregator.ResetProducer(id);
				detector.SetSpeakerPaused(id, (argument & 1u) != 0u, nowMs);

				break;
			}

			case 10:
			{
				const auto report = aggregator.CloseInterval(volumes);

				Check(volumes.size() <= aggregator.GetMaxEntries());
				Check((report == RTC::AudioLevelAggregator::Report::VOLUMES) == !volumes.empty());

				for (size_t j = 0u; j < volumes.size(); ++j)
				{
					Check(volumes[j].volume >= aggregator.GetThreshold() && volumes[j].volume <= 0);
					Check(aggregator.HasProducer(volumes[j].producerId));

					if (j > 0u)
					{
						Check(volumes[j - 1u].volume >= volumes[j].volume);
					}
				}

				if (report == RTC::AudioLevelAggregator::Report::SILENCE)
				{
					Check(!lastReportWasSilence);
				}

				if (report != RTC::AudioLevelAggregator::Report::NONE)
				{
					lastReportWasSilence = report == RTC::AudioLevelAggregator::Report::SILENCE;
				}

				break;
			}

			case 11:
			{
				if (aggregator.Pause())
				{
					Check(!lastReportWasSilence);

					lastReportWasSilence = true;
				}

				break;
			}

			default:
			{
				const auto dominant = detector.Decide(nowMs);

				if (dominant)
				{
					Check(detector.HasSpeaker(*dominant));
					Check(detector.GetDominantSpeaker() == *dominant);
				}

				break;
			}
		}

		for (const auto& speakerId : Ids)
		{
			const auto scores = detector.GetScores(speakerId, nowMs);

			Check(scores.has_value() == detector.HasSpeaker(speakerId));

			if (scores)
			{
				Check(InRange(scores->immediate) && InRange(scores->medium) && InRange(scores->longTerm));
			}
		}

		const auto& dominant = detector.GetDominantSpeaker();

		Check(dominant.empty() || detector.HasSpeaker(dominant));
	}

	return 0;
}
