#ifndef MS_RTC_SVC_LAYER_FILTER_HPP
#define MS_RTC_SVC_LAYER_FILTER_HPP

#include "common.hpp"

#include "RTC/Codecs/VP9.hpp"

#include <optional>

namespace RTC
{
	// Chooses the packets of a VP9 SVC stream (RFC 9628 payload descriptor),
	// or of an AV1 SVC stream (Dependency Descriptor), that a receiver at the
	// target spatial/temporal layers gets, in forwarding order. Each codec
	// fills a Frame; AV1 has no P or U bit (left at "refers to earlier
	// pictures" and "no switching point"), so it switches up only at key
	// pictures and TL0 pictures.
	//
	// - Full SVC (L<s>T<t>): every spatial layer up to the forwarded one, since
	//   each refers to those below it. k-SVC (_KEY, _KEY_SHIFT): all of them
	//   only on key pictures; on the others only the forwarded layer, which
	//   refers to its own earlier frames alone.
	// - Temporal layers up to the forwarded one (TID), the same for every
	//   layer frame of a picture.
	// - The marker goes on the last forwarded packet of a picture (the end of
	//   the highest forwarded layer frame): the receiver assembles a picture
	//   up to the marker.
	//
	// Switches, at the start of a picture (or a layer frame): spatial up needs
	// a key picture, or, for full SVC, a layer frame of the next layer up that
	// refers to no earlier picture (P = 0); spatial down happens at once for
	// full SVC (the lower layers were forwarded all along) and needs a key
	// picture for k-SVC (the lower layer's own earlier frames were not;
	// meanwhile only TL0 of the current layer goes, so a full link drains);
	// temporal up at a TL0 picture, or to the picture's layer at a switching
	// up point (U); temporal down at once. The owner asks for a key frame while
	// NeedsKeyFrame().
	class SvcLayerFilter
	{
	public:
		struct Layers
		{
			uint8_t spatial{ 0u };
			uint8_t temporal{ 0u };

			bool operator==(const Layers& other) const = default;
		};

		// What the filter needs to know of a packet, whatever the codec.
		struct Frame
		{
			uint8_t spatial{ 0u };
			uint8_t temporal{ 0u };
			// The packet starts / ends its layer frame.
			bool startOfFrame{ false };
			bool endOfFrame{ false };
			// The first packet of a key picture's base layer.
			bool isKeyFrame{ false };
			// P: refers to earlier pictures (0: a full SVC layer can start here).
			bool interPicturePredicted{ true };
			// U: a temporal switching up point.
			bool switchingUpPoint{ false };
			// The picture (temporal unit) the packet belongs to, compared with
			// wrap-around within `pictureIdMask` (VP9: PictureID; AV1: the RTP
			// timestamp). Without it a picture starts at its base layer's first
			// packet.
			std::optional<uint32_t> pictureId;
			uint32_t pictureIdMask{ 0xFFFFFFFFu };
		};

		struct Result
		{
			bool forward{ false };
			// The marker the forwarded packet must carry.
			bool marker{ false };
		};

	public:
		explicit SvcLayerFilter(bool ksvc) : ksvc(ksvc) {}

	public:
		// Starting at a key picture: forwards the target from there.
		void Reset();
		void SetTarget(Layers layers) { this->target = layers; }
		Layers GetTarget() const { return this->target; }
		Layers GetCurrent() const { return this->current; }
		// The target spatial layer can only be reached at a key picture.
		bool NeedsKeyFrame() const
		{
			return this->target.spatial != this->current.spatial &&
						 (this->ksvc || this->target.spatial > this->current.spatial);
		}
		// Whether every packet of the picture being forwarded goes, given the
		// highest layers of the stream (k-SVC: in key pictures only).
		bool ForwardsEverything(Layers highest) const
		{
			return (!this->ksvc || this->pictureIsKey || highest.spatial == 0u) &&
						 this->current.spatial >= highest.spatial && this->current.temporal >= highest.temporal;
		}
		// `marker`: the packet's RTP marker.
		Result Filter(const Frame& frame, bool marker);
		Result Filter(const Codecs::Vp9PayloadDescriptor& descriptor, bool marker)
		{
			return Filter(FromVp9(descriptor), marker);
		}
		static Frame FromVp9(const Codecs::Vp9PayloadDescriptor& descriptor);

	private:
		void StartPicture(const Frame& frame);

	private:
		// Passed by argument.
		bool ksvc{ false };
		// Others.
		Layers target;
		Layers current;
		bool seenPicture{ false };
		uint32_t lastPictureId{ 0u };
		// The picture being forwarded: key or not, and its highest spatial layer.
		bool pictureIsKey{ false };
		uint8_t pictureSpatial{ 0u };
	};
} // namespace RTC

#endif
