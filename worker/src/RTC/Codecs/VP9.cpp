#define MS_CLASS "RTC::Codecs::VP9"
// #define MS_LOG_DEV

#include "RTC/Codecs/VP9.hpp"

#include "Logger.hpp"
#include "Utils/Byte.hpp"

namespace RTC::Codecs
{
	namespace
	{
		// Reads the scalability structure at `pos`; advances `pos` past it.
		bool ParseScalabilityStructure(
			const uint8_t* data, size_t len, size_t& pos, Vp9ScalabilityStructure& ss)
		{
			if (pos >= len)
			{
				MS_DEBUG_DEV("no room for the SS header");

				return false;
			}

			ss.spatialLayers   = static_cast<uint8_t>((data[pos] >> 5) + 1u);
			ss.hasResolutions  = (data[pos] & 0x10u) != 0u;
			ss.hasPictureGroup = (data[pos] & 0x08u) != 0u;
			pos += 1u;

			if (ss.hasResolutions)
			{
				if (len - pos < 4u * ss.spatialLayers)
				{
					MS_DEBUG_DEV("no room for %u resolutions", ss.spatialLayers);

					return false;
				}

				for (size_t i = 0u; i < ss.spatialLayers; ++i)
				{
					ss.widths[i]  = Utils::Byte::Get2Bytes(data, pos);
					ss.heights[i] = Utils::Byte::Get2Bytes(data, pos + 2u);
					pos += 4u;
				}
			}

			if (ss.hasPictureGroup)
			{
				if (pos >= len)
				{
					MS_DEBUG_DEV("no room for N_G");

					return false;
				}

				ss.pictureGroupSize = data[pos];
				pos += 1u;

				for (size_t i = 0u; i < ss.pictureGroupSize; ++i)
				{
					if (pos >= len)
					{
						MS_DEBUG_DEV("no room for picture %zu of the group", i);

						return false;
					}

					// T (3 bits), U, R (2 bits): R reference P_DIFF bytes follow.
					const size_t references = (data[pos] >> 2) & 0x03u;

					pos += 1u;

					if (len - pos < references)
					{
						MS_DEBUG_DEV("no room for the P_DIFF of picture %zu", i);

						return false;
					}

					pos += references;
				}
			}

			return true;
		}
	} // namespace

	/* Class methods. */

	std::optional<Vp9PayloadDescriptor> Vp9::Parse(std::span<const uint8_t> payload)
	{
		const size_t len = payload.size();

		if (len < 1u)
		{
			MS_DEBUG_DEV("empty payload");

			return std::nullopt;
		}

		const uint8_t* data = payload.data();
		Vp9PayloadDescriptor descriptor;
		size_t pos{ 1u };

		descriptor.hasPictureId                      = (data[0] & 0x80u) != 0u;
		descriptor.interPicturePredicted             = (data[0] & 0x40u) != 0u;
		descriptor.hasLayerIndices                   = (data[0] & 0x20u) != 0u;
		descriptor.flexibleMode                      = (data[0] & 0x10u) != 0u;
		descriptor.startOfFrame                      = (data[0] & 0x08u) != 0u;
		descriptor.endOfFrame                        = (data[0] & 0x04u) != 0u;
		descriptor.hasScalabilityStructure           = (data[0] & 0x02u) != 0u;
		descriptor.notReferenceForUpperSpatialLayers = (data[0] & 0x01u) != 0u;

		if (descriptor.hasPictureId)
		{
			if (pos >= len)
			{
				MS_DEBUG_DEV("no room for PICTURE ID");

				return std::nullopt;
			}

			descriptor.hasLongPictureId = (data[pos] & 0x80u) != 0u;

			if (descriptor.hasLongPictureId)
			{
				if (pos + 1u >= len)
				{
					MS_DEBUG_DEV("no room for the extended PICTURE ID");

					return std::nullopt;
				}

				descriptor.pictureId = static_cast<uint16_t>(((data[pos] & 0x7Fu) << 8) | data[pos + 1u]);
				pos += 2u;
			}
			else
			{
				descriptor.pictureId = data[pos] & 0x7Fu;
				pos += 1u;
			}
		}

		if (descriptor.hasLayerIndices)
		{
			if (pos >= len)
			{
				MS_DEBUG_DEV("no room for the layer indices");

				return std::nullopt;
			}

			descriptor.temporalLayerId      = data[pos] >> 5;
			descriptor.switchingUpPoint     = (data[pos] & 0x10u) != 0u;
			descriptor.spatialLayerId       = (data[pos] >> 1) & 0x07u;
			descriptor.interLayerDependency = (data[pos] & 0x01u) != 0u;
			pos += 1u;

			if (!descriptor.flexibleMode)
			{
				if (pos >= len)
				{
					MS_DEBUG_DEV("no room for TL0PICIDX");

					return std::nullopt;
				}

				descriptor.hasTl0PicIdx = true;
				descriptor.tl0PicIdx    = data[pos];
				pos += 1u;
			}
		}

		if (descriptor.flexibleMode && descriptor.interPicturePredicted)
		{
			// P_DIFF (7 bits) and N: another one follows.
			bool more{ true };

			while (more)
			{
				if (pos >= len)
				{
					MS_DEBUG_DEV("no room for a reference index");

					return std::nullopt;
				}

				if (descriptor.referenceCount == Vp9PayloadDescriptor::MaxReferences)
				{
					MS_DEBUG_DEV("more than %zu reference indices", Vp9PayloadDescriptor::MaxReferences);

					return std::nullopt;
				}

				descriptor.pDiffs[descriptor.referenceCount++] = data[pos] >> 1;
				more                                           = (data[pos] & 0x01u) != 0u;
				pos += 1u;
			}
		}

		if (descriptor.hasScalabilityStructure)
		{
			if (!ParseScalabilityStructure(data, len, pos, descriptor.ss))
			{
				return std::nullopt;
			}
		}

		if (pos >= len)
		{
			MS_DEBUG_DEV("no VP9 frame data after the descriptor");

			return std::nullopt;
		}

		descriptor.size       = pos;
		descriptor.isKeyFrame = !descriptor.interPicturePredicted && descriptor.startOfFrame &&
														descriptor.spatialLayerId == 0u;

		return descriptor;
	}

	bool Vp9::IsKeyFrame(std::span<const uint8_t> payload)
	{
		const auto descriptor = Parse(payload);

		return descriptor && descriptor->isKeyFrame;
	}
} // namespace RTC::Codecs
