#ifndef MS_RTC_CODECS_DEPENDENCY_DESCRIPTOR_HPP
#define MS_RTC_CODECS_DEPENDENCY_DESCRIPTOR_HPP

#include "common.hpp"

#include <array>
#include <optional>
#include <span>

namespace RTC::Codecs
{
	// The Dependency Descriptor RTP header extension (RTP Payload Format For
	// AV1, appendix A.8): which frame a packet belongs to and, through a
	// template, the frame's spatial and temporal layer, without looking into
	// the payload.
	// https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension
	//
	//  0                   1                   2
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |S|E|  template |         frame_number          |   mandatory fields
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |T|A|D|F|C| template dependency structure (T) ...   only when the
	// +-+-+-+-+-+                                         extension is over 3
	//                                                     bytes
	//   S, E: start_of_frame, end_of_frame; template:
	//   frame_dependency_template_id; T: template_dependency_structure_present;
	//   A: active_decode_targets_present; D, F, C: custom DTIs, frame
	//   differences, chains (what follows them needs the structure; not read).
	//
	// Template dependency structure (A.8.3.2), the bit fields in order:
	//
	//   template_id_offset f(6), dt_cnt_minus_one f(5),
	//   template_layers: next_layer_idc f(2) per template, until 3
	//     (0: same layer, 1: next temporal layer, 2: next spatial layer at
	//     temporal 0, 3: no more templates; the first template is S0 T0),
	//   template_dtis: f(2) per template and decode target,
	//   template_fdiffs: per template, (fdiff_follows f(1), fdiff_minus_one
	//     f(4))* and a final 0,
	//   template_chains: chain_cnt ns(DtCnt + 1); when not 0,
	//     decode_target_protected_by ns(chain_cnt) per decode target and
	//     template_chain_fdiff f(4) per template and chain,
	//   resolutions_present f(1); then render_width_minus_1 f(16) and
	//     render_height_minus_1 f(16) per spatial layer.
	//
	// A frame uses template (frame_dependency_template_id + 64 -
	// template_id_offset) % 64.
	struct DependencyStructure
	{
		// Template ids are 6 bits.
		static constexpr size_t MaxTemplates{ 64u };
		// AV1's OBU extension header: 2 bits of spatial id, 3 of temporal id.
		static constexpr uint8_t MaxSpatialId{ 3u };
		static constexpr uint8_t MaxTemporalId{ 7u };

		struct Layers
		{
			uint8_t spatial{ 0u };
			uint8_t temporal{ 0u };

			bool operator==(const Layers& other) const = default;
		};

		uint8_t templateIdOffset{ 0u };
		// dt_cnt_minus_one + 1: 1 to 32.
		uint8_t decodeTargetCount{ 0u };
		uint8_t templateCount{ 0u };
		// Per template index.
		std::array<Layers, MaxTemplates> templateLayers{};
		uint8_t maxSpatialId{ 0u };
		uint8_t maxTemporalId{ 0u };
		uint8_t chainCount{ 0u };
		bool hasResolutions{ false };

		// The layers of a frame with this frame_dependency_template_id;
		// nullopt when no template has it.
		std::optional<Layers> GetLayers(uint8_t templateId) const;
	};

	struct DependencyDescriptor
	{
		bool startOfFrame{ false };
		bool endOfFrame{ false };
		uint8_t templateId{ 0u };
		uint16_t frameNumber{ 0u };
		// The extension is over 3 bytes: the flags below were read.
		bool hasExtendedFields{ false };
		bool hasActiveDecodeTargets{ false };
		bool hasCustomDtis{ false };
		bool hasCustomFrameDiffs{ false };
		bool hasCustomChains{ false };
		// The structure carried here (first packet of a key frame).
		std::optional<DependencyStructure> structure;

		// The frame's layers, by the structure carried here or else by
		// `latest` (the last one received).
		std::optional<DependencyStructure::Layers> GetLayers(const DependencyStructure* latest) const;
	};

	class DependencyDescriptorParser
	{
	public:
		// nullopt when the extension is under 3 bytes, a carried structure is
		// cut short, has more than 64 templates or layers past AV1's, or has
		// no template for this packet's frame.
		static std::optional<DependencyDescriptor> Parse(std::span<const uint8_t> data);
	};
} // namespace RTC::Codecs

#endif
