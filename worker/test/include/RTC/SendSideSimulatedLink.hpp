#ifndef MS_TEST_SEND_SIDE_SIMULATED_LINK_HPP
#define MS_TEST_SEND_SIDE_SIMULATED_LINK_HPP

#include "common.hpp"

#include "RTC/PacketResult.hpp"
#include "RTC/SendSideBandwidthEstimator.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <random>
#include <vector>

// A sender driven by a SendSideBandwidthEstimator and a transport-cc
// receiver, joined by a simulated path run faster than real time on a
// virtual clock (microseconds):
//
//   sender --(random loss)--> bottleneck (capacity C(t), drop-tail queue,
//     shared with cross traffic X(t)) --(one-way delay + jitter, no
//     reordering)--> receiver
//   receiver --feedback every FeedbackIntervalUs (one-way delay)--> sender
//
// The sender paces fixed-size packets at the estimator's target, which it
// reads after each feedback. The receiver's clock is offset from the
// sender's, as it would be. Feedback reports, in sequence order, every
// packet up to the highest that arrived: the others as lost.
class SendSideSimulatedLink
{
public:
	struct Config
	{
		// Bit/s of the bottleneck at a given time (0: no bottleneck).
		std::function<uint64_t(uint64_t nowUs)> capacity;
		// Bit/s of cross traffic into the bottleneck (nullptr: none).
		std::function<uint64_t(uint64_t nowUs)> crossTraffic;
		// Random loss probability before the bottleneck.
		std::function<double(uint64_t nowUs)> lossRate;
		uint64_t oneWayDelayUs{ 20000u };
		uint64_t maxJitterUs{ 30000u };
		uint64_t maxQueueUs{ 300000u };
		uint64_t feedbackIntervalUs{ 50000u };
		size_t packetSize{ 1200u };
		uint32_t initialBitrate{ RTC::SendSideBandwidthEstimator::DefaultInitialBitrate };
		uint32_t seed{ 1u };
	};

	static constexpr uint64_t ReceiverClockOffsetUs{ 5000000000u };

public:
	explicit SendSideSimulatedLink(Config config)
			: config(std::move(config)), random(this->config.seed), estimator(this->config.initialBitrate)
	{
		this->senderBitrate = this->estimator.GetTargetBitrate();
	}

	// Runs until `endUs`, calling `onTick` every `tickUs` with the time.
	void Run(uint64_t endUs, uint64_t tickUs, const std::function<void(uint64_t nowUs)>& onTick)
	{
		uint64_t nextTickUs = this->nowUs;

		while (this->nowUs < endUs)
		{
			uint64_t next = std::min({ this->nextSendUs, nextTickUs, this->nextFeedbackUs });

			if (this->config.crossTraffic)
			{
				next = std::min(next, this->nextCrossUs);
			}

			if (!this->inFlight.empty())
			{
				next = std::min(next, this->inFlight.front().arrivalUs);
			}

			if (!this->feedbacks.empty())
			{
				next = std::min(next, this->feedbacks.front().arrivalUs);
			}

			this->nowUs = next;

			if (this->nowUs == this->nextSendUs)
			{
				Send();
			}

			if (this->config.crossTraffic && this->nowUs == this->nextCrossUs)
			{
				SendCross();
			}

			while (!this->inFlight.empty() && this->inFlight.front().arrivalUs <= this->nowUs)
			{
				const auto& packet = this->inFlight.front();

				this->results[packet.seq - this->firstUnreportedSeq].arrivalUs =
					packet.arrivalUs + ReceiverClockOffsetUs;
				this->highestArrivedSeq = packet.seq;
				this->anyArrived        = true;
				this->inFlight.pop_front();
			}

			if (this->nowUs == this->nextFeedbackUs)
			{
				SendFeedback();
				this->nextFeedbackUs += this->config.feedbackIntervalUs;
			}

			while (!this->feedbacks.empty() && this->feedbacks.front().arrivalUs <= this->nowUs)
			{
				this->estimator.ReceiveFeedback(this->feedbacks.front().results, this->nowUs);
				this->feedbacks.pop_front();
				this->senderBitrate = this->estimator.GetTargetBitrate();
			}

			if (this->nowUs == nextTickUs)
			{
				onTick(this->nowUs);
				nextTickUs += tickUs;
			}
		}
	}

