#ifndef MS_RTC_PRODUCER_HPP
#define MS_RTC_PRODUCER_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "FBS/transport_generated.h"
#include "RTC/BweType.hpp"
#include "RTC/RTCP/CompoundPacket.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/RtpParameters.hpp"
#include "RTC/RtpStreamRecv.hpp"
#include "RTC/Shared.hpp"
#include "RTC/TraceEventEmitter.hpp"

#include <array>
#include <memory>
#include <vector>

namespace RTC
{
	// Media an endpoint sends into a Router. Received packets are matched to
	// one of its encodings, counted, and normalised to the Router's view
	// (mapped payload type, mapped SSRC, the Router's header extension ids)
	// before the Router hands them to consumers.
	class Producer : public Channel::RequestHandler
	{
	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			virtual void OnProducerPaused(Producer* producer)  = 0;
			virtual void OnProducerResumed(Producer* producer) = 0;
			// Feedback (NACK, PLI, FIR) to send to the endpoint now.
			virtual void OnProducerRtcpFeedback(Producer* producer, const RTCP::AnyPacket& packet) = 0;
			// Some stream's score changed.
			virtual void OnProducerScore(Producer* producer) = 0;
			// An RTP packet the application sent (DirectTransport producer.send()).
			virtual void OnProducerSendRtpPacket(Producer* producer, uint8_t* data, size_t len) = 0;
		};

		enum class Type : uint8_t
		{
			SIMPLE = 0,
			SIMULCAST,
			SVC
		};

		enum class ReceiveResult : uint8_t
		{
			// Unknown stream, unknown payload type, or paused: not forwarded.
			DISCARDED = 0,
			MEDIA
		};

		// One encoding of the producer, as received.
		struct Stream
		{
			RtpParameters::Encoding encoding;
			uint32_t mappedSsrc{ 0u };
			// Learned from the first packet when the encoding has only a RID.
			uint32_t ssrc{ 0u };
			// Learned from the first RTX packet when not signalled.
			uint32_t rtxSsrc{ 0u };
			uint8_t payloadType{ 0u };
			uint8_t rtxPayloadType{ 0u };
			// Created once the SSRC is known.
			std::unique_ptr<RtpStreamRecv> recv;
		};

	public:
		// Throws MediaSoupTypeError on parameters the worker cannot use.
		Producer(
			Shared* shared,
			const std::string& id,
			Listener* listener,
			const FBS::Transport::ProduceRequest* request);
		~Producer() override;

	public:
		const std::string& GetId() const { return this->id; }
		MediaKind GetKind() const { return this->kind; }
		Type GetType() const { return this->type; }
		bool IsPaused() const { return this->paused; }
		const RtpParameters& GetRtpParameters() const { return this->rtpParameters; }
		// SSRCs, MID and RIDs the transport routes to this producer.
		std::vector<uint32_t> GetSsrcs() const;
		std::vector<std::string> GetRids() const;
		// Header extension ids negotiated for what this producer sends.
		const RtpHeaderExtensionIds& GetExtensionIds() const { return this->extensionIds; }
		// The bandwidth feedback the sender negotiated for this producer.
		BweType GetBweType() const { return this->bweType; }
		// Matches the packet to an encoding, counts it and, when forwarded,
		// rewrites it in place to the Router's view. An RTX packet is decoded
		// (`packet` then views the original packet). `isKeyFrame` tells whether
		// it starts a key frame.
		ReceiveResult ReceiveRtpPacket(RtpPacket& packet, uint64_t nowMs, bool& isKeyFrame);
		void ReceiveSenderReport(const RTCP::SenderReport& report, uint64_t nowMs);
		// Report blocks about the received streams (sampling their scores).
		void FillReportBlocks(std::vector<RTCP::ReportBlock>& blocks, uint64_t nowMs);
		// A consumer wants a key frame of the encoding with this mapped SSRC.
		void RequestKeyFrame(uint32_t mappedSsrc, uint64_t nowMs);
		// NACK retries and held key frame requests that are due.
		void OnFeedbackTimer(uint64_t nowMs);
		std::optional<uint64_t> GetNextFeedbackDeadlineMs() const;
		void SetRttMs(uint32_t rttMs);
		// The current score of each encoding, in order (0 when nothing arrived).
		std::vector<uint8_t> GetScores() const;
		// Whether the encoding with this mapped SSRC received media lately.
		bool IsStreamActive(uint32_t mappedSsrc, uint64_t nowMs) const;

		/* Methods inherited from Channel::RequestHandler. */
	public:
		void HandleRequest(Channel::ChannelRequest* request) override;
		void HandleNotification(const FBS::Notification::Notification* notification) override;

	private:
		Stream* FindStream(const RtpPacket& packet);
		Stream* FindRtxStream(const RtpPacket& packet);
		void CreateRecvStream(Stream& stream);
		void ProcessFeedback(Stream& stream, uint64_t nowMs);
		void SendKeyFrameRequest(Stream& stream, RtpStreamRecv::KeyFrameRequestType type);
		void NotifyScore();
		void CheckVideoOrientation(const RtpPacket& packet);
		// Whether the media codec can carry SVC layers (VP8, VP9, H264, AV1).
		bool CodecSupportsSvc() const;
		void FillStats(Channel::ChannelRequest* request);

	private:
		// Passed by argument.
		Shared* shared{ nullptr };
		Listener* listener{ nullptr };
		// Others.
		const std::string id;
		MediaKind kind{ MediaKind::AUDIO };
		Type type{ Type::SIMPLE };
		RtpParameters rtpParameters;
		BweType bweType{ BweType::NONE };
		// Payload type (as sent) → mapped payload type; 0 when unknown.
		std::array<uint8_t, 128> mapPayloadType{};
		std::vector<std::pair<uint8_t, uint8_t>> codecMappings;
		// Header extension id (as sent) → the Router's id; 0 removes it.
		std::array<uint8_t, 256> mapExtensionId{};
		RtpHeaderExtensionIds extensionIds;
		std::vector<Stream> streams;
		uint32_t keyFrameRequestDelay{ 0u };
		bool paused{ false };
		uint64_t discardedPackets{ 0u };
		TraceEventEmitter traceEventEmitter{ this->shared,
																				 this->id,
																				 FBS::Notification::Event::PRODUCER_TRACE };
		// Last urn:3gpp:video-orientation value seen, to notify its changes.
		std::optional<RtpPacket::VideoOrientation> videoOrientation;
	};
} // namespace RTC

#endif
