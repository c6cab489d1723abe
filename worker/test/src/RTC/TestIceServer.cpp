#include "common.hpp"

#include "RTC/IceServer.hpp"
#include "RTC/StunPacket.hpp"
#include "RTC/TransportTuple.hpp"
#include "Utils/Crypto.hpp"
#include "Utils/IP.hpp"

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

using RTC::IceServer;
using RTC::StunPacket;
using RTC::TransportTuple;

namespace
{
	using Bytes = std::vector<uint8_t>;

	std::string TupleToString(const TransportTuple* tuple)
	{
		return tuple->GetRemoteIp() + ":" + std::to_string(tuple->GetRemotePort());
	}

	// Records every listener call as a line of text, and the STUN packets sent.
	class FakeListener : public IceServer::Listener
	{
	public:
		struct Sent
		{
			Bytes data;
			std::string tuple;
		};

	public:
		void OnIceServerSendStunPacket(
			const IceServer* /*iceServer*/,
			const uint8_t* data,
			size_t len,
			TransportTuple* tuple) override
		{
			this->sent.push_back({ Bytes(data, data + len), TupleToString(tuple) });
		}
		void OnIceServerLocalUsernameFragmentAdded(
			const IceServer* /*iceServer*/, const std::string& usernameFragment) override
		{
			this->events.push_back("ufragAdded " + usernameFragment);
		}
		void OnIceServerLocalUsernameFragmentRemoved(
			const IceServer* /*iceServer*/, const std::string& usernameFragment) override
		{
			this->events.push_back("ufragRemoved " + usernameFragment);
		}
		void OnIceServerTupleAdded(const IceServer* /*iceServer*/, TransportTuple* tuple) override
		{
			this->events.push_back("tupleAdded " + TupleToString(tuple));
		}
		void OnIceServerTupleRemoved(const IceServer* iceServer, TransportTuple* tuple) override
		{
			this->events.push_back("tupleRemoved " + TupleToString(tuple));

			// The removed tuple is never the selected one any more.
			REQUIRE(iceServer->GetSelectedTuple() != tuple);

			if (this->removeAgainOnRemoved)
			{
				// As a transport closing the TCP connection would, re-entering.
				const_cast<IceServer*>(iceServer)->RemoveTuple(tuple);
			}
		}
		void OnIceServerSelectedTuple(const IceServer* iceServer, TransportTuple* tuple) override
		{
			REQUIRE(tuple != nullptr);
			REQUIRE(iceServer->GetSelectedTuple() == tuple);

			this->events.push_back("selected " + TupleToString(tuple));
		}
		void OnIceServerConnected(const IceServer* iceServer) override
		{
			REQUIRE(iceServer->GetState() == IceServer::IceState::CONNECTED);

			this->events.push_back("connected");
		}
		void OnIceServerCompleted(const IceServer* iceServer) override
		{
			REQUIRE(iceServer->GetState() == IceServer::IceState::COMPLETED);

			this->events.push_back("completed");
		}
		void OnIceServerDisconnected(const IceServer* iceServer) override
		{
			REQUIRE(iceServer->GetState() == IceServer::IceState::DISCONNECTED);
			REQUIRE(iceServer->GetSelectedTuple() == nullptr);

			this->events.push_back("disconnected");
		}

	public:
		// Returns and forgets what was recorded.
		std::vector<std::string> TakeEvents() { return std::exchange(this->events, {}); }
		std::vector<Sent> TakeSent() { return std::exchange(this->sent, {}); }

	public:
		std::vector<std::string> events;
		std::vector<Sent> sent;
		bool removeAgainOnRemoved{ false };
	};

	// A UDP tuple with no socket: enough for the ICE server, which only
	// compares tuples and reads their remote address.
	TransportTuple MakeTuple(const std::string& ip, uint16_t port)
	{
		const auto addr = Utils::IP::MakeAddress(ip, port);

		return { nullptr, reinterpret_cast<const struct sockaddr*>(&addr) };
	}

	struct RequestOptions
	{
		std::string username{ "localUfrag:remoteUfrag" };
		std::optional<std::string> password{ "localPassword" };
		bool useCandidate{ false };
		bool iceControlled{ false };
		bool priority{ true };
		bool fingerprint{ true };
		StunPacket::Class klass{ StunPacket::Class::REQUEST };
		StunPacket::Method method{ StunPacket::Method::BINDING };
	};

