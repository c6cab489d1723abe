#ifndef MS_RTC_CONSUMER_HPP
#define MS_RTC_CONSUMER_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "FBS/transport_generated.h"
#include "RTC/RateCalculator.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/RtpParameters.hpp"
#include "RTC/Shared.hpp"

#include <vector>

namespace RTC
{
	// Media a Router sends to an endpoint: packets of one Producer, rewritten
	// to the consumer's SSRCs with continuous sequence numbers.
	//
	// Types: 'simple' forwards the producer's (first) stream as one stream;
	// 'pipe' forwards every encoding unchanged but for the SSRCs, for another
	// Router. Layer switching ('simulcast', 'svc') and key frame gating come
	// with the media routing work; until then such consumers forward the first
	// encoding like 'simple'.
	class Consumer : public Channel::RequestHandler
	{
	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			virtual void OnConsumerSendRtpPacket(Consumer* consumer, RtpPacket& packet) = 0;
			// The producer is gone: the listener destroys the consumer.
			virtual void OnConsumerProducerClosed(Consumer* consumer) = 0;
		};

		enum class Type : uint8_t
		{
			SIMPLE = 0,
			SIMULCAST,
			SVC,
			PIPE
		};

	public:
		// Throws MediaSoupTypeError on parameters the worker cannot use.
		Consumer(
			Shared* shared,
			const std::string& id,
			Listener* listener,
			const FBS::Transport::ConsumeRequest* request,
			bool producerPaused);
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
		// A packet of the producer, in the Router's view (mapped SSRC and payload
		// type). It is rewritten for this consumer, handed to the listener, and
		// restored before returning, since other consumers share it.
		void SendRtpPacket(RtpPacket& packet);
		void ProducerPaused();
		// At creation: paused without telling Node (the response says it).
		void ProducerPausedSilently()
		{
			this->producerPaused = true;
			this->syncRequired   = true;
		}
		void ProducerResumed();
		void ProducerClosed();
		uint8_t GetScore() const { return 10u; }

		/* Methods inherited from Channel::RequestHandler. */
	public:
		void HandleRequest(Channel::ChannelRequest* request) override;

	private:
		bool IsActive() const { return !this->paused && !this->producerPaused; }
		void FillStats(Channel::ChannelRequest* request);

	private:
		// Passed by argument.
		Shared* shared{ nullptr };
		Listener* listener{ nullptr };
		// Others.
		const std::string id;
		const std::string producerId;
		MediaKind kind{ MediaKind::AUDIO };
		Type type{ Type::SIMPLE };
		RtpParameters rtpParameters;
		// The producer's mapped SSRCs, per encoding (what arrives from the Router).
		std::vector<uint32_t> consumableSsrcs;
		bool paused{ false };
		bool producerPaused{ false };
		uint8_t priority{ 1u };
		// Simple consumers: continuity of sequence numbers across pauses and
		// source changes.
		bool syncRequired{ true };
		uint16_t seqOffset{ 0u };
		uint16_t lastSentSeq{ 0u };
		bool sentAny{ false };
		uint64_t packetCount{ 0u };
		RateCalculator transmission;
	};
} // namespace RTC

#endif
