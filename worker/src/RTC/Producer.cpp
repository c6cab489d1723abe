#define MS_CLASS "RTC::Producer"

#include "RTC/Producer.hpp"

#include "DepLibUV.hpp"
#include "FBS/notification_generated.h"
#include "FBS/producer_generated.h"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/ScalabilityMode.hpp"

#include <algorithm>
#include <cstring>

namespace RTC
{
	namespace
	{
		// The Router's header extension ids (API.md §18.2): what consumers get.
		struct RouterExtension
		{
			std::string_view uri;
			uint8_t id;
		};

		constexpr std::array<RouterExtension, 12> RouterExtensions{ {
			{ "urn:ietf:params:rtp-hdrext:sdes:mid", 1u },
			{ "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", 2u },
			{ "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", 3u },
			{ "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", 4u },
			{ "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", 5u },
			{ "urn:ietf:params:rtp-hdrext:ssrc-audio-level", 6u },
			{ "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension",
				7u },
			{ "urn:3gpp:video-orientation", 8u },
			{ "urn:ietf:params:rtp-hdrext:toffset", 9u },
			{ "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time", 10u },
			{ "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay", 11u },
			{ "urn:mediasoup:params:rtp-hdrext:packet-id", 12u },
		} };

		uint8_t GetRouterExtensionId(std::string_view uri)
		{
			for (const auto& extension : RouterExtensions)
			{
				if (extension.uri == uri)
				{
					return extension.id;
				}
			}

			return 0u;
		}
	} // namespace

	Producer::Producer(
		Shared* shared,
		const std::string& id,
		Listener* listener,
		const FBS::Transport::ProduceRequest* request)
			: shared(shared), listener(listener), id(id)
	{
		this->kind =
			request->kind() == FBS::RtpParameters::MediaKind::VIDEO ? MediaKind::VIDEO : MediaKind::AUDIO;
		// This may throw.
		this->rtpParameters        = RtpParameters::FromFbs(request->rtp_parameters());
		this->keyFrameRequestDelay = request->key_frame_request_delay();
		this->paused               = request->paused();

		for (const auto* mapping : *request->rtp_mapping()->codecs())
		{
			if (mapping->payload_type() > 127u || mapping->mapped_payload_type() > 127u)
			{
				MS_THROW_TYPE_ERROR("invalid payload type in rtpMapping");
			}

			this->mapPayloadType[mapping->payload_type()] = mapping->mapped_payload_type();
			this->codecMappings.emplace_back(mapping->payload_type(), mapping->mapped_payload_type());
		}

		const auto* encodingMappings = request->rtp_mapping()->encodings();

		if (encodingMappings->size() != this->rtpParameters.encodings.size())
		{
			MS_THROW_TYPE_ERROR("rtpMapping.encodings does not match rtpParameters.encodings");
		}

		for (size_t i = 0; i < this->rtpParameters.encodings.size(); ++i)
		{
			const auto& encoding = this->rtpParameters.encodings[i];

			if (!encoding.ssrc && encoding.rid.empty() && this->rtpParameters.mid.empty())
			{
				MS_THROW_ERROR("encoding %zu has neither ssrc nor rid, and there is no mid", i);
			}

			Stream stream;

			stream.encoding   = encoding;
			stream.mappedSsrc = encodingMappings->Get(i)->mapped_ssrc();
			stream.ssrc       = encoding.ssrc.value_or(0u);
			stream.rtxSsrc    = encoding.rtxSsrc.value_or(0u);

			// FromFbs() resolved the encoding's media codec.
			stream.payloadType = encoding.codecPayloadType.value_or(0u);

			if (const auto* rtxCodec = this->rtpParameters.GetRtxCodecFor(stream.payloadType))
			{
				stream.rtxPayloadType = rtxCodec->payloadType;
			}

			this->streams.push_back(std::move(stream));
		}

		if (this->streams.size() > 1u)
		{
			this->type = Type::SIMULCAST;
		}
		else
		{
			const auto mode = ScalabilityMode::Parse(this->streams[0].encoding.scalabilityMode);

			if ((mode.spatialLayers > 1u || mode.temporalLayers > 1u) && CodecSupportsSvc())
			{
				this->type = Type::SVC;
			}
		}

		for (const auto& extension : this->rtpParameters.headerExtensions)
		{
			this->mapExtensionId[extension.id] = GetRouterExtensionId(extension.uri);

			const uint8_t routerId = GetRouterExtensionId(extension.uri);

			switch (routerId)
			{
				case 1u:
					this->extensionIds.mid = extension.id;
					break;
				case 2u:
					this->extensionIds.rid = extension.id;
					break;
				case 3u:
					this->extensionIds.rrid = extension.id;
					break;
				case 4u:
					this->extensionIds.absSendTime = extension.id;
					break;
				case 5u:
					this->extensionIds.transportWideCc01 = extension.id;
					break;
				case 6u:
					this->extensionIds.ssrcAudioLevel = extension.id;
					break;
				case 7u:
					// AV1 SVC consumers read the layers from it.
					this->extensionIds.dependencyDescriptor = extension.id;
					break;
				case 8u:
					this->extensionIds.videoOrientation = extension.id;
					break;
				default:
					break;
			}
		}

		this->bweType = RTC::GetBweType(this->rtpParameters);

		// This may throw.
		this->shared->registrator->RegisterHandler(this->id, this);
	}

