#define MS_CLASS "RTC::DirectTransport"

#include "RTC/DirectTransport.hpp"

namespace RTC
{
	DirectTransport::DirectTransport(
		Shared* shared,
		const std::string& id,
		Transport::Listener* listener,
		const FBS::DirectTransport::DirectTransportOptions* options)
			: Transport(shared, id, listener, options->base())
	{
	}

	DirectTransport::~DirectTransport()
	{
		CloseProducersAndConsumers();
	}

	size_t DirectTransport::SendRtpData(const uint8_t* /*data*/, size_t /*len*/)
	{
		// Only consumers send RTP, through SendConsumerRtpData().
		return 0u;
	}

	size_t DirectTransport::SendConsumerRtpData(Consumer* consumer, const uint8_t* data, size_t len)
	{
		auto& builder = this->shared->channel->GetNotificationBuilder();
		auto body     = FBS::Notification::CreatePacketData(builder, builder.CreateVector(data, len));

		this->shared->channel->SendNotification(
			consumer->GetId(),
			FBS::Notification::Event::CONSUMER_RTP,
			FBS::Notification::Body::PacketData,
			body.Union());

		return len;
	}

	size_t DirectTransport::SendRtcpData(const uint8_t* data, size_t len)
	{
		auto& builder = this->shared->channel->GetNotificationBuilder();
		auto body     = FBS::Notification::CreatePacketData(builder, builder.CreateVector(data, len));

		Notify(
			FBS::Notification::Event::DIRECTTRANSPORT_RTCP,
			FBS::Notification::Body::PacketData,
			body.Union());

		return len;
	}

	void DirectTransport::FillDumpResponse(Channel::ChannelRequest* request)
	{
		auto& builder = request->GetBufferBuilder();
		auto dump     = FBS::DirectTransport::CreateDumpResponse(builder, FillBufferDump(builder));

		request->Accept(FBS::Response::Body::DirectTransport_DumpResponse, dump);
	}

	void DirectTransport::FillStatsResponse(Channel::ChannelRequest* request)
	{
		auto& builder = request->GetBufferBuilder();
		auto stats    = FBS::DirectTransport::CreateGetStatsResponse(builder, FillBufferStats(builder));

		request->Accept(FBS::Response::Body::DirectTransport_GetStatsResponse, stats);
	}
} // namespace RTC
