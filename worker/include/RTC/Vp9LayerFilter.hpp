#ifndef MS_RTC_VP9_LAYER_FILTER_HPP
#define MS_RTC_VP9_LAYER_FILTER_HPP

#include "common.hpp"

#include "RTC/Codecs/VP9.hpp"

namespace RTC
{
	// Chooses the packets of a VP9 SVC stream (RFC 9628 payload descriptor)
	// that a receiver at the target spatial/temporal layers gets, in
	// forwarding order.
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
	class Vp9LayerFilter
	{
	public:
		struct Layers
		{
			uint8_t spatial{ 0u };
			uint8_t temporal{ 0u };

			bool operator==(const Layers& other) const = default;
		};

		struct Result
		{
			bool forward{ false };
			// The marker the forwarded packet must carry.
			bool marker{ false };
		};

	public:
		explicit Vp9LayerFilter(bool ksvc) : ksvc(ksvc) {}

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
		Result Filter(const Codecs::Vp9PayloadDescriptor& descriptor, bool marker);

	private:
		void StartPicture(const Codecs::Vp9PayloadDescriptor& descriptor, uint8_t tid);

	private:
		// Passed by argument.
		bool ksvc{ false };
		// Others.
		Layers target;
		Layers current;
		bool seenPicture{ false };
		uint16_t lastPictureId{ 0u };
		// The picture being forwarded: key or not, and its highest spatial layer.
		bool pictureIsKey{ false };
		uint8_t pictureSpatial{ 0u };
	};
} // namespace RTC

#endif
