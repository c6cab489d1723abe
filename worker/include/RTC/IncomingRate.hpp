#ifndef MS_RTC_INCOMING_RATE_HPP
#define MS_RTC_INCOMING_RATE_HPP

#include "common.hpp"

#include <deque>
#include <optional>

namespace RTC
{
	// The rate packets arrive at, over a sliding window, for the bandwidth
	// estimator: the bytes after the first packet in the window divided by the
	// time from the first to the last. Unlike a bucketed counter
	// (RateCalculator) it has no bucket-edge error, which matters where a few
	// percent decide whether the path has grown. Clock-free: times in
	// microseconds; time going back counts as none passing.
	class IncomingRate
	{
	public:
		// 100 Mbit/s of 1200-byte packets for 1 s; beyond it the oldest go.
		static constexpr size_t MaxPackets{ 10000u };
		// Larger sizes count as this.
		static constexpr size_t MaxPacketSize{ 65535u };

	public:
		explicit IncomingRate(uint64_t windowUs) : windowUs(windowUs) {}

	public:
		void Update(size_t size, uint64_t nowUs);
		// Bits per second, or nullopt while the packets in the window span
		// less than half of it (too short to say).
		std::optional<uint32_t> GetRate(uint64_t nowUs);
		size_t GetPacketCount() const { return this->packets.size(); }

	private:
		void Expire(uint64_t nowUs);

	private:
		struct Packet
		{
			uint64_t arrivalUs;
			uint32_t size;
		};

	private:
		uint64_t windowUs;
		std::deque<Packet> packets;
		uint64_t bytes{ 0u };
		uint64_t lastUs{ 0u };
	};
} // namespace RTC

#endif
