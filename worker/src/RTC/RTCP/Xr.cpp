#define MS_CLASS "RTC::RTCP::Xr"
// #define MS_LOG_DEV

#include "RTC/RTCP/Xr.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

namespace RTC::RTCP
{
	using Utils::Byte;

	/* Class methods. */

	std::optional<Xr> Xr::Parse(std::span<const uint8_t> data)
	{
		const auto header = CommonHeader::ParseExact(data, PacketType);

		if (!header)
		{
			return std::nullopt;
		}

		const auto body = header->body;

		if (body.size() < FixedSize - CommonHeader::Size)
		{
			MS_DEBUG_DEV("XR body of %zu bytes, no room for the SSRC", body.size());

			return std::nullopt;
		}

		Xr xr;
		const uint8_t* bytes = body.data();
		bool droppedSubBlocks{ false };
		size_t pos{ 4u };

		xr.ssrc = Byte::Get4Bytes(bytes, 0);

		// A trailing partial word (an odd padding count) is no block.
		while (body.size() - pos >= BlockHeaderSize)
		{
			const auto blockType = static_cast<BlockType>(bytes[pos]);
			const size_t length  = static_cast<size_t>(Byte::Get2Bytes(bytes, pos + 2u)) * 4u;
			const size_t start   = pos + BlockHeaderSize;

			if (body.size() - start < length)
			{
				MS_DEBUG_DEV("block of type %u, %zu bytes, does not fit", bytes[pos], length);

				return std::nullopt;
			}

			switch (blockType)
			{
				case BlockType::RRT:
				{
					if (length != RrtBlockSize - BlockHeaderSize)
					{
						MS_DEBUG_DEV("RRT block of %zu bytes skipped", length);
					}
					else if (!xr.receiverReferenceTime)
					{
						xr.receiverReferenceTime =
							NtpTime{ Byte::Get4Bytes(bytes, start), Byte::Get4Bytes(bytes, start + 4u) };
					}

					break;
				}

				case BlockType::DLRR:
				{
					if (length % DlrrSubBlockSize != 0u)
					{
						MS_DEBUG_DEV("DLRR block of %zu bytes skipped", length);

						break;
					}

					for (size_t offset = start; offset < start + length; offset += DlrrSubBlockSize)
					{
						const DlrrSubBlock subBlock{ Byte::Get4Bytes(bytes, offset),
																				 Byte::Get4Bytes(bytes, offset + 4u),
																				 Byte::Get4Bytes(bytes, offset + 8u) };

						if (!xr.dlrrSubBlocks.PushBack(subBlock))
						{
							droppedSubBlocks = true;

							break;
						}
					}

					break;
				}

				default:
				{
					MS_DEBUG_DEV("block of type %u skipped", bytes[pos]);
				}
			}

			pos = start + length;
		}

		if (droppedSubBlocks)
		{
			MS_DEBUG_TAG(
				rtcp, "XR with more than %zu DLRR sub-blocks, the rest dropped", MaxDlrrSubBlocks);
		}

		return xr;
	}

	/* Instance methods. */

	size_t Xr::GetSize() const
	{
		size_t size{ FixedSize };

		if (this->receiverReferenceTime)
		{
			size += RrtBlockSize;
		}

		if (!this->dlrrSubBlocks.IsEmpty())
		{
			size += BlockHeaderSize + this->dlrrSubBlocks.GetSize() * DlrrSubBlockSize;
		}

		return size;
	}

	size_t Xr::Serialize(std::span<uint8_t> out) const
	{
		const size_t size = GetSize();

		if (out.size() < size)
		{
			return 0u;
		}

		uint8_t* bytes = out.data();

		CommonHeader::Write(out.first<CommonHeader::Size>(), 0u, PacketType, size);
		Byte::Set4Bytes(bytes, 4, this->ssrc);

		size_t pos{ FixedSize };

		if (this->receiverReferenceTime)
		{
			bytes[pos]      = static_cast<uint8_t>(BlockType::RRT);
			bytes[pos + 1u] = 0u;
			Byte::Set2Bytes(bytes, pos + 2u, (RrtBlockSize - BlockHeaderSize) / 4u);
			Byte::Set4Bytes(bytes, pos + 4u, this->receiverReferenceTime->seconds);
			Byte::Set4Bytes(bytes, pos + 8u, this->receiverReferenceTime->fractions);
			pos += RrtBlockSize;
		}

		if (!this->dlrrSubBlocks.IsEmpty())
		{
			bytes[pos]      = static_cast<uint8_t>(BlockType::DLRR);
			bytes[pos + 1u] = 0u;
			Byte::Set2Bytes(
				bytes,
				pos + 2u,
				static_cast<uint16_t>(this->dlrrSubBlocks.GetSize() * DlrrSubBlockSize / 4u));
			pos += BlockHeaderSize;

			for (const auto& subBlock : this->dlrrSubBlocks)
			{
				Byte::Set4Bytes(bytes, pos, subBlock.ssrc);
				Byte::Set4Bytes(bytes, pos + 4u, subBlock.lastReceiverReport);
				Byte::Set4Bytes(bytes, pos + 8u, subBlock.delaySinceLastReceiverReport);
				pos += DlrrSubBlockSize;
			}
		}

		return size;
	}
} // namespace RTC::RTCP