	bool Producer::CodecSupportsSvc() const
	{
		// The media codec is the first one that is not RTX (ortc puts it first).
		for (const auto& codec : this->rtpParameters.codecs)
		{
			if (codec.IsRtx())
			{
				continue;
			}

			std::string mimeType = codec.mimeType;

			std::transform(mimeType.begin(), mimeType.end(), mimeType.begin(), ::tolower);

			return mimeType == "video/vp8" || mimeType == "video/vp9" || mimeType == "video/h264" ||
						 mimeType == "video/av1";
		}

		return false;
	}

	Producer::~Producer()
	{
		this->shared->registrator->UnregisterHandler(this->id);
	}

	std::vector<uint32_t> Producer::GetSsrcs() const
	{
		std::vector<uint32_t> ssrcs;

		for (const auto& stream : this->streams)
		{
			if (stream.encoding.ssrc)
			{
				ssrcs.push_back(*stream.encoding.ssrc);
			}

			if (stream.encoding.rtxSsrc)
			{
				ssrcs.push_back(*stream.encoding.rtxSsrc);
			}
		}

		return ssrcs;
	}

	std::vector<std::string> Producer::GetRids() const
	{
		std::vector<std::string> rids;

		for (const auto& stream : this->streams)
		{
			if (!stream.encoding.rid.empty())
			{
				rids.push_back(stream.encoding.rid);
			}
		}

		return rids;
	}

	std::vector<uint8_t> Producer::GetScores() const
	{
		std::vector<uint8_t> scores;

		for (const auto& stream : this->streams)
		{
			scores.push_back(stream.recv ? stream.recv->GetScore() : 0u);
		}

		return scores;
	}

	Producer::Stream* Producer::FindStream(const RtpPacket& packet)
	{
		const uint32_t ssrc = packet.GetSsrc();

		for (auto& stream : this->streams)
		{
			if (stream.ssrc == ssrc)
			{
				if (!stream.recv)
				{
					CreateRecvStream(stream);
				}

				return &stream;
			}
		}

		// An encoding known only by RID learns its SSRC from the first packet
		// carrying that RID.
		const auto rid = packet.ReadRid();

		if (rid)
		{
			for (auto& stream : this->streams)
			{
				if (stream.ssrc == 0u && stream.encoding.rid == *rid)
				{
					stream.ssrc = ssrc;
					CreateRecvStream(stream);

					return &stream;
				}
			}
		}

		// A single encoding with neither SSRC nor RID, matched by MID.
		if (
			this->streams.size() == 1u && this->streams[0].ssrc == 0u &&
			this->streams[0].encoding.rid.empty())
		{
			this->streams[0].ssrc = ssrc;
			CreateRecvStream(this->streams[0]);

			return &this->streams[0];
		}

		return nullptr;
	}

	Producer::Stream* Producer::FindRtxStream(const RtpPacket& packet)
	{
		const uint32_t ssrc       = packet.GetSsrc();
		const uint8_t payloadType = packet.GetPayloadType();

		for (auto& stream : this->streams)
		{
			if (stream.rtxSsrc == ssrc && stream.rtxPayloadType != 0u)
			{
				return &stream;
			}
		}

		// An RTX stream not signalled by SSRC: paired by its repaired RID, or
		// to the only encoding.
		Stream* found{ nullptr };

		if (const auto rrid = packet.ReadRrid())
		{
			for (auto& stream : this->streams)
			{
				if (stream.rtxSsrc == 0u && !stream.encoding.rid.empty() && stream.encoding.rid == *rrid)
				{
					found = &stream;

					break;
				}
			}
		}
		else if (this->streams.size() == 1u && this->streams[0].rtxSsrc == 0u)
		{
			found = &this->streams[0];
		}

		if (!found || found->rtxPayloadType != payloadType)
		{
			return nullptr;
		}

		found->rtxSsrc = ssrc;

		return found;
	}

