#define MS_CLASS "Utils::Base64"

#include "Utils/Base64.hpp"

#include <openssl/evp.h>

namespace Utils
{
	std::string Base64::Encode(std::span<const uint8_t> data)
	{
		std::string text(4u * ((data.size() + 2u) / 3u) + 1u, '\0');
		const int written = EVP_EncodeBlock(
			reinterpret_cast<unsigned char*>(text.data()), data.data(), static_cast<int>(data.size()));

		text.resize(static_cast<size_t>(written));

		return text;
	}

	std::optional<std::vector<uint8_t>> Base64::Decode(std::string_view text)
	{
		if (text.empty() || text.size() % 4u != 0u)
		{
			return std::nullopt;
		}

		for (const char c : text)
		{
			const bool valid = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
												 (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';

			if (!valid)
			{
				return std::nullopt;
			}
		}

		std::vector<uint8_t> data(3u * text.size() / 4u);
		const int written = EVP_DecodeBlock(
			data.data(),
			reinterpret_cast<const unsigned char*>(text.data()),
			static_cast<int>(text.size()));

		if (written < 0)
		{
			return std::nullopt;
		}

		// EVP_DecodeBlock counts padding as zero bytes: remove them.
		size_t length = static_cast<size_t>(written);

		if (text.ends_with("=="))
		{
			length -= 2u;
		}
		else if (text.ends_with('='))
		{
			length -= 1u;
		}

		data.resize(length);

		return data;
	}
} // namespace Utils
