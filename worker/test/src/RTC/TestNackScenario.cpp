#include "common.hpp"

#include "RTC/KeyFrameRequestManager.hpp"
#include "RTC/NackGenerator.hpp"
#include "RTC/RetransmissionBuffer.hpp"
#include "RTC/RtpSeqTracker.hpp"
#include "RTC/ScenarioLink.hpp"
#include "RTC/StreamScore.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <bitset>
#include <map>
#include <optional>
#include <vector>

// End-to-end NACK/RTX/PLI exchanges between a sender (a RetransmissionBuffer)
// and a receiver (RtpSeqTracker + NackGenerator + KeyFrameRequestManager +
// StreamScore), joined by two ScenarioLink links, on a virtual clock. Each run
// takes a few milliseconds of real time.

using namespace RTC;
using ScenarioLink::LinkConfig;
using ScenarioLink::LossPeriod;

namespace
{
	constexpr uint64_t StartMs{ 100000u };
	constexpr uint64_t ReportIntervalMs{ 1000u };
	// Far more than any scenario needs: a loop that stops advancing fails.
	constexpr uint64_t MaxSteps{ 2000000u };

	struct MediaPacket
	{
		uint16_t seq{ 0u };
		uint32_t rtpTs{ 0u };
		bool isKeyFrame{ false };
		bool isRtx{ false };
		std::vector<uint8_t> bytes;
	};

	struct Feedback
	{
		enum class Kind : uint8_t
		{
			NACK = 1,
			PLI
		};

		Kind kind{ Kind::NACK };
		std::vector<uint16_t> seqs;
	};

	// Bytes a packet carries, rebuilt by the receiver to check what came
	// through the retransmission buffer: seq (2), key frame flag (1), RTP
	// timestamp (4), then a filler derived from the seq; 100 to 1299 bytes.
	std::vector<uint8_t> MakePayload(uint16_t seq, uint32_t rtpTs, bool isKeyFrame)
	{
		std::vector<uint8_t> bytes(100u + seq % 1200u);

		bytes[0] = static_cast<uint8_t>(seq >> 8u);
		bytes[1] = static_cast<uint8_t>(seq);
		bytes[2] = isKeyFrame ? 1u : 0u;
		bytes[3] = static_cast<uint8_t>(rtpTs >> 24u);
		bytes[4] = static_cast<uint8_t>(rtpTs >> 16u);
		bytes[5] = static_cast<uint8_t>(rtpTs >> 8u);
		bytes[6] = static_cast<uint8_t>(rtpTs);

		for (size_t i = 7u; i < bytes.size(); ++i)
		{
			bytes[i] = static_cast<uint8_t>(seq * 31u + i);
		}

		return bytes;
	}

	struct ScenarioConfig
	{
		uint16_t firstSeq{ 1000u };
		uint32_t firstRtpTs{ 4294000000u };
		uint32_t clockRate{ 90000u };
		uint64_t packetIntervalMs{ 20u };
		// Fewer than 65536, so a 16-bit seq names one packet of the run.
		size_t packetCount{ 1000u };
		LinkConfig forward;
		LinkConfig reverse;
		// Virtual time after the last packet is sent.
		uint64_t drainMs{ 5000u };
	};

	class NackScenario
	{
	public:
		explicit NackScenario(ScenarioConfig config)
				: config(config),
					forward(config.forward),
					reverse(config.reverse),
					clock(StartMs),
					nextSeq(config.firstSeq),
					nextRtpTs(config.firstRtpTs),
					nextPacketMs(StartMs),
					tracker(config.clockRate),
					nextReportMs(StartMs + ReportIntervalMs)
		{
		}

