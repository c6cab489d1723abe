// Parses arbitrary bytes as a Dependency Descriptor, then as a later packet's
// descriptor resolved by the structure that parsed, and checks what parsed.

#include "common.hpp"

#include "RTC/Codecs/DependencyDescriptor.hpp"
#include "Settings.hpp"

using RTC::Codecs::DependencyDescriptorParser;
using RTC::Codecs::DependencyStructure;

namespace
{
	void Check(bool condition)
	{
		if (!condition)
		{
			__builtin_trap();
		}
	}

	void CheckStructure(const DependencyStructure& structure)
	{
		Check(structure.templateCount >= 1u);
		Check(structure.templateCount <= DependencyStructure::MaxTemplates);
		Check(structure.decodeTargetCount >= 1u && structure.decodeTargetCount <= 32u);
		Check(structure.chainCount <= structure.decodeTargetCount);
		Check(structure.maxSpatialId <= DependencyStructure::MaxSpatialId);
		Check(structure.maxTemporalId <= DependencyStructure::MaxTemporalId);

		for (size_t i = 0u; i < structure.templateCount; ++i)
		{
			const auto layers = structure.templateLayers[i];

			Check(layers.spatial <= structure.maxSpatialId);
			Check(layers.temporal <= structure.maxTemporalId);
		}

		// Every template id resolves to a template or to nothing.
		for (uint8_t id = 0u; id < DependencyStructure::MaxTemplates; ++id)
		{
			const auto layers = structure.GetLayers(id);

			Check(!layers || layers->spatial <= structure.maxSpatialId);
		}
	}
} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/)
{
	Settings::configuration.logLevel = LogLevel::LOG_NONE;

	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	const std::span<const uint8_t> bytes(data, size);
	const auto descriptor = DependencyDescriptorParser::Parse(bytes);

	// Three bytes are always a descriptor (the mandatory fields).
	if (!descriptor)
	{
		Check(size != 3u);

		return 0;
	}

	Check(size >= 3u);
	Check(descriptor->hasExtendedFields == (size > 3u));
	Check(descriptor->templateId < DependencyStructure::MaxTemplates);

	if (!descriptor->structure)
	{
		return 0;
	}

	CheckStructure(*descriptor->structure);
	// The frame carrying the structure uses one of its templates.
	Check(descriptor->GetLayers(nullptr).has_value());

	// The input's tail as a later packet's descriptor.
	if (size > 3u)
	{
		if (const auto later = DependencyDescriptorParser::Parse(bytes.last(size / 2u)))
		{
			const auto layers = later->GetLayers(&*descriptor->structure);

			Check(!layers || layers->spatial <= DependencyStructure::MaxSpatialId);
		}
	}

	return 0;
}