	void Producer::CreateRecvStream(Stream& stream)
	{
		const auto* codec = this->rtpParameters.GetCodecByPayloadType(stream.payloadType);
		RtpStreamRecv::Params params;

		params.ssrc                   = stream.ssrc;
		params.payloadType            = stream.payloadType;
		params.rid                    = stream.encoding.rid;
		params.keyFrameRequestDelayMs = this->keyFrameRequestDelay;

		if (codec)
		{
			params.clockRate = codec->clockRate;
			params.mimeType  = codec->mimeType;
			params.codecKind = Codecs::FromMimeType(codec->mimeType);

			for (const auto& feedback : codec->rtcpFeedback)
			{
				if (feedback.type == "nack" && feedback.parameter.empty())
				{
					params.useNack = true;
				}
				else if (feedback.type == "nack" && feedback.parameter == "pli")
				{
					params.usePli = true;
				}
				else if (feedback.type == "ccm" && feedback.parameter == "fir")
				{
					params.useFir = true;
				}
			}
		}

		// NACK is for video: audio decoders conceal loss better than they wait.
		if (this->kind == MediaKind::AUDIO)
		{
			params.useNack = false;
		}

		stream.recv = std::make_unique<RtpStreamRecv>(params);
	}

	Producer::ReceiveResult
	Producer::ReceiveRtpPacket(RtpPacket& packet, uint64_t nowMs, bool& isKeyFrame)
	{
		isKeyFrame   = false;
		auto* stream = FindStream(packet);
		bool forward{ false };
		bool isRtx{ false };

		if (stream)
		{
			if (packet.GetPayloadType() == stream->rtxPayloadType && stream->rtxPayloadType != 0u)
			{
				// RTX on the media SSRC is not valid.
				++this->discardedPackets;

				return ReceiveResult::DISCARDED;
			}

			forward = stream->recv->ReceivePacket(packet, nowMs);
		}
		else
		{
			stream = FindRtxStream(packet);

			if (!stream || !stream->recv)
			{
				++this->discardedPackets;

				MS_DEBUG_TAG(rtp, "no stream for packet [ssrc:%u], discarded", packet.GetSsrc());

				return ReceiveResult::DISCARDED;
			}

			stream->recv->ReceiveRtxPacketCount(packet.GetSize(), nowMs);

			const auto extensionIds = packet.GetExtensionIds();
			auto decoded = RtpPacket::RtxDecode(packet.GetData(), stream->payloadType, stream->ssrc);

			// A padding-only probe, or garbage.
			if (!decoded)
			{
				return ReceiveResult::DISCARDED;
			}

			decoded->SetExtensionIds(extensionIds);
			packet  = *decoded;
			isRtx   = true;
			forward = stream->recv->ReceiveRecoveredPacket(packet, nowMs);
		}

		ProcessFeedback(*stream, nowMs);

		if (!forward)
		{
			++this->discardedPackets;

			return ReceiveResult::DISCARDED;
		}

		const uint8_t mappedPayloadType = this->mapPayloadType[packet.GetPayloadType()];

		if (mappedPayloadType == 0u)
		{
			++this->discardedPackets;

			MS_DEBUG_TAG(rtp, "unknown payload type %u, discarded", packet.GetPayloadType());

			return ReceiveResult::DISCARDED;
		}

		if (this->paused)
		{
			return ReceiveResult::DISCARDED;
		}

		if (this->extensionIds.videoOrientation != 0u)
		{
			CheckVideoOrientation(packet);
		}

		isKeyFrame = stream->recv->LastPacketIsKeyFrame();

		this->traceEventEmitter.EmitRtp(
			TraceEventEmitter::Type::RTP,
			TraceEventEmitter::Direction::DIRECTION_IN,
			packet,
			isKeyFrame,
			isRtx);

		if (isKeyFrame)
		{
			this->traceEventEmitter.EmitRtp(
				TraceEventEmitter::Type::KEYFRAME,
				TraceEventEmitter::Direction::DIRECTION_IN,
				packet,
				true,
				isRtx);
		}

		// The Router's view of the packet. A packet whose extensions cannot
		// carry the Router's ids would reach consumers with the sender's ids,
		// which mean something else there: dropped.
		if (!packet.RemapExtensionIds(this->mapExtensionId))
		{
			++this->discardedPackets;
			stream->recv->CountDiscarded();

			MS_DEBUG_TAG(
				rtp, "header extension ids cannot be remapped, discarded [ssrc:%u]", packet.GetSsrc());

			return ReceiveResult::DISCARDED;
		}

		packet.SetPayloadType(mappedPayloadType);
		packet.SetSsrc(stream->mappedSsrc);

		return ReceiveResult::MEDIA;
	}

