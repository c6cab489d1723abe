#define MS_CLASS "RTC::Consumer"

#include "RTC/Consumer.hpp"

#include "DepLibUV.hpp"
#include "FBS/consumer_generated.h"
#include "FBS/notification_generated.h"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/Codecs/Opus.hpp"
#include "RTC/Codecs/VP9.hpp"
#include "RTC/ScalabilityMode.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		// How often a simulcast consumer looks for a better stream.
		constexpr uint64_t TargetCheckIntervalMs{ 500u };
		// An encoding without packets for this long is not being sent.
		constexpr uint64_t InactiveEncodingMs{ 1000u };
		// How often the layers the producer sends are looked at (a change
		// calls for a new allocation).
		constexpr uint64_t ActiveLayersCheckIntervalMs{ 100u };

	} // namespace

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

		// Layers measured for the allocator; full SVC layers build on each other.
		if (this->type != Type::PIPE)
		{
			const bool stacked =
				this->type == Type::SVC && this->codecKind == Codecs::CodecKind::VP9 && !mode.ksvc;

			this->meter = std::make_unique<LayerBitrateMeter>(
				stacked ? LayerBitrateMeter::Stacking::STACKED : LayerBitrateMeter::Stacking::SEPARATE);
		}

		if (this->type == Type::SVC && this->codecKind == Codecs::CodecKind::VP9)
		{
			this->vp9Filter = std::make_unique<Vp9LayerFilter>(mode.ksvc);
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

	size_t Consumer::ChooseTargetEncoding(uint64_t nowMs)
	{
		if (this->type != Type::SIMULCAST)
		{
			return 0u;
		}

		if (nowMs - this->lastTargetCheckMs < TargetCheckIntervalMs && this->lastTargetCheckMs != 0u)
		{
			return this->targetEncoding;
		}

		this->lastTargetCheckMs = nowMs;

		// The highest encoding, up to the preferred spatial layer, that the
		// producer is sending (a packet went by lately); the lowest otherwise.
		const size_t maxEncoding = this->preferredLayers ? this->preferredLayers->spatialLayer : 0u;

		for (size_t idx = std::min(maxEncoding, this->consumableSsrcs.size() - 1u); idx > 0u; --idx)
		{
			const uint64_t lastMs = this->lastPacketMsPerEncoding[idx];

			if (lastMs != 0u && nowMs - lastMs < InactiveEncodingMs)
			{
				return idx;
			}
		}

		return 0u;
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

		const uint16_t originalSeq   = packet.GetSequenceNumber();
		const uint32_t originalTs    = packet.GetTimestamp();
		const bool originalMarker    = packet.HasMarker();

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

			if (this->vp9Filter)
			{
				this->vp9Filter->Reset();
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

	Consumer::LayerDecision Consumer::FilterLayers(const RtpPacket& packet)
	{
		LayerDecision decision;

		decision.marker = packet.HasMarker();

		if (
			this->codecKind == Codecs::CodecKind::VP8 &&
			(this->type == Type::SIMULCAST || this->type == Type::SVC))
		{
			auto descriptor = Codecs::Vp8::Parse(packet.GetPayload());

			// Forwarded as it is: its layer cannot be told.
			if (!descriptor)
			{
				return decision;
			}

			const auto result = this->vp8Filter.Filter(*descriptor);

			decision.forward = result.forward;

			if (result.pictureId)
			{
				descriptor->pictureId = *result.pictureId;
			}

			decision.vp8 = descriptor;
		}
		else if (this->vp9Filter)
		{
			const auto descriptor = Codecs::Vp9::Parse(packet.GetPayload());

			if (!descriptor)
			{
				return decision;
			}

			const auto result = this->vp9Filter->Filter(*descriptor, packet.HasMarker());

			decision.forward = result.forward;
			decision.marker  = result.marker;
		}

		return decision;
	}

	void Consumer::DropPacket(uint16_t originalSeq, uint64_t nowMs)
	{
		// A late packet whose number a newer one counted on: a padding-only
		// packet takes the number, or the receiver would ask for it forever.
		if (const auto fillSeq = this->seqRewriter.Drop(originalSeq))
		{
			SendFillPacket(*fillSeq, nowMs);
		}
	}

	void Consumer::SendFillPacket(uint16_t seq, uint64_t nowMs)
	{
		auto& stream = *this->sendStreams[0];
		// Header with P set, no payload, 4 bytes of padding (the last one
		// counting them).
		std::array<uint8_t, RtpPacket::FixedHeaderSize + 4u> data{};

		data[0] = 0xA0u;
		data[1] = stream.GetParams().payloadType & 0x7Fu;
		Utils::Byte::Set2Bytes(data.data(), 2u, seq);
		Utils::Byte::Set4Bytes(data.data(), 4u, this->lastSentTs);
		Utils::Byte::Set4Bytes(data.data(), 8u, stream.GetSsrc());
		data[data.size() - 1u] = 4u;

		auto packet = RtpPacket::Parse(data);

		if (!packet)
		{
			return;
		}

		this->listener->OnConsumerSendRtpPacket(this, *packet);
		stream.PacketSent(*packet, nowMs);
	}

	void Consumer::MeasurePacket(const RtpPacket& packet, size_t encodingIdx, uint64_t nowMs)
	{
		if (!this->meter)
		{
			return;
		}

		uint8_t spatial  = this->type == Type::SIMULCAST ? static_cast<uint8_t>(encodingIdx) : 0u;
		uint8_t temporal = 0u;

		if (this->codecKind == Codecs::CodecKind::VP8 && this->type != Type::SIMPLE)
		{
			if (const auto descriptor = Codecs::Vp8::Parse(packet.GetPayload()))
			{
				temporal = descriptor->hasTid ? descriptor->tid : 0u;
			}
		}
		else if (this->vp9Filter)
		{
			if (const auto descriptor = Codecs::Vp9::Parse(packet.GetPayload()))
			{
				spatial  = descriptor->spatialLayerId;
				temporal = descriptor->temporalLayerId;
			}
		}

		if (!this->firstPacketMs)
		{
			this->firstPacketMs = nowMs;
		}

		this->meter->Update(spatial, temporal, packet.GetSize(), nowMs);

		if (nowMs - this->lastActiveCheckMs < ActiveLayersCheckIntervalMs)
		{
			return;
		}

		this->lastActiveCheckMs = nowMs;

		const uint16_t mask = this->meter->GetActiveMask(nowMs);

		if (mask != this->lastActiveMask)
		{
			this->lastActiveMask = mask;

			NeedsAllocation();
		}
	}

	void Consumer::UpdateTarget(uint64_t nowMs)
	{
		std::optional<BitrateAllocator::Layers> newTarget;
		const uint8_t preferredSpatial  = this->preferredLayers ? this->preferredLayers->spatialLayer : 0u;
		const uint8_t preferredTemporal = this->preferredLayers && this->preferredLayers->temporalLayer
																				? *this->preferredLayers->temporalLayer
																				: 0u;

		if (this->layersManaged)
		{
			newTarget = this->managedTarget;

			if (newTarget && this->type == Type::SIMPLE)
			{
				newTarget = BitrateAllocator::Layers{};
			}
		}
		else if (this->type == Type::SIMULCAST)
		{
			newTarget = BitrateAllocator::Layers{ static_cast<uint8_t>(ChooseTargetEncoding(nowMs)),
																						preferredTemporal };
		}
		else if (this->type == Type::SVC)
		{
			uint8_t spatial = preferredSpatial;

			// Once layers had time to show, not above the highest one sent (a
			// key frame would be asked for in vain).
			if (this->firstPacketMs && nowMs - *this->firstPacketMs >= LayerBitrateMeter::WindowMs)
			{
				const auto highest = this->meter->GetHighestActiveSpatial(nowMs);

				if (highest && *highest < spatial)
				{
					spatial = *highest;
				}
			}

			newTarget = BitrateAllocator::Layers{ spatial, preferredTemporal };
		}
		else
		{
			newTarget = BitrateAllocator::Layers{};
		}

		if (newTarget == this->target)
		{
			return;
		}

		this->target = newTarget;

		if (!this->target)
		{
			// Whatever comes next starts at a key frame.
			StartSync();
			UpdateCurrentLayers();

			return;
		}

		this->vp8Filter.SetTarget(this->target->temporal);

		if (this->vp9Filter)
		{
			this->vp9Filter->SetTarget({ this->target->spatial, this->target->temporal });

			if (!this->syncRequired && this->vp9Filter->NeedsKeyFrame())
			{
				this->listener->OnConsumerKeyFrameRequested(this, this->consumableSsrcs[0]);
			}
		}

		if (this->type == Type::SIMULCAST)
		{
			const size_t encoding =
				std::min<size_t>(this->target->spatial, this->consumableSsrcs.size() - 1u);

			if (encoding != this->targetEncoding)
			{
				this->targetEncoding = encoding;

				if (encoding != this->currentEncoding)
				{
					// Switch at the target's next key frame.
					this->listener->OnConsumerKeyFrameRequested(this, this->consumableSsrcs[encoding]);
				}
			}
		}
	}

	std::optional<BitrateAllocator::Layers> Consumer::ComputeCurrentLayers() const
	{
		if (this->type != Type::SIMULCAST && this->type != Type::SVC)
		{
			return std::nullopt;
		}

		if (!IsActive() || this->syncRequired || !this->target || !this->sentAny)
		{
			return std::nullopt;
		}

		const bool isVp8 = this->codecKind == Codecs::CodecKind::VP8;

		if (this->type == Type::SIMULCAST)
		{
			return BitrateAllocator::Layers{ static_cast<uint8_t>(this->currentEncoding),
																			 isVp8 ? this->vp8Filter.GetCurrent() : uint8_t{ 0u } };
		}

		if (this->vp9Filter)
		{
			const auto current = this->vp9Filter->GetCurrent();

			return BitrateAllocator::Layers{ current.spatial, current.temporal };
		}

		if (isVp8)
		{
			return BitrateAllocator::Layers{ 0u, this->vp8Filter.GetCurrent() };
		}

		// Other codecs are forwarded whole.
		return BitrateAllocator::Layers{ this->maxSpatialLayer, this->maxTemporalLayer };
	}

	void Consumer::UpdateCurrentLayers()
	{
		const auto layers = ComputeCurrentLayers();

		if (layers == this->currentLayers)
		{
			return;
		}

		this->currentLayers = layers;

		auto& builder = this->shared->channel->GetNotificationBuilder();
		flatbuffers::Offset<FBS::Consumer::ConsumerLayers> layersOffset;

		if (layers)
		{
			layersOffset = FBS::Consumer::CreateConsumerLayers(
				builder, layers->spatial, flatbuffers::Optional<uint8_t>(layers->temporal));
		}

		auto notification = FBS::Consumer::CreateLayersChangeNotification(builder, layersOffset);

		this->shared->channel->SendNotification(
			this->id,
			FBS::Notification::Event::CONSUMER_LAYERS_CHANGE,
			FBS::Notification::Body::Consumer_LayersChangeNotification,
			notification.Union());

		// The score follows the layer forwarded.
		NotifyScore();
	}

	void Consumer::NeedsAllocation()
	{
		if (this->layersManaged)
		{
			this->listener->OnConsumerNeedsAllocation(this);
		}
	}

	void Consumer::SetLayersManaged(bool managed)
	{
		this->layersManaged = managed;
	}

	void Consumer::FillAllocatorEntry(BitrateAllocator::Entry& entry, uint64_t nowMs) const
	{
		entry.id       = this->id;
		entry.kind     = this->kind == MediaKind::AUDIO ? BitrateAllocator::Kind::Audio
																										: BitrateAllocator::Kind::Video;
		entry.priority = this->priority;
		entry.paused   = !IsActive();
		entry.bitrates = this->meter ? this->meter->GetCosts(nowMs) : LayerBitrateMeter::Bitrates{};
		entry.preferredLayers.reset();

		if (this->preferredLayers)
		{
			entry.preferredLayers = BitrateAllocator::Layers{
				this->preferredLayers->spatialLayer, this->preferredLayers->temporalLayer.value_or(0u)
			};
		}

		entry.currentLayers = this->currentLayers;

		// Simple consumers forward their one layer when they forward anything.
		if (!entry.currentLayers && this->type == Type::SIMPLE && IsActive() && !this->syncRequired)
		{
			entry.currentLayers = BitrateAllocator::Layers{};
		}
	}

	void Consumer::SetTargetLayers(const std::optional<BitrateAllocator::Layers>& layers)
	{
		if (!this->layersManaged)
		{
			return;
		}

		this->managedTarget = layers;

		UpdateTarget(DepLibUV::GetTimeMs());
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
			{ this->listener->OnConsumerRetransmitRtpPacket(this, data, len); });
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
				stream->GetScore()));
		}

		auto response = FBS::Consumer::CreateGetStatsResponseDirect(builder, &stats);

		request->Accept(FBS::Response::Body::Consumer_GetStatsResponse, response);
	}
} // namespace RTC
