#define MS_CLASS "RTC::TransportCcSendHistory"
// #define MS_LOG_DEV

#include "RTC/TransportCcSendHistory.hpp"

#include "Logger.hpp"
#include "RTC/SeqNumber.hpp"

#include <algorithm>
#include <limits>

namespace RTC
{
	using Status = RTCP::TransportWideCc::Status;

	namespace
	{
		constexpr int64_t ReferenceTimeModulus{ int64_t{ 1 } << 24 };
		constexpr int64_t ReferenceTimeUnitUs{ RTCP::TransportWideCc::ReferenceTimeUnitMs * 1000 };

		static_assert(
			TransportCcSendHistory::MaxPackets < (size_t{ 1u } << 15u),
			"a 16-bit sequence number must map to one packet of the history");
	} // namespace

	/* Instance methods. */

	TransportCcSendHistory::TransportCcSendHistory(uint16_t firstSeq)
			// One cycle up, so that numbers mapped from before the first one stay
			// above zero (as SeqUnwrapper does).
			: firstSeq(SeqNumberUnwrapper::Cycle + firstSeq),
				oldestSeq(this->firstSeq),
				nextSeq(this->firstSeq)
	{
	}

	uint16_t TransportCcSendHistory::RecordSend(
		size_t size, uint64_t nowUs, std::optional<uint32_t> probeClusterId)
	{
		Expire(nowUs);

		if (this->packets.size() >= MaxPackets)
		{
			ForgetOldest();
		}

		Packet packet;

		packet.sendUs = nowUs;
		packet.size =
			static_cast<uint32_t>(std::min<size_t>(size, std::numeric_limits<uint32_t>::max()));
		packet.hasProbeCluster = probeClusterId.has_value();
		packet.probeClusterId  = probeClusterId.value_or(0u);

		this->packets.push_back(packet);
		this->bytesInFlight += packet.size;

		return static_cast<uint16_t>(this->nextSeq++);
	}

	const TransportCcSendHistory::FeedbackResult&
	TransportCcSendHistory::ReceiveFeedback(const RTCP::TransportWideCc& feedback, uint64_t nowUs)
	{
		Expire(nowUs);

		this->result = FeedbackResult{};
		this->remoteArrivalsUs.clear();

		const uint64_t baseSeq = MapSequence(feedback.GetBaseSequenceNumber());
		// The receiver's clock, moved on by each received status's delta
		// (whether or not that status tells anything new).
		int64_t remoteUs = UnwrapReferenceTime(feedback.GetReferenceTime()) * ReferenceTimeUnitUs;
		auto reader      = feedback.GetStatusReader();
		uint64_t index{ 0u };

		while (const auto status = reader.Next())
		{
			const uint64_t seq  = baseSeq + index++;
			const bool received = status->status != Status::NOT_RECEIVED;

			if (received)
			{
				remoteUs += status->GetDeltaUs();
			}

			if (seq >= this->nextSeq)
			{
				this->unknownStatusCount++;

				continue;
			}
			else if (seq < this->oldestSeq)
			{
				this->forgottenStatusCount++;

				continue;
			}

			Packet& packet = this->packets[seq - this->oldestSeq];
			PacketResult packetResult;

			packetResult.extendedSeq = seq;
			packetResult.sendUs      = packet.sendUs;
			packetResult.size        = packet.size;

			if (packet.hasProbeCluster)
			{
				packetResult.probeClusterId = packet.probeClusterId;
			}

			if (packet.state == State::Received || (!received && packet.state == State::Lost))
			{
				// Said already (reordered or duplicated feedback), or a packet
				// reported received now said lost: it stays received.
				this->duplicateStatusCount++;

				continue;
			}

			LossSlot& slot = CurrentLossSlot();

			if (!received)
			{
				packet.state          = State::Lost;
				packet.lostInFeedback = this->feedbackSerial;
				this->bytesInFlight -= packet.size;
				slot.reported++;
				slot.lost++;
				this->result.lostCount++;
			}
			else if (packet.state == State::Lost)
			{
				// Reported lost before: the loss is taken back where it was
				// counted, if that feedback is still in the window.
				const uint32_t age = this->feedbackSerial - packet.lostInFeedback;

				if (age < LossWindowFeedbacks)
				{
					LossSlot& lostSlot = this->lossWindow[packet.lostInFeedback % LossWindowFeedbacks];

					if (lostSlot.lost > 0u)
					{
						lostSlot.lost--;
					}
				}

				packet.state           = State::Received;
				packetResult.recovered = true;
				packetResult.arrivalUs = 0u;
				this->result.recoveredCount++;
			}
			else
			{
				packet.state = State::Received;
				this->bytesInFlight -= packet.size;
				packetResult.arrivalUs = 0u;
				slot.reported++;
				this->result.receivedCount++;
			}

			this->result.packets.push_back(packetResult);
			this->remoteArrivalsUs.push_back(remoteUs);
		}

		if (reader.HasError())
		{
			MS_DEBUG_TAG(bwe, "transport-cc feedback statuses could not be read to the end");

			this->malformedFeedbackCount++;
		}

		MapArrivals(nowUs);

		if (!this->result.packets.empty())
		{
			this->feedbackSerial++;
		}

		return this->result;
	}

	void TransportCcSendHistory::Expire(uint64_t nowUs)
	{
		while (!this->packets.empty() && this->packets.front().sendUs + MaxAgeUs < nowUs)
		{
			ForgetOldest();
		}
	}

