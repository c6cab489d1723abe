#define MS_CLASS "RTC::Codecs::DependencyDescriptor"
// #define MS_LOG_DEV

#include "RTC/Codecs/DependencyDescriptor.hpp"

#include "Logger.hpp"
#include "Utils/BitReader.hpp"

#include <algorithm>

namespace RTC::Codecs
{
	namespace
	{
		// start_of_frame, end_of_frame, template id, frame_number.
		constexpr size_t MandatoryFieldsSize{ 3u };

		// next_layer_idc values (A.8.3.3).
		constexpr uint32_t SameLayer{ 0u };
		constexpr uint32_t NextTemporalLayer{ 1u };
		constexpr uint32_t NextSpatialLayer{ 2u };
		constexpr uint32_t NoMoreTemplates{ 3u };

		bool ReadTemplateLayers(Utils::BitReader& reader, DependencyStructure& structure)
		{
			DependencyStructure::Layers layers;
			uint32_t nextLayerIdc{ SameLayer };

			do
			{
				if (structure.templateCount == DependencyStructure::MaxTemplates)
				{
					MS_DEBUG_DEV("over %zu templates", DependencyStructure::MaxTemplates);

					return false;
				}

				structure.templateLayers[structure.templateCount++] = layers;
				nextLayerIdc                                        = reader.Read(2u);

				if (nextLayerIdc == NextTemporalLayer)
				{
					++layers.temporal;
				}
				else if (nextLayerIdc == NextSpatialLayer)
				{
					++layers.spatial;
					layers.temporal = 0u;
				}

				// Checked as they grow: they stay small for the counters.
				if (
					layers.spatial > DependencyStructure::MaxSpatialId ||
					layers.temporal > DependencyStructure::MaxTemporalId)
				{
					MS_DEBUG_DEV("template layer past S3 T7");

					return false;
				}

				structure.maxTemporalId = std::max(structure.maxTemporalId, layers.temporal);
				// An overrun reads 0 (same layer): the count above ends it.
			} while (nextLayerIdc != NoMoreTemplates && !reader.IsOverrun());

			structure.maxSpatialId = layers.spatial;

			return !reader.IsOverrun();
		}

		// The rest of the structure is walked for its length and to be sure it
		// is all there; only the chain count and the resolutions flag are kept.
		bool SkipTemplateDetails(Utils::BitReader& reader, DependencyStructure& structure)
		{
			const size_t dtCount       = structure.decodeTargetCount;
			const size_t templateCount = structure.templateCount;

			// template_dtis: 2 bits each.
			for (size_t i = 0u; i < templateCount * dtCount && !reader.IsOverrun(); ++i)
			{
				reader.Read(2u);
			}

			// template_fdiffs: each fdiff takes 5 bits, so the data bounds them.
			for (size_t i = 0u; i < templateCount && !reader.IsOverrun(); ++i)
			{
				while (reader.ReadFlag())
				{
					reader.Read(4u);
				}
			}

			// template_chains.
			structure.chainCount = static_cast<uint8_t>(reader.ReadNonSymmetric(dtCount + 1u));

			if (structure.chainCount != 0u)
			{
				for (size_t i = 0u; i < dtCount && !reader.IsOverrun(); ++i)
				{
					reader.ReadNonSymmetric(structure.chainCount);
				}

				for (size_t i = 0u; i < templateCount * structure.chainCount && !reader.IsOverrun(); ++i)
				{
					reader.Read(4u);
				}
			}

			// decode_target_layers() derives, reads nothing.
			structure.hasResolutions = reader.ReadFlag();

			if (structure.hasResolutions)
			{
				for (size_t i = 0u; i <= structure.maxSpatialId && !reader.IsOverrun(); ++i)
				{
					reader.Read(16u);
					reader.Read(16u);
				}
			}

			return !reader.IsOverrun();
		}

		std::optional<DependencyStructure> ReadStructure(Utils::BitReader& reader)
		{
			DependencyStructure structure;

			structure.templateIdOffset  = static_cast<uint8_t>(reader.Read(6u));
			structure.decodeTargetCount = static_cast<uint8_t>(reader.Read(5u) + 1u);

			if (reader.IsOverrun())
			{
				MS_DEBUG_DEV("structure header cut short");

				return std::nullopt;
			}

			if (!ReadTemplateLayers(reader, structure))
			{
				MS_DEBUG_DEV("bad template layers");

				return std::nullopt;
			}

			if (!SkipTemplateDetails(reader, structure))
			{
				MS_DEBUG_DEV("structure cut short");

				return std::nullopt;
			}

			return structure;
		}
	} // namespace

	std::optional<DependencyStructure::Layers>
	DependencyStructure::GetLayers(uint8_t templateId) const
	{
		const size_t index =
			(static_cast<size_t>(templateId & 0x3Fu) + MaxTemplates - this->templateIdOffset) %
			MaxTemplates;

		if (index >= this->templateCount)
		{
			return std::nullopt;
		}

		return this->templateLayers[index];
	}

	std::optional<DependencyStructure::Layers>
	DependencyDescriptor::GetLayers(const DependencyStructure* latest) const
	{
		const DependencyStructure* structure = this->structure ? &*this->structure : latest;

		if (!structure)
		{
			return std::nullopt;
		}

		return structure->GetLayers(this->templateId);
	}

	/* Class methods. */

	std::optional<DependencyDescriptor>
	DependencyDescriptorParser::Parse(std::span<const uint8_t> data)
	{
		if (data.size() < MandatoryFieldsSize)
		{
			MS_DEBUG_DEV("%zu bytes, under the mandatory fields", data.size());

			return std::nullopt;
		}

		Utils::BitReader reader(data);
		DependencyDescriptor descriptor;

		descriptor.startOfFrame = reader.ReadFlag();
		descriptor.endOfFrame   = reader.ReadFlag();
		descriptor.templateId   = static_cast<uint8_t>(reader.Read(6u));
		descriptor.frameNumber  = static_cast<uint16_t>(reader.Read(16u));

		if (data.size() == MandatoryFieldsSize)
		{
			return descriptor;
		}

		descriptor.hasExtendedFields      = true;
		const bool hasStructure           = reader.ReadFlag();
		descriptor.hasActiveDecodeTargets = reader.ReadFlag();
		descriptor.hasCustomDtis          = reader.ReadFlag();
		descriptor.hasCustomFrameDiffs    = reader.ReadFlag();
		descriptor.hasCustomChains        = reader.ReadFlag();

		if (hasStructure)
		{
			descriptor.structure = ReadStructure(reader);

			if (!descriptor.structure)
			{
				return std::nullopt;
			}

			// The frame carrying a structure uses one of its templates.
			if (!descriptor.structure->GetLayers(descriptor.templateId))
			{
				MS_DEBUG_DEV("template %u not in the structure carried", descriptor.templateId);

				return std::nullopt;
			}
		}

		return descriptor;
	}
} // namespace RTC::Codecs
