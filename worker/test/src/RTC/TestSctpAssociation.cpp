#include "common.hpp"

#include "DepUsrSCTP.hpp"
#include "RTC/SctpAssociation.hpp"

#include <catch2/catch.hpp>
#include <usrsctp.h>

#include <chrono>
#include <deque>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

using namespace RTC;

namespace
{
	struct ReceivedMessage
	{
		uint16_t streamId;
		uint32_t ppid;
		std::vector<uint8_t> data;
	};

	// One end of an in-memory link: what its association sends waits in
	// `outbox` until the test carries it across, never from inside usrsctp.
	class Endpoint : public SctpAssociation::Listener
	{
	public:
		explicit Endpoint(const SctpAssociation::Options& options)
				: association(std::make_unique<SctpAssociation>(this, options))
		{
		}

		// The association's last words (an ABORT) go to the outbox: close it
		// while the outbox still exists.
		~Endpoint() override { this->association.reset(); }

		void OnSctpAssociationStateChanged(
			SctpAssociation* /*association*/, SctpAssociation::State state) override
		{
			this->states.push_back(state);
		}

		void OnSctpAssociationSendData(
			SctpAssociation* /*association*/, const uint8_t* data, size_t len) override
		{
			this->outbox.emplace_back(data, data + len);
		}

		void OnSctpAssociationMessageReceived(
			SctpAssociation* /*association*/,
			uint16_t streamId,
			uint32_t ppid,
			const uint8_t* msg,
			size_t len) override
		{
			this->messages.push_back({ streamId, ppid, std::vector<uint8_t>(msg, msg + len) });
		}

		void OnSctpAssociationBufferedAmount(
			SctpAssociation* /*association*/, uint16_t streamId, uint32_t bufferedAmount) override
		{
			this->bufferedAmounts.push_back({ streamId, bufferedAmount });
		}

		std::unique_ptr<SctpAssociation> association;
		std::deque<std::vector<uint8_t>> outbox;
		std::vector<SctpAssociation::State> states;
		std::vector<ReceivedMessage> messages;
		std::vector<std::pair<uint16_t, uint32_t>> bufferedAmounts;
	};

	// Carries packets both ways until both sides are quiet, dropping about
	// `lossPercent` of them (pseudo-random, reproducible) and letting `stepMs`
	// pass whenever the link is idle, so retransmission timers fire. Really
	// pass: usrsctp only resends chunks older than the RTO by the wall clock.
	void Pump(
		Endpoint& a, Endpoint& b, uint32_t lossPercent = 0u, uint32_t stepMs = 0u, int idleRounds = 0)
	{
		uint32_t seed{ 12345u };
		int idle{ 0 };

		while (true)
		{
			if (a.outbox.empty() && b.outbox.empty())
			{
				if (idle++ >= idleRounds)
				{
					return;
				}

				std::this_thread::sleep_for(std::chrono::milliseconds(stepMs));
				DepUsrSCTP::AdvanceTimers(stepMs);

				continue;
			}

			idle = 0;

			auto carry = [&](Endpoint& from, Endpoint& to)
			{
				while (!from.outbox.empty())
				{
					auto packet = std::move(from.outbox.front());

					from.outbox.pop_front();

					seed = seed * 1103515245u + 12345u;

					if ((seed >> 16u) % 100u < lossPercent)
					{
						continue;
					}

					if (to.association)
					{
						to.association->ProcessSctpData(packet.data(), packet.size());
					}
				}
			};

			carry(a, b);
			carry(b, a);
		}
	}

	void Connect(Endpoint& a, Endpoint& b)
	{
		a.association->Connect();
		b.association->Connect();
		Pump(a, b);
	}

	std::vector<uint8_t> Pattern(size_t len)
	{
		std::vector<uint8_t> data(len);

		for (size_t i{ 0u }; i < len; ++i)
		{
			data[i] = static_cast<uint8_t>(i * 7u + 3u);
		}

		return data;
	}
} // namespace

