#include "common.hpp"

#include "DepLibUV.hpp"
#include "MediaSoupErrors.hpp"
#include "handles/PortManager.hpp"
#include "handles/TcpConnectionHandle.hpp"
#include "handles/TcpServerHandle.hpp"
#include "handles/TestLoop.hpp"

#include <catch2/catch.hpp>
#include <uv.h>

#include <cstring>
#include <set>
#include <vector>

namespace
{
	// The server side: owns the accepted connections as a transport does, and
	// records what they report.
	class ServerListener : public TcpServerHandle::Listener, public TcpConnectionHandle::Listener
	{
	public:
		~ServerListener() override
		{
			for (auto* connection : this->connections)
			{
				delete connection;
			}
		}

	public:
		void OnTcpServerConnectionAccepted(TcpServerHandle* /*server*/, uv_tcp_t* uvHandle) override
		{
			this->connections.insert(new TcpConnectionHandle(this, uvHandle));
			++this->accepted;
		}
		void OnTcpConnectionPacketReceived(
			TcpConnectionHandle* /*connection*/, const uint8_t* data, size_t len) override
		{
			this->packets.emplace_back(data, data + len);
		}
		void OnTcpConnectionClosed(TcpConnectionHandle* connection) override
		{
			++this->closedCount;

			REQUIRE(connection->IsClosed());
			REQUIRE(this->connections.erase(connection) == 1u);

			delete connection;
		}

	public:
		TcpConnectionHandle* GetConnection() const
		{
			return this->connections.empty() ? nullptr : *this->connections.begin();
		}

	public:
		std::set<TcpConnectionHandle*> connections;
		std::vector<std::vector<uint8_t>> packets;
		size_t accepted{ 0u };
		size_t closedCount{ 0u };
	};

	// A plain libuv client: connects, writes raw bytes, keeps what it reads.
	class Client
	{
	public:
		explicit Client(const struct sockaddr* serverAddr)
		{
			this->handle       = new uv_tcp_t;
			this->handle->data = this;

			REQUIRE(uv_tcp_init(DepLibUV::GetLoop(), this->handle) == 0);

			this->connectReq.data = this;

			REQUIRE(uv_tcp_connect(&this->connectReq, this->handle, serverAddr, OnConnect) == 0);
		}
		~Client() { Close(); }

	public:
		void StartReading()
		{
			REQUIRE(uv_read_start(reinterpret_cast<uv_stream_t*>(this->handle), OnAlloc, OnRead) == 0);
		}
		void Write(const std::vector<uint8_t>& bytes)
		{
			auto* req = new WriteReq();

			req->data = bytes;

			uv_buf_t buf = uv_buf_init(
				reinterpret_cast<char*>(req->data.data()), static_cast<unsigned int>(req->data.size()));

			REQUIRE(
				uv_write(&req->req, reinterpret_cast<uv_stream_t*>(this->handle), &buf, 1, OnWrite) == 0);
		}
		void Close()
		{
			if (this->handle)
			{
				this->handle->data = nullptr;
				uv_close(reinterpret_cast<uv_handle_t*>(this->handle), OnClose);
				this->handle = nullptr;
			}
		}
		struct sockaddr_storage GetLocalAddress() const
		{
			sockaddr_storage storage{};
			int len = sizeof(storage);

			uv_tcp_getsockname(this->handle, reinterpret_cast<struct sockaddr*>(&storage), &len);

			return storage;
		}

	private:
		struct WriteReq
		{
			uv_write_t req;
			std::vector<uint8_t> data;
		};

