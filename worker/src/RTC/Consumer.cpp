#define MS_CLASS "RTC::Consumer"

#include "RTC/Consumer.hpp"

#include "DepLibUV.hpp"
#include "FBS/consumer_generated.h"
#include "FBS/notification_generated.h"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/Codecs/Opus.hpp"
#include "RTC/ScalabilityMode.hpp"

#include <algorithm>

namespace RTC
{
	Consumer::Consumer(
		Shared* shared,
		const std::string& id,
		Listener* listener,
		const FBS::Transport::ConsumeRequest* request)
			: shared(shared), listener(listener), id(id), producerId(request->producer_id()->str())
	{
		this->kind =
			request->kind() == FBS::RtpParameters::MediaKind::VIDEO ? MediaKind::VIDEO : MediaKind::AUDIO;
		this->type = static_cast<Type>(request->type());
		// This may throw.
		this->rtpParameters = RtpParameters::FromFbs(request->rtp_parameters());
		this->paused        = request->paused();
		this->ignoreDtx     = request->ignore_dtx();

		auto& consumableEncodings = this->consumableEncodings;

		for (const auto* encoding : *request->consumable_rtp_encodings())
		{
			if (!encoding->ssrc())
			{
				MS_THROW_TYPE_ERROR("consumable encoding without ssrc");
			}

			this->consumableSsrcs.push_back(*encoding->ssrc());
			consumableEncodings.push_back(RtpParameters::EncodingFromFbs(encoding));
		}

		if (this->consumableSsrcs.empty())
		{
			MS_THROW_TYPE_ERROR("empty consumableRtpEncodings");
		}

		this->producerScores.assign(this->consumableSsrcs.size(), 0u);
		this->lastPacketMsPerEncoding.assign(this->consumableSsrcs.size(), 0u);

		for (const auto& encoding : this->rtpParameters.encodings)
		{
			if (!encoding.ssrc)
			{
				MS_THROW_TYPE_ERROR("consumer encoding without ssrc");
			}
		}

		if (
			this->type == Type::PIPE &&
			this->rtpParameters.encodings.size() != this->consumableSsrcs.size())
		{
			MS_THROW_TYPE_ERROR("pipe consumer encodings do not match the producer's");
		}

		if (this->type != Type::PIPE && this->rtpParameters.encodings.size() != 1u)
		{
			MS_THROW_TYPE_ERROR("consumer must have exactly one encoding");
		}

		// The media codec (FromFbs() checked there is one) and its RTX codec.
		const auto* mediaCodec =
			this->rtpParameters.GetCodecForEncoding(this->rtpParameters.encodings[0]);

		if (!mediaCodec)
		{
			MS_THROW_TYPE_ERROR("no media codec in rtpParameters");
		}

		const auto* rtxCodec = this->rtpParameters.GetRtxCodecFor(mediaCodec->payloadType);

		this->codecKind = Codecs::FromMimeType(mediaCodec->mimeType);

		bool useNack{ false };

		for (const auto& feedback : mediaCodec->rtcpFeedback)
		{
			if (feedback.type == "nack" && feedback.parameter.empty())
			{
				useNack = true;
			}
		}

		for (const auto& encoding : this->rtpParameters.encodings)
		{
			RtpStreamSend::Params params;

			params.ssrc        = *encoding.ssrc;
			params.payloadType = mediaCodec->payloadType;
			params.clockRate   = mediaCodec->clockRate;
			params.mimeType    = mediaCodec->mimeType;
			// Audio is not retransmitted (see RtpStreamRecv).
			params.useNack = useNack && this->kind == MediaKind::VIDEO;

			if (rtxCodec && encoding.rtxSsrc)
			{
				params.rtxSsrc        = *encoding.rtxSsrc;
				params.rtxPayloadType = rtxCodec->payloadType;
			}

			this->sendStreams.push_back(std::make_unique<RtpStreamSend>(params));
		}

		const auto mode = ScalabilityMode::Parse(consumableEncodings[0].scalabilityMode);
		// SVC streams whose layers the worker can tell apart and drop.
		const bool svcLayered = this->type == Type::SVC && (this->codecKind == Codecs::CodecKind::VP9 ||
																												this->codecKind == Codecs::CodecKind::AV1);

		// Layers measured for the allocator; full SVC layers build on each other.
		if (this->type != Type::PIPE)
		{
			const bool stacked = svcLayered && !mode.ksvc;

			this->meter = std::make_unique<LayerBitrateMeter>(
				stacked ? LayerBitrateMeter::Stacking::STACKED : LayerBitrateMeter::Stacking::SEPARATE);
		}

		if (svcLayered)
		{
			this->svcFilter = std::make_unique<SvcLayerFilter>(mode.ksvc);
		}

		// Preferred layers of simulcast and SVC consumers: as asked, clamped to
		// what the producer has; the highest by default.
		if (this->type == Type::SIMULCAST || this->type == Type::SVC)
		{
			this->maxSpatialLayer  = this->type == Type::SIMULCAST
																 ? static_cast<uint8_t>(this->consumableSsrcs.size() - 1u)
																 : static_cast<uint8_t>(mode.spatialLayers - 1u);
			this->maxTemporalLayer = static_cast<uint8_t>(mode.temporalLayers - 1u);

			Layers layers{ this->maxSpatialLayer, this->maxTemporalLayer };

			if (const auto* preferred = request->preferred_layers())
			{
				layers = ClampLayers(
					preferred->spatial_layer(),
					preferred->temporal_layer() ? std::optional<uint8_t>(*preferred->temporal_layer())
																			: std::nullopt);
			}

			this->preferredLayers = layers;
			// Until the first check, the lowest encoding is the safest bet.
			this->currentEncoding = 0u;
			this->targetEncoding  = 0u;
		}

		// This may throw.
		this->shared->registrator->RegisterHandler(this->id, this);
	}

