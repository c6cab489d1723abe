/**
 * Media kind.
 */
export type MediaKind = 'audio' | 'video';

/**
 * What an endpoint (or the Router) is able to receive, at media level: the
 * codecs it can decode and the RTP header extensions it understands.
 */
export type RtpCapabilities = {
	/**
	 * Media codecs and their RTX companions.
	 */
	codecs?: RtpCodecCapability[];

	/**
	 * RTP header extensions.
	 */
	headerExtensions?: RtpHeaderExtension[];
};

/**
 * Same as RtpCapabilities, but the codecs may omit `preferredPayloadType` (the
 * Router picks one). Type of `getSupportedRtpCapabilities()`.
 */
export type RouterRtpCapabilities = Omit<RtpCapabilities, 'codecs'> & {
	codecs?: RouterRtpCodecCapability[];
};

/**
 * A codec within some RTP capabilities. One entry per combination of
 * parameters that needs its own payload type (e.g. one per H264
 * 'packetization-mode' / 'profile-level-id' pair, one per VP9 'profile-id').
 */
export type RtpCodecCapability = {
	/**
	 * Media kind. Overwritten from the `mimeType` on normalisation.
	 */
	kind: MediaKind;

	/**
	 * MIME media type/subtype, e.g. 'audio/opus' or 'video/VP8'. Compared
	 * case-insensitively.
	 */
	mimeType: string;

	/**
	 * Payload type the owner of these capabilities prefers.
	 */
	preferredPayloadType: number;

	/**
	 * Clock rate in Hz.
	 */
	clockRate: number;

	/**
	 * Number of channels (audio only). Normalised to 1 when missing.
	 */
	channels?: number;

	/**
	 * Codec specific parameters, as in the SDP fmtp line. Values are strings or
	 * numbers. Some of them ('packetization-mode' and 'profile-level-id' in
	 * H264, 'profile-id' in VP9, 'num_streams' and 'coupled_streams' in
	 * multiopus) take part in codec matching.
	 */
	parameters?: Record<string, unknown>;

	/**
	 * RTCP feedback messages supported for this codec.
	 */
	rtcpFeedback?: RtcpFeedback[];
};

/**
 * A codec given in the Router `mediaCodecs` option: like RtpCodecCapability
 * but `preferredPayloadType` is optional.
 */
export type RouterRtpCodecCapability = Omit<RtpCodecCapability, 'preferredPayloadType'> & {
	preferredPayloadType?: number;
};

/**
 * Direction of an RTP header extension, from the Router point of view
 * ('recvonly' means the Router can receive it but will not send it). Ignored
 * in remote capabilities.
 */
export type RtpHeaderExtensionDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/**
 * An RTP header extension within some RTP capabilities.
 */
export type RtpHeaderExtension = {
	/**
	 * Media kind.
	 */
	kind: MediaKind;

	/**
	 * URI of the extension (RFC 8285).
	 */
	uri: RtpHeaderExtensionUri;

	/**
	 * Preferred numeric id carried in RTP packets.
	 */
	preferredId: number;

	/**
	 * Whether the value is preferred to be encrypted (RFC 6904). Default false.
	 */
	preferredEncrypt?: boolean;

	/**
	 * Default 'sendrecv'.
	 */
	direction?: RtpHeaderExtensionDirection;
};

/**
 * Describes an RTP stream: what an endpoint sends to a Producer, or what a
 * Consumer sends to an endpoint.
 *
 * A Producer may have several encodings (simulcast); each then needs an
 * `ssrc` or a `rid`. A Consumer has a single encoding (with random SSRCs),
 * except pipe Consumers, which forward every encoding of the Producer.
 */
export type RtpParameters = {
	/**
	 * MID value (BUNDLE). Used by Producers to match incoming packets; set on
	 * Consumers by `consume()` (except pipe Consumers).
	 */
	mid?: string;

	/**
	 * Media and RTX codecs in use.
	 */
	codecs: RtpCodecParameters[];

	/**
	 * RTP header extensions in use. Default [].
	 */
	headerExtensions?: RtpHeaderExtensionParameters[];

	/**
	 * RTP streams and their settings. Default [].
	 */
	encodings?: RtpEncodingParameters[];

	/**
	 * RTCP settings. Default {}.
	 */
	rtcp?: RtcpParameters;

	/**
	 * '<stream id> <track id>', copied from Producers to their Consumers.
	 */
	msid?: string;
};