		static void OnConnect(uv_connect_t* req, int status)
		{
			// The client may be gone when a connection is cancelled.
			if (status != UV_ECANCELED)
			{
				static_cast<Client*>(req->data)->connectStatus = status;
			}
		}
		static void OnAlloc(uv_handle_t* /*handle*/, size_t /*suggestedSize*/, uv_buf_t* buf)
		{
			static char buffer[65536];

			*buf = uv_buf_init(buffer, sizeof(buffer));
		}
		static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf)
		{
			auto* client = static_cast<Client*>(stream->data);

			if (!client)
			{
				return;
			}

			if (nread > 0)
			{
				client->received.insert(client->received.end(), buf->base, buf->base + nread);
			}
			else if (nread < 0)
			{
				client->eof = true;
			}
		}
		static void OnWrite(uv_write_t* req, int /*status*/)
		{
			delete reinterpret_cast<WriteReq*>(req);
		}
		static void OnClose(uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); }

	public:
		uv_tcp_t* handle{ nullptr };
		uv_connect_t connectReq{};
		int connectStatus{ 1 };
		std::vector<uint8_t> received;
		bool eof{ false };
	};

	std::unique_ptr<TcpServerHandle> makeServer(ServerListener* listener, const std::string& ip)
	{
		PortManager::BindOptions options;

		options.ip      = ip;
		options.minPort = 20000u;
		options.maxPort = 30000u;

		return std::make_unique<TcpServerHandle>(listener, PortManager::BindTcp(options));
	}

	std::vector<uint8_t> frame(const std::vector<uint8_t>& packet)
	{
		std::vector<uint8_t> bytes{
			static_cast<uint8_t>(packet.size() >> 8),
			static_cast<uint8_t>(packet.size()),
		};

		bytes.insert(bytes.end(), packet.begin(), packet.end());

		return bytes;
	}

	std::vector<uint8_t> pattern(size_t size, uint8_t seed)
	{
		std::vector<uint8_t> bytes(size);

		for (size_t i = 0; i < size; ++i)
		{
			bytes[i] = static_cast<uint8_t>(seed + i * 3u);
		}

		return bytes;
	}

	// A connected client and its accepted server-side connection.
	struct Pair
	{
		ServerListener listener;
		std::unique_ptr<TcpServerHandle> server;
		std::unique_ptr<Client> client;

		explicit Pair(const std::string& ip)
		{
			this->server = makeServer(&this->listener, ip);
			this->client = std::make_unique<Client>(this->server->GetLocalAddress());

			REQUIRE(TestLoop::RunUntil(
				[this] { return this->client->connectStatus != 1 && this->listener.accepted == 1u; }));
			REQUIRE(this->client->connectStatus == 0);
		}
		~Pair()
		{
			this->client.reset();
			this->server.reset();
			// The remaining connections are deleted by ~ServerListener; run the
			// loop then (see each test).
		}
	};
} // namespace

TEST_CASE(
	"TcpServerHandle accepts and TcpConnectionHandle knows both ends", "[TcpConnectionHandle]")
{
	{
		Pair pair("127.0.0.1");
		auto* connection = pair.listener.GetConnection();

		REQUIRE(pair.server->GetLocalIp() == "127.0.0.1");
		REQUIRE(pair.server->GetLocalFamily() == AF_INET);
		REQUIRE(pair.server->GetLocalPort() != 0u);
		REQUIRE(connection->GetLocalIp() == "127.0.0.1");
		REQUIRE(connection->GetLocalPort() == pair.server->GetLocalPort());
		REQUIRE(connection->GetPeerIp() == "127.0.0.1");

		const auto clientAddr = pair.client->GetLocalAddress();

		REQUIRE(
			connection->GetPeerPort() ==
			ntohs(reinterpret_cast<const struct sockaddr_in*>(&clientAddr)->sin_port));
	}

	TestLoop::Drain();
}

