#define MS_CLASS "RTC::SctpAssociation"

#include "RTC/SctpAssociation.hpp"

#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "Utils/Byte.hpp"

#include <usrsctp.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>

namespace RTC
{
	namespace
	{
		// SCTP packets travel inside DTLS records or UDP datagrams over paths
		// whose MTU nobody discovers: 1200 bytes fit any (RFC 8261 section 5).
		constexpr uint32_t PathMtu{ 1200u };
		// SCTP common header (12) plus one chunk header (4).
		constexpr size_t MinSctpPacketLength{ 16u };

		const uint16_t SubscribedEvents[] = {
			SCTP_ASSOC_CHANGE,        SCTP_PEER_ADDR_CHANGE,      SCTP_REMOTE_ERROR,
			SCTP_SHUTDOWN_EVENT,      SCTP_ADAPTATION_INDICATION, SCTP_PARTIAL_DELIVERY_EVENT,
			SCTP_SEND_FAILED_EVENT,   SCTP_STREAM_RESET_EVENT,    SCTP_SENDER_DRY_EVENT,
			SCTP_STREAM_CHANGE_EVENT,
		};

		// usrsctp's callbacks carry the id the association registered, not a
		// pointer: one closed meanwhile is simply not found.
		SctpAssociation* FindAssociation(void* ulpInfo)
		{
			return static_cast<SctpAssociation*>(
				DepUsrSCTP::GetSender(reinterpret_cast<uintptr_t>(ulpInfo)));
		}

		int onUsrSctpReceive(
			struct socket* /*sock*/,
			union sctp_sockstore /*addr*/,
			void* data,
			size_t len,
			struct sctp_rcvinfo rcvInfo,
			int flags,
			void* ulpInfo)
		{
			// No data: the socket was shut down.
			if (!data)
			{
				return 1;
			}

			auto* association = FindAssociation(ulpInfo);

			if (association)
			{
				const auto* bytes = static_cast<const uint8_t*>(data);

				if (flags & MSG_NOTIFICATION)
				{
					association->OnUsrSctpNotification(bytes, len);
				}
				else
				{
					association->OnUsrSctpData(bytes, len, rcvInfo.rcv_sid, ntohl(rcvInfo.rcv_ppid), flags);
				}
			}

			// usrsctp allocated it for us.
			std::free(data);

			return 1;
		}

		const char* StateName(SctpAssociation::State state)
		{
			switch (state)
			{
				case SctpAssociation::State::NEW:
					return "new";
				case SctpAssociation::State::CONNECTING:
					return "connecting";
				case SctpAssociation::State::CONNECTED:
					return "connected";
				case SctpAssociation::State::FAILED:
					return "failed";
				case SctpAssociation::State::CLOSED:
					return "closed";
			}

			return "unknown";
		}
	} // namespace

	bool SctpAssociation::IsSctp(const uint8_t* data, size_t len)
	{
		return len >= MinSctpPacketLength && Utils::Byte::Get2Bytes(data, 0) == Port &&
					 Utils::Byte::Get2Bytes(data, 2) == Port;
	}

