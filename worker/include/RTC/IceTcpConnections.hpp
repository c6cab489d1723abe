#ifndef MS_RTC_ICE_TCP_CONNECTIONS_HPP
#define MS_RTC_ICE_TCP_CONNECTIONS_HPP

#include "common.hpp"

#include "RTC/TransportTuple.hpp"
#include "handles/TcpConnectionHandle.hpp"
#include "handles/TcpServerHandle.hpp"
#include "handles/TimerHandle.hpp"

#include <list>
#include <unordered_map>
#include <vector>

namespace RTC
{
	// The ICE-TCP servers of one owner (a WebRtcServer, or a WebRtcTransport
	// with its own sockets) and the connections accepted on them (RFC 6544,
	// passive side), with the limits that keep hosts that never authenticate
	// from exhausting the worker's memory and file descriptors:
	//
	// - At most `maxConnections` at once. Past it a new connection is accepted
	//   and closed at once, so the listen backlog never fills, and counted as
	//   rejected.
	// - A new connection is "pending" until the owner calls SetValid() (it got
	//   an authenticated STUN Binding request on it). Pending, it may only carry
	//   frames of up to MaxPendingFrameSize bytes (a Binding request), else it
	//   is closed and counted as rejected; and it is closed, counted as timed
	//   out, PendingTimeoutMs after it was accepted.
	// - A valid connection on which the owner reported nothing valid (SetValid()
	//   again: an authenticated request, DTLS, SRTP that decrypted) for
	//   IdleTimeoutMs is closed and counted as timed out.
	//
	// One timer per owner sweeps every SweepIntervalMs (not one timer per
	// connection). Pending and valid connections sit in two lists ordered by
	// deadline: each deadline is "last event + a fixed timeout", so appending
	// at the tail keeps the order and a sweep stops at the first live one.
	class IceTcpConnections : public TcpServerHandle::Listener,
														public TcpConnectionHandle::Listener,
														public TimerHandle::Listener
	{
	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			// `tuple` (local announced address set) is valid only during the call.
			virtual void
			OnIceTcpConnectionPacketReceived(TransportTuple* tuple, const uint8_t* data, size_t len) = 0;
			// The connection closed (peer, error, limit, or Close()); it is
			// deleted right after the call. Not called from the destructor.
			virtual void OnIceTcpConnectionClosed(TransportTuple* tuple) = 0;
		};

	public:
		// A WebRtcServer serves many transports, each with one or two TCP
		// connections in practice: 1000 is far above what one worker (one core)
		// forwards media for, and far below the usual 64k file descriptors.
		static constexpr size_t MaxConnectionsPerServer{ 1000u };
		// A browser opens one connection per candidate pair it checks; IceServer
		// keeps at most 8 tuples; 32 leaves room for pending ones and restarts.
		static constexpr size_t MaxConnectionsPerTransport{ 32u };
		// A client sends its first Binding request right after connecting; 5 s
		// covers retransmissions on a lossy path (RFC 8445 Ta and RTO).
		static constexpr uint64_t PendingTimeoutMs{ 5000u };
		// RFC 7675 section 5.1: consent expires after 30 s without a response.
		static constexpr uint64_t IdleTimeoutMs{ 30000u };
		static constexpr uint64_t SweepIntervalMs{ 1000u };
		// Binding requests of browsers are a few hundred bytes (USERNAME is at
		// most 513 bytes): a pending connection needs no 64 KiB frame.
		static constexpr size_t MaxPendingFrameSize{ 1500u };

	public:
		// Never more than a quarter of the process's file descriptors, so one
		// owner cannot stop the others from binding.
		IceTcpConnections(Listener* listener, size_t maxConnections);
		// Deletes the connections (no listener calls), then closes the servers.
		~IceTcpConnections() override;
		IceTcpConnections(const IceTcpConnections&)            = delete;
		IceTcpConnections& operator=(const IceTcpConnections&) = delete;

	public:
		// Takes a bound and listening handle (PortManager::BindTcp()); tuples of
		// its connections advertise `announcedAddress` when not empty. Throws
		// MediaSoupError (the handle is closed then).
		const TcpServerHandle* AddServer(uv_tcp_t* uvHandle, const std::string& announcedAddress);
		const std::vector<std::unique_ptr<TcpServerHandle>>& GetServers() const
		{
			return this->servers;
		}
		bool Contains(const TcpConnectionHandle* connection) const;
		// Something valid arrived on the connection: it is no longer pending and
		// its idle deadline moves to nowMs + IdleTimeoutMs.
		void SetValid(TcpConnectionHandle* connection, uint64_t nowMs);
		// Closes it; the listener hears of it from the loop.
		void Close(TcpConnectionHandle* connection);
		// Closes the connections whose deadline is <= nowMs.
		void Sweep(uint64_t nowMs);
		size_t GetConnectionCount() const { return this->entries.size(); }
		size_t GetMaxConnections() const { return this->maxConnections; }
		uint64_t GetRejectedCount() const { return this->rejectedCount; }
		uint64_t GetTimedOutCount() const { return this->timedOutCount; }

		/* Pure virtual methods inherited from the TCP handles. */
	public:
		void OnTcpServerConnectionAccepted(TcpServerHandle* server, uv_tcp_t* uvHandle) override;
		void OnTcpConnectionPacketReceived(
			TcpConnectionHandle* connection, const uint8_t* data, size_t len) override;
		void OnTcpConnectionClosed(TcpConnectionHandle* connection) override;

		/* Pure virtual methods inherited from TimerHandle::Listener. */
	public:
		void OnTimer(TimerHandle* timer) override;

	private:
		enum class State : uint8_t
		{
			PENDING,
			VALID,
			CLOSING
		};

		struct Entry
		{
			std::unique_ptr<TcpConnectionHandle> connection;
			std::string announcedAddress;
			State state{ State::PENDING };
			uint64_t deadlineMs{ 0u };
			// Its place in the list of its state (unused while CLOSING).
			std::list<TcpConnectionHandle*>::iterator position;
		};

	private:
		void SweepList(std::list<TcpConnectionHandle*>& list, uint64_t nowMs);
		void Unlist(Entry& entry);

	private:
		// Passed by argument.
		Listener* listener{ nullptr };
		// Allocated by this.
		std::vector<std::unique_ptr<TcpServerHandle>> servers;
		std::unordered_map<TcpConnectionHandle*, Entry> entries;
		std::unique_ptr<TimerHandle> timer;
		// Others.
		size_t maxConnections{ 0u };
		std::unordered_map<const TcpServerHandle*, std::string> serverAnnouncedAddresses;
		std::list<TcpConnectionHandle*> pending;
		std::list<TcpConnectionHandle*> valid;
		uint64_t rejectedCount{ 0u };
		uint64_t timedOutCount{ 0u };
	};
} // namespace RTC

#endif