	void Producer::CheckVideoOrientation(const RtpPacket& packet)
	{
		const auto orientation = packet.ReadVideoOrientation();

		if (!orientation)
		{
			return;
		}

		if (
			this->videoOrientation && this->videoOrientation->camera == orientation->camera &&
			this->videoOrientation->flip == orientation->flip &&
			this->videoOrientation->rotation == orientation->rotation)
		{
			return;
		}

		this->videoOrientation = orientation;

		auto& builder = this->shared->channel->GetNotificationBuilder();
		auto body     = FBS::Notification::CreateVideoOrientationNotification(
      builder, orientation->camera, orientation->flip, orientation->rotation);

		this->shared->channel->SendNotification(
			this->id,
			FBS::Notification::Event::PRODUCER_VIDEO_ORIENTATION_CHANGE,
			FBS::Notification::Body::VideoOrientationNotification,
			body.Union());
	}

	void Producer::ReceiveSenderReport(const RTCP::SenderReport& report, uint64_t nowMs)
	{
		for (auto& stream : this->streams)
		{
			if (stream.recv && stream.ssrc == report.GetSsrc())
			{
				stream.recv->ReceiveSenderReport(report.GetNtpTime().ToCompact(), nowMs);
				this->traceEventEmitter.EmitSenderReport(
					TraceEventEmitter::Direction::DIRECTION_IN, report);

				return;
			}
		}
	}

	void Producer::FillReportBlocks(std::vector<RTCP::ReportBlock>& blocks, uint64_t nowMs)
	{
		for (auto& stream : this->streams)
		{
			if (!stream.recv)
			{
				continue;
			}

			if (auto block = stream.recv->GetReportBlock(nowMs))
			{
				blocks.push_back(*block);
			}
		}

		NotifyScore();
	}

	void Producer::NotifyScore()
	{
		bool changed{ false };

		for (auto& stream : this->streams)
		{
			// Every stream is asked, so that each forgets its change.
			if (stream.recv && stream.recv->TakeScoreChanged())
			{
				changed = true;
			}
		}

		if (!changed)
		{
			return;
		}

		auto& builder = this->shared->channel->GetNotificationBuilder();
		std::vector<flatbuffers::Offset<FBS::Producer::Score>> scores;

		for (size_t i = 0; i < this->streams.size(); ++i)
		{
			const auto& stream = this->streams[i];

			if (!stream.recv)
			{
				continue;
			}

			scores.push_back(FBS::Producer::CreateScoreDirect(
				builder,
				static_cast<uint32_t>(i),
				stream.ssrc,
				stream.encoding.rid.empty() ? nullptr : stream.encoding.rid.c_str(),
				stream.recv->GetScore()));
		}

		auto notification = FBS::Producer::CreateScoreNotificationDirect(builder, &scores);

		this->shared->channel->SendNotification(
			this->id,
			FBS::Notification::Event::PRODUCER_SCORE,
			FBS::Notification::Body::Producer_ScoreNotification,
			notification.Union());

		this->listener->OnProducerScore(this);
	}

	void Producer::RequestKeyFrame(uint32_t mappedSsrc, uint64_t nowMs)
	{
		if (this->kind != MediaKind::VIDEO)
		{
			return;
		}

		for (auto& stream : this->streams)
		{
			if (stream.mappedSsrc != mappedSsrc || !stream.recv)
			{
				continue;
			}

			SendKeyFrameRequest(stream, stream.recv->RequestKeyFrame(nowMs));

			return;
		}
	}

