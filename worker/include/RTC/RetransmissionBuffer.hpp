#ifndef MS_RTC_RETRANSMISSION_BUFFER_HPP
#define MS_RTC_RETRANSMISSION_BUFFER_HPP

#include "common.hpp"

#include "RTC/SeqNumber.hpp"

#include <array>
#include <optional>
#include <vector>

namespace RTC
{
	// Copies of the last RTP packets sent on a stream, kept to answer NACKs
	// (RFC 4585 6.2.1) with retransmissions (RFC 4588). Send side.
	//
	// A ring of `capacity` slots indexed by extended sequence number: it holds
	// the packets of the last `capacity` sequence numbers up to the newest one
	// inserted, each in a fixed byte buffer, so nothing is allocated after
	// construction and the ring wraps with the 16-bit numbering for as long as
	// the stream lives (versatica/mediasoup#923: a send-side buffer that grew
	// past 65535 entries hit an assert and killed the worker).
	//
	// - Insert() stores a packet; out of order insertion works within the
	//   window; older packets, and packets larger than MaxPacketSize, are not
	//   stored. A packet RestartDistance or more behind the newest means the
	//   numbering restarted: the buffer is cleared and starts over from it.
	// - GetForResend() hands out a stored packet unless it was sent more than
	//   maxAgeMs ago, already resent less than an RTT ago (the receiver asks
	//   at most once per RTT, so an earlier repeat is a duplicate request) or
	//   already resent MaxResends times. The RTT is taken as at least MinRttMs:
	//   the peer sets it through LSR/DLSR, and a forged 0 would let one NACK
	//   repeated in a loop resend a packet each time.
	//
	// Clock-free; time going backwards counts as no time passing.
	class RetransmissionBuffer
	{
	public:
		enum class InsertResult : uint8_t
		{
			STORED = 1,
			// Behind the window of stored sequence numbers.
			TOO_OLD,
			// Larger than MaxPacketSize.
			TOO_BIG,
			// Stored after clearing the buffer (RestartDistance).
			RESTARTED
		};

	public:
		static constexpr size_t MaxPackets{ 2500u };
		static constexpr size_t MaxPacketSize{ 1500u };
		static constexpr uint32_t DefaultMaxAgeMs{ 2000u };
		static constexpr uint64_t RestartDistance{ 8192u };
		// The RTT used to pace resends is never below this, whatever the peer
		// claims through LSR/DLSR: the shortest retry interval of our own
		// NackGenerator (NackGenerator::MinRetryIntervalMs). The owner passes
		// a larger one while the RTT is unknown (RtpStreamSend::UnknownRttMs).
		// Not more: retries of an honest receiver on an 80 ms path would be
		// refused every other time, and 20 % loss not repaired.
		static constexpr uint32_t MinRttMs{ 20u };
		// Resends of one packet. Each copy is lost independently: at 20 % loss
		// all six copies are lost for 1 packet in 15,000 (with 3 resends it
		// was 1 in 600, and the 20 % loss scenario of TestNackScenario lost
		// packets for good); past that a key frame serves the receiver better
		// than more copies. Without a cap a packet could go out
		// maxAgeMs / MinRttMs = 20 times.
		static constexpr uint32_t MaxResends{ 5u };

	public:
		// `capacity` is clamped to [1, MaxPackets]; all slots are allocated here.
		explicit RetransmissionBuffer(
			size_t capacity = MaxPackets, uint32_t maxAgeMs = DefaultMaxAgeMs);

	public:
		InsertResult
		Insert(uint16_t seq, uint32_t rtpTs, std::span<const uint8_t> packet, uint64_t nowMs);
		// The stored bytes (valid until the next Insert() or Clear()), or
		// nullopt when unknown, too old, resent less than max(`rttMs`,
		// MinRttMs) ago or resent MaxResends times already. Counts the resend.
		std::optional<std::span<const uint8_t>>
		GetForResend(uint16_t seq, uint64_t nowMs, uint32_t rttMs);
		// GetForResend() in two steps, for an owner that may still decide not
		// to send: FindForResend() applies the same rules (and counts what
		// they refuse) but does not count the resend; MarkResent() does.
		std::optional<std::span<const uint8_t>>
		FindForResend(uint16_t seq, uint64_t nowMs, uint32_t rttMs);
		void MarkResent(uint16_t seq, uint64_t nowMs);
		void Clear();
		size_t GetCapacity() const { return this->slots.size(); }
		// Packets held (old ones included until their slot is reused).
		size_t GetStoredCount() const { return this->storedCount; }
		// Times the packet was handed out by GetForResend(); 0 when unknown.
		uint32_t GetResendCount(uint16_t seq) const;
		// RTP timestamp of a stored packet.
		std::optional<uint32_t> GetRtpTimestamp(uint16_t seq) const;
		uint64_t GetTooOldCount() const { return this->tooOldCount; }
		uint64_t GetTooBigCount() const { return this->tooBigCount; }
		// Requests for a held packet refused because it was resent less than
		// an RTT ago or MaxResends times already.
		uint64_t GetSuppressedCount() const { return this->suppressedCount; }

	private:
		struct Slot
		{
			std::array<uint8_t, MaxPacketSize> data;
			size_t length{ 0u };
			uint64_t extendedSeq{ 0u };
			uint32_t rtpTs{ 0u };
			uint64_t sentAtMs{ 0u };
			uint64_t lastResentAtMs{ 0u };
			uint32_t resendCount{ 0u };
			bool used{ false };
		};

	private:
		Slot* Find(uint16_t seq);
		const Slot* Find(uint16_t seq) const;
		void Release(Slot& slot);
		uint64_t Now(uint64_t nowMs);

	private:
		// Passed by argument.
		uint32_t maxAgeMs{ DefaultMaxAgeMs };
		// Allocated by this.
		std::vector<Slot> slots;
		// Others.
		SeqNumberUnwrapper unwrapper;
		size_t storedCount{ 0u };
		uint64_t tooOldCount{ 0u };
		uint64_t tooBigCount{ 0u };
		uint64_t suppressedCount{ 0u };
		uint64_t lastNowMs{ 0u };
	};
} // namespace RTC

#endif