	SctpAssociation::SctpAssociation(Listener* listener, const Options& options)
			: listener(listener), options(options)
	{
		this->id = DepUsrSCTP::RegisterSender(this);

		// No send buffer callback: the buffered amount follows the packets
		// that go out (OnUsrSctpSendPacket), not what the peer acknowledges.
		this->socket = usrsctp_socket(
			AF_CONN,
			SOCK_STREAM,
			IPPROTO_SCTP,
			onUsrSctpReceive,
			nullptr,
			0u,
			reinterpret_cast<void*>(this->id));

		if (!this->socket)
		{
			DepUsrSCTP::UnregisterSender(this->id);

			MS_THROW_ERROR("usrsctp_socket() failed: %s", std::strerror(errno));
		}

		// From here on the destructor cleans up if a step throws.
		try
		{
			auto setOption =
				[this](int level, int name, const void* value, socklen_t len, const char* what)
			{
				if (usrsctp_setsockopt(this->socket, level, name, value, len) < 0)
				{
					MS_THROW_ERROR("setting SCTP option %s failed: %s", what, std::strerror(errno));
				}
			};

			usrsctp_set_non_blocking(this->socket, 1);

			// Closing aborts the association at once instead of lingering.
			struct linger linger
			{
			};

			linger.l_onoff  = 1;
			linger.l_linger = 0;
			setOption(SOL_SOCKET, SO_LINGER, &linger, sizeof(linger), "SO_LINGER");

			struct sctp_assoc_value streamReset
			{
			};

			streamReset.assoc_id    = SCTP_ALL_ASSOC;
			streamReset.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
			setOption(
				IPPROTO_SCTP,
				SCTP_ENABLE_STREAM_RESET,
				&streamReset,
				sizeof(streamReset),
				"SCTP_ENABLE_STREAM_RESET");

			// Messages go out as soon as they are queued.
			const int noDelay = 1;

			setOption(IPPROTO_SCTP, SCTP_NODELAY, &noDelay, sizeof(noDelay), "SCTP_NODELAY");

			for (const auto type : SubscribedEvents)
			{
				struct sctp_event event
				{
				};

				event.se_assoc_id = SCTP_ALL_ASSOC;
				event.se_on       = 1;
				event.se_type     = type;
				setOption(IPPROTO_SCTP, SCTP_EVENT, &event, sizeof(event), "SCTP_EVENT");
			}

			struct sctp_initmsg initMsg
			{
			};

			initMsg.sinit_num_ostreams  = this->options.os;
			initMsg.sinit_max_instreams = this->options.mis;
			setOption(IPPROTO_SCTP, SCTP_INITMSG, &initMsg, sizeof(initMsg), "SCTP_INITMSG");

			// usrsctp caps socket buffers; the buffered amount is computed from
			// the size it really took.
			auto sendBufferSize = static_cast<int>(this->options.sendBufferSize);

			if (
				usrsctp_setsockopt(
					this->socket, SOL_SOCKET, SO_SNDBUF, &sendBufferSize, sizeof(sendBufferSize)) < 0)
			{
				MS_WARN_TAG(
					sctp,
					"SO_SNDBUF %zu refused (%s), keeping usrsctp's",
					this->options.sendBufferSize,
					std::strerror(errno));
			}

			socklen_t optLen = sizeof(sendBufferSize);

			if (usrsctp_getsockopt(this->socket, SOL_SOCKET, SO_SNDBUF, &sendBufferSize, &optLen) == 0)
			{
				this->options.sendBufferSize = static_cast<size_t>(sendBufferSize);
			}

			auto receiveBufferSize = static_cast<int>(this->options.receiveBufferSize);

			if (
				usrsctp_setsockopt(
					this->socket, SOL_SOCKET, SO_RCVBUF, &receiveBufferSize, sizeof(receiveBufferSize)) < 0)
			{
				MS_WARN_TAG(
					sctp,
					"SO_RCVBUF %zu refused (%s), keeping usrsctp's",
					this->options.receiveBufferSize,
					std::strerror(errno));
			}

			struct sockaddr_conn local
			{
			};

			local.sconn_family = AF_CONN;
			local.sconn_port   = htons(Port);
			local.sconn_addr   = reinterpret_cast<void*>(this->id);

			if (usrsctp_bind(this->socket, reinterpret_cast<struct sockaddr*>(&local), sizeof(local)) < 0)
			{
				MS_THROW_ERROR("usrsctp_bind() failed: %s", std::strerror(errno));
			}
		}
		catch (const MediaSoupError&)
		{
			usrsctp_close(this->socket);
			DepUsrSCTP::UnregisterSender(this->id);

			throw;
		}
	}

	SctpAssociation::~SctpAssociation()
	{
		// With SO_LINGER 0 this aborts the association: the ABORT goes out now,
		// while we are still registered.
		usrsctp_close(this->socket);
		DepUsrSCTP::UnregisterSender(this->id);
	}

