#define MS_CLASS "RTC::RtpSeqTracker"
// #define MS_LOG_DEV

#include "RTC/RtpSeqTracker.hpp"

#include "Logger.hpp"
#include "RTC/SeqNumber.hpp"

#include <algorithm>
#include <cinttypes>
#include <limits>

namespace RTC
{
	namespace
	{
		constexpr uint64_t SeqModulus{ 65536u };
		// No sequence number equals it (RFC 3550 A.1 RTP_SEQ_MOD + 1).
		constexpr uint32_t NoBadSeq{ SeqModulus + 1u };
		constexpr int64_t MinTotalLost{ -0x800000 };
		constexpr int64_t MaxTotalLost{ 0x7FFFFF };

		static_assert(RtpSeqTracker::HistorySize % 64u == 0u, "history is made of 64-bit words");
		static_assert(
			RtpSeqTracker::HistorySize > RtpSeqTracker::MaxMisorder,
			"the history must cover every reordered packet");

		uint32_t ClampToUint32(uint64_t value)
		{
			return static_cast<uint32_t>(std::min<uint64_t>(value, std::numeric_limits<uint32_t>::max()));
		}
	} // namespace

	/* Instance methods. */

	RtpSeqTracker::RtpSeqTracker(uint32_t clockRate, uint8_t minSequential)
			: clockRate(clockRate), minSequential(std::max<uint8_t>(minSequential, 1u))
	{
	}

	RtpSeqTracker::ReceiveResult
	RtpSeqTracker::ReceivePacket(uint16_t seq, uint32_t rtpTs, uint64_t arrivalMs)
	{
		const uint64_t nowMs = Now(arrivalMs);

		if (!this->started)
		{
			InitSeq(seq);

			this->started   = true;
			this->maxSeq    = static_cast<uint16_t>(seq - 1u);
			this->probation = this->minSequential;
		}

		if (!this->validated)
		{
			if (seq == static_cast<uint16_t>(this->maxSeq + 1u))
			{
				--this->probation;
				this->maxSeq = seq;

				if (this->probation == 0u)
				{
					InitSeq(seq);

					this->validated = true;
					++this->received;

					UpdateJitter(rtpTs, nowMs);

					MS_DEBUG_TAG(rtp, "source validated [seq:%" PRIu16 "]", seq);

					return ReceiveResult::ACCEPTED;
				}
			}
			else
			{
				// This packet is the first of a new run (minSequential is at least
				// 2 here: with 1, the first packet always validates).
				this->probation = this->minSequential - 1u;
				this->maxSeq    = seq;
			}

			++this->discarded;

			return ReceiveResult::PROBATION;
		}

		const auto udelta = static_cast<uint16_t>(seq - this->maxSeq);

		if (udelta == 0u)
		{
			++this->duplicated;

			return ReceiveResult::DUPLICATE;
		}
		else if (udelta < MaxDropout)
		{
			// In order, with a permissible gap.
			uint64_t newCycles = this->cycles;

			if (seq < this->maxSeq)
			{
				newCycles += SeqModulus;
			}

			AdvanceHistory(newCycles + seq);

			this->cycles = newCycles;
			this->maxSeq = seq;
			++this->received;

			UpdateJitter(rtpTs, nowMs);

			return ReceiveResult::ACCEPTED;
		}
		else if (udelta <= SeqModulus - MaxMisorder)
		{
			// A very large jump.
			if (seq == this->badSeq)
			{
				// Two sequential packets: the other side restarted without telling
				// us, so resync (as if this were the first packet).
				InitSeq(seq);

				++this->received;
				++this->restarts;

				UpdateJitter(rtpTs, nowMs);

				MS_DEBUG_TAG(rtp, "source restarted [seq:%" PRIu16 "]", seq);

				return ReceiveResult::RESTARTED;
			}

			this->badSeq = static_cast<uint16_t>(seq + 1u);
			++this->discarded;

			MS_DEBUG_DEV("large jump discarded [seq:%" PRIu16 ", max:%" PRIu16 "]", seq, this->maxSeq);

			return ReceiveResult::INVALID;
		}

		// Reordered (or duplicated) packet, at most MaxMisorder behind.
		const uint64_t behind      = SeqModulus - udelta;
		const uint64_t extendedMax = this->cycles + this->maxSeq;

		// Older than the first validated packet: outside the expected range, so
		// not counted (and not checked for duplicates).
		if (behind > extendedMax - this->baseSeq)
		{
			return ReceiveResult::OUT_OF_ORDER;
		}

		if (CheckAndMark(extendedMax - behind))
		{
			++this->duplicated;

			return ReceiveResult::DUPLICATE;
		}

		++this->received;

		return ReceiveResult::OUT_OF_ORDER;
	}

