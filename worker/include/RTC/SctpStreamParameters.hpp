#ifndef MS_RTC_SCTP_STREAM_PARAMETERS_HPP
#define MS_RTC_SCTP_STREAM_PARAMETERS_HPP

#include "common.hpp"

#include "FBS/sctpParameters_generated.h"
#include "RTC/SctpAssociation.hpp"

namespace RTC
{
	// The SCTP stream a DataProducer receives on or a DataConsumer sends on,
	// with how its messages are delivered.
	struct SctpStreamParameters
	{
		// Throws MediaSoupTypeError on a stream id of 65535 or on contradictory
		// reliability settings.
		static SctpStreamParameters FromFbs(const FBS::SctpParameters::SctpStreamParameters* data);

		flatbuffers::Offset<FBS::SctpParameters::SctpStreamParameters>
		FillBuffer(flatbuffers::FlatBufferBuilder& builder) const;

		uint16_t streamId{ 0u };
		SctpAssociation::StreamReliability reliability;
	};
} // namespace RTC

#endif
