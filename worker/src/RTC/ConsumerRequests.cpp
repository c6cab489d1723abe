#define MS_CLASS "RTC::Consumer"

// The channel side of Consumer: the requests it answers (dump, stats,
// pause, resume, layers, priority, key frames, trace events).

#include "DepLibUV.hpp"
#include "FBS/consumer_generated.h"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/Consumer.hpp"

#include <algorithm>

namespace RTC
{
	void Consumer::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::CONSUMER_DUMP:
			{
				auto& builder      = request->GetBufferBuilder();
				auto rtpParameters = this->rtpParameters.FillBuffer(builder);
				std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>> consumable;

				for (const auto& encoding : this->consumableEncodings)
				{
					consumable.push_back(RtpParameters::FillBufferEncoding(builder, encoding));
				}

				std::vector<uint8_t> payloadTypes;

				for (const auto& codec : this->rtpParameters.codecs)
				{
					if (!codec.IsRtx())
					{
						payloadTypes.push_back(codec.payloadType);
					}
				}

				const std::vector<flatbuffers::Offset<flatbuffers::String>> noTypes;
				auto dump = FBS::Consumer::CreateDumpResponseDirect(
					builder,
					this->id.c_str(),
					this->producerId.c_str(),
					this->kind == MediaKind::VIDEO ? FBS::RtpParameters::MediaKind::VIDEO
																				 : FBS::RtpParameters::MediaKind::AUDIO,
					static_cast<FBS::Consumer::Type>(this->type),
					rtpParameters,
					&consumable,
					&payloadTypes,
					&noTypes,
					this->paused,
					this->producerPaused,
					this->priority);

				request->Accept(FBS::Response::Body::Consumer_DumpResponse, dump);

				break;
			}

			case FBS::Request::Method::CONSUMER_GET_STATS:
			{
				FillStats(request);

				break;
			}

			case FBS::Request::Method::CONSUMER_ENABLE_TRACE_EVENT:
			{
				this->traceEventEmitter.HandleEnableRequest(request);

				break;
			}

			case FBS::Request::Method::CONSUMER_PAUSE:
			{
				const bool wasPaused = this->paused;

				this->paused = true;
				request->Accept();

				if (!wasPaused)
				{
					StartSync();
					NeedsAllocation();
				}

				break;
			}

			case FBS::Request::Method::CONSUMER_RESUME:
			{
				const bool wasPaused = this->paused;

				this->paused = false;

				request->Accept();

				if (wasPaused)
				{
					RequestKeyFrameIfNeeded();
					NeedsAllocation();
				}

				break;
			}

			case FBS::Request::Method::CONSUMER_SET_PREFERRED_LAYERS:
			{
				const auto* body = request->GetBody<FBS::Consumer::SetPreferredLayersRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				auto& builder = request->GetBufferBuilder();
				flatbuffers::Offset<FBS::Consumer::ConsumerLayers> layersOffset;

				// Simple and pipe consumers have no layers to prefer.
				if (this->type == Type::SIMULCAST || this->type == Type::SVC)
				{
					const auto* preferred = body->preferred_layers();

					this->preferredLayers = ClampLayers(
						preferred->spatial_layer(),
						preferred->temporal_layer() ? std::optional<uint8_t>(*preferred->temporal_layer())
																				: std::nullopt);
					// Look for the best stream again at the next packet.
					this->lastTargetCheckMs = 0u;

					layersOffset = FBS::Consumer::CreateConsumerLayers(
						builder,
						this->preferredLayers->spatialLayer,
						this->preferredLayers->temporalLayer
							? flatbuffers::Optional<uint8_t>(*this->preferredLayers->temporalLayer)
							: flatbuffers::nullopt);
				}

				auto response = FBS::Consumer::CreateSetPreferredLayersResponse(builder, layersOffset);

				request->Accept(FBS::Response::Body::Consumer_SetPreferredLayersResponse, response);

				if (this->type == Type::SIMULCAST || this->type == Type::SVC)
				{
					NeedsAllocation();
				}

				break;
			}

			case FBS::Request::Method::CONSUMER_SET_PRIORITY:
			{
				const auto* body = request->GetBody<FBS::Consumer::SetPriorityRequest>();

				if (!body)
				{
					MS_THROW_TYPE_ERROR("missing body");
				}

				if (body->priority() < 1u)
				{
					MS_THROW_TYPE_ERROR("priority must be >= 1");
				}

				this->priority = body->priority();

				auto& builder = request->GetBufferBuilder();
				auto response = FBS::Consumer::CreateSetPriorityResponse(builder, this->priority);

				request->Accept(FBS::Response::Body::Consumer_SetPriorityResponse, response);

				break;
			}

			case FBS::Request::Method::CONSUMER_REQUEST_KEY_FRAME:
			{
				request->Accept();

				if (IsActive() && this->kind == MediaKind::VIDEO)
				{
					if (this->type == Type::PIPE)
					{
						for (const auto ssrc : this->consumableSsrcs)
						{
							this->listener->OnConsumerKeyFrameRequested(this, ssrc);
						}
					}
					else
					{
						this->listener->OnConsumerKeyFrameRequested(
							this, this->consumableSsrcs[this->currentEncoding]);
					}
				}

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

	void Consumer::FillStats(Channel::ChannelRequest* request)
	{
		auto& builder        = request->GetBufferBuilder();
		const uint64_t nowMs = DepLibUV::GetTimeMs();
		std::vector<flatbuffers::Offset<FBS::Consumer::SendStreamStats>> stats;

		// Every send stream exists from creation, so it is reported before it
		// sent anything (counters at 0).
		for (auto& stream : this->sendStreams)
		{
			const auto& params = stream->GetParams();

			stats.push_back(FBS::Consumer::CreateSendStreamStatsDirect(
				builder,
				params.ssrc,
				params.rtxSsrc != 0u ? flatbuffers::Optional<uint32_t>(params.rtxSsrc)
														 : flatbuffers::nullopt,
				params.mimeType.c_str(),
				stream->GetPacketCount(),
				stream->GetByteCount(),
				stream->GetBitrate(nowMs),
				static_cast<uint64_t>(std::max<int64_t>(stream->GetPacketsLost(), 0)),
				stream->GetFractionLost(),
				0u,
				stream->GetPacketsRetransmitted(),
				stream->GetNackCount(),
				stream->GetNackPacketCount(),
				stream->GetPliCount(),
				stream->GetFirCount(),
				stream->HasRtt() ? flatbuffers::Optional<float>(static_cast<float>(stream->GetRttMs()))
												 : flatbuffers::nullopt,
				stream->GetScore(),
				stream->GetRetransmissionsSuppressed(),
				stream->GetRetransmissionsOverBudget()));
		}

		auto response = FBS::Consumer::CreateGetStatsResponseDirect(builder, &stats);

		request->Accept(FBS::Response::Body::Consumer_GetStatsResponse, response);
	}
} // namespace RTC