	void SctpAssociation::Connect()
	{
		if (this->state != State::NEW)
		{
			return;
		}

		struct sockaddr_conn peer
		{
		};

		peer.sconn_family = AF_CONN;
		peer.sconn_port   = htons(Port);
		peer.sconn_addr   = reinterpret_cast<void*>(this->id);

		SetState(State::CONNECTING);

		if (
			usrsctp_connect(this->socket, reinterpret_cast<struct sockaddr*>(&peer), sizeof(peer)) < 0 &&
			errno != EINPROGRESS)
		{
			MS_WARN_TAG(sctp, "usrsctp_connect() failed: %s", std::strerror(errno));

			SetState(State::FAILED);

			return;
		}

		// A fixed path MTU (no discovery over DTLS or UDP).
		struct sctp_paddrparams params
		{
		};

		std::memcpy(&params.spp_address, &peer, sizeof(peer));
		params.spp_flags   = SPP_PMTUD_DISABLE;
		params.spp_pathmtu = PathMtu;

		if (
			usrsctp_setsockopt(
				this->socket, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &params, sizeof(params)) < 0)
		{
			MS_WARN_TAG(sctp, "setting the SCTP path MTU failed: %s", std::strerror(errno));
		}
	}

	void SctpAssociation::ProcessSctpData(const uint8_t* data, size_t len)
	{
		usrsctp_conninput(reinterpret_cast<void*>(this->id), data, len, 0);
	}

	SctpAssociation::SendResult SctpAssociation::SendMessage(
		uint16_t streamId,
		uint32_t ppid,
		const StreamReliability& reliability,
		const uint8_t* msg,
		size_t len)
	{
		if (len == 0u || len > this->options.maxSendMessageSize)
		{
			return SendResult::TOO_BIG;
		}

		if (this->state != State::CONNECTED)
		{
			return SendResult::NOT_CONNECTED;
		}

		struct sctp_sendv_spa spa
		{
		};

		spa.sendv_flags             = SCTP_SEND_SNDINFO_VALID;
		spa.sendv_sndinfo.snd_sid   = streamId;
		spa.sendv_sndinfo.snd_ppid  = htonl(ppid);
		spa.sendv_sndinfo.snd_flags = SCTP_EOR;

		if (!reliability.ordered)
		{
			spa.sendv_sndinfo.snd_flags |= SCTP_UNORDERED;
		}

		if (reliability.maxPacketLifeTime)
		{
			spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
			spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_TTL;
			spa.sendv_prinfo.pr_value  = *reliability.maxPacketLifeTime;
		}
		else if (reliability.maxRetransmits)
		{
			spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
			spa.sendv_prinfo.pr_policy = SCTP_PR_SCTP_RTX;
			spa.sendv_prinfo.pr_value  = *reliability.maxRetransmits;
		}

		// Counted before: usrsctp sends what the window allows from within
		// usrsctp_sendv(), and those packets take their bytes off again.
		this->unsentBytes.Queued(streamId, len);

		const auto sent =
			usrsctp_sendv(this->socket, msg, len, nullptr, 0, &spa, sizeof(spa), SCTP_SENDV_SPA, 0);

		if (sent < 0)
		{
			this->unsentBytes.Dropped(streamId, len);
			NotifyBufferedAmounts();

			if (errno == EWOULDBLOCK || errno == EAGAIN)
			{
				return SendResult::BUFFER_FULL;
			}

			MS_WARN_TAG(
				sctp, "usrsctp_sendv() failed on stream %" PRIu16 ": %s", streamId, std::strerror(errno));

			return SendResult::FAILED;
		}

		NotifyBufferedAmounts();

		return SendResult::SENT;
	}

	void SctpAssociation::ResetStream(uint16_t streamId)
	{
		// Remembered, so the peer's answering reset is not answered again.
		if (
			SendStreamReset(streamId) &&
			std::find(this->resettingStreams.begin(), this->resettingStreams.end(), streamId) ==
				this->resettingStreams.end())
		{
			this->resettingStreams.push_back(streamId);
		}
	}

