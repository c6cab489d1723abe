#define MS_CLASS "RTC::NackGenerator"
// #define MS_LOG_DEV

#include "RTC/NackGenerator.hpp"

#include "Logger.hpp"

#include <algorithm>
#include <cinttypes>

namespace RTC
{
	namespace
	{
		static_assert(NackGenerator::MaxRetries > 0u, "an entry must be requested at least once");
		static_assert(NackGenerator::MinRetryIntervalMs > 0u, "retries must move time forward");
	} // namespace

	/* Instance methods. */

	NackGenerator::NackGenerator()
	{
		this->entries.reserve(MaxNackPackets);
	}

	void NackGenerator::ReceivePacket(uint16_t seq, bool isKeyFrame, bool isRecovered, uint64_t nowMs)
	{
		nowMs = Now(nowMs);

		if (!this->started)
		{
			// A recovered packet cannot start the stream: we asked for nothing yet.
			if (isRecovered)
			{
				return;
			}

			this->started            = true;
			this->highestExtendedSeq = this->unwrapper.Unwrap(seq);

			return;
		}

		// Only an original packet may move the reference of the unwrapper.
		const uint64_t extendedSeq =
			isRecovered ? this->unwrapper.Peek(seq) : this->unwrapper.Unwrap(seq);

		if (extendedSeq > this->highestExtendedSeq)
		{
			if (isRecovered)
			{
				MS_DEBUG_DEV("recovered packet newer than the highest ignored [seq:%" PRIu16 "]", seq);

				return;
			}

			if (extendedSeq > this->highestExtendedSeq + 1u)
			{
				AddMissing(this->highestExtendedSeq + 1u, extendedSeq, nowMs);
			}

			this->highestExtendedSeq = extendedSeq;
		}
		else
		{
			const auto it = std::lower_bound(
				this->entries.begin(),
				this->entries.end(),
				extendedSeq,
				[](const Entry& entry, uint64_t value) { return entry.extendedSeq < value; });

			if (it != this->entries.end() && it->extendedSeq == extendedSeq)
			{
				OnEntryRemoved(*it);
				this->entries.erase(it);

				if (isRecovered)
				{
					++this->recoveredCount;
				}
				else
				{
					++this->lateCount;
				}
			}
		}

		if (isKeyFrame)
		{
			RemoveOlderThan(extendedSeq);
		}
	}

	std::vector<uint16_t> NackGenerator::GetNacks(uint64_t nowMs, uint32_t rttMs)
	{
		nowMs = Now(nowMs);

		this->retryIntervalMs = std::max(rttMs == 0u ? DefaultRttMs : rttMs, MinRetryIntervalMs);

		std::vector<uint16_t> seqs;
		size_t kept{ 0u };

		this->earliestSendCount = 0u;

		// Compacts the list in place while walking it.
		for (Entry& entry : this->entries)
		{
			const bool expired = nowMs - entry.createdAtMs >= MaxAgeMs;
			const bool due     = nowMs >= entry.nextSendMs;

			if (expired || (due && entry.requests >= MaxRetries))
			{
				++this->givenUpCount;

				continue;
			}

			if (due)
			{
				seqs.push_back(static_cast<uint16_t>(entry.extendedSeq));

				++entry.requests;
				entry.nextSendMs = nowMs + this->retryIntervalMs;
				++this->requestedCount;
			}

			// The walk gives the exact earliest send time for free.
			TrackEarliestSend(entry.nextSendMs);

			this->entries[kept++] = entry;
		}

		this->entries.resize(kept);

		return seqs;
	}

	std::optional<uint64_t> NackGenerator::GetNextDeadlineMs() const
	{
		if (this->entries.empty())
		{
			return std::nullopt;
		}

		// The first entry is the oldest (see AddMissing()).
		return std::min(this->earliestSendMs, this->entries.front().createdAtMs + MaxAgeMs);
	}

	bool NackGenerator::TakeKeyFrameRequired()
	{
		const bool required = this->keyFrameRequired;

		this->keyFrameRequired = false;

		return required;
	}

	void NackGenerator::Reset()
	{
		this->entries.clear();
		this->unwrapper.Reset();
		this->started            = false;
		this->highestExtendedSeq = 0u;
		this->keyFrameRequired   = false;
	}

	void NackGenerator::AddMissing(uint64_t from, uint64_t to, uint64_t nowMs)
	{
		const uint64_t missing = to - from;

		if (this->entries.size() + missing > MaxNackPackets)
		{
			RemoveExpired(nowMs);
		}

		if (this->entries.size() + missing > MaxNackPackets)
		{
			this->givenUpCount += this->entries.size();
			this->entries.clear();
			this->keyFrameRequired = true;
			++this->overflowCount;

			MS_DEBUG_TAG(
				rtx, "NACK list full, cleared, key frame required [missing:%" PRIu64 "]", missing);

			return;
		}

		// Gaps are found in time order (and time never goes back, see Now()),
		// so entries sorted by sequence number are sorted by creation time too.
		for (uint64_t extendedSeq = from; extendedSeq < to; ++extendedSeq)
		{
			this->entries.push_back(Entry{ extendedSeq, nowMs, nowMs, 0u });
		}

		// Due at once: no entry is due earlier than now.
		if (this->entries.size() == missing || nowMs < this->earliestSendMs)
		{
			this->earliestSendMs    = nowMs;
			this->earliestSendCount = missing;
		}
		else if (nowMs == this->earliestSendMs)
		{
			this->earliestSendCount += missing;
		}
	}

	void NackGenerator::RemoveOlderThan(uint64_t extendedSeq)
	{
		const auto it = std::lower_bound(
			this->entries.begin(),
			this->entries.end(),
			extendedSeq,
			[](const Entry& entry, uint64_t value) { return entry.extendedSeq < value; });

		for (auto removed = this->entries.begin(); removed != it; ++removed)
		{
			OnEntryRemoved(*removed);
		}

		this->entries.erase(this->entries.begin(), it);
	}

	void NackGenerator::RemoveExpired(uint64_t nowMs)
	{
		const auto removed = std::erase_if(
			this->entries, [nowMs](const Entry& entry) { return nowMs - entry.createdAtMs >= MaxAgeMs; });

		this->givenUpCount += removed;

		RecomputeEarliestSend();
	}

	void NackGenerator::OnEntryRemoved(const Entry& entry)
	{
		if (entry.nextSendMs == this->earliestSendMs && this->earliestSendCount > 0u)
		{
			--this->earliestSendCount;
		}
	}

	void NackGenerator::RecomputeEarliestSend()
	{
		this->earliestSendCount = 0u;

		for (const Entry& entry : this->entries)
		{
			TrackEarliestSend(entry.nextSendMs);
		}
	}

	void NackGenerator::TrackEarliestSend(uint64_t nextSendMs)
	{
		if (this->earliestSendCount == 0u || nextSendMs < this->earliestSendMs)
		{
			this->earliestSendMs    = nextSendMs;
			this->earliestSendCount = 1u;
		}
		else if (nextSendMs == this->earliestSendMs)
		{
			++this->earliestSendCount;
		}
	}

	uint64_t NackGenerator::Now(uint64_t nowMs)
	{
		this->lastNowMs = std::max(this->lastNowMs, nowMs);

		return this->lastNowMs;
	}
} // namespace RTC
