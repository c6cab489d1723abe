#define MS_CLASS "RTC::SctpStreamParameters"

#include "RTC/SctpStreamParameters.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

namespace RTC
{
	SctpStreamParameters
	SctpStreamParameters::FromFbs(const FBS::SctpParameters::SctpStreamParameters* data)
	{
		SctpStreamParameters parameters;

		// 65535 is reserved (RFC 8831: stream ids go up to 65534).
		if (data->stream_id() == 65535u)
		{
			MS_THROW_TYPE_ERROR("streamId 65535 is not allowed");
		}

		parameters.streamId = data->stream_id();

		const auto maxPacketLifeTime = data->max_packet_life_time();
		const auto maxRetransmits    = data->max_retransmits();

		if (maxPacketLifeTime && maxRetransmits)
		{
			MS_THROW_TYPE_ERROR("cannot use both maxPacketLifeTime and maxRetransmits");
		}

		const bool partiallyReliable = maxPacketLifeTime.has_value() || maxRetransmits.has_value();

		if (data->ordered().has_value() && *data->ordered() && partiallyReliable)
		{
			MS_THROW_TYPE_ERROR("ordered cannot be true with maxPacketLifeTime or maxRetransmits");
		}

		parameters.reliability.ordered = data->ordered().value_or(!partiallyReliable);

		if (maxPacketLifeTime)
		{
			parameters.reliability.maxPacketLifeTime = *maxPacketLifeTime;
		}

		if (maxRetransmits)
		{
			parameters.reliability.maxRetransmits = *maxRetransmits;
		}

		return parameters;
	}

	flatbuffers::Offset<FBS::SctpParameters::SctpStreamParameters>
	SctpStreamParameters::FillBuffer(flatbuffers::FlatBufferBuilder& builder) const
	{
		const auto& r = this->reliability;

		return FBS::SctpParameters::CreateSctpStreamParameters(
			builder,
			this->streamId,
			r.ordered,
			r.maxPacketLifeTime ? flatbuffers::Optional<uint16_t>(*r.maxPacketLifeTime)
													: flatbuffers::nullopt,
			r.maxRetransmits ? flatbuffers::Optional<uint16_t>(*r.maxRetransmits) : flatbuffers::nullopt);
	}
} // namespace RTC
