#define MS_CLASS "RTC::IceServer"
// #define MS_LOG_DEV

#include "RTC/IceServer.hpp"

#include "Logger.hpp"

#include <algorithm>
#include <array>

namespace RTC
{
	namespace
	{
		// Room for any response built here: header, ERROR-CODE with the longest
		// standard reason, UNKNOWN-ATTRIBUTES with all of them,
		// XOR-MAPPED-ADDRESS (IPv6), MESSAGE-INTEGRITY and FINGERPRINT.
		constexpr size_t ResponseBufferSize{ 256u };

		static_assert(
			StunPacket::HeaderSize + (4u + 4u + 20u) + (4u + 2u * StunPacket::MaxUnknownAttributes) +
					(4u + 20u) + (4u + 20u) + (4u + 4u) <=
				ResponseBufferSize,
			"ResponseBufferSize too small");
		static_assert(IceServer::MaxTuples >= 2u, "eviction needs a tuple that is not selected");

		const char* StateToString(IceServer::IceState state)
		{
			switch (state)
			{
				case IceServer::IceState::NEW:
					return "new";
				case IceServer::IceState::CONNECTED:
					return "connected";
				case IceServer::IceState::COMPLETED:
					return "completed";
				case IceServer::IceState::DISCONNECTED:
					return "disconnected";
			}

			return "unknown";
		}
	} // namespace

	/* Instance methods. */

	IceServer::IceServer(
		Listener* listener,
		const std::string& usernameFragment,
		const std::string& password,
		uint32_t consentTimeoutSec)
			: listener(listener),
				usernameFragment(usernameFragment),
				password(password),
				consentTimeoutMs(static_cast<uint64_t>(consentTimeoutSec) * 1000u)
	{
		this->listener->OnIceServerLocalUsernameFragmentAdded(this, this->usernameFragment);
	}

	IceServer::~IceServer()
	{
		this->selectedTuple = nullptr;

		auto removed = std::move(this->tuples);

		this->tuples.clear();

		for (auto& stored : removed)
		{
			this->listener->OnIceServerTupleRemoved(this, stored.tuple.get());
		}

		if (this->previousUsernameFragment)
		{
			this->listener->OnIceServerLocalUsernameFragmentRemoved(
				this, *this->previousUsernameFragment);
		}

		this->listener->OnIceServerLocalUsernameFragmentRemoved(this, this->usernameFragment);
	}

