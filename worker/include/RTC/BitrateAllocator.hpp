#ifndef MS_RTC_BITRATE_ALLOCATOR_HPP
#define MS_RTC_BITRATE_ALLOCATOR_HPP

#include "common.hpp"

#include <array>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace RTC
{
	// Splits a transport's available outgoing bitrate over its consumers: which
	// spatial/temporal layers each one is given.
	//
	// - Audio first: every audio consumer that is not paused is forwarded and
	//   its bitrate is taken off the budget, even when the budget is smaller
	//   (dropping audio never makes video fit, and audio is what users miss).
	// - Then video, highest priority first. Every video consumer first gets its
	//   lowest layer (highest priority first, as long as it fits), so a high
	//   priority one cannot leave the others black; then each priority in turn
	//   climbs one layer step at a time, round robin among equal priorities,
	//   until no further step fits; only then does the next priority climb.
	// - A consumer's steps are its available layers (bitrate > 0) within its
	//   preferredLayers, in (spatial, temporal) order, keeping only layers
	//   cheaper than every better one: a layer that costs as much as a better
	//   one is never worth choosing, and the steps' bitrates strictly increase.
	// - Stability: a step above what a consumer was last given needs
	//   UpHeadroomPercent of its layer's bitrate to spare, and the budget has to allow
	//   it for UpHoldUs without a break before it is given (the layer given is
	//   the lowest the budget allowed over that time), UpHoldAfterDownUs
	//   within RecentDownUs of a down-switch. Down-switches happen at once.
	//   A consumer the allocator has not seen (new, just resumed, or
	//   with no layer available last time) and that forwards nothing starts at
	//   once at what fits with headroom. While a consumer waits, the
	//   budget it is meant to take is not lent to others, which would only
	//   have to give it back.
	//
	// Cost: bucketing by priority is O(n + 256); each consumer takes at most
	// MaxSpatialLayers * MaxTemporalLayers steps and leaves its round once, so
	// one call is O(n * L) with L = 16, whatever the budget.
	//
	// Clock-free: time is an argument in microseconds. Only the consumers given
	// in the last call are remembered.
	class BitrateAllocator
	{
	public:
		// Bounds of the layer ladder an entry can describe.
		static constexpr size_t MaxSpatialLayers{ 4u };
		static constexpr size_t MaxTemporalLayers{ 4u };
		// A step above the last given layer needs this fraction of the new
		// layer's bitrate to spare: estimates wander by about 10 %.
		static constexpr uint64_t UpHeadroomPercent{ 15u };
		// How long the budget has to allow an up-switch. Long enough for an
		// estimate's noise to show both ways (GCC updates every 100-200 ms and
		// a probe or loss report every second or so), short enough that a
		// receiver whose link recovered is back at full quality in seconds.
		static constexpr uint64_t UpHoldUs{ 2500000u };
		// Within RecentDownUs of a down-switch, an up-switch needs the budget
		// for UpHoldAfterDownUs: a layer just left because the path could not
		// carry it is not tried again at once (each try costs a key frame and
		// loss on a full link).
		static constexpr uint64_t RecentDownUs{ 10000000u };
		static constexpr uint64_t UpHoldAfterDownUs{ 6000000u };

		enum class Kind : uint8_t
		{
			Audio,
			Video,
		};

		struct Layers
		{
			uint8_t spatial{ 0u };
			uint8_t temporal{ 0u };

			bool operator==(const Layers& other) const = default;
		};

		struct Entry
		{
			std::string id;
			Kind kind{ Kind::Video };
			// 1..255; 0 counts as 1.
			uint8_t priority{ 1u };
			bool paused{ false };
			// bitrates[spatial][temporal]: what forwarding this layer costs
			// (bit/s, everything a receiver at this layer gets), 0 = not being
			// received now. Audio and single-layer video use [0][0].
			std::array<std::array<uint32_t, MaxTemporalLayers>, MaxSpatialLayers> bitrates{};
			// Upper bound of what may be given; none = no bound.
			std::optional<Layers> preferredLayers;
			// What the consumer forwards now; used only when the allocator has
			// not seen it yet.
			std::optional<Layers> currentLayers;
		};

		struct Allocation
		{
			// none: not forwarded (paused, or not enough even for the lowest
			// layer). Audio is given {0, 0}.
			std::optional<Layers> layers;
			// Bitrate of the given layer (0 with none).
			uint32_t bitrate{ 0u };
		};

		struct Result
		{
			// One per entry, in the entries' order.
			std::vector<Allocation> allocations;
			// Sum of the allocations' bitrates (above the budget only when
			// audio alone is).
			uint64_t usedBitrate{ 0u };
			// What all consumers would take at their preferred layers.
			uint64_t desiredBitrate{ 0u };
		};

	public:
		// What the consumers would take if bandwidth were no limit: each one
		// not paused at its highest step.
		static uint64_t GetDesiredBitrate(std::span<const Entry> entries);

	public:
		Result Allocate(uint64_t availableBitrate, std::span<const Entry> entries, uint64_t nowUs);
		// How many consumers are remembered (those of the last call).
		size_t GetRememberedCount() const { return this->states.size(); }

	private:
		struct Step
		{
			Layers layers;
			uint32_t bitrate{ 0u };
		};

		struct Ladder
		{
			std::array<Step, MaxSpatialLayers * MaxTemporalLayers> steps{};
			uint8_t count{ 0u };
		};

		struct State
		{
			// What was given last; none = nothing (the budget did not allow it).
			std::optional<Layers> given;
			// Since when the budget has allowed more than `given`, and the
			// lowest it allowed over that time.
			std::optional<uint64_t> upSinceUs;
			Layers upLowest;
			// When it was last switched down.
			std::optional<uint64_t> lastDownUs;
		};

		static Ladder BuildLadder(const Entry& entry);
		// Index + 1 of the highest step not above `layers`; 0 = none.
		static uint8_t LevelOf(const Ladder& ladder, const std::optional<Layers>& layers);

	private:
		std::unordered_map<std::string, State> states;
	};
} // namespace RTC

#endif
