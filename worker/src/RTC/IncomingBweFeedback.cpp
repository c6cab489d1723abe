#define MS_CLASS "RTC::IncomingBweFeedback"
// #define MS_LOG_DEV

#include "RTC/IncomingBweFeedback.hpp"

#include "Logger.hpp"

#include <algorithm>

namespace RTC
{
	/* Instance methods. */

	void IncomingBweFeedback::ReceivePacket(BweType type, const RtpPacket& packet, uint64_t arrivalUs)
	{
		switch (type)
		{
			case BweType::TRANSPORT_CC:
			{
				const auto wideSeqNumber = packet.ReadTransportWideCc01();

				// A sender that negotiated the extension stamps every packet;
				// one without it is not part of the transport-wide sequence.
				if (!wideSeqNumber)
				{
					return;
				}

				this->transportCc.ReceivePacket(*wideSeqNumber, arrivalUs);
				this->transportCcMediaSsrc = packet.GetSsrc();

				break;
			}

			case BweType::REMB:
			{
				const auto absSendTime = packet.ReadAbsSendTime();

				// Nothing to measure delay with.
				if (!absSendTime)
				{
					return;
				}

				if (!this->rembEstimator)
				{
					this->rembEstimator = std::make_unique<RembEstimator>();
				}

				this->rembEstimator->ReceivePacket(arrivalUs, *absSendTime, packet.GetSize());
				this->lastRembPacketUs = arrivalUs;

				break;
			}

			case BweType::NONE:
			default:
			{
				return;
			}
		}

		this->lastPacketUs = arrivalUs;

		// A cap set before the sender started (or while it was idle) is
		// announced with its first packet.
		if (WantsCapRembs() && !this->nextCapRembUs)
		{
			this->nextCapRembUs = arrivalUs;
		}
	}

	void IncomingBweFeedback::SetMaxIncomingBitrate(uint32_t bitrate, uint64_t nowUs)
	{
		if (bitrate == this->maxIncomingBitrate)
		{
			return;
		}

		MS_DEBUG_TAG(
			bwe, "max incoming bitrate %" PRIu32 " -> %" PRIu32, this->maxIncomingBitrate, bitrate);

		const bool wasCapped = this->maxIncomingBitrate != 0u;

		this->maxIncomingBitrate = bitrate;
		this->unlimitedRembsLeft = (bitrate == 0u && wasCapped) ? UnlimitedRembCount : 0u;

		// Told at once (if there is a sender to tell).
		this->nextCapRembUs.reset();

		if (WantsCapRembs() && IsSenderActive(nowUs))
		{
			this->nextCapRembUs = nowUs;
		}
	}

	std::optional<uint64_t> IncomingBweFeedback::GetNextDeadlineUs() const
	{
		auto deadline = this->transportCc.GetNextDeadlineUs();

		const auto earliest = [&deadline](std::optional<uint64_t> other)
		{
			if (other && (!deadline || *other < *deadline))
			{
				deadline = other;
			}
		};

		earliest(this->nextCapRembUs);

		if (this->rembEstimator)
		{
			earliest(this->rembEstimator->GetNextDeadlineUs());
		}

		return deadline;
	}

	std::optional<uint64_t>
	IncomingBweFeedback::Process(uint64_t nowUs, uint32_t senderSsrc, const OnPacket& onPacket)
	{
		if (const auto deadline = this->transportCc.GetNextDeadlineUs(); deadline && *deadline <= nowUs)
		{
			this->feedbackPacketsSent += this->transportCc.BuildFeedback(
				nowUs, senderSsrc, this->transportCcMediaSsrc, MaxFeedbackPacketSize, onPacket);
		}

		// Our estimate for a REMB sender, on its own schedule.
		std::optional<uint64_t> estimate;

		if (this->rembEstimator)
		{
			if (const auto deadline = this->rembEstimator->GetNextDeadlineUs();
					deadline && *deadline <= nowUs)
			{
				estimate = this->rembEstimator->Process(nowUs);
			}
		}

		bool capDue = this->nextCapRembUs && *this->nextCapRembUs <= nowUs;

		// The sender left since this was scheduled: its next packet re-arms it.
		if (capDue && !IsSenderActive(nowUs))
		{
			this->nextCapRembUs.reset();
			capDue = false;
		}

		if (!estimate && !capDue)
		{
			return std::nullopt;
		}

		// With an estimate at hand, a due cap REMB carries it (capped) too.
		if (!estimate && this->rembEstimator && IsRembSenderActive(nowUs))
		{
			estimate = this->rembEstimator->GetEstimate();
		}

		std::optional<uint64_t> bitrate;

		if (this->maxIncomingBitrate != 0u)
		{
			bitrate = estimate ? std::min<uint64_t>(*estimate, this->maxIncomingBitrate)
												 : this->maxIncomingBitrate;
		}
		else if (estimate)
		{
			bitrate = estimate;
		}
		else if (this->unlimitedRembsLeft > 0u)
		{
			bitrate = UnlimitedBitrate;
		}

		if (this->unlimitedRembsLeft > 0u && capDue)
		{
			this->unlimitedRembsLeft--;
		}

		if (!capDue)
		{
			if (bitrate)
			{
				this->rembsSent++;
			}

			return bitrate;
		}

		this->nextCapRembUs.reset();

		// Repeated while the sender is there; its next packet re-arms it.
		if (WantsCapRembs() && IsSenderActive(nowUs))
		{
			this->nextCapRembUs = nowUs + RembIntervalUs;
		}

		if (bitrate)
		{
			this->rembsSent++;
		}

		return bitrate;
	}

	std::optional<uint32_t> IncomingBweFeedback::GetAvailableIncomingBitrate() const
	{
		if (!this->rembEstimator || !this->lastRembPacketUs)
		{
			return std::nullopt;
		}

		const uint32_t estimate = this->rembEstimator->GetEstimate();

		return this->maxIncomingBitrate != 0u ? std::min(estimate, this->maxIncomingBitrate) : estimate;
	}
} // namespace RTC