	IceServer::StunVerdict
	IceServer::ProcessStunPacket(const StunPacket& packet, RTC::TransportTuple* tuple, uint64_t nowMs)
	{
		this->lastNowMs = std::max(this->lastNowMs, nowMs);

		// A lite agent sends no requests, so it expects no responses; Binding
		// indications are keepalives (RFC 8445 11).
		if (packet.GetClass() == StunPacket::Class::INDICATION)
		{
			MS_DEBUG_DEV("STUN indication ignored");

			return StunVerdict::IGNORED;
		}

		if (packet.GetClass() != StunPacket::Class::REQUEST)
		{
			MS_DEBUG_TAG(ice, "STUN response received (we send no requests), dropped");

			return StunVerdict::INVALID;
		}

		// Until the request proves the password nothing is answered (see the
		// header): the 400 and 401 of RFC 5389 would go to any source.
		if (packet.GetMethod() != StunPacket::Method::BINDING)
		{
			MS_DEBUG_TAG(
				ice,
				"STUN request with unknown method 0x%03x, dropped",
				static_cast<unsigned int>(packet.GetMethod()));

			return StunVerdict::INVALID;
		}

		// ICE checks always carry FINGERPRINT (RFC 8445 7.1.1).
		if (!packet.HasFingerprint())
		{
			MS_DEBUG_TAG(ice, "STUN Binding request without FINGERPRINT, dropped");

			return StunVerdict::INVALID;
		}

		// The current credentials, or the previous ones after a restart until a
		// request with the new ones arrives.
		bool withPreviousCredentials{ false };
		auto authentication = packet.CheckAuthentication(this->usernameFragment, this->password);

		if (
			authentication == StunPacket::Authentication::UNAUTHORIZED &&
			this->previousUsernameFragment &&
			packet.CheckAuthentication(*this->previousUsernameFragment, this->previousPassword) ==
				StunPacket::Authentication::OK)
		{
			authentication          = StunPacket::Authentication::OK;
			withPreviousCredentials = true;
		}

		switch (authentication)
		{
			case StunPacket::Authentication::OK:
			{
				break;
			}

			case StunPacket::Authentication::BAD_REQUEST:
			{
				MS_DEBUG_TAG(ice, "STUN Binding request without USERNAME or MESSAGE-INTEGRITY, dropped");

				return StunVerdict::UNAUTHORIZED;
			}

			case StunPacket::Authentication::UNAUTHORIZED:
			{
				MS_DEBUG_TAG(ice, "STUN Binding request with wrong credentials, dropped");

				return StunVerdict::UNAUTHORIZED;
			}
		}

		// Authenticated from here: responses carry MESSAGE-INTEGRITY with the
		// password the request was checked with (RFC 5389 10.1.3).
		const std::string& responsePassword =
			withPreviousCredentials ? this->previousPassword : this->password;

		if (!packet.GetUnknownAttributes().empty())
		{
			MS_DEBUG_TAG(
				ice, "STUN Binding request with unknown comprehension-required attributes, answering 420");

			SendErrorResponse(packet, tuple, 420u, responsePassword);

			return StunVerdict::ACCEPTED;
		}

		// Both sides would be controlled: we are lite and cannot switch to
		// controlling (RFC 8445 7.3.1.1).
		if (packet.GetIceControlled())
		{
			MS_DEBUG_TAG(ice, "STUN Binding request with ICE-CONTROLLED, answering 487");

			SendErrorResponse(packet, tuple, 487u, responsePassword);

			return StunVerdict::ACCEPTED;
		}

		if (!packet.GetPriority())
		{
			MS_DEBUG_TAG(ice, "STUN Binding request without PRIORITY, answering 400");

			SendErrorResponse(packet, tuple, 400u, responsePassword);

			return StunVerdict::ACCEPTED;
		}

		// Answer first, so the success response goes out before anything that
		// the state changes below trigger (e.g. a DTLS ClientHello).
		{
			const auto writer = StunPacket::Writer::MakeBindingSuccessResponse(
				packet, tuple->GetRemoteAddress(), responsePassword);
			std::array<uint8_t, ResponseBufferSize> buffer;
			const size_t len = writer.Serialize(buffer);

			if (len != 0u)
			{
				this->listener->OnIceServerSendStunPacket(this, buffer.data(), len, tuple);
			}
		}

		// The peer uses the new credentials: the old ones are done with.
		if (!withPreviousCredentials)
		{
			this->currentCredentialsUsed = true;

			if (this->previousUsernameFragment)
			{
				const std::string removed = std::move(*this->previousUsernameFragment);

				this->previousUsernameFragment.reset();
				this->previousPassword.clear();

				MS_DEBUG_TAG(ice, "new ICE credentials in use, previous username fragment removed");

				this->listener->OnIceServerLocalUsernameFragmentRemoved(this, removed);
			}
		}

		auto* stored = FindTuple(tuple);

		if (stored)
		{
			stored->lastRequestMs = this->lastNowMs;
		}
		else
		{
			AddTuple(tuple, this->lastNowMs);

			// The listener may have removed it from within its callbacks.
			stored = FindTuple(tuple);

			if (!stored)
			{
				return StunVerdict::ACCEPTED;
			}
		}

		auto* storedTuple    = stored->tuple.get();
		const bool nominated = packet.HasUseCandidate();

		switch (this->state)
		{
			case IceState::NEW:
			case IceState::DISCONNECTED:
			{
				this->state = nominated ? IceState::COMPLETED : IceState::CONNECTED;

				MS_DEBUG_TAG(ice, "ICE state changed to %s", StateToString(this->state));

				SetSelectedTuple(storedTuple);

				if (nominated)
				{
					this->listener->OnIceServerCompleted(this);
				}
				else
				{
					this->listener->OnIceServerConnected(this);
				}

				break;
			}

			case IceState::CONNECTED:
			{
				if (!nominated)
				{
					break;
				}

				this->state = IceState::COMPLETED;

				MS_DEBUG_TAG(ice, "ICE state changed to completed");

				if (this->selectedTuple != storedTuple)
				{
					SetSelectedTuple(storedTuple);
				}

				this->listener->OnIceServerCompleted(this);

				break;
			}

			case IceState::COMPLETED:
			{
				if (nominated && this->selectedTuple != storedTuple)
				{
					MS_DEBUG_TAG(ice, "another tuple nominated");

					SetSelectedTuple(storedTuple);
				}

				break;
			}
		}

		return StunVerdict::ACCEPTED;
	}

