#define MS_CLASS "RTC::Transport"

// What Transport reports of itself: dump() and getStats().

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "RTC/Transport.hpp"

namespace RTC
{
	flatbuffers::Offset<FBS::Transport::Dump>
	Transport::FillBufferDump(flatbuffers::FlatBufferBuilder& builder) const
	{
		const std::vector<flatbuffers::Offset<FBS::Common::Uint32String>> noSsrcs;
		std::vector<flatbuffers::Offset<flatbuffers::String>> producerIds;
		std::vector<flatbuffers::Offset<flatbuffers::String>> consumerIds;
		std::vector<flatbuffers::Offset<FBS::Common::Uint32String>> ssrcConsumerIds;
		std::vector<flatbuffers::Offset<flatbuffers::String>> traceEventTypes;
		auto data = this->dataChannels.FillDumpFields(builder);

		for (const auto& [producerId, producer] : this->mapProducers)
		{
			producerIds.push_back(builder.CreateString(producerId));
		}

		for (const auto& [consumerId, consumer] : this->mapConsumers)
		{
			consumerIds.push_back(builder.CreateString(consumerId));
		}

		for (const auto& [ssrc, consumer] : this->mapSsrcConsumer)
		{
			ssrcConsumerIds.push_back(
				FBS::Common::CreateUint32StringDirect(builder, ssrc, consumer->GetId().c_str()));
		}

		for (const auto& type : this->traceEventTypes)
		{
			traceEventTypes.push_back(builder.CreateString(type));
		}

		auto dropped = FBS::Transport::CreateDroppedCounters(
			builder,
			this->dropped.notStunDtlsRtpRtcp,
			this->dropped.invalidStun,
			this->dropped.stunUnauthorized,
			this->dropped.dtlsUnexpected,
			this->dropped.rtpBeforeSrtp,
			this->dropped.srtpDecryptFailed,
			this->dropped.srtcpDecryptFailed,
			this->dropped.invalidRtp,
			this->dropped.invalidRtcp,
			this->dropped.unknownTuple,
			this->dropped.unknownSsrc,
			this->dropped.tcpConnectionRejected,
			this->dropped.tcpConnectionTimedOut);

		return FBS::Transport::CreateDumpDirect(
			builder,
			this->id.c_str(),
			this->direct,
			&producerIds,
			&consumerIds,
			&ssrcConsumerIds,
			&noSsrcs,
			&data.dataProducerIds,
			&data.dataConsumerIds,
			this->dataChannels.GetMaxMessageSize(),
			&traceEventTypes,
			dropped,
			data.sctpParameters,
			data.sctpState,
			data.sctpNegotiated,
			this->dataChannels.HasSctp() ? &data.sctpStreamIds : nullptr);
	}

	flatbuffers::Offset<FBS::Transport::Stats>
	Transport::FillBufferStats(flatbuffers::FlatBufferBuilder& builder)
	{
		const uint64_t nowMs                = DepLibUV::GetTimeMs();
		const uint32_t maxIncomingBitrate   = this->incomingBwe.GetMaxIncomingBitrate();
		const auto availableIncomingBitrate = this->incomingBwe.GetAvailableIncomingBitrate();

		return FBS::Transport::CreateStatsDirect(
			builder,
			this->id.c_str(),
			nowMs,
			this->dataChannels.GetSctpState(),
			this->recvTransmission.GetBytes(),
			this->recvTransmission.GetRate(nowMs),
			this->sendTransmission.GetBytes(),
			this->sendTransmission.GetRate(nowMs),
			this->recvRtpTransmission.GetBytes(),
			this->recvRtpTransmission.GetRate(nowMs),
			this->sendRtpTransmission.GetBytes(),
			this->sendRtpTransmission.GetRate(nowMs),
			this->recvRtxTransmission.GetBytes(),
			this->recvRtxTransmission.GetRate(nowMs),
			this->sendRtxTransmission.GetBytes(),
			this->sendRtxTransmission.GetRate(nowMs),
			this->sendProbationTransmission.GetBytes(),
			this->sendProbationTransmission.GetRate(nowMs),
			// The initial one until consumers measure the path, within the
			// min and max outgoing bitrates.
			this->direct ? flatbuffers::Optional<uint32_t>() : this->outgoingBwe.GetAvailableBitrate(),
			availableIncomingBitrate ? flatbuffers::Optional<uint32_t>(*availableIncomingBitrate)
															 : flatbuffers::nullopt,
			maxIncomingBitrate ? flatbuffers::Optional<uint32_t>(maxIncomingBitrate)
												 : flatbuffers::nullopt,
			this->maxOutgoingBitrate ? flatbuffers::Optional<uint32_t>(this->maxOutgoingBitrate)
															 : flatbuffers::nullopt,
			this->minOutgoingBitrate ? flatbuffers::Optional<uint32_t>(this->minOutgoingBitrate)
															 : flatbuffers::nullopt);
	}
} // namespace RTC
