#ifndef MS_RTC_OUTGOING_BWE_HPP
#define MS_RTC_OUTGOING_BWE_HPP

#include "common.hpp"

#include "RTC/BweType.hpp"
#include "RTC/Consumer.hpp"
#include "RTC/OutgoingRtpStamper.hpp"
#include "RTC/RTCP/ReportBlock.hpp"
#include "RTC/RTCP/TransportWideCc.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/SendSideBandwidthEstimator.hpp"
#include "RTC/TransportCcSendHistory.hpp"

#include <optional>
#include <span>
#include <unordered_map>

namespace RTC
{
	// The sending side of bandwidth estimation for one transport: what we may
	// send to the endpoint (availableOutgoingBitrate).
	//
	// - Consumers that negotiated transport-cc get the transport-wide
	//   sequence number on every packet (media and retransmissions); the send
	//   history turns the endpoint's feedback into results for the estimator.
	// - Consumers that negotiated REMB get our send time as abs-send-time, and
	//   the endpoint's REMB (and its receiver reports' loss) feed the estimate.
	// - Consumers with neither are not measured: they are forwarded as they
	//   are (plain transports, or endpoints without feedback).
	class OutgoingBwe
	{
	public:
		explicit OutgoingBwe(uint32_t initialBitrate);

	public:
		// Learns what the consumer negotiated (call once, after construction).
		void AddConsumer(const Consumer* consumer);
		void RemoveConsumer(const Consumer* consumer);
		BweType GetConsumerBweType(const Consumer* consumer) const;
		// What to send for a consumer's packet, stamped as the consumer needs
		// (valid until the next call).
		std::span<const uint8_t>
		PrepareRtp(const Consumer* consumer, RtpPacket& packet, uint64_t nowUs);
		// Same for a retransmission (RTX or the original packet) as the
		// consumer's stream hands it out.
		std::span<const uint8_t> PrepareRetransmission(
			const Consumer* consumer, const uint8_t* data, size_t len, uint64_t nowUs);
		void ReceiveTransportCc(const RTCP::TransportWideCc& feedback, uint64_t nowUs);
		void ReceiveRemb(uint64_t bitrate);
		// A receiver report block about a consumer's stream (its loss and RTT).
		void ReceiveReportBlock(
			const RTCP::ReportBlock& block, std::optional<uint32_t> rttMs, uint64_t nowUs);
		void SetMinBitrate(uint32_t bitrate) { this->estimator.SetMinBitrate(bitrate); }
		void SetMaxBitrate(uint32_t bitrate) { this->estimator.SetMaxBitrate(bitrate); }
		// Whether a consumer is measured (it negotiated transport-cc or REMB).
		bool IsActive() const { return this->measuredConsumers > 0u; }
		// transport-cc when a consumer negotiated it, else REMB.
		BweType GetType() const;
		uint32_t GetAvailableBitrate() const { return this->estimator.GetTargetBitrate(); }
		uint32_t GetInitialBitrate() const { return this->initialBitrate; }
		const SendSideBandwidthEstimator& GetEstimator() const { return this->estimator; }
		const TransportCcSendHistory& GetSendHistory() const { return this->sendHistory; }
		const OutgoingRtpStamper& GetStamper() const { return this->stamper; }

	private:
		struct ConsumerInfo
		{
			BweType type{ BweType::NONE };
			OutgoingRtpStamper::Ids ids;
		};

	private:
		std::span<const uint8_t> Stamp(const ConsumerInfo& info, RtpPacket& packet, uint64_t nowUs);

	private:
		// Allocated by this.
		TransportCcSendHistory sendHistory;
		SendSideBandwidthEstimator estimator;
		OutgoingRtpStamper stamper;
		std::unordered_map<const Consumer*, ConsumerInfo> consumers;
		// Others.
		uint32_t initialBitrate{ 0u };
		size_t measuredConsumers{ 0u };
		size_t transportCcConsumers{ 0u };
		// Whether the endpoint sent transport-cc feedback: then its receiver
		// reports' loss says nothing the feedback did not say better.
		bool gotTransportCc{ false };
		// Where retransmissions are copied to be stamped.
		std::array<uint8_t, OutgoingRtpStamper::MaxPacketSize> retransmissionBuffer{};
	};
} // namespace RTC

#endif