	RtpSeqTracker::ReceiveResult
	RtpSeqTracker::ReceiveRecoveredPacket(uint16_t seq, uint64_t arrivalMs)
	{
		Now(arrivalMs);

		if (!this->validated)
		{
			++this->discarded;

			return ReceiveResult::INVALID;
		}

		const int64_t distance = SeqDistance<uint16_t>(this->maxSeq, seq);

		if (distance == 0)
		{
			++this->duplicated;

			return ReceiveResult::DUPLICATE;
		}

		const uint64_t extendedMax = this->cycles + this->maxSeq;
		const auto behind          = static_cast<uint64_t>(-distance);

		// Newer than anything received, or older than the first packet: not a
		// hole we could have asked for.
		if (distance > 0 || behind > extendedMax - this->baseSeq)
		{
			++this->discarded;

			MS_DEBUG_DEV("recovered packet out of range [seq:%" PRIu16 "]", seq);

			return ReceiveResult::INVALID;
		}

		if (CheckAndMark(extendedMax - behind))
		{
			++this->duplicated;

			return ReceiveResult::DUPLICATE;
		}

		++this->received;

		return ReceiveResult::OUT_OF_ORDER;
	}

	void RtpSeqTracker::ReceiveSenderReport(uint32_t ntpMiddle32, uint64_t nowMs)
	{
		this->hasSenderReport  = true;
		this->lastSrNtpMiddle  = ntpMiddle32;
		this->lastSrReceivedMs = Now(nowMs);
	}

	std::optional<RtpSeqTracker::ReportBlock> RtpSeqTracker::GetReportBlock(uint64_t nowMs)
	{
		nowMs = Now(nowMs);

		if (!this->validated)
		{
			return std::nullopt;
		}

		ReportBlock block;

		const uint64_t expected = GetPacketsExpected();

		block.totalLost = static_cast<int32_t>(std::clamp<int64_t>(
			static_cast<int64_t>(expected) - static_cast<int64_t>(this->received),
			MinTotalLost,
			MaxTotalLost));

		// RFC 3550 A.3: fraction lost over the interval since the last report.
		const uint64_t expectedInterval = expected - this->expectedPrior;
		const uint64_t receivedInterval = this->received - this->receivedPrior;
		const int64_t lostInterval =
			static_cast<int64_t>(expectedInterval) - static_cast<int64_t>(receivedInterval);

		this->expectedPrior = expected;
		this->receivedPrior = this->received;

		if (expectedInterval != 0u && lostInterval > 0)
		{
			block.fractionLost = static_cast<uint8_t>(
				std::min<uint64_t>((static_cast<uint64_t>(lostInterval) << 8u) / expectedInterval, 255u));
		}

		block.expectedInInterval = ClampToUint32(expectedInterval);
		block.lostInInterval     = ClampToUint32(lostInterval > 0 ? lostInterval : 0);

		// Cycles count in the high 16 bits; the 32-bit field wraps after 2^16 cycles.
		block.highestSeqExtended = static_cast<uint32_t>(GetExtendedHighestSeq());
		block.jitter             = GetJitter();

		if (this->hasSenderReport)
		{
			block.lastSrTimestamp  = this->lastSrNtpMiddle;
			block.delaySinceLastSr = ClampToUint32((nowMs - this->lastSrReceivedMs) * 65536u / 1000u);
		}

		return block;
	}