	Consumer::~Consumer()
	{
		this->shared->registrator->UnregisterHandler(this->id);
	}

	std::vector<uint32_t> Consumer::GetSsrcs() const
	{
		std::vector<uint32_t> ssrcs;

		for (const auto& encoding : this->rtpParameters.encodings)
		{
			ssrcs.push_back(*encoding.ssrc);

			if (encoding.rtxSsrc)
			{
				ssrcs.push_back(*encoding.rtxSsrc);
			}
		}

		return ssrcs;
	}

	void Consumer::SetProducerState(bool producerPaused, const std::vector<uint8_t>& producerScores)
	{
		this->producerPaused = producerPaused;

		if (producerScores.size() == this->producerScores.size())
		{
			this->producerScores = producerScores;
		}

		this->lastNotifiedScore         = GetScore();
		this->lastNotifiedProducerScore = GetProducerScore();
	}

	void Consumer::SendRtpPacket(RtpPacket& packet, bool isKeyFrame)
	{
		const uint32_t ssrc = packet.GetSsrc();
		size_t encodingIdx  = 0u;

		while (encodingIdx < this->consumableSsrcs.size() && this->consumableSsrcs[encodingIdx] != ssrc)
		{
			++encodingIdx;
		}

		if (encodingIdx == this->consumableSsrcs.size())
		{
			return;
		}

		const uint64_t nowMs = DepLibUV::GetTimeMs();

		// Measured while paused too: the allocator has the bitrates at resume.
		MeasurePacket(packet, encodingIdx, nowMs);

		if (!IsActive())
		{
			return;
		}

		if (this->type == Type::SIMULCAST)
		{
			this->lastPacketMsPerEncoding[encodingIdx] = nowMs;
		}

		if (this->type == Type::PIPE)
		{
			SendPipePacket(packet, encodingIdx, isKeyFrame);
		}
		else
		{
			SendSingleStreamPacket(packet, encodingIdx, isKeyFrame);
		}
	}

	void Consumer::SendPipePacket(RtpPacket& packet, size_t encodingIdx, bool isKeyFrame)
	{
		const uint32_t originalSsrc = packet.GetSsrc();
		auto& stream                = *this->sendStreams[encodingIdx];

		// Every encoding, sequence numbers and timestamps unchanged: the far
		// Router does its own rewriting.
		packet.SetSsrc(stream.GetSsrc());

		this->listener->OnConsumerSendRtpPacket(this, packet);
		stream.PacketSent(packet, DepLibUV::GetTimeMs());
		TraceSentPacket(packet, isKeyFrame);

		packet.SetSsrc(originalSsrc);
	}