	// A request as a browser sends it, with the options changed.
	Bytes MakeRequest(const RequestOptions& options)
	{
		static uint8_t counter{ 0u };
		std::array<uint8_t, 12> transactionId{};

		transactionId.fill(++counter);

		StunPacket::Writer writer(options.klass, options.method, transactionId);

		writer.SetUsername(options.username);

		if (options.priority)
		{
			writer.SetPriority(1853817087u);
		}

		if (options.iceControlled)
		{
			writer.SetIceControlled(0x1234u);
		}
		else
		{
			writer.SetIceControlling(0x5678u);
		}

		writer.SetUseCandidate(options.useCandidate);
		writer.SetMessageIntegrityKey(options.password);
		writer.SetFingerprint(options.fingerprint);

		Bytes bytes(writer.GetSize());

		REQUIRE(writer.Serialize(bytes) == bytes.size());

		return bytes;
	}

	// A valid request plus an unknown comprehension-required attribute.
	Bytes MakeRequestWithUnknownAttribute()
	{
		// Header and the unknown attribute 0x7777 (4 bytes), then USERNAME,
		// PRIORITY, MESSAGE-INTEGRITY and FINGERPRINT computed here.
		Bytes bytes{ 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 9,    9,    9, 9, 9, 9,
								 9,    9,    9,    9,    9,    9,    0x77, 0x77, 0x00, 0x04, 1, 2, 3, 4 };
		const std::string username{ "localUfrag:remoteUfrag" };

		bytes.insert(bytes.end(), { 0x00, 0x06, 0x00, static_cast<uint8_t>(username.size()) });
		bytes.insert(bytes.end(), username.begin(), username.end());

		while (bytes.size() % 4u != 0u)
		{
			bytes.push_back(0);
		}

		bytes.insert(bytes.end(), { 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff });

		const size_t miOffset = bytes.size();

		bytes[3] = static_cast<uint8_t>(miOffset + 24u - 20u);

		const auto hmac = Utils::Crypto::GetHmacSha1("localPassword", bytes);

		bytes.insert(bytes.end(), { 0x00, 0x08, 0x00, 0x14 });
		bytes.insert(bytes.end(), hmac.begin(), hmac.end());
		bytes[3] = static_cast<uint8_t>(bytes.size() + 8u - 20u);

		const uint32_t crc = Utils::Crypto::GetCrc32(bytes) ^ 0x5354554Eu;

		bytes.insert(
			bytes.end(),
			{ 0x80,
				0x28,
				0x00,
				0x04,
				static_cast<uint8_t>(crc >> 24),
				static_cast<uint8_t>(crc >> 16),
				static_cast<uint8_t>(crc >> 8),
				static_cast<uint8_t>(crc) });

		return bytes;
	}

	// Runs one request through the server.
	IceServer::StunVerdict
	Receive(IceServer& server, const Bytes& bytes, TransportTuple& tuple, uint64_t nowMs)
	{
		const auto packet = StunPacket::Parse(bytes);

		REQUIRE(packet);

		return server.ProcessStunPacket(*packet, &tuple, nowMs);
	}

	// Checks the single packet sent: a success response to `request` for
	// `tuple`, authenticated with `password`.
	void RequireSuccessResponse(
		FakeListener& listener,
		const Bytes& request,
		const TransportTuple& tuple,
		const std::string& password)
	{
		const auto sent = listener.TakeSent();

		REQUIRE(sent.size() == 1u);
		REQUIRE(sent[0].tuple == TupleToString(&tuple));

		const auto response      = StunPacket::Parse(sent[0].data);
		const auto requestPacket = StunPacket::Parse(request);

		REQUIRE(response);
		REQUIRE(response->GetClass() == StunPacket::Class::SUCCESS_RESPONSE);
		REQUIRE(response->GetMethod() == StunPacket::Method::BINDING);
		REQUIRE(std::equal(
			requestPacket->GetTransactionId().begin(),
			requestPacket->GetTransactionId().end(),
			response->GetTransactionId().begin()));
		REQUIRE(response->GetXorMappedAddress());
		REQUIRE(Utils::IP::CompareAddresses(response->GetXorMappedAddress(), tuple.GetRemoteAddress()));
		REQUIRE(response->HasFingerprint());
		REQUIRE(response->CheckMessageIntegrity(password));
	}