	uint64_t RtpSeqTracker::GetPacketsExpected() const
	{
		if (!this->validated)
		{
			return 0u;
		}

		return GetExtendedHighestSeq() - this->baseSeq + 1u;
	}

	int64_t RtpSeqTracker::GetPacketsLost() const
	{
		return static_cast<int64_t>(GetPacketsExpected()) - static_cast<int64_t>(this->received);
	}

	uint32_t RtpSeqTracker::GetJitter() const
	{
		return ClampToUint32(this->jitterQ4 >> 4u);
	}

	void RtpSeqTracker::Reset()
	{
		*this = RtpSeqTracker(this->clockRate, this->minSequential);
	}

	void RtpSeqTracker::InitSeq(uint16_t seq)
	{
		this->baseSeq       = seq;
		this->maxSeq        = seq;
		this->badSeq        = NoBadSeq;
		this->cycles        = 0u;
		this->received      = 0u;
		this->receivedPrior = 0u;
		this->expectedPrior = 0u;
		this->hasTransit    = false;
		this->history.fill(0u);

		CheckAndMark(seq);
	}

	void RtpSeqTracker::AdvanceHistory(uint64_t newExtendedMax)
	{
		const uint64_t extendedMax = this->cycles + this->maxSeq;

		if (newExtendedMax - extendedMax >= HistorySize)
		{
			this->history.fill(0u);
		}
		else
		{
			for (uint64_t extendedSeq = extendedMax + 1u; extendedSeq < newExtendedMax; ++extendedSeq)
			{
				const uint64_t bit = extendedSeq % HistorySize;

				this->history[bit / 64u] &= ~(uint64_t{ 1u } << (bit % 64u));
			}
		}

		const uint64_t bit = newExtendedMax % HistorySize;

		this->history[bit / 64u] |= uint64_t{ 1u } << (bit % 64u);
	}

	bool RtpSeqTracker::CheckAndMark(uint64_t extendedSeq)
	{
		const uint64_t extendedMax = this->cycles + this->maxSeq;

		if (extendedMax - extendedSeq >= HistorySize)
		{
			return false;
		}

		const uint64_t bit  = extendedSeq % HistorySize;
		const uint64_t mask = uint64_t{ 1u } << (bit % 64u);

		if ((this->history[bit / 64u] & mask) != 0u)
		{
			return true;
		}

		this->history[bit / 64u] |= mask;

		return false;
	}

	void RtpSeqTracker::UpdateJitter(uint32_t rtpTs, uint64_t nowMs)
	{
		if (this->clockRate == 0u)
		{
			return;
		}

		// Arrival time in timestamp units, modulo 2^32 like the timestamps (split
		// so that the product cannot overflow).
		const auto arrival = static_cast<uint32_t>(
			(nowMs / 1000u) * this->clockRate + (nowMs % 1000u) * this->clockRate / 1000u);
		const auto transit = static_cast<int32_t>(arrival - rtpTs);

		if (!this->hasTransit)
		{
			this->hasTransit  = true;
			this->lastTransit = transit;

			return;
		}

		const int64_t diff = SeqDistance<uint32_t>(
			static_cast<uint32_t>(this->lastTransit), static_cast<uint32_t>(transit));
		const uint64_t d = static_cast<uint64_t>(diff < 0 ? -diff : diff);

		this->lastTransit = transit;

		if (d > static_cast<uint64_t>(this->clockRate) * MaxJitterSampleSeconds)
		{
			return;
		}

		// J += (|D| - J) / 16, with J kept times 16 (RFC 3550 A.8). (J + 8) >> 4
		// never exceeds J, so this cannot go below zero.
		this->jitterQ4 += d - ((this->jitterQ4 + 8u) >> 4u);
	}

	uint64_t RtpSeqTracker::Now(uint64_t nowMs)
	{
		this->lastNowMs = std::max(this->lastNowMs, nowMs);

		return this->lastNowMs;
	}
} // namespace RTC
