#ifndef MS_RTC_VP8_TEMPORAL_FILTER_HPP
#define MS_RTC_VP8_TEMPORAL_FILTER_HPP

#include "common.hpp"

#include "RTC/Codecs/VP8.hpp"

#include <array>
#include <optional>

namespace RTC
{
	// Drops the VP8 frames of temporal layers above the target (RFC 7741 TID),
	// for one source stream, in forwarding order.
	//
	// Switches happen only where the receiver can follow them: up to the
	// target at the start of a TL0 frame (it refers to TL0 frames only), or
	// up to a frame's own layer at the start of a layer sync frame (Y bit: it
	// refers to TL0 only); down at the start of any frame, since the frames
	// after it that are dropped are not referred to by the forwarded ones.
	// A packet without TID is in layer 0.
	//
	// PictureIDs are compacted: a dropped picture takes its id out, so the
	// forwarded pictures have consecutive ids (a receiver waits for a picture
	// id it never gets and holds the frames after it). TL0PICIDX needs no
	// change: TL0 frames are never dropped. Ids of the last RememberedPictures
	// forwarded pictures are kept, so a reordered packet gets its picture's id.
	class Vp8TemporalFilter
	{
	public:
		static constexpr size_t RememberedPictures{ 64u };

		struct Result
		{
			bool forward{ false };
			// The compacted PictureID (in the packet's 7 or 15-bit form) when
			// the descriptor has one.
			std::optional<uint16_t> pictureId;
		};

	public:
		// A new source, starting at a key frame: forwards up to the target
		// from there.
		void Reset();
		void SetTarget(uint8_t temporalLayer) { this->target = temporalLayer; }
		uint8_t GetTarget() const { return this->target; }
		// The highest layer forwarded now.
		uint8_t GetCurrent() const { return this->current; }
		Result Filter(const Codecs::Vp8PayloadDescriptor& descriptor);

	private:
		struct Remembered
		{
			uint16_t pictureId{ 0u };
			uint16_t offset{ 0u };
			bool valid{ false };
		};

	private:
		// Others.
		uint8_t target{ 0u };
		uint8_t current{ 0u };
		bool seenPicture{ false };
		uint16_t lastPictureId{ 0u };
		// Pictures dropped so far (modulo the id space).
		uint16_t droppedPictures{ 0u };
		std::array<Remembered, RememberedPictures> remembered{};
	};
} // namespace RTC

#endif
