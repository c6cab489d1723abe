#ifndef MS_UTILS_BASE64_HPP
#define MS_UTILS_BASE64_HPP

#include "common.hpp"

#include <optional>
#include <vector>

namespace Utils
{
	// Standard base64 (RFC 4648 section 4, with padding), on OpenSSL.
	class Base64
	{
	public:
		static std::string Encode(std::span<const uint8_t> data);
		// nullopt when `text` is not valid padded base64.
		static std::optional<std::vector<uint8_t>> Decode(std::string_view text);
	};
} // namespace Utils

#endif
