#ifndef MS_TEST_RTC_SCENARIO_LINK_HPP
#define MS_TEST_RTC_SCENARIO_LINK_HPP

#include "common.hpp"

#include <initializer_list>
#include <map>
#include <optional>
#include <random>
#include <utility>
#include <vector>

// Pieces to run two clock-free RTC cores against each other faster than real
// time: a one-way in-memory link with a fixed delay, optional random extra
// delay (reordering), seeded random loss and loss periods, and a helper to
// jump a virtual clock to the earliest thing that can happen next.
//
// Everything random comes from std::mt19937, whose output the standard fixes,
// turned into decisions with plain integer arithmetic (not the standard
// distributions, whose output is left to each library): a seed gives the same
// run everywhere.
namespace ScenarioLink
{
	// Loss applied to what is sent within [startMs, endMs).
	struct LossPeriod
	{
		uint64_t startMs{ 0u };
		uint64_t endMs{ 0u };
		double lossRate{ 0.0 };
	};

	struct LinkConfig
	{
		uint64_t delayMs{ 40u };
		// Extra delay drawn in [0, jitterMs] for each item; items overtake each
		// other when it exceeds their spacing.
		uint64_t jitterMs{ 0u };
		// Loss outside the loss periods.
		double lossRate{ 0.0 };
		std::vector<LossPeriod> lossPeriods;
		uint32_t seed{ 1u };
	};

	// Carries items of type T one way.
	template <typename T>
	class Link
	{
	public:
		explicit Link(LinkConfig config) : config(std::move(config)), random(this->config.seed) {}

	public:
		// Returns whether the item was put on the wire (false: lost).
		bool Send(T item, uint64_t nowMs)
		{
			++this->sent;

			if (Draw() < LossThreshold(nowMs))
			{
				++this->dropped;

				return false;
			}

			uint64_t deliverAtMs = nowMs + this->config.delayMs;

			if (this->config.jitterMs > 0u)
			{
				deliverAtMs += Draw() % (this->config.jitterMs + 1u);
			}

			// Equal times keep the sending order (multimap inserts at the end of
			// the equal range).
			this->inFlight.emplace(deliverAtMs, std::move(item));

			return true;
		}
		std::optional<uint64_t> GetNextDeliveryMs() const
		{
			if (this->inFlight.empty())
			{
				return std::nullopt;
			}

			return this->inFlight.begin()->first;
		}
		// Items due at nowMs, in delivery order.
		std::vector<T> TakeDue(uint64_t nowMs)
		{
			std::vector<T> due;

			while (!this->inFlight.empty() && this->inFlight.begin()->first <= nowMs)
			{
				due.push_back(std::move(this->inFlight.begin()->second));
				this->inFlight.erase(this->inFlight.begin());
				++this->delivered;
			}

			return due;
		}
		size_t GetInFlightCount() const { return this->inFlight.size(); }

	public:
		uint64_t sent{ 0u };
		uint64_t dropped{ 0u };
		uint64_t delivered{ 0u };

	private:
		uint64_t Draw() { return static_cast<uint64_t>(this->random()); }
		// Out of 2^32.
		uint64_t LossThreshold(uint64_t nowMs) const
		{
			double lossRate = this->config.lossRate;

			for (const auto& period : this->config.lossPeriods)
			{
				if (nowMs >= period.startMs && nowMs < period.endMs)
				{
					lossRate = period.lossRate;
				}
			}

			return static_cast<uint64_t>(lossRate * 4294967296.0);
		}

	private:
		LinkConfig config;
		std::mt19937 random;
		std::multimap<uint64_t, T> inFlight;
	};

	// The earliest of the given times, if any.
	inline std::optional<uint64_t> Earliest(std::initializer_list<std::optional<uint64_t>> times)
	{
		std::optional<uint64_t> earliest;

		for (const auto& time : times)
		{
			if (time && (!earliest || *time < *earliest))
			{
				earliest = time;
			}
		}

		return earliest;
	}

	// A virtual clock that only moves forward, by jumps to the next event.
	class VirtualClock
	{
	public:
		explicit VirtualClock(uint64_t startMs) : nowMs(startMs) {}

	public:
		uint64_t Now() const { return this->nowMs; }
		// Jumps to `nextMs` (a time in the past leaves the clock where it is).
		void AdvanceTo(uint64_t nextMs)
		{
			if (nextMs > this->nowMs)
			{
				this->nowMs = nextMs;
			}

			++this->steps;
		}
		uint64_t GetSteps() const { return this->steps; }

	private:
		uint64_t nowMs{ 0u };
		uint64_t steps{ 0u };
	};
} // namespace ScenarioLink

#endif
