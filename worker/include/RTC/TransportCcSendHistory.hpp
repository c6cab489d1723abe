#ifndef MS_RTC_TRANSPORT_CC_SEND_HISTORY_HPP
#define MS_RTC_TRANSPORT_CC_SEND_HISTORY_HPP

#include "common.hpp"

#include "RTC/PacketResult.hpp"
#include "RTC/RTCP/TransportWideCc.hpp"

#include <array>
#include <deque>
#include <optional>
#include <vector>

namespace RTC
{
	// The send side of transport-wide congestion control
	// (draft-holmer-rmcat-transport-wide-cc-extensions-01): hands out the
	// transport-wide sequence number of every packet sent to the peer (media,
	// RTX, padding, probes), remembers when it was sent and how big it was,
	// and turns the peer's transport-cc feedback into per-packet results for
	// the send-side estimator (draft-ietf-rmcat-gcc-02). Clock-free and
	// without I/O: times are arguments, in microseconds.
	//
	// - Numbers are handed out in order, so the history is a queue indexed by
	//   extended (64-bit) sequence number. It forgets packets sent more than
	//   MaxAgeUs ago and keeps at most MaxPackets (24 bytes each: at most
	//   192 KiB per transport; about 36 KiB for 2.5 Mbit/s of 1000-byte
	//   packets). MaxPackets is far under 2^15, so a 16-bit number in a
	//   feedback maps to one packet only.
	// - Each packet gets one result: received (with its arrival time) or lost.
	//   Statuses repeated by reordered or duplicated feedback are ignored and
	//   counted, and a packet reported received stays received. The one
	//   exception: a packet reported lost and later received gets a second
	//   result, marked `recovered`, so the estimator can take the loss back.
	// - Statuses for numbers never handed out or already forgotten are
	//   ignored and counted.
	// - Arrival times come in the receiver's clock (24-bit reference time in
	//   64 ms units, unwrapped, plus receive deltas, which may be negative).
	//   They are moved into the sender's clock by a fixed offset, taken from
	//   the first feedback so that its least delayed packet arrives when it
	//   was sent: arrival minus send time is then the delay above that one,
	//   and only differences of arrival times mean something. When a later
	//   feedback has an arrival before its send time or after now by more
	//   than MaxClockMismatchUs, the receiver's clock jumped (or lies): the
	//   offset is taken anew from that feedback, counted, and its result
	//   says so (arrival deltas across it mean nothing). An arrival still out
	//   of that range (far from the others of its feedback) is clamped into
	//   it and counted.
	class TransportCcSendHistory
	{
	public:
		// Longer than any queue worth measuring, plus a feedback interval and
		// a round trip: feedback later than this finds nothing to report on.
		static constexpr uint64_t MaxAgeUs{ 5000000u };
		// 5 s of 13 Mbit/s in 1000-byte packets. Must stay under 2^15.
		static constexpr size_t MaxPackets{ 8192u };
		static constexpr uint64_t MaxClockMismatchUs{ 1000000u };
		// Feedbacks (those reporting something new) the loss fraction is
		// taken over: about a second at libwebrtc's 100 ms cadence.
		static constexpr size_t LossWindowFeedbacks{ 10u };

	public:
		// What the estimator takes (arrival times in the sender's clock, see
		// above), with the extended sequence number and whether a packet
		// reported lost turned up after all.
		using PacketResult = RTC::PacketResult;

		struct FeedbackResult
		{
			// New results, in sequence number order.
			std::vector<PacketResult> packets;
			// The receiver's clock was taken anew for this feedback.
			bool arrivalClockReset{ false };
			size_t receivedCount{ 0u };
			size_t lostCount{ 0u };
			size_t recoveredCount{ 0u };
		};

	public:
		// `firstSeq` is the first number handed out (tests start near the wrap).
		explicit TransportCcSendHistory(uint16_t firstSeq = 1u);

