// The whole receive path: a real Router with one VP8 simulcast producer on a
// PlainTransport (comedia) and three consumers of it (simple on the
// PlainTransport, simulcast on a WebRtcTransport, pipe on a PipeTransport),
// created by the FlatBuffers requests Node sends. The input is a list of
// commands: datagrams (raw, or RTP / RTCP / STUN built around fuzzed bytes)
// to the PlainTransport's and the WebRtcTransport's sockets, clock steps that
// fire the timers due, and the requests Node may send meanwhile (pause,
// layers, stats, dumps...).
//
// Seams, all compiled into this fuzzer only (worker/fuzzer/src/WholePath):
// the socket handles never touch the network, timers follow the fuzzer's
// clock (DepLibUV under MEDIASOUP_FUZZER), and SRTP is off (a passthrough
// SrtpSession). ICE is real: the WebRtcTransport is connected by a valid
// binding request; DTLS is skipped by calling its "DTLS connected" callback.
//
// Checks: every message the worker writes to Node verifies as a FlatBuffer,
// and closing the Router leaves no timer, socket or channel handler behind
// (ASan's leak check at exit covers the memory).

#include "common.hpp"

#include "Channel/ChannelMessageRegistrator.hpp"
#include "Channel/ChannelSocket.hpp"
#include "DepLibSRTP.hpp"
#include "DepLibUV.hpp"
#include "DepOpenSSL.hpp"
#include "FuzzerHandles.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"
#include "RTC/DtlsCertificate.hpp"
#include "RTC/DtlsTransport.hpp"
#include "RTC/Router.hpp"
#include "RTC/Shared.hpp"
#include "RTC/StunPacket.hpp"
#include "RTC/WebRtcTransport.hpp"
#include "Settings.hpp"
#include "Utils/IP.hpp"
#include "WholePathPackets.hpp"
#include "WholePathParameters.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace
{
	using namespace WholePath;

	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}

	// The worker's side of the channel and what Node would be.
	struct Harness
	{
		int outputReadFd{ -1 };
		Channel::ChannelSocket* channel{ nullptr };
		Channel::ChannelMessageRegistrator registrator;
		std::unique_ptr<RTC::DtlsCertificate> certificate;
		std::unique_ptr<RTC::DtlsContext> dtlsContext;
		RTC::Shared shared;
		uint32_t nextRequestId{ 1u };
		// Bytes read from the channel, not yet split into messages.
		std::vector<uint8_t> output;
		// Where each message is copied to be verified at its alignment.
		std::vector<uint64_t> aligned;
		// The ICE credentials of the WebRtcTransport, read from its dump.
		std::string iceUsernameFragment;
		std::string icePassword;
	};

	Harness* harness{ nullptr };

	// Does what the Worker does with a request: finds its handler and turns a
	// MediaSoupError into an error response.
	class Dispatcher : public Channel::ChannelSocket::Listener
	{
	public:
		void
		OnChannelRequest(Channel::ChannelSocket* /*channel*/, Channel::ChannelRequest* request) override
		{
			try
			{
				auto* handler = harness->registrator.GetHandler(request->handlerId);

				if (!handler)
				{
					MS_THROW_NOT_FOUND_ERROR("no entity");
				}

				handler->HandleRequest(request);
			}
			catch (const MediaSoupError& error)
			{
				if (!request->replied)
				{
					request->Error(error.TypeName(), error.what());
				}
			}
		}
		void OnChannelNotification(
			Channel::ChannelSocket* /*channel*/,
			const FBS::Notification::Notification* notification) override
		{
			auto* handler = harness->registrator.GetHandler(notification->handler_id()->str());

			if (handler)
			{
				handler->HandleNotification(notification);
			}
		}
		void OnChannelClosed(Channel::ChannelSocket* /*channel*/) override {}
	};

	Dispatcher dispatcher;

	// Reads what the worker wrote to Node, verifies every message and, for
	// the response to `wantedId`, calls `onResponse`.
	template <typename OnResponse>
	void DrainOutput(uint32_t wantedId, OnResponse&& onResponse)
	{
		std::array<uint8_t, 65536> chunk;
		bool pipeWasFull{ true };

		// A full pipe makes the channel queue its writes in libuv, which only
		// the loop flushes: run it then, until the pipe has room again.
		while (pipeWasFull)
		{
			pipeWasFull = false;

			while (true)
			{
				const ssize_t n = read(harness->outputReadFd, chunk.data(), chunk.size());

				if (n <= 0)
				{
					break;
				}

				pipeWasFull = pipeWasFull || static_cast<size_t>(n) == chunk.size();

				harness->output.insert(harness->output.end(), chunk.data(), chunk.data() + n);
			}

			if (pipeWasFull)
			{
				uv_run(DepLibUV::GetLoop(), UV_RUN_NOWAIT);
			}
		}

		size_t offset = 0u;

		while (harness->output.size() - offset >= 4u)
		{
			uint32_t size;

			std::memcpy(&size, harness->output.data() + offset, 4u);

			if (harness->output.size() - offset - 4u < size)
			{
				break;
			}

			// The size prefix at an 8-byte boundary, as the worker built it.
			harness->aligned.assign((size + 4u) / 8u + 1u, 0u);

			auto* base = reinterpret_cast<uint8_t*>(harness->aligned.data());

			std::memcpy(base, harness->output.data() + offset, size + 4u);

			flatbuffers::Verifier verifier(base, size + 4u);

			Check(FBS::Message::VerifySizePrefixedMessageBuffer(verifier));

			const auto* message = FBS::Message::GetSizePrefixedMessage(base);

			if (message->data_type() == FBS::Message::Body::Response)
			{
				const auto* response = message->data_as_Response();

				if (response->id() == wantedId)
				{
					onResponse(response);
				}
			}

			offset += size + 4u;
		}

		harness->output.erase(harness->output.begin(), harness->output.begin() + offset);
	}

	void DrainOutput()
	{
		DrainOutput(0u, [](const FBS::Response::Response* /*response*/) {});
	}

	// Sends a request as Node does (a size-prefixed Message through the
	// channel's frame handler); returns whether it was accepted and lets
	// `onResponse` read the response.
	template <typename BuildBody, typename OnResponse>
	bool Request(
		FBS::Request::Method method,
		const std::string& handlerId,
		FBS::Request::Body bodyType,
		BuildBody&& buildBody,
		OnResponse&& onResponse)
	{
		flatbuffers::FlatBufferBuilder builder;
		const uint32_t id                    = harness->nextRequestId++;
		const flatbuffers::Offset<void> body = buildBody(builder);
		auto request =
			FBS::Request::CreateRequestDirect(builder, id, method, handlerId.c_str(), bodyType, body);
		auto message =
			FBS::Message::CreateMessage(builder, FBS::Message::Body::Request, request.Union());

		builder.FinishSizePrefixed(message);

		harness->channel->OnChannelFrame(
			std::span<const uint8_t>(builder.GetBufferPointer() + 4u, builder.GetSize() - 4u));

		bool accepted{ false };

		DrainOutput(
			id,
			[&](const FBS::Response::Response* response)
			{
				accepted = response->accepted();

				onResponse(response);
			});

		return accepted;
	}

	bool Request(
		FBS::Request::Method method,
		const std::string& handlerId,
		FBS::Request::Body bodyType = FBS::Request::Body::NONE,
		std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)> buildBody =
			[](flatbuffers::FlatBufferBuilder& /*builder*/) { return flatbuffers::Offset<void>(); })
	{
		return Request(
			method, handlerId, bodyType, buildBody, [](const FBS::Response::Response* /*response*/) {});
	}

	bool Consume(
		const std::string& transportId,
		const char* consumerId,
		FBS::Consumer::Type type,
		std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>> (*encodings)(
			flatbuffers::FlatBufferBuilder&),
		size_t consumableCount)
	{
		return Request(
			FBS::Request::Method::TRANSPORT_CONSUME,
			transportId,
			FBS::Request::Body::Transport_ConsumeRequest,
			[&](flatbuffers::FlatBufferBuilder& b)
			{
				auto consumable = ConsumableEncodings(b, consumableCount);

				return FBS::Transport::CreateConsumeRequestDirect(
								 b,
								 consumerId,
								 "producer",
								 FBS::RtpParameters::MediaKind::VIDEO,
								 VideoRtpParameters(b, "0", encodings(b)),
								 type,
								 &consumable)
					.Union();
			});
	}

	struct Session
	{
		std::unique_ptr<RTC::Router> router;
		RTC::Transport* plainTransport{ nullptr };
		RTC::WebRtcTransport* webRtcTransport{ nullptr };
		RTC::Transport* pipeTransport{ nullptr };
		UdpSocketHandle* plainSocket{ nullptr };
		UdpSocketHandle* webRtcSocket{ nullptr };
		UdpSocketHandle* pipeSocket{ nullptr };
	};

	// Remote addresses datagrams come from: the first is the legitimate peer.
	const std::vector<struct sockaddr_storage>& RemoteAddresses()
	{
		static const std::vector<struct sockaddr_storage> addresses{
			Utils::IP::MakeAddress("127.0.0.1", 40000u),
			Utils::IP::MakeAddress("127.0.0.1", 40001u),
			Utils::IP::MakeAddress("::1", 40002u),
		};

		return addresses;
	}

	const struct sockaddr* Remote(uint8_t index)
	{
		const auto& addresses = RemoteAddresses();

		return reinterpret_cast<const struct sockaddr*>(&addresses[index % addresses.size()]);
	}

	std::vector<uint8_t> BindingRequest(uint8_t flags, uint8_t transactionByte, uint32_t priority)
	{
		// Flags at 0 make a valid request with USE-CANDIDATE; each set bit
		// spoils or changes something.
		const std::string username = (flags & 0x01u) ? "remote:" + harness->iceUsernameFragment
																								 : harness->iceUsernameFragment + ":remote";
		std::array<uint8_t, RTC::StunPacket::TransactionIdSize> transactionId{};

		transactionId.fill(transactionByte);

		auto writer = RTC::StunPacket::Writer::MakeBindingRequest(
			transactionId,
			username,
			priority,
			0x1234u,
			(flags & 0x02u) == 0u,
			(flags & 0x04u) ? std::string_view("wrong") : std::string_view(harness->icePassword));

		if (flags & 0x08u)
		{
			writer.SetIceControlled(0x4321u);
		}

		writer.SetFingerprint((flags & 0x10u) == 0u);

		std::vector<uint8_t> buffer(512u);

		buffer.resize(writer.Serialize(buffer));

		return buffer;
	}

	// Creates the Router and its entities; false if anything was refused (a
	// bug in this file, or a worker that changed: the fuzzer stops).
	bool SetUp(Session& session)
	{
		session.router = std::make_unique<RTC::Router>(&harness->shared, "router");

		bool ok = Request(
			FBS::Request::Method::ROUTER_CREATE_PLAINTRANSPORT,
			"router",
			FBS::Request::Body::Router_CreatePlainTransportRequest,
			[](flatbuffers::FlatBufferBuilder& b)
			{
				return FBS::Router::CreateCreatePlainTransportRequestDirect(
								 b,
								 "plain",
								 FBS::PlainTransport::CreatePlainTransportOptions(
									 b, BaseOptions(b), ListenOnLoopback(b), 0, true, /*comedia*/ true))
					.Union();
			});

		ok =
			ok &&
			Request(
				FBS::Request::Method::ROUTER_CREATE_WEBRTCTRANSPORT,
				"router",
				FBS::Request::Body::Router_CreateWebRtcTransportRequest,
				[](flatbuffers::FlatBufferBuilder& b)
				{
					std::vector<flatbuffers::Offset<FBS::Transport::ListenInfo>> infos{ ListenOnLoopback(b) };
					auto listen = FBS::WebRtcTransport::CreateListenIndividualDirect(b, &infos);

					return FBS::Router::CreateCreateWebRtcTransportRequestDirect(
									 b,
									 "webrtc",
									 FBS::WebRtcTransport::CreateWebRtcTransportOptions(
										 b,
										 BaseOptions(b),
										 FBS::WebRtcTransport::Listen::ListenIndividual,
										 listen.Union(),
										 true,
										 false))
						.Union();
				});

		ok = ok && Request(
								 FBS::Request::Method::ROUTER_CREATE_PIPETRANSPORT,
								 "router",
								 FBS::Request::Body::Router_CreatePipeTransportRequest,
								 [](flatbuffers::FlatBufferBuilder& b)
								 {
									 return FBS::Router::CreateCreatePipeTransportRequestDirect(
														b,
														"pipe",
														FBS::PipeTransport::CreatePipeTransportOptions(
															b, BaseOptions(b), ListenOnLoopback(b), /*enableRtx*/ true))
										 .Union();
								 });

		ok = ok &&
				 Request(
					 FBS::Request::Method::TRANSPORT_CONNECT,
					 "pipe",
					 FBS::Request::Body::PipeTransport_ConnectRequest,
					 [](flatbuffers::FlatBufferBuilder& b) {
						 return FBS::PipeTransport::CreateConnectRequestDirect(b, "127.0.0.1", 40010u).Union();
					 });

		// One VP8 producer with three simulcast encodings (and RTX).
		ok = ok && Request(
								 FBS::Request::Method::TRANSPORT_PRODUCE,
								 "plain",
								 FBS::Request::Body::Transport_ProduceRequest,
								 [](flatbuffers::FlatBufferBuilder& b)
								 {
									 using namespace FBS::RtpParameters;

									 std::vector<flatbuffers::Offset<RtpEncodingParameters>> encodings;
									 std::vector<flatbuffers::Offset<EncodingMapping>> encodingMappings;
									 const std::array<const char*, 3> rids{ "r0", "r1", "r2" };

									 for (size_t i = 0u; i < ProducerSsrcs.size(); ++i)
									 {
										 encodings.push_back(
											 Encoding(b, ProducerSsrcs[i], ProducerRtxSsrcs[i], rids[i], "L1T3"));
										 encodingMappings.push_back(CreateEncodingMappingDirect(
											 b, rids[i], ProducerSsrcs[i], "L1T3", MappedSsrcs[i]));
									 }

									 std::vector<flatbuffers::Offset<CodecMapping>> codecMappings{
										 CreateCodecMapping(b, VideoPayloadType, VideoPayloadType),
										 CreateCodecMapping(b, RtxPayloadType, RtxPayloadType),
									 };

									 return FBS::Transport::CreateProduceRequestDirect(
														b,
														"producer",
														MediaKind::VIDEO,
														VideoRtpParameters(b, "v", std::move(encodings)),
														CreateRtpMappingDirect(b, &codecMappings, &encodingMappings))
										 .Union();
								 });

		ok =
			ok && Consume(
							"plain",
							"simple",
							FBS::Consumer::Type::SIMPLE,
							[](flatbuffers::FlatBufferBuilder& b)
							{
								return std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>>{
									Encoding(b, SimpleSsrc, SimpleRtxSsrc)
								};
							},
							1u);

		ok =
			ok && Consume(
							"webrtc",
							"simulcast",
							FBS::Consumer::Type::SIMULCAST,
							[](flatbuffers::FlatBufferBuilder& b)
							{
								return std::vector<flatbuffers::Offset<FBS::RtpParameters::RtpEncodingParameters>>{
									Encoding(b, SimulcastSsrc, SimulcastRtxSsrc, nullptr, "L3T3")
								};
							},
							3u);

		ok = ok && Consume(
								 "pipe",
								 "pipeconsumer",
								 FBS::Consumer::Type::PIPE,
								 [](flatbuffers::FlatBufferBuilder& b) { return ConsumableEncodings(b, 3u); },
								 3u);

		if (!ok)
		{
			return false;
		}

		session.plainTransport =
			dynamic_cast<RTC::Transport*>(harness->registrator.GetHandler("plain"));
		session.webRtcTransport =
			dynamic_cast<RTC::WebRtcTransport*>(harness->registrator.GetHandler("webrtc"));
		session.pipeTransport = dynamic_cast<RTC::Transport*>(harness->registrator.GetHandler("pipe"));

		Check(session.plainTransport && session.webRtcTransport && session.pipeTransport);

		session.plainSocket = FuzzerHandles::FindUdpSocket(
			dynamic_cast<UdpSocketHandle::Listener*>(session.plainTransport));
		session.webRtcSocket = FuzzerHandles::FindUdpSocket(session.webRtcTransport);
		session.pipeSocket =
			FuzzerHandles::FindUdpSocket(dynamic_cast<UdpSocketHandle::Listener*>(session.pipeTransport));

		Check(session.plainSocket && session.webRtcSocket && session.pipeSocket);

		// The ICE credentials, as Node learns them.
		Request(
			FBS::Request::Method::TRANSPORT_DUMP,
			"webrtc",
			FBS::Request::Body::NONE,
			[](flatbuffers::FlatBufferBuilder& /*b*/) { return flatbuffers::Offset<void>(); },
			[](const FBS::Response::Response* response)
			{
				const auto* dump = response->body_as_WebRtcTransport_DumpResponse();

				Check(dump != nullptr);

				harness->iceUsernameFragment = dump->ice_parameters()->username_fragment()->str();
				harness->icePassword         = dump->ice_parameters()->password()->str();
			});

		// ICE: the peer nominates its first address.
		const auto request = BindingRequest(0u, 1u, 1000u);

		FuzzerHandles::DeliverDatagram(
			session.webRtcSocket, request.data(), request.size(), Remote(0u));

		// DTLS is skipped: its "connected" callback creates the (passthrough)
		// SRTP sessions as a handshake would.
		std::array<uint8_t, 30> localKey{};
		std::array<uint8_t, 30> remoteKey{};
		std::string remoteCert;

		session.webRtcTransport->OnDtlsTransportConnected(
			nullptr,
			RTC::SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80,
			localKey.data(),
			localKey.size(),
			remoteKey.data(),
			remoteKey.size(),
			remoteCert);

		DrainOutput();

		return true;
	}

	// A request Node may send while media flows.
	void ControlRequest(Reader& reader)
	{
		const uint8_t choice = reader.Byte();
		const std::array<const char*, 3> consumers{ "simple", "simulcast", "pipeconsumer" };
		const std::array<const char*, 3> transports{ "plain", "webrtc", "pipe" };
		const std::string consumer  = consumers[(choice >> 4) % consumers.size()];
		const std::string transport = transports[(choice >> 4) % transports.size()];

		switch (choice % 12u)
		{
			case 0:
				Request(FBS::Request::Method::CONSUMER_PAUSE, consumer);
				break;
			case 1:
				Request(FBS::Request::Method::CONSUMER_RESUME, consumer);
				break;
			case 2:
				Request(FBS::Request::Method::CONSUMER_REQUEST_KEY_FRAME, consumer);
				break;
			case 3:
			{
				const uint8_t spatial  = reader.Byte();
				const uint8_t temporal = reader.Byte();

				Request(
					FBS::Request::Method::CONSUMER_SET_PREFERRED_LAYERS,
					consumer,
					FBS::Request::Body::Consumer_SetPreferredLayersRequest,
					[=](flatbuffers::FlatBufferBuilder& b)
					{
						return FBS::Consumer::CreateSetPreferredLayersRequest(
										 b, FBS::Consumer::CreateConsumerLayers(b, spatial % 4u, temporal % 4u))
							.Union();
					});

				break;
			}
			case 4:
				Request(FBS::Request::Method::PRODUCER_PAUSE, "producer");
				break;
			case 5:
				Request(FBS::Request::Method::PRODUCER_RESUME, "producer");
				break;
			case 6:
				Request(FBS::Request::Method::CONSUMER_GET_STATS, consumer);
				break;
			case 7:
				Request(FBS::Request::Method::PRODUCER_GET_STATS, "producer");
				break;
			case 8:
				Request(FBS::Request::Method::TRANSPORT_GET_STATS, transport);
				break;
			case 9:
				Request(FBS::Request::Method::CONSUMER_DUMP, consumer);
				break;
			case 10:
			{
				const uint32_t bitrate = reader.Long();

				Request(
					FBS::Request::Method::TRANSPORT_SET_MAX_OUTGOING_BITRATE,
					transport,
					FBS::Request::Body::Transport_SetMaxOutgoingBitrateRequest,
					[=](flatbuffers::FlatBufferBuilder& b)
					{ return FBS::Transport::CreateSetMaxOutgoingBitrateRequest(b, bitrate).Union(); });

				break;
			}
			case 11:
				Request(FBS::Request::Method::TRANSPORT_DUMP, transport);
				break;
		}
	}
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	// Warnings are formatted and sent to the channel, as in production.
	Settings::configuration.logLevel = LogLevel::LOG_WARN;

	DepOpenSSL::ClassInit();
	DepLibSRTP::ClassInit();

	harness = new Harness();

	// Requests are handed to the channel directly; its reading pipe only has
	// to exist. Its writing pipe is drained after every step.
	int requestFds[2];
	int outputFds[2];

	Check(pipe(requestFds) == 0 && pipe(outputFds) == 0);
	Check(fcntl(outputFds[0], F_SETFL, O_NONBLOCK) == 0);
	// Room for a burst of notifications between two drains.
	fcntl(outputFds[1], F_SETPIPE_SZ, 1024 * 1024);

	harness->outputReadFd = outputFds[0];
	harness->channel      = new Channel::ChannelSocket(requestFds[0], outputFds[1]);
	harness->channel->SetListener(&dispatcher);

	Logger::SetSink(harness->channel);

	harness->certificate = RTC::DtlsCertificate::Generate();
	harness->dtlsContext = std::make_unique<RTC::DtlsContext>(harness->certificate.get());

	harness->shared.channel         = harness->channel;
	harness->shared.registrator     = &harness->registrator;
	harness->shared.dtlsContext     = harness->dtlsContext.get();
	harness->shared.getWebRtcServer = [](const std::string& /*id*/) -> RTC::WebRtcServer*
	{
		return nullptr;
	};

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	// The same clock at the start of every input, so a crash replays.
	uint64_t nowUs = 1000000000u;

	DepLibUV::SetFuzzerTimeUs(nowUs);

	Session session;

	Check(SetUp(session));

	Reader reader(std::span<const uint8_t>(data, size));
	size_t commands = 0u;

	while (!reader.AtEnd() && commands++ < 2000u)
	{
		const uint8_t command = reader.Byte();
		const auto* remote    = Remote(command >> 4);
		auto* socket          = (command & 0x08u) ? session.webRtcSocket : session.plainSocket;

		switch (command % 8u)
		{
			// Clock step, up to about 65 s, then the timers due.
			case 0:
			{
				nowUs += static_cast<uint64_t>(reader.Short()) * 1000u;

				DepLibUV::SetFuzzerTimeUs(nowUs);
				FuzzerHandles::FireDueTimers(1000u);

				break;
			}

			// Raw bytes, as they come from the network.
			case 1:
			{
				const auto bytes = reader.Take(reader.Short() % 1500u);

				FuzzerHandles::DeliverDatagram(socket, bytes.data(), bytes.size(), remote);

				break;
			}

			case 2:
			{
				const auto packet = BuildRtp(reader);

				FuzzerHandles::DeliverDatagram(socket, packet.data(), packet.size(), remote);

				break;
			}

			case 3:
			{
				const auto packet = BuildRtcp(reader);

				FuzzerHandles::DeliverDatagram(socket, packet.data(), packet.size(), remote);

				break;
			}

			// STUN to the WebRtcTransport (ICE tuples, nomination, consent).
			case 4:
			{
				const uint8_t flags = reader.Byte();
				const auto request  = BindingRequest(flags, reader.Byte(), reader.Long());

				FuzzerHandles::DeliverDatagram(
					session.webRtcSocket, request.data(), request.size(), remote);

				break;
			}

			case 5:
			{
				ControlRequest(reader);

				break;
			}

			// Anything to the PipeTransport (it only sends here).
			case 6:
			{
				const auto packet = (command & 0x08u) ? BuildRtcp(reader) : BuildRtp(reader);

				FuzzerHandles::DeliverDatagram(session.pipeSocket, packet.data(), packet.size(), remote);

				break;
			}

			// A small clock step: packets a few ms apart, as media flows.
			case 7:
			{
				nowUs += static_cast<uint64_t>(reader.Byte()) * 100u;

				DepLibUV::SetFuzzerTimeUs(nowUs);
				FuzzerHandles::FireDueTimers(1000u);

				break;
			}
		}

		DrainOutput();
	}

	// To see how far an input gets (e.g. that RTP reaches the consumers):
	// MS_FUZZER_VERBOSE=1 ./mediasoup-worker-fuzzer-router input
	if (std::getenv("MS_FUZZER_VERBOSE"))
	{
		std::fprintf(
			stderr,
			"sent bytes: plain %zu, webrtc %zu, pipe %zu\n",
			session.plainSocket->GetSentBytes(),
			session.webRtcSocket->GetSentBytes(),
			session.pipeSocket->GetSentBytes());
	}

	// Closing the Router closes everything: nothing may stay behind.
	session.router.reset();

	Check(FuzzerHandles::GetTimerCount() == 0u);
	Check(FuzzerHandles::GetUdpSocketCount() == 0u);
	Check(harness->registrator.GetRequestHandlerIds().empty());

	// libuv frees the closed socket handles.
	uv_run(DepLibUV::GetLoop(), UV_RUN_NOWAIT);
	DrainOutput();

	return 0;
}