	RTC::SendSideBandwidthEstimator& GetEstimator() { return this->estimator; }
	uint32_t GetSenderBitrate() const { return this->senderBitrate; }
	// Media packets sent, dropped by the bottleneck's queue, lost at random.
	uint64_t GetSent() const { return this->sent; }
	uint64_t GetQueueDrops() const { return this->queueDrops; }
	uint64_t GetRandomLosses() const { return this->randomLosses; }

private:
	struct InFlight
	{
		uint64_t seq;
		uint64_t arrivalUs;
	};

	struct Feedback
	{
		uint64_t arrivalUs;
		std::vector<RTC::PacketResult> results;
	};

	// When the bottleneck lets a packet entering now out, or nullopt if
	// its queue is full.
	std::optional<uint64_t> Enqueue(uint64_t bits)
	{
		const uint64_t capacity = this->config.capacity(this->nowUs);

		if (capacity == 0u)
		{
			return this->nowUs;
		}

		const uint64_t startUs = std::max(this->nowUs, this->bottleneckFreeUs);

		if (startUs - this->nowUs > this->config.maxQueueUs)
		{
			return std::nullopt;
		}

		this->bottleneckFreeUs = startUs + bits * 1000000u / capacity;

		return this->bottleneckFreeUs;
	}

	void Send()
	{
		const uint64_t bits = 8u * this->config.packetSize;
		const uint64_t seq  = this->nextSeq++;

		this->nextSendUs =
			this->nowUs + std::max<uint64_t>(1u, bits * 1000000u / std::max(this->senderBitrate, 1u));
		this->sent++;
		this->results.push_back({ .sendUs         = this->nowUs,
															.arrivalUs      = std::nullopt,
															.size           = this->config.packetSize,
															.probeClusterId = std::nullopt });

		const double lossRate = this->config.lossRate ? this->config.lossRate(this->nowUs) : 0.0;

		if (std::uniform_real_distribution<double>(0.0, 1.0)(this->random) < lossRate)
		{
			this->randomLosses++;

			return;
		}

		const auto leaveUs = Enqueue(bits);

		if (!leaveUs)
		{
			this->queueDrops++;

			return;
		}

		const uint64_t jitterUs =
			std::uniform_int_distribution<uint64_t>(0u, this->config.maxJitterUs)(this->random);
		// Jitter without reordering.
		const uint64_t arrivalUs =
			std::max(*leaveUs + this->config.oneWayDelayUs + jitterUs, this->lastArrivalUs);

		this->lastArrivalUs = arrivalUs;
		this->inFlight.push_back({ seq, arrivalUs });
	}

	void SendCross()
	{
		const uint64_t bits = 8u * this->config.packetSize;
		const uint64_t rate = this->config.crossTraffic(this->nowUs);

		// Checked again every 10 ms while there is none.
		this->nextCrossUs =
			this->nowUs + (rate == 0u ? 10000u : std::max<uint64_t>(1u, bits * 1000000u / rate));

		if (rate != 0u)
		{
			Enqueue(bits);
		}
	}

	void SendFeedback()
	{
		if (!this->anyArrived || this->highestArrivedSeq < this->firstUnreportedSeq)
		{
			return;
		}

		const size_t count = this->highestArrivedSeq - this->firstUnreportedSeq + 1u;
		Feedback feedback{ this->nowUs + this->config.oneWayDelayUs, {} };

		feedback.results.assign(this->results.begin(), this->results.begin() + count);
		this->results.erase(this->results.begin(), this->results.begin() + count);
		this->firstUnreportedSeq += count;
		this->feedbacks.push_back(std::move(feedback));
	}

private:
	Config config;
	std::mt19937 random;
	RTC::SendSideBandwidthEstimator estimator;
	uint64_t nowUs{ 1000000u };
	uint64_t nextSendUs{ 1000000u };
	uint64_t nextCrossUs{ 1000000u };
	uint64_t nextFeedbackUs{ 1000000u };
	uint64_t bottleneckFreeUs{ 0u };
	uint64_t lastArrivalUs{ 0u };
	uint32_t senderBitrate{ 0u };
	uint64_t nextSeq{ 0u };
	// Results of the packets not reported yet, from firstUnreportedSeq on.
	std::deque<RTC::PacketResult> results;
	uint64_t firstUnreportedSeq{ 0u };
	uint64_t highestArrivedSeq{ 0u };
	bool anyArrived{ false };
	std::deque<InFlight> inFlight;
	std::deque<Feedback> feedbacks;
	uint64_t sent{ 0u };
	uint64_t queueDrops{ 0u };
	uint64_t randomLosses{ 0u };
};

#endif
