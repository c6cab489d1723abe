// Drives the receive-side transport-cc feedback builder with arrivals whose
// transport-wide sequence numbers and clock steps come from the input
// (forwards, backwards, wrapping, duplicated), building feedback whenever the
// input says so or the deadline is due, at packet sizes also taken from it.
// Whatever the input: every packet built fits the size asked for, parses with
// the worker's own TransportWideCc parser and its statuses decode, and the
// pending list stays within its cap.

#include "common.hpp"

#include "RTC/RTCP/TransportWideCc.hpp"
#include "RTC/TransportCcFeedbackBuilder.hpp"
#include "Settings.hpp"

#include <span>

namespace
{
	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}

	void CheckPacket(std::span<const uint8_t> packet, size_t maxPacketSize)
	{
		Check(packet.size() <= maxPacketSize);

		const auto feedback = RTC::RTCP::TransportWideCc::Parse(packet);

		Check(feedback.has_value());

		auto reader = feedback->GetStatusReader();
		size_t statuses{ 0u };

		while (reader.Next())
		{
			++statuses;
		}

		Check(!reader.HasError());
		Check(statuses == feedback->GetPacketStatusCount());
	}
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	RTC::TransportCcFeedbackBuilder builder;
	uint64_t nowUs{ 1000000000u };
	uint16_t seq{ 0u };

	// Four bytes per operation: what, a sequence step, and a clock step.
	for (size_t i = 0u; i + 3u < size; i += 4u)
	{
		const uint8_t op     = data[i];
		const auto seqStep   = static_cast<int8_t>(data[i + 1u]);
		const uint16_t clock = static_cast<uint16_t>((data[i + 2u] << 8) | data[i + 3u]);

		// Mostly forwards in small steps; sometimes back (not below zero).
		if ((op & 0x80u) != 0u && nowUs > clock)
		{
			nowUs -= clock;
		}
		else
		{
			nowUs += clock;
		}

		switch (op & 0x03u)
		{
			case 0u:
			case 1u:
			{
				seq = static_cast<uint16_t>(seq + seqStep);
				builder.ReceivePacket(seq, nowUs);

				break;
			}

			case 2u:
			{
				// A jump far away (a new sender, or hostile numbers).
				seq = static_cast<uint16_t>(seq + (static_cast<uint16_t>(seqStep) << 8));
				builder.ReceivePacket(seq, nowUs);

				break;
			}

			default:
			{
				const size_t maxPacketSize = 16u + (clock % 1500u);

				builder.BuildFeedback(
					nowUs,
					1u,
					2u,
					maxPacketSize,
					[maxPacketSize](std::span<const uint8_t> packet) { CheckPacket(packet, maxPacketSize); });
			}
		}

		Check(builder.GetPendingCount() <= RTC::TransportCcFeedbackBuilder::MaxPendingArrivals);

		if (const auto deadline = builder.GetNextDeadlineUs(); deadline && *deadline <= nowUs)
		{
			builder.BuildFeedback(
				nowUs, 1u, 2u, 1200u, [](std::span<const uint8_t> packet) { CheckPacket(packet, 1200u); });
		}
	}

	return 0;
}
