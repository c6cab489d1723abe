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
		// Delivering RTP to the application (the consumer 'rtp' event) comes
		// with the channel messages for it; nothing is sent until then.
		return 0u;
	}

	size_t DirectTransport::SendRtcpData(const uint8_t* /*data*/, size_t /*len*/)
	{
		// RTCP to the application (the 'rtcp' event) is not delivered yet.
		return 0u;
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