	// Checks the single packet sent: an error response with `code`, with
	// MESSAGE-INTEGRITY keyed by `password` or none when it is empty.
	void RequireErrorResponse(FakeListener& listener, uint16_t code, const std::string& password)
	{
		const auto sent = listener.TakeSent();

		REQUIRE(sent.size() == 1u);

		const auto response = StunPacket::Parse(sent[0].data);

		REQUIRE(response);
		REQUIRE(response->GetClass() == StunPacket::Class::ERROR_RESPONSE);
		REQUIRE(response->GetErrorCode());
		REQUIRE(response->GetErrorCode()->code == code);
		REQUIRE(response->HasFingerprint());
		REQUIRE(response->HasMessageIntegrity() == !password.empty());

		if (!password.empty())
		{
			REQUIRE(response->CheckMessageIntegrity(password));
		}
	}

	// Checks that a request with wrong credentials got nothing back.
	void RequireUnauthorizedDropped(
		FakeListener& listener, IceServer& server, const Bytes& request, TransportTuple& tuple)
	{
		REQUIRE(Receive(server, request, tuple, 1000u) == IceServer::StunVerdict::UNAUTHORIZED);
		REQUIRE(listener.TakeSent().empty());
	}

	using Events = std::vector<std::string>;
} // namespace

TEST_CASE("IceServer connects and completes", "[IceServer]")
{
	FakeListener listener;
	uint64_t nowMs{ 10000u };
	auto tupleA = MakeTuple("10.0.0.1", 5000u);
	auto tupleB = MakeTuple("10.0.0.2", 6000u);
	auto server = std::make_unique<IceServer>(&listener, "localUfrag", "localPassword", 30u);

	REQUIRE(listener.TakeEvents() == Events{ "ufragAdded localUfrag" });
	REQUIRE(server->GetState() == IceServer::IceState::NEW);
	REQUIRE(server->GetSelectedTuple() == nullptr);
	REQUIRE_FALSE(server->GetNextDeadlineMs());
	REQUIRE(server->GetUsernameFragment() == "localUfrag");
	REQUIRE(server->GetPassword() == "localPassword");

	SECTION("a valid request connects, USE-CANDIDATE completes")
	{
		const auto request = MakeRequest({});

		Receive(*server, request, tupleA, nowMs);

		RequireSuccessResponse(listener, request, tupleA, "localPassword");
		REQUIRE(
			listener.TakeEvents() ==
			Events{ "tupleAdded 10.0.0.1:5000", "selected 10.0.0.1:5000", "connected" });
		REQUIRE(server->GetState() == IceServer::IceState::CONNECTED);
		REQUIRE(server->GetSelectedTuple()->Compare(&tupleA));
		// A copy, not the caller's tuple.
		REQUIRE(server->GetSelectedTuple() != &tupleA);
		REQUIRE(server->IsValidTuple(&tupleA));
		REQUIRE_FALSE(server->IsValidTuple(&tupleB));
		REQUIRE(server->GetNextDeadlineMs() == nowMs + 30000u);

		// The same request again: answered, nothing else.
		nowMs += 500u;
		Receive(*server, request, tupleA, nowMs);

		RequireSuccessResponse(listener, request, tupleA, "localPassword");
		REQUIRE(listener.TakeEvents().empty());

		// A check on another tuple is answered and stored, not selected.
		const auto requestB = MakeRequest({});

		Receive(*server, requestB, tupleB, nowMs);

		RequireSuccessResponse(listener, requestB, tupleB, "localPassword");
		REQUIRE(listener.TakeEvents() == Events{ "tupleAdded 10.0.0.2:6000" });
		REQUIRE(server->GetSelectedTuple()->Compare(&tupleA));
		REQUIRE(server->IsValidTuple(&tupleB));

		// Nomination of A.
		const auto nomination = MakeRequest({ .useCandidate = true });

		Receive(*server, nomination, tupleA, nowMs);

		RequireSuccessResponse(listener, nomination, tupleA, "localPassword");
		REQUIRE(listener.TakeEvents() == Events{ "completed" });
		REQUIRE(server->GetState() == IceServer::IceState::COMPLETED);

		// Nomination of B while completed moves the selection.
		Receive(*server, MakeRequest({ .useCandidate = true }), tupleB, nowMs);

		listener.TakeSent();
		REQUIRE(listener.TakeEvents() == Events{ "selected 10.0.0.2:6000" });
		REQUIRE(server->GetState() == IceServer::IceState::COMPLETED);
		REQUIRE(server->GetSelectedTuple()->Compare(&tupleB));
	}

	SECTION("nomination of another tuple while connected selects it and completes")
	{
		Receive(*server, MakeRequest({}), tupleA, nowMs);
		listener.TakeEvents();
		Receive(*server, MakeRequest({ .useCandidate = true }), tupleB, nowMs);

		REQUIRE(
			listener.TakeEvents() ==
			Events{ "tupleAdded 10.0.0.2:6000", "selected 10.0.0.2:6000", "completed" });
		REQUIRE(server->GetSelectedTuple()->Compare(&tupleB));
	}

	SECTION("aggressive nomination goes straight to completed")
	{
		Receive(*server, MakeRequest({ .useCandidate = true }), tupleA, nowMs);

		REQUIRE(
			listener.TakeEvents() ==
			Events{ "tupleAdded 10.0.0.1:5000", "selected 10.0.0.1:5000", "completed" });
		REQUIRE(server->GetState() == IceServer::IceState::COMPLETED);
	}

	SECTION("indications and responses are ignored")
	{
		Receive(*server, MakeRequest({ .klass = StunPacket::Class::INDICATION }), tupleA, nowMs);
		Receive(*server, MakeRequest({ .klass = StunPacket::Class::SUCCESS_RESPONSE }), tupleA, nowMs);
		Receive(*server, MakeRequest({ .klass = StunPacket::Class::ERROR_RESPONSE }), tupleA, nowMs);

		REQUIRE(listener.TakeSent().empty());
		REQUIRE(listener.TakeEvents().empty());
		REQUIRE(server->GetState() == IceServer::IceState::NEW);
	}

	SECTION("destruction reports the tuples and username fragment removed")
	{
		Receive(*server, MakeRequest({}), tupleA, nowMs);
		Receive(*server, MakeRequest({}), tupleB, nowMs);
		listener.TakeEvents();

		server.reset();

		REQUIRE(
			listener.TakeEvents() == Events{ "tupleRemoved 10.0.0.1:5000",
																			 "tupleRemoved 10.0.0.2:6000",
																			 "ufragRemoved localUfrag" });
	}
}