	void IceServer::RestartIce(const std::string& usernameFragment, const std::string& password)
	{
		const std::string oldCurrent                 = this->usernameFragment;
		const std::optional<std::string> oldPrevious = this->previousUsernameFragment;

		// Keep the credentials the peer may be using: the current ones if a
		// request came with them (or nothing else is kept), else the previous.
		if (this->currentCredentialsUsed || !this->previousUsernameFragment)
		{
			this->previousUsernameFragment = this->usernameFragment;
			this->previousPassword         = this->password;
		}

		this->usernameFragment       = usernameFragment;
		this->password               = password;
		this->currentCredentialsUsed = false;

		// Restarting to the username fragment kept as previous: the new
		// password replaces the old one.
		if (this->previousUsernameFragment == this->usernameFragment)
		{
			this->previousUsernameFragment.reset();
			this->previousPassword.clear();
		}

		MS_DEBUG_TAG(ice, "ICE restarted with new credentials");

		ReportUsernameFragments(oldCurrent, oldPrevious);
	}

	bool IceServer::IsValidTuple(const RTC::TransportTuple* tuple) const
	{
		if (this->selectedTuple && this->selectedTuple->Compare(tuple))
		{
			return true;
		}

		return FindTuple(tuple) != nullptr;
	}

	void IceServer::RemoveTuple(RTC::TransportTuple* tuple)
	{
		const auto it = std::find_if(
			this->tuples.begin(),
			this->tuples.end(),
			[tuple](const StoredTuple& stored) { return stored.tuple->Compare(tuple); });

		if (it == this->tuples.end())
		{
			return;
		}

		EvictTuple(it);
	}

	bool IceServer::MayForceSelectedTuple(const RTC::TransportTuple* tuple, uint64_t nowMs)
	{
		this->lastNowMs = std::max(this->lastNowMs, nowMs);

		if (this->state != IceState::CONNECTED && this->state != IceState::COMPLETED)
		{
			return false;
		}

		if (this->selectedTuple && this->selectedTuple->Compare(tuple))
		{
			return false;
		}

		auto* stored = FindTuple(tuple);

		if (!stored)
		{
			return false;
		}

		MS_DEBUG_TAG(ice, "authenticated data on another valid tuple, selecting it");

		stored->lastRequestMs = this->lastNowMs;

		SetSelectedTuple(stored->tuple.get());

		return true;
	}

	std::optional<uint64_t> IceServer::GetNextDeadlineMs() const
	{
		if (
			this->consentTimeoutMs == 0u || !this->selectedTuple ||
			(this->state != IceState::CONNECTED && this->state != IceState::COMPLETED))
		{
			return std::nullopt;
		}

		const auto* stored = FindTuple(this->selectedTuple);

		if (!stored)
		{
			return std::nullopt;
		}

		// Saturating: a clock near its end must not wrap the deadline around.
		if (stored->lastRequestMs > UINT64_MAX - this->consentTimeoutMs)
		{
			return UINT64_MAX;
		}

		return stored->lastRequestMs + this->consentTimeoutMs;
	}

	void IceServer::OnTimeout(uint64_t nowMs)
	{
		this->lastNowMs = std::max(this->lastNowMs, nowMs);

		const auto deadline = GetNextDeadlineMs();

		if (!deadline || this->lastNowMs < *deadline)
		{
			return;
		}

		MS_DEBUG_TAG(ice, "ICE consent expired on the selected tuple");

		Disconnect();
	}

	void IceServer::SendErrorResponse(
		const StunPacket& request, RTC::TransportTuple* tuple, uint16_t code, std::string_view password)
	{
		auto writer = StunPacket::Writer::MakeBindingErrorResponse(request, code, password);

		if (code == 420u)
		{
			writer.SetUnknownAttributes(request.GetUnknownAttributes());
		}

		std::array<uint8_t, ResponseBufferSize> buffer;
		const size_t len = writer.Serialize(buffer);

		if (len == 0u)
		{
			return;
		}

		this->listener->OnIceServerSendStunPacket(this, buffer.data(), len, tuple);
	}

	IceServer::StoredTuple* IceServer::FindTuple(const RTC::TransportTuple* tuple)
	{
		for (auto& stored : this->tuples)
		{
			if (stored.tuple->Compare(tuple))
			{
				return &stored;
			}
		}

		return nullptr;
	}

	const IceServer::StoredTuple* IceServer::FindTuple(const RTC::TransportTuple* tuple) const
	{
		for (const auto& stored : this->tuples)
		{
			if (stored.tuple->Compare(tuple))
			{
				return &stored;
			}
		}

		return nullptr;
	}

