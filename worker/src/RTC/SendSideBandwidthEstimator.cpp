#define MS_CLASS "RTC::SendSideBandwidthEstimator"
// #define MS_LOG_DEV

#include "RTC/SendSideBandwidthEstimator.hpp"

#include "Logger.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace RTC
{
	namespace
	{
		// Weight of a new packet in the average packet size.
		constexpr double PacketSizeWeight{ 0.05 };
		// The loss-based estimate before any loss has cut it: no bound.
		constexpr double Unbounded{ std::numeric_limits<uint32_t>::max() };
	} // namespace

	SendSideBandwidthEstimator::SendSideBandwidthEstimator(uint32_t initialBitrate)
			: ackedRate(AckedRateWindowUs),
				sentRate(AckedRateWindowUs),
				initialBitrate(initialBitrate == 0u ? DefaultInitialBitrate : initialBitrate)
	{
		this->rateController.SetBitrate(this->initialBitrate);
	}

	void SendSideBandwidthEstimator::SetMinBitrate(uint32_t bitrate)
	{
		this->minBitrate = bitrate == 0u ? DefaultMinBitrate : bitrate;
	}

	void SendSideBandwidthEstimator::SetMaxBitrate(uint32_t bitrate)
	{
		this->maxBitrate = bitrate;

		KeepDelayBasedWithinMax();
	}

	void
	SendSideBandwidthEstimator::ReceiveFeedback(std::span<const PacketResult> results, uint64_t nowUs)
	{
		// The target the loss happened under, before this feedback moves it.
		const double targetBps = GetTargetBitrate();
		// Probe clusters in this feedback (a few at most; more are looked at
		// in the next one).
		std::array<uint32_t, ProbeRateEstimator::MaxClusters> clusterIds{};
		size_t clusterCount{ 0u };
		size_t total{ 0u };
		size_t lost{ 0u };

		for (const auto& result : results)
		{
			if (result.sendUs >= MaxTimeUs || (result.arrivalUs && *result.arrivalUs >= MaxTimeUs))
			{
				this->droppedResultCount++;

				continue;
			}

			const size_t size = std::min(result.size, MaxPacketSize);

			// A recovered packet was counted as sent with its first result.
			if (!result.recovered && result.sendUs >= this->lastSentRateUs)
			{
				this->sentRate.Update(size, result.sendUs);
				this->lastSentRateUs = result.sendUs;
			}

			// Loss of packets sent before the last loss-based decrease was
			// seen by it already: the sender had not reacted yet. Counting
			// it again (it is reported a queue's delay and a round trip
			// later) would cut twice for one episode.
			const bool countsForLoss = result.sendUs >= this->lossCountsFromUs;

			if (countsForLoss)
			{
				total++;
			}

			if (result.probeClusterId)
			{
				this->probeRate.AddPacket(result, nowUs);

				const uint32_t id = *result.probeClusterId;
				const auto end    = clusterIds.begin() + clusterCount;

				if (std::find(clusterIds.begin(), end, id) == end && clusterCount < clusterIds.size())
				{
					clusterIds[clusterCount++] = id;
				}
			}

			if (!result.arrivalUs)
			{
				if (countsForLoss)
				{
					lost++;
				}

				continue;
			}

			uint64_t arrivalUs = *result.arrivalUs;

			if (this->lastArrivalUs && arrivalUs < *this->lastArrivalUs)
			{
				// Reordered on the path, or a receiver clock stepping back: the
				// rate and the time of the updates must not go back.
				this->clockStepBackCount++;
				arrivalUs = *this->lastArrivalUs;
			}

			this->lastArrivalUs = arrivalUs;

			AddReceived(result, arrivalUs, size);
		}

		if (total > 0u)
		{
			const double before = this->lossBased.GetBitrate();

			this->lossBased.AddPackets(total, lost, targetBps, nowUs);

			if (this->lossBased.GetBitrate() < before)
			{
				this->lossCountsFromUs = nowUs;
			}
		}

		for (size_t i{ 0u }; i < clusterCount; ++i)
		{
			if (const auto rate = this->probeRate.GetRate(clusterIds[i]))
			{
				ReceiveProbeResult(*rate, this->lastArrivalUs);
			}
		}
	}

	void SendSideBandwidthEstimator::ReceiveRemb(uint64_t bitrate)
	{
		this->remb =
			static_cast<uint32_t>(std::min<uint64_t>(bitrate, std::numeric_limits<uint32_t>::max()));
	}

	void SendSideBandwidthEstimator::ReceiveReceiverReportLoss(uint8_t fractionLost, uint64_t nowUs)
	{
		this->lossBased.AddReceiverReportLoss(fractionLost, GetTargetBitrate(), nowUs);
	}

	void SendSideBandwidthEstimator::SetRtt(uint64_t rttUs)
	{
		this->lossBased.SetRtt(rttUs);
	}

	void SendSideBandwidthEstimator::ReceiveProbeResult(
		uint32_t bitrate, std::optional<uint64_t> arrivalUs)
	{
		// Never above the maximum: a probe only tells what the path carries.
		if (this->maxBitrate != 0u)
		{
			bitrate = std::min(bitrate, this->maxBitrate);
		}

		this->probeBps       = bitrate;
		this->probeArrivalUs = arrivalUs.value_or(this->lastArrivalUs.value_or(0u));

		if (bitrate > this->rateController.GetBitrate())
		{
			MS_DEBUG_TAG(bwe, "probe result %" PRIu32 " bps raises the estimate", bitrate);

			this->rateController.SetBitrate(bitrate);
		}

		this->lossBased.RaiseTo(bitrate);
	}

	uint32_t SendSideBandwidthEstimator::GetTargetBitrate() const
	{
		double target = this->hasDelayBased ? this->rateController.GetBitrate()
																				: (this->remb ? Unbounded : this->initialBitrate);

		if (this->remb)
		{
			target = std::min(target, static_cast<double>(*this->remb));
		}

		target = std::min(target, this->lossBased.GetBitrate());

		if (this->maxBitrate != 0u)
		{
			target = std::min(target, static_cast<double>(this->maxBitrate));
		}

		target = std::max(target, static_cast<double>(this->minBitrate));

		// A minimum above the maximum: the maximum wins (it is what the
		// application says the peer must not get more than).
		if (this->maxBitrate != 0u)
		{
			target = std::min(target, static_cast<double>(this->maxBitrate));
		}

		return static_cast<uint32_t>(target);
	}

	uint32_t SendSideBandwidthEstimator::GetLossBasedBitrate() const
	{
		return static_cast<uint32_t>(std::min(this->lossBased.GetBitrate(), Unbounded));
	}

	void SendSideBandwidthEstimator::AddReceived(
		const PacketResult& result, uint64_t arrivalUs, size_t size)
	{
		this->hasDelayBased = true;

		this->ackedRate.Update(size, arrivalUs);
		this->averagePacketBits = (1.0 - PacketSizeWeight) * this->averagePacketBits +
															PacketSizeWeight * 8.0 * static_cast<double>(size);

		const auto signal = this->delayBased.AddPacket(
			result.sendUs,
			arrivalUs,
			size,
			this->rateController.GetBitrate(),
			[this, arrivalUs]() { return this->ackedRate.GetRate(arrivalUs); });

		if (!signal)
		{
			return;
		}

		const auto ackedBps = signal->incomingBps;

		this->lastAckedBps = ackedBps;

		// A recent probe showed the path carries more than the acked rate
		// says: it counts as measured, except for a decrease, which must land
		// under what really gets through now.
		auto measuredBps = ackedBps;

		if (
			signal->usage != BandwidthUsage::Overusing && this->probeBps &&
			arrivalUs < this->probeArrivalUs + ProbeValidityUs)
		{
			measuredBps = std::max(ackedBps.value_or(0u), *this->probeBps);
		}

		if (signal->usage == BandwidthUsage::Overusing)
		{
			if (!this->overuseStartBps)
			{
				this->overuseStartBps = this->rateController.GetBitrate();
			}

			const auto sentBps = this->sentRate.GetRate(this->lastSentRateUs);

			if (
				sentBps && static_cast<double>(*sentBps) <
										 AppLimitedRatio * static_cast<double>(*this->overuseStartBps))
			{
				measuredBps = *this->overuseStartBps;
			}
		}
		else
		{
			this->overuseStartBps.reset();
		}

		// Sending the layers the allocation chose, far less than the estimate:
		// what comes through says what was sent, not what fits, and is no
		// bound on the estimate.
		const auto sentNowBps = this->sentRate.GetRate(this->lastSentRateUs);
		const bool appLimited =
			sentNowBps && static_cast<double>(*sentNowBps) <
											AppLimitedRatio * static_cast<double>(this->rateController.GetBitrate());

		this->rateController.SetCutToIncomingRate(!appLimited);
		this->rateController.Update(signal->usage, measuredBps, this->averagePacketBits, arrivalUs);

		KeepDelayBasedWithinMax();
	}

	void SendSideBandwidthEstimator::KeepDelayBasedWithinMax()
	{
		// So a maximum raised later starts from what was really allowed, not
		// from an estimate grown where nothing was sent.
		if (this->maxBitrate != 0u && this->rateController.GetBitrate() > this->maxBitrate)
		{
			this->rateController.SetBitrate(this->maxBitrate);
		}
	}
} // namespace RTC
