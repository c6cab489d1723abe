#ifndef MS_TEST_REMB_SIMULATED_LINK_HPP
#define MS_TEST_REMB_SIMULATED_LINK_HPP

#include "common.hpp"

#include "RTC/RembEstimator.hpp"

#include <deque>
#include <functional>
#include <random>

// A sender and an RembEstimator joined by a simulated path, run faster than
// real time on a virtual clock (microseconds):
//
//   sender --(random loss)--> bottleneck (capacity C(t), drop-tail queue)
//     --(one-way delay + jitter, no reordering)--> estimator
//   estimator --REMB (one-way delay)--> sender
//
// The sender sends fixed-size packets paced at the rate of the last REMB it
// received (starting at `startBitrate`), stamped with abs-send-time from its
// own clock (which starts just before a 64 s wrap, so the run crosses one).
class RembSimulatedLink
{
public:
	struct Config
	{
		// Bit/s of the bottleneck at a given time (0: no bottleneck).
		std::function<uint64_t(uint64_t nowUs)> capacity;
		uint64_t oneWayDelayUs{ 20000u };
		uint64_t maxJitterUs{ 4000u };
		uint64_t maxQueueUs{ 300000u };
		double lossRate{ 0.02 };
		size_t packetSize{ 1200u };
		uint32_t startBitrate{ RTC::AimdRateController::InitialBitrate };
		uint32_t seed{ 1u };
	};

public:
	explicit RembSimulatedLink(Config config) : config(std::move(config)), random(this->config.seed)
	{
		this->senderBitrate = this->config.startBitrate;
	}

	// Runs until `endUs`, calling `onTick` every `tickUs` with the time.
	void Run(uint64_t endUs, uint64_t tickUs, const std::function<void(uint64_t nowUs)>& onTick)
	{
		uint64_t nextTickUs = this->nowUs;

		while (this->nowUs < endUs)
		{
			uint64_t next = std::min(this->nextSendUs, nextTickUs);

			if (!this->inFlight.empty())
			{
				next = std::min(next, this->inFlight.front().arrivalUs);
			}

			if (!this->rembs.empty())
			{
				next = std::min(next, this->rembs.front().arrivalUs);
			}

			if (const auto deadline = this->estimator.GetNextDeadlineUs())
			{
				next = std::min(next, std::max(*deadline, this->nowUs));
			}

			this->nowUs = next;

			if (this->nowUs == this->nextSendUs)
			{
				Send();
			}

			while (!this->inFlight.empty() && this->inFlight.front().arrivalUs <= this->nowUs)
			{
				const auto packet = this->inFlight.front();

				this->inFlight.pop_front();
				this->estimator.ReceivePacket(packet.arrivalUs, packet.absSendTime, packet.size);
				this->received++;
			}

			if (const auto bitrate = this->estimator.Process(this->nowUs))
			{
				this->rembs.push_back({ this->nowUs + this->config.oneWayDelayUs, *bitrate });
				this->rembCount++;
			}

			while (!this->rembs.empty() && this->rembs.front().arrivalUs <= this->nowUs)
			{
				this->senderBitrate = this->rembs.front().bitrate;
				this->rembs.pop_front();
			}

			if (this->nowUs == nextTickUs)
			{
				onTick(this->nowUs);
				nextTickUs += tickUs;
			}
		}
	}

	RTC::RembEstimator& GetEstimator() { return this->estimator; }
	uint32_t GetSenderBitrate() const { return this->senderBitrate; }
	uint64_t GetReceived() const { return this->received; }
	uint64_t GetQueueDrops() const { return this->queueDrops; }
	uint64_t GetRembCount() const { return this->rembCount; }

private:
	struct InFlight
	{
		uint64_t arrivalUs;
		uint32_t absSendTime;
		size_t size;
	};

	struct Remb
	{
		uint64_t arrivalUs;
		uint32_t bitrate;
	};

	void Send()
	{
		const uint64_t bits = 8u * this->config.packetSize;

		this->nextSendUs = this->nowUs + std::max<uint64_t>(1u, bits * 1000000u / this->senderBitrate);

		// The sender's clock: 63.5 s at the start, wrapping after 0.5 s.
		const uint64_t senderUs = this->nowUs + 62500000u;
		const auto absSendTime  = static_cast<uint32_t>(((senderUs << 18u) / 1000000u) & 0xFFFFFFu);

		if (std::uniform_real_distribution<double>(0.0, 1.0)(this->random) < this->config.lossRate)
		{
			return;
		}

		uint64_t leaveUs        = this->nowUs;
		const uint64_t capacity = this->config.capacity(this->nowUs);

		if (capacity > 0u)
		{
			const uint64_t startUs = std::max(this->nowUs, this->bottleneckFreeUs);

			// Drop-tail: no room when the wait would exceed the queue's size.
			if (startUs - this->nowUs > this->config.maxQueueUs)
			{
				this->queueDrops++;

				return;
			}

			this->bottleneckFreeUs = startUs + bits * 1000000u / capacity;
			leaveUs                = this->bottleneckFreeUs;
		}

		const uint64_t jitterUs =
			std::uniform_int_distribution<uint64_t>(0u, this->config.maxJitterUs)(this->random);
		// Jitter without reordering.
		const uint64_t arrivalUs =
			std::max(leaveUs + this->config.oneWayDelayUs + jitterUs, this->lastArrivalUs);

		this->lastArrivalUs = arrivalUs;
		this->inFlight.push_back({ arrivalUs, absSendTime, this->config.packetSize });
	}

private:
	Config config;
	std::mt19937 random;
	RTC::RembEstimator estimator;
	uint64_t nowUs{ 1000000u };
	uint64_t nextSendUs{ 1000000u };
	uint64_t bottleneckFreeUs{ 0u };
	uint64_t lastArrivalUs{ 0u };
	uint32_t senderBitrate{ 0u };
	std::deque<InFlight> inFlight;
	std::deque<Remb> rembs;
	uint64_t received{ 0u };
	uint64_t queueDrops{ 0u };
	uint64_t rembCount{ 0u };
};

#endif
