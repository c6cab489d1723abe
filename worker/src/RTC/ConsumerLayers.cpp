#define MS_CLASS "RTC::Consumer"

// The layer side of Consumer: what the producer sends (measured per layer),
// which layers to forward (the allocator's or the preferred ones), the
// filtering of packets by layer, and the layers forwarded now.

#include "DepLibUV.hpp"
#include "FBS/consumer_generated.h"
#include "FBS/notification_generated.h"
#include "RTC/Codecs/DependencyDescriptor.hpp"
#include "RTC/Codecs/VP9.hpp"
#include "RTC/Consumer.hpp"

#include <algorithm>
#include <array>

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
		else if (this->svcFilter)
		{
			std::optional<SvcLayerFilter::Frame> frame;

			if (this->codecKind == Codecs::CodecKind::VP9)
			{
				if (const auto descriptor = Codecs::Vp9::Parse(packet.GetPayload()))
				{
					frame = SvcLayerFilter::FromVp9(*descriptor);
				}
			}
			else
			{
				frame = ReadAv1Frame(packet);

				// In a stream with descriptors, a packet of unknown layers could
				// belong to any of them: only a receiver of them all gets it.
				if (!frame && this->av1Structure)
				{
					decision.forward =
						this->svcFilter->ForwardsEverything({ this->maxSpatialLayer, this->maxTemporalLayer });

					return decision;
				}
			}

			// Forwarded as it is: its layer cannot be told.
			if (!frame)
			{
				return decision;
			}

			const auto result = this->svcFilter->Filter(*frame, packet.HasMarker());

			decision.forward = result.forward;
			decision.marker  = result.marker;
		}

		return decision;
	}

	std::optional<SvcLayerFilter::Frame> Consumer::ReadAv1Frame(const RtpPacket& packet)
	{
		const auto value = packet.GetExtension(packet.GetExtensionIds().dependencyDescriptor);

		if (!value)
		{
			return std::nullopt;
		}

		const auto descriptor = Codecs::DependencyDescriptorParser::Parse(*value);

		if (!descriptor)
		{
			return std::nullopt;
		}

		if (descriptor->structure)
		{
			this->av1Structure = descriptor->structure;
		}

		const auto layers = descriptor->GetLayers(this->av1Structure ? &*this->av1Structure : nullptr);

		if (!layers)
		{
			return std::nullopt;
		}

		SvcLayerFilter::Frame frame;

		frame.spatial      = layers->spatial;
		frame.temporal     = layers->temporal;
		frame.startOfFrame = descriptor->startOfFrame;
		frame.endOfFrame   = descriptor->endOfFrame;
		// The structure comes with the first packet of a key frame (A.4):
		// its base layer starts a key temporal unit.
		frame.isKeyFrame = descriptor->structure && descriptor->startOfFrame && layers->spatial == 0u;
		// A temporal unit's frames share the RTP timestamp.
		frame.pictureId = packet.GetTimestamp();

		return frame;
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
		else if (this->svcFilter && this->codecKind == Codecs::CodecKind::VP9)
		{
			if (const auto descriptor = Codecs::Vp9::Parse(packet.GetPayload()))
			{
				spatial  = descriptor->spatialLayerId;
				temporal = descriptor->temporalLayerId;
			}
		}
		else if (this->svcFilter)
		{
			if (const auto frame = ReadAv1Frame(packet))
			{
				spatial  = frame->spatial;
				temporal = frame->temporal;
			}
			else if (this->av1Structure)
			{
				// Of unknown layers: not counted for any (without descriptors
				// at all, the stream counts as its base layer).
				return;
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
		const uint8_t preferredSpatial =
			this->preferredLayers ? this->preferredLayers->spatialLayer : 0u;
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

		if (this->svcFilter)
		{
			this->svcFilter->SetTarget({ this->target->spatial, this->target->temporal });

			if (!this->syncRequired && this->svcFilter->NeedsKeyFrame())
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

		// AV1 without descriptors is forwarded whole (below).
		if (this->svcFilter && (this->codecKind == Codecs::CodecKind::VP9 || this->av1Structure))
		{
			const auto current = this->svcFilter->GetCurrent();

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
			entry.preferredLayers =
				BitrateAllocator::Layers{ this->preferredLayers->spatialLayer,
																	this->preferredLayers->temporalLayer.value_or(0u) };
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
} // namespace RTC
