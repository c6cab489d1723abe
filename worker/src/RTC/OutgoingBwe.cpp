#define MS_CLASS "RTC::OutgoingBwe"

#include "RTC/OutgoingBwe.hpp"

#include "Logger.hpp"

#include <cstring>

namespace RTC
{
	OutgoingBwe::OutgoingBwe(uint32_t initialBitrate)
			: estimator(initialBitrate),
				initialBitrate(
					initialBitrate == 0u ? SendSideBandwidthEstimator::DefaultInitialBitrate : initialBitrate)
	{
	}

	void OutgoingBwe::AddConsumer(const Consumer* consumer)
	{
		ConsumerInfo info;
		const auto& rtpParameters = consumer->GetRtpParameters();

		info.type = GetBweType(rtpParameters);

		switch (info.type)
		{
			case BweType::TRANSPORT_CC:
			{
				info.ids.transportWideCc01 = rtpParameters.GetHeaderExtensionId(TransportWideCc01Uri);
				++this->transportCcConsumers;

				break;
			}

			case BweType::REMB:
			{
				info.ids.absSendTime = rtpParameters.GetHeaderExtensionId(AbsSendTimeUri);

				break;
			}

			case BweType::NONE:
			{
				break;
			}
		}

		if (info.type != BweType::NONE)
		{
			++this->measuredConsumers;
		}

		this->consumers[consumer] = info;
	}

	void OutgoingBwe::RemoveConsumer(const Consumer* consumer)
	{
		const auto it = this->consumers.find(consumer);

		if (it == this->consumers.end())
		{
			return;
		}

		if (it->second.type != BweType::NONE)
		{
			--this->measuredConsumers;
		}

		if (it->second.type == BweType::TRANSPORT_CC)
		{
			--this->transportCcConsumers;
		}

		this->consumers.erase(it);
	}

	BweType OutgoingBwe::GetConsumerBweType(const Consumer* consumer) const
	{
		const auto it = this->consumers.find(consumer);

		return it != this->consumers.end() ? it->second.type : BweType::NONE;
	}

	BweType OutgoingBwe::GetType() const
	{
		if (this->transportCcConsumers > 0u)
		{
			return BweType::TRANSPORT_CC;
		}

		return this->measuredConsumers > 0u ? BweType::REMB : BweType::NONE;
	}

	std::span<const uint8_t>
	OutgoingBwe::PrepareRtp(const Consumer* consumer, RtpPacket& packet, uint64_t nowUs)
	{
		const auto it = this->consumers.find(consumer);

		if (it == this->consumers.end() || it->second.type == BweType::NONE)
		{
			return packet.GetData();
		}

		return Stamp(it->second, packet, nowUs);
	}

	std::span<const uint8_t> OutgoingBwe::PrepareRetransmission(
		const Consumer* consumer, const uint8_t* data, size_t len, uint64_t nowUs)
	{
		const auto it = this->consumers.find(consumer);

		if (
			it == this->consumers.end() || it->second.type == BweType::NONE ||
			len > this->retransmissionBuffer.size())
		{
			return { data, len };
		}

		// The stream's stored copy is not ours to change: stamp a copy.
		std::memcpy(this->retransmissionBuffer.data(), data, len);

		auto packet = RtpPacket::Parse(std::span<uint8_t>(this->retransmissionBuffer.data(), len));

		if (!packet)
		{
			return { data, len };
		}

		return Stamp(it->second, *packet, nowUs);
	}

	std::span<const uint8_t>
	OutgoingBwe::Stamp(const ConsumerInfo& info, RtpPacket& packet, uint64_t nowUs)
	{
		const auto prepared = this->stamper.Prepare(packet, info.ids);

		if (prepared.transportWideCc01)
		{
			const uint16_t seq = this->sendHistory.RecordSend(prepared.data.size(), nowUs);

			OutgoingRtpStamper::WriteTransportWideCc01(prepared, seq);
		}

		if (prepared.absSendTime)
		{
			OutgoingRtpStamper::WriteAbsSendTime(prepared, OutgoingRtpStamper::ToAbsSendTime(nowUs));
		}

		return prepared.data;
	}

	void OutgoingBwe::ReceiveTransportCc(const RTCP::TransportWideCc& feedback, uint64_t nowUs)
	{
		this->gotTransportCc = true;

		const auto& result = this->sendHistory.ReceiveFeedback(feedback, nowUs);

		if (!result.packets.empty())
		{
			this->estimator.ReceiveFeedback(result.packets, nowUs);
		}
	}

	void OutgoingBwe::ReceiveRemb(uint64_t bitrate)
	{
		this->estimator.ReceiveRemb(bitrate);
	}

	void OutgoingBwe::ReceiveReportBlock(
		const RTCP::ReportBlock& block, std::optional<uint32_t> rttMs, uint64_t nowUs)
	{
		if (rttMs)
		{
			this->estimator.SetRtt(static_cast<uint64_t>(*rttMs) * 1000u);
		}

		if (!this->gotTransportCc && this->measuredConsumers > 0u)
		{
			this->estimator.ReceiveReceiverReportLoss(block.fractionLost, nowUs);
		}
	}
} // namespace RTC