	std::optional<uint64_t> TransportCcSendHistory::GetLastExtendedSeq() const
	{
		if (this->nextSeq == this->firstSeq)
		{
			return std::nullopt;
		}

		return this->nextSeq - 1u;
	}

	std::optional<double> TransportCcSendHistory::GetLossFraction() const
	{
		uint64_t reported{ 0u };
		uint64_t lost{ 0u };

		for (const auto& slot : this->lossWindow)
		{
			reported += slot.reported;
			lost += slot.lost;
		}

		if (reported == 0u)
		{
			return std::nullopt;
		}

		return static_cast<double>(lost) / static_cast<double>(reported);
	}

	void TransportCcSendHistory::ForgetOldest()
	{
		const Packet& packet = this->packets.front();

		if (packet.state == State::Unreported)
		{
			this->bytesInFlight -= packet.size;
			this->unreportedForgottenCount++;
		}

		this->packets.pop_front();
		this->oldestSeq++;
	}

	uint64_t TransportCcSendHistory::MapSequence(uint16_t seq) const
	{
		// Relative to the newest number handed out: the history spans far less
		// than half the 16-bit space (MaxPackets), so this is the only match.
		const uint64_t newest  = this->nextSeq - 1u;
		const int64_t distance = SeqDistance<uint16_t>(static_cast<uint16_t>(newest), seq);

		// Cannot go below zero: newest is at least a cycle (see constructor).
		return static_cast<uint64_t>(static_cast<int64_t>(newest) + distance);
	}

	int64_t TransportCcSendHistory::UnwrapReferenceTime(int32_t referenceTime)
	{
		const int64_t value = static_cast<int64_t>(referenceTime) & (ReferenceTimeModulus - 1);

		if (!this->newestReferenceTime)
		{
			this->newestReferenceTime = value;

			return value;
		}

		const int64_t newest = *this->newestReferenceTime;
		// Steps from the newest, in [-2^23, 2^23): 6.2 days either way, far more
		// than feedback reordering can account for.
		int64_t distance = (value - (newest & (ReferenceTimeModulus - 1))) & (ReferenceTimeModulus - 1);

		if (distance >= ReferenceTimeModulus / 2)
		{
			distance -= ReferenceTimeModulus;
		}

		const int64_t unwrapped = newest + distance;

		this->newestReferenceTime = std::max(newest, unwrapped);

		return unwrapped;
	}

	void TransportCcSendHistory::MapArrivals(uint64_t nowUs)
	{
		constexpr auto Mismatch = static_cast<int64_t>(MaxClockMismatchUs);
		const auto now          = static_cast<int64_t>(nowUs);
		// Where a packet sent at `sendUs` can have arrived, in the sender's
		// clock, give or take the error of the offset.
		const auto lowest = [](uint64_t sendUs)
		{
			return std::max<int64_t>(0, static_cast<int64_t>(sendUs) - Mismatch);
		};
		const int64_t highest = now + Mismatch;
		// The offset that makes the least delayed packet arrive when it was
		// sent: no packet then arrives before it was sent, and none after now
		// (it has been reported), whatever span the feedback covers.
		std::optional<int64_t> fittingOffsetUs;
		bool outOfRange{ false };

		for (size_t i = 0u; i < this->result.packets.size(); ++i)
		{
			const PacketResult& packet = this->result.packets[i];

			if (!packet.arrivalUs)
			{
				continue;
			}

			const int64_t remoteUs = this->remoteArrivalsUs[i];
			const int64_t offsetUs = static_cast<int64_t>(packet.sendUs) - remoteUs;

			fittingOffsetUs = std::max(fittingOffsetUs.value_or(offsetUs), offsetUs);

			if (this->clockOffsetUs)
			{
				const int64_t mapped = remoteUs + *this->clockOffsetUs;

				outOfRange = outOfRange || mapped < lowest(packet.sendUs) || mapped > highest;
			}
		}

		if (!fittingOffsetUs)
		{
			return;
		}

		if (!this->clockOffsetUs)
		{
			this->clockOffsetUs = fittingOffsetUs;
		}
		else if (outOfRange)
		{
			// The receiver's clock jumped, or the path's delay changed by more
			// than a feedback can (or the receiver lies).
			MS_DEBUG_TAG(bwe, "transport-cc feedback arrivals out of the sender's clock, taken anew");

			this->clockOffsetUs = fittingOffsetUs;
			this->clockResetCount++;
			this->result.arrivalClockReset = true;
		}

		for (size_t i = 0u; i < this->result.packets.size(); ++i)
		{
			PacketResult& packet = this->result.packets[i];

			if (!packet.arrivalUs)
			{
				continue;
			}

			int64_t mapped = this->remoteArrivalsUs[i] + *this->clockOffsetUs;

			// Left after a new offset: one arrival far from the others.
			if (mapped < lowest(packet.sendUs) || mapped > highest)
			{
				mapped =
					std::clamp(mapped, lowest(packet.sendUs), std::max(highest, lowest(packet.sendUs)));
				this->clampedArrivalCount++;
			}

			packet.arrivalUs = static_cast<uint64_t>(mapped);
		}
	}

	TransportCcSendHistory::LossSlot& TransportCcSendHistory::CurrentLossSlot()
	{
		LossSlot& slot = this->lossWindow[this->feedbackSerial % LossWindowFeedbacks];

		// The first new result of this feedback: the slot's old feedback
		// leaves the window.
		if (this->result.packets.empty())
		{
			slot = LossSlot{};
		}

		return slot;
	}
} // namespace RTC
