#ifndef MS_RTC_SCTP_ASSOCIATION_HPP
#define MS_RTC_SCTP_ASSOCIATION_HPP

#include "common.hpp"

#include "DepUsrSCTP.hpp"
#include "RTC/SctpUnsentBytes.hpp"

#include <optional>
#include <vector>

struct socket;

namespace RTC
{
	// One SCTP association (RFC 4960) of a transport, run by usrsctp. The
	// transport carries its packets (over DTLS, or plain UDP) both ways; this
	// turns them into whole messages per stream and back. Streams are
	// negotiated out of band (no DCEP): a stream id means what the
	// application's produceData / consumeData said.
	class SctpAssociation : public DepUsrSCTP::Sender
	{
	public:
		enum class State : uint8_t
		{
			NEW = 0,
			CONNECTING,
			CONNECTED,
			FAILED,
			CLOSED
		};

		struct Options
		{
			// Streams we ask for and accept; the peer may agree to fewer.
			uint16_t os{ 1024u };
			uint16_t mis{ 1024u };
			size_t maxReceiveMessageSize{ 262144u };
			size_t maxSendMessageSize{ 262144u };
			size_t sendBufferSize{ 2000000u };
			size_t receiveBufferSize{ 5242880u };
		};

		enum class SendResult : uint8_t
		{
			SENT = 0,
			TOO_BIG,
			BUFFER_FULL,
			NOT_CONNECTED,
			FAILED
		};

		// How a stream's messages are sent (RFC 3758 partial reliability).
		struct StreamReliability
		{
			bool ordered{ true };
			std::optional<uint16_t> maxPacketLifeTime;
			std::optional<uint16_t> maxRetransmits;
		};

		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			virtual void OnSctpAssociationStateChanged(SctpAssociation* association, State state) = 0;
			// An SCTP packet to carry to the peer.
			virtual void
			OnSctpAssociationSendData(SctpAssociation* association, const uint8_t* data, size_t len) = 0;
			virtual void OnSctpAssociationMessageReceived(
				SctpAssociation* association,
				uint16_t streamId,
				uint32_t ppid,
				const uint8_t* msg,
				size_t len) = 0;
			// A stream's bytes queued and not yet sent went down.
			virtual void OnSctpAssociationBufferedAmount(
				SctpAssociation* association, uint16_t streamId, uint32_t bufferedAmount) = 0;
		};

	public:
		// RFC 8841: the SCTP port of WebRTC and of SDP offers without one; ours
		// at both ends.
		static constexpr uint16_t Port{ 5000u };

	public:
		// Whether a datagram is an SCTP packet (common header with port 5000 at
		// both ends, RFC 8841), which RTP, RTCP, STUN and DTLS never are.
		static bool IsSctp(const uint8_t* data, size_t len);

	public:
		// Throws MediaSoupError if usrsctp refuses the socket.
		SctpAssociation(Listener* listener, const Options& options);
		~SctpAssociation() override;

		SctpAssociation(const SctpAssociation&)            = delete;
		SctpAssociation& operator=(const SctpAssociation&) = delete;

	public:
		// The transport below is up: start the handshake (both ends do; SCTP
		// resolves the collision).
		void Connect();
		void ProcessSctpData(const uint8_t* data, size_t len);
		SendResult SendMessage(
			uint16_t streamId,
			uint32_t ppid,
			const StreamReliability& reliability,
			const uint8_t* msg,
			size_t len);
		// Resets our outgoing stream (how a data channel closes, RFC 8831).
		void ResetStream(uint16_t streamId);
		State GetState() const { return this->state; }
		uint16_t GetNegotiatedOs() const { return this->negotiatedOs; }
		uint16_t GetNegotiatedMis() const { return this->negotiatedMis; }
		// Bytes queued and not yet handed to the network (in flight is not
		// buffered, as in a browser's RTCDataChannel), per stream or in all.
		uint32_t GetBufferedAmount(uint16_t streamId) const { return this->unsentBytes.Get(streamId); }
		uint32_t GetBufferedAmount() const { return this->unsentBytes.GetTotal(); }
		const Options& GetOptions() const { return this->options; }
		uint64_t GetDroppedMessages() const { return this->droppedMessages; }

		/* Methods inherited from DepUsrSCTP::Sender. */
	public:
		void OnUsrSctpSendPacket(const uint8_t* data, size_t len) override;

		/* Called by usrsctp's callbacks. */
	public:
		void
		OnUsrSctpData(const uint8_t* data, size_t len, uint16_t streamId, uint32_t ppid, int flags);
		void OnUsrSctpNotification(const uint8_t* data, size_t len);

	private:
		void SetState(State newState);
		// Asks usrsctp to reset our outgoing stream; false if it could not.
		bool SendStreamReset(uint16_t streamId);
		void OnAssociationChange(uint16_t sacState, uint16_t outboundStreams, uint16_t inboundStreams);
		void OnStreamReset(uint16_t flags, const uint16_t* streams, size_t count);
		// Tells the listener about the streams in changedStreams, then clears it.
		void NotifyBufferedAmounts();

	private:
		// Passed by argument.
		Listener* listener{ nullptr };
		Options options;
		// Allocated by this.
		struct socket* socket{ nullptr };
		// Others.
		uintptr_t id{ 0u };
		State state{ State::NEW };
		uint16_t negotiatedOs{ 0u };
		uint16_t negotiatedMis{ 0u };
		SctpUnsentBytes unsentBytes;
		// Streams whose buffered amount changed, to tell the listener about.
		std::vector<uint16_t> changedStreams;
		// A message arriving in pieces (partial delivery).
		std::vector<uint8_t> pendingMessage;
		uint16_t pendingStreamId{ 0u };
		uint32_t pendingPpid{ 0u };
		bool pendingDiscarded{ false };
		uint64_t droppedMessages{ 0u };
		// Streams whose outgoing side we reset, until the peer confirms.
		std::vector<uint16_t> resettingStreams;
	};
} // namespace RTC

#endif
