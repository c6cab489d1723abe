#define MS_CLASS "RTC::KeyFrameRequestManager"
// #define MS_LOG_DEV

#include "RTC/KeyFrameRequestManager.hpp"

#include "Logger.hpp"

#include <algorithm>

namespace RTC
{
	/* Instance methods. */

	KeyFrameRequestManager::KeyFrameRequestManager(uint32_t keyFrameRequestDelayMs)
			: keyFrameRequestDelayMs(keyFrameRequestDelayMs)
	{
	}

	bool KeyFrameRequestManager::RequestKeyFrame(uint64_t nowMs)
	{
		nowMs = Now(nowMs);

		// Covered by the request already sent (or held).
		if (this->pending)
		{
			return false;
		}

		this->pending = true;

		if (
			this->keyFrameRequestDelayMs > 0u && this->lastSentMs &&
			nowMs - *this->lastSentMs < this->keyFrameRequestDelayMs)
		{
			this->awaiting = false;

			MS_DEBUG_DEV("key frame request held by the delay");

			return false;
		}

		Send(nowMs);

		return true;
	}

	void KeyFrameRequestManager::KeyFrameReceived()
	{
		this->pending  = false;
		this->awaiting = false;
	}

	std::optional<uint64_t> KeyFrameRequestManager::GetNextDeadlineMs() const
	{
		if (!this->pending)
		{
			return std::nullopt;
		}

		// Pending without a previous message cannot be: a first request is
		// always sent at once.
		const uint64_t sentMs = this->lastSentMs.value_or(this->lastNowMs);

		if (this->awaiting)
		{
			return sentMs + std::max(RetryIntervalMs, this->keyFrameRequestDelayMs);
		}

		return sentMs + this->keyFrameRequestDelayMs;
	}

	bool KeyFrameRequestManager::OnTimeout(uint64_t nowMs)
	{
		nowMs = Now(nowMs);

		const auto deadlineMs = GetNextDeadlineMs();

		if (!deadlineMs || nowMs < *deadlineMs)
		{
			return false;
		}

		if (this->awaiting)
		{
			MS_DEBUG_TAG(rtcp, "no key frame received, requesting it again");
		}

		Send(nowMs);

		return true;
	}

	void KeyFrameRequestManager::Reset()
	{
		this->pending    = false;
		this->awaiting   = false;
		this->lastSentMs = std::nullopt;
	}

	void KeyFrameRequestManager::Send(uint64_t nowMs)
	{
		this->awaiting   = true;
		this->lastSentMs = nowMs;
		++this->requestsSent;
	}

	uint64_t KeyFrameRequestManager::Now(uint64_t nowMs)
	{
		this->lastNowMs = std::max(this->lastNowMs, nowMs);

		return this->lastNowMs;
	}
} // namespace RTC
