#ifndef MS_RTC_BWE_TYPE_HPP
#define MS_RTC_BWE_TYPE_HPP

#include "common.hpp"

#include "RTC/RtpParameters.hpp"

#include <string_view>

namespace RTC
{
	inline constexpr std::string_view TransportWideCc01Uri{
		"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
	};
	inline constexpr std::string_view AbsSendTimeUri{
		"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
	};

	// Which bandwidth feedback a sender negotiated for a stream, from the
	// receiver's side: transport-wide congestion control feedback
	// (draft-holmer-rmcat-transport-wide-cc-extensions-01, the sender
	// estimates) or REMB (draft-alvestrand-rmcat-remb, the receiver estimates).
	enum class BweType : uint8_t
	{
		NONE,
		TRANSPORT_CC,
		REMB
	};

	// transport-cc when the transport-wide sequence number extension is
	// negotiated and a media codec has the `transport-cc` feedback; else REMB
	// when abs-send-time is negotiated and a media codec has `goog-remb`; else
	// none. Both are needed: the extension alone says nothing about whether
	// the sender will act on feedback, the feedback alone leaves nothing to
	// measure.
	BweType GetBweType(const RtpParameters& rtpParameters);

	std::string_view BweTypeToString(BweType type);
} // namespace RTC

#endif
