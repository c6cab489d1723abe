#ifndef MS_RTC_AUDIO_LEVEL_AGGREGATOR_HPP
#define MS_RTC_AUDIO_LEVEL_AGGREGATOR_HPP

#include "common.hpp"

#include <map>
#include <string>
#include <vector>

namespace RTC
{
	// The arithmetic of an AudioLevelObserver, free of clocks and I/O: it sums
	// the ssrc-audio-level values (RFC 6464 3,
	// https://www.rfc-editor.org/rfc/rfc6464#section-3) each Producer sends
	// during an interval, and when the owner closes the interval it tells what
	// to report: the loudest average levels, or a single "silence" when none
	// is loud enough any more.
	//
	// RFC 6464 levels are magnitudes: 0 is 0 dBov (full scale), 127 is
	// -127 dBov (digital silence). Reported volumes are the dBov values
	// themselves (-127..0), so "louder" means "greater".
	//
	// The voice activity (V) flag is not used: it is meaningful only when the
	// sender negotiated vad=on, which the Router does not know, and the level
	// alone is what the public API reports.
	class AudioLevelAggregator
	{
	public:
		struct Volume
		{
			std::string producerId;
			// Average over the interval, dBov (-127..0).
			int8_t volume{ 0 };
		};

		enum class Report : uint8_t
		{
			// Nothing to tell: still silent.
			NONE = 0,
			// Volumes were written (at least one).
			VOLUMES,
			// The first interval without a loud enough Producer after some.
			SILENCE
		};

	public:
		static constexpr int8_t MinThreshold{ -127 };
		static constexpr int8_t MaxThreshold{ 0 };
		// Highest RFC 6464 level (-127 dBov).
		static constexpr uint8_t MaxLevel{ 127u };

	public:
		// `maxEntries` is raised to 1 and `threshold` clamped to -127..0.
		AudioLevelAggregator(size_t maxEntries, int8_t threshold);

	public:
		size_t GetMaxEntries() const { return this->maxEntries; }
		int8_t GetThreshold() const { return this->threshold; }
		// Adding a Producer already there keeps its sums.
		void AddProducer(const std::string& producerId);
		void RemoveProducer(const std::string& producerId);
		bool HasProducer(const std::string& producerId) const
		{
			return this->producers.contains(producerId);
		}
		size_t GetProducerCount() const { return this->producers.size(); }
		// Forgets what the Producer sent in the current interval (it was paused:
		// its earlier packets must not count).
		void ResetProducer(const std::string& producerId);
		// One RFC 6464 level (0..127, -dBov) of a Producer; values above 127
		// cannot come from a 7-bit field and are ignored, and so are unknown
		// Producers.
		void AddLevel(const std::string& producerId, uint8_t level);
		// Ends the current interval: fills `volumes` (cleared first) with the
		// Producers whose average is at least the threshold, loudest first (ties
		// in Producer id order), at most maxEntries of them, and starts a new
		// interval. Producers that sent nothing in the interval are left out.
		Report CloseInterval(std::vector<Volume>& volumes);
		// The owner stopped observing: the current interval is dropped. True when
		// a silence must be reported (it was not silent).
		bool Pause();
		bool IsSilent() const { return this->silent; }

	private:
		struct Sums
		{
			// Sum of the levels (-dBov); 127 * 2^32 packets before it could wrap.
			uint64_t levels{ 0u };
			uint32_t count{ 0u };
		};

	private:
		void ResetSums();

	private:
		// Passed by argument.
		size_t maxEntries{ 1u };
		int8_t threshold{ -80 };
		// Others.
		std::map<std::string, Sums> producers;
		// Nothing reported is loud yet, so there is no silence to announce first.
		bool silent{ true };
	};
} // namespace RTC

#endif
