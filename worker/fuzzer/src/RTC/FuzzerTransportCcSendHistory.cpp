// Drives the send side of transport-cc: packets sent (sizes, probe clusters
// and clock steps from the input, the clock sometimes going back), then
// transport-cc feedback made of arbitrary bytes behind a valid RTCP header,
// its base sequence number often aimed at what was sent. Whatever the input:
// the history stays within its cap, results come in sequence order and only
// for packets still kept, a packet gets one result (plus one `recovered`
// after a loss), the bytes in flight are those of the packets not reported,
// arrival times stay within their documented bounds and the loss fraction
// is a fraction.

#include "common.hpp"

#include "RTC/RTCP/TransportWideCc.hpp"
#include "RTC/TransportCcSendHistory.hpp"
#include "Settings.hpp"

#include <map>
#include <span>
#include <vector>

namespace
{
	using History = RTC::TransportCcSendHistory;

	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}

	// What the fuzzer knows of each packet sent.
	struct Shadow
	{
		size_t size{ 0u };
		bool lost{ false };
		bool received{ false };
	};
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	if (size < 2u)
	{
		return 0;
	}

	History history(static_cast<uint16_t>((data[0] << 8) | data[1]));
	std::map<uint64_t, Shadow> shadow;
	uint64_t nowUs{ 1000000000u };
	std::vector<uint8_t> packet;
	size_t pos{ 2u };

	while (pos + 4u <= size)
	{
		const uint8_t op      = data[pos];
		const uint8_t arg     = data[pos + 1u];
		const uint16_t clock  = static_cast<uint16_t>((data[pos + 2u] << 8) | data[pos + 3u]);
		const uint64_t stepUs = static_cast<uint64_t>(clock) * ((op & 0x40u) != 0u ? 64u : 1u);

		pos += 4u;

		if ((op & 0x80u) != 0u && nowUs > stepUs)
		{
			nowUs -= stepUs;
		}
		else
		{
			nowUs += stepUs;
		}

		if ((op & 0x01u) == 0u)
		{
			// `arg` packets, 1 ms apart, every fourth in a probe cluster.
			for (size_t i = 0u; i <= arg; ++i)
			{
				const size_t packetSize = 20u + (static_cast<size_t>(clock) + i * 97u) % 1500u;
				const auto probe =
					(i % 4u == 3u) ? std::optional<uint32_t>(op & 0x0Fu) : std::optional<uint32_t>();

				history.RecordSend(packetSize, nowUs, probe);
				shadow[*history.GetLastExtendedSeq()] = { packetSize, false, false };
				nowUs += 1000u;
			}
		}
		else
		{
			// A feedback of `arg` * 4 bytes of FCI, behind a valid header.
			const size_t fciSize =
				std::min<size_t>(static_cast<size_t>(arg) * 4u, size - pos) & ~size_t{ 3u };

			if (fciSize < RTC::RTCP::TransportWideCc::FixedFciSize)
			{
				continue;
			}

			const size_t length = 12u + fciSize;

			packet.assign({ 0x8f,
											205,
											static_cast<uint8_t>(((length / 4u) - 1u) >> 8),
											static_cast<uint8_t>((length / 4u) - 1u),
											0,
											0,
											0,
											1,
											0,
											0,
											0,
											2 });
			packet.insert(packet.end(), data + pos, data + pos + fciSize);
			pos += fciSize;

			// Aim the base sequence number at what was sent, most of the time.
			if ((op & 0x02u) != 0u && history.GetLastExtendedSeq())
			{
				const auto base = static_cast<uint16_t>(*history.GetLastExtendedSeq() - packet[12]);

				packet[12] = static_cast<uint8_t>(base >> 8);
				packet[13] = static_cast<uint8_t>(base);
			}

			const auto feedback = RTC::RTCP::TransportWideCc::Parse(packet);

			if (!feedback)
			{
				continue;
			}

			const uint64_t inFlightBefore = history.GetBytesInFlight();
			const auto& result            = history.ReceiveFeedback(*feedback, nowUs);
			const auto oldest             = *history.GetLastExtendedSeq() + 1u - history.GetPacketCount();
			std::optional<uint64_t> previous;

			Check(
				result.packets.size() == result.receivedCount + result.lostCount + result.recoveredCount);
			Check(history.GetBytesInFlight() <= inFlightBefore);

			for (const auto& packetResult : result.packets)
			{
				Check(!previous || packetResult.extendedSeq > *previous);
				previous = packetResult.extendedSeq;

				Check(packetResult.extendedSeq >= oldest);
				Check(packetResult.extendedSeq <= *history.GetLastExtendedSeq());

				Shadow& known = shadow.at(packetResult.extendedSeq);

				Check(packetResult.size == known.size);
				Check(!known.received);

				if (packetResult.arrivalUs)
				{
					const uint64_t arrivalUs = *packetResult.arrivalUs;

					Check(packetResult.recovered == known.lost);
					Check(arrivalUs + History::MaxClockMismatchUs >= packetResult.sendUs || arrivalUs == 0u);
					Check(arrivalUs <= std::max(nowUs + History::MaxClockMismatchUs, packetResult.sendUs));

					known.received = true;
				}
				else
				{
					Check(!known.lost);
					Check(!packetResult.recovered);

					known.lost = true;
				}
			}

			// The bytes in flight: those of the kept packets not reported.
			uint64_t inFlight{ 0u };

			for (auto it = shadow.lower_bound(oldest); it != shadow.end(); ++it)
			{
				if (!it->second.lost && !it->second.received)
				{
					inFlight += it->second.size;
				}
			}

			Check(history.GetBytesInFlight() == inFlight);
		}

		Check(history.GetPacketCount() <= History::MaxPackets);

		if (const auto fraction = history.GetLossFraction())
		{
			Check(*fraction >= 0.0 && *fraction <= 1.0);
		}

		// What the history forgot, the shadow forgets too.
		if (history.GetLastExtendedSeq())
		{
			shadow.erase(
				shadow.begin(),
				shadow.lower_bound(*history.GetLastExtendedSeq() + 1u - history.GetPacketCount()));
		}
	}

	return 0;
}