	void IceServer::AddTuple(const RTC::TransportTuple* tuple, uint64_t nowMs)
	{
		if (this->tuples.size() >= MaxTuples)
		{
			// The least recently refreshed one that is not selected (the oldest
			// stored on a tie).
			auto victim = this->tuples.end();

			for (auto it = this->tuples.begin(); it != this->tuples.end(); ++it)
			{
				if (it->tuple.get() == this->selectedTuple)
				{
					continue;
				}

				if (victim == this->tuples.end() || it->lastRequestMs < victim->lastRequestMs)
				{
					victim = it;
				}
			}

			if (victim != this->tuples.end())
			{
				MS_DEBUG_TAG(ice, "too many tuples, evicting the least recently used one");

				EvictTuple(victim);
			}
		}

		this->tuples.push_back(StoredTuple{ std::make_unique<RTC::TransportTuple>(*tuple), nowMs });

		auto* added = this->tuples.back().tuple.get();

		this->listener->OnIceServerTupleAdded(this, added);
	}

	void IceServer::EvictTuple(std::vector<StoredTuple>::iterator it)
	{
		const std::unique_ptr<RTC::TransportTuple> removed = std::move(it->tuple);

		this->tuples.erase(it);

		const bool wasSelected = removed.get() == this->selectedTuple;
		RTC::TransportTuple* replacement{ nullptr };
		bool disconnected{ false };

		if (wasSelected)
		{
			this->selectedTuple = nullptr;

			// The most recently refreshed remaining tuple (the newest on a tie).
			const StoredTuple* best{ nullptr };

			for (const auto& stored : this->tuples)
			{
				if (!best || stored.lastRequestMs >= best->lastRequestMs)
				{
					best = &stored;
				}
			}

			if (best)
			{
				replacement         = best->tuple.get();
				this->selectedTuple = replacement;
			}
			else if (this->state == IceState::CONNECTED || this->state == IceState::COMPLETED)
			{
				this->state  = IceState::DISCONNECTED;
				disconnected = true;

				MS_DEBUG_TAG(ice, "selected tuple removed and no other left, ICE disconnected");
			}
		}

		this->listener->OnIceServerTupleRemoved(this, removed.get());

		// The replacement may itself have been removed from within the call.
		if (replacement && this->selectedTuple == replacement)
		{
			this->listener->OnIceServerSelectedTuple(this, replacement);
		}
		else if (disconnected)
		{
			this->listener->OnIceServerDisconnected(this);
		}
	}

	void IceServer::SetSelectedTuple(RTC::TransportTuple* tuple)
	{
		this->selectedTuple = tuple;

		this->listener->OnIceServerSelectedTuple(this, tuple);
	}

	void IceServer::Disconnect()
	{
		this->state         = IceState::DISCONNECTED;
		this->selectedTuple = nullptr;

		auto removed = std::move(this->tuples);

		this->tuples.clear();

		for (auto& stored : removed)
		{
			this->listener->OnIceServerTupleRemoved(this, stored.tuple.get());
		}

		this->listener->OnIceServerDisconnected(this);
	}

	void IceServer::ReportUsernameFragments(
		const std::string& oldCurrent, const std::optional<std::string>& oldPrevious)
	{
		const auto wasRegistered = [&oldCurrent, &oldPrevious](const std::string& usernameFragment)
		{
			return usernameFragment == oldCurrent || (oldPrevious && usernameFragment == *oldPrevious);
		};
		// Copies: the listener may call back into this.
		const std::string current                 = this->usernameFragment;
		const std::optional<std::string> previous = this->previousUsernameFragment;
		const auto isRegistered = [&current, &previous](const std::string& usernameFragment)
		{
			return usernameFragment == current || (previous && usernameFragment == *previous);
		};

		// Removals first: the listener never holds more than two.
		if (!isRegistered(oldCurrent))
		{
			this->listener->OnIceServerLocalUsernameFragmentRemoved(this, oldCurrent);
		}

		if (oldPrevious && !isRegistered(*oldPrevious))
		{
			this->listener->OnIceServerLocalUsernameFragmentRemoved(this, *oldPrevious);
		}

		if (!wasRegistered(current))
		{
			this->listener->OnIceServerLocalUsernameFragmentAdded(this, current);
		}

		if (previous && !wasRegistered(*previous))
		{
			this->listener->OnIceServerLocalUsernameFragmentAdded(this, *previous);
		}
	}
} // namespace RTC
