#include "common.hpp"

#include "RTC/PacketResult.hpp"
#include "RTC/ProbeController.hpp"
#include "RTC/ProbePacer.hpp"
#include "RTC/SendSideBandwidthEstimator.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <optional>
#include <vector>

using RTC::PacketResult;
using RTC::ProbeController;
using RTC::ProbePacer;
using RTC::SendSideBandwidthEstimator;

namespace
{
	constexpr uint64_t Second{ 1000000u };
	constexpr uint64_t StartUs{ 1000000u };

	// A sender as the transport will be once the lead wires probation in:
	// media paced at the lower of the estimate and what the consumers want,
	// probe clusters from ProbeController run by ProbePacer in padding-only
	// packets (media sent during a cluster stamped with it), the estimate
	// from transport-cc feedback. The path: a bottleneck with a drop-tail
	// queue, then a fixed delay; feedback every 50 ms, as much delayed.
	// Faster than real time: steps of 250 us of simulated time.
	class ProbingLink
	{
	public:
		struct Config
		{
			uint64_t capacity{ 2000000u };
			uint32_t desired{ 2500000u };
			uint32_t maxBitrate{ 0u };
			bool probing{ true };
		};

		static constexpr uint64_t StepUs{ 250u };
		static constexpr uint64_t OneWayDelayUs{ 20000u };
		static constexpr uint64_t MaxQueueUs{ 300000u };
		static constexpr uint64_t FeedbackIntervalUs{ 50000u };
		static constexpr size_t MediaSize{ 1200u };
		// 12 + 4 + 4 bytes of header (transport-wide-cc only) + 255 of padding.
		static constexpr size_t ProbeSize{ 275u };

	public:
		explicit ProbingLink(Config config) : config(config)
		{
			this->estimator.SetMaxBitrate(config.maxBitrate);
			this->controller.SetMaxBitrate(config.maxBitrate);
			this->pacer.SetMaxBitrate(config.maxBitrate);
			this->controller.SetDesiredBitrate(config.desired);
			this->controller.SetEstimate(this->estimator.GetTargetBitrate(), false);
			this->controller.SetMediaFlowing(true);
		}

		// Runs until `endUs`, calling `onStep` after each step.
		template <typename F>
		void Run(uint64_t endUs, F onStep)
		{
			for (; this->nowUs < endUs; this->nowUs += StepUs)
			{
				Step();
				onStep(this->nowUs);
			}
		}

		const SendSideBandwidthEstimator& GetEstimator() const { return this->estimator; }
		const ProbeController& GetController() const { return this->controller; }
		const ProbePacer& GetPacer() const { return this->pacer; }
		uint64_t GetMaxClusterBitrate() const { return this->maxProbeClusterBitrate; }
		uint64_t GetQueueDrops() const { return this->queueDrops; }

	private:
		struct Feedback
		{
			uint64_t arrivalUs;
			std::vector<PacketResult> results;
		};

		void Step()
		{
			// Feedback reaching the sender.
			while (!this->feedbacks.empty() && this->feedbacks.front().arrivalUs <= this->nowUs)
			{
				this->estimator.ReceiveFeedback(this->feedbacks.front().results, this->nowUs);
				this->feedbacks.pop_front();

				const bool limited =
					this->estimator.GetUsage() == RTC::BandwidthUsage::Overusing ||
					this->estimator.GetLossBasedBitrate() < this->estimator.GetDelayBasedBitrate();

				this->controller.SetEstimate(this->estimator.GetTargetBitrate(), limited);
				this->controller.ReadProbeResults(this->estimator.GetProbeRateEstimator(), this->nowUs);
			}

			if (this->config.probing)
			{
				while (const auto cluster = this->controller.Poll(this->nowUs))
				{
					this->pacer.AddCluster(*cluster, this->nowUs);
					this->maxProbeClusterBitrate =
						std::max<uint64_t>(this->maxProbeClusterBitrate, cluster->bitrate);
				}
			}

			// Media at what the estimate allows, up to what is wanted.
			while (this->nextMediaUs <= this->nowUs)
			{
				const uint32_t rate =
					std::max(1u, std::min(this->estimator.GetTargetBitrate(), this->config.desired));
				const auto clusterId = this->pacer.GetActiveClusterId(this->nowUs);

				Send(MediaSize, clusterId);

				if (clusterId)
				{
					this->pacer.OnMediaSent(MediaSize, this->nowUs);
				}

				this->nextMediaUs += MediaSize * 8u * Second / rate;
			}

			while (const size_t size = this->pacer.NextProbePacketSize(this->nowUs, ProbeSize))
			{
				Send(size, this->pacer.GetActiveClusterId(this->nowUs));
				this->pacer.OnProbeSent(size, this->nowUs);
			}

			if (this->nowUs >= this->nextFeedbackUs)
			{
				SendFeedback();
				this->nextFeedbackUs += FeedbackIntervalUs;
			}
		}

