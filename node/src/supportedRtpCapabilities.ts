import { clone } from './utils';
import type {
	RouterRtpCapabilities,
	RouterRtpCodecCapability,
	RtcpFeedback,
	RtpHeaderExtension,
} from './rtpParametersTypes';

// RTCP feedback sets shared by the table below. Each codec gets its own copy.
const AudioFeedback: RtcpFeedback[] = [
	{ type: 'nack', parameter: '' },
	{ type: 'transport-cc', parameter: '' },
];

const TransportCcFeedback: RtcpFeedback[] = [{ type: 'transport-cc', parameter: '' }];

const VideoFeedback: RtcpFeedback[] = [
	{ type: 'nack', parameter: '' },
	{ type: 'nack', parameter: 'pli' },
	{ type: 'ccm', parameter: 'fir' },
	{ type: 'goog-remb', parameter: '' },
	{ type: 'transport-cc', parameter: '' },
];

function audioCodec(
	mimeType: string,
	clockRate: number,
	{
		channels = 1,
		preferredPayloadType,
		parameters = {},
		rtcpFeedback = [],
	}: {
		channels?: number;
		preferredPayloadType?: number;
		parameters?: Record<string, unknown>;
		rtcpFeedback?: RtcpFeedback[];
	} = {}
): RouterRtpCodecCapability {
	const codec: RouterRtpCodecCapability = {
		kind: 'audio',
		mimeType,
		clockRate,
		channels,
		parameters,
		rtcpFeedback: clone(rtcpFeedback),
	};

	if (preferredPayloadType !== undefined) {
		codec.preferredPayloadType = preferredPayloadType;
	}

	return codec;
}

function videoCodec(
	mimeType: string,
	parameters: Record<string, unknown> = {}
): RouterRtpCodecCapability {
	return {
		kind: 'video',
		mimeType,
		clockRate: 90000,
		parameters,
		rtcpFeedback: clone(VideoFeedback),
	};
}

function headerExtension(
	kind: RtpHeaderExtension['kind'],
	uri: RtpHeaderExtension['uri'],
	preferredId: number,
	direction: RtpHeaderExtension['direction']
): RtpHeaderExtension {
	return { kind, uri, preferredId, preferredEncrypt: false, direction };
}

function deepFreeze<T>(value: T): T {
	if (typeof value === 'object' && value !== null) {
		for (const child of Object.values(value)) {
			deepFreeze(child);
		}

		Object.freeze(value);
	}

	return value;
}

/**
 * Codecs and header extensions this library can route, already in normalised
 * form (mono audio codecs carry `channels: 1`, every codec has `parameters`
 * and `rtcpFeedback`, every feedback has `parameter`). Codec order matters:
 * the Router takes the first entry matching each requested media codec.
 *
 * Deeply frozen: use getSupportedRtpCapabilities() for a mutable copy.
 */