TEST_CASE(
	"IceServer answers only authenticated bad requests, drops the rest, and keeps its state",
	"[IceServer]")
{
	FakeListener listener;
	const uint64_t nowMs{ 1000u };
	auto tuple = MakeTuple("192.0.2.1", 32853u);
	IceServer server(&listener, "localUfrag", "localPassword", 30u);

	listener.TakeEvents();

	struct Row
	{
		const char* name;
		Bytes request;
		IceServer::StunVerdict verdict;
		// Error code answered (always with MESSAGE-INTEGRITY); 0 for nothing
		// sent back (the source has not proven the password).
		uint16_t code;
	};

	using Verdict = IceServer::StunVerdict;

	const std::vector<Row> rows{
		{ "wrong password", MakeRequest({ .password = "wrongPassword" }), Verdict::UNAUTHORIZED, 0u },
		{ "wrong local ufrag",
			MakeRequest({ .username = "otherUfrag:remoteUfrag" }),
			Verdict::UNAUTHORIZED,
			0u },
		{ "ufrags reversed",
			MakeRequest({ .username = "remoteUfrag:localUfrag" }),
			Verdict::UNAUTHORIZED,
			0u },
		{ "no USERNAME", MakeRequest({ .username = "" }), Verdict::UNAUTHORIZED, 0u },
		{ "no MESSAGE-INTEGRITY",
			MakeRequest({ .password = std::nullopt }),
			Verdict::UNAUTHORIZED,
			0u },
		{ "no FINGERPRINT", MakeRequest({ .fingerprint = false }), Verdict::INVALID, 0u },
		{ "other method",
			MakeRequest({ .method = static_cast<StunPacket::Method>(0x003) }),
			Verdict::INVALID,
			0u },
		{ "a success response",
			MakeRequest({ .klass = StunPacket::Class::SUCCESS_RESPONSE }),
			Verdict::INVALID,
			0u },
		{ "an indication",
			MakeRequest({ .klass = StunPacket::Class::INDICATION }),
			Verdict::IGNORED,
			0u },
		{ "no PRIORITY", MakeRequest({ .priority = false }), Verdict::ACCEPTED, 400u },
		{ "role conflict",
			MakeRequest({ .useCandidate = true, .iceControlled = true }),
			Verdict::ACCEPTED,
			487u },
		{ "unknown attribute", MakeRequestWithUnknownAttribute(), Verdict::ACCEPTED, 420u },
	};

	const auto check = [&listener](const Row& row)
	{
		if (row.code == 0u)
		{
			REQUIRE(listener.TakeSent().empty());
		}
		else
		{
			RequireErrorResponse(listener, row.code, "localPassword");
		}
	};

	for (const auto& row : rows)
	{
		INFO(row.name);

		REQUIRE(Receive(server, row.request, tuple, nowMs) == row.verdict);

		check(row);
		REQUIRE(listener.TakeEvents().empty());
		REQUIRE(server.GetState() == IceServer::IceState::NEW);
		REQUIRE_FALSE(server.IsValidTuple(&tuple));
		REQUIRE(server.GetTupleCount() == 0u);
	}

	SECTION("420 lists the unknown attribute")
	{
		Receive(server, MakeRequestWithUnknownAttribute(), tuple, nowMs);

		const auto sent     = listener.TakeSent();
		const auto response = StunPacket::Parse(sent.at(0).data);

		REQUIRE(response);

		// UNKNOWN-ATTRIBUTES: after the header and ERROR-CODE (4 + 4 + 17, padded).
		const auto& bytes = sent[0].data;

		REQUIRE(bytes.at(20u + 28u + 1u) == 0x0A);
		REQUIRE(bytes.at(20u + 28u + 4u) == 0x77);
		REQUIRE(bytes.at(20u + 28u + 5u) == 0x77);
	}

	SECTION("errors once connected change nothing either")
	{
		Receive(server, MakeRequest({}), tuple, nowMs);
		listener.TakeSent();
		listener.TakeEvents();

		const auto deadline = server.GetNextDeadlineMs();

		for (const auto& row : rows)
		{
			INFO(row.name);

			REQUIRE(Receive(server, row.request, tuple, nowMs + 5000u) == row.verdict);

			check(row);
			REQUIRE(listener.TakeEvents().empty());
			REQUIRE(server.GetState() == IceServer::IceState::CONNECTED);
			// No consent refresh from a rejected request.
			REQUIRE(server.GetNextDeadlineMs() == deadline);
		}
	}
}

