#ifndef MS_RTC_LAYER_BITRATE_METER_HPP
#define MS_RTC_LAYER_BITRATE_METER_HPP

#include "common.hpp"

#include "RTC/BitrateAllocator.hpp"
#include "RTC/RateCalculator.hpp"

#include <array>
#include <optional>

namespace RTC
{
	// The bitrate of each spatial/temporal layer of a producer, measured over
	// the last second from the packets a consumer sees, and what forwarding
	// each layer costs: everything a receiver at that layer gets.
	//
	// - Separate: spatial layers are separate streams (simulcast encodings,
	//   k-SVC, whose lower layers come along on key pictures only, a cost
	//   left out): layer (s, t) costs s's temporal layers up to t.
	// - Stacked: full SVC, each spatial layer needs those below it: layer
	//   (s, t) costs every spatial layer up to s, temporal layers up to t.
	//
	// A layer that had no packet within the window costs 0 (not available),
	// whatever the layers below it cost. Layers beyond the allocator's bounds
	// are not measured. Clock-free.
	class LayerBitrateMeter
	{
	public:
		static constexpr size_t MaxSpatialLayers{ BitrateAllocator::MaxSpatialLayers };
		static constexpr size_t MaxTemporalLayers{ BitrateAllocator::MaxTemporalLayers };
		static constexpr uint64_t WindowMs{ 1000u };

		enum class Stacking : uint8_t
		{
			SEPARATE,
			STACKED
		};

		using Bitrates = std::array<std::array<uint32_t, MaxTemporalLayers>, MaxSpatialLayers>;

	public:
		explicit LayerBitrateMeter(Stacking stacking) : stacking(stacking) {}

	public:
		void Update(uint8_t spatial, uint8_t temporal, size_t bytes, uint64_t nowMs);
		// Bits per second of that layer's own packets.
		uint32_t GetLayerBitrate(uint8_t spatial, uint8_t temporal, uint64_t nowMs) const;
		// What forwarding each layer costs (see above).
		Bitrates GetCosts(uint64_t nowMs) const;
		// Bit (s * MaxTemporalLayers + t) set for each layer with packets in
		// the window.
		uint16_t GetActiveMask(uint64_t nowMs) const;
		// The highest spatial layer with packets in the window.
		std::optional<uint8_t> GetHighestActiveSpatial(uint64_t nowMs) const;

	private:
		// Passed by argument.
		Stacking stacking{ Stacking::SEPARATE };
		// Others.
		// Reading a rate moves its window on.
		mutable std::array<std::array<RateCalculator, MaxTemporalLayers>, MaxSpatialLayers> rates;
	};
} // namespace RTC

#endif