	void Consumer::SendSingleStreamPacket(RtpPacket& packet, size_t encodingIdx, bool isKeyFrame)
	{
		const uint64_t nowMs = DepLibUV::GetTimeMs();

		UpdateTarget(nowMs);

		// The allocator gives nothing.
		if (!this->target)
		{
			return;
		}

		// A key frame of the target encoding: switch to it.
		if (
			encodingIdx == this->targetEncoding && encodingIdx != this->currentEncoding &&
			(isKeyFrame || this->kind == MediaKind::AUDIO))
		{
			this->currentEncoding = encodingIdx;
			this->sourceChanged   = true;
			this->syncRequired    = true;
		}

		// The current encoding may have died: without a key frame of the
		// target nothing would flow, so follow the target.
		if (encodingIdx != this->currentEncoding)
		{
			return;
		}

		const uint16_t originalSeq = packet.GetSequenceNumber();
		const uint32_t originalTs  = packet.GetTimestamp();
		const bool originalMarker  = packet.HasMarker();

		if (this->syncRequired)
		{
			if (this->kind == MediaKind::VIDEO && !isKeyFrame)
			{
				// Waiting for a key frame: the decoder cannot start elsewhere.
				if (!this->keyFrameRequired)
				{
					this->keyFrameRequired = true;
					this->listener->OnConsumerKeyFrameRequested(
						this, this->consumableSsrcs[this->currentEncoding]);
				}

				return;
			}

			// Continue right after the last sequence number sent.
			this->seqRewriter.Sync(
				originalSeq, this->sentAny ? static_cast<uint16_t>(this->lastSentSeq + 1u) : originalSeq);

			// Another stream has its own timestamp base: continue from the last
			// timestamp sent plus the time elapsed.
			if (this->sourceChanged && this->sentAny)
			{
				const uint32_t clockRate = this->sendStreams[0]->GetParams().clockRate;
				uint64_t elapsedTs       = (nowMs - this->lastSentMs) * clockRate / 1000u;

				if (elapsedTs == 0u)
				{
					elapsedTs = 1u;
				}

				this->tsOffset = static_cast<uint32_t>(this->lastSentTs + elapsedTs - originalTs);
			}
			else if (this->sourceChanged)
			{
				this->tsOffset = 0u;
			}

			if (this->sourceChanged)
			{
				this->vp8Context.SyncRequired();
			}

			// A key frame: every layer up to the target can start here.
			this->vp8Filter.Reset();

			if (this->svcFilter)
			{
				this->svcFilter->Reset();
			}

			this->syncRequired     = false;
			this->keyFrameRequired = false;
			this->sourceChanged    = false;

			this->sendStreams[0]->ClearBuffer();
		}

		// Opus DTX packets carry nothing to play: skip them, without a gap in
		// the sequence numbers.
		if (
			this->ignoreDtx && this->codecKind == Codecs::CodecKind::OPUS &&
			Codecs::Opus::IsDtx(packet.GetPayload()))
		{
			DropPacket(originalSeq, nowMs);

			return;
		}

		const auto decision = FilterLayers(packet);

		if (!decision.forward)
		{
			DropPacket(originalSeq, nowMs);

			return;
		}

		const auto outSeq = this->seqRewriter.Forward(originalSeq);

		// From before the sync point: its sequence number is taken.
		if (!outSeq)
		{
			return;
		}

		const uint16_t seq = *outSeq;
		// Not a reordered or retransmitted one: it sets the last sent values.
		const bool isNewest = !this->sentAny || IsNewer<uint16_t>(seq, this->lastSentSeq);
		const auto ts       = originalTs + this->tsOffset;
		auto& stream        = *this->sendStreams[0];

		packet.SetSsrc(stream.GetSsrc());
		packet.SetSequenceNumber(seq);
		packet.SetTimestamp(ts);
		packet.SetMarker(decision.marker);

		// VP8 picture ids and TL0PICIDX: compacted over dropped pictures and
		// continuous across source switches.
		std::optional<Codecs::Vp8PayloadDescriptor> vp8Original;

		if (decision.vp8)
		{
			vp8Original    = Codecs::Vp8::Parse(packet.GetPayload());
			const auto ids = this->vp8Context.Rewrite(*decision.vp8);

			Codecs::Vp8::SetPictureIdAndTl0PicIdx(
				packet.GetPayload(),
				ids.pictureId.value_or(decision.vp8->pictureId),
				ids.tl0PicIdx.value_or(decision.vp8->tl0PicIdx));
		}

		this->listener->OnConsumerSendRtpPacket(this, packet);
		stream.PacketSent(packet, nowMs);
		TraceSentPacket(packet, isKeyFrame);

		// Other consumers share the payload.
		if (vp8Original)
		{
			Codecs::Vp8::SetPictureIdAndTl0PicIdx(
				packet.GetPayload(), vp8Original->pictureId, vp8Original->tl0PicIdx);
		}

		if (isNewest)
		{
			this->lastSentSeq = seq;
			this->lastSentTs  = ts;
			this->lastSentMs  = nowMs;
		}

		this->sentAny = true;

		packet.SetSsrc(this->consumableSsrcs[this->currentEncoding]);
		packet.SetSequenceNumber(originalSeq);
		packet.SetTimestamp(originalTs);
		packet.SetMarker(originalMarker);

		UpdateCurrentLayers();
	}

