#define MS_CLASS "RTC::IncomingRate"

#include "RTC/IncomingRate.hpp"

#include <algorithm>
#include <limits>

namespace RTC
{
	void IncomingRate::Update(size_t size, uint64_t nowUs)
	{
		nowUs = std::max(nowUs, this->lastUs);

		const auto bytes = static_cast<uint32_t>(std::min(size, MaxPacketSize));

		this->packets.push_back({ nowUs, bytes });
		this->bytes += bytes;

		if (this->packets.size() > MaxPackets)
		{
			this->bytes -= this->packets.front().size;
			this->packets.pop_front();
		}

		Expire(nowUs);
	}

	std::optional<uint32_t> IncomingRate::GetRate(uint64_t nowUs)
	{
		Expire(std::max(nowUs, this->lastUs));

		if (this->packets.size() < 2u)
		{
			return std::nullopt;
		}

		const uint64_t spanUs = this->packets.back().arrivalUs - this->packets.front().arrivalUs;

		if (spanUs * 2u < this->windowUs)
		{
			return std::nullopt;
		}

		const uint64_t bits = (this->bytes - this->packets.front().size) * 8u;
		const uint64_t rate = bits * 1000000u / spanUs;

		return static_cast<uint32_t>(std::min<uint64_t>(rate, std::numeric_limits<uint32_t>::max()));
	}

	void IncomingRate::Expire(uint64_t nowUs)
	{
		this->lastUs = nowUs;

		while (!this->packets.empty() && this->packets.front().arrivalUs + this->windowUs <= nowUs)
		{
			this->bytes -= this->packets.front().size;
			this->packets.pop_front();
		}
	}
} // namespace RTC
