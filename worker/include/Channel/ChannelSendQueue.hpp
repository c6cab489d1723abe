#ifndef MS_CHANNEL_SEND_QUEUE_HPP
#define MS_CHANNEL_SEND_QUEUE_HPP

#include "common.hpp"

#include <list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace Channel
{
	// The messages waiting for the pipe to Node while Node does not read. The
	// network feeds this queue (a DirectTransport consumer sends one message
	// per RTP packet), so a stalled Node must not make the worker grow without
	// bound. Each message has a kind:
	// - Response: the answer to a request. Always kept: Node waits for it, and
	//   there are no more of them than the requests Node sent.
	// - State: a notification of an entity's state (ICE state, score, layers,
	//   pause...). Over MaxBytes, a new one replaces the queued one of the same
	//   entity and event, and goes last, so the application still ends up with
	//   the latest state of everything, in order. Bounded by entities × events.
	// - Droppable: packets to Node (RTP, RTCP, data messages of a
	//   DirectTransport), trace events and logs. Dropped (and counted) over
	//   DroppableMaxBytes, which keeps room under MaxBytes for the others.
	// No clock and no I/O here: ChannelSocket owns the pipe.
	class ChannelSendQueue
	{
	public:
		enum class Kind : uint8_t
		{
			Response,
			State,
			Droppable
		};

	public:
		// Four of the largest messages (4 MiB, a full dump response) fit, and so
		// does about a second of a 100 Mbit/s stream to a DirectTransport
		// consumer: a Node pause of a garbage collection loses nothing, while a
		// Node that stopped costs the worker a bounded, small amount.
		static constexpr size_t MaxBytes{ 16u * 1024u * 1024u };
		// Half the cap: media and traces never take the room of responses and
		// state notifications.
		static constexpr size_t DroppableMaxBytes{ MaxBytes / 2u };

	public:
		// `entity` and `event` name a State message (ignored for other kinds).
		// Returns false when the message was dropped.
		bool Push(Kind kind, std::string_view entity, uint8_t event, std::span<const uint8_t> bytes);
		bool IsEmpty() const { return this->entries.empty(); }
		// Removes the oldest message and hands its bytes over.
		std::vector<uint8_t> Pop();
		// Bytes the writer holds outside the queue (a write in progress) count
		// against the caps too.
		void SetInFlightBytes(size_t bytes) { this->inFlightBytes = bytes; }
		// Queued plus in flight.
		size_t GetBytes() const { return this->queuedBytes + this->inFlightBytes; }
		size_t GetCount() const { return this->entries.size(); }
		uint64_t GetDroppedCount() const { return this->droppedCount; }
		uint64_t GetCoalescedCount() const { return this->coalescedCount; }

	private:
		struct Entry
		{
			std::vector<uint8_t> bytes;
			// Empty unless a State message.
			std::string key;
		};

	private:
		std::list<Entry> entries;
		// The newest queued State message per entity and event.
		std::unordered_map<std::string, std::list<Entry>::iterator> latestState;
		size_t queuedBytes{ 0u };
		size_t inFlightBytes{ 0u };
		uint64_t droppedCount{ 0u };
		uint64_t coalescedCount{ 0u };
	};
} // namespace Channel

#endif
