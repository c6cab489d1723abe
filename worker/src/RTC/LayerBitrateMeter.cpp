#define MS_CLASS "RTC::LayerBitrateMeter"

#include "RTC/LayerBitrateMeter.hpp"

#include <algorithm>

namespace RTC
{
	void LayerBitrateMeter::Update(uint8_t spatial, uint8_t temporal, size_t bytes, uint64_t nowMs)
	{
		if (spatial >= MaxSpatialLayers || temporal >= MaxTemporalLayers)
		{
			return;
		}

		this->rates[spatial][temporal].Update(bytes, nowMs);
	}

	uint32_t
	LayerBitrateMeter::GetLayerBitrate(uint8_t spatial, uint8_t temporal, uint64_t nowMs) const
	{
		if (spatial >= MaxSpatialLayers || temporal >= MaxTemporalLayers)
		{
			return 0u;
		}

		return this->rates[spatial][temporal].GetRate(nowMs);
	}

	LayerBitrateMeter::Bitrates LayerBitrateMeter::GetCosts(uint64_t nowMs) const
	{
		Bitrates own{};
		Bitrates costs{};

		for (size_t s = 0; s < MaxSpatialLayers; ++s)
		{
			for (size_t t = 0; t < MaxTemporalLayers; ++t)
			{
				own[s][t] = this->rates[s][t].GetRate(nowMs);
			}
		}

		for (size_t s = 0; s < MaxSpatialLayers; ++s)
		{
			for (size_t t = 0; t < MaxTemporalLayers; ++t)
			{
				if (own[s][t] == 0u)
				{
					continue;
				}

				uint64_t sum{ 0u };
				const size_t lowestSpatial = this->stacking == Stacking::STACKED ? 0u : s;

				for (size_t ss = lowestSpatial; ss <= s; ++ss)
				{
					for (size_t tt = 0; tt <= t; ++tt)
					{
						sum += own[ss][tt];
					}
				}

				costs[s][t] = static_cast<uint32_t>(std::min<uint64_t>(sum, UINT32_MAX));
			}
		}

		return costs;
	}

	uint16_t LayerBitrateMeter::GetActiveMask(uint64_t nowMs) const
	{
		uint16_t mask{ 0u };

		for (size_t s = 0; s < MaxSpatialLayers; ++s)
		{
			for (size_t t = 0; t < MaxTemporalLayers; ++t)
			{
				if (this->rates[s][t].GetRate(nowMs) > 0u)
				{
					mask |= static_cast<uint16_t>(1u << (s * MaxTemporalLayers + t));
				}
			}
		}

		return mask;
	}

	std::optional<uint8_t> LayerBitrateMeter::GetHighestActiveSpatial(uint64_t nowMs) const
	{
		const uint16_t mask = GetActiveMask(nowMs);

		for (size_t s = MaxSpatialLayers; s > 0u; --s)
		{
			if ((mask >> ((s - 1u) * MaxTemporalLayers)) & ((1u << MaxTemporalLayers) - 1u))
			{
				return static_cast<uint8_t>(s - 1u);
			}
		}

		return std::nullopt;
	}
} // namespace RTC
