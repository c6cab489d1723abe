#include "common.hpp"

#include "DepLibUV.hpp"
#include "RTC/IceTcpConnections.hpp"
#include "handles/PortManager.hpp"
#include "handles/TestLoop.hpp"

#include <catch2/catch.hpp>
#include <uv.h>

#include <memory>
#include <vector>

using RTC::IceTcpConnections;

namespace
{
	// The owner: records packets (and on which connection) and closes.
	class FakeOwner : public IceTcpConnections::Listener
	{
	public:
		void OnIceTcpConnectionPacketReceived(
			RTC::TransportTuple* tuple, const uint8_t* /*data*/, size_t len) override
		{
			this->packetConnections.push_back(tuple->GetTcpConnection());
			this->packetSizes.push_back(len);
		}

		void OnIceTcpConnectionClosed(RTC::TransportTuple* /*tuple*/) override { ++this->closed; }

	public:
		std::vector<TcpConnectionHandle*> packetConnections;
		std::vector<size_t> packetSizes;
		size_t closed{ 0u };
	};

	// A raw libuv client that writes bytes and notices when the server closes.
	class Client
	{
	public:
		explicit Client(const struct sockaddr* serverAddr) : handle(new uv_tcp_t)
		{
			this->handle->data = this;
			REQUIRE(uv_tcp_init(DepLibUV::GetLoop(), this->handle) == 0);
			this->connectReq.data = this;
			REQUIRE(uv_tcp_connect(&this->connectReq, this->handle, serverAddr, OnConnect) == 0);
		}
		~Client()
		{
			this->handle->data = nullptr;
			uv_close(reinterpret_cast<uv_handle_t*>(this->handle), OnClose);
		}

	public:
		void Write(std::vector<uint8_t> bytes)
		{
			this->pending = std::move(bytes);

			uv_buf_t buf = uv_buf_init(
				reinterpret_cast<char*>(this->pending.data()),
				static_cast<unsigned int>(this->pending.size()));

			REQUIRE(
				uv_try_write(reinterpret_cast<uv_stream_t*>(this->handle), &buf, 1) ==
				static_cast<int>(this->pending.size()));
		}

	private:
		static void OnConnect(uv_connect_t* req, int status)
		{
			if (status == UV_ECANCELED)
			{
				return;
			}

			auto* client      = static_cast<Client*>(req->data);
			client->connected = status == 0;

			if (status == 0)
			{
				uv_read_start(reinterpret_cast<uv_stream_t*>(client->handle), OnAlloc, OnRead);
			}
		}
		static void OnAlloc(uv_handle_t* /*handle*/, size_t /*suggestedSize*/, uv_buf_t* buf)
		{
			static char buffer[4096];

			*buf = uv_buf_init(buffer, sizeof(buffer));
		}
		static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* /*buf*/)
		{
			auto* client = static_cast<Client*>(stream->data);

			if (client && nread < 0)
			{
				client->eof = true;
			}
		}
		static void OnClose(uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); }

	public:
		uv_tcp_t* handle{ nullptr };
		uv_connect_t connectReq{};
		std::vector<uint8_t> pending;
		bool connected{ false };
		bool eof{ false };
	};

	// A frame of `size` bytes of 0x00 (a STUN-looking first byte).
	std::vector<uint8_t> frame(size_t size)
	{
		std::vector<uint8_t> bytes(2u + size, 0x00);

		bytes[0] = static_cast<uint8_t>(size >> 8);
		bytes[1] = static_cast<uint8_t>(size);

		return bytes;
	}

	struct Fixture
	{
		explicit Fixture(size_t maxConnections) : connections(&owner, maxConnections)
		{
			PortManager::BindOptions options;

			options.ip      = "127.0.0.1";
			options.minPort = 20000u;
			options.maxPort = 30000u;

			const auto* server = this->connections.AddServer(PortManager::BindTcp(options), "");

			this->serverAddr = *reinterpret_cast<const sockaddr_storage*>(server->GetLocalAddress());
		}
		~Fixture()
		{
			this->clients.clear();
			TestLoop::Drain();
		}

		Client& Connect()
		{
			this->clients.push_back(
				std::make_unique<Client>(reinterpret_cast<const struct sockaddr*>(&this->serverAddr)));

			return *this->clients.back();
		}

		FakeOwner owner;
		IceTcpConnections connections;
		sockaddr_storage serverAddr{};
		std::vector<std::unique_ptr<Client>> clients;
	};
} // namespace