TEST_CASE("SctpAssociation::IsSctp", "[sctp]")
{
	struct Case
	{
		std::vector<uint8_t> packet;
		bool isSctp;
	};

	const std::vector<Case> cases = {
		// Ports 5000 -> 5000, then a chunk header.
		{ { 0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 4 }, true },
		// Too short for a chunk.
		{ { 0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0 }, false },
		// Other ports.
		{ { 0x13, 0x89, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 4 }, false },
		// RTP.
		{ { 0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0 }, false },
	};

	for (const auto& c : cases)
	{
		REQUIRE(SctpAssociation::IsSctp(c.packet.data(), c.packet.size()) == c.isSctp);
	}
}

TEST_CASE("SctpAssociation connects and carries messages both ways", "[sctp]")
{
	SctpAssociation::Options options;
	Endpoint a(options);
	Endpoint b(options);

	REQUIRE(a.association->GetState() == SctpAssociation::State::NEW);

	Connect(a, b);

	REQUIRE(a.association->GetState() == SctpAssociation::State::CONNECTED);
	REQUIRE(b.association->GetState() == SctpAssociation::State::CONNECTED);
	REQUIRE(a.states.front() == SctpAssociation::State::CONNECTING);
	REQUIRE(a.association->GetNegotiatedOs() == 1024u);
	REQUIRE(a.association->GetNegotiatedMis() == 1024u);

	SECTION("messages of every size arrive whole, on their stream, with their PPID")
	{
		const SctpAssociation::StreamReliability reliable;
		const std::vector<size_t> sizes = { 1u, 1000u, 1200u, 65536u, 262144u };

		for (const auto size : sizes)
		{
			const auto data = Pattern(size);

			REQUIRE(
				a.association->SendMessage(7u, 53u, reliable, data.data(), data.size()) ==
				SctpAssociation::SendResult::SENT);
			Pump(a, b);
		}

		REQUIRE(b.messages.size() == sizes.size());

		for (size_t i{ 0u }; i < sizes.size(); ++i)
		{
			REQUIRE(b.messages[i].streamId == 7u);
			REQUIRE(b.messages[i].ppid == 53u);
			REQUIRE(b.messages[i].data == Pattern(sizes[i]));
		}

		const std::vector<uint8_t> text = { 'h', 'i' };

		REQUIRE(
			b.association->SendMessage(2u, 51u, reliable, text.data(), text.size()) ==
			SctpAssociation::SendResult::SENT);
		Pump(a, b);

		REQUIRE(a.messages.size() == 1u);
		REQUIRE(a.messages[0].streamId == 2u);
		REQUIRE(a.messages[0].ppid == 51u);
		REQUIRE(a.messages[0].data == text);
	}

	SECTION("a small message on an idle association is sent at once: nothing stays buffered")
	{
		const std::vector<uint8_t> text = { 'f', 'o', 'o' };

		REQUIRE(
			a.association->SendMessage(1u, 51u, {}, text.data(), text.size()) ==
			SctpAssociation::SendResult::SENT);
		REQUIRE(a.association->GetBufferedAmount(1u) == 0u);
		REQUIRE(a.association->GetBufferedAmount() == 0u);
		// Not acknowledged yet: it is in flight, not buffered.
		REQUIRE(a.outbox.size() == 1u);
	}

	SECTION("what the congestion window holds back is buffered, per stream, until it goes out")
	{
		const auto data                 = Pattern(50000u);
		const std::vector<uint8_t> text = { 'x' };

		REQUIRE(
			a.association->SendMessage(1u, 53u, {}, data.data(), data.size()) ==
			SctpAssociation::SendResult::SENT);

		// The initial window lets a few packets out, not 50000 bytes.
		const uint32_t afterFirst = a.association->GetBufferedAmount(1u);

		REQUIRE(afterFirst > 40000u);
		REQUIRE(afterFirst < 50000u);

		REQUIRE(
			a.association->SendMessage(2u, 51u, {}, text.data(), text.size()) ==
			SctpAssociation::SendResult::SENT);
		REQUIRE(a.association->GetBufferedAmount(2u) == 1u);
		REQUIRE(a.association->GetBufferedAmount() == afterFirst + 1u);

		Pump(a, b, 0u, 50u, 5);

		REQUIRE(a.association->GetBufferedAmount(1u) == 0u);
		REQUIRE(a.association->GetBufferedAmount(2u) == 0u);
		REQUIRE(b.messages.size() == 2u);

		// Told as it went down, stream by stream, down to zero.
		uint32_t last1{ 50000u };

		for (const auto& [streamId, amount] : a.bufferedAmounts)
		{
			if (streamId == 1u)
			{
				REQUIRE(amount <= last1);
				last1 = amount;
			}
		}

		REQUIRE(last1 == 0u);
	}

	SECTION("messages over maxSendMessageSize or empty are refused")
	{
		const auto data = Pattern(options.maxSendMessageSize + 1u);

		REQUIRE(
			a.association->SendMessage(1u, 53u, {}, data.data(), data.size()) ==
			SctpAssociation::SendResult::TOO_BIG);
		REQUIRE(
			a.association->SendMessage(1u, 53u, {}, data.data(), 0u) ==
			SctpAssociation::SendResult::TOO_BIG);
	}

	SECTION("a reset stream is answered once, without a loop")
	{
		a.association->ResetStream(3u);
		Pump(a, b, 0u, 100u, 3);

		// Both sides quiet again and still connected.
		REQUIRE(a.association->GetState() == SctpAssociation::State::CONNECTED);
		REQUIRE(b.association->GetState() == SctpAssociation::State::CONNECTED);

		const std::vector<uint8_t> text = { 'x' };

		REQUIRE(
			a.association->SendMessage(3u, 51u, {}, text.data(), text.size()) ==
			SctpAssociation::SendResult::SENT);
		Pump(a, b);
		REQUIRE(b.messages.size() == 1u);
	}

	SECTION("closing one end aborts the association at the other")
	{
		a.association.reset();
		Pump(a, b);

		REQUIRE(b.association->GetState() == SctpAssociation::State::FAILED);
	}
}

