#ifndef MS_RTC_SEND_SIDE_BANDWIDTH_ESTIMATOR_HPP
#define MS_RTC_SEND_SIDE_BANDWIDTH_ESTIMATOR_HPP

#include "common.hpp"

#include "RTC/AimdRateController.hpp"
#include "RTC/DelayBasedUsage.hpp"
#include "RTC/IncomingRate.hpp"
#include "RTC/InterArrivalGrouper.hpp"
#include "RTC/LossBasedEstimator.hpp"
#include "RTC/PacketResult.hpp"
#include "RTC/ProbeRateEstimator.hpp"

#include <optional>
#include <span>

namespace RTC
{
	// The send-side bandwidth estimate of Google Congestion Control
	// (draft-ietf-rmcat-gcc-02) for one transport: how much we may send to
	// the peer (the transport's availableOutgoingBitrate).
	//
	//   transport-cc feedback (PacketResult list)
	//     received -> InterArrivalGrouper -> DelayTrendEstimator
	//                 -> OveruseDetector (+ StandingQueueDetector)
	//                 -> AimdRateController           = delay-based
	//     received sizes -> IncomingRate (acked rate) -> AimdRateController
	//     lost / total -> LossBasedEstimator          = loss-based
	//     probe packets -> ProbeRateEstimator -> raises both at once
	//   REMB from the peer                            = upper bound
	//   RTCP receiver report fraction lost -> LossBasedEstimator
	//
	//   target = clamp(min(delay-based, loss-based, REMB, max), min, max)
	//
	// The delay-based part counts only once transport-cc feedback has shown
	// received packets: for a REMB-only peer the REMB is the estimate (with
	// the loss-based one from its receiver reports). Before any input the
	// target is the initial bitrate.
	//
	// Clock-free and without I/O: `nowUs` is our clock; arrival times in the
	// results are the receiver's. Input that cannot be real (times beyond
	// MaxTimeUs) is dropped and counted; sizes are clamped; the target is
	// always within [min, max].
	class SendSideBandwidthEstimator
	{
	public:
		// initialAvailableOutgoingBitrate's default.
		static constexpr uint32_t DefaultInitialBitrate{ 600000u };
		static constexpr uint32_t DefaultMinBitrate{ AimdRateController::MinBitrate };
		// Times at or past this (about 146 000 years) are garbage.
		static constexpr uint64_t MaxTimeUs{ uint64_t{ 1u } << 62u };
		// Window of the acked rate (the draft allows 0.5 to 1 s).
		static constexpr uint64_t AckedRateWindowUs{ 500000u };
		// A probe result counts as a measured rate for the delay-based caps
		// this long (arrival clock), until the acked rate shows it.
		static constexpr uint64_t ProbeValidityUs{ 1000000u };
		static constexpr size_t MaxPacketSize{ InterArrivalGrouper::MaxPacketSize };
		// Sending less than this fraction of the estimate is being limited by
		// the application (an SFU forwards what its producers send), not by
		// the path: an over-use then backs off from the estimate (by the
		// controller's beta, once per episode) instead of collapsing it onto
		// the little that was sent, as libwebrtc's ALR-limited backoff does.
		// Otherwise every jitter spike would undo what a probe found, and a
		// receiver whose link recovered would never get its layers back.
		// Nor is the estimate then cut to a multiple of the acked rate.
		static constexpr double AppLimitedRatio{ 0.65 };

	public:
		explicit SendSideBandwidthEstimator(uint32_t initialBitrate = DefaultInitialBitrate);

	public:
		// setMinOutgoingBitrate: 0 means DefaultMinBitrate.
		void SetMinBitrate(uint32_t bitrate);
		// setMaxOutgoingBitrate: 0 means no maximum.
		void SetMaxBitrate(uint32_t bitrate);
		// The results of one transport-cc feedback, in sequence order.
		void ReceiveFeedback(std::span<const PacketResult> results, uint64_t nowUs);
		// A REMB from the peer (bit/s, as its exponent and mantissa give it).
		void ReceiveRemb(uint64_t bitrate);
		// The fraction lost (0-255) of an RTCP receiver report block.
		void ReceiveReceiverReportLoss(uint8_t fractionLost, uint64_t nowUs);
		// The round trip time, when known.
		void SetRtt(uint64_t rttUs);
		// A probe cluster's measured rate: raises the estimate at once to it
		// (never above the maximum). ReceiveFeedback() calls it for clusters
		// whose results pass ProbeRateEstimator's guards.
		void ReceiveProbeResult(uint32_t bitrate, std::optional<uint64_t> arrivalUs = std::nullopt);
		// The available outgoing bitrate (bit/s).
		uint32_t GetTargetBitrate() const;
		uint32_t GetDelayBasedBitrate() const { return this->rateController.GetBitrate(); }
		// UINT32_MAX while no loss has cut it.
		uint32_t GetLossBasedBitrate() const;
		std::optional<uint32_t> GetRemb() const { return this->remb; }
		std::optional<uint32_t> GetAckedBitrate() const { return this->lastAckedBps; }
		BandwidthUsage GetUsage() const { return this->delayBased.GetUsage(); }
		uint32_t GetMinBitrate() const { return this->minBitrate; }
		uint32_t GetMaxBitrate() const { return this->maxBitrate; }
		// Results dropped for impossible times.
		uint64_t GetDroppedResultCount() const { return this->droppedResultCount; }
		// Arrival times earlier than a previous one (counted as that one).
		uint64_t GetClockStepBackCount() const { return this->clockStepBackCount; }
		const ProbeRateEstimator& GetProbeRateEstimator() const { return this->probeRate; }
		const AimdRateController& GetRateController() const { return this->rateController; }

	private:
		void AddReceived(const PacketResult& result, uint64_t arrivalUs, size_t size);
		void KeepDelayBasedWithinMax();

	private:
		// Allocated by this.
		DelayBasedUsage delayBased;
		AimdRateController rateController;
		IncomingRate ackedRate;
		// What we sent (by send time) of the packets the feedback reported.
		IncomingRate sentRate;
		uint64_t lastSentRateUs{ 0u };
		// The estimate when the current over-use episode began.
		std::optional<uint32_t> overuseStartBps;
		LossBasedEstimator lossBased;
		ProbeRateEstimator probeRate;
		// Others.
		uint32_t initialBitrate{ DefaultInitialBitrate };
		uint32_t minBitrate{ DefaultMinBitrate };
		// 0: none.
		uint32_t maxBitrate{ 0u };
		std::optional<uint32_t> remb;
		bool hasDelayBased{ false };
		std::optional<uint64_t> lastArrivalUs;
		std::optional<uint32_t> lastAckedBps;
		double averagePacketBits{ 8.0 * 1200.0 };
		// The last probe result and when (arrival clock) it was measured.
		std::optional<uint32_t> probeBps;
		uint64_t probeArrivalUs{ 0u };
		// Only packets sent from then on count for the loss-based estimate
		// (set at its last decrease).
		uint64_t lossCountsFromUs{ 0u };
		uint64_t droppedResultCount{ 0u };
		uint64_t clockStepBackCount{ 0u };
	};
} // namespace RTC

#endif