TEST_CASE("IceServer consent expires and recovers", "[IceServer]")
{
	FakeListener listener;
	uint64_t nowMs{ 1000u };
	auto tupleA = MakeTuple("10.0.0.1", 5000u);
	auto tupleB = MakeTuple("10.0.0.2", 6000u);
	IceServer server(&listener, "localUfrag", "localPassword", 30u);

	Receive(server, MakeRequest({ .useCandidate = true }), tupleA, nowMs);
	Receive(server, MakeRequest({}), tupleB, nowMs);
	listener.TakeSent();
	listener.TakeEvents();

	REQUIRE(server.GetNextDeadlineMs() == 31000u);

	SECTION("requests on the selected tuple refresh consent, others do not")
	{
		nowMs += 20000u;
		Receive(server, MakeRequest({}), tupleB, nowMs);

		REQUIRE(server.GetNextDeadlineMs() == 31000u);

		Receive(server, MakeRequest({}), tupleA, nowMs);

		REQUIRE(server.GetNextDeadlineMs() == 51000u);

		server.OnTimeout(50999u);

		REQUIRE(server.GetState() == IceServer::IceState::COMPLETED);
		REQUIRE(listener.TakeEvents().empty());
	}

	SECTION("time going backwards does not pull consent back")
	{
		Receive(server, MakeRequest({}), tupleA, 500u);

		REQUIRE(server.GetNextDeadlineMs() == 31000u);
	}

	SECTION("expiry disconnects, removes every tuple; a new request recovers")
	{
		server.OnTimeout(30999u);

		REQUIRE(server.GetState() == IceServer::IceState::COMPLETED);

		server.OnTimeout(31000u);

		REQUIRE(
			listener.TakeEvents() ==
			Events{ "tupleRemoved 10.0.0.1:5000", "tupleRemoved 10.0.0.2:6000", "disconnected" });
		REQUIRE(server.GetState() == IceServer::IceState::DISCONNECTED);
		REQUIRE(server.GetSelectedTuple() == nullptr);
		REQUIRE(server.GetTupleCount() == 0u);
		REQUIRE_FALSE(server.IsValidTuple(&tupleA));
		REQUIRE_FALSE(server.GetNextDeadlineMs());

		// Nothing more to expire.
		server.OnTimeout(100000u);

		REQUIRE(listener.TakeEvents().empty());

		// Back to connected, then completed.
		Receive(server, MakeRequest({}), tupleB, 100000u);

		REQUIRE(
			listener.TakeEvents() ==
			Events{ "tupleAdded 10.0.0.2:6000", "selected 10.0.0.2:6000", "connected" });
		REQUIRE(server.GetNextDeadlineMs() == 130000u);

		Receive(server, MakeRequest({ .useCandidate = true }), tupleB, 100000u);

		REQUIRE(listener.TakeEvents() == Events{ "completed" });
	}

	SECTION("a nominating request after expiry goes straight to completed")
	{
		server.OnTimeout(40000u);
		listener.TakeEvents();

		Receive(server, MakeRequest({ .useCandidate = true }), tupleA, 40000u);

		REQUIRE(
			listener.TakeEvents() ==
			Events{ "tupleAdded 10.0.0.1:5000", "selected 10.0.0.1:5000", "completed" });
	}
}