	public:
		void Run()
		{
			const uint64_t endMs =
				StartMs + this->config.packetCount * this->config.packetIntervalMs + this->config.drainMs;

			while (true)
			{
				const auto nextMs = ScenarioLink::Earliest({
					this->sentSeqs.size() < this->config.packetCount
						? std::optional<uint64_t>(this->nextPacketMs)
						: std::nullopt,
					this->forward.GetNextDeliveryMs(),
					this->reverse.GetNextDeliveryMs(),
					this->nack.GetNextDeadlineMs(),
					this->keyFrames.GetNextDeadlineMs(),
					// Reports about the stream while it is sent (RFC 3550 6.4: only about
					// sources heard from).
					this->sentSeqs.size() < this->config.packetCount
						? std::optional<uint64_t>(this->nextReportMs)
						: std::nullopt,
				});

				if (!nextMs || *nextMs > endMs)
				{
					break;
				}

				this->clock.AdvanceTo(*nextMs);

				if (this->clock.GetSteps() > MaxSteps)
				{
					FAIL("the scenario does not advance");
				}

				const uint64_t nowMs = this->clock.Now();

				for (auto& feedback : this->reverse.TakeDue(nowMs))
				{
					SenderReceiveFeedback(feedback, nowMs);
				}

				for (auto& packet : this->forward.TakeDue(nowMs))
				{
					ReceiverReceivePacket(packet, nowMs);
				}

				if (this->sentSeqs.size() < this->config.packetCount && nowMs >= this->nextPacketMs)
				{
					SenderSendPacket(nowMs);
				}

				ReceiverTimers(nowMs);
			}
		}

		// Sent packets from the first one the receiver validated that never
		// reached it.
		std::vector<uint16_t> GetMissing() const
		{
			std::vector<uint16_t> missing;

			if (!this->firstValidatedSeq)
			{
				return this->sentSeqs;
			}

			auto it = std::find(this->sentSeqs.begin(), this->sentSeqs.end(), *this->firstValidatedSeq);

			for (; it != this->sentSeqs.end(); ++it)
			{
				if (!this->received.test(*it))
				{
					missing.push_back(*it);
				}
			}

			return missing;
		}
		size_t CountResults(RtpSeqTracker::ReceiveResult result) const
		{
			const auto it = this->results.find(result);

			return it == this->results.end() ? 0u : it->second;
		}
		uint64_t GetRttMs() const
		{
			return this->config.forward.delayMs + this->config.reverse.delayMs;
		}

	private:
		void SenderSendPacket(uint64_t nowMs)
		{
			const uint16_t seq   = this->nextSeq++;
			const uint32_t rtpTs = this->nextRtpTs;
			// The first packet, and the first after a PLI, start a key frame.
			const bool isKeyFrame = this->sentSeqs.empty() || this->keyFrameAsked;

			this->nextRtpTs +=
				static_cast<uint32_t>(this->config.clockRate * this->config.packetIntervalMs / 1000u);
			this->nextPacketMs += this->config.packetIntervalMs;
			this->keyFrameAsked = false;

			if (isKeyFrame)
			{
				++this->keyFramesSent;
			}

			auto bytes = MakePayload(seq, rtpTs, isKeyFrame);

			REQUIRE(
				this->buffer.Insert(seq, rtpTs, bytes, nowMs) ==
				RetransmissionBuffer::InsertResult::STORED);

			this->sentSeqs.push_back(seq);
			this->forward.Send(MediaPacket{ seq, rtpTs, isKeyFrame, false, std::move(bytes) }, nowMs);
		}

		void SenderReceiveFeedback(const Feedback& feedback, uint64_t nowMs)
		{
			if (feedback.kind == Feedback::Kind::PLI)
			{
				++this->plisReceived;
				this->keyFrameAsked = true;

				return;
			}

			for (const uint16_t seq : feedback.seqs)
			{
				const auto bytes = this->buffer.GetForResend(seq, nowMs, static_cast<uint32_t>(GetRttMs()));

				if (!bytes)
				{
					++this->rtxRefused;

					continue;
				}

				MediaPacket packet;

				packet.seq   = seq;
				packet.isRtx = true;
				packet.bytes.assign(bytes->begin(), bytes->end());
				// What the receiver would read in the retransmitted packet.
				packet.isKeyFrame = packet.bytes[2] == 1u;
				packet.rtpTs      = static_cast<uint32_t>(packet.bytes[3]) << 24u |
											 static_cast<uint32_t>(packet.bytes[4]) << 16u |
											 static_cast<uint32_t>(packet.bytes[5]) << 8u | packet.bytes[6];

				++this->rtxSent;
				this->forward.Send(std::move(packet), nowMs);
			}
		}

