#define MS_CLASS "RTC::RTCP::ReportBlock"
// #define MS_LOG_DEV

#include "RTC/RTCP/ReportBlock.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

#include <algorithm>

namespace RTC::RTCP
{
	using Utils::Byte;

	ReportBlock ReportBlock::Parse(std::span<const uint8_t, Size> data)
	{
		const uint8_t* bytes = data.data();
		ReportBlock block;

		block.ssrc         = Byte::Get4Bytes(bytes, 0);
		block.fractionLost = bytes[4];

		// Sign-extend the 24-bit value.
		const uint32_t lost  = Byte::Get3Bytes(bytes, 5);
		block.cumulativeLost = (lost & 0x800000u) != 0u ? static_cast<int32_t>(lost) - 0x1000000
																										: static_cast<int32_t>(lost);

		block.extendedHighestSequenceNumber = Byte::Get4Bytes(bytes, 8);
		block.jitter                        = Byte::Get4Bytes(bytes, 12);
		block.lastSenderReport              = Byte::Get4Bytes(bytes, 16);
		block.delaySinceLastSenderReport    = Byte::Get4Bytes(bytes, 20);

		return block;
	}

	bool ReportBlock::ParseList(
		std::span<const uint8_t> data, size_t count, List& blocks, std::span<const uint8_t>& extension)
	{
		if (count > MaxReportBlocks || data.size() / Size < count)
		{
			MS_DEBUG_DEV("%zu report blocks announced, room for %zu", count, data.size() / Size);

			return false;
		}

		blocks.Clear();

		for (size_t i = 0u; i < count; ++i)
		{
			// count <= MaxReportBlocks == List::Capacity: always stored.
			blocks.PushBack(Parse(data.subspan(i * Size).first<Size>()));
		}

		const auto rest = data.subspan(count * Size);

		// Whole words only: a trailing partial word can only come from a
		// padding count that is not a multiple of 4.
		extension = rest.first(rest.size() & ~size_t{ 3u });

		return true;
	}

	void ReportBlock::Write(std::span<uint8_t, Size> out) const
	{
		uint8_t* bytes     = out.data();
		const int32_t lost = std::clamp(this->cumulativeLost, MinCumulativeLost, MaxCumulativeLost);

		Byte::Set4Bytes(bytes, 0, this->ssrc);
		bytes[4] = this->fractionLost;
		Byte::Set3Bytes(bytes, 5, static_cast<uint32_t>(lost) & 0xFFFFFFu);
		Byte::Set4Bytes(bytes, 8, this->extendedHighestSequenceNumber);
		Byte::Set4Bytes(bytes, 12, this->jitter);
		Byte::Set4Bytes(bytes, 16, this->lastSenderReport);
		Byte::Set4Bytes(bytes, 20, this->delaySinceLastSenderReport);
	}
} // namespace RTC::RTCP