	bool SctpAssociation::SendStreamReset(uint16_t streamId)
	{
		if (this->state != State::CONNECTED)
		{
			return false;
		}

		// A struct with a flexible array of one stream id.
		alignas(struct sctp_reset_streams)
			uint8_t buffer[sizeof(struct sctp_reset_streams) + sizeof(uint16_t)]{};
		auto* request = reinterpret_cast<struct sctp_reset_streams*>(buffer);

		request->srs_assoc_id       = SCTP_ALL_ASSOC;
		request->srs_flags          = SCTP_STREAM_RESET_OUTGOING;
		request->srs_number_streams = 1u;
		request->srs_stream_list[0] = streamId;

		if (
			usrsctp_setsockopt(this->socket, IPPROTO_SCTP, SCTP_RESET_STREAMS, buffer, sizeof(buffer)) <
			0)
		{
			MS_WARN_TAG(sctp, "resetting stream %" PRIu16 " failed: %s", streamId, std::strerror(errno));

			return false;
		}

		return true;
	}

	void SctpAssociation::OnUsrSctpSendPacket(const uint8_t* data, size_t len)
	{
		this->listener->OnSctpAssociationSendData(this, data, len);
		this->unsentBytes.Sent(data, len, this->changedStreams);
		NotifyBufferedAmounts();
	}

	void SctpAssociation::OnUsrSctpData(
		const uint8_t* data, size_t len, uint16_t streamId, uint32_t ppid, int flags)
	{
		const bool endOfMessage = (flags & MSG_EOR) != 0;

		// The common case: a whole message in one piece.
		if (endOfMessage && this->pendingMessage.empty() && !this->pendingDiscarded)
		{
			if (len > this->options.maxReceiveMessageSize)
			{
				++this->droppedMessages;

				MS_WARN_TAG(
					sctp,
					"message of %zu bytes on stream %" PRIu16 " over maxReceiveMessageSize, dropped",
					len,
					streamId);

				return;
			}

			this->listener->OnSctpAssociationMessageReceived(this, streamId, ppid, data, len);

			return;
		}

		if (!this->pendingDiscarded)
		{
			if (this->pendingMessage.empty())
			{
				this->pendingStreamId = streamId;
				this->pendingPpid     = ppid;
			}

			if (
				streamId != this->pendingStreamId ||
				this->pendingMessage.size() + len > this->options.maxReceiveMessageSize)
			{
				this->pendingDiscarded = true;
				this->pendingMessage.clear();
				this->pendingMessage.shrink_to_fit();
			}
			else
			{
				this->pendingMessage.insert(this->pendingMessage.end(), data, data + len);
			}
		}

		if (!endOfMessage)
		{
			return;
		}

		if (this->pendingDiscarded)
		{
			++this->droppedMessages;

			MS_WARN_TAG(
				sctp, "message on stream %" PRIu16 " over maxReceiveMessageSize, dropped", streamId);
		}
		else
		{
			this->listener->OnSctpAssociationMessageReceived(
				this,
				this->pendingStreamId,
				this->pendingPpid,
				this->pendingMessage.data(),
				this->pendingMessage.size());
		}

		this->pendingMessage.clear();
		this->pendingDiscarded = false;
	}