		void ReceiverReceivePacket(const MediaPacket& packet, uint64_t nowMs)
		{
			if (packet.bytes != MakePayload(packet.seq, packet.rtpTs, packet.isKeyFrame))
			{
				++this->payloadMismatches;
			}

			if (packet.isRtx)
			{
				++this->rtxReceived;
			}

			const auto result = packet.isRtx
														? this->tracker.ReceiveRecoveredPacket(packet.seq, nowMs)
														: this->tracker.ReceivePacket(packet.seq, packet.rtpTs, nowMs);

			++this->results[result];

			switch (result)
			{
				case RtpSeqTracker::ReceiveResult::PROBATION:
				case RtpSeqTracker::ReceiveResult::INVALID:
				case RtpSeqTracker::ReceiveResult::DUPLICATE:
				{
					return;
				}

				case RtpSeqTracker::ReceiveResult::RESTARTED:
				{
					this->nack.Reset();

					break;
				}

				case RtpSeqTracker::ReceiveResult::ACCEPTED:
				case RtpSeqTracker::ReceiveResult::OUT_OF_ORDER:
				{
					break;
				}
			}

			if (!this->firstValidatedSeq)
			{
				this->firstValidatedSeq = packet.seq;
			}

			this->received.set(packet.seq);
			this->nack.ReceivePacket(packet.seq, packet.isKeyFrame, packet.isRtx, nowMs);

			if (packet.isKeyFrame)
			{
				++this->keyFramesReceived;
				this->keyFrames.KeyFrameReceived();
			}

			if (this->nack.TakeKeyFrameRequired())
			{
				++this->keyFramesRequired;

				if (this->keyFrames.RequestKeyFrame(nowMs))
				{
					SendPli(nowMs);
				}
			}
		}

		void ReceiverTimers(uint64_t nowMs)
		{
			const auto nackDeadlineMs = this->nack.GetNextDeadlineMs();

			if (nackDeadlineMs && *nackDeadlineMs <= nowMs)
			{
				auto seqs = this->nack.GetNacks(nowMs, static_cast<uint32_t>(GetRttMs()));

				if (!seqs.empty())
				{
					++this->nacksSent;
					this->reverse.Send(Feedback{ Feedback::Kind::NACK, std::move(seqs) }, nowMs);
				}
			}

			if (this->keyFrames.OnTimeout(nowMs))
			{
				SendPli(nowMs);
			}

			if (this->sentSeqs.size() < this->config.packetCount && nowMs >= this->nextReportMs)
			{
				this->nextReportMs += ReportIntervalMs;

				const auto block = this->tracker.GetReportBlock(nowMs);

				if (block)
				{
					const uint64_t recovered = this->nack.GetRecoveredCount();

					this->score.AddSample(
						block->expectedInInterval,
						block->lostInInterval,
						static_cast<uint32_t>(recovered - this->recoveredAtLastReport));
					this->recoveredAtLastReport = recovered;
					this->minScore              = std::min(this->minScore, this->score.GetScore());
					this->maxFractionLost       = std::max(this->maxFractionLost, block->fractionLost);
				}
			}
		}

		void SendPli(uint64_t nowMs)
		{
			++this->plisSent;
			this->reverse.Send(Feedback{ Feedback::Kind::PLI, {} }, nowMs);
		}

