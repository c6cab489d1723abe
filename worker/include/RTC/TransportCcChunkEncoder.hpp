#ifndef MS_RTC_TRANSPORT_CC_CHUNK_ENCODER_HPP
#define MS_RTC_TRANSPORT_CC_CHUNK_ENCODER_HPP

#include "common.hpp"

#include "RTC/RTCP/TransportWideCc.hpp"

#include <array>
#include <span>
#include <vector>

namespace RTC
{
	// Packs the packet statuses of a transport-cc feedback into packet chunks
	// (draft-holmer-rmcat-transport-wide-cc-extensions-01 3.1.3, 3.1.4),
	// choosing for size: a run of one status becomes a run length chunk (up to
	// MaxRunLength), mixed statuses a status vector chunk, 14 x 1 bit while
	// only "not received" and "small delta" are among them, 7 x 2 bits when a
	// large delta is.
	//
	// Statuses are held back until it is known which chunk suits them (at
	// most MaxRunLength of one status, else at most 14); complete chunks are
	// appended to an internal buffer whose capacity is reused after Reset().
	// Finish() writes the held statuses as a last chunk, which may cover fewer
	// statuses than it holds.
	class TransportCcChunkEncoder
	{
	public:
		using Status = RTCP::TransportWideCc::Status;

	public:
		// A run length chunk counts its run in 13 bits.
		static constexpr size_t MaxRunLength{ 0x1FFFu };
		static constexpr size_t OneBitCapacity{ 14u };
		static constexpr size_t TwoBitCapacity{ 7u };
		static constexpr size_t ChunkSize{ 2u };

	public:
		// Forgets every status and chunk (keeps the buffer's capacity).
		void Reset();
		// Appends `count` statuses `status` (RESERVED is not a status to send).
		void Add(Status status, size_t count = 1u);
		// Bytes of chunks were Finish() called now.
		size_t GetSize() const;
		// Bytes of chunks were `missing` NOT_RECEIVED and then one `status`
		// added, and Finish() called. Changes nothing.
		size_t GetSizeWith(size_t missing, Status status) const;
		// Writes the held statuses as a last chunk and returns every chunk, in
		// network byte order. Valid until the next call that changes this.
		std::span<const uint8_t> Finish();

	private:
		// The statuses not yet written as a chunk.
		struct Held
		{
			// The first OneBitCapacity of them (all of them unless a run).
			std::array<Status, OneBitCapacity> statuses{};
			size_t count{ 0u };
			bool allSame{ true };
			bool hasLarge{ false };
		};

	private:
		template <typename Emit>
		static void Push(Held& held, Status status, size_t count, Emit&& emit);
		static bool CanAdd(const Held& held, Status status);
		// Writes a chunk out of the held statuses (all, or the first 7 or 14).
		template <typename Emit>
		static void EmitOne(Held& held, Emit&& emit);
		template <typename Emit>
		static void EmitAll(Held& held, Emit&& emit);

	private:
		// Allocated by this.
		std::vector<uint8_t> chunks;
		// Others.
		Held held;
	};
} // namespace RTC

#endif
