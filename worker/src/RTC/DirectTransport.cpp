#define MS_CLASS "RTC::DirectTransport"

#include "RTC/DirectTransport.hpp"

namespace RTC
{
	DirectTransport::DirectTransport(
		Shared* shared,
		const std::string& id,
		const FBS::DirectTransport::DirectTransportOptions* options)
			: Transport(shared, id, options->base())
	{
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