	public:
		ScenarioConfig config;
		ScenarioLink::Link<MediaPacket> forward;
		ScenarioLink::Link<Feedback> reverse;
		ScenarioLink::VirtualClock clock;
		// Sender.
		RetransmissionBuffer buffer;
		uint16_t nextSeq{ 0u };
		uint32_t nextRtpTs{ 0u };
		uint64_t nextPacketMs{ 0u };
		bool keyFrameAsked{ false };
		std::vector<uint16_t> sentSeqs;
		uint64_t rtxSent{ 0u };
		uint64_t rtxRefused{ 0u };
		uint64_t plisReceived{ 0u };
		uint64_t keyFramesSent{ 0u };
		// Receiver.
		RtpSeqTracker tracker;
		NackGenerator nack;
		KeyFrameRequestManager keyFrames;
		StreamScore score{ StreamScore::MaxScore };
		uint64_t nextReportMs{ 0u };
		std::optional<uint16_t> firstValidatedSeq;
		std::bitset<65536> received;
		std::map<RtpSeqTracker::ReceiveResult, size_t> results;
		uint64_t rtxReceived{ 0u };
		uint64_t payloadMismatches{ 0u };
		uint64_t nacksSent{ 0u };
		uint64_t plisSent{ 0u };
		uint64_t keyFramesRequired{ 0u };
		uint64_t keyFramesReceived{ 0u };
		uint64_t recoveredAtLastReport{ 0u };
		uint8_t minScore{ StreamScore::MaxScore };
		uint8_t maxFractionLost{ 0u };
	};

	LinkConfig MakeLink(double lossRate, uint32_t seed, uint64_t delayMs = 40u)
	{
		LinkConfig link;

		link.delayMs  = delayMs;
		link.lossRate = lossRate;
		link.seed     = seed;

		return link;
	}

	// What every run where loss stays within reach of NACK must show.
	void RequireFullyRepaired(const NackScenario& scenario)
	{
		REQUIRE(scenario.GetMissing().empty());
		REQUIRE(scenario.payloadMismatches == 0u);
		REQUIRE(scenario.tracker.GetPacketsLost() == 0);
		REQUIRE(scenario.nack.GetNackListSize() == 0u);
		REQUIRE(scenario.nack.GetGivenUpCount() == 0u);
		REQUIRE(scenario.keyFramesRequired == 0u);
		REQUIRE(scenario.CountResults(RtpSeqTracker::ReceiveResult::RESTARTED) == 0u);
		REQUIRE(scenario.forward.GetInFlightCount() == 0u);
	}
} // namespace

TEST_CASE("NACK scenario without loss", "[NackScenario]")
{
	ScenarioConfig config;

	config.forward = MakeLink(0.0, 1u);
	config.reverse = MakeLink(0.0, 2u);

	NackScenario scenario(config);

	scenario.Run();

	RequireFullyRepaired(scenario);
	REQUIRE(scenario.sentSeqs.size() == 1000u);
	// Probation takes the first packet.
	REQUIRE(scenario.CountResults(RtpSeqTracker::ReceiveResult::PROBATION) == 1u);
	REQUIRE(scenario.CountResults(RtpSeqTracker::ReceiveResult::ACCEPTED) == 999u);
	REQUIRE(scenario.nacksSent == 0u);
	REQUIRE(scenario.rtxSent == 0u);
	REQUIRE(scenario.plisSent == 0u);
	REQUIRE(scenario.maxFractionLost == 0u);
	REQUIRE(scenario.score.GetScore() == 10u);
	REQUIRE(scenario.minScore == 10u);
	// Constant transit time: no jitter.
	REQUIRE(scenario.tracker.GetJitter() == 0u);
}

TEST_CASE("NACK scenario with 5% loss both ways repairs every packet", "[NackScenario]")
{
	ScenarioConfig config;

	config.forward = MakeLink(0.05, 11u);
	config.reverse = MakeLink(0.05, 12u);

	NackScenario scenario(config);

	scenario.Run();

	RequireFullyRepaired(scenario);
	REQUIRE(scenario.forward.dropped > 20u);
	REQUIRE(scenario.reverse.dropped > 0u);
	REQUIRE(scenario.nack.GetRecoveredCount() > 20u);
	REQUIRE(scenario.rtxReceived >= scenario.nack.GetRecoveredCount());
	REQUIRE(scenario.plisSent == 0u);
	// Repairs cost a little.
	REQUIRE(scenario.score.GetScore() >= 9u);
}

