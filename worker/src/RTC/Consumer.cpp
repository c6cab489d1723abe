#define MS_CLASS "RTC::Consumer"

#include "RTC/Consumer.hpp"

#include "DepLibUV.hpp"
#include "FBS/consumer_generated.h"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

namespace RTC
{
	Consumer::Consumer(
		Shared* shared,
		const std::string& id,
		Listener* listener,
		const FBS::Transport::ConsumeRequest* request,
		bool producerPaused)
			: shared(shared), listener(listener), id(id), producerId(request->producer_id()->str())
	{
		this->kind =
			request->kind() == FBS::RtpParameters::MediaKind::VIDEO ? MediaKind::VIDEO : MediaKind::AUDIO;
		this->type = static_cast<Type>(request->type());
		// This may throw.
		this->rtpParameters  = RtpParameters::FromFbs(request->rtp_parameters());
		this->paused         = request->paused();
		this->producerPaused = producerPaused;

		for (const auto* encoding : *request->consumable_rtp_encodings())
		{
			if (!encoding->ssrc())
			{
				MS_THROW_TYPE_ERROR("consumable encoding without ssrc");
			}

			this->consumableSsrcs.push_back(*encoding->ssrc());
		}

		if (this->consumableSsrcs.empty())
		{
			MS_THROW_TYPE_ERROR("empty consumableRtpEncodings");
		}

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

	void Consumer::SendRtpPacket(RtpPacket& packet)
	{
		if (!IsActive())
		{
			return;
		}

		const uint32_t originalSsrc = packet.GetSsrc();
		const uint16_t originalSeq  = packet.GetSequenceNumber();
		size_t encodingIdx          = 0u;

		while (encodingIdx < this->consumableSsrcs.size() &&
					 this->consumableSsrcs[encodingIdx] != originalSsrc)
		{
			++encodingIdx;
		}

		if (encodingIdx == this->consumableSsrcs.size())
		{
			return;
		}

		if (this->type == Type::PIPE)
		{
			// Every encoding, sequence numbers unchanged.
			packet.SetSsrc(*this->rtpParameters.encodings[encodingIdx].ssrc);
		}
		else
		{
			// Until layer selection exists, the first encoding only.
			if (encodingIdx != 0u)
			{
				return;
			}

			// After a pause, continue right after the last sequence number sent.
			if (this->syncRequired)
			{
				this->seqOffset = static_cast<uint16_t>(
					(this->sentAny ? this->lastSentSeq + 1u : originalSeq) - originalSeq);
				this->syncRequired = false;
			}

			const uint16_t seq = static_cast<uint16_t>(originalSeq + this->seqOffset);

			packet.SetSsrc(*this->rtpParameters.encodings[0].ssrc);
			packet.SetSequenceNumber(seq);

			this->lastSentSeq = seq;
			this->sentAny     = true;
		}

		++this->packetCount;
		this->transmission.Update(packet.GetSize(), DepLibUV::GetTimeMs());

		this->listener->OnConsumerSendRtpPacket(this, packet);

		packet.SetSsrc(originalSsrc);
		packet.SetSequenceNumber(originalSeq);
	}

	void Consumer::ProducerPaused()
	{
		if (this->producerPaused)
		{
			return;
		}

		this->producerPaused = true;
		this->syncRequired   = true;

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
	}

	void Consumer::ProducerClosed()
	{
		this->shared->channel->SendNotification(
			this->id, FBS::Notification::Event::CONSUMER_PRODUCER_CLOSE);

		// This destroys us.
		this->listener->OnConsumerProducerClosed(this);
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

				for (const auto ssrc : this->consumableSsrcs)
				{
					RtpParameters::Encoding encoding;

					encoding.ssrc = ssrc;
					consumable.push_back(RtpParameters::FillBufferEncoding(builder, encoding));
				}

				std::vector<uint8_t> payloadTypes;

				for (const auto& codec : this->rtpParameters.codecs)
				{
					payloadTypes.push_back(codec.payloadType);
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

			case FBS::Request::Method::CONSUMER_PAUSE:
			{
				if (!this->paused)
				{
					this->paused       = true;
					this->syncRequired = true;
				}

				request->Accept();

				break;
			}

			case FBS::Request::Method::CONSUMER_RESUME:
			{
				this->paused = false;

				request->Accept();

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
				// Key frame requests to the producer's endpoint (PLI / FIR) come with
				// the RTCP work; accepted so applications can call it already.
				MS_DEBUG_TAG(rtcp, "key frame requested (RTCP not implemented yet)");

				request->Accept();

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
		auto& builder = request->GetBufferBuilder();
		std::vector<flatbuffers::Offset<FBS::Consumer::SendStreamStats>> stats;

		if (this->packetCount > 0u)
		{
			const auto& encoding = this->rtpParameters.encodings[0];
			const auto& codec    = this->rtpParameters.codecs[0];

			stats.push_back(FBS::Consumer::CreateSendStreamStatsDirect(
				builder,
				*encoding.ssrc,
				encoding.rtxSsrc ? flatbuffers::Optional<uint32_t>(*encoding.rtxSsrc)
												 : flatbuffers::nullopt,
				codec.mimeType.c_str(),
				this->packetCount,
				this->transmission.GetBytes(),
				this->transmission.GetRate(DepLibUV::GetTimeMs()),
				0u,
				0u,
				0u,
				0u,
				0u,
				0u,
				0u,
				0u,
				flatbuffers::nullopt,
				GetScore()));
		}

		auto response = FBS::Consumer::CreateGetStatsResponseDirect(builder, &stats);

		request->Accept(FBS::Response::Body::Consumer_GetStatsResponse, response);
	}
} // namespace RTC