	void SctpAssociation::OnUsrSctpNotification(const uint8_t* data, size_t len)
	{
		const auto* notification = reinterpret_cast<const union sctp_notification*>(data);

		if (len < sizeof(notification->sn_header))
		{
			return;
		}

		if (notification->sn_header.sn_length > len)
		{
			return;
		}

		switch (notification->sn_header.sn_type)
		{
			case SCTP_ASSOC_CHANGE:
			{
				const auto& change = notification->sn_assoc_change;

				OnAssociationChange(
					change.sac_state, change.sac_outbound_streams, change.sac_inbound_streams);

				break;
			}

			case SCTP_STREAM_RESET_EVENT:
			{
				const auto& reset      = notification->sn_strreset_event;
				const size_t listBytes = reset.strreset_length > sizeof(struct sctp_stream_reset_event)
																	 ? reset.strreset_length - sizeof(struct sctp_stream_reset_event)
																	 : 0u;

				OnStreamReset(
					reset.strreset_flags, reset.strreset_stream_list, listBytes / sizeof(uint16_t));

				break;
			}

			case SCTP_SENDER_DRY_EVENT:
			{
				// Everything sent was acknowledged and nothing waits.
				this->unsentBytes.Clear(this->changedStreams);
				NotifyBufferedAmounts();

				break;
			}

			case SCTP_SEND_FAILED_EVENT:
			{
				const auto& failed = notification->sn_send_failed_event;

				// Given up before it went out: it carries the bytes never sent.
				if (failed.ssfe_flags & SCTP_DATA_UNSENT)
				{
					const size_t total = std::min<size_t>(failed.ssfe_length, len);

					if (total > sizeof(struct sctp_send_failed_event))
					{
						this->unsentBytes.Dropped(
							failed.ssfe_info.snd_sid, total - sizeof(struct sctp_send_failed_event));
						this->changedStreams.push_back(failed.ssfe_info.snd_sid);
						NotifyBufferedAmounts();
					}
				}

				MS_DEBUG_TAG(
					sctp,
					"a message on stream %" PRIu16 " was abandoned (partial reliability or abort)",
					failed.ssfe_info.snd_sid);

				break;
			}

			case SCTP_REMOTE_ERROR:
			{
				MS_DEBUG_TAG(sctp, "the peer reported an SCTP error");

				break;
			}

			case SCTP_SHUTDOWN_EVENT:
			{
				MS_DEBUG_TAG(sctp, "the peer shut the association down");

				break;
			}

			default:
			{
				MS_DEBUG_TAG(sctp, "SCTP notification %" PRIu16, notification->sn_header.sn_type);
			}
		}
	}

	void SctpAssociation::NotifyBufferedAmounts()
	{
		// Taken one by one: a listener may send, which adds to the list.
		while (!this->changedStreams.empty())
		{
			const uint16_t streamId = this->changedStreams.back();

			this->changedStreams.pop_back();
			this->listener->OnSctpAssociationBufferedAmount(
				this, streamId, this->unsentBytes.Get(streamId));
		}
	}

	void SctpAssociation::SetState(State newState)
	{
		if (newState == this->state)
		{
			return;
		}

		MS_DEBUG_TAG(sctp, "SCTP association %s", StateName(newState));

		this->state = newState;
		this->listener->OnSctpAssociationStateChanged(this, newState);
	}

	void SctpAssociation::OnAssociationChange(
		uint16_t sacState, uint16_t outboundStreams, uint16_t inboundStreams)
	{
		switch (sacState)
		{
			case SCTP_COMM_UP:
			case SCTP_RESTART:
			{
				this->unsentBytes.Restart();
				this->negotiatedOs  = outboundStreams;
				this->negotiatedMis = inboundStreams;

				SetState(State::CONNECTED);

				break;
			}

			case SCTP_COMM_LOST:
			case SCTP_CANT_STR_ASSOC:
			{
				SetState(State::FAILED);

				break;
			}

			case SCTP_SHUTDOWN_COMP:
			{
				SetState(State::CLOSED);

				break;
			}

			default:;
		}
	}

	void SctpAssociation::OnStreamReset(uint16_t flags, const uint16_t* streams, size_t count)
	{
		if (flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED))
		{
			MS_DEBUG_TAG(sctp, "a stream reset was denied or failed");

			return;
		}

		// The peer closed its side of these streams (its outgoing, our
		// incoming): a data channel closes when both sides reset, so answer
		// with ours unless we started it.
		if (!(flags & SCTP_STREAM_RESET_INCOMING_SSN))
		{
			return;
		}

		for (size_t i{ 0u }; i < count; ++i)
		{
			const uint16_t streamId = streams[i];
			const auto it =
				std::find(this->resettingStreams.begin(), this->resettingStreams.end(), streamId);

			if (it != this->resettingStreams.end())
			{
				this->resettingStreams.erase(it);

				continue;
			}

			// The peer started this one: no answer of theirs to wait for.
			SendStreamReset(streamId);
		}
	}
} // namespace RTC
