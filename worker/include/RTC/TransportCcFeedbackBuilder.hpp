#ifndef MS_RTC_TRANSPORT_CC_FEEDBACK_BUILDER_HPP
#define MS_RTC_TRANSPORT_CC_FEEDBACK_BUILDER_HPP

#include "common.hpp"

#include "RTC/SeqNumber.hpp"
#include "RTC/TransportCcChunkEncoder.hpp"

#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace RTC
{
	// The receive side of transport-wide congestion control
	// (draft-holmer-rmcat-transport-wide-cc-extensions-01): records when each
	// RTP packet carrying a transport-wide sequence number arrived and turns
	// that into transport-cc feedback packets (RTCP RTPFB, FMT 15) for the
	// sender's bandwidth estimator. Clock-free and without I/O: the caller
	// gives arrival times and the current time in microseconds, asks
	// GetNextDeadlineUs() when to come back, and sends what BuildFeedback()
	// hands it.
	//
	// - Arrivals are kept by extended (64-bit) sequence number, so 16-bit
	//   wrap-around and reordering before the next feedback need no special
	//   case. Duplicates are ignored; a packet at or before the last one an
	//   earlier feedback covered is ignored and counted as late (the sender
	//   has been told it was lost), unless it is more than MaxMissingRun
	//   behind: then the sender started over and so does the builder.
	// - At most MaxPendingArrivals are held: past it the oldest is dropped and
	//   counted (the sender never hears of it, which its estimator takes
	//   better than a false loss). The deadline turns due at
	//   PromptFeedbackArrivals already, so a caller that follows it does not
	//   get there.
	// - Each feedback starts where the previous one ended, so packets missing
	//   in between are reported as not received, unless more than
	//   MaxMissingRun are missing in a row: such a jump is not loss of a real
	//   stream, and the next feedback starts at the next received packet
	//   instead.
	// - A feedback packet ends and the next one starts (with its own
	//   reference time) when the next status would make it longer than the
	//   size allowed, when a receive delta does not fit in 16 bits (8.19 s)
	//   or after a run of more than MaxMissingRun missing packets.
	class TransportCcFeedbackBuilder
	{
	public:
		// Gets each built feedback packet; the bytes are valid during the call.
		using OnPacket = std::function<void(std::span<const uint8_t> packet)>;

	public:
		// libwebrtc's receiver sends feedback every 100 ms by default, and
		// Chrome's send-side estimator is tuned against that: faster costs
		// RTCP bandwidth (about 5 kbit/s at this rate) for little gain, slower
		// delays its reaction to congestion.
		static constexpr uint64_t FeedbackIntervalUs{ 100000u };
		// About what one feedback of 1200 bytes holds when the deltas are
		// large (2 bytes per packet plus a chunk per 7); with small deltas
		// it holds twice as many. A burst this big is reported at once.
		static constexpr size_t PromptFeedbackArrivals{ 500u };
		static constexpr size_t MaxPendingArrivals{ 2000u };
		// What one run length chunk can say.
		static constexpr size_t MaxMissingRun{ TransportCcChunkEncoder::MaxRunLength };
		// Header, fixed fields, a run of missing packets, one received packet
		// and its small delta, padded: the first received packet of a feedback
		// always fits in this.
		static constexpr size_t MinPacketSize{ 28u };
		static constexpr uint64_t DeltaUnitUs{ 250u };
		static constexpr uint64_t ReferenceTimeUnitUs{ 64000u };

	public:
		// Records the arrival of the packet with transport-wide sequence number
		// `wideSeqNumber` (media, RTX or padding alike).
		void ReceivePacket(uint16_t wideSeqNumber, uint64_t arrivalUs);
		// When BuildFeedback() is due: FeedbackIntervalUs after the last one
		// built (or after the first arrival), or at once (the time the
		// threshold was crossed) once PromptFeedbackArrivals are pending. May
		// be in the past (due now). nullopt when nothing is pending.
		std::optional<uint64_t> GetNextDeadlineUs() const;
		// Builds feedback for every pending arrival: complete RTCP packets of
		// at most `maxPacketSize` bytes each, handed to `onPacket` in sequence
		// order. Returns how many. Builds nothing (and keeps what is pending)
		// when `maxPacketSize` is under MinPacketSize.
		size_t BuildFeedback(
			uint64_t nowUs,
			uint32_t senderSsrc,
			uint32_t mediaSsrc,
			size_t maxPacketSize,
			const OnPacket& onPacket);
		size_t GetPendingCount() const { return this->pending.size(); }
		// Arrivals ignored because a feedback already covered them.
		uint64_t GetLateCount() const { return this->lateCount; }
		uint64_t GetDuplicateCount() const { return this->duplicateCount; }
		// Arrivals dropped unreported because MaxPendingArrivals were held.
		uint64_t GetOverflowCount() const { return this->overflowCount; }
		// Times the sender's sequence went back by more than MaxMissingRun
		// after a feedback (it started over): the builder starts over with it.
		uint64_t GetRestartCount() const { return this->restartCount; }

	private:
		struct Arrival
		{
			uint64_t extendedSeq{ 0u };
			uint64_t arrivalUs{ 0u };
		};

	private:
		// Writes the feedback in the encoder and `deltas` and hands it over.
		bool EmitPacket(
			uint64_t baseSeq,
			uint64_t endSeq,
			uint64_t referenceTime,
			uint32_t senderSsrc,
			uint32_t mediaSsrc,
			const OnPacket& onPacket);

	private:
		// Allocated by this.
		// Sorted by extended sequence number, at most MaxPendingArrivals.
		std::vector<Arrival> pending;
		// Scratch space for building, reused: its capacity stays. Each holds at
		// most one feedback packet (`maxPacketSize`, itself capped at the
		// largest RTCP packet).
		TransportCcChunkEncoder encoder;
		std::vector<uint8_t> deltas;
		std::vector<uint8_t> fci;
		std::vector<uint8_t> packet;
		// Others.
		SeqNumberUnwrapper unwrapper;
		// The first extended sequence number no feedback has covered yet.
		std::optional<uint64_t> nextSeq;
		std::optional<uint64_t> lastBuildUs;
		uint64_t firstPendingUs{ 0u };
		std::optional<uint64_t> promptUs;
		uint8_t feedbackPacketCount{ 0u };
		uint64_t lateCount{ 0u };
		uint64_t duplicateCount{ 0u };
		uint64_t overflowCount{ 0u };
		uint64_t restartCount{ 0u };
	};
} // namespace RTC

#endif