TEST_CASE("NACK scenario with a 30% loss burst", "[NackScenario]")
{
	ScenarioConfig config;

	config.packetCount = 1000u; // 20 s
	config.forward     = MakeLink(0.0, 21u);
	config.reverse     = MakeLink(0.0, 22u);
	config.forward.lossPeriods.push_back(LossPeriod{ StartMs + 4000u, StartMs + 6000u, 0.3 });

	NackScenario scenario(config);

	scenario.Run();

	RequireFullyRepaired(scenario);
	// About 30 originals and some retransmissions lost in the burst.
	REQUIRE(scenario.forward.dropped > 20u);
	REQUIRE(scenario.nack.GetRecoveredCount() > 20u);
	// The score dipped during the burst (repairs cost a quarter of a loss)
	// and came back once clean reports took over.
	REQUIRE(scenario.minScore < 10u);
	REQUIRE(scenario.score.GetScore() == 10u);
}

TEST_CASE("NACK scenario where retransmissions are lost too", "[NackScenario]")
{
	ScenarioConfig config;

	config.forward = MakeLink(0.2, 31u);
	config.reverse = MakeLink(0.1, 32u);

	NackScenario scenario(config);

	scenario.Run();

	RequireFullyRepaired(scenario);
	// Some retransmissions were lost, so some packets needed several requests.
	REQUIRE(scenario.rtxReceived < scenario.rtxSent);
	REQUIRE(scenario.nack.GetRequestedCount() > scenario.nack.GetRecoveredCount());
	REQUIRE(
		scenario.tracker.GetPacketsDuplicated() ==
		scenario.rtxReceived - scenario.nack.GetRecoveredCount());
}

TEST_CASE("NACK scenario with reordering", "[NackScenario]")
{
	ScenarioConfig config;

	config.forward          = MakeLink(0.02, 41u);
	config.forward.jitterMs = 50u; // packets 20 ms apart overtake each other
	config.reverse          = MakeLink(0.0, 42u);

	NackScenario scenario(config);

	scenario.Run();

	RequireFullyRepaired(scenario);
	REQUIRE(scenario.CountResults(RtpSeqTracker::ReceiveResult::OUT_OF_ORDER) > 100u);
	// Reordering alone fills holes that were already asked for...
	REQUIRE(scenario.nack.GetLateCount() > 50u);
	// ...so some retransmissions arrive for packets already there.
	REQUIRE(scenario.tracker.GetPacketsDuplicated() > 0u);
	REQUIRE(scenario.tracker.GetJitter() > 0u);
}

TEST_CASE("NACK scenario across the sequence number wrap", "[NackScenario]")
{
	ScenarioConfig config;

	config.firstSeq    = 65000u;
	config.packetCount = 2000u;
	config.forward     = MakeLink(0.05, 51u);
	config.reverse     = MakeLink(0.05, 52u);

	NackScenario scenario(config);

	scenario.Run();

	RequireFullyRepaired(scenario);
	REQUIRE(scenario.sentSeqs.back() == static_cast<uint16_t>(65000u + 1999u));
	// One cycle counted.
	REQUIRE(scenario.tracker.GetExtendedHighestSeq() == 65536u + scenario.sentSeqs.back());
	REQUIRE(scenario.nack.GetRecoveredCount() > 50u);
}