/**
 * A codec within some RTP parameters.
 */
export type RtpCodecParameters = {
	/**
	 * MIME media type/subtype, e.g. 'audio/opus' or 'video/VP8'.
	 */
	mimeType: string;

	/**
	 * Payload type carried in RTP packets.
	 */
	payloadType: number;

	/**
	 * Clock rate in Hz.
	 */
	clockRate: number;

	/**
	 * Number of channels (audio only). Normalised to 1 when missing.
	 */
	channels?: number;

	/**
	 * Codec specific parameters (see RtpCodecCapability). An RTX codec has a
	 * numeric 'apt' naming the payload type of its media codec.
	 */
	parameters?: Record<string, unknown>;

	/**
	 * RTCP feedback messages in use for this codec.
	 */
	rtcpFeedback?: RtcpFeedback[];
};

/**
 * An RTCP feedback message kind, e.g. { type: 'nack', parameter: 'pli' }.
 */
export type RtcpFeedback = {
	/**
	 * Feedback type ('nack', 'ccm', 'goog-remb', 'transport-cc'…).
	 */
	type: string;

	/**
	 * Feedback parameter ('pli', 'fir'…). Normalised to '' when missing.
	 */
	parameter?: string;
};

/**
 * One RTP stream (and its RTX stream, if any).
 */
export type RtpEncodingParameters = {
	/**
	 * Media SSRC.
	 */
	ssrc?: number;

	/**
	 * RID header extension value.
	 */
	rid?: string;

	/**
	 * Payload type of the codec this encoding uses. Default: first media codec.
	 */
	codecPayloadType?: number;

	/**
	 * RTX stream.
	 */
	rtx?: { ssrc: number };

	/**
	 * Whether discontinuous transmission is used (audio DTX, or screen sharing
	 * with static content: disables the RTP inactivity checks). Default false.
	 */
	dtx?: boolean;

	/**
	 * Spatial and temporal layers, e.g. 'L1T3' (webrtc-svc).
	 */
	scalabilityMode?: string;

	/**
	 * Maximum bitrate (bps) announced for this stream.
	 */
	maxBitrate?: number;
};

/**
 * URIs of the RTP header extensions this library knows.
 */
export type RtpHeaderExtensionUri =
	| 'urn:ietf:params:rtp-hdrext:sdes:mid'
	| 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'
	| 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id'
	| 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'
	| 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'
	| 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'
	| 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension'
	| 'urn:3gpp:video-orientation'
	| 'urn:ietf:params:rtp-hdrext:toffset'
	| 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time'
	| 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay'
	| 'urn:mediasoup:params:rtp-hdrext:packet-id';

/**
 * An RTP header extension within some RTP parameters.
 */
export type RtpHeaderExtensionParameters = {
	/**
	 * URI of the extension (RFC 8285).
	 */
	uri: RtpHeaderExtensionUri;

	/**
	 * Numeric id carried in RTP packets.
	 */
	id: number;

	/**
	 * Whether the value is encrypted (RFC 6904). Default false.
	 */
	encrypt?: boolean;

	/**
	 * Extension configuration. Default {}.
	 */
	parameters?: Record<string, unknown>;
};

/**
 * RTCP settings. Reduced-size RTCP (RFC 5506) is always assumed.
 */
export type RtcpParameters = {
	/**
	 * Canonical name used in RTCP SDES.
	 */
	cname?: string;

	/**
	 * Always normalised to true.
	 */
	reducedSize?: boolean;
};

/**
 * How a Producer's codecs and encodings are mapped to the Router's payload
 * types and SSRCs.
 */
export type RtpCodecsEncodingsMapping = {
	codecs: {
		payloadType: number;
		mappedPayloadType: number;
	}[];

	encodings: {
		ssrc?: number;
		rid?: string;
		scalabilityMode?: string;
		mappedSsrc: number;
	}[];
};