TEST_CASE("IceTcpConnections accepts and closes connections past the cap", "[IceTcpConnections]")
{
	Fixture fixture(3u);

	for (int i = 0; i < 5; ++i)
	{
		fixture.Connect();
	}

	// Every client connects (nothing waits in the backlog); two are closed.
	REQUIRE(TestLoop::RunUntil(
		[&]()
		{
			size_t eofs{ 0u };

			for (const auto& client : fixture.clients)
			{
				eofs += client->eof ? 1u : 0u;
			}

			return fixture.connections.GetRejectedCount() == 2u && eofs == 2u;
		}));
	REQUIRE(fixture.connections.GetConnectionCount() == 3u);
	// Rejected connections never reach the owner.
	REQUIRE(fixture.owner.closed == 0u);
}

TEST_CASE("IceTcpConnections times out pending and idle connections", "[IceTcpConnections]")
{
	Fixture fixture(10u);

	auto& first  = fixture.Connect();
	auto& second = fixture.Connect();

	REQUIRE(TestLoop::RunUntil([&]() { return first.connected && second.connected; }));
	REQUIRE(TestLoop::RunUntil([&]() { return fixture.connections.GetConnectionCount() == 2u; }));

	// A small frame from the first: the owner sees it and calls it valid.
	first.Write(frame(20u));
	REQUIRE(TestLoop::RunUntil([&]() { return fixture.owner.packetConnections.size() == 1u; }));

	auto* valid   = fixture.owner.packetConnections[0];
	const auto t0 = DepLibUV::GetTimeMs();

	fixture.connections.SetValid(valid, t0);

	// Before the pending deadline nothing happens.
	fixture.connections.Sweep(t0 + IceTcpConnections::PendingTimeoutMs - 1000u);
	REQUIRE(fixture.connections.GetTimedOutCount() == 0u);

	// Past it, only the pending one goes.
	fixture.connections.Sweep(t0 + IceTcpConnections::PendingTimeoutMs + 1000u);
	REQUIRE(fixture.connections.GetTimedOutCount() == 1u);
	REQUIRE(TestLoop::RunUntil([&]() { return second.eof && fixture.owner.closed == 1u; }));
	REQUIRE(!first.eof);

	// Something valid again at t1 moves the idle deadline.
	const auto t1 = t0 + 20000u;

	fixture.connections.SetValid(valid, t1);
	fixture.connections.Sweep(t0 + IceTcpConnections::IdleTimeoutMs + 1000u);
	REQUIRE(fixture.connections.GetTimedOutCount() == 1u);

	fixture.connections.Sweep(t1 + IceTcpConnections::IdleTimeoutMs);
	REQUIRE(fixture.connections.GetTimedOutCount() == 2u);
	REQUIRE(TestLoop::RunUntil([&]() { return first.eof && fixture.owner.closed == 2u; }));
	REQUIRE(fixture.connections.GetConnectionCount() == 0u);
}

TEST_CASE(
	"IceTcpConnections refuses large frames until the connection is valid", "[IceTcpConnections]")
{
	Fixture fixture(10u);

	auto& pending = fixture.Connect();
	auto& valid   = fixture.Connect();

	REQUIRE(TestLoop::RunUntil([&]() { return pending.connected && valid.connected; }));
	REQUIRE(TestLoop::RunUntil([&]() { return fixture.connections.GetConnectionCount() == 2u; }));

	valid.Write(frame(20u));
	REQUIRE(TestLoop::RunUntil([&]() { return fixture.owner.packetConnections.size() == 1u; }));
	fixture.connections.SetValid(fixture.owner.packetConnections[0], DepLibUV::GetTimeMs());

	// The header alone is enough to refuse it: nothing is buffered for it.
	pending.Write({ 0x10, 0x00 });
	valid.Write(frame(IceTcpConnections::MaxPendingFrameSize + 1u));

	REQUIRE(
		TestLoop::RunUntil([&]() { return pending.eof && fixture.owner.packetSizes.size() == 2u; }));
	REQUIRE(fixture.owner.packetSizes[1] == IceTcpConnections::MaxPendingFrameSize + 1u);
	REQUIRE(fixture.connections.GetRejectedCount() == 1u);
	REQUIRE(!valid.eof);
}