TEST_CASE("IceServer with consent disabled never expires", "[IceServer]")
{
	FakeListener listener;
	auto tuple = MakeTuple("10.0.0.1", 5000u);
	IceServer server(&listener, "localUfrag", "localPassword", 0u);

	Receive(server, MakeRequest({}), tuple, 1000u);

	REQUIRE(server.GetState() == IceServer::IceState::CONNECTED);
	REQUIRE_FALSE(server.GetNextDeadlineMs());

	server.OnTimeout(UINT64_MAX);

	REQUIRE(server.GetState() == IceServer::IceState::CONNECTED);
}

TEST_CASE("IceServer restarts with new credentials", "[IceServer]")
{
	FakeListener listener;
	uint64_t nowMs{ 1000u };
	auto tuple = MakeTuple("10.0.0.1", 5000u);
	IceServer server(&listener, "ufrag1", "password1", 30u);

	const auto requestWith = [](const std::string& ufrag, const std::string& password)
	{
		return MakeRequest({ .username = ufrag + ":remote", .password = password });
	};

	Receive(server, requestWith("ufrag1", "password1"), tuple, nowMs);
	listener.TakeSent();
	listener.TakeEvents();

	SECTION("the old username fragment works until the new one is used")
	{
		server.RestartIce("ufrag2", "password2");

		REQUIRE(listener.TakeEvents() == Events{ "ufragAdded ufrag2" });
		REQUIRE(server.GetUsernameFragment() == "ufrag2");
		REQUIRE(server.GetPassword() == "password2");
		// Tuples and state stay.
		REQUIRE(server.GetState() == IceServer::IceState::CONNECTED);
		REQUIRE(server.IsValidTuple(&tuple));

		// Old credentials: answered with the old password.
		const auto oldRequest = requestWith("ufrag1", "password1");

		Receive(server, oldRequest, tuple, nowMs);

		RequireSuccessResponse(listener, oldRequest, tuple, "password1");
		REQUIRE(listener.TakeEvents().empty());

		// Mixed credentials fail.
		RequireUnauthorizedDropped(listener, server, requestWith("ufrag1", "password2"), tuple);

		// New credentials: answered with the new password, old ufrag dropped.
		const auto newRequest = requestWith("ufrag2", "password2");

		Receive(server, newRequest, tuple, nowMs);

		RequireSuccessResponse(listener, newRequest, tuple, "password2");
		REQUIRE(listener.TakeEvents() == Events{ "ufragRemoved ufrag1" });

		// The old ones are gone now.
		RequireUnauthorizedDropped(listener, server, requestWith("ufrag1", "password1"), tuple);
	}

	SECTION("restarting again before the new credentials are used keeps the ones in use")
	{
		server.RestartIce("ufrag2", "password2");
		server.RestartIce("ufrag3", "password3");

		REQUIRE(
			listener.TakeEvents() ==
			Events{ "ufragAdded ufrag2", "ufragRemoved ufrag2", "ufragAdded ufrag3" });

		RequireUnauthorizedDropped(listener, server, requestWith("ufrag2", "password2"), tuple);

		Receive(server, requestWith("ufrag1", "password1"), tuple, nowMs);
		listener.TakeSent();

		Receive(server, requestWith("ufrag3", "password3"), tuple, nowMs);
		listener.TakeSent();

		REQUIRE(listener.TakeEvents() == Events{ "ufragRemoved ufrag1" });
	}

	SECTION("restarting after the new credentials were used drops the oldest")
	{
		server.RestartIce("ufrag2", "password2");
		Receive(server, requestWith("ufrag2", "password2"), tuple, nowMs);
		listener.TakeSent();
		server.RestartIce("ufrag3", "password3");

		REQUIRE(
			listener.TakeEvents() ==
			Events{ "ufragAdded ufrag2", "ufragRemoved ufrag1", "ufragAdded ufrag3" });

		const auto request = requestWith("ufrag2", "password2");

		Receive(server, request, tuple, nowMs);
		RequireSuccessResponse(listener, request, tuple, "password2");
	}

	SECTION("restarting with the same username fragment only changes the password")
	{
		server.RestartIce("ufrag1", "passwordX");

		REQUIRE(listener.TakeEvents().empty());

		RequireUnauthorizedDropped(listener, server, requestWith("ufrag1", "password1"), tuple);

		Receive(server, requestWith("ufrag1", "passwordX"), tuple, nowMs);
		listener.TakeSent();
	}

	SECTION("destruction reports both username fragments removed")
	{
		server.RestartIce("ufrag2", "password2");
		listener.TakeEvents();

		{
			FakeListener otherListener;
			auto other = std::make_unique<IceServer>(&otherListener, "a", "b", 30u);

			other->RestartIce("c", "d");
			otherListener.TakeEvents();
			other.reset();

			REQUIRE(otherListener.TakeEvents() == Events{ "ufragRemoved a", "ufragRemoved c" });
		}
	}
}

