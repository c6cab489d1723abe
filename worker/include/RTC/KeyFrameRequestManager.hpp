#ifndef MS_RTC_KEY_FRAME_REQUEST_MANAGER_HPP
#define MS_RTC_KEY_FRAME_REQUEST_MANAGER_HPP

#include "common.hpp"

#include <optional>

namespace RTC
{
	// Decides when to ask the sender of a video stream for a key frame (PLI,
	// RFC 4585 6.3.1, or FIR, RFC 5104 4.3.1: which one is the caller's
	// choice). Requests come from consumers joining or losing sync, from the
	// NACK list overflowing, etc.; many of them collapse into few messages:
	//
	// - While a key frame is awaited, more requests send nothing: the one sent
	//   covers them. It is repeated every max(RetryIntervalMs,
	//   keyFrameRequestDelayMs) until KeyFrameReceived() (the message or the
	//   key frame may have been lost).
	// - keyFrameRequestDelayMs > 0 spaces requests: one arriving sooner than
	//   that after the previous message is held and sent when the delay has
	//   passed (unless a key frame arrives first). With 0, a request made while
	//   no key frame is awaited is sent at once.
	//
	// Clock-free: the owner sends when RequestKeyFrame() or OnTimeout() says
	// so, and arms a timer for GetNextDeadlineMs(). Time going backwards counts
	// as no time passing.
	class KeyFrameRequestManager
	{
	public:
		static constexpr uint64_t RetryIntervalMs{ 1000u };

	public:
		explicit KeyFrameRequestManager(uint32_t keyFrameRequestDelayMs = 0u);

	public:
		// Whether a PLI/FIR must be sent now.
		bool RequestKeyFrame(uint64_t nowMs);
		// A key frame arrived: whatever was wanted is satisfied.
		void KeyFrameReceived();
		// When OnTimeout() is due: a held request or a retry. nullopt when no
		// key frame is wanted.
		std::optional<uint64_t> GetNextDeadlineMs() const;
		// Whether a PLI/FIR must be sent now.
		bool OnTimeout(uint64_t nowMs);
		// A key frame is wanted (requested and not received yet).
		bool IsPending() const { return this->pending; }
		// Requests sent, retries included.
		uint64_t GetRequestsSent() const { return this->requestsSent; }
		void Reset();

	private:
		void Send(uint64_t nowMs);
		uint64_t Now(uint64_t nowMs);

	private:
		// Passed by argument.
		uint64_t keyFrameRequestDelayMs{ 0u };
		// Others.
		bool pending{ false };
		// A request for the pending key frame has been sent (else it is held by
		// the delay).
		bool awaiting{ false };
		std::optional<uint64_t> lastSentMs;
		uint64_t requestsSent{ 0u };
		uint64_t lastNowMs{ 0u };
	};
} // namespace RTC

#endif
