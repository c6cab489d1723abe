#define MS_CLASS "RTC::Transport"

#include "RTC/Transport.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		// Lowest non-zero outgoing bitrate limit accepted (bps).
		constexpr uint32_t MinOutgoingBitrateLimit{ 30000u };

		const std::vector<std::string_view> TraceEventTypes{ "probation", "bwe" };
	} // namespace

	Transport::Transport(
		Shared* shared, const std::string& id, const FBS::Transport::Options* options)
			: shared(shared), id(id)
	{
		if (options)
		{
			this->direct                          = options->direct();
			this->maxMessageSize                  = options->max_message_size();
			this->initialAvailableOutgoingBitrate = options->initial_available_outgoing_bitrate();
		}

		// This may throw.
		this->shared->registrator->RegisterHandler(this->id, this);
	}

	Transport::~Transport()
	{
		this->shared->registrator->UnregisterHandler(this->id);
	}

	void Transport::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::TRANSPORT_DUMP:
			{
				FillDumpResponse(request);

				break;
			}

			case FBS::Request::Method::TRANSPORT_GET_STATS:
			{
				FillStatsResponse(request);

				break;
			}

			case FBS::Request::Method::TRANSPORT_SET_MAX_INCOMING_BITRATE:
			{
				const auto* body = request->GetBody<FBS::Transport::SetMaxIncomingBitrateRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				this->maxIncomingBitrate = body->max_incoming_bitrate();

				request->Accept();

				break;
			}

			case FBS::Request::Method::TRANSPORT_SET_MAX_OUTGOING_BITRATE:
			{
				const auto* body = request->GetBody<FBS::Transport::SetMaxOutgoingBitrateRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const uint32_t bitrate = body->max_outgoing_bitrate();

				if (bitrate != 0u && bitrate < MinOutgoingBitrateLimit)
				{
					MS_THROW_TYPE_ERROR(
						"bitrate must be 0 or >= %u bps (got %u)", MinOutgoingBitrateLimit, bitrate);
				}

				if (bitrate != 0u && this->minOutgoingBitrate != 0u && bitrate < this->minOutgoingBitrate)
				{
					MS_THROW_TYPE_ERROR(
						"bitrate (%u) cannot be lower than the min outgoing bitrate (%u)",
						bitrate,
						this->minOutgoingBitrate);
				}

				this->maxOutgoingBitrate = bitrate;

				request->Accept();

				break;
			}

			case FBS::Request::Method::TRANSPORT_SET_MIN_OUTGOING_BITRATE:
			{
				const auto* body = request->GetBody<FBS::Transport::SetMinOutgoingBitrateRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				const uint32_t bitrate = body->min_outgoing_bitrate();

				if (bitrate != 0u && bitrate < MinOutgoingBitrateLimit)
				{
					MS_THROW_TYPE_ERROR(
						"bitrate must be 0 or >= %u bps (got %u)", MinOutgoingBitrateLimit, bitrate);
				}

				if (bitrate != 0u && this->maxOutgoingBitrate != 0u && bitrate > this->maxOutgoingBitrate)
				{
					MS_THROW_TYPE_ERROR(
						"bitrate (%u) cannot be higher than the max outgoing bitrate (%u)",
						bitrate,
						this->maxOutgoingBitrate);
				}

				this->minOutgoingBitrate = bitrate;

				request->Accept();

				break;
			}

			case FBS::Request::Method::TRANSPORT_ENABLE_TRACE_EVENT:
			{
				const auto* body = request->GetBody<FBS::Transport::EnableTraceEventRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				std::vector<std::string> types;

				for (const auto* type : *body->events())
				{
					const auto name = type->string_view();

					// Unknown names are ignored.
					if (
						std::find(TraceEventTypes.begin(), TraceEventTypes.end(), name) !=
						TraceEventTypes.end())
					{
						types.emplace_back(name);
					}
				}

				this->traceEventTypes = std::move(types);

				request->Accept();

				break;
			}

			default:
			{
				MS_THROW_ERROR(
					"unknown method '%.*s'",
					static_cast<int>(request->methodName.size()),
					request->methodName.data());
			}
		}
	}

	flatbuffers::Offset<FBS::Transport::Dump>
	Transport::FillBufferDump(flatbuffers::FlatBufferBuilder& builder) const
	{
		const std::vector<flatbuffers::Offset<flatbuffers::String>> noIds;
		const std::vector<flatbuffers::Offset<FBS::Common::Uint32String>> noSsrcs;
		std::vector<flatbuffers::Offset<flatbuffers::String>> traceEventTypes;

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
			this->dropped.unknownTuple);

		return FBS::Transport::CreateDumpDirect(
			builder,
			this->id.c_str(),
			this->direct,
			&noIds,
			&noIds,
			&noSsrcs,
			&noSsrcs,
			&noIds,
			&noIds,
			this->maxMessageSize,
			&traceEventTypes,
			dropped);
	}

	flatbuffers::Offset<FBS::Transport::Stats>
	Transport::FillBufferStats(flatbuffers::FlatBufferBuilder& builder)
	{
		const uint64_t nowMs = DepLibUV::GetTimeMs();

		return FBS::Transport::CreateStatsDirect(
			builder,
			this->id.c_str(),
			nowMs,
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
			// No bandwidth estimation yet: the available outgoing bitrate is the
			// initial one.
			this->direct ? flatbuffers::Optional<uint32_t>() : this->initialAvailableOutgoingBitrate,
			flatbuffers::nullopt,
			this->maxIncomingBitrate ? flatbuffers::Optional<uint32_t>(this->maxIncomingBitrate)
															 : flatbuffers::nullopt,
			this->maxOutgoingBitrate ? flatbuffers::Optional<uint32_t>(this->maxOutgoingBitrate)
															 : flatbuffers::nullopt,
			this->minOutgoingBitrate ? flatbuffers::Optional<uint32_t>(this->minOutgoingBitrate)
															 : flatbuffers::nullopt);
	}

	void Transport::DataReceived(size_t len)
	{
		this->recvTransmission.Update(len, DepLibUV::GetTimeMs());
	}

	void Transport::DataSent(size_t len)
	{
		this->sendTransmission.Update(len, DepLibUV::GetTimeMs());
	}

	void Transport::ReceiveRtpPacket(const uint8_t* /*data*/, size_t len)
	{
		// Producers arrive with the media routing work; until then RTP is
		// counted and dropped.
		this->recvRtpTransmission.Update(len, DepLibUV::GetTimeMs());
	}

	void Transport::ReceiveRtcpPacket(const uint8_t* /*data*/, size_t /*len*/)
	{
		// RTCP is handled with the media routing work; until then it is dropped.
	}

	void Transport::Notify(
		FBS::Notification::Event event,
		FBS::Notification::Body bodyType,
		flatbuffers::Offset<void> body)
	{
		this->shared->channel->SendNotification(this->id, event, bodyType, body);
	}
} // namespace RTC