TEST_CASE("IceServer keeps at most MaxTuples tuples", "[IceServer]")
{
	FakeListener listener;
	uint64_t nowMs{ 1000u };
	IceServer server(&listener, "localUfrag", "localPassword", 30u);
	std::vector<TransportTuple> tuples;

	for (size_t i = 0u; i < IceServer::MaxTuples + 3u; ++i)
	{
		tuples.push_back(MakeTuple("10.0.0.1", static_cast<uint16_t>(1000u + i)));
	}

	// Tuple 0 is selected; 1..MaxTuples-1 fill the list, one per millisecond.
	for (size_t i = 0u; i < IceServer::MaxTuples; ++i)
	{
		Receive(server, MakeRequest({ .useCandidate = i == 0u }), tuples[i], nowMs++);
	}

	listener.TakeSent();
	listener.TakeEvents();

	REQUIRE(server.GetTupleCount() == IceServer::MaxTuples);

	// Tuple 1 refreshed: tuple 2 is now the least recently used.
	Receive(server, MakeRequest({}), tuples[1], nowMs++);

	// Past the cap: the least recently refreshed one that is not selected goes.
	Receive(server, MakeRequest({}), tuples[IceServer::MaxTuples], nowMs++);

	REQUIRE(
		listener.TakeEvents() ==
		Events{ "tupleRemoved 10.0.0.1:1002",
						"tupleAdded 10.0.0.1:" + std::to_string(1000u + IceServer::MaxTuples) });
	REQUIRE(server.GetTupleCount() == IceServer::MaxTuples);
	REQUIRE_FALSE(server.IsValidTuple(&tuples[2]));
	REQUIRE(server.IsValidTuple(&tuples[1]));
	REQUIRE(server.GetSelectedTuple()->Compare(&tuples[0]));

	// The selected tuple, though the oldest, is never evicted.
	for (size_t i = IceServer::MaxTuples + 1u; i < tuples.size(); ++i)
	{
		Receive(server, MakeRequest({}), tuples[i], nowMs++);
	}

	REQUIRE(server.GetTupleCount() == IceServer::MaxTuples);
	REQUIRE(server.GetSelectedTuple()->Compare(&tuples[0]));
	REQUIRE(server.IsValidTuple(&tuples[0]));
	// Every request was answered all the same.
	REQUIRE(listener.TakeSent().size() == 2u + 2u);
}

