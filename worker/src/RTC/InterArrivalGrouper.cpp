#define MS_CLASS "RTC::InterArrivalGrouper"
// #define MS_LOG_DEV

#include "RTC/InterArrivalGrouper.hpp"

#include "Logger.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		uint64_t Distance(uint64_t a, uint64_t b)
		{
			return a > b ? a - b : b - a;
		}
	} // namespace

	InterArrivalGrouper::Result
	InterArrivalGrouper::AddPacket(uint64_t sendUs, uint64_t arrivalUs, size_t size)
	{
		if (!this->current)
		{
			Start(sendUs, arrivalUs, size);

			return Result::Pending;
		}

		auto& group = *this->current;

		// Arrival times come from our own clock: earlier than the last one is
		// the caller's bug or a clock step, and counts as no time passing.
		if (arrivalUs < group.lastArrivalUs)
		{
			arrivalUs = group.lastArrivalUs;
		}

		if (
			arrivalUs - group.lastArrivalUs > MaxArrivalGapUs ||
			Distance(sendUs, group.lastSendUs) > MaxSendJumpUs)
		{
			MS_DEBUG_TAG(bwe, "send or arrival time jumped, inter-arrival groups start over");

			this->resetCount++;
			this->previous.reset();
			Start(sendUs, arrivalUs, size);

			return Result::Reset;
		}

		if (sendUs < group.firstSendUs)
		{
			this->reorderedCount++;

			return Result::Reordered;
		}

		if (sendUs - group.firstSendUs <= BurstUs || BelongsToBurst(sendUs, arrivalUs))
		{
			group.lastSendUs    = std::max(group.lastSendUs, sendUs);
			group.lastArrivalUs = arrivalUs;
			group.size += std::min(size, MaxPacketSize);

			return Result::Pending;
		}

		// The current group is complete: compare it with the one before.
		const bool hadPrevious = this->previous.has_value();

		if (hadPrevious)
		{
			const auto& older = *this->previous;

			this->deltas.sendDeltaUs =
				static_cast<int64_t>(group.lastSendUs) - static_cast<int64_t>(older.lastSendUs);
			this->deltas.arrivalDeltaUs =
				static_cast<int64_t>(group.lastArrivalUs) - static_cast<int64_t>(older.lastArrivalUs);
			this->deltas.sizeDelta = static_cast<int64_t>(group.size) - static_cast<int64_t>(older.size);
			this->deltas.arrivalUs = group.lastArrivalUs;
		}

		this->previous = group;
		Start(sendUs, arrivalUs, size);

		return hadPrevious ? Result::Deltas : Result::Pending;
	}

	void InterArrivalGrouper::Reset()
	{
		this->current.reset();
		this->previous.reset();
	}

	void InterArrivalGrouper::Start(uint64_t sendUs, uint64_t arrivalUs, size_t size)
	{
		this->current = Group{ sendUs, sendUs, arrivalUs, arrivalUs, std::min(size, MaxPacketSize) };
	}

	bool InterArrivalGrouper::BelongsToBurst(uint64_t sendUs, uint64_t arrivalUs) const
	{
		const auto& group = *this->current;

		const uint64_t arrivalDeltaUs = arrivalUs - group.lastArrivalUs;
		// Sent before the group's last packet: its send delta counts as 0.
		const uint64_t sendDeltaUs = sendUs > group.lastSendUs ? sendUs - group.lastSendUs : 0u;

		return arrivalDeltaUs < sendDeltaUs && arrivalDeltaUs <= BurstUs &&
					 arrivalUs - group.firstArrivalUs < MaxBurstDurationUs;
	}
} // namespace RTC
