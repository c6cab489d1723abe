#define MS_CLASS "RTC::Codecs::Tools"
// #define MS_LOG_DEV

#include "RTC/Codecs/Tools.hpp"

#include "RTC/Codecs/AV1.hpp"
#include "RTC/Codecs/H264.hpp"
#include "RTC/Codecs/H265.hpp"
#include "RTC/Codecs/VP8.hpp"
#include "RTC/Codecs/VP9.hpp"

#include <array>
#include <utility>

namespace RTC::Codecs
{
	namespace
	{
		bool EqualsIgnoreCase(std::string_view a, std::string_view b)
		{
			if (a.size() != b.size())
			{
				return false;
			}

			for (size_t i = 0u; i < a.size(); ++i)
			{
				const auto lower = [](char c)
				{
					return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
				};

				if (lower(a[i]) != lower(b[i]))
				{
					return false;
				}
			}

			return true;
		}

		constexpr std::array<std::pair<std::string_view, CodecKind>, 7> MimeTypes{ {
			{ "audio/opus", CodecKind::OPUS },
			{ "audio/multiopus", CodecKind::MULTIOPUS },
			{ "video/VP8", CodecKind::VP8 },
			{ "video/VP9", CodecKind::VP9 },
			{ "video/H264", CodecKind::H264 },
			{ "video/H265", CodecKind::H265 },
			{ "video/AV1", CodecKind::AV1 },
		} };
	} // namespace

	CodecKind FromMimeType(std::string_view mimeType)
	{
		for (const auto& [name, kind] : MimeTypes)
		{
			if (EqualsIgnoreCase(mimeType, name))
			{
				return kind;
			}
		}

		return CodecKind::UNKNOWN;
	}

	bool IsKeyFrame(CodecKind kind, std::span<const uint8_t> payload)
	{
		switch (kind)
		{
			case CodecKind::VP8:
			{
				return Vp8::IsKeyFrame(payload);
			}

			case CodecKind::VP9:
			{
				return Vp9::IsKeyFrame(payload);
			}

			case CodecKind::H264:
			{
				return H264::IsKeyFrame(payload);
			}

			case CodecKind::H265:
			{
				return H265::IsKeyFrame(payload);
			}

			case CodecKind::AV1:
			{
				return Av1::IsKeyFrame(payload);
			}

			case CodecKind::UNKNOWN:
			case CodecKind::OPUS:
			case CodecKind::MULTIOPUS:
			{
				return false;
			}
		}

		return false;
	}
} // namespace RTC::Codecs
