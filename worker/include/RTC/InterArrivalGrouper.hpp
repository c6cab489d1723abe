#ifndef MS_RTC_INTER_ARRIVAL_GROUPER_HPP
#define MS_RTC_INTER_ARRIVAL_GROUPER_HPP

#include "common.hpp"

#include <optional>

namespace RTC
{
	// The arrival-time model of Google Congestion Control
	// (draft-ietf-rmcat-gcc-02, 5.2): packets sent within BurstUs of the first
	// one of their group form a group, and each group that completes is
	// compared with the one before it. The delay variation
	// d(i) = arrivalDelta - sendDelta is what the trend estimator smooths.
	// Clock-free: send and arrival times are given in microseconds (the send
	// times from abs-send-time here, from the send history on the send side).
	//
	// - A packet arriving in a burst (within BurstUs of the previous one and
	//   earlier than its send spacing says) joins the current group, as the
	//   draft asks, so a queue that drains at line rate does not look like
	//   capacity; a burst is cut at MaxBurstDurationUs.
	// - A packet sent before the current group is reordered: it is ignored
	//   (its group has been compared already) and counted.
	// - A packet more than MaxArrivalGapUs after the previous one, or whose
	//   send time is more than MaxSendJumpUs away from the group's, starts
	//   over: no delta across a pause, a new sender clock or garbage. The
	//   caller is told, so it can reset what it derives from the deltas.
	class InterArrivalGrouper
	{
	public:
		static constexpr uint64_t BurstUs{ 5000u };
		static constexpr uint64_t MaxBurstDurationUs{ 100000u };
		static constexpr uint64_t MaxArrivalGapUs{ 3000000u };
		static constexpr uint64_t MaxSendJumpUs{ 3000000u };
		// Larger sizes are counted as this (an IP packet holds no more), so
		// group sizes cannot overflow.
		static constexpr size_t MaxPacketSize{ 65535u };

	public:
		// Consecutive completed groups, compared (times of their last packets).
		struct Deltas
		{
			int64_t sendDeltaUs{ 0 };
			int64_t arrivalDeltaUs{ 0 };
			int64_t sizeDelta{ 0 };
			// Arrival of the last packet of the newer group.
			uint64_t arrivalUs{ 0u };
		};

		enum class Result : uint8_t
		{
			// In a group that has not completed yet.
			Pending,
			// A group completed: GetDeltas() holds its comparison.
			Deltas,
			// Sent before the current group: ignored.
			Reordered,
			// Started over with this packet.
			Reset,
		};

	public:
		Result AddPacket(uint64_t sendUs, uint64_t arrivalUs, size_t size);
		// Valid after AddPacket() returned Result::Deltas.
		const Deltas& GetDeltas() const { return this->deltas; }
		uint64_t GetReorderedCount() const { return this->reorderedCount; }
		uint64_t GetResetCount() const { return this->resetCount; }
		void Reset();

	private:
		struct Group
		{
			uint64_t firstSendUs{ 0u };
			uint64_t lastSendUs{ 0u };
			uint64_t firstArrivalUs{ 0u };
			uint64_t lastArrivalUs{ 0u };
			uint64_t size{ 0u };
		};

	private:
		void Start(uint64_t sendUs, uint64_t arrivalUs, size_t size);
		bool BelongsToBurst(uint64_t sendUs, uint64_t arrivalUs) const;

	private:
		std::optional<Group> current;
		std::optional<Group> previous;
		Deltas deltas;
		uint64_t reorderedCount{ 0u };
		uint64_t resetCount{ 0u };
	};
} // namespace RTC

#endif
