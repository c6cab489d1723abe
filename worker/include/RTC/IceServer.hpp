#ifndef MS_RTC_ICE_SERVER_HPP
#define MS_RTC_ICE_SERVER_HPP

#include "common.hpp"

#include "RTC/StunPacket.hpp"
#include "RTC/TransportTuple.hpp"

#include <optional>
#include <vector>

namespace RTC
{
	// ICE-lite agent (RFC 8445 2.5, 7.3): always the controlled side, it only
	// answers the Binding requests of the peer and never sends checks of its
	// own. Clock-free: the time comes with each packet and with OnTimeout(),
	// and GetNextDeadlineMs() tells when OnTimeout() is due.
	//
	// - A valid request (authenticated with our credentials, Binding, with
	//   FINGERPRINT and PRIORITY, no ICE-CONTROLLED) is answered with a success
	//   response (XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT) and its
	//   tuple is stored (a copy, at most MaxTuples).
	// - NEW/DISCONNECTED -> CONNECTED on a valid request (its tuple selected),
	//   or straight to COMPLETED when it carries USE-CANDIDATE. CONNECTED ->
	//   COMPLETED on USE-CANDIDATE. USE-CANDIDATE on another tuple while
	//   COMPLETED selects it.
	// - Consent (RFC 7675 as seen by a lite agent): each valid request refreshes
	//   its tuple; when the selected tuple has had none for consentTimeoutSec
	//   the state goes DISCONNECTED and every tuple is removed.
	// - Nothing is sent to a source that has not proven the password: a
	//   request with another method, without FINGERPRINT, without USERNAME or
	//   MESSAGE-INTEGRITY, or with wrong credentials is dropped silently (no
	//   400 or 401: an error to an unauthenticated source makes us a reflector
	//   and tells a scanner that an ICE agent listens here; a real peer just
	//   retransmits). The verdict returned says why, for the caller's counters.
	// - Authenticated but unacceptable requests get an error protected with
	//   MESSAGE-INTEGRITY: no PRIORITY 400, ICE-CONTROLLED 487 (both sides
	//   would be controlled), unknown comprehension-required attributes 420.
	//   None of them changes any state. Indications and responses are ignored.
	//
	// Listener calls happen from within the methods below. The listener may
	// call RemoveTuple() from OnIceServerTupleRemoved() (e.g. by closing a TCP
	// connection whose close callback runs at once): a tuple is out of the list
	// before it is reported, and GetSelectedTuple() never returns a tuple that
	// was reported removed.
	class IceServer
	{
	public:
		enum class IceState
		{
			NEW = 1,
			CONNECTED,
			COMPLETED,
			DISCONNECTED
		};

	public:
		class Listener
		{
		public:
			virtual ~Listener() = default;

		public:
			// `data` is valid only during the call.
			virtual void OnIceServerSendStunPacket(
				const IceServer* iceServer,
				const uint8_t* data,
				size_t len,
				RTC::TransportTuple* tuple) = 0;
			virtual void OnIceServerLocalUsernameFragmentAdded(
				const IceServer* iceServer, const std::string& usernameFragment) = 0;
			virtual void OnIceServerLocalUsernameFragmentRemoved(
				const IceServer* iceServer, const std::string& usernameFragment) = 0;
			// The tuple is the IceServer's copy, valid until TupleRemoved.
			virtual void
			OnIceServerTupleAdded(const IceServer* iceServer, RTC::TransportTuple* tuple) = 0;
			// The tuple is valid only during the call.
			virtual void
			OnIceServerTupleRemoved(const IceServer* iceServer, RTC::TransportTuple* tuple) = 0;
			// Never called with nullptr: losing the selected tuple without a
			// replacement is reported by OnIceServerDisconnected().
			virtual void
			OnIceServerSelectedTuple(const IceServer* iceServer, RTC::TransportTuple* tuple) = 0;
			virtual void OnIceServerConnected(const IceServer* iceServer)                    = 0;
			virtual void OnIceServerCompleted(const IceServer* iceServer)                    = 0;
			virtual void OnIceServerDisconnected(const IceServer* iceServer)                 = 0;
		};

		// What ProcessStunPacket() made of a packet.
		enum class StunVerdict
		{
			// Authenticated request: answered (success or error).
			ACCEPTED = 1,
			// Indication (keepalive): nothing to do.
			IGNORED,
			// Not a well-formed ICE Binding request (a response, another method,
			// no FINGERPRINT): dropped silently.
			INVALID,
			// No USERNAME or MESSAGE-INTEGRITY, unknown username fragment or wrong
			// password: dropped silently.
			UNAUTHORIZED
		};

