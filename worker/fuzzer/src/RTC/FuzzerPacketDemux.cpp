// Classifies arbitrary bytes (RFC 7983) and checks that each kind holds what
// its parser may rely on.

#include "common.hpp"

#include "RTC/PacketDemux.hpp"
#include "RTC/StunPacket.hpp"
#include "Settings.hpp"

using RTC::PacketKind;

namespace
{
	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
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
	const auto kind = RTC::ClassifyPacket(bytes);

	switch (kind)
	{
		case PacketKind::STUN:
		{
			Check(RTC::StunPacket::IsStun(bytes));
			Check(size >= RTC::StunPacket::HeaderSize && data[0] <= 3u);
			// May or may not parse; must not crash.
			RTC::StunPacket::Parse(bytes);

			break;
		}

		case PacketKind::DTLS:
		{
			Check(size >= 13u && data[0] >= 20u && data[0] <= 63u);

			break;
		}

		case PacketKind::RTP:
		{
			Check(size >= 12u && data[0] >= 128u && data[0] <= 191u);
			Check(data[1] < 192u || data[1] > 223u);

			break;
		}

		case PacketKind::RTCP:
		{
			Check(size >= 4u && data[0] >= 128u && data[0] <= 191u);
			Check(data[1] >= 192u && data[1] <= 223u);

			break;
		}

		case PacketKind::UNKNOWN:
		{
			// Whatever parses as STUN with a first byte of 0..3 (RFC 7983; STUN
			// itself allows 0..63) is classified as STUN.
			Check(size == 0u || data[0] > 3u || !RTC::StunPacket::Parse(bytes));

			break;
		}
	}

	return 0;
}
