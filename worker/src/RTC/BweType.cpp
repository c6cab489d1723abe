#define MS_CLASS "RTC::BweType"

#include "RTC/BweType.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		bool HasFeedback(const RtpParameters& rtpParameters, std::string_view type)
		{
			return std::ranges::any_of(
				rtpParameters.codecs,
				[type](const RtpParameters::Codec& codec)
				{
					return !codec.IsRtx() && std::ranges::any_of(
																		 codec.rtcpFeedback,
																		 [type](const RtpParameters::RtcpFeedback& feedback)
																		 { return feedback.type == type; });
				});
		}
	} // namespace

	BweType GetBweType(const RtpParameters& rtpParameters)
	{
		if (
			rtpParameters.GetHeaderExtensionId(TransportWideCc01Uri) != 0u &&
			HasFeedback(rtpParameters, "transport-cc"))
		{
			return BweType::TRANSPORT_CC;
		}

		if (
			rtpParameters.GetHeaderExtensionId(AbsSendTimeUri) != 0u &&
			HasFeedback(rtpParameters, "goog-remb"))
		{
			return BweType::REMB;
		}

		return BweType::NONE;
	}

	std::string_view BweTypeToString(BweType type)
	{
		switch (type)
		{
			case BweType::TRANSPORT_CC:
				return "transport-cc";
			case BweType::REMB:
				return "remb";
			case BweType::NONE:
			default:
				return "none";
		}
	}
} // namespace RTC