TEST_CASE("IceServer removes tuples and forces selection", "[IceServer]")
{
	FakeListener listener;
	auto tupleA  = MakeTuple("10.0.0.1", 5000u);
	auto tupleB  = MakeTuple("10.0.0.2", 6000u);
	auto tupleC  = MakeTuple("10.0.0.3", 7000u);
	auto unknown = MakeTuple("10.9.9.9", 9999u);
	IceServer server(&listener, "localUfrag", "localPassword", 30u);

	SECTION("MayForceSelectedTuple does nothing before connecting")
	{
		REQUIRE_FALSE(server.MayForceSelectedTuple(&tupleA, 1000u));

		REQUIRE(server.GetSelectedTuple() == nullptr);
	}

	Receive(server, MakeRequest({ .useCandidate = true }), tupleA, 1000u);
	Receive(server, MakeRequest({}), tupleC, 1500u);
	Receive(server, MakeRequest({}), tupleB, 2000u);
	listener.TakeSent();
	listener.TakeEvents();

	SECTION("removing the selected tuple selects the most recently refreshed other")
	{
		server.RemoveTuple(&tupleA);

		REQUIRE(
			listener.TakeEvents() == Events{ "tupleRemoved 10.0.0.1:5000", "selected 10.0.0.2:6000" });
		REQUIRE(server.GetState() == IceServer::IceState::COMPLETED);

		server.RemoveTuple(&tupleB);

		REQUIRE(
			listener.TakeEvents() == Events{ "tupleRemoved 10.0.0.2:6000", "selected 10.0.0.3:7000" });

		server.RemoveTuple(&tupleC);

		REQUIRE(listener.TakeEvents() == Events{ "tupleRemoved 10.0.0.3:7000", "disconnected" });
		REQUIRE(server.GetState() == IceServer::IceState::DISCONNECTED);
		REQUIRE(server.GetSelectedTuple() == nullptr);
		REQUIRE_FALSE(server.GetNextDeadlineMs());
	}

	SECTION("removing another tuple keeps the selection")
	{
		server.RemoveTuple(&tupleB);

		REQUIRE(listener.TakeEvents() == Events{ "tupleRemoved 10.0.0.2:6000" });
		REQUIRE(server.GetSelectedTuple()->Compare(&tupleA));
	}

	SECTION("removing an unknown tuple does nothing")
	{
		server.RemoveTuple(&unknown);

		REQUIRE(listener.TakeEvents().empty());
	}

	SECTION("a listener re-entering RemoveTuple from TupleRemoved is safe")
	{
		listener.removeAgainOnRemoved = true;

		server.RemoveTuple(&tupleA);
		server.RemoveTuple(&tupleB);
		server.RemoveTuple(&tupleC);

		REQUIRE(
			listener.TakeEvents() == Events{ "tupleRemoved 10.0.0.1:5000",
																			 "selected 10.0.0.2:6000",
																			 "tupleRemoved 10.0.0.2:6000",
																			 "selected 10.0.0.3:7000",
																			 "tupleRemoved 10.0.0.3:7000",
																			 "disconnected" });
	}

	SECTION("MayForceSelectedTuple selects a valid tuple only")
	{
		REQUIRE_FALSE(server.MayForceSelectedTuple(&tupleA, 2500u));

		REQUIRE(listener.TakeEvents().empty());
		// Already selected: nothing refreshed.
		REQUIRE(server.GetNextDeadlineMs() == 31000u);

		REQUIRE_FALSE(server.MayForceSelectedTuple(&unknown, 2500u));

		REQUIRE(listener.TakeEvents().empty());
		REQUIRE(server.GetSelectedTuple()->Compare(&tupleA));

		REQUIRE(server.MayForceSelectedTuple(&tupleC, 3000u));

		REQUIRE(listener.TakeEvents() == Events{ "selected 10.0.0.3:7000" });
		REQUIRE(server.GetSelectedTuple()->Compare(&tupleC));
		// The authenticated data refreshed tupleC's consent.
		REQUIRE(server.GetNextDeadlineMs() == 33000u);
	}
}
