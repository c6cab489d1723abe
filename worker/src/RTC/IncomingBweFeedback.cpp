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

		if (this->nextCapRembUs && (!deadline || *this->nextCapRembUs < *deadline))
		{
			deadline = this->nextCapRembUs;
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

		if (!this->nextCapRembUs || *this->nextCapRembUs > nowUs)
		{
			return std::nullopt;
		}

		std::optional<uint64_t> bitrate;

		if (this->maxIncomingBitrate != 0u)
		{
			bitrate = this->maxIncomingBitrate;
		}
		else if (this->unlimitedRembsLeft > 0u)
		{
			bitrate = UnlimitedBitrate;

			this->unlimitedRembsLeft--;
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
		return std::nullopt;
	}
} // namespace RTC