export const supportedRtpCapabilities: RouterRtpCapabilities = deepFreeze({
	codecs: [
		audioCodec('audio/opus', 48000, {
			channels: 2,
			rtcpFeedback: AudioFeedback,
		}),
		audioCodec('audio/multiopus', 48000, {
			channels: 4,
			// Quad: front left, front right, rear left, rear right.
			parameters: {
				channel_mapping: '0,1,2,3',
				num_streams: 2,
				coupled_streams: 2,
			},
			rtcpFeedback: AudioFeedback,
		}),
		audioCodec('audio/multiopus', 48000, {
			channels: 6,
			// 5.1.
			parameters: {
				channel_mapping: '0,4,1,2,3,5',
				num_streams: 4,
				coupled_streams: 2,
			},
			rtcpFeedback: AudioFeedback,
		}),
		audioCodec('audio/multiopus', 48000, {
			channels: 8,
			// 7.1.
			parameters: {
				channel_mapping: '0,6,1,2,3,4,5,7',
				num_streams: 5,
				coupled_streams: 3,
			},
			rtcpFeedback: AudioFeedback,
		}),
		audioCodec('audio/PCMU', 8000, {
			preferredPayloadType: 0,
			rtcpFeedback: TransportCcFeedback,
		}),
		audioCodec('audio/PCMA', 8000, {
			preferredPayloadType: 8,
			rtcpFeedback: TransportCcFeedback,
		}),
		audioCodec('audio/ISAC', 32000, { rtcpFeedback: TransportCcFeedback }),
		audioCodec('audio/ISAC', 16000, { rtcpFeedback: TransportCcFeedback }),
		audioCodec('audio/G722', 8000, {
			preferredPayloadType: 9,
			rtcpFeedback: TransportCcFeedback,
		}),
		audioCodec('audio/iLBC', 8000, { rtcpFeedback: TransportCcFeedback }),
		audioCodec('audio/SILK', 24000, { rtcpFeedback: TransportCcFeedback }),
		audioCodec('audio/SILK', 16000, { rtcpFeedback: TransportCcFeedback }),
		audioCodec('audio/SILK', 12000, { rtcpFeedback: TransportCcFeedback }),
		audioCodec('audio/SILK', 8000, { rtcpFeedback: TransportCcFeedback }),
		audioCodec('audio/CN', 32000, { preferredPayloadType: 13 }),
		audioCodec('audio/CN', 16000, { preferredPayloadType: 13 }),
		audioCodec('audio/CN', 8000, { preferredPayloadType: 13 }),
		audioCodec('audio/telephone-event', 48000),
		audioCodec('audio/telephone-event', 32000),
		audioCodec('audio/telephone-event', 16000),
		audioCodec('audio/telephone-event', 8000),
		videoCodec('video/VP8'),
		videoCodec('video/VP9'),
		videoCodec('video/H264', { 'level-asymmetry-allowed': 1 }),
		videoCodec('video/AV1'),
	],
	headerExtensions: [
		headerExtension('audio', 'urn:ietf:params:rtp-hdrext:sdes:mid', 1, 'sendrecv'),
		headerExtension('video', 'urn:ietf:params:rtp-hdrext:sdes:mid', 1, 'sendrecv'),
		headerExtension('video', 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', 2, 'recvonly'),
		headerExtension(
			'video',
			'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
			3,
			'recvonly'
		),
		headerExtension(
			'audio',
			'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
			4,
			'sendrecv'
		),
		headerExtension(
			'video',
			'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
			4,
			'sendrecv'
		),
		// Received (for bandwidth estimation) but never sent on audio streams.
		headerExtension(
			'audio',
			'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
			5,
			'recvonly'
		),
		headerExtension(
			'video',
			'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
			5,
			'sendrecv'
		),
		headerExtension('audio', 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', 6, 'sendrecv'),
		headerExtension(
			'video',
			'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
			7,
			'recvonly'
		),
		headerExtension('video', 'urn:3gpp:video-orientation', 8, 'sendrecv'),
		headerExtension('video', 'urn:ietf:params:rtp-hdrext:toffset', 9, 'sendrecv'),
		headerExtension(
			'audio',
			'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time',
			10,
			'sendrecv'
		),
		headerExtension(
			'video',
			'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time',
			10,
			'sendrecv'
		),
		headerExtension(
			'audio',
			'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
			11,
			'sendrecv'
		),
		headerExtension(
			'video',
			'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
			11,
			'sendrecv'
		),
		headerExtension('audio', 'urn:mediasoup:params:rtp-hdrext:packet-id', 12, 'sendrecv'),
		headerExtension('video', 'urn:mediasoup:params:rtp-hdrext:packet-id', 12, 'sendrecv'),
	],
});

/**
 * A fresh, mutable deep copy of the supported RTP capabilities.
 */
export function getSupportedRtpCapabilities(): RouterRtpCapabilities {
	return clone(supportedRtpCapabilities);
}
