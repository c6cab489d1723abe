// Drives an IceServer with commands read from the input: clock steps, Binding
// requests built from a few bytes (right or wrong credentials, nomination,
// role, tuple), raw bytes parsed as STUN, timeouts, ICE restarts, tuple
// removals and forced selections. A listener checks after every call that
// the callbacks balance (each tuple added once and removed once, each
// username fragment likewise), that everything sent parses as a STUN
// response, and that the state and the selected tuple agree.

#include "common.hpp"

#include "FuzzInputReader.hpp"
#include "RTC/IceServer.hpp"
#include "RTC/StunPacket.hpp"
#include "RTC/TransportTuple.hpp"
#include "Settings.hpp"
#include "Utils/IP.hpp"

#include <array>
#include <set>
#include <string>
#include <vector>

using RTC::IceServer;
using RTC::StunPacket;
using RTC::TransportTuple;

namespace
{
	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}

	using Reader = Fuzz::InputReader;

	class CheckingListener : public IceServer::Listener
	{
	public:
		void OnIceServerSendStunPacket(
			const IceServer* /*iceServer*/,
			const uint8_t* data,
			size_t len,
			TransportTuple* tuple) override
		{
			Check(tuple != nullptr);

			const auto packet = StunPacket::Parse(std::span<const uint8_t>(data, len));

			Check(packet.has_value());
			Check(
				packet->GetClass() == StunPacket::Class::SUCCESS_RESPONSE ||
				packet->GetClass() == StunPacket::Class::ERROR_RESPONSE);
			Check(packet->HasFingerprint());
			// Only a source that proved the password is answered at all.
			Check(packet->HasMessageIntegrity());

			if (packet->GetClass() == StunPacket::Class::SUCCESS_RESPONSE)
			{
				// The fake TCP tuple has no connection, hence no peer address.
				Check(
					packet->GetXorMappedAddress() != nullptr ||
					tuple->GetRemoteAddress()->sa_family == AF_UNSPEC);
			}
		}
		void OnIceServerLocalUsernameFragmentAdded(
			const IceServer* /*iceServer*/, const std::string& usernameFragment) override
		{
			Check(this->usernameFragments.insert(usernameFragment).second);
			Check(this->usernameFragments.size() <= 2u);
		}
		void OnIceServerLocalUsernameFragmentRemoved(
			const IceServer* /*iceServer*/, const std::string& usernameFragment) override
		{
			Check(this->usernameFragments.erase(usernameFragment) == 1u);
		}
		void OnIceServerTupleAdded(const IceServer* /*iceServer*/, TransportTuple* tuple) override
		{
			Check(this->tuples.insert(tuple).second);
			Check(this->tuples.size() <= IceServer::MaxTuples);
		}
		void OnIceServerTupleRemoved(const IceServer* iceServer, TransportTuple* tuple) override
		{
			Check(this->tuples.erase(tuple) == 1u);
			Check(iceServer->GetSelectedTuple() != tuple);

			if (this->removeAgain)
			{
				const_cast<IceServer*>(iceServer)->RemoveTuple(tuple);
			}
		}
		void OnIceServerSelectedTuple(const IceServer* iceServer, TransportTuple* tuple) override
		{
			Check(tuple != nullptr);
			Check(this->tuples.contains(tuple));
			Check(iceServer->GetSelectedTuple() == tuple);
		}
		void OnIceServerConnected(const IceServer* iceServer) override
		{
			Check(iceServer->GetState() == IceServer::IceState::CONNECTED);
		}
		void OnIceServerCompleted(const IceServer* iceServer) override
		{
			Check(iceServer->GetState() == IceServer::IceState::COMPLETED);
		}
		void OnIceServerDisconnected(const IceServer* iceServer) override
		{
			Check(iceServer->GetState() == IceServer::IceState::DISCONNECTED);
			Check(iceServer->GetSelectedTuple() == nullptr);
		}

	public:
		std::set<std::string> usernameFragments;
		std::set<const TransportTuple*> tuples;
		bool removeAgain{ false };
	};

	void CheckState(const IceServer& server, const CheckingListener& listener)
	{
		const auto state     = server.GetState();
		const auto* selected = server.GetSelectedTuple();
		const bool active =
			state == IceServer::IceState::CONNECTED || state == IceServer::IceState::COMPLETED;

		Check(active == (selected != nullptr));
		Check(!selected || listener.tuples.contains(selected));
		Check(!selected || server.IsValidTuple(selected));
		Check(server.GetTupleCount() == listener.tuples.size());
		Check(server.GetTupleCount() <= IceServer::MaxTuples);
		Check(listener.usernameFragments.contains(server.GetUsernameFragment()));
		Check(!server.GetNextDeadlineMs() || active);
	}
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	// Twelve UDP tuples (more than MaxTuples) plus one TCP tuple.
	static const std::vector<struct sockaddr_storage> addresses = []()
	{
		std::vector<struct sockaddr_storage> list;

		for (uint16_t i = 0u; i < 6u; ++i)
		{
			list.push_back(Utils::IP::MakeAddress("192.0.2." + std::to_string(i + 1u), 5000u + i));
			list.push_back(Utils::IP::MakeAddress("2001:db8::" + std::to_string(i + 1u), 6000u + i));
		}

		return list;
	}();

	std::vector<TransportTuple> tuples;

	for (const auto& address : addresses)
	{
		tuples.emplace_back(nullptr, reinterpret_cast<const struct sockaddr*>(&address));
	}

	tuples.emplace_back(static_cast<TcpConnectionHandle*>(nullptr));

	Reader reader(std::span<const uint8_t>(data, size));
	CheckingListener listener;
	// Every credential issued so far: requests may use any of them.
	std::vector<std::pair<std::string, std::string>> credentials{ { "ufrag0", "password0" } };
	const uint32_t consentTimeoutSec = reader.Byte() % 4u == 0u ? 0u : 30u;
	uint64_t nowMs{ 1000u };

	listener.removeAgain = (reader.Byte() & 1u) != 0u;

	auto server = std::make_unique<IceServer>(
		&listener, credentials[0].first, credentials[0].second, consentTimeoutSec);

	CheckState(*server, listener);

	while (!reader.AtEnd())
	{
		const uint8_t command = reader.Byte();
		auto& tuple           = tuples[reader.Byte() % tuples.size()];

		switch (command % 8u)
		{
			// Clock step, up to about 4 minutes.
			case 0:
			{
				nowMs += static_cast<uint64_t>(reader.Short()) * 4u;

				break;
			}

			// Valid requests from many tuples in a row (to get past MaxTuples),
			// starting at the chosen one.
			case 2:
			{
				const size_t count = reader.Byte() % (tuples.size() + 1u);
				const size_t first = static_cast<size_t>(&tuple - tuples.data());

				for (size_t i = 0u; i < count; ++i)
				{
					std::array<uint8_t, StunPacket::TransactionIdSize> transactionId{};

					transactionId.fill(static_cast<uint8_t>(i));

					const std::string username = server->GetUsernameFragment() + ":remote";
					const auto writer          = StunPacket::Writer::MakeBindingRequest(
            transactionId, username, 1u, 0x1234u, false, server->GetPassword());
					std::array<uint8_t, 512> buffer;
					const size_t len  = writer.Serialize(buffer);
					const auto packet = StunPacket::Parse(std::span<const uint8_t>(buffer.data(), len));

					Check(packet.has_value());

					server->ProcessStunPacket(*packet, &tuples[(first + i) % tuples.size()], nowMs++);
				}

				Check(server->GetTupleCount() <= IceServer::MaxTuples);

				break;
			}

			// A Binding request built from flags.
			case 1:
			{
				const uint8_t flags      = reader.Byte();
				const auto& [ufrag, pwd] = credentials[reader.Byte() % credentials.size()];
				// The writer keeps views: the strings live until Serialize().
				// Flags at 0 make a valid request; each set bit spoils something.
				const std::string username = (flags & 0x02u)   ? std::string()
																		 : (flags & 0x01u) ? "remote:" + ufrag
																											 : ufrag + ":remote";
				std::array<uint8_t, StunPacket::TransactionIdSize> transactionId{};

				transactionId.fill(reader.Byte());

				auto writer = StunPacket::Writer::MakeBindingRequest(
					transactionId,
					username,
					reader.Short(),
					0x1234u,
					(flags & 0x04u) != 0u,
					(flags & 0x08u) ? std::string_view("wrong") : std::string_view(pwd));

				if (flags & 0x10u)
				{
					writer.SetIceControlled(0x4321u);
				}

				writer.SetFingerprint((flags & 0x20u) == 0u);

				std::array<uint8_t, 512> buffer;
				const size_t len = writer.Serialize(buffer);

				Check(len != 0u);

				const auto packet = StunPacket::Parse(std::span<const uint8_t>(buffer.data(), len));

				Check(packet.has_value());

				// Time may also go backwards a little.
				server->ProcessStunPacket(*packet, &tuple, (flags & 0x40u) ? nowMs - 500u : nowMs);

				break;
			}

			// Raw bytes, as they come from the network.
			case 3:
			{
				const auto bytes  = reader.Take(reader.Byte());
				const auto packet = StunPacket::Parse(bytes);

				if (packet)
				{
					server->ProcessStunPacket(*packet, &tuple, nowMs);
				}

				break;
			}

			case 4:
			{
				const auto deadline = server->GetNextDeadlineMs();

				// Mostly at the deadline, as the transport's timer fires.
				if (deadline && (reader.Byte() & 1u))
				{
					nowMs = std::max(nowMs, *deadline);
				}

				server->OnTimeout(nowMs);

				if (deadline && nowMs >= *deadline)
				{
					Check(server->GetState() == IceServer::IceState::DISCONNECTED);
				}

				break;
			}

			case 5:
			{
				// Sometimes reuse an old username fragment.
				const uint8_t choice = reader.Byte();

				if (choice < 32u)
				{
					const auto& [ufrag, pwd] = credentials[choice % credentials.size()];

					credentials.emplace_back(ufrag, pwd + "x");
				}
				else
				{
					const std::string n = std::to_string(credentials.size());

					credentials.emplace_back("ufrag" + n, "password" + n);
				}

				server->RestartIce(credentials.back().first, credentials.back().second);

				Check(server->GetUsernameFragment() == credentials.back().first);

				break;
			}

			case 6:
			{
				server->RemoveTuple(&tuple);

				Check(!server->IsValidTuple(&tuple));

				break;
			}

			case 7:
			{
				const bool valid = server->IsValidTuple(&tuple);

				server->MayForceSelectedTuple(&tuple, nowMs);

				if (valid && server->GetSelectedTuple())
				{
					Check(server->GetSelectedTuple()->Compare(&tuple));
				}

				break;
			}
		}

		CheckState(*server, listener);
	}

	server.reset();

	Check(listener.tuples.empty());
	Check(listener.usernameFragments.empty());

	return 0;
}
