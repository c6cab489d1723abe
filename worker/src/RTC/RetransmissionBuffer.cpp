#define MS_CLASS "RTC::RetransmissionBuffer"
// #define MS_LOG_DEV

#include "RTC/RetransmissionBuffer.hpp"

#include "Logger.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <utility>

namespace RTC
{
	namespace
	{
		static_assert(
			RetransmissionBuffer::RestartDistance > RetransmissionBuffer::MaxPackets,
			"a restart must lie beyond any window");
		static_assert(
			RetransmissionBuffer::RestartDistance < 32768u,
			"farther back than half the numbering is seen as forward");
	} // namespace

	/* Instance methods. */

	RetransmissionBuffer::RetransmissionBuffer(size_t capacity, uint32_t maxAgeMs)
			: maxAgeMs(maxAgeMs), slots(std::clamp<size_t>(capacity, 1u, MaxPackets))
	{
	}

	RetransmissionBuffer::InsertResult RetransmissionBuffer::Insert(
		uint16_t seq, uint32_t rtpTs, std::span<const uint8_t> packet, uint64_t nowMs)
	{
		nowMs = Now(nowMs);

		if (packet.size() > MaxPacketSize)
		{
			++this->tooBigCount;

			MS_DEBUG_DEV("packet too big to store [seq:%" PRIu16 ", size:%zu]", seq, packet.size());

			return InsertResult::TOO_BIG;
		}

		const size_t capacity = this->slots.size();
		auto result           = InsertResult::STORED;
		uint64_t extendedSeq{ 0u };

		if (!this->unwrapper.HasStarted())
		{
			extendedSeq = this->unwrapper.Unwrap(seq);
		}
		else
		{
			const uint64_t newest = this->unwrapper.GetNewest();

			extendedSeq = this->unwrapper.Peek(seq);

			if (extendedSeq > newest)
			{
				// The window moves forward: the slots it enters held the packets
				// that now fall out of it (all of them after a jump of a whole ring).
				const uint64_t steps = std::min<uint64_t>(extendedSeq - newest, capacity);

				for (uint64_t i = 1u; i <= steps; ++i)
				{
					Release(this->slots[(newest + i) % capacity]);
				}

				this->unwrapper.Unwrap(seq);
			}
			else if (newest - extendedSeq >= RestartDistance)
			{
				MS_DEBUG_TAG(
					rtx, "sequence number far behind the newest, buffer restarted [seq:%" PRIu16 "]", seq);

				Clear();

				extendedSeq = this->unwrapper.Unwrap(seq);
				result      = InsertResult::RESTARTED;
			}
			else if (newest - extendedSeq >= capacity)
			{
				++this->tooOldCount;

				return InsertResult::TOO_OLD;
			}
		}

		Slot& slot = this->slots[extendedSeq % capacity];

		// Within the window a slot holds nothing or this very packet (a
		// duplicate insertion, which replaces it).
		if (slot.used && slot.extendedSeq != extendedSeq)
		{
			Release(slot);
		}

		if (!slot.used)
		{
			++this->storedCount;
		}

		if (!packet.empty())
		{
			std::memcpy(slot.data.data(), packet.data(), packet.size());
		}

		slot.length         = packet.size();
		slot.extendedSeq    = extendedSeq;
		slot.rtpTs          = rtpTs;
		slot.sentAtMs       = nowMs;
		slot.lastResentAtMs = 0u;
		slot.resendCount    = 0u;
		slot.used           = true;

		return result;
	}

	std::optional<std::span<const uint8_t>>
	RetransmissionBuffer::GetForResend(uint16_t seq, uint64_t nowMs, uint32_t rttMs)
	{
		auto bytes = FindForResend(seq, nowMs, rttMs);

		if (bytes)
		{
			MarkResent(seq, nowMs);
		}

		return bytes;
	}

	std::optional<std::span<const uint8_t>>
	RetransmissionBuffer::FindForResend(uint16_t seq, uint64_t nowMs, uint32_t rttMs)
	{
		nowMs = Now(nowMs);

		Slot* slot = Find(seq);

		if (!slot)
		{
			return std::nullopt;
		}

		if (nowMs - slot->sentAtMs > this->maxAgeMs)
		{
			return std::nullopt;
		}

		if (slot->resendCount >= MaxResends)
		{
			++this->suppressedCount;

			MS_DEBUG_DEV("resent %" PRIu32 " times already [seq:%" PRIu16 "]", slot->resendCount, seq);

			return std::nullopt;
		}

		if (slot->resendCount > 0u && nowMs - slot->lastResentAtMs < std::max(rttMs, MinRttMs))
		{
			++this->suppressedCount;

			MS_DEBUG_DEV("resent less than an RTT ago [seq:%" PRIu16 "]", seq);

			return std::nullopt;
		}

		return std::span<const uint8_t>(slot->data.data(), slot->length);
	}

	void RetransmissionBuffer::MarkResent(uint16_t seq, uint64_t nowMs)
	{
		nowMs = Now(nowMs);

		Slot* slot = Find(seq);

		if (!slot)
		{
			return;
		}

		slot->lastResentAtMs = nowMs;
		++slot->resendCount;
	}

	void RetransmissionBuffer::Clear()
	{
		for (Slot& slot : this->slots)
		{
			Release(slot);
		}

		this->unwrapper.Reset();
	}

	uint32_t RetransmissionBuffer::GetResendCount(uint16_t seq) const
	{
		const Slot* slot = Find(seq);

		return slot ? slot->resendCount : 0u;
	}

	std::optional<uint32_t> RetransmissionBuffer::GetRtpTimestamp(uint16_t seq) const
	{
		const Slot* slot = Find(seq);

		if (!slot)
		{
			return std::nullopt;
		}

		return slot->rtpTs;
	}

	RetransmissionBuffer::Slot* RetransmissionBuffer::Find(uint16_t seq)
	{
		return const_cast<Slot*>(std::as_const(*this).Find(seq));
	}

	const RetransmissionBuffer::Slot* RetransmissionBuffer::Find(uint16_t seq) const
	{
		if (!this->unwrapper.HasStarted())
		{
			return nullptr;
		}

		const uint64_t newest      = this->unwrapper.GetNewest();
		const uint64_t extendedSeq = this->unwrapper.Peek(seq);

		if (extendedSeq > newest || newest - extendedSeq >= this->slots.size())
		{
			return nullptr;
		}

		const Slot& slot = this->slots[extendedSeq % this->slots.size()];

		if (!slot.used || slot.extendedSeq != extendedSeq)
		{
			return nullptr;
		}

		return &slot;
	}

	void RetransmissionBuffer::Release(Slot& slot)
	{
		if (slot.used)
		{
			slot.used   = false;
			slot.length = 0u;
			--this->storedCount;
		}
	}

	uint64_t RetransmissionBuffer::Now(uint64_t nowMs)
	{
		this->lastNowMs = std::max(this->lastNowMs, nowMs);

		return this->lastNowMs;
	}
} // namespace RTC
