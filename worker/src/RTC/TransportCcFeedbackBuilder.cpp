#define MS_CLASS "RTC::TransportCcFeedbackBuilder"
// #define MS_LOG_DEV

#include "RTC/TransportCcFeedbackBuilder.hpp"

#include "Logger.hpp"
#include "RTC/RTCP/TransportWideCc.hpp"
#include "Utils/Byte.hpp"

#include <algorithm>
#include <limits>

namespace RTC
{
	using Status = RTCP::TransportWideCc::Status;

	namespace
	{
		constexpr uint64_t DeltaUnitsPerReferenceUnit{ TransportCcFeedbackBuilder::ReferenceTimeUnitUs /
																									 TransportCcFeedbackBuilder::DeltaUnitUs };
		constexpr uint64_t ReferenceTimeMask{ 0xFFFFFFu };
		constexpr uint64_t MaxStatusCount{ std::numeric_limits<uint16_t>::max() };

		// Arrival times in delta units: deltas are differences of these, so
		// rounding never accumulates.
		int64_t ToDeltaUnits(uint64_t arrivalUs)
		{
			return static_cast<int64_t>(arrivalUs / TransportCcFeedbackBuilder::DeltaUnitUs);
		}
	} // namespace

	/* Instance methods. */

	void TransportCcFeedbackBuilder::ReceivePacket(uint16_t wideSeqNumber, uint64_t arrivalUs)
	{
		uint64_t extendedSeq = this->unwrapper.Unwrap(wideSeqNumber);

		if (this->nextSeq && extendedSeq < *this->nextSeq)
		{
			// No reordering is that deep: the sender's sequence started over
			// (or jumped). Follow it, or no feedback would ever come again.
			if (*this->nextSeq - extendedSeq > MaxMissingRun)
			{
				MS_DEBUG_TAG(
					bwe,
					"transport-wide sequence number jumped back to %" PRIu16 ", restarting",
					wideSeqNumber);

				this->pending.clear();
				this->nextSeq.reset();
				this->promptUs.reset();
				this->unwrapper = SeqNumberUnwrapper{};
				extendedSeq     = this->unwrapper.Unwrap(wideSeqNumber);
				this->restartCount++;
			}
			else
			{
				MS_DEBUG_DEV("late arrival of %" PRIu16 " ignored", wideSeqNumber);

				this->lateCount++;

				return;
			}
		}

		if (this->pending.empty())
		{
			this->firstPendingUs = arrivalUs;
		}

		// In order: the usual case, no search.
		if (this->pending.empty() || extendedSeq > this->pending.back().extendedSeq)
		{
			this->pending.push_back({ extendedSeq, arrivalUs });
		}
		else
		{
			const auto it =
				std::ranges::lower_bound(this->pending, extendedSeq, std::less{}, &Arrival::extendedSeq);

			if (it != this->pending.end() && it->extendedSeq == extendedSeq)
			{
				this->duplicateCount++;

				return;
			}

			this->pending.insert(it, { extendedSeq, arrivalUs });
		}

		if (this->pending.size() > MaxPendingArrivals)
		{
			// The oldest counts as covered: if it comes again it is late.
			this->nextSeq = this->pending.front().extendedSeq + 1u;
			this->pending.erase(this->pending.begin());
			this->overflowCount++;
		}

		if (!this->promptUs && this->pending.size() >= PromptFeedbackArrivals)
		{
			this->promptUs = arrivalUs;
		}
	}

	std::optional<uint64_t> TransportCcFeedbackBuilder::GetNextDeadlineUs() const
	{
		if (this->pending.empty())
		{
			return std::nullopt;
		}

		const uint64_t cadenceUs =
			this->lastBuildUs.value_or(this->firstPendingUs) + FeedbackIntervalUs;

		return this->promptUs ? std::min(*this->promptUs, cadenceUs) : cadenceUs;
	}

