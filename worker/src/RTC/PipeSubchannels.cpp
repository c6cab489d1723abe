#define MS_CLASS "RTC::PipeSubchannels"

#include "RTC/PipeSubchannels.hpp"

#include "Utils/Byte.hpp"

#include <algorithm>

namespace RTC
{
	namespace
	{
		constexpr size_t FixedHeaderLength{ 7u };
		constexpr uint8_t RequiredFlag{ 0x01u };
		constexpr uint8_t IgnoredFlag{ 0x02u };
	} // namespace

	bool PipeSubchannels::Encode(
		uint32_t ppid,
		const uint8_t* payload,
		size_t payloadLen,
		std::span<const uint16_t> subchannels,
		std::optional<uint16_t> requiredSubchannel,
		std::optional<uint16_t> ignoredSubchannel,
		std::vector<uint8_t>& out)
	{
		if (subchannels.empty() && !requiredSubchannel && !ignoredSubchannel)
		{
			return false;
		}

		// The count field is 16 bits; more subchannels than there are values
		// is impossible once deduplicated, and the application's list is
		// capped by what fits.
		const size_t count        = std::min<size_t>(subchannels.size(), 0xFFFFu);
		const size_t headerLength = FixedHeaderLength + (2u * count) + (requiredSubchannel ? 2u : 0u) +
																(ignoredSubchannel ? 2u : 0u);

		out.resize(headerLength + payloadLen);

		uint8_t* data = out.data();
		uint8_t flags{ 0u };

		if (requiredSubchannel)
		{
			flags |= RequiredFlag;
		}

		if (ignoredSubchannel)
		{
			flags |= IgnoredFlag;
		}

		Utils::Byte::Set4Bytes(data, 0u, ppid);
		data[4] = flags;
		Utils::Byte::Set2Bytes(data, 5u, static_cast<uint16_t>(count));

		size_t offset{ FixedHeaderLength };

		for (size_t i{ 0u }; i < count; ++i, offset += 2u)
		{
			Utils::Byte::Set2Bytes(data, offset, subchannels[i]);
		}

		if (requiredSubchannel)
		{
			Utils::Byte::Set2Bytes(data, offset, *requiredSubchannel);
			offset += 2u;
		}

		if (ignoredSubchannel)
		{
			Utils::Byte::Set2Bytes(data, offset, *ignoredSubchannel);
			offset += 2u;
		}

		std::copy(payload, payload + payloadLen, data + offset);

		return true;
	}

	bool PipeSubchannels::Decode(const uint8_t* data, size_t len, Decoded& out)
	{
		out.subchannels.clear();
		out.requiredSubchannel.reset();
		out.ignoredSubchannel.reset();

		if (len < FixedHeaderLength)
		{
			return false;
		}

		const uint8_t flags = data[4];

		if ((flags & ~(RequiredFlag | IgnoredFlag)) != 0u)
		{
			return false;
		}

		const size_t count        = Utils::Byte::Get2Bytes(data, 5u);
		const size_t headerLength = FixedHeaderLength + (2u * count) +
																((flags & RequiredFlag) ? 2u : 0u) +
																((flags & IgnoredFlag) ? 2u : 0u);

		// An SCTP message is never empty, so neither is the one it carries.
		if (headerLength >= len)
		{
			return false;
		}

		out.ppid = Utils::Byte::Get4Bytes(data, 0u);

		size_t offset{ FixedHeaderLength };

		out.subchannels.reserve(count);

		for (size_t i{ 0u }; i < count; ++i, offset += 2u)
		{
			out.subchannels.push_back(Utils::Byte::Get2Bytes(data, offset));
		}

		if (flags & RequiredFlag)
		{
			out.requiredSubchannel = Utils::Byte::Get2Bytes(data, offset);
			offset += 2u;
		}

		if (flags & IgnoredFlag)
		{
			out.ignoredSubchannel = Utils::Byte::Get2Bytes(data, offset);
			offset += 2u;
		}

		out.payload    = data + offset;
		out.payloadLen = len - offset;

		return true;
	}
} // namespace RTC