TEST_CASE("TcpConnectionHandle delivers whole packets whatever the writes", "[TcpConnectionHandle]")
{
	const std::vector<std::vector<uint8_t>> packets{
		pattern(1, 1), pattern(100, 2), pattern(1500, 3), pattern(65535, 4), pattern(20, 5),
	};
	std::vector<uint8_t> stream;

	for (const auto& packet : packets)
	{
		const auto bytes = frame(packet);

		stream.insert(stream.end(), bytes.begin(), bytes.end());
	}

	// A zero-length frame in the middle is dropped, not delivered.
	const auto empty = frame({});

	stream.insert(stream.begin() + 3, empty.begin(), empty.end());

	// Write sizes the client uses, cycling: they cut headers and packets
	// anywhere.
	const std::vector<std::vector<size_t>> writePlans{
		{ stream.size() }, { 1 }, { 1, 2, 3, 1000 }, { 7, 65536 }, { 2, 1501, 5 },
	};

	for (size_t i = 0; i < writePlans.size(); ++i)
	{
		DYNAMIC_SECTION("write plan " << i)
		{
			{
				Pair pair("127.0.0.1");
				const auto& plan = writePlans[i];
				size_t offset{ 0u };

				for (size_t n = 0; offset < stream.size(); ++n)
				{
					const size_t size = std::min(plan[n % plan.size()], stream.size() - offset);

					pair.client->Write(std::vector<uint8_t>(
						stream.begin() + static_cast<std::ptrdiff_t>(offset),
						stream.begin() + static_cast<std::ptrdiff_t>(offset + size)));
					offset += size;
				}

				REQUIRE(TestLoop::RunUntil([&] { return pair.listener.packets.size() == packets.size(); }));
				REQUIRE(pair.listener.packets == packets);
				REQUIRE(pair.listener.GetConnection()->GetRecvBytes() == stream.size());
			}

			TestLoop::Drain();
		}
	}
}

TEST_CASE("TcpConnectionHandle::Send() frames packets", "[TcpConnectionHandle]")
{
	std::vector<std::string> ips{ "127.0.0.1" };

	try
	{
		ServerListener listener;
		makeServer(&listener, "::1");
		ips.emplace_back("::1");
	}
	catch (const MediaSoupError&)
	{
		WARN("no IPv6 loopback: ::1 skipped");
	}

	TestLoop::Drain();

	for (const auto& ip : ips)
	{
		DYNAMIC_SECTION("on " << ip)
		{
			{
				Pair pair(ip);
				auto* connection = pair.listener.GetConnection();
				const std::vector<std::vector<uint8_t>> packets{
					pattern(3, 9),
					{},
					pattern(300, 8),
					pattern(65535, 7),
				};
				std::vector<uint8_t> expected;

				pair.client->StartReading();

				for (const auto& packet : packets)
				{
					REQUIRE(connection->Send(packet.data(), packet.size()));

					const auto bytes = frame(packet);

					expected.insert(expected.end(), bytes.begin(), bytes.end());
				}

				// Too large for a 16-bit length: refused, nothing written.
				const std::vector<uint8_t> tooLarge(65536u, 0x00);

				REQUIRE_FALSE(connection->Send(tooLarge.data(), tooLarge.size()));

				REQUIRE(
					TestLoop::RunUntil([&] { return pair.client->received.size() >= expected.size(); }));
				REQUIRE(pair.client->received == expected);
				REQUIRE(connection->GetSentBytes() == expected.size());
				REQUIRE_FALSE(connection->IsClosed());
			}

			TestLoop::Drain();
		}
	}
}

TEST_CASE("TcpConnectionHandle reports a peer close once", "[TcpConnectionHandle]")
{
	{
		Pair pair("127.0.0.1");

		// A packet, then the peer goes away.
		pair.client->Write(frame({ 1, 2, 3 }));
		pair.client->Close();

		REQUIRE(TestLoop::RunUntil([&] { return pair.listener.closedCount == 1u; }));
		REQUIRE(pair.listener.packets == std::vector<std::vector<uint8_t>>{ { 1, 2, 3 } });
		REQUIRE(pair.listener.connections.empty());

		TestLoop::Drain();

		REQUIRE(pair.listener.closedCount == 1u);
	}

	TestLoop::Drain();
}

