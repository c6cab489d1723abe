#ifndef MS_RTC_OUTGOING_BWE_HPP
#define MS_RTC_OUTGOING_BWE_HPP

#include "common.hpp"

#include "RTC/BitrateAllocator.hpp"
#include "RTC/BweType.hpp"
#include "RTC/Consumer.hpp"
#include "RTC/OutgoingRtpStamper.hpp"
#include "RTC/ProbationStream.hpp"
#include "RTC/ProbeController.hpp"
#include "RTC/ProbePacer.hpp"
#include "RTC/RTCP/ReportBlock.hpp"
#include "RTC/RTCP/TransportWideCc.hpp"
#include "RTC/RetransmissionBudget.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/SendSideBandwidthEstimator.hpp"
#include "RTC/TransportCcSendHistory.hpp"
#include "handles/TimerHandle.hpp"

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
	// - The measured consumers' layers are allocated from the estimate
	//   (BitrateAllocator) every AllocationIntervalMs and whenever a consumer
	//   asks; when they want more than the estimate, padding probes on the
	//   probation stream (ProbeController, ProbePacer) find out whether the
	//   path carries more.
	// - An endpoint that negotiated feedback but sends none for
	//   NoFeedbackTimeoutUs is not measuring: its consumers get their
	//   preferred layers (within the max outgoing bitrate) rather than being
	//   held at the initial estimate for good.
	// - While measuring, retransmissions get RetransmissionShare of the
	//   estimate at most, or MinRetransmissionBitrate (RetransmissionBudget):
	//   resending what a full queue dropped must not overflow it again.
	class OutgoingBwe : public TimerHandle::Listener
	{
	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			// A padding-only probe packet to send as RTP.
			virtual void OnOutgoingBweSendProbe(std::span<const uint8_t> packet) = 0;
			// An allocation ran (for the 'bwe' trace).
			virtual void OnOutgoingBweAllocated(uint64_t desiredBitrate) = 0;
		};

		static constexpr uint64_t AllocationIntervalMs{ 200u };
		static constexpr uint64_t NoFeedbackTimeoutUs{ 5000000u };
		// Media sent within this is flowing (probes need a stream to ride).
		static constexpr uint64_t MediaFlowingUs{ 1000000u };
		// The allocator only climbs with headroom: probe for it too.
		static constexpr double DesiredHeadroom{ 1.15 };
		// Retransmissions on top of media the allocation fitted in the
		// estimate: a loss burst is repaired, a queue is not flooded.
		static constexpr double RetransmissionShare{ 0.3 };
		// And at least this (bit/s): right after a link shrank the estimate
		// is low and the key frame of the lower layer, sent into the full
		// queue, is what gets lost; at 0.3x of 100 kbit/s its repair would
		// take seconds, more than asking for a new one.
		static constexpr uint32_t MinRetransmissionBitrate{ 100000u };

	public:
		OutgoingBwe(Listener* listener, uint32_t initialBitrate);
		~OutgoingBwe() override;

	public:
		// Learns what the consumer negotiated (call once, after construction).
		void AddConsumer(Consumer* consumer);
		void RemoveConsumer(const Consumer* consumer);
		BweType GetConsumerBweType(const Consumer* consumer) const;
		// What to send for a consumer's packet, stamped as the consumer needs
		// (valid until the next call).
		std::span<const uint8_t>
		PrepareRtp(const Consumer* consumer, RtpPacket& packet, uint64_t nowUs);
		// Whether a retransmission of `len` bytes fits the budget now (it is
		// then taken from it).
		bool AllowRetransmission(size_t len, uint64_t nowUs);
		// Same for a retransmission (RTX or the original packet) as the
		// consumer's stream hands it out.
		std::span<const uint8_t> PrepareRetransmission(
			const Consumer* consumer, const uint8_t* data, size_t len, uint64_t nowUs);
		void ReceiveTransportCc(const RTCP::TransportWideCc& feedback, uint64_t nowUs);
		void ReceiveRemb(uint64_t bitrate);
		// A receiver report block about a consumer's stream (its loss and RTT).
		void ReceiveReportBlock(
			const RTCP::ReportBlock& block, std::optional<uint32_t> rttMs, uint64_t nowUs);
		void SetMinBitrate(uint32_t bitrate);
		void SetMaxBitrate(uint32_t bitrate);
		// Allocates the measured consumers' layers now.
		void Allocate(uint64_t nowUs);
		// Whether a consumer is measured (it negotiated transport-cc or REMB).
		bool IsActive() const { return !this->measured.empty(); }
		// transport-cc when a consumer negotiated it, else REMB.
		BweType GetType() const;
		uint32_t GetAvailableBitrate() const { return this->estimator.GetTargetBitrate(); }
		uint32_t GetInitialBitrate() const { return this->initialBitrate; }
		const SendSideBandwidthEstimator& GetEstimator() const { return this->estimator; }
		const TransportCcSendHistory& GetSendHistory() const { return this->sendHistory; }
		const OutgoingRtpStamper& GetStamper() const { return this->stamper; }
		uint64_t GetProbationBytesSent() const { return this->probePacer.GetProbationBytesSent(); }
		uint64_t GetLastDesiredBitrate() const { return this->lastDesiredBitrate; }
		uint64_t GetRetransmissionsDenied() const
		{
			return this->retransmissionBudget.GetDeniedCount();
		}
		// Whether the endpoint's feedback is what the allocation follows.
		bool IsMeasuring(uint64_t nowUs) const;

		/* Pure virtual methods inherited from TimerHandle::Listener. */
	public:
		void OnTimer(TimerHandle* timer) override;

	private:
		struct ConsumerInfo
		{
			BweType type{ BweType::NONE };
			OutgoingRtpStamper::Ids ids;
		};

	private:
		std::span<const uint8_t> Stamp(const ConsumerInfo& info, RtpPacket& packet, uint64_t nowUs);
		void UpdateProbing(uint64_t nowUs);
		void SendProbes(uint64_t nowUs);
		void ScheduleProbeTimer(uint64_t nowUs);

	private:
		// Passed by argument.
		Listener* listener{ nullptr };
		// Allocated by this.
		TransportCcSendHistory sendHistory;
		SendSideBandwidthEstimator estimator;
		OutgoingRtpStamper stamper;
		std::unordered_map<const Consumer*, ConsumerInfo> consumers;
		// The measured ones, in the order they came (the allocator's order).
		std::vector<Consumer*> measured;
		std::vector<BitrateAllocator::Entry> entries;
		BitrateAllocator allocator;
		ProbeController probeController;
		ProbePacer probePacer;
		ProbationStream probationStream;
		RetransmissionBudget retransmissionBudget;
		std::unique_ptr<TimerHandle> allocationTimer;
		std::unique_ptr<TimerHandle> probeTimer;
		// Others.
		uint32_t initialBitrate{ 0u };
		size_t transportCcConsumers{ 0u };
		// Whether the endpoint sent transport-cc feedback: then its receiver
		// reports' loss says nothing the feedback did not say better.
		bool gotTransportCc{ false };
		std::optional<uint64_t> lastFeedbackUs;
		std::optional<uint64_t> firstMeasuredSendUs;
		std::optional<uint64_t> lastMeasuredSendUs;
		uint64_t lastDesiredBitrate{ 0u };
		std::array<uint8_t, 1500> probeBuffer{};
		// Where retransmissions are copied to be stamped.
		std::array<uint8_t, OutgoingRtpStamper::MaxPacketSize> retransmissionBuffer{};
	};
} // namespace RTC

#endif
