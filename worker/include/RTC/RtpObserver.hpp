#ifndef MS_RTC_RTP_OBSERVER_HPP
#define MS_RTC_RTP_OBSERVER_HPP

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "RTC/Producer.hpp"
#include "RTC/RtpPacket.hpp"
#include "RTC/Shared.hpp"

#include <string>

namespace RTC
{
	// Something that looks at the RTP packets of some Producers of a Router
	// without forwarding them (AudioLevelObserver, ActiveSpeakerObserver). The
	// Router owns it, hands it the packets of the Producers added to it (in the
	// Router's view: mapped SSRC and payload type, the Router's header
	// extension ids) and tells it when one of them pauses, resumes or closes.
	//
	// This base class answers the requests common to every observer (pause,
	// resume, add and remove a Producer); subclasses do the observing.
	class RtpObserver : public Channel::RequestHandler
	{
	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			// nullptr when the Router has no such Producer.
			virtual Producer* RtpObserverGetProducer(const std::string& producerId)                = 0;
			virtual void OnRtpObserverAddProducer(RtpObserver* rtpObserver, Producer* producer)    = 0;
			virtual void OnRtpObserverRemoveProducer(RtpObserver* rtpObserver, Producer* producer) = 0;
		};

	public:
		// Throws MediaSoupError if the id is already registered.
		RtpObserver(Shared* shared, const std::string& id, Listener* listener);
		~RtpObserver() override;

	public:
		const std::string& GetId() const { return this->id; }
		bool IsPaused() const { return this->paused; }
		// From the Router, for a Producer added to this observer (and not
		// paused: a paused Producer drops its packets before the Router).
		void ReceiveRtpPacket(Producer* producer, const RtpPacket& packet);
		// From the Router: the Producer closed. No request answers this one.
		void ProducerClosed(Producer* producer) { RemoveProducer(producer); }
		virtual void ProducerPaused(Producer* producer)  = 0;
		virtual void ProducerResumed(Producer* producer) = 0;

		/* Methods inherited from Channel::RequestHandler. */
	public:
		void HandleRequest(Channel::ChannelRequest* request) override;

	protected:
		// Throws MediaSoupTypeError when the Producer cannot be observed.
		virtual void AddProducer(Producer* producer)                               = 0;
		virtual void RemoveProducer(Producer* producer)                            = 0;
		virtual void ObserveRtpPacket(Producer* producer, const RtpPacket& packet) = 0;
		virtual void Paused()                                                      = 0;
		virtual void Resumed()                                                     = 0;
		// Throws MediaSoupNotFoundError for a Producer the Router does not have.
		Producer* GetProducer(const std::string& producerId);

	protected:
		// Passed by argument.
		Shared* shared{ nullptr };
		Listener* listener{ nullptr };
		// Others.
		const std::string id;

	private:
		bool paused{ false };
	};
} // namespace RTC

#endif
