// Parses arbitrary bytes as STUN; whatever parses has its accessors read, its
// integrity checked, and responses to it (and a request rebuilt from it)
// serialised and parsed back, which must succeed.

#include "common.hpp"

#include "RTC/StunPacket.hpp"
#include "Settings.hpp"
#include "Utils/IP.hpp"

#include <array>

using RTC::StunPacket;

namespace
{
	// A failed property is a bug: crash so that libFuzzer reports it.
	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}

	// Serialises `writer`, parses the result back and returns it checked.
	template <typename Fn>
	void RoundTrip(const StunPacket::Writer& writer, Fn&& check)
	{
		thread_local std::array<uint8_t, StunPacket::HeaderSize + 0xFFFFu> buffer;

		const size_t size = writer.GetSize();

		if (size == 0u)
		{
			return;
		}

		Check(writer.Serialize(std::span<uint8_t>(buffer.data(), size - 1u)) == 0u);
		Check(writer.Serialize(buffer) == size);

		const auto parsed = StunPacket::Parse(std::span<const uint8_t>(buffer.data(), size));

		Check(parsed.has_value());
		Check(parsed->HasFingerprint());
		check(*parsed);
	}
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	const std::span<const uint8_t> bytes(data, size);
	const bool isStun = StunPacket::IsStun(bytes);
	const auto packet = StunPacket::Parse(bytes);

	if (!packet)
	{
		return 0;
	}

	Check(isStun);
	Check(packet->GetSize() == size);

	// Accessors.
	const auto username    = packet->GetUsername();
	const auto software    = packet->GetSoftware();
	const auto errorCode   = packet->GetErrorCode();
	const auto* mapped     = packet->GetXorMappedAddress();
	const auto unknown     = packet->GetUnknownAttributes();
	const auto transaction = packet->GetTransactionId();

	Check(username.size() <= StunPacket::MaxUsernameLength);
	Check(unknown.size() <= StunPacket::MaxUnknownAttributes);
	Check(username.empty() || packet->HasUsername());
	Check(!errorCode || (errorCode->code >= 300u && errorCode->code <= 699u));
	Check(!mapped || Utils::IP::GetAddressLength(mapped) != 0u);

	// Authentication: with the USERNAME's own local part, and with a wrong one.
	const auto colon          = username.find(':');
	const auto localUfrag     = username.substr(0, colon == std::string_view::npos ? 0u : colon);
	const auto authentication = packet->CheckAuthentication(localUfrag, "password");
	const auto wrong          = packet->CheckAuthentication("!", "password");

	Check(authentication != StunPacket::Authentication::OK || packet->HasMessageIntegrity());
	Check(
		packet->GetClass() == StunPacket::Class::SUCCESS_RESPONSE ||
		packet->GetClass() == StunPacket::Class::ERROR_RESPONSE ||
		wrong != StunPacket::Authentication::OK);
	packet->CheckMessageIntegrity("");

	// A success response to it, to its own mapped address or a fixed one.
	static const auto fallback = Utils::IP::MakeAddress("2001:db8::1", 3478u);
	const auto* responseAddress =
		mapped ? mapped : reinterpret_cast<const struct sockaddr*>(&fallback);

	RoundTrip(
		StunPacket::Writer::MakeBindingSuccessResponse(*packet, responseAddress, "password"),
		[&](const StunPacket& response)
		{
			Check(response.GetClass() == StunPacket::Class::SUCCESS_RESPONSE);
			Check(
				std::equal(transaction.begin(), transaction.end(), response.GetTransactionId().begin()));
			Check(response.GetXorMappedAddress() != nullptr);
			Check(Utils::IP::CompareAddresses(response.GetXorMappedAddress(), responseAddress));
			Check(response.CheckMessageIntegrity("password"));
		});

	// Error responses, as the ICE server sends them.
	for (const uint16_t code : { 400u, 401u, 420u, 487u })
	{
		auto writer = StunPacket::Writer::MakeBindingErrorResponse(
			*packet, code, code == 400u || code == 401u ? "" : "password");

		if (code == 420u)
		{
			writer.SetUnknownAttributes(unknown);
		}

		RoundTrip(
			writer,
			[&](const StunPacket& response)
			{
				Check(response.GetErrorCode().has_value());
				Check(response.GetErrorCode()->code == code);
				Check(response.HasMessageIntegrity() == (code == 420u || code == 487u));
			});
	}

	// The request rebuilt from what was parsed.
	StunPacket::Writer rebuilt(packet->GetClass(), packet->GetMethod(), transaction);

	rebuilt.SetUsername(username);
	rebuilt.SetSoftware(software);

	if (packet->GetPriority())
	{
		rebuilt.SetPriority(*packet->GetPriority());
	}

	if (packet->GetIceControlling())
	{
		rebuilt.SetIceControlling(*packet->GetIceControlling());
	}

	if (packet->GetIceControlled())
	{
		rebuilt.SetIceControlled(*packet->GetIceControlled());
	}

	if (errorCode)
	{
		rebuilt.SetErrorCode(errorCode->code, errorCode->reason);
	}

	rebuilt.SetUseCandidate(packet->HasUseCandidate());
	rebuilt.SetXorMappedAddress(mapped);
	rebuilt.SetMessageIntegrityKey("password");

	RoundTrip(
		rebuilt,
		[&](const StunPacket& copy)
		{
			Check(copy.GetClass() == packet->GetClass());
			Check(copy.GetMethod() == packet->GetMethod());
			Check(copy.GetUsername() == username);
			Check(copy.GetSoftware() == software);
			Check(copy.GetPriority() == packet->GetPriority());
			Check(copy.GetIceControlling() == packet->GetIceControlling());
			Check(copy.GetIceControlled() == packet->GetIceControlled());
			Check(copy.HasUseCandidate() == packet->HasUseCandidate());
			Check(copy.GetErrorCode().has_value() == errorCode.has_value());
			Check(!errorCode || copy.GetErrorCode()->reason == errorCode->reason);
			Check((copy.GetXorMappedAddress() == nullptr) == (mapped == nullptr));
			Check(copy.CheckMessageIntegrity("password"));

			if (!username.empty())
			{
				Check(
					copy.CheckAuthentication(localUfrag, "password") == StunPacket::Authentication::OK ||
					colon == std::string_view::npos || copy.GetClass() != StunPacket::Class::REQUEST);
			}
		});

	return 0;
}
