#define MS_CLASS "RTC::ScalabilityMode"

#include "RTC/ScalabilityMode.hpp"

namespace RTC
{
	namespace
	{
		// Reads a number of one or two digits not starting with 0 at `pos`,
		// advancing `pos`. Returns 0 when there is none.
		uint8_t ReadLayerCount(std::string_view text, size_t& pos)
		{
			if (pos >= text.size() || text[pos] < '1' || text[pos] > '9')
			{
				return 0u;
			}

			uint8_t value = text[pos++] - '0';

			if (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
			{
				value = (value * 10u) + (text[pos++] - '0');
			}

			return value;
		}
	} // namespace

	ScalabilityMode ScalabilityMode::Parse(std::string_view mode)
	{
		ScalabilityMode result;
		size_t pos{ 0u };

		if (mode.empty() || (mode[0] != 'L' && mode[0] != 'S'))
		{
			return result;
		}

		++pos;

		const uint8_t spatial = ReadLayerCount(mode, pos);

		if (spatial == 0u || pos >= mode.size() || mode[pos] != 'T')
		{
			return result;
		}

		++pos;

		const uint8_t temporal = ReadLayerCount(mode, pos);

		if (temporal == 0u)
		{
			return result;
		}

		result.spatialLayers  = spatial;
		result.temporalLayers = temporal;
		result.ksvc           = mode.substr(pos).starts_with("_KEY");

		return result;
	}
} // namespace RTC
