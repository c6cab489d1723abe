#ifndef MS_RTC_CODECS_VP8_HPP
#define MS_RTC_CODECS_VP8_HPP

#include "common.hpp"

#include "RTC/Codecs/Tools.hpp"

#include <optional>

namespace RTC::Codecs
{
	// The VP8 payload descriptor (RFC 7741 4.2) and, in the first packet of a
	// frame, the start of the VP8 payload header (RFC 7741 4.3).
	// https://www.rfc-editor.org/rfc/rfc7741#section-4.2
	//
	//        0 1 2 3 4 5 6 7
	//       +-+-+-+-+-+-+-+-+
	//       |X|R|N|S|R| PID | (REQUIRED)
	//       +-+-+-+-+-+-+-+-+
	//  X:   |I|L|T|K| RSV   | (OPTIONAL)
	//       +-+-+-+-+-+-+-+-+
	//  I:   |M| PictureID   | (OPTIONAL)
	//       +-+-+-+-+-+-+-+-+
	//  M:   |   PictureID   | (OPTIONAL, 15-bit form when M = 1)
	//       +-+-+-+-+-+-+-+-+
	//  L:   |   TL0PICIDX   | (OPTIONAL)
	//       +-+-+-+-+-+-+-+-+
	//  T/K: |TID|Y| KEYIDX  | (OPTIONAL, when T or K is 1)
	//       +-+-+-+-+-+-+-+-+
	//
	// https://www.rfc-editor.org/rfc/rfc7741#section-4.3 (first byte of the
	// frame, present when S = 1 and PID = 0):
	//
	//       +-+-+-+-+-+-+-+-+
	//       |Size0|H| VER |P|   P: inverse key frame flag (0: key frame)
	//       +-+-+-+-+-+-+-+-+
	//
	// A key frame then holds, after the 3-byte frame tag, the start code
	// 9d 01 2a and two little-endian 16-bit words: 2 scale bits and 14 bits of
	// width, the same for height (RFC 6386 9.1).
	struct Vp8PayloadDescriptor
	{
		// Bytes of the descriptor: the VP8 payload starts there.
		size_t size{ 0u };
		// X: extension byte present.
		bool extended{ false };
		// N: the frame can be discarded without hurting others.
		bool nonReference{ false };
		// S: the packet starts a VP8 partition.
		bool startOfPartition{ false };
		// PID: partition index (0..7).
		uint8_t partitionIndex{ 0u };
		// I, M and PictureID (7 or 15 bits).
		bool hasPictureId{ false };
		bool hasLongPictureId{ false };
		uint16_t pictureId{ 0u };
		// L and TL0PICIDX.
		bool hasTl0PicIdx{ false };
		uint8_t tl0PicIdx{ 0u };
		// T, TID and Y.
		bool hasTid{ false };
		uint8_t tid{ 0u };
		bool layerSync{ false };
		// K and KEYIDX.
		bool hasKeyIdx{ false };
		uint8_t keyIdx{ 0u };
		// S = 1, PID = 0 and the payload header's P bit 0.
		bool isKeyFrame{ false };
		// From a key frame's header when the packet holds it; 0 otherwise.
		uint16_t width{ 0u };
		uint16_t height{ 0u };
	};

	class Vp8
	{
	public:
		class EncodingContext;

	public:
		static constexpr uint16_t MaxPictureId{ 0x7FFFu };
		static constexpr uint16_t MaxShortPictureId{ 0x7Fu };

	public:
		// nullopt when `payload` is too short for the descriptor its bits
		// announce, or has no byte of VP8 payload after it.
		static std::optional<Vp8PayloadDescriptor> Parse(std::span<const uint8_t> payload);
		static bool IsKeyFrame(std::span<const uint8_t> payload);
		// Writes PictureID (keeping the packet's 7 or 15-bit form: the low
		// bits of `pictureId`) and TL0PICIDX into `payload`, each only if the
		// descriptor has the field. False, and nothing written, when the
		// payload does not parse. To undo, call it again with the values
		// Parse() returned before.
		static bool
		SetPictureIdAndTl0PicIdx(std::span<uint8_t> payload, uint16_t pictureId, uint8_t tl0PicIdx);
	};

	static_assert(PayloadParser<Vp8>);

	// Keeps PictureID and TL0PICIDX of one outgoing stream continuous while the
	// packets forwarded into it come from different source streams (simulcast
	// layer switches, a consumer moved to another producer). Clock-free: it
	// sees only the forwarded packets' values, in forwarding order.
	//
	// Within a source, values are shifted by a fixed offset, so gaps the source
	// has (losses) stay, and a reordered packet gets the value it should. When
	// SyncRequired() was called, the next packet's picture is taken as the one
	// right after the last picture sent: its PictureID becomes the highest one
	// sent + 1 and its TL0PICIDX the highest one sent + 1 (or the same, when
	// the packet is not in temporal layer 0 and so belongs to the last TL0
	// picture's group). Packets of the previous source must not be given after
	// that point. PictureIDs wrap at 0x7FFF, TL0PICIDX at 0xFF; a source sending
	// 7-bit PictureIDs is unwrapped into the 15-bit space, and written back in
	// its 7-bit form by SetPictureIdAndTl0PicIdx().
	class Vp8::EncodingContext
	{
	public:
		struct Ids
		{
			// Present when the descriptor has the field.
			std::optional<uint16_t> pictureId;
			std::optional<uint8_t> tl0PicIdx;
		};

	public:
		// The next packet comes from another source stream (or the same one
		// after a discontinuity the receiver must not see).
		void SyncRequired()
		{
			this->syncPictureId = true;
			this->syncTl0PicIdx = true;
		}
		// The outgoing values for a forwarded packet with this descriptor.
		Ids Rewrite(const Vp8PayloadDescriptor& descriptor);
		// Parses `payload`, rewrites its ids in place and returns the original
		// descriptor (to restore the payload with
		// Vp8::SetPictureIdAndTl0PicIdx() when it is shared). nullopt, and
		// nothing changed, when the payload does not parse.
		std::optional<Vp8PayloadDescriptor> RewritePayload(std::span<uint8_t> payload);
		// Highest values sent so far.
		std::optional<uint16_t> GetHighestPictureId() const
		{
			return this->hasSentPictureId ? std::optional<uint16_t>(this->highestPictureId)
																		: std::nullopt;
		}
		std::optional<uint8_t> GetHighestTl0PicIdx() const
		{
			return this->hasSentTl0PicIdx ? std::optional<uint8_t>(this->highestTl0PicIdx) : std::nullopt;
		}

	private:
		uint16_t RewritePictureId(uint16_t pictureId, bool isLong);
		uint8_t RewriteTl0PicIdx(uint8_t tl0PicIdx, bool isTemporalBaseLayer);

	private:
		// Others.
		bool syncPictureId{ true };
		bool syncTl0PicIdx{ true };
		// Latest source PictureID in the 15-bit space (7-bit ones unwrapped).
		uint16_t sourcePictureId{ 0u };
		uint16_t pictureIdOffset{ 0u };
		bool hasSentPictureId{ false };
		uint16_t highestPictureId{ 0u };
		uint8_t tl0PicIdxOffset{ 0u };
		bool hasSentTl0PicIdx{ false };
		uint8_t highestTl0PicIdx{ 0u };
	};
} // namespace RTC::Codecs

#endif
