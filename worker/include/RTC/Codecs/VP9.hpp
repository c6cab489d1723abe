#ifndef MS_RTC_CODECS_VP9_HPP
#define MS_RTC_CODECS_VP9_HPP

#include "common.hpp"

#include "RTC/Codecs/Tools.hpp"

#include <array>
#include <optional>

namespace RTC::Codecs
{
	// The VP9 payload descriptor (RFC 9628 4.2, formerly draft-ietf-payload-vp9).
	// https://www.rfc-editor.org/rfc/rfc9628#section-4.2
	//
	// Flexible mode (F = 1):
	//
	//        0 1 2 3 4 5 6 7
	//       +-+-+-+-+-+-+-+-+
	//       |I|P|L|F|B|E|V|Z| (REQUIRED)
	//       +-+-+-+-+-+-+-+-+
	//  I:   |M| PICTURE ID  | (REQUIRED)
	//       +-+-+-+-+-+-+-+-+
	//  M:   | EXTENDED PID  | (RECOMMENDED)
	//       +-+-+-+-+-+-+-+-+
	//  L:   | TID |U| SID |D| (CONDITIONALLY RECOMMENDED)
	//       +-+-+-+-+-+-+-+-+                             -,
	//  P,F: | P_DIFF      |N| (CONDITIONALLY REQUIRED)    - up to 3 times
	//       +-+-+-+-+-+-+-+-+                             -'
	//  V:   | SS            |
	//       | ..            |
	//       +-+-+-+-+-+-+-+-+
	//
	// Non-flexible mode (F = 0): the layer indices are followed by TL0PICIDX,
	// and there are no reference indices.
	//
	//  L:   | TID |U| SID |D| (CONDITIONALLY RECOMMENDED)
	//       +-+-+-+-+-+-+-+-+
	//       |   TL0PICIDX   | (CONDITIONALLY REQUIRED)
	//       +-+-+-+-+-+-+-+-+
	//
	// Scalability structure (RFC 9628 4.2.1):
	//
	//       +-+-+-+-+-+-+-+-+
	//  V:   | N_S |Y|G|-|-|-|
	//       +-+-+-+-+-+-+-+-+              -,
	//  Y:   |     WIDTH     | (OPTIONAL)    .
	//       +               +               .
	//       |               | (OPTIONAL)    .
	//       +-+-+-+-+-+-+-+-+               . - N_S + 1 times
	//       |     HEIGHT    | (OPTIONAL)    .
	//       +               +               .
	//       |               | (OPTIONAL)    .
	//       +-+-+-+-+-+-+-+-+              -'
	//  G:   |      N_G      | (OPTIONAL)
	//       +-+-+-+-+-+-+-+-+                           -,
	//  N_G: |  T  |U| R |-|-| (OPTIONAL)                 .
	//       +-+-+-+-+-+-+-+-+              -,            . - N_G times
	//       |    P_DIFF     | (OPTIONAL)    . - R times  .
	//       +-+-+-+-+-+-+-+-+              -'            -'
	struct Vp9ScalabilityStructure
	{
		static constexpr size_t MaxSpatialLayers{ 8u };

		// N_S + 1.
		uint8_t spatialLayers{ 0u };
		// Y: widths and heights present, one per spatial layer.
		bool hasResolutions{ false };
		std::array<uint16_t, MaxSpatialLayers> widths{};
		std::array<uint16_t, MaxSpatialLayers> heights{};
		// G and N_G: the picture group description (walked and checked, not
		// kept).
		bool hasPictureGroup{ false };
		uint8_t pictureGroupSize{ 0u };
	};

	struct Vp9PayloadDescriptor
	{
		static constexpr size_t MaxReferences{ 3u };

		// Bytes of the descriptor: the VP9 frame data starts there.
		size_t size{ 0u };
		// I: PictureID present.
		bool hasPictureId{ false };
		// P: inter-picture predicted (0: the layer frame refers to no earlier
		// picture).
		bool interPicturePredicted{ false };
		// L: layer indices present.
		bool hasLayerIndices{ false };
		// F: flexible mode.
		bool flexibleMode{ false };
		// B and E: the packet starts / ends a layer frame.
		bool startOfFrame{ false };
		bool endOfFrame{ false };
		// V: scalability structure present.
		bool hasScalabilityStructure{ false };
		// Z: not used as a reference by upper spatial layers.
		bool notReferenceForUpperSpatialLayers{ false };
		// M and PICTURE ID (7 or 15 bits).
		bool hasLongPictureId{ false };
		uint16_t pictureId{ 0u };
		// TID, U, SID, D (0 when L = 0).
		uint8_t temporalLayerId{ 0u };
		bool switchingUpPoint{ false };
		uint8_t spatialLayerId{ 0u };
		bool interLayerDependency{ false };
		// TL0PICIDX, non-flexible mode with L = 1.
		bool hasTl0PicIdx{ false };
		uint8_t tl0PicIdx{ 0u };
		// P_DIFF values, flexible mode with P = 1.
		uint8_t referenceCount{ 0u };
		std::array<uint8_t, MaxReferences> pDiffs{};
		// Valid when hasScalabilityStructure.
		Vp9ScalabilityStructure ss;
		// P = 0, B = 1 and SID = 0: the first packet of the base spatial layer
		// of a picture that refers to no earlier one.
		bool isKeyFrame{ false };
	};

	class Vp9
	{
	public:
		// nullopt when `payload` is shorter than the fields its bits announce,
		// has more than 3 reference indices, or has no frame byte after the
		// descriptor.
		static std::optional<Vp9PayloadDescriptor> Parse(std::span<const uint8_t> payload);
		static bool IsKeyFrame(std::span<const uint8_t> payload);
	};

	static_assert(PayloadParser<Vp9>);
} // namespace RTC::Codecs

#endif