		void Send(size_t size, std::optional<uint32_t> clusterId)
		{
			PacketResult result{ .sendUs         = this->nowUs,
													 .arrivalUs      = std::nullopt,
													 .size           = size,
													 .probeClusterId = clusterId,
													 .extendedSeq    = this->nextSeq++ };
			const uint64_t startUs = std::max(this->nowUs, this->bottleneckFreeUs);

			if (startUs - this->nowUs > MaxQueueUs)
			{
				this->queueDrops++;
			}
			else
			{
				this->bottleneckFreeUs = startUs + size * 8u * Second / this->config.capacity;
				result.arrivalUs       = this->bottleneckFreeUs + OneWayDelayUs;
			}

			this->inFlight.push_back(result);
		}

		// Reports every packet that arrived by now, and those before them
		// that did not (lost).
		void SendFeedback()
		{
			Feedback feedback{ this->nowUs + OneWayDelayUs, {} };

			while (!this->inFlight.empty())
			{
				auto& front = this->inFlight.front();

				if (front.arrivalUs && *front.arrivalUs > this->nowUs)
				{
					break;
				}

				// A lost packet is reported once a later one arrived.
				if (!front.arrivalUs)
				{
					const bool laterArrived = std::any_of(
						this->inFlight.begin(),
						this->inFlight.end(),
						[this](const PacketResult& r) { return r.arrivalUs && *r.arrivalUs <= this->nowUs; });

					if (!laterArrived)
					{
						break;
					}
				}

				feedback.results.push_back(front);
				this->inFlight.pop_front();
			}

			if (!feedback.results.empty())
			{
				this->feedbacks.push_back(std::move(feedback));
			}
		}

	private:
		Config config;
		SendSideBandwidthEstimator estimator;
		ProbeController controller;
		ProbePacer pacer;
		uint64_t nowUs{ StartUs };
		uint64_t nextMediaUs{ StartUs };
		uint64_t nextFeedbackUs{ StartUs };
		uint64_t bottleneckFreeUs{ 0u };
		uint64_t nextSeq{ 0u };
		std::deque<PacketResult> inFlight;
		std::deque<Feedback> feedbacks;
		uint64_t maxProbeClusterBitrate{ 0u };
		uint64_t queueDrops{ 0u };
	};

	// Simulated time until the estimate first reaches `bitrate`.
	std::optional<uint64_t> TimeToReach(ProbingLink& link, uint32_t bitrate, uint64_t durationUs)
	{
		std::optional<uint64_t> reachedUs;

		link.Run(
			StartUs + durationUs,
			[&](uint64_t nowUs)
			{
				if (!reachedUs && link.GetEstimator().GetTargetBitrate() >= bitrate)
				{
					reachedUs = nowUs - StartUs;
				}
			});

		return reachedUs;
	}
} // namespace

TEST_CASE("Probation gets the estimate to a 2 Mbit/s path faster", "[probe]")
{
	ProbingLink withProbing({ .probing = true });
	ProbingLink withoutProbing({ .probing = false });

	const auto probedUs   = TimeToReach(withProbing, 1600000u, 10u * Second);
	const auto unprobedUs = TimeToReach(withoutProbing, 1600000u, 10u * Second);

	INFO(
		"80 % of 2 Mbit/s reached after " << (probedUs ? *probedUs : 0u) << " us with probing, "
																			<< (unprobedUs ? *unprobedUs : 0u) << " us without");
	REQUIRE(probedUs);
	// A few round trips: the initial pair and its feedback.
	REQUIRE(*probedUs <= 500000u);
	// AIMD alone takes seconds.
	REQUIRE((!unprobedUs || *unprobedUs >= 4u * *probedUs));
	REQUIRE(withProbing.GetPacer().GetProbationBytesSent() > 0u);
	REQUIRE(withProbing.GetController().GetClusterCount() >= 2u);

	// Probing did not push the estimate past the path: at the end of 10 s
	// it is near the capacity, not above it by much.
	REQUIRE(withProbing.GetEstimator().GetTargetBitrate() <= 2400000u);
}

TEST_CASE("Probation never probes above the maximum outgoing bitrate", "[probe]")
{
	ProbingLink link({ .capacity = 5000000u, .desired = 5000000u, .maxBitrate = 1000000u });

	link.Run(StartUs + 20u * Second, [](uint64_t) {});

	REQUIRE(link.GetController().GetClusterCount() >= 1u);
	REQUIRE(link.GetMaxClusterBitrate() <= 1000000u);
	REQUIRE(link.GetEstimator().GetTargetBitrate() <= 1000000u);
}
