#ifndef MS_RTC_TRANSPORT_HPP
#define MS_RTC_TRANSPORT_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "FBS/transport_generated.h"
#include "RTC/RateCalculator.hpp"
#include "RTC/Shared.hpp"

#include <vector>

namespace RTC
{
	// What every kind of transport has: an id answering requests, byte and
	// bitrate counters, bitrate limits, trace event selection and counters of
	// dropped network input. Subclasses own the sockets and the security, and
	// hand the RTP and RTCP packets they accept to ReceiveRtpPacket() and
	// ReceiveRtcpPacket().
	class Transport : public Channel::RequestHandler
	{
	public:
		// Counters of network input dropped before it reached RTP processing.
		struct DroppedCounters
		{
			uint64_t notStunDtlsRtpRtcp{ 0u };
			uint64_t invalidStun{ 0u };
			uint64_t stunUnauthorized{ 0u };
			uint64_t dtlsUnexpected{ 0u };
			uint64_t rtpBeforeSrtp{ 0u };
			uint64_t srtpDecryptFailed{ 0u };
			uint64_t srtcpDecryptFailed{ 0u };
			uint64_t invalidRtp{ 0u };
			uint64_t invalidRtcp{ 0u };
			uint64_t unknownTuple{ 0u };
		};

	public:
		// Throws MediaSoupError if the id is already registered.
		Transport(Shared* shared, const std::string& id, const FBS::Transport::Options* options);
		~Transport() override;

	public:
		const std::string& GetId() const { return this->id; }

		/* Methods inherited from Channel::RequestHandler. */
	public:
		// Handles the requests common to every transport; subclasses handle
		// theirs first and call this for the rest.
		void HandleRequest(Channel::ChannelRequest* request) override;

	protected:
		// The subclass dump and stats wrap these.
		flatbuffers::Offset<FBS::Transport::Dump>
		FillBufferDump(flatbuffers::FlatBufferBuilder& builder) const;
		flatbuffers::Offset<FBS::Transport::Stats>
		FillBufferStats(flatbuffers::FlatBufferBuilder& builder);
		virtual void FillDumpResponse(Channel::ChannelRequest* request)  = 0;
		virtual void FillStatsResponse(Channel::ChannelRequest* request) = 0;
		// Every byte received or sent on the wire (after SRTP on send).
		void DataReceived(size_t len);
		void DataSent(size_t len);
		// A decrypted RTP / RTCP packet that passed the transport's checks.
		void ReceiveRtpPacket(const uint8_t* data, size_t len);
		void ReceiveRtcpPacket(const uint8_t* data, size_t len);
		void Notify(
			FBS::Notification::Event event,
			FBS::Notification::Body bodyType,
			flatbuffers::Offset<void> body);
		flatbuffers::FlatBufferBuilder& GetNotificationBuilder()
		{
			return this->shared->channel->GetNotificationBuilder();
		}

	protected:
		// Passed by argument.
		Shared* shared{ nullptr };
		// Others.
		const std::string id;
		DroppedCounters dropped;

	private:
		bool direct{ false };
		uint32_t maxMessageSize{ 0u };
		uint32_t initialAvailableOutgoingBitrate{ 600000u };
		uint32_t maxIncomingBitrate{ 0u };
		uint32_t maxOutgoingBitrate{ 0u };
		uint32_t minOutgoingBitrate{ 0u };
		std::vector<std::string> traceEventTypes;
		RateCalculator recvTransmission;
		RateCalculator sendTransmission;
		RateCalculator recvRtpTransmission;
		RateCalculator sendRtpTransmission;
		RateCalculator recvRtxTransmission;
		RateCalculator sendRtxTransmission;
		RateCalculator sendProbationTransmission;
	};
} // namespace RTC

#endif
