#define MS_CLASS "RTC::TransportCcChunkEncoder"
// #define MS_LOG_DEV

#include "RTC/TransportCcChunkEncoder.hpp"

#include "Logger.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		using Status = TransportCcChunkEncoder::Status;

		uint16_t RunLengthChunk(Status status, size_t count)
		{
			return static_cast<uint16_t>((static_cast<uint16_t>(status) << 13) | count);
		}

		// |T=1|S=0| then one bit per status, the first in the highest bit.
		uint16_t OneBitChunk(std::span<const Status> statuses)
		{
			uint16_t chunk{ 0x8000u };

			for (size_t i = 0u; i < statuses.size(); ++i)
			{
				if (statuses[i] == Status::SMALL_DELTA)
				{
					chunk |= static_cast<uint16_t>(1u << (13u - i));
				}
			}

			return chunk;
		}

		// |T=1|S=1| then two bits per status, the first in the highest bits.
		uint16_t TwoBitChunk(std::span<const Status> statuses)
		{
			uint16_t chunk{ 0xC000u };

			for (size_t i = 0u; i < statuses.size(); ++i)
			{
				chunk |= static_cast<uint16_t>(static_cast<uint16_t>(statuses[i]) << (12u - 2u * i));
			}

			return chunk;
		}
	} // namespace

	/* Instance methods. */

	void TransportCcChunkEncoder::Reset()
	{
		this->chunks.clear();
		this->held = Held{};
	}

	void TransportCcChunkEncoder::Add(Status status, size_t count)
	{
		MS_ASSERT(status != Status::RESERVED, "the reserved status is not sent");

		Push(
			this->held,
			status,
			count,
			[this](uint16_t chunk)
			{
				this->chunks.push_back(static_cast<uint8_t>(chunk >> 8));
				this->chunks.push_back(static_cast<uint8_t>(chunk));
			});
	}

	size_t TransportCcChunkEncoder::GetSize() const
	{
		Held copy{ this->held };
		size_t size{ this->chunks.size() };

		EmitAll(copy, [&size](uint16_t /*chunk*/) { size += ChunkSize; });

		return size;
	}

	size_t TransportCcChunkEncoder::GetSizeWith(size_t missing, Status status) const
	{
		Held copy{ this->held };
		size_t size{ this->chunks.size() };
		const auto count = [&size](uint16_t /*chunk*/)
		{
			size += ChunkSize;
		};

		Push(copy, Status::NOT_RECEIVED, missing, count);
		Push(copy, status, 1u, count);
		EmitAll(copy, count);

		return size;
	}

	std::span<const uint8_t> TransportCcChunkEncoder::Finish()
	{
		EmitAll(
			this->held,
			[this](uint16_t chunk)
			{
				this->chunks.push_back(static_cast<uint8_t>(chunk >> 8));
				this->chunks.push_back(static_cast<uint8_t>(chunk));
			});

		return this->chunks;
	}

	template <typename Emit>
	void TransportCcChunkEncoder::Push(Held& held, Status status, size_t count, Emit&& emit)
	{
		while (count > 0u)
		{
			if (!CanAdd(held, status))
			{
				EmitOne(held, emit);

				continue;
			}

			// A run (or nothing held yet) takes as many as it can at once, so a
			// long gap costs one step, not one per lost packet.
			if (held.allSame && (held.count == 0u || held.statuses[0] == status))
			{
				const size_t n   = std::min(count, MaxRunLength - held.count);
				const size_t end = std::min(OneBitCapacity, held.count + n);

				for (size_t i = held.count; i < end; ++i)
				{
					held.statuses[i] = status;
				}

				held.count += n;
				count -= n;
			}
			else
			{
				// CanAdd() said fewer than OneBitCapacity are held.
				held.statuses[held.count] = status;
				held.count++;
				held.allSame = false;
				count--;
			}

			held.hasLarge = held.hasLarge || status == Status::LARGE_DELTA;
		}
	}

	bool TransportCcChunkEncoder::CanAdd(const Held& held, Status status)
	{
		// Any 7 statuses fit a 2-bit vector.
		if (held.count < TwoBitCapacity)
		{
			return true;
		}

		// Up to 14 fit a 1-bit vector while none is a large delta.
		if (held.count < OneBitCapacity && !held.hasLarge && status != Status::LARGE_DELTA)
		{
			return true;
		}

		return held.allSame && held.statuses[0] == status && held.count < MaxRunLength;
	}

	template <typename Emit>
	void TransportCcChunkEncoder::EmitOne(Held& held, Emit&& emit)
	{
		const std::span<const Status> statuses(held.statuses);

		if (held.allSame)
		{
			emit(RunLengthChunk(held.statuses[0], held.count));
			held = Held{};
		}
		else if (!held.hasLarge && held.count >= OneBitCapacity)
		{
			emit(OneBitChunk(statuses.first(OneBitCapacity)));
			held = Held{};
		}
		else
		{
			// Mixed and too many for a 2-bit vector with what comes next: write
			// the first 7, keep the rest for the next chunk.
			const size_t n = std::min(held.count, TwoBitCapacity);

			emit(TwoBitChunk(statuses.first(n)));

			const size_t rest = held.count - n;

			std::copy_n(held.statuses.begin() + n, rest, held.statuses.begin());

			held.count    = rest;
			held.allSame  = true;
			held.hasLarge = false;

			for (size_t i = 0u; i < rest; ++i)
			{
				held.allSame  = held.allSame && held.statuses[i] == held.statuses[0];
				held.hasLarge = held.hasLarge || held.statuses[i] == Status::LARGE_DELTA;
			}
		}
	}

	template <typename Emit>
	void TransportCcChunkEncoder::EmitAll(Held& held, Emit&& emit)
	{
		while (held.count > 0u)
		{
			const std::span<const Status> statuses(held.statuses);

			if (held.allSame)
			{
				emit(RunLengthChunk(held.statuses[0], held.count));
				held = Held{};
			}
			else if (!held.hasLarge && held.count <= OneBitCapacity)
			{
				emit(OneBitChunk(statuses.first(held.count)));
				held = Held{};
			}
			else if (held.count <= TwoBitCapacity)
			{
				emit(TwoBitChunk(statuses.first(held.count)));
				held = Held{};
			}
			else
			{
				EmitOne(held, emit);
			}
		}
	}
} // namespace RTC