TEST_CASE("TcpConnectionHandle::Close() notifies later, once", "[TcpConnectionHandle]")
{
	{
		Pair pair("127.0.0.1");
		auto* connection = pair.listener.GetConnection();

		pair.client->StartReading();

		connection->Close();
		connection->Close();

		REQUIRE(connection->IsClosed());
		REQUIRE_FALSE(connection->Send(nullptr, 0u));
		// Not from inside Close().
		REQUIRE(pair.listener.closedCount == 0u);

		REQUIRE(
			TestLoop::RunUntil([&] { return pair.listener.closedCount == 1u && pair.client->eof; }));

		TestLoop::Drain();

		REQUIRE(pair.listener.closedCount == 1u);
	}

	TestLoop::Drain();
}

TEST_CASE("TcpConnectionHandle deleted before its close completes", "[TcpConnectionHandle]")
{
	{
		Pair pair("127.0.0.1");
		auto* connection = pair.listener.GetConnection();

		// Closed and deleted in the same loop iteration: no notification, no leak.
		connection->Close();
		pair.listener.connections.erase(connection);
		delete connection;

		TestLoop::Drain();

		REQUIRE(pair.listener.closedCount == 0u);
	}

	TestLoop::Drain();
}

TEST_CASE(
	"TcpConnectionHandle closes a connection whose peer does not read", "[TcpConnectionHandle]")
{
	{
		Pair pair("127.0.0.1");
		auto* connection  = pair.listener.GetConnection();
		const auto packet = pattern(60000u, 1);
		size_t accepted{ 0u };

		// The client never reads: the kernel buffers fill, then our queue, up to
		// MaxWriteQueueSize. 64 MiB is far beyond what loopback buffers hold.
		for (size_t i = 0; i < 1200u; ++i)
		{
			if (!connection->Send(packet.data(), packet.size()))
			{
				break;
			}

			++accepted;
		}

		REQUIRE(connection->IsClosed());
		REQUIRE(accepted < 1200u);
		// Not from inside Send().
		REQUIRE(pair.listener.closedCount == 0u);

		REQUIRE(TestLoop::RunUntil([&] { return pair.listener.closedCount == 1u; }));

		TestLoop::Drain();

		REQUIRE(pair.listener.closedCount == 1u);
	}

	TestLoop::Drain();
}

TEST_CASE(
	"TcpConnectionHandle listener may Send() and Close() while receiving", "[TcpConnectionHandle]")
{
	// Echoes the first packet, then closes: later packets of the same read are
	// dropped.
	class EchoListener : public ServerListener
	{
	public:
		void OnTcpConnectionPacketReceived(
			TcpConnectionHandle* connection, const uint8_t* data, size_t len) override
		{
			ServerListener::OnTcpConnectionPacketReceived(connection, data, len);

			connection->Send(data, len);
			connection->Close();
		}
	};

	{
		EchoListener listener;
		auto server = makeServer(&listener, "127.0.0.1");
		Client client(server->GetLocalAddress());

		REQUIRE(TestLoop::RunUntil([&] { return listener.accepted == 1u; }));

		client.StartReading();

		auto bytes       = frame({ 7, 7 });
		const auto other = frame({ 8 });

		bytes.insert(bytes.end(), other.begin(), other.end());
		client.Write(bytes);

		REQUIRE(TestLoop::RunUntil([&] { return listener.closedCount == 1u && client.eof; }));
		REQUIRE(listener.packets == std::vector<std::vector<uint8_t>>{ { 7, 7 } });
		REQUIRE(client.received == frame({ 7, 7 }));
	}

	TestLoop::Drain();
}

TEST_CASE("TcpServerHandle stops accepting once closed", "[TcpConnectionHandle]")
{
	{
		ServerListener listener;
		auto server           = makeServer(&listener, "127.0.0.1");
		const auto serverAddr = *reinterpret_cast<const struct sockaddr_in*>(server->GetLocalAddress());

		server.reset();
		TestLoop::Drain();

		Client client(reinterpret_cast<const struct sockaddr*>(&serverAddr));

		REQUIRE(TestLoop::RunUntil([&] { return client.connectStatus != 1; }));
		REQUIRE(client.connectStatus == UV_ECONNREFUSED);
		REQUIRE(listener.accepted == 0u);
	}

	TestLoop::Drain();
}