	void Consumer::TraceSentPacket(const RtpPacket& packet, bool isKeyFrame)
	{
		this->traceEventEmitter.EmitRtp(
			TraceEventEmitter::Type::RTP,
			TraceEventEmitter::Direction::DIRECTION_OUT,
			packet,
			isKeyFrame,
			false);

		if (isKeyFrame)
		{
			this->traceEventEmitter.EmitRtp(
				TraceEventEmitter::Type::KEYFRAME,
				TraceEventEmitter::Direction::DIRECTION_OUT,
				packet,
				true,
				false);
		}
	}

	Consumer::Layers
	Consumer::ClampLayers(uint8_t spatialLayer, std::optional<uint8_t> temporalLayer) const
	{
		Layers layers;

		layers.spatialLayer = std::min(spatialLayer, this->maxSpatialLayer);
		// Not given: the highest.
		layers.temporalLayer =
			temporalLayer ? std::min(*temporalLayer, this->maxTemporalLayer) : this->maxTemporalLayer;

		return layers;
	}

	void Consumer::StartSync()
	{
		this->syncRequired     = true;
		this->keyFrameRequired = false;

		UpdateCurrentLayers();
	}

	void Consumer::RequestKeyFrameIfNeeded()
	{
		if (this->kind != MediaKind::VIDEO || !IsActive() || this->type == Type::PIPE)
		{
			return;
		}

		// Not flagged as asked: the producer may have no stream to ask yet, so
		// the first packet that cannot be forwarded asks again.
		this->listener->OnConsumerKeyFrameRequested(this, this->consumableSsrcs[this->currentEncoding]);
	}

	void Consumer::ProducerPaused()
	{
		if (this->producerPaused)
		{
			return;
		}

		this->producerPaused = true;
		StartSync();
		NeedsAllocation();

		this->shared->channel->SendNotification(
			this->id, FBS::Notification::Event::CONSUMER_PRODUCER_PAUSE);
	}

	void Consumer::ProducerResumed()
	{
		if (!this->producerPaused)
		{
			return;
		}

		this->producerPaused = false;

		this->shared->channel->SendNotification(
			this->id, FBS::Notification::Event::CONSUMER_PRODUCER_RESUME);

		RequestKeyFrameIfNeeded();
		NeedsAllocation();
	}

	void Consumer::ProducerClosed()
	{
		this->shared->channel->SendNotification(
			this->id, FBS::Notification::Event::CONSUMER_PRODUCER_CLOSE);

		// This destroys us.
		this->listener->OnConsumerProducerClosed(this);
	}

	void Consumer::ProducerScoresChanged(const std::vector<uint8_t>& producerScores)
	{
		if (producerScores.size() != this->producerScores.size())
		{
			return;
		}

		this->producerScores = producerScores;

		NotifyScore();
	}

	uint8_t Consumer::GetScore() const
	{
		// A pipe consumer feeds another Router, which scores the streams it
		// receives itself.
		if (this->type == Type::PIPE)
		{
			return 10u;
		}

		uint8_t score{ 10u };

		for (const auto& stream : this->sendStreams)
		{
			score = std::min(score, stream->GetScore());
		}

		// A lower spatial layer than the one wanted (the preferred one, or the
		// highest the producer sends when lower) scores 10 * (current + 1) /
		// (wanted + 1), rounded.
		if (this->currentLayers && this->preferredLayers && this->meter)
		{
			uint8_t wanted = this->preferredLayers->spatialLayer;

			if (const auto highest = this->meter->GetHighestActiveSpatial(DepLibUV::GetTimeMs()))
			{
				wanted = std::min(wanted, *highest);
			}

			const uint32_t current = this->currentLayers->spatial;

			if (current < wanted)
			{
				const auto layerScore =
					static_cast<uint8_t>((20u * (current + 1u) + (wanted + 1u)) / (2u * (wanted + 1u)));

				score = std::min(score, layerScore);
			}
		}

		return score;
	}

