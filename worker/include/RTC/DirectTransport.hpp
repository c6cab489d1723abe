#ifndef MS_RTC_DIRECT_TRANSPORT_HPP
#define MS_RTC_DIRECT_TRANSPORT_HPP

#include "common.hpp"

#include "FBS/directTransport_generated.h"
#include "RTC/Transport.hpp"

namespace RTC
{
	// A transport with no network: the application injects and receives RTP,
	// RTCP and data messages through the channel.
	class DirectTransport : public Transport
	{
	public:
		DirectTransport(
			Shared* shared,
			const std::string& id,
			Transport::Listener* listener,
			const FBS::DirectTransport::DirectTransportOptions* options);
		~DirectTransport() override;

		/* Methods inherited from Transport. */
	protected:
		void FillDumpResponse(Channel::ChannelRequest* request) override;
		void FillStatsResponse(Channel::ChannelRequest* request) override;
		size_t SendRtpData(const uint8_t* data, size_t len) override;
		size_t SendRtcpData(const uint8_t* data, size_t len) override;
		size_t SendConsumerRtpData(Consumer* consumer, const uint8_t* data, size_t len) override;
	};
} // namespace RTC

#endif
