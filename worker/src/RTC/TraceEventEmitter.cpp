#define MS_CLASS "RTC::TraceEventEmitter"

#include "RTC/TraceEventEmitter.hpp"

#include "DepLibUV.hpp"
#include "MediaSoupErrors.hpp"

namespace RTC
{
	void TraceEventEmitter::Enable(
		const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* names)
	{
		this->enabled = 0u;

		for (const auto* name : *names)
		{
			const auto text = name->string_view();
			// The FlatBuffers enum names, lower-cased, are the API's names.
			for (uint8_t type = 0u; type <= static_cast<uint8_t>(FBS::Trace::EventType::MAX); ++type)
			{
				std::string enumName(FBS::Trace::EnumNameEventType(static_cast<Type>(type)));

				for (auto& c : enumName)
				{
					c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
				}

				if (text == enumName)
				{
					this->enabled |= static_cast<uint8_t>(1u << type);
				}
			}
		}
	}

	void TraceEventEmitter::HandleEnableRequest(Channel::ChannelRequest* request)
	{
		const auto* body = request->GetBody<FBS::Trace::EnableTraceEventRequest>();

		if (!body)
		{
			MS_THROW_TYPE_ERROR("missing body");
		}

		Enable(body->events());

		request->Accept();
	}

	void TraceEventEmitter::EmitRtp(
		Type type, Direction direction, const RtpPacket& packet, bool isKeyFrame, bool isRtx)
	{
		if (!IsEnabled(type))
		{
			return;
		}

		auto& builder = this->shared->channel->GetNotificationBuilder();
		auto mid      = packet.ReadMid();
		auto rid      = packet.ReadRid();
		auto rrid     = packet.ReadRrid();
		auto wideSeq  = packet.ReadTransportWideCc01();
		auto dump     = FBS::Trace::CreateRtpPacketDump(
      builder,
      packet.GetPayloadType(),
      packet.GetSequenceNumber(),
      packet.GetTimestamp(),
      packet.HasMarker(),
      packet.GetSsrc(),
      isKeyFrame,
      packet.GetSize(),
      packet.GetPayloadLength(),
      0u,
      0u,
      mid ? builder.CreateString(mid->data(), mid->size()) : 0,
      rid ? builder.CreateString(rid->data(), rid->size()) : 0,
      rrid ? builder.CreateString(rrid->data(), rrid->size()) : 0,
      wideSeq ? flatbuffers::Optional<uint16_t>(*wideSeq) : flatbuffers::nullopt);

		if (type == Type::KEYFRAME)
		{
			auto info = FBS::Trace::CreateKeyFrameTraceInfo(builder, dump, isRtx);

			Send(type, direction, FBS::Trace::Info::KeyFrameTraceInfo, info.Union(), builder);
		}
		else
		{
			auto info = FBS::Trace::CreateRtpTraceInfo(builder, dump, isRtx);

			Send(type, direction, FBS::Trace::Info::RtpTraceInfo, info.Union(), builder);
		}
	}

	void TraceEventEmitter::EmitKeyFrameRequest(Type type, Direction direction, uint32_t ssrc)
	{
		if (!IsEnabled(type))
		{
			return;
		}

		auto& builder = this->shared->channel->GetNotificationBuilder();

		if (type == Type::FIR)
		{
			auto info = FBS::Trace::CreateFirTraceInfo(builder, ssrc);

			Send(type, direction, FBS::Trace::Info::FirTraceInfo, info.Union(), builder);
		}
		else
		{
			auto info = FBS::Trace::CreatePliTraceInfo(builder, ssrc);

			Send(type, direction, FBS::Trace::Info::PliTraceInfo, info.Union(), builder);
		}
	}

	void TraceEventEmitter::EmitNack(Direction direction)
	{
		if (!IsEnabled(Type::NACK))
		{
			return;
		}

		auto& builder = this->shared->channel->GetNotificationBuilder();

		Send(Type::NACK, direction, FBS::Trace::Info::NONE, 0, builder);
	}

	void TraceEventEmitter::EmitSenderReport(Direction direction, const RTCP::SenderReport& report)
	{
		if (!IsEnabled(Type::SR))
		{
			return;
		}

		auto& builder = this->shared->channel->GetNotificationBuilder();
		auto info     = FBS::Trace::CreateSrTraceInfo(
      builder,
      report.GetSsrc(),
      report.GetNtpTime().seconds,
      report.GetNtpTime().fractions,
      report.GetRtpTimestamp(),
      report.GetPacketCount(),
      report.GetOctetCount());

		Send(Type::SR, direction, FBS::Trace::Info::SrTraceInfo, info.Union(), builder);
	}

	void TraceEventEmitter::Send(
		Type type,
		Direction direction,
		FBS::Trace::Info infoType,
		flatbuffers::Offset<void> info,
		flatbuffers::FlatBufferBuilder& builder)
	{
		auto notification = FBS::Trace::CreateTraceNotification(
			builder, type, DepLibUV::GetTimeMs(), direction, infoType, info);

		this->shared->channel->SendNotification(
			this->id,
			this->event,
			FBS::Notification::Body::Trace_TraceNotification,
			notification.Union());
	}
} // namespace RTC
