#ifndef MS_RTC_TRACE_EVENT_EMITTER_HPP
#define MS_RTC_TRACE_EVENT_EMITTER_HPP

#include "common.hpp"

#include "Channel/ChannelRequest.hpp"
#include "FBS/notification_generated.h"
#include "FBS/trace_generated.h"
#include "RTC/RTCP/SenderReport.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/Shared.hpp"

#include <string>

namespace RTC
{
	// The 'trace' events an entity (Producer or Consumer) was asked for with
	// enableTraceEvent(), and their notifications to Node. Checking
	// IsEnabled() first keeps the cost of a disabled trace to a bit test.
	class TraceEventEmitter
	{
	public:
		using Type      = FBS::Trace::EventType;
		using Direction = FBS::Trace::Direction;

	public:
		TraceEventEmitter(Shared* shared, const std::string& id, FBS::Notification::Event event)
				: shared(shared), id(id), event(event)
		{
		}

	public:
		// Unknown names are ignored; an empty list disables every type.
		void Enable(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* names);
		// An ENABLE_TRACE_EVENT request: Enable() and accept. Throws
		// MediaSoupTypeError without a body.
		void HandleEnableRequest(Channel::ChannelRequest* request);
		bool IsEnabled(Type type) const
		{
			return (this->enabled & (1u << static_cast<uint8_t>(type))) != 0u;
		}
		// 'rtp', or 'keyframe' for a packet starting a key frame.
		void
		EmitRtp(Type type, Direction direction, const RtpPacket& packet, bool isKeyFrame, bool isRtx);
		// 'pli' or 'fir' about `ssrc`.
		void EmitKeyFrameRequest(Type type, Direction direction, uint32_t ssrc);
		void EmitNack(Direction direction);
		void EmitSenderReport(Direction direction, const RTCP::SenderReport& report);

	private:
		void Send(
			Type type,
			Direction direction,
			FBS::Trace::Info infoType,
			flatbuffers::Offset<void> info,
			flatbuffers::FlatBufferBuilder& builder);

	private:
		// Passed by argument.
		Shared* shared{ nullptr };
		const std::string& id;
		FBS::Notification::Event event;
		// Others.
		uint8_t enabled{ 0u };
	};
} // namespace RTC

#endif
