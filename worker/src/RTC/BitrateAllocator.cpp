#define MS_CLASS "RTC::BitrateAllocator"

#include "RTC/BitrateAllocator.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		bool IsAbove(const BitrateAllocator::Layers& a, const BitrateAllocator::Layers& b)
		{
			return a.spatial != b.spatial ? a.spatial > b.spatial : a.temporal > b.temporal;
		}
	} // namespace

	BitrateAllocator::Ladder BitrateAllocator::BuildLadder(const Entry& entry)
	{
		Ladder ladder;

		// Audio has no layers to choose and is forwarded even before its
		// bitrate is known.
		if (entry.kind == Kind::Audio)
		{
			ladder.steps[0] = Step{ Layers{ 0u, 0u }, entry.bitrates[0][0] };
			ladder.count    = 1u;

			return ladder;
		}

		// Walk from the best layer down, keeping a layer only when it is cheaper
		// than everything better that was kept, then reverse into ascending order.
		std::optional<uint32_t> cheapestAbove;

		for (size_t s = MaxSpatialLayers; s-- > 0u;)
		{
			for (size_t t = MaxTemporalLayers; t-- > 0u;)
			{
				const Layers layers{ static_cast<uint8_t>(s), static_cast<uint8_t>(t) };
				const uint32_t bitrate = entry.bitrates[s][t];

				if (bitrate == 0u)
				{
					continue;
				}
				if (entry.preferredLayers && IsAbove(layers, *entry.preferredLayers))
				{
					continue;
				}
				if (cheapestAbove && bitrate >= *cheapestAbove)
				{
					continue;
				}

				ladder.steps[ladder.count++] = Step{ layers, bitrate };
				cheapestAbove                = bitrate;
			}
		}

		std::reverse(ladder.steps.begin(), ladder.steps.begin() + ladder.count);

		return ladder;
	}

	uint8_t BitrateAllocator::LevelOf(const Ladder& ladder, const std::optional<Layers>& layers)
	{
		if (!layers)
		{
			return 0u;
		}

		uint8_t level{ 0u };

		while (level < ladder.count && !IsAbove(ladder.steps[level].layers, *layers))
		{
			++level;
		}

		return level;
	}

	uint64_t BitrateAllocator::GetDesiredBitrate(std::span<const Entry> entries)
	{
		uint64_t desired{ 0u };

		for (const auto& entry : entries)
		{
			if (entry.paused)
			{
				continue;
			}

			const Ladder ladder = BuildLadder(entry);

			if (ladder.count > 0u)
			{
				desired += ladder.steps[ladder.count - 1u].bitrate;
			}
		}

		return desired;
	}

	BitrateAllocator::Result BitrateAllocator::Allocate(
		uint64_t availableBitrate, std::span<const Entry> entries, uint64_t nowUs)
	{
		const size_t count = entries.size();
		Result result;

		result.allocations.resize(count);

		std::vector<Ladder> ladders(count);
		// Level of a consumer: 0 = nothing, k = ladder step k - 1.
		std::vector<uint8_t> wanted(count, 0u);
		std::vector<uint8_t> reference(count, 0u);
		// Consumers seen neither by us nor forwarding anything start at once.
		std::vector<bool> fresh(count, false);
		// Video consumers that take part, by priority (highest first), then in
		// the entries' order: a counting sort, linear in their number.
		std::vector<size_t> order;
		std::array<size_t, 257u> firstOfPriority{};

		uint64_t remaining = availableBitrate;

		for (size_t i{ 0u }; i < count; ++i)
		{
			const auto& entry = entries[i];

			if (entry.paused)
			{
				continue;
			}

			ladders[i] = BuildLadder(entry);

			const auto& ladder = ladders[i];

			if (ladder.count == 0u)
			{
				continue;
			}

			result.desiredBitrate += ladder.steps[ladder.count - 1u].bitrate;

			if (entry.kind == Kind::Audio)
			{
				// Audio is always given, and first.
				wanted[i] = 1u;
				remaining -= std::min(remaining, static_cast<uint64_t>(ladder.steps[0].bitrate));

				continue;
			}

			const auto it = this->states.find(entry.id);

			if (it != this->states.end())
			{
				reference[i] = LevelOf(ladder, it->second.given);
			}
			else if (entry.currentLayers)
			{
				reference[i] = LevelOf(ladder, entry.currentLayers);
			}
			else
			{
				fresh[i] = true;
			}

			const uint8_t priority = std::max<uint8_t>(entry.priority, 1u);

			// Counted at 255 - priority so that the highest comes first.
			++firstOfPriority[255u - priority];
		}

		// Turn the counts into start offsets.
		size_t total{ 0u };

		for (auto& slot : firstOfPriority)
		{
			const size_t n = slot;

			slot = total;
			total += n;
		}

		order.resize(total);

		{
			auto next = firstOfPriority;

			for (size_t i{ 0u }; i < count; ++i)
			{
				const auto& entry = entries[i];

				if (entry.paused || entry.kind != Kind::Video || ladders[i].count == 0u)
				{
					continue;
				}

				const uint8_t priority = std::max<uint8_t>(entry.priority, 1u);

				order[next[255u - priority]++] = i;
			}
		}

		// Take consumer i one step up if the budget allows it.
		auto climb = [&](size_t i) -> bool
		{
			const auto& ladder  = ladders[i];
			const uint8_t level = wanted[i];

			if (level >= ladder.count)
			{
				return false;
			}

			const uint32_t bitrate  = ladder.steps[level].bitrate;
			const uint32_t previous = level > 0u ? ladder.steps[level - 1u].bitrate : 0u;
			const uint64_t delta    = bitrate - previous;
			// Keeping what it has needs no spare; going above it does.
			const uint64_t spare = level < reference[i] ? 0u : bitrate * UpHeadroomPercent / 100u;

			if (remaining < delta + spare)
			{
				return false;
			}

			remaining -= delta;
			++wanted[i];

			return true;
		};

		// The lowest layer for everyone first.
		for (const size_t i : order)
		{
			climb(i);
		}

		// Then each priority climbs in turn, one step at a time round robin.
		// The budget only shrinks, so a consumer whose next step does not fit
		// now never will in this call and leaves the round.
		std::vector<size_t> round;

		for (size_t p{ 0u }; p < 256u; ++p)
		{
			const size_t begin = firstOfPriority[p];
			const size_t end   = firstOfPriority[p + 1u];

			round.clear();

			for (size_t k = begin; k < end; ++k)
			{
				if (wanted[order[k]] > 0u)
				{
					round.push_back(order[k]);
				}
			}

			while (!round.empty())
			{
				size_t kept{ 0u };

				for (const size_t i : round)
				{
					if (climb(i))
					{
						round[kept++] = i;
					}
				}

				round.resize(kept);
			}
		}

		// Hold up-switches until the budget has allowed them for long enough.
		std::unordered_map<std::string, State> nextStates;

		nextStates.reserve(total);

		for (const size_t i : order)
		{
			const auto& ladder = ladders[i];
			State state;
			const auto it = this->states.find(entries[i].id);

			if (it != this->states.end())
			{
				state = it->second;
			}

			uint8_t level = wanted[i];

			if (fresh[i] || level <= reference[i])
			{
				state.upSinceUs.reset();
			}
			else
			{
				uint8_t lowest = level;

				// Time going back counts as none passing.
				if (state.upSinceUs && nowUs >= *state.upSinceUs)
				{
					lowest =
						std::max<uint8_t>(std::min(level, LevelOf(ladder, state.upLowest)), reference[i] + 1u);
				}
				else
				{
					state.upSinceUs = nowUs;
				}

				// Just back from a down-switch: the path showed it could not carry
				// more a moment ago, and going up again costs a key frame.
				const bool recentlyDown = state.lastDownUs && nowUs >= *state.lastDownUs &&
																	nowUs - *state.lastDownUs < RecentDownUs;
				const uint64_t holdUs = recentlyDown ? UpHoldAfterDownUs : UpHoldUs;

				if (nowUs - *state.upSinceUs >= holdUs)
				{
					level = lowest;

					// More than that has been allowed only since now.
					if (wanted[i] > level)
					{
						state.upSinceUs = nowUs;
						state.upLowest  = ladder.steps[wanted[i] - 1u].layers;
					}
					else
					{
						state.upSinceUs.reset();
					}
				}
				else
				{
					level          = reference[i];
					state.upLowest = ladder.steps[lowest - 1u].layers;
				}
			}

			if (!fresh[i] && level < reference[i])
			{
				state.lastDownUs = nowUs;
			}

			if (level > 0u)
			{
				state.given = ladder.steps[level - 1u].layers;
			}
			else
			{
				state.given.reset();
			}

			wanted[i]                 = level;
			nextStates[entries[i].id] = state;
		}

		this->states = std::move(nextStates);

		for (size_t i{ 0u }; i < count; ++i)
		{
			const uint8_t level = wanted[i];

			if (level == 0u)
			{
				continue;
			}

			const auto& step = ladders[i].steps[level - 1u];

			result.allocations[i] = Allocation{ step.layers, step.bitrate };
			result.usedBitrate += step.bitrate;
		}

		return result;
	}
} // namespace RTC
