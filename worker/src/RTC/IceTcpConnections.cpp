#define MS_CLASS "RTC::IceTcpConnections"

#include "RTC/IceTcpConnections.hpp"

#include "DepLibUV.hpp"
#include "Logger.hpp"
#include "MediaSoupErrors.hpp"

#include <sys/resource.h>

namespace
{
	void onRejectedClose(uv_handle_t* handle)
	{
		delete reinterpret_cast<uv_tcp_t*>(handle);
	}

	size_t fileDescriptorShare(size_t maxConnections)
	{
		struct rlimit limit
		{
		};

		if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
		{
			return maxConnections;
		}

		return std::max<size_t>(1u, std::min<size_t>(maxConnections, limit.rlim_cur / 4u));
	}
} // namespace

namespace RTC
{
	IceTcpConnections::IceTcpConnections(Listener* listener, size_t maxConnections)
			: listener(listener),
				timer(std::make_unique<TimerHandle>(this)),
				maxConnections(fileDescriptorShare(maxConnections))
	{
	}

	IceTcpConnections::~IceTcpConnections()
	{
		this->timer.reset();
		this->pending.clear();
		this->valid.clear();
		// A connection's destructor closes its socket without calling us back.
		this->entries.clear();
		this->servers.clear();
	}

	const TcpServerHandle*
	IceTcpConnections::AddServer(uv_tcp_t* uvHandle, const std::string& announcedAddress)
	{
		// This may throw.
		auto server = std::make_unique<TcpServerHandle>(this, uvHandle);

		this->serverAnnouncedAddresses[server.get()] = announcedAddress;
		this->servers.push_back(std::move(server));

		return this->servers.back().get();
	}

	bool IceTcpConnections::Contains(const TcpConnectionHandle* connection) const
	{
		return this->entries.contains(const_cast<TcpConnectionHandle*>(connection));
	}

	void IceTcpConnections::SetValid(TcpConnectionHandle* connection, uint64_t nowMs)
	{
		auto it = this->entries.find(connection);

		if (it == this->entries.end() || it->second.state == State::CLOSING)
		{
			return;
		}

		auto& entry           = it->second;
		const bool wasPending = entry.state == State::PENDING;

		if (wasPending)
		{
			// Authenticated: frames of any size from now on (DTLS, media).
			entry.connection->SetMaxFrameSize(Utils::Rfc4571Decoder::MaxFrameSize);
			entry.state = State::VALID;
		}

		// To the tail of the valid list: the latest deadline.
		this->valid.splice(this->valid.end(), wasPending ? this->pending : this->valid, entry.position);
		entry.deadlineMs = nowMs + IdleTimeoutMs;
	}

	void IceTcpConnections::Close(TcpConnectionHandle* connection)
	{
		auto it = this->entries.find(connection);

		if (it == this->entries.end() || it->second.state == State::CLOSING)
		{
			return;
		}

		Unlist(it->second);
		it->second.connection->Close();
	}

	void IceTcpConnections::Sweep(uint64_t nowMs)
	{
		SweepList(this->pending, nowMs);
		SweepList(this->valid, nowMs);
	}

	void IceTcpConnections::SweepList(std::list<TcpConnectionHandle*>& list, uint64_t nowMs)
	{
		// Ordered by deadline: stop at the first one still in time.
		while (!list.empty())
		{
			auto* connection = list.front();
			auto& entry      = this->entries.at(connection);

			if (entry.deadlineMs > nowMs)
			{
				break;
			}

			MS_DEBUG_TAG(
				ice,
				"closing %s TCP connection from %s:%u: nothing valid received in time",
				entry.state == State::PENDING ? "unauthenticated" : "idle",
				connection->GetPeerIp().c_str(),
				static_cast<unsigned int>(connection->GetPeerPort()));

			++this->timedOutCount;

			Unlist(entry);
			connection->Close();
		}
	}

	void IceTcpConnections::Unlist(Entry& entry)
	{
		if (entry.state == State::PENDING)
		{
			this->pending.erase(entry.position);
		}
		else if (entry.state == State::VALID)
		{
			this->valid.erase(entry.position);
		}

		entry.state = State::CLOSING;
	}

	void IceTcpConnections::OnTcpServerConnectionAccepted(TcpServerHandle* server, uv_tcp_t* uvHandle)
	{
		// Accept and close at once: left in the backlog it would block it.
		if (this->entries.size() >= this->maxConnections)
		{
			++this->rejectedCount;

			MS_DEBUG_TAG(ice, "TCP connection rejected: %zu connections already", this->entries.size());

			uv_close(reinterpret_cast<uv_handle_t*>(uvHandle), onRejectedClose);

			return;
		}

		std::unique_ptr<TcpConnectionHandle> connection;

		try
		{
			connection = std::make_unique<TcpConnectionHandle>(this, uvHandle);
		}
		catch (const MediaSoupError& error)
		{
			MS_DEBUG_TAG(ice, "TCP connection not accepted: %s", error.what());

			return;
		}

		connection->SetMaxFrameSize(MaxPendingFrameSize);

		auto* handle = connection.get();
		auto& entry  = this->entries[handle];

		entry.connection       = std::move(connection);
		entry.announcedAddress = this->serverAnnouncedAddresses[server];
		entry.state            = State::PENDING;
		entry.deadlineMs       = DepLibUV::GetTimeMs() + PendingTimeoutMs;
		entry.position         = this->pending.insert(this->pending.end(), handle);

		if (!this->timer->IsActive())
		{
			this->timer->Start(SweepIntervalMs, SweepIntervalMs);
		}
	}

	void IceTcpConnections::OnTcpConnectionPacketReceived(
		TcpConnectionHandle* connection, const uint8_t* data, size_t len)
	{
		auto it = this->entries.find(connection);

		if (it == this->entries.end())
		{
			return;
		}

		TransportTuple tuple(connection);

		tuple.SetLocalAnnouncedAddress(it->second.announcedAddress);

		this->listener->OnIceTcpConnectionPacketReceived(&tuple, data, len);
	}

	void IceTcpConnections::OnTcpConnectionClosed(TcpConnectionHandle* connection)
	{
		auto it = this->entries.find(connection);

		if (it == this->entries.end())
		{
			return;
		}

		auto& entry = it->second;

		// Closed by the handle itself (peer, error, frame too large): unlist.
		Unlist(entry);

		if (connection->IsFrameRefused())
		{
			++this->rejectedCount;
		}

		TransportTuple tuple(connection);

		tuple.SetLocalAnnouncedAddress(entry.announcedAddress);

		this->listener->OnIceTcpConnectionClosed(&tuple);

		// The listener may not erase it (only Close() it): erase by key again.
		this->entries.erase(connection);

		if (this->entries.empty())
		{
			this->timer->Stop();
		}
	}

	void IceTcpConnections::OnTimer(TimerHandle* /*timer*/)
	{
		Sweep(DepLibUV::GetTimeMs());
	}
} // namespace RTC