	size_t TransportCcFeedbackBuilder::BuildFeedback(
		uint64_t nowUs,
		uint32_t senderSsrc,
		uint32_t mediaSsrc,
		size_t maxPacketSize,
		const OnPacket& onPacket)
	{
		if (this->pending.empty() || maxPacketSize < MinPacketSize)
		{
			return 0u;
		}

		maxPacketSize = std::min(maxPacketSize, RTCP::CommonHeader::MaxPacketSize);

		const size_t fixedSize = RTCP::FeedbackHeader::Size + RTCP::TransportWideCc::FixedFciSize;
		// Where each feedback starts: where the last one ended, unless a jump
		// lies between (see MaxMissingRun).
		const auto startAt = [](uint64_t endSeq, uint64_t firstReceived)
		{
			return firstReceived - endSeq > MaxMissingRun ? firstReceived : endSeq;
		};
		size_t built{ 0u };
		size_t index{ 0u };
		uint64_t seq =
			startAt(this->nextSeq.value_or(this->pending[0].extendedSeq), this->pending[0].extendedSeq);

		while (index < this->pending.size())
		{
			const uint64_t baseSeq = seq;
			// The first received packet's arrival, in 64 ms units (its own delta
			// is then 0..255, a small one).
			const uint64_t referenceTime =
				static_cast<uint64_t>(ToDeltaUnits(this->pending[index].arrivalUs)) /
				DeltaUnitsPerReferenceUnit;
			int64_t previous = static_cast<int64_t>(referenceTime * DeltaUnitsPerReferenceUnit);

			this->encoder.Reset();
			this->deltas.clear();

			for (; index < this->pending.size(); ++index)
			{
				const Arrival& arrival = this->pending[index];
				const uint64_t missing = arrival.extendedSeq - seq;
				const int64_t delta    = ToDeltaUnits(arrival.arrivalUs) - previous;

				if (missing > MaxMissingRun)
				{
					break;
				}

				if (
					delta < std::numeric_limits<int16_t>::min() ||
					delta > std::numeric_limits<int16_t>::max())
				{
					break;
				}

				if (arrival.extendedSeq + 1u - baseSeq > MaxStatusCount)
				{
					break;
				}

				const bool small        = delta >= 0 && delta <= 255;
				const Status status     = small ? Status::SMALL_DELTA : Status::LARGE_DELTA;
				const size_t deltaSize  = small ? 1u : 2u;
				const size_t chunksSize = this->encoder.GetSizeWith(missing, status);
				const size_t packetSize =
					Utils::Byte::PadTo4Bytes(fixedSize + chunksSize + this->deltas.size() + deltaSize);

				if (packetSize > maxPacketSize)
				{
					break;
				}

				this->encoder.Add(Status::NOT_RECEIVED, missing);
				this->encoder.Add(status);

				if (small)
				{
					this->deltas.push_back(static_cast<uint8_t>(delta));
				}
				else
				{
					const auto value = static_cast<uint16_t>(static_cast<int16_t>(delta));

					this->deltas.push_back(static_cast<uint8_t>(value >> 8));
					this->deltas.push_back(static_cast<uint8_t>(value));
				}

				previous = ToDeltaUnits(arrival.arrivalUs);
				seq      = arrival.extendedSeq + 1u;
			}

			// Cannot happen (the first received packet of a feedback always
			// fits, see MinPacketSize); kept so that a bug cannot loop forever.
			if (seq == baseSeq)
			{
				MS_ERROR("feedback could not take its first packet, dropping what is pending");

				break;
			}

			if (EmitPacket(baseSeq, seq, referenceTime, senderSsrc, mediaSsrc, onPacket))
			{
				built++;
			}

			if (index < this->pending.size())
			{
				seq = startAt(seq, this->pending[index].extendedSeq);
			}
		}

		this->nextSeq = seq;
		this->pending.clear();
		this->promptUs.reset();
		this->lastBuildUs = std::max(this->lastBuildUs.value_or(nowUs), nowUs);

		return built;
	}

	bool TransportCcFeedbackBuilder::EmitPacket(
		uint64_t baseSeq,
		uint64_t endSeq,
		uint64_t referenceTime,
		uint32_t senderSsrc,
		uint32_t mediaSsrc,
		const OnPacket& onPacket)
	{
		const auto chunks = this->encoder.Finish();

		this->fci.assign(chunks.begin(), chunks.end());
		this->fci.insert(this->fci.end(), this->deltas.begin(), this->deltas.end());

		RTCP::TransportWideCc feedback;

		feedback.SetSenderSsrc(senderSsrc);
		feedback.SetMediaSsrc(mediaSsrc);
		feedback.SetBaseSequenceNumber(static_cast<uint16_t>(baseSeq));
		feedback.SetPacketStatusCount(static_cast<uint16_t>(endSeq - baseSeq));
		// The wire keeps 24 bits; it wraps every 12.4 days.
		feedback.SetReferenceTime(static_cast<int32_t>(referenceTime & ReferenceTimeMask));
		feedback.SetFeedbackPacketCount(this->feedbackPacketCount++);
		feedback.SetPacketChunks(this->fci);

		this->packet.resize(feedback.GetSize());

		const size_t size = feedback.Serialize(this->packet);

		// Cannot happen (the chunks were built to cover the status count);
		// checked so that a bug costs a feedback, not the worker.
		if (size == 0u)
		{
			MS_ERROR("transport-cc feedback could not be written");

			return false;
		}

		onPacket(std::span<const uint8_t>(this->packet.data(), size));

		return true;
	}
} // namespace RTC
