#define MS_CLASS "RTC::AudioLevelAggregator"

#include "RTC/AudioLevelAggregator.hpp"

#include <algorithm>

namespace RTC
{
	AudioLevelAggregator::AudioLevelAggregator(size_t maxEntries, int8_t threshold)
			: maxEntries(std::max<size_t>(maxEntries, 1u)),
				threshold(std::clamp(threshold, MinThreshold, MaxThreshold))
	{
	}

	void AudioLevelAggregator::AddProducer(const std::string& producerId)
	{
		this->producers.try_emplace(producerId);
	}

	void AudioLevelAggregator::RemoveProducer(const std::string& producerId)
	{
		this->producers.erase(producerId);
	}

	void AudioLevelAggregator::ResetProducer(const std::string& producerId)
	{
		const auto it = this->producers.find(producerId);

		if (it != this->producers.end())
		{
			it->second = Sums{};
		}
	}

	void AudioLevelAggregator::AddLevel(const std::string& producerId, uint8_t level)
	{
		if (level > MaxLevel)
		{
			return;
		}

		const auto it = this->producers.find(producerId);

		if (it == this->producers.end())
		{
			return;
		}

		it->second.levels += level;
		++it->second.count;
	}

	AudioLevelAggregator::Report AudioLevelAggregator::CloseInterval(std::vector<Volume>& volumes)
	{
		volumes.clear();

		for (const auto& [producerId, sums] : this->producers)
		{
			if (sums.count == 0u)
			{
				continue;
			}

			// Rounded mean of the magnitudes, then the sign of dBov. The mean of
			// values in 0..127 stays in 0..127, so the cast cannot overflow.
			const auto meanLevel =
				static_cast<int>((sums.levels + (sums.count / 2u)) / static_cast<uint64_t>(sums.count));
			const auto volume = static_cast<int8_t>(-meanLevel);

			if (volume >= this->threshold)
			{
				volumes.push_back(Volume{ producerId, volume });
			}
		}

		ResetSums();

		// Stable: equal volumes stay in Producer id order, so reports are
		// reproducible.
		std::stable_sort(
			volumes.begin(),
			volumes.end(),
			[](const Volume& a, const Volume& b) { return a.volume > b.volume; });

		if (volumes.size() > this->maxEntries)
		{
			volumes.resize(this->maxEntries);
		}

		if (!volumes.empty())
		{
			this->silent = false;

			return Report::VOLUMES;
		}

		if (!this->silent)
		{
			this->silent = true;

			return Report::SILENCE;
		}

		return Report::NONE;
	}

	bool AudioLevelAggregator::Pause()
	{
		ResetSums();

		if (this->silent)
		{
			return false;
		}

		this->silent = true;

		return true;
	}

	void AudioLevelAggregator::ResetSums()
	{
		for (auto& [producerId, sums] : this->producers)
		{
			sums = Sums{};
		}
	}
} // namespace RTC