TEST_CASE("SctpAssociation recovers ordered reliable messages over a lossy link", "[sctp]")
{
	// Short retransmission timeouts keep the test short in wall-clock time.
	usrsctp_sysctl_set_sctp_rto_min_default(40u);
	usrsctp_sysctl_set_sctp_rto_initial_default(40u);
	usrsctp_sysctl_set_sctp_rto_max_default(400u);

	SctpAssociation::Options options;
	Endpoint a(options);
	Endpoint b(options);

	usrsctp_sysctl_set_sctp_rto_min_default(1000u);
	usrsctp_sysctl_set_sctp_rto_initial_default(1000u);
	usrsctp_sysctl_set_sctp_rto_max_default(10000u);

	Connect(a, b);

	constexpr size_t Count{ 200u };

	for (size_t i{ 0u }; i < Count; ++i)
	{
		const auto data = Pattern(100u + i * 13u);

		REQUIRE(
			a.association->SendMessage(0u, 53u, {}, data.data(), data.size()) ==
			SctpAssociation::SendResult::SENT);
	}

	// One packet in five lost; retransmission timers run on simulated time.
	Pump(a, b, 20u, 20u, 100);

	REQUIRE(b.messages.size() == Count);

	for (size_t i{ 0u }; i < Count; ++i)
	{
		REQUIRE(b.messages[i].data == Pattern(100u + i * 13u));
	}
}

TEST_CASE("SctpAssociation drops messages over maxReceiveMessageSize and counts them", "[sctp]")
{
	SctpAssociation::Options sender;
	SctpAssociation::Options receiver;

	receiver.maxReceiveMessageSize = 3000u;

	Endpoint a(sender);
	Endpoint b(receiver);

	Connect(a, b);

	const auto big   = Pattern(10000u);
	const auto small = Pattern(2000u);

	a.association->SendMessage(4u, 53u, {}, big.data(), big.size());
	a.association->SendMessage(4u, 53u, {}, small.data(), small.size());
	Pump(a, b);

	REQUIRE(b.association->GetDroppedMessages() == 1u);
	REQUIRE(b.messages.size() == 1u);
	REQUIRE(b.messages[0].data == small);
}

TEST_CASE("SctpAssociation refuses to send before it is connected", "[sctp]")
{
	SctpAssociation::Options options;
	Endpoint a(options);
	const std::vector<uint8_t> text = { 'x' };

	REQUIRE(
		a.association->SendMessage(0u, 51u, {}, text.data(), text.size()) ==
		SctpAssociation::SendResult::NOT_CONNECTED);
}