TEST_CASE("NACK scenario at a high packet rate and RTT", "[NackScenario]")
{
	ScenarioConfig config;

	// 1000 packets/s and 200 ms RTT: retransmissions arrive about 200 packets
	// behind the highest, past RtpSeqTracker::MaxMisorder.
	config.packetIntervalMs = 1u;
	config.packetCount      = 3000u;
	config.forward          = MakeLink(0.02, 61u, 100u);
	config.reverse          = MakeLink(0.02, 62u, 100u);

	NackScenario scenario(config);

	scenario.Run();

	RequireFullyRepaired(scenario);
	REQUIRE(scenario.CountResults(RtpSeqTracker::ReceiveResult::INVALID) == 0u);
	REQUIRE(scenario.nack.GetRecoveredCount() > 30u);
}

TEST_CASE("NACK scenario with a short outage", "[NackScenario]")
{
	ScenarioConfig config;

	config.forward = MakeLink(0.0, 71u);
	config.reverse = MakeLink(0.0, 72u);
	// 25 packets in a row.
	config.forward.lossPeriods.push_back(LossPeriod{ StartMs + 5000u, StartMs + 5500u, 1.0 });

	NackScenario scenario(config);

	scenario.Run();

	RequireFullyRepaired(scenario);
	REQUIRE(scenario.nack.GetRecoveredCount() == 25u);
	REQUIRE(scenario.plisSent == 0u);
}

TEST_CASE("NACK scenario with a long outage asks for a key frame", "[NackScenario]")
{
	ScenarioConfig config;

	// 200 packets/s; 6 s without any: 1200 packets, more than the NACK list holds.
	config.packetIntervalMs = 5u;
	config.packetCount      = 4000u; // 20 s
	config.forward          = MakeLink(0.0, 81u);
	config.reverse          = MakeLink(0.0, 82u);
	config.forward.lossPeriods.push_back(LossPeriod{ StartMs + 3000u, StartMs + 9000u, 1.0 });

	NackScenario scenario(config);

	scenario.Run();

	REQUIRE(scenario.payloadMismatches == 0u);
	REQUIRE(scenario.nack.GetOverflowCount() == 1u);
	REQUIRE(scenario.keyFramesRequired == 1u);
	REQUIRE(scenario.plisSent == 1u);
	REQUIRE(scenario.plisReceived == 1u);
	// The first packet and the one answering the PLI; probation took the first.
	REQUIRE(scenario.keyFramesSent == 2u);
	REQUIRE(scenario.keyFramesReceived == 1u);
	REQUIRE(!scenario.keyFrames.IsPending());
	REQUIRE(scenario.nack.GetNackListSize() == 0u);
	REQUIRE(scenario.rtxSent == 0u);

	// Exactly the packets of the outage are gone.
	const auto missing = scenario.GetMissing();

	REQUIRE(missing.size() == 1200u);
	REQUIRE(scenario.tracker.GetPacketsLost() == 1200);
	REQUIRE(missing.front() == static_cast<uint16_t>(config.firstSeq + 600u));
	REQUIRE(missing.back() == static_cast<uint16_t>(config.firstSeq + 1799u));
	REQUIRE(scenario.maxFractionLost > 200u);
	// Six reports with nothing or almost nothing received, then clean ones.
	REQUIRE(scenario.minScore <= 1u);
	REQUIRE(scenario.score.GetScore() == 10u);
}

TEST_CASE("NACK scenario runs are reproducible from their seeds", "[NackScenario]")
{
	ScenarioConfig config;

	config.forward          = MakeLink(0.1, 91u);
	config.forward.jitterMs = 30u;
	config.reverse          = MakeLink(0.1, 92u);

	NackScenario first(config);
	NackScenario second(config);

	first.Run();
	second.Run();

	REQUIRE(first.forward.dropped == second.forward.dropped);
	REQUIRE(first.reverse.dropped == second.reverse.dropped);
	REQUIRE(first.rtxSent == second.rtxSent);
	REQUIRE(first.nack.GetRequestedCount() == second.nack.GetRequestedCount());
	REQUIRE(first.tracker.GetJitter() == second.tracker.GetJitter());
	REQUIRE(first.clock.GetSteps() == second.clock.GetSteps());
}
