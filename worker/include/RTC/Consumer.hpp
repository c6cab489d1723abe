#ifndef MS_RTC_CONSUMER_HPP
#define MS_RTC_CONSUMER_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "FBS/transport_generated.h"
#include "RTC/BitrateAllocator.hpp"
#include "RTC/Codecs/DependencyDescriptor.hpp"
#include "RTC/Codecs/Tools.hpp"
#include "RTC/Codecs/VP8.hpp"
#include "RTC/LayerBitrateMeter.hpp"
#include "RTC/RTCP/Nack.hpp"
#include "RTC/RTCP/ReportBlock.hpp"
#include "RTC/RTCP/SenderReport.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/RtpParameters.hpp"
#include "RTC/RtpStreamSend.hpp"
#include "RTC/SeqNumberRewriter.hpp"
#include "RTC/Shared.hpp"
#include "RTC/SvcLayerFilter.hpp"
#include "RTC/TraceEventEmitter.hpp"
#include "RTC/Vp8TemporalFilter.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace RTC
{
	// Media a Router sends to an endpoint: packets of one Producer, rewritten
	// to the consumer's SSRCs with continuous sequence numbers and timestamps.
	//
	// Types: 'simple' forwards the producer's stream; 'simulcast' forwards one
	// of the producer's encodings (switching at its key frames) and, for VP8,
	// its temporal layers up to the target; 'svc' forwards the spatial and
	// temporal layers up to the target of the producer's single stream (VP9;
	// AV1 by its dependency descriptor; VP8 temporal layers; other codecs
	// whole); 'pipe' forwards every encoding
	// unchanged but for the SSRCs, for another Router.
	//
	// The target layers: those the transport's BitrateAllocator gives when the
	// transport manages this consumer's layers (SetLayersManaged()), else the
	// preferred ones, within what the producer sends. `currentLayers` is what
	// is forwarded now; each change is notified (CONSUMER_LAYERS_CHANGE).
	//
	// Video consumers wait for a key frame (and ask the producer for one)
	// whenever they (re)start: at creation, after a pause, after a switch.
	//
	// Its definition spans Consumer.cpp (forwarding, RTCP, scores),
	// ConsumerLayers.cpp (layer measuring, choice and filtering) and
	// ConsumerRequests.cpp (the channel's requests).
	class Consumer : public Channel::RequestHandler
	{
	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			virtual void OnConsumerSendRtpPacket(Consumer* consumer, RtpPacket& packet) = 0;
			// A retransmission (RTX or the original packet), ready to send.
			// Returns whether it was sent (false: no budget for more now).
			virtual bool
			OnConsumerRetransmitRtpPacket(Consumer* consumer, const uint8_t* data, size_t len) = 0;
			// The consumer needs a key frame of the producer's encoding with this
			// mapped SSRC.
			virtual void OnConsumerKeyFrameRequested(Consumer* consumer, uint32_t mappedSsrc) = 0;
			// The producer is gone: the listener destroys the consumer.
			virtual void OnConsumerProducerClosed(Consumer* consumer) = 0;
			// What the allocator knows of this consumer changed (preferred layers,
			// paused or resumed, its producer paused or resumed, a layer of the
			// producer appeared or disappeared): allocate again now. Only for a
			// consumer whose layers are managed.
			virtual void OnConsumerNeedsAllocation(Consumer* consumer) = 0;
		};

		enum class Type : uint8_t
		{
			SIMPLE = 0,
			SIMULCAST,
			SVC,
			PIPE
		};

		struct Layers
		{
			uint8_t spatialLayer{ 0u };
			std::optional<uint8_t> temporalLayer;
		};

	public:
		// Throws MediaSoupTypeError on parameters the worker cannot use.
		Consumer(
			Shared* shared,
			const std::string& id,
			Listener* listener,
			const FBS::Transport::ConsumeRequest* request);
		~Consumer() override;

	public:
		const std::string& GetId() const { return this->id; }
		const std::string& GetProducerId() const { return this->producerId; }
		Type GetType() const { return this->type; }
		MediaKind GetKind() const { return this->kind; }
		bool IsPaused() const { return this->paused; }
		bool IsProducerPaused() const { return this->producerPaused; }
		const RtpParameters& GetRtpParameters() const { return this->rtpParameters; }
		// SSRCs this consumer sends with (media and RTX).
		std::vector<uint32_t> GetSsrcs() const;
		// The producer's state when the consumer is created (the response
		// tells Node; nothing is notified).
		void SetProducerState(bool producerPaused, const std::vector<uint8_t>& producerScores);
		// A packet of the producer, in the Router's view (mapped SSRC and payload
		// type). It is rewritten for this consumer, handed to the listener, and
		// restored before returning, since other consumers share it.
		void SendRtpPacket(RtpPacket& packet, bool isKeyFrame);
		void TraceSentPacket(const RtpPacket& packet, bool isKeyFrame);
		void ProducerPaused();
		void ProducerResumed();
		void ProducerClosed();
		void ProducerScoresChanged(const std::vector<uint8_t>& producerScores);
		// Asks for a key frame when the consumer is waiting for one (called
		// when it starts sending, and by the Router when it is wired).
		void RequestKeyFrameIfNeeded();

		/* RTCP from the endpoint, about one of our SSRCs. */
		void ReceiveNack(const RTCP::Nack& nack, uint64_t nowMs);
		void ReceiveKeyFrameRequest(uint32_t ssrc, bool isFir);
		void ReceiveReportBlock(const RTCP::ReportBlock& block, uint64_t nowMs);
		void FillSenderReports(std::vector<RTCP::SenderReport>& reports, uint64_t nowMs);
		std::optional<uint32_t> GetRttMs() const;

		uint8_t GetScore() const;
		uint8_t GetProducerScore() const;
		const std::vector<uint8_t>& GetProducerScores() const { return this->producerScores; }
		const std::optional<Layers>& GetPreferredLayers() const { return this->preferredLayers; }
		// What is forwarded now (none: nothing, or a simple/pipe consumer).
		const std::optional<BitrateAllocator::Layers>& GetCurrentLayers() const
		{
			return this->currentLayers;
		}

		/* Layer allocation, driven by the Transport. */
	public:
		// Set by the Transport once, right after construction: the transport's
		// allocator decides this consumer's layers (it negotiated transport-cc or REMB).
		// Without it, the target is simply the preferred layers (the highest available).
		void SetLayersManaged(bool managed);
		// For the allocator: kind, priority, paused (!IsActive()), per-layer bitrates
		// (bitrates[s][t] = what forwarding layer (s,t) costs, everything a receiver at
		// that layer gets, 0 = not being received now, measured over about the last
		// second from the producer packets this consumer sees), preferredLayers, and
		// currentLayers (what is forwarded now). Audio and simple video: [0][0].
		void FillAllocatorEntry(BitrateAllocator::Entry& entry, uint64_t nowMs) const;
		// What the allocator gives (managed consumers only): nullopt = forward no
		// video at all. Spatial switches happen on a key frame of the target (ask for
		// one), temporal switches at the right frame boundaries.
		void SetTargetLayers(const std::optional<BitrateAllocator::Layers>& layers);

		/* Methods inherited from Channel::RequestHandler. */
	public:
		void HandleRequest(Channel::ChannelRequest* request) override;

	private:
		bool IsActive() const { return !this->paused && !this->producerPaused; }
		void SendPipePacket(RtpPacket& packet, size_t encodingIdx, bool isKeyFrame);
		void SendSingleStreamPacket(RtpPacket& packet, size_t encodingIdx, bool isKeyFrame);
		// The encoding a simulcast consumer should forward when not managed:
		// the highest active up to the preferred one.
		size_t ChooseTargetEncoding(uint64_t nowMs);
		// Brings the target layers up to date (and the filters' targets), asking
		// for a key frame when a switch needs one.
		void UpdateTarget(uint64_t nowMs);
		struct LayerDecision
		{
			bool forward{ true };
			// The marker the forwarded packet carries.
			bool marker{ false };
			// VP8: the parsed descriptor, PictureID compacted by the filter.
			std::optional<Codecs::Vp8PayloadDescriptor> vp8;
		};
		// Layer filtering of a packet of the forwarded stream.
		LayerDecision FilterLayers(const RtpPacket& packet);
		// The layers of an AV1 packet by its Dependency Descriptor (keeping a
		// structure it carries); nullopt when they cannot be told.
		std::optional<SvcLayerFilter::Frame> ReadAv1Frame(const RtpPacket& packet);
		// The packet is not forwarded: no hole in the sequence numbers.
		void DropPacket(uint16_t originalSeq, uint64_t nowMs);
		void SendFillPacket(uint16_t seq, uint64_t nowMs);
		// Measures the packet's layer; tells the allocator when layers appear
		// or disappear.
		void MeasurePacket(const RtpPacket& packet, size_t encodingIdx, uint64_t nowMs);
		std::optional<BitrateAllocator::Layers> ComputeCurrentLayers() const;
		void UpdateCurrentLayers();
		void NeedsAllocation();
		void StartSync();
		Layers ClampLayers(uint8_t spatialLayer, std::optional<uint8_t> temporalLayer) const;
		void NotifyScore();
		void FillStats(Channel::ChannelRequest* request);
		RtpStreamSend* FindSendStream(uint32_t ssrc);

	private:
		// Passed by argument.
		Shared* shared{ nullptr };
		Listener* listener{ nullptr };
		// Allocated by this: one per encoding for 'pipe', else one.
		std::vector<std::unique_ptr<RtpStreamSend>> sendStreams;
		// Others.
		const std::string id;
		const std::string producerId;
		MediaKind kind{ MediaKind::AUDIO };
		Type type{ Type::SIMPLE };
		Codecs::CodecKind codecKind{ Codecs::CodecKind::UNKNOWN };
		RtpParameters rtpParameters;
		// The producer's mapped SSRCs, per encoding (what arrives from the Router).
		std::vector<uint32_t> consumableSsrcs;
		std::vector<RtpParameters::Encoding> consumableEncodings;
		std::vector<uint8_t> producerScores;
		// When a packet of each encoding last went by (simulcast target choice).
		std::vector<uint64_t> lastPacketMsPerEncoding;
		std::optional<Layers> preferredLayers;
		// What the producer has: preferred layers are clamped to these.
		uint8_t maxSpatialLayer{ 0u };
		uint8_t maxTemporalLayer{ 0u };
		bool paused{ false };
		bool producerPaused{ false };
		bool ignoreDtx{ false };
		uint8_t priority{ 1u };
		uint8_t lastNotifiedScore{ 0u };
		uint8_t lastNotifiedProducerScore{ 0u };
		// Single stream consumers: the encoding being forwarded and the one to
		// switch to at its next key frame.
		size_t currentEncoding{ 0u };
		size_t targetEncoding{ 0u };
		uint64_t lastTargetCheckMs{ 0u };
		// Layers: who decides, what was decided, what is forwarded.
		bool layersManaged{ false };
		// What the allocator gave; before its first answer, the lowest layer.
		std::optional<BitrateAllocator::Layers> managedTarget{ BitrateAllocator::Layers{} };
		std::optional<BitrateAllocator::Layers> target;
		std::optional<BitrateAllocator::Layers> currentLayers;
		std::unique_ptr<LayerBitrateMeter> meter;
		uint16_t lastActiveMask{ 0u };
		uint64_t lastActiveCheckMs{ 0u };
		std::optional<uint64_t> firstPacketMs;
		Vp8TemporalFilter vp8Filter;
		// SVC layer filter of VP9 and AV1 streams.
		std::unique_ptr<SvcLayerFilter> svcFilter;
		// AV1: the Dependency Descriptor's template structure of the last key
		// frame, which gives the layers of the packets after it. None yet: the
		// producer sends no descriptor, its stream is forwarded whole.
		std::optional<Codecs::DependencyStructure> av1Structure;
		// Continuity of sequence numbers and timestamps across pauses, source
		// changes and dropped packets.
		bool syncRequired{ true };
		bool keyFrameRequired{ false };
		bool sourceChanged{ true };
		SeqNumberRewriter seqRewriter;
		uint32_t tsOffset{ 0u };
		uint16_t lastSentSeq{ 0u };
		uint32_t lastSentTs{ 0u };
		uint64_t lastSentMs{ 0u };
		bool sentAny{ false };
		// VP8 picture ids and TL0PICIDX made continuous across stream switches
		// (simulcast), as the decoder expects them.
		Codecs::Vp8::EncodingContext vp8Context;
		TraceEventEmitter traceEventEmitter{ this->shared,
																				 this->id,
																				 FBS::Notification::Event::CONSUMER_TRACE };
	};
} // namespace RTC

#endif