	public:
		// Records a packet of `size` bytes sent now (in a probe cluster or
		// not) and returns the transport-wide sequence number to stamp on it.
		uint16_t
		RecordSend(size_t size, uint64_t nowUs, std::optional<uint32_t> probeClusterId = std::nullopt);
		// Reads a feedback received now. The result is valid until the next
		// call.
		const FeedbackResult& ReceiveFeedback(const RTCP::TransportWideCc& feedback, uint64_t nowUs);
		// Forgets what is older than MaxAgeUs (also done by the two above).
		void Expire(uint64_t nowUs);
		// The extended form of the last number handed out (nullopt before the
		// first send); the 16-bit one is its low bits.
		std::optional<uint64_t> GetLastExtendedSeq() const;
		size_t GetPacketCount() const { return this->packets.size(); }
		// Bytes of the packets sent and not yet reported (nor forgotten).
		uint64_t GetBytesInFlight() const { return this->bytesInFlight; }
		// Lost / reported over the last LossWindowFeedbacks feedbacks (losses
		// taken back by recovered packets do not count); nullopt when they
		// reported nothing.
		std::optional<double> GetLossFraction() const;
		// Statuses for numbers after the last one handed out.
		uint64_t GetUnknownStatusCount() const { return this->unknownStatusCount; }
		// Statuses for numbers before the oldest packet kept.
		uint64_t GetForgottenStatusCount() const { return this->forgottenStatusCount; }
		// Statuses repeating a result already given.
		uint64_t GetDuplicateStatusCount() const { return this->duplicateStatusCount; }
		// Packets forgotten before any feedback reported them.
		uint64_t GetUnreportedForgottenCount() const { return this->unreportedForgottenCount; }
		uint64_t GetClockResetCount() const { return this->clockResetCount; }
		uint64_t GetClampedArrivalCount() const { return this->clampedArrivalCount; }
		// Feedbacks whose statuses could not be read to the end (what was read
		// is used).
		uint64_t GetMalformedFeedbackCount() const { return this->malformedFeedbackCount; }

	private:
		enum class State : uint8_t
		{
			Unreported,
			Lost,
			Received
		};

		struct Packet
		{
			uint64_t sendUs{ 0u };
			uint32_t size{ 0u };
			// The feedback serial that reported it lost (see lossWindow).
			uint32_t lostInFeedback{ 0u };
			uint32_t probeClusterId{ 0u };
			bool hasProbeCluster{ false };
			State state{ State::Unreported };
		};

		// The memory figures above count on it.
		static_assert(sizeof(Packet) == 24u);

		struct LossSlot
		{
			uint32_t reported{ 0u };
			uint32_t lost{ 0u };
		};

	private:
		void ForgetOldest();
		// Where in the history the 16-bit `seq` lies (may be out of it).
		uint64_t MapSequence(uint16_t seq) const;
		// The receiver's 24-bit reference time, unwrapped, in microseconds.
		int64_t UnwrapReferenceTime(int32_t referenceTime);
		// Moves the received results' arrivals into the sender's clock.
		void MapArrivals(uint64_t nowUs);
		LossSlot& CurrentLossSlot();

	private:
		// Allocated by this.
		// Packets by extended sequence number, the first being oldestSeq. At
		// most MaxPackets, none older than MaxAgeUs.
		std::deque<Packet> packets;
		FeedbackResult result;
		// Receiver's clock of each received result of the feedback being read,
		// by index into result.packets.
		std::vector<int64_t> remoteArrivalsUs;
		// Others.
		uint64_t firstSeq{ 0u };
		uint64_t oldestSeq{ 0u };
		uint64_t nextSeq{ 0u };
		uint64_t bytesInFlight{ 0u };
		// Unwrapped reference time of the newest feedback, in 64 ms units.
		std::optional<int64_t> newestReferenceTime;
		// Sender's clock = receiver's clock + this.
		std::optional<int64_t> clockOffsetUs;
		std::array<LossSlot, LossWindowFeedbacks> lossWindow{};
		// Feedbacks that reported something new; wraps (see lostInFeedback).
		uint32_t feedbackSerial{ 0u };
		uint64_t unknownStatusCount{ 0u };
		uint64_t forgottenStatusCount{ 0u };
		uint64_t duplicateStatusCount{ 0u };
		uint64_t unreportedForgottenCount{ 0u };
		uint64_t clockResetCount{ 0u };
		uint64_t clampedArrivalCount{ 0u };
		uint64_t malformedFeedbackCount{ 0u };
	};
} // namespace RTC

#endif