	void Producer::SendKeyFrameRequest(Stream& stream, RtpStreamRecv::KeyFrameRequestType type)
	{
		switch (type)
		{
			case RtpStreamRecv::KeyFrameRequestType::PLI:
			{
				const RTCP::Pli pli(0u, stream.ssrc);

				this->listener->OnProducerRtcpFeedback(this, pli);
				this->traceEventEmitter.EmitKeyFrameRequest(
					TraceEventEmitter::Type::PLI, TraceEventEmitter::Direction::DIRECTION_OUT, stream.ssrc);

				break;
			}

			case RtpStreamRecv::KeyFrameRequestType::FIR:
			{
				RTCP::Fir fir;

				fir.SetMediaSsrc(0u);
				fir.AddEntry(RTCP::Fir::Entry{ stream.ssrc, stream.recv->NextFirSequenceNumber() });

				this->listener->OnProducerRtcpFeedback(this, fir);
				this->traceEventEmitter.EmitKeyFrameRequest(
					TraceEventEmitter::Type::FIR, TraceEventEmitter::Direction::DIRECTION_OUT, stream.ssrc);

				break;
			}

			case RtpStreamRecv::KeyFrameRequestType::NONE:
			{
				break;
			}
		}
	}

	void Producer::ProcessFeedback(Stream& stream, uint64_t nowMs)
	{
		const auto deadline = stream.recv->GetNextDeadlineMs();

		if (!deadline || *deadline > nowMs)
		{
			// The NACK list may have overflowed all the same.
			SendKeyFrameRequest(stream, stream.recv->OnKeyFrameTimeout(nowMs));

			return;
		}

		const auto lost = stream.recv->GetNacks(nowMs);

		if (!lost.empty())
		{
			RTCP::Nack nack;

			nack.SetSenderSsrc(0u);
			nack.SetMediaSsrc(stream.ssrc);

			for (const auto seq : lost)
			{
				if (!nack.AddLostSequenceNumber(seq))
				{
					break;
				}
			}

			this->listener->OnProducerRtcpFeedback(this, nack);
			this->traceEventEmitter.EmitNack(TraceEventEmitter::Direction::DIRECTION_OUT);
		}

		SendKeyFrameRequest(stream, stream.recv->OnKeyFrameTimeout(nowMs));
	}

	void Producer::OnFeedbackTimer(uint64_t nowMs)
	{
		for (auto& stream : this->streams)
		{
			if (stream.recv)
			{
				ProcessFeedback(stream, nowMs);
			}
		}
	}

	std::optional<uint64_t> Producer::GetNextFeedbackDeadlineMs() const
	{
		std::optional<uint64_t> deadline;

		for (const auto& stream : this->streams)
		{
			if (!stream.recv)
			{
				continue;
			}

			const auto streamDeadline = stream.recv->GetNextDeadlineMs();

			if (streamDeadline && (!deadline || *streamDeadline < *deadline))
			{
				deadline = streamDeadline;
			}
		}

		return deadline;
	}

	void Producer::SetRttMs(uint32_t rttMs)
	{
		for (auto& stream : this->streams)
		{
			if (stream.recv)
			{
				stream.recv->SetRttMs(rttMs);
			}
		}
	}

	bool Producer::IsStreamActive(uint32_t mappedSsrc, uint64_t nowMs) const
	{
		for (const auto& stream : this->streams)
		{
			if (stream.mappedSsrc == mappedSsrc)
			{
				return stream.recv && stream.recv->IsActive(nowMs);
			}
		}

		return false;
	}

