#define MS_CLASS "RTC::SeqNumberRewriter"

#include "RTC/SeqNumberRewriter.hpp"

#include <algorithm>

namespace RTC
{
	void SeqNumberRewriter::Sync(uint16_t seq, uint16_t outSeq)
	{
		this->unwrapper.Reset();
		this->syncExtended     = this->unwrapper.Unwrap(seq);
		this->syncOut          = outSeq;
		this->horizon          = this->syncExtended - 1u;
		this->highestForwarded = 0u;
		this->forwardedAny     = false;
		this->drops.clear();
		this->forgottenDrops = 0u;
		this->synced         = true;
	}

	SeqNumberRewriter::Place SeqNumberRewriter::Classify(uint16_t seq, uint64_t& extended)
	{
		const uint64_t newest = this->unwrapper.GetNewest();

		extended = this->unwrapper.Peek(seq);

		if (extended > newest)
		{
			this->unwrapper.Unwrap(seq);

			return Place::NEWEST;
		}

		if (extended + LateWindow < newest)
		{
			// A jump: continue right after the last number given.
			const uint16_t next =
				this->forwardedAny ? static_cast<uint16_t>(this->highestOut + 1u) : this->syncOut;

			Sync(seq, next);
			extended = this->syncExtended;

			return Place::NEWEST;
		}

		if (extended <= this->horizon)
		{
			return Place::REFUSED;
		}

		// Includes the newest arriving again (a duplicate).
		return Place::LATE;
	}

	uint64_t SeqNumberRewriter::DropsBelow(uint64_t extended) const
	{
		const auto it = std::lower_bound(this->drops.begin(), this->drops.end(), extended);

		return this->forgottenDrops + static_cast<uint64_t>(it - this->drops.begin());
	}

	uint16_t SeqNumberRewriter::OutFor(uint64_t extended) const
	{
		const uint64_t steps = extended - this->syncExtended - DropsBelow(extended);

		return static_cast<uint16_t>(this->syncOut + steps);
	}

	void SeqNumberRewriter::Prune()
	{
		const uint64_t newest = this->unwrapper.GetNewest();

		// Older than the window: nothing behind them is numbered any more.
		while (!this->drops.empty() &&
					 (this->drops.front() + LateWindow < newest || this->drops.size() > MaxTrackedDrops))
		{
			this->horizon = std::max(this->horizon, this->drops.front());
			this->drops.pop_front();
			++this->forgottenDrops;
		}

		if (newest > LateWindow)
		{
			this->horizon = std::max(this->horizon, newest - LateWindow - 1u);
		}
	}

	std::optional<uint16_t> SeqNumberRewriter::Forward(uint16_t seq)
	{
		if (!this->synced)
		{
			return std::nullopt;
		}

		uint64_t extended{ 0u };
		const Place place = Classify(seq, extended);

		if (place == Place::REFUSED)
		{
			return std::nullopt;
		}

		// A late packet already dropped once (a duplicate): its number went to
		// the next one.
		if (
			place == Place::LATE && std::binary_search(this->drops.begin(), this->drops.end(), extended))
		{
			return std::nullopt;
		}

		const uint16_t out = OutFor(extended);

		if (!this->forwardedAny || extended > this->highestForwarded)
		{
			this->highestForwarded = extended;
			this->highestOut       = out;
			this->forwardedAny     = true;
		}

		Prune();

		return out;
	}

	std::optional<uint16_t> SeqNumberRewriter::Drop(uint16_t seq)
	{
		if (!this->synced)
		{
			return std::nullopt;
		}

		uint64_t extended{ 0u };
		const Place place = Classify(seq, extended);

		if (place == Place::REFUSED)
		{
			return std::nullopt;
		}

		if (std::binary_search(this->drops.begin(), this->drops.end(), extended))
		{
			return std::nullopt;
		}

		// Nothing newer was numbered yet: take it out of the count.
		if (!this->forwardedAny || extended > this->highestForwarded)
		{
			this->drops.insert(
				std::upper_bound(this->drops.begin(), this->drops.end(), extended), extended);
			Prune();

			return std::nullopt;
		}

		// Its number is taken by the numbering of newer packets.
		return OutFor(extended);
	}
} // namespace RTC