	uint8_t Consumer::GetProducerScore() const
	{
		// Fixed for a pipe consumer, as its score: the far Router tells its own
		// consumers the score of each stream.
		if (this->type == Type::PIPE)
		{
			return 10u;
		}

		return this->producerScores[this->currentEncoding];
	}

	void Consumer::NotifyScore()
	{
		const uint8_t score         = GetScore();
		const uint8_t producerScore = GetProducerScore();

		if (score == this->lastNotifiedScore && producerScore == this->lastNotifiedProducerScore)
		{
			return;
		}

		this->lastNotifiedScore         = score;
		this->lastNotifiedProducerScore = producerScore;

		auto& builder      = this->shared->channel->GetNotificationBuilder();
		auto consumerScore = FBS::Consumer::CreateConsumerScoreDirect(
			builder, score, producerScore, &this->producerScores);
		auto notification = FBS::Consumer::CreateScoreNotification(builder, consumerScore);

		this->shared->channel->SendNotification(
			this->id,
			FBS::Notification::Event::CONSUMER_SCORE,
			FBS::Notification::Body::Consumer_ScoreNotification,
			notification.Union());
	}

	RtpStreamSend* Consumer::FindSendStream(uint32_t ssrc)
	{
		for (auto& stream : this->sendStreams)
		{
			if (stream->GetSsrc() == ssrc || stream->GetParams().rtxSsrc == ssrc)
			{
				return stream.get();
			}
		}

		return nullptr;
	}

	void Consumer::ReceiveNack(const RTCP::Nack& nack, uint64_t nowMs)
	{
		auto* stream = FindSendStream(nack.GetMediaSsrc());

		if (!stream)
		{
			return;
		}

		this->traceEventEmitter.EmitNack(TraceEventEmitter::Direction::DIRECTION_IN);

		stream->ReceiveNack(
			nack,
			nowMs,
			[this](const uint8_t* data, size_t len)
			{ return this->listener->OnConsumerRetransmitRtpPacket(this, data, len); });
	}

	void Consumer::ReceiveKeyFrameRequest(uint32_t ssrc, bool isFir)
	{
		auto* stream = FindSendStream(ssrc);

		if (!stream)
		{
			return;
		}

		stream->ReceiveKeyFrameRequest(isFir);
		this->traceEventEmitter.EmitKeyFrameRequest(
			isFir ? TraceEventEmitter::Type::FIR : TraceEventEmitter::Type::PLI,
			TraceEventEmitter::Direction::DIRECTION_IN,
			ssrc);

		if (!IsActive() || this->kind != MediaKind::VIDEO)
		{
			return;
		}

		if (this->type == Type::PIPE)
		{
			for (size_t idx = 0; idx < this->sendStreams.size(); ++idx)
			{
				if (this->sendStreams[idx].get() == stream)
				{
					this->listener->OnConsumerKeyFrameRequested(this, this->consumableSsrcs[idx]);
				}
			}

			return;
		}

		this->listener->OnConsumerKeyFrameRequested(this, this->consumableSsrcs[this->currentEncoding]);
	}

	void Consumer::ReceiveReportBlock(const RTCP::ReportBlock& block, uint64_t nowMs)
	{
		auto* stream = FindSendStream(block.ssrc);

		if (!stream)
		{
			return;
		}

		stream->ReceiveReportBlock(block, nowMs);

		NotifyScore();
	}

	void Consumer::FillSenderReports(std::vector<RTCP::SenderReport>& reports, uint64_t nowMs)
	{
		for (auto& stream : this->sendStreams)
		{
			if (auto report = stream->GetSenderReport(nowMs, nowMs))
			{
				reports.push_back(*report);
			}
		}
	}

	std::optional<uint32_t> Consumer::GetRttMs() const
	{
		for (const auto& stream : this->sendStreams)
		{
			if (stream->HasRtt())
			{
				return stream->GetRttMs();
			}
		}

		return std::nullopt;
	}
} // namespace RTC