	public:
		// Tuples kept at once; past it the least recently refreshed tuple that
		// is not the selected one is evicted (TupleRemoved).
		static constexpr size_t MaxTuples{ 8u };

	public:
		// Reports the username fragment as added (from within the constructor).
		// consentTimeoutSec 0 disables consent checking.
		IceServer(
			Listener* listener,
			const std::string& usernameFragment,
			const std::string& password,
			uint32_t consentTimeoutSec);
		// Reports every stored tuple as removed, then every username fragment
		// still registered (the current one, and the previous one after a
		// restart) as removed. OnIceServerDisconnected() is not called.
		~IceServer();
		IceServer(const IceServer&)            = delete;
		IceServer& operator=(const IceServer&) = delete;

	public:
		// `tuple` is the caller's (usually on its stack); it is copied when
		// stored. Time going backwards counts as no time passing.
		StunVerdict
		ProcessStunPacket(const StunPacket& packet, RTC::TransportTuple* tuple, uint64_t nowMs);
		// New credentials. The previous username fragment keeps working until a
		// valid request with the new one arrives (then it is reported removed);
		// the new one is reported added at once. Restarting again before the new
		// credentials were ever used drops them and keeps the ones in use.
		void RestartIce(const std::string& usernameFragment, const std::string& password);
		bool IsValidTuple(const RTC::TransportTuple* tuple) const;
		// E.g. its TCP connection closed. When it is the selected one, the most
		// recently refreshed remaining tuple is selected, or, with none left,
		// the state goes DISCONNECTED.
		void RemoveTuple(RTC::TransportTuple* tuple);
		// Authenticated DTLS or media (decrypted and parsed: the caller checks)
		// arrived on a stored tuple that is not the selected one (the
		// controlling peer moved, RFC 8445 lite behaviour with aggressive
		// nomination): select it and refresh its consent, since the peer proved
		// it holds the keys from there. Only while CONNECTED or COMPLETED.
		// Returns whether it was selected.
		bool MayForceSelectedTuple(const RTC::TransportTuple* tuple, uint64_t nowMs);
		// When consent of the selected tuple expires; nullopt when there is no
		// consent to check (disabled, or not CONNECTED/COMPLETED).
		std::optional<uint64_t> GetNextDeadlineMs() const;
		void OnTimeout(uint64_t nowMs);
		const std::string& GetUsernameFragment() const { return this->usernameFragment; }
		const std::string& GetPassword() const { return this->password; }
		IceState GetState() const { return this->state; }
		RTC::TransportTuple* GetSelectedTuple() const { return this->selectedTuple; }
		size_t GetTupleCount() const { return this->tuples.size(); }

	private:
		struct StoredTuple
		{
			std::unique_ptr<RTC::TransportTuple> tuple;
			// Time of the last valid request received on it.
			uint64_t lastRequestMs{ 0u };
		};

	private:
		void SendErrorResponse(
			const StunPacket& request,
			RTC::TransportTuple* tuple,
			uint16_t code,
			std::string_view password);
		StoredTuple* FindTuple(const RTC::TransportTuple* tuple);
		const StoredTuple* FindTuple(const RTC::TransportTuple* tuple) const;
		// Evicts one tuple first when MaxTuples are stored.
		void AddTuple(const RTC::TransportTuple* tuple, uint64_t nowMs);
		// Takes the tuple out of the list and reports it removed; fixes the
		// selection first when it was the selected one.
		void EvictTuple(std::vector<StoredTuple>::iterator it);
		void SetSelectedTuple(RTC::TransportTuple* tuple);
		void Disconnect();
		// Calls back Removed, then Added, for the difference between the
		// username fragments registered before and now.
		void ReportUsernameFragments(
			const std::string& oldCurrent, const std::optional<std::string>& oldPrevious);

	private:
		// Passed by argument.
		Listener* listener{ nullptr };
		std::string usernameFragment;
		std::string password;
		uint64_t consentTimeoutMs{ 0u };
		// Allocated by this.
		std::vector<StoredTuple> tuples;
		// Others.
		// Credentials before the last RestartIce(), until a request with the new
		// ones arrives.
		std::optional<std::string> previousUsernameFragment;
		std::string previousPassword;
		// Whether a valid request with the current credentials has arrived.
		bool currentCredentialsUsed{ false };
		IceState state{ IceState::NEW };
		RTC::TransportTuple* selectedTuple{ nullptr };
		uint64_t lastNowMs{ 0u };
	};
} // namespace RTC

#endif
