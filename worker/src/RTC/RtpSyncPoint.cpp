#define MS_CLASS "RTC::RtpSyncPoint"
// #define MS_LOG_DEV

#include "RTC/RtpSyncPoint.hpp"

#include "Logger.hpp"
#include "RTC/SeqNumber.hpp"

#include <algorithm>
#include <cinttypes>

namespace RTC
{
	/* Instance methods. */

	void RtpSyncPoint::Sync(uint16_t seq)
	{
		this->maxSeq = seq;
		this->span   = 0u;
	}

	RtpSyncPoint::Position RtpSyncPoint::Receive(uint16_t seq)
	{
		const int64_t ahead = SeqDistance<uint16_t>(this->maxSeq, seq);

		if (ahead > 0)
		{
			this->maxSeq = seq;
			this->span   = static_cast<uint16_t>(std::min<int64_t>(this->span + ahead, LateWindow));

			return Position::NEWEST;
		}

		const int64_t behind = -ahead;

		if (behind <= LateWindow)
		{
			return behind > this->span ? Position::BEFORE_SYNC : Position::REORDERED;
		}

		// A jump of the numbering: whatever came before it is not coming back.
		MS_DEBUG_DEV("sequence jump [seq:%" PRIu16 ", max:%" PRIu16 "]", seq, this->maxSeq);

		this->maxSeq = seq;
		this->span   = LateWindow;

		return Position::NEWEST;
	}
} // namespace RTC