	void Producer::HandleRequest(Channel::ChannelRequest* request)
	{
		switch (request->method)
		{
			case FBS::Request::Method::PRODUCER_DUMP:
			{
				auto& builder = request->GetBufferBuilder();
				std::vector<flatbuffers::Offset<FBS::RtpParameters::CodecMapping>> codecs;

				for (const auto& [payloadType, mapped] : this->codecMappings)
				{
					codecs.push_back(FBS::RtpParameters::CreateCodecMapping(builder, payloadType, mapped));
				}

				std::vector<flatbuffers::Offset<FBS::RtpParameters::EncodingMapping>> encodings;

				for (const auto& stream : this->streams)
				{
					encodings.push_back(FBS::RtpParameters::CreateEncodingMappingDirect(
						builder,
						stream.encoding.rid.empty() ? nullptr : stream.encoding.rid.c_str(),
						stream.encoding.ssrc ? flatbuffers::Optional<uint32_t>(*stream.encoding.ssrc)
																 : flatbuffers::nullopt,
						stream.encoding.scalabilityMode.empty() ? nullptr
																										: stream.encoding.scalabilityMode.c_str(),
						stream.mappedSsrc));
				}

				auto rtpMapping = FBS::RtpParameters::CreateRtpMappingDirect(builder, &codecs, &encodings);
				auto rtpParameters = this->rtpParameters.FillBuffer(builder);
				const std::vector<flatbuffers::Offset<flatbuffers::String>> noTypes;
				auto dump = FBS::Producer::CreateDumpResponseDirect(
					builder,
					this->id.c_str(),
					this->kind == MediaKind::VIDEO ? FBS::RtpParameters::MediaKind::VIDEO
																				 : FBS::RtpParameters::MediaKind::AUDIO,
					static_cast<FBS::Producer::Type>(this->type),
					rtpParameters,
					rtpMapping,
					&noTypes,
					this->paused);

				request->Accept(FBS::Response::Body::Producer_DumpResponse, dump);

				break;
			}

			case FBS::Request::Method::PRODUCER_GET_STATS:
			{
				FillStats(request);

				break;
			}

			case FBS::Request::Method::PRODUCER_ENABLE_TRACE_EVENT:
			{
				this->traceEventEmitter.HandleEnableRequest(request);

				break;
			}

			case FBS::Request::Method::PRODUCER_PAUSE:
			{
				const bool wasPaused = this->paused;

				this->paused = true;

				request->Accept();

				if (!wasPaused)
				{
					this->listener->OnProducerPaused(this);
				}

				break;
			}

			case FBS::Request::Method::PRODUCER_RESUME:
			{
				const bool wasPaused = this->paused;

				this->paused = false;

				request->Accept();

				if (wasPaused)
				{
					this->listener->OnProducerResumed(this);
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

	void Producer::HandleNotification(const FBS::Notification::Notification* notification)
	{
		if (notification->event() != FBS::Notification::Event::PRODUCER_SEND)
		{
			return;
		}

		const auto* body = notification->body_as_PacketData();

		// Where producer.send() packets are copied to be processed (rewritten)
		// in place; the worker is single threaded.
		static uint8_t sendBuffer[65536];

		if (!body || body->data()->size() > sizeof(sendBuffer))
		{
			++this->discardedPackets;

			return;
		}

		std::memcpy(sendBuffer, body->data()->data(), body->data()->size());

		this->listener->OnProducerSendRtpPacket(this, sendBuffer, body->data()->size());
	}

	void Producer::FillStats(Channel::ChannelRequest* request)
	{
		auto& builder        = request->GetBufferBuilder();
		const uint64_t nowMs = DepLibUV::GetTimeMs();
		std::vector<flatbuffers::Offset<FBS::Producer::RecvStreamStats>> stats;

		for (size_t i = 0; i < this->streams.size(); ++i)
		{
			auto& stream = this->streams[i];

			// Encodings that received nothing yet have no stream to report.
			if (!stream.recv || stream.recv->GetPacketCount() == 0u)
			{
				continue;
			}

			auto& recv = *stream.recv;

			stats.push_back(FBS::Producer::CreateRecvStreamStatsDirect(
				builder,
				static_cast<uint32_t>(i),
				stream.ssrc,
				stream.rtxSsrc != 0u ? flatbuffers::Optional<uint32_t>(stream.rtxSsrc)
														 : flatbuffers::nullopt,
				stream.encoding.rid.empty() ? nullptr : stream.encoding.rid.c_str(),
				recv.GetParams().mimeType.c_str(),
				recv.GetPacketCount(),
				recv.GetByteCount(),
				recv.GetBitrate(nowMs),
				static_cast<uint64_t>(std::max<int64_t>(recv.GetPacketsLost(), 0)),
				recv.GetFractionLost(),
				recv.GetJitter(),
				recv.GetPacketsDiscarded(),
				recv.GetPacketsRetransmitted(),
				recv.GetPacketsRepaired(),
				recv.GetNackCount(),
				recv.GetNackPacketCount(),
				recv.GetPliCount(),
				recv.GetFirCount(),
				recv.GetScore()));
		}

		auto response = FBS::Producer::CreateGetStatsResponseDirect(builder, &stats);

		request->Accept(FBS::Response::Body::Producer_GetStatsResponse, response);
	}
} // namespace RTC
