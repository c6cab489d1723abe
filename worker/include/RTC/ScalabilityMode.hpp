#ifndef MS_RTC_SCALABILITY_MODE_HPP
#define MS_RTC_SCALABILITY_MODE_HPP

#include "common.hpp"

#include <string_view>

namespace RTC
{
	// The layer counts of a W3C scalability mode string such as "L3T2_KEY":
	// the leading "L<spatial>T<temporal>" or "S<spatial>T<temporal>" with
	// numbers 1-99, optionally followed by "_KEY". Anything else means one
	// spatial and one temporal layer.
	struct ScalabilityMode
	{
		uint8_t spatialLayers{ 1u };
		uint8_t temporalLayers{ 1u };
		bool ksvc{ false };

		static ScalabilityMode Parse(std::string_view mode);
	};
} // namespace RTC

#endif
