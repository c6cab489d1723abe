#ifndef MS_RTC_RTP_PACKET_HPP
#define MS_RTC_RTP_PACKET_HPP

#include "common.hpp"

#include "RTC/RtpHeaderExtensionIds.hpp"
#include "Utils/Byte.hpp"

#include <array>
#include <optional>
#include <utility>

namespace RTC
{
	// An RTP packet (RFC 3550 5.1, https://www.rfc-editor.org/rfc/rfc3550#section-5.1):
	//
	//  0                   1                   2                   3
	//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                           timestamp                           |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |           synchronization source (SSRC) identifier            |
	// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
	// |            contributing source (CSRC) identifiers             |  CC of them
	// |                             ....                              |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |      defined by profile       |           length              |  if X (RFC 3550
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  5.3.1), length
	// |                        header extension                       |  in 32-bit words
	// |                             ....                              |
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
	// |                            payload                            |
	// |                             ....              +-+-+-+-+-+-+-+-+
	// |                                               | padding count |  if P: padding,
	// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  count included
	//
	// The header extension block holds RFC 8285 elements
	// (https://www.rfc-editor.org/rfc/rfc8285#section-4) when its profile is
	// 0xBEDE (one-byte form: a byte ID(4 bits, 1..14)|len-1(4 bits), then 1..16
	// bytes) or 0x100X (two-byte form: ID(8 bits, 1..255), len(8 bits), then
	// 0..255 bytes; X = 4 application bits). Zero bytes between elements are
	// padding. Other profiles are kept as an opaque block.
	//
	// A parsed packet is a view over the caller's mutable bytes (the receive
	// buffer, SRTP already removed): it must not outlive them. Header fields are
	// read from and written to those bytes directly; only offsets are stored.
	// Parsing allocates nothing; copying the bytes happens in CopyTo() and
	// RtxEncode() only, into buffers the caller gives.
	//
	// Header extensions are indexed once at parse time into a fixed array of
	// at most MaxExtensions elements. What the block holds past a malformed
	// element (one not fitting the block, or the one-byte ID 15, after which
	// RFC 8285 4.2 says to stop) or past the cap is ignored: the packet stays
	// valid, and elements before that point are kept. When the same ID appears
	// twice, the first one is the one read and updated.
	class RtpPacket
	{
	public:
		// Why Parse() refused the bytes (counted and logged by the caller).
		enum class DropReason : uint8_t
		{
			// Fewer than 12 bytes.
			TOO_SHORT = 1,
			// Version is not 2.
			BAD_VERSION,
			// The CSRC list does not fit.
			CSRCS_OVERFLOW,
			// X is set but the 4-byte extension header does not fit.
			EXTENSION_HEADER_OVERFLOW,
			// The extension block is longer than the bytes left.
			EXTENSION_OVERFLOW,
			// P is set and the padding count is 0.
			PADDING_ZERO,
			// P is set and the padding count is larger than what follows the header.
			PADDING_OVERFLOW
		};

		// How the header extension block is laid out.
		enum class ExtensionForm : uint8_t
		{
			// No X bit.
			NONE,
			// RFC 8285 one-byte form (profile 0xBEDE).
			ONE_BYTE,
			// RFC 8285 two-byte form (profile 0x100X).
			TWO_BYTE,
			// Another profile: an opaque block, no elements.
			OTHER
		};

		// An indexed header extension element.
		struct Extension
		{
			uint8_t id{ 0u };
			// 1..16 in the one-byte form, 0..255 in the two-byte form.
			uint8_t length{ 0u };
			// Offset of the value within GetData().
			uint32_t offset{ 0u };
		};

		// urn:3gpp:video-orientation (3GPP TS 26.114 7.4.5): 0 0 0 0 C F R1 R0.
		struct VideoOrientation
		{
			// C: false for the front-facing camera, true for the back-facing one.
			bool camera{ false };
			// F: horizontal flip.
			bool flip{ false };
			// R1 R0 in degrees (0, 90, 180, 270), clockwise.
			uint16_t rotation{ 0u };
		};

		// playout-delay: two 12-bit values in 10 ms units, given here in ms.
		struct PlayoutDelay
		{
			uint16_t minDelayMs{ 0u };
			uint16_t maxDelayMs{ 0u };
		};

		// abs-capture-time: NTP UQ32.32 capture time, then optionally the
		// sender's estimate of its clock offset to the capturer's (Q32.32).
		struct AbsCaptureTime
		{
			uint64_t absoluteCaptureTimestamp{ 0u };
			std::optional<int64_t> estimatedCaptureClockOffset;
		};

		class Writer;

	public:
		static constexpr size_t FixedHeaderSize{ 12u };
		static constexpr size_t CsrcSize{ 4u };
		static constexpr size_t MaxCsrcs{ 15u };
		static constexpr size_t ExtensionHeaderSize{ 4u };
		static constexpr uint16_t OneByteExtensionProfile{ 0xBEDEu };
		// The two-byte form profile with its 4 application bits masked out.
		static constexpr uint16_t TwoByteExtensionProfile{ 0x1000u };
		static constexpr uint16_t TwoByteExtensionProfileMask{ 0xFFF0u };
		static constexpr uint8_t MaxOneByteExtensionId{ 14u };
		static constexpr size_t MaxOneByteExtensionLength{ 16u };
		static constexpr size_t MaxTwoByteExtensionLength{ 255u };
		// Elements indexed per packet: the one-byte form has 14 IDs; what the
		// two-byte form allows past this many (up to 255) is ignored.
		static constexpr size_t MaxExtensions{ 16u };
		// The original sequence number in front of an RTX payload (RFC 4588 4).
		static constexpr size_t RtxOsnSize{ 2u };

	public:
		// Cheap check for demultiplexing: 12 bytes at least, version 2, and not
		// an RTCP packet type 200..207 (SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR),
		// which read as payload types 72..79 once the marker bit is masked
		// (RFC 5761 4).
		static bool IsRtp(std::span<const uint8_t> data);
		// Checks, in order: 12 bytes at least, version 2, the CSRC list fits,
		// the extension header and block fit (if X), the padding count is neither
		// 0 nor larger than what follows the header (if P). Then indexes the
		// header extension elements. Returns a view over `data`, or nullopt when
		// a check fails (debug log under the "rtp" tag).
		static std::optional<RtpPacket> Parse(std::span<uint8_t> data);
		// Same, telling why the packet was dropped.
		static std::optional<RtpPacket> Parse(std::span<uint8_t> data, DropReason& reason);
		static std::string_view DropReasonToString(DropReason reason);
		// Turns the RTX packet (RFC 4588 4) in `data` back into the original one,
		// in place: the OSN becomes the sequence number, `originalPayloadType`
		// and `originalSsrc` are set (the marker is kept), and the header is
		// moved 2 bytes forward over the OSN, so the returned packet's
		// GetData() starts at data.data() + 2. The RTX padding, if any, is kept.
		// Returns nullopt and leaves `data` untouched when it does not parse or
		// its payload is shorter than the OSN (a padding-only probe).
		static std::optional<RtpPacket>
		RtxDecode(std::span<uint8_t> data, uint8_t originalPayloadType, uint32_t originalSsrc);

	public:
		std::span<uint8_t> GetData() { return this->data; }
		std::span<const uint8_t> GetData() const { return this->data; }
		// Header, payload and padding.
		size_t GetSize() const { return this->data.size(); }
		uint8_t GetVersion() const { return this->data[0] >> 6; }
		bool HasPadding() const { return (this->data[0] & 0x20u) != 0u; }
		// The X bit (whatever the profile).
		bool HasHeaderExtension() const { return (this->data[0] & 0x10u) != 0u; }
		uint8_t GetCsrcCount() const { return this->data[0] & 0x0Fu; }
		bool HasMarker() const { return (this->data[1] & 0x80u) != 0u; }
		uint8_t GetPayloadType() const { return this->data[1] & 0x7Fu; }
		uint16_t GetSequenceNumber() const { return Utils::Byte::Get2Bytes(this->data.data(), 2u); }
		uint32_t GetTimestamp() const { return Utils::Byte::Get4Bytes(this->data.data(), 4u); }
		uint32_t GetSsrc() const { return Utils::Byte::Get4Bytes(this->data.data(), 8u); }
		// nullopt when `index` >= GetCsrcCount().
		std::optional<uint32_t> GetCsrc(size_t index) const
		{
			if (index >= GetCsrcCount())
			{
				return std::nullopt;
			}

			return Utils::Byte::Get4Bytes(this->data.data(), FixedHeaderSize + (index * CsrcSize));
		}
		// Fixed header, CSRCs and extension block.
		size_t GetHeaderSize() const { return this->headerSize; }
		std::span<uint8_t> GetPayload()
		{
			return this->data.subspan(this->headerSize, this->payloadLength);
		}
		std::span<const uint8_t> GetPayload() const
		{
			return std::span<const uint8_t>(this->data).subspan(this->headerSize, this->payloadLength);
		}
		size_t GetPayloadLength() const { return this->payloadLength; }
		// Padding bytes, count byte included; 0 without the P bit.
		size_t GetPaddingLength() const { return this->paddingLength; }

		void SetPayloadType(uint8_t payloadType)
		{
			this->data[1] = static_cast<uint8_t>((this->data[1] & 0x80u) | (payloadType & 0x7Fu));
		}
		void SetMarker(bool marker)
		{
			this->data[1] = static_cast<uint8_t>((this->data[1] & 0x7Fu) | (marker ? 0x80u : 0x00u));
		}
		void SetSequenceNumber(uint16_t sequenceNumber)
		{
			Utils::Byte::Set2Bytes(this->data.data(), 2u, sequenceNumber);
		}
		void SetTimestamp(uint32_t timestamp)
		{
			Utils::Byte::Set4Bytes(this->data.data(), 4u, timestamp);
		}
		void SetSsrc(uint32_t ssrc) { Utils::Byte::Set4Bytes(this->data.data(), 8u, ssrc); }

		/* Header extensions. */

		ExtensionForm GetExtensionForm() const { return this->extensionForm; }
		// The "defined by profile" field; 0 without the X bit.
		uint16_t GetExtensionProfile() const
		{
			return HasHeaderExtension()
							 ? Utils::Byte::Get2Bytes(
									 this->data.data(), this->extensionBlockOffset - ExtensionHeaderSize)
							 : 0u;
		}
		// The extension block after its 4-byte header (empty without the X bit).
		std::span<const uint8_t> GetExtensionBlock() const
		{
			return std::span<const uint8_t>(this->data)
				.subspan(this->extensionBlockOffset, this->extensionBlockLength);
		}
		// The indexed elements, in packet order.
		std::span<const Extension> GetExtensions() const
		{
			return std::span<const Extension>(this->extensions.data(), this->extensionsCount);
		}
		// The value of the first element with `id` (possibly empty in the
		// two-byte form); nullopt when absent or `id` is 0.
		std::optional<std::span<const uint8_t>> GetExtension(uint8_t id) const
		{
			const Extension* extension = FindExtension(id);

			if (!extension)
			{
				return std::nullopt;
			}

			return std::span<const uint8_t>(this->data).subspan(extension->offset, extension->length);
		}
		// Overwrites the value of the first element with `id`, when `value` has
		// exactly its length. The packet size never changes.
		bool UpdateExtensionValue(uint8_t id, std::span<const uint8_t> value);
		// Rewrites the ID of every indexed element in place to map[id], keeping
		// the form and the size. An element mapped to 0 is turned into padding
		// (zero bytes), and so is whatever the parser ignored past a malformed
		// element or the cap, so that nothing with a stale ID is forwarded. The
		// IDs given to SetExtensionIds() are mapped too, so the typed readers go
		// on working. Fails, changing nothing, when a new ID does not fit the
		// one-byte form (> 14). Nothing to do (true) for other forms.
		bool RemapExtensionIds(const std::array<uint8_t, 256>& map);

		// Which IDs the typed readers and updaters below look for.
		void SetExtensionIds(const RtpHeaderExtensionIds& extensionIds)
		{
			this->extensionIds = extensionIds;
		}
		const RtpHeaderExtensionIds& GetExtensionIds() const { return this->extensionIds; }

		// SDES items as text (RFC 8843 15, RFC 8852 3): the value up to its
		// first zero byte, not empty, visible ASCII only (0x21..0x7E); nullopt
		// otherwise. The view points into the packet.
		std::optional<std::string_view> ReadMid() const { return ReadSdesText(this->extensionIds.mid); }
		std::optional<std::string_view> ReadRid() const { return ReadSdesText(this->extensionIds.rid); }
		std::optional<std::string_view> ReadRrid() const
		{
			return ReadSdesText(this->extensionIds.rrid);
		}
		// The 24-bit 6.18 fixed-point seconds (3 bytes).
		std::optional<uint32_t> ReadAbsSendTime() const;
		// The transport-wide sequence number (2 bytes).
		std::optional<uint16_t> ReadTransportWideCc01() const;
		// Level in -dBov (0..127) and the voice activity flag (1 byte, RFC 6464 3).
		std::optional<std::pair<uint8_t, bool>> ReadSsrcAudioLevel() const;
		// 1 byte.
		std::optional<VideoOrientation> ReadVideoOrientation() const;
		// Transmission time offset, a signed 24-bit count of RTP timestamp units
		// (3 bytes, RFC 5450 2).
		std::optional<int32_t> ReadToffset() const;
		// 3 bytes.
		std::optional<PlayoutDelay> ReadPlayoutDelay() const;
		// 8 or 16 bytes.
		std::optional<AbsCaptureTime> ReadAbsCaptureTime() const;
		// Rewrite the value in place when present with the right length.
		bool UpdateAbsSendTime(uint32_t absSendTime);
		bool UpdateTransportWideCc01(uint16_t sequenceNumber);

		/* Copies. */

		// Copies the bytes into `out` and returns a view over them with the same
		// extension IDs; nullopt when `out` is smaller than GetSize(). `out`
		// must not overlap this packet's bytes.
		std::optional<RtpPacket> CopyTo(std::span<uint8_t> out) const;
		// Bytes RtxEncode() writes: header, OSN and payload, without padding.
		size_t GetRtxSize() const { return this->headerSize + RtxOsnSize + this->payloadLength; }
		// Writes the RTX packet (RFC 4588 4) of this packet into `out`: the same
		// header (CSRCs and extensions included) with P cleared, `rtxPayloadType`
		// (marker kept), `rtxSequenceNumber` and `rtxSsrc`, then the original
		// sequence number, then the payload; the padding is dropped. Returns false
		// (writing nothing) when `out` is smaller than GetRtxSize(). `out` may
		// start at this packet's own bytes (then this view is stale afterwards)
		// but must not overlap them otherwise.
		bool RtxEncode(
			std::span<uint8_t> out,
			uint8_t rtxPayloadType,
			uint32_t rtxSsrc,
			uint16_t rtxSequenceNumber,
			size_t& outLen) const;

	private:
		explicit RtpPacket(std::span<uint8_t> data) : data(data) {}

	private:
		void IndexExtensions();
		const Extension* FindExtension(uint8_t id) const
		{
			if (id == 0u)
			{
				return nullptr;
			}

			for (size_t i = 0u; i < this->extensionsCount; ++i)
			{
				if (this->extensions[i].id == id)
				{
					return &this->extensions[i];
				}
			}

			return nullptr;
		}
		// The value of the first element with `id` when it is `length` bytes long.
		const uint8_t* GetFixedExtension(uint8_t id, size_t length) const
		{
			const Extension* extension = FindExtension(id);

			if (!extension || extension->length != length)
			{
				return nullptr;
			}

			return this->data.data() + extension->offset;
		}
		std::optional<std::string_view> ReadSdesText(uint8_t id) const;

	private:
		// Passed by argument.
		std::span<uint8_t> data;
		// Others.
		size_t headerSize{ 0u };
		size_t payloadLength{ 0u };
		size_t paddingLength{ 0u };
		ExtensionForm extensionForm{ ExtensionForm::NONE };
		// Offset and length of the extension block after its 4-byte header.
		size_t extensionBlockOffset{ 0u };
		size_t extensionBlockLength{ 0u };
		// Bytes of the block walked by the parser; past them is what it ignored.
		size_t extensionIndexedLength{ 0u };
		std::array<Extension, MaxExtensions> extensions{};
		size_t extensionsCount{ 0u };
		RtpHeaderExtensionIds extensionIds;
	};

	// Builds an RTP packet into a caller's buffer (for tests, probes and
	// locally generated media): GetSize(), then Serialize() into at least that
	// many bytes. Header extensions are written in the one-byte form when every
	// element fits it (ID 1..14, 1..16 bytes), in the two-byte form otherwise
	// or when asked; the block is zero-padded to 4 bytes.
	//
	// The writer keeps views of the payload and extension values: they must
	// outlive Serialize().
	class RtpPacket::Writer
	{
	public:
		Writer(uint8_t payloadType, uint16_t sequenceNumber, uint32_t timestamp, uint32_t ssrc);

	public:
		void SetMarker(bool marker) { this->marker = marker; }
		// False when MaxCsrcs are there already.
		bool AddCsrc(uint32_t csrc);
		// False when `id` is 0, `value` is over 255 bytes or MaxExtensions are
		// there already.
		bool AddExtension(uint8_t id, std::span<const uint8_t> value);
		void SetForceTwoByteExtensions(bool force) { this->forceTwoByteExtensions = force; }
		void SetTwoByteAppBits(uint8_t appBits) { this->twoByteAppBits = appBits & 0x0Fu; }
		void SetPayload(std::span<const uint8_t> payload) { this->payload = payload; }
		// Padding bytes, count byte included (0: no padding, no P bit).
		void SetPaddingLength(uint8_t paddingLength) { this->paddingLength = paddingLength; }
		ExtensionForm GetExtensionForm() const;
		// Bytes Serialize() needs.
		size_t GetSize() const;
		// Returns the bytes written, or 0 when `out` is too small.
		size_t Serialize(std::span<uint8_t> out) const;

	private:
		struct Element
		{
			uint8_t id{ 0u };
			std::span<const uint8_t> value;
		};

	private:
		size_t GetExtensionBlockLength() const;

	private:
		// Passed by argument.
		uint8_t payloadType{ 0u };
		uint16_t sequenceNumber{ 0u };
		uint32_t timestamp{ 0u };
		uint32_t ssrc{ 0u };
		bool marker{ false };
		std::array<uint32_t, MaxCsrcs> csrcs{};
		size_t csrcsCount{ 0u };
		std::array<Element, MaxExtensions> elements{};
		size_t elementsCount{ 0u };
		bool forceTwoByteExtensions{ false };
		uint8_t twoByteAppBits{ 0u };
		std::span<const uint8_t> payload;
		uint8_t paddingLength{ 0u };
	};
} // namespace RTC

#endif
