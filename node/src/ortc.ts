import * as h264 from 'h264-profile-level-id';
import type * as flatbuffers from 'flatbuffers';
import { clone, generateRandomNumber, isPlainObject } from './utils';
import { UnsupportedError } from './errors';
import { getSupportedRtpCapabilities } from './supportedRtpCapabilities';
import { parseScalabilityMode } from './scalabilityModes';
import type {
	MediaKind,
	RouterRtpCodecCapability,
	RtcpFeedback,
	RtcpParameters,
	RtpCapabilities,
	RtpCodecCapability,
	RtpCodecParameters,
	RtpCodecsEncodingsMapping,
	RtpEncodingParameters,
	RtpHeaderExtension,
	RtpHeaderExtensionParameters,
	RtpHeaderExtensionUri,
	RtpParameters,
} from './rtpParametersTypes';
import type { SctpStreamParameters } from './sctpParametersTypes';
import { serializeRtpMapping as serializeRtpMappingFbs } from './rtpParametersFbs';

export type { RtpCodecsEncodingsMapping } from './rtpParametersTypes';

// Dynamic payload types handed out by the Router, in this order.
const DynamicPayloadTypes: readonly number[] = [
	100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118,
	119, 120, 121, 122, 123, 124, 125, 126, 127, 96, 97, 98, 99,
];

const MimeTypeRegex = /^(audio|video)\/(.+)/i;
const RtxMimeTypeRegex = /.+\/rtx$/i;

const MidUri: RtpHeaderExtensionUri = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const AbsSendTimeUri: RtpHeaderExtensionUri =
	'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
const TransportWideCcUri: RtpHeaderExtensionUri =
	'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const AbsCaptureTimeUri: RtpHeaderExtensionUri =
	'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time';
const DependencyDescriptorUri: RtpHeaderExtensionUri =
	'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';

// The Router's id for the dependency descriptor extension (see
// supportedRtpCapabilities.ts).
const DependencyDescriptorId = 7;

/**
 * The fields codec matching looks at; shared by capabilities and parameters.
 */
type MatchableCodec = {
	mimeType: string;
	clockRate: number;
	channels?: number;
	parameters?: Record<string, unknown>;
};

/**
 * Validates RtpCapabilities and fills in defaults, in place.
 *
 * @throws {TypeError} naming the offending field.
 */
export function validateAndNormalizeRtpCapabilities(caps: RtpCapabilities): void {
	if (!isPlainObject(caps)) {
		throw new TypeError('caps must be an object');
	}

	if (!caps.codecs) {
		caps.codecs = [];
	} else if (!Array.isArray(caps.codecs)) {
		throw new TypeError('caps.codecs must be an array');
	}

	caps.codecs.forEach((codec, idx) =>
		validateAndNormalizeRtpCodecCapability(codec, `caps.codecs[${idx}]`)
	);

	if (!caps.headerExtensions) {
		caps.headerExtensions = [];
	} else if (!Array.isArray(caps.headerExtensions)) {
		throw new TypeError('caps.headerExtensions must be an array');
	}

	caps.headerExtensions.forEach((ext, idx) =>
		validateAndNormalizeRtpHeaderExtension(ext, `caps.headerExtensions[${idx}]`)
	);
}

/**
 * Validates RtpParameters and fills in defaults, in place.
 *
 * @throws {TypeError} naming the offending field.
 */
export function validateAndNormalizeRtpParameters(params: RtpParameters): void {
	if (!isPlainObject(params)) {
		throw new TypeError('params must be an object');
	}

	if (params.mid && typeof params.mid !== 'string') {
		throw new TypeError('params.mid must be a string');
	}

	if (!Array.isArray(params.codecs)) {
		throw new TypeError('params.codecs is missing or not an array');
	}

	params.codecs.forEach((codec, idx) =>
		validateAndNormalizeRtpCodecParameters(codec, `params.codecs[${idx}]`)
	);

	if (!params.headerExtensions) {
		params.headerExtensions = [];
	} else if (!Array.isArray(params.headerExtensions)) {
		throw new TypeError('params.headerExtensions must be an array');
	}

	params.headerExtensions.forEach((ext, idx) =>
		validateAndNormalizeRtpHeaderExtensionParameters(ext, `params.headerExtensions[${idx}]`)
	);

	if (!params.encodings) {
		params.encodings = [];
	} else if (!Array.isArray(params.encodings)) {
		throw new TypeError('params.encodings must be an array');
	}

	params.encodings.forEach((encoding, idx) =>
		validateAndNormalizeRtpEncodingParameters(encoding, `params.encodings[${idx}]`)
	);

	if (!params.rtcp) {
		params.rtcp = {};
	} else if (typeof params.rtcp !== 'object') {
		throw new TypeError('params.rtcp must be an object');
	}

	validateAndNormalizeRtcpParameters(params.rtcp, 'params.rtcp');

	if (params.msid && typeof params.msid !== 'string') {
		throw new TypeError('params.msid must be a string');
	}
}

/**
 * Validates SctpStreamParameters and fills in defaults, in place.
 *
 * `ordered` defaults to true, or to false when `maxPacketLifeTime` or
 * `maxRetransmits` is given (an explicit `ordered: true` with either of them is
 * an error).
 *
 * @throws {TypeError} naming the offending field.
 */
export function validateAndNormalizeSctpStreamParameters(params: SctpStreamParameters): void {
	if (!isPlainObject(params)) {
		throw new TypeError('params must be an object');
	}

	if (typeof params.streamId !== 'number') {
		throw new TypeError('params.streamId is missing or not a number');
	}

	const orderedGiven = typeof params.ordered === 'boolean';

	if (!orderedGiven) {
		params.ordered = true;
	}

	// Like the reference implementation, a zero value counts as "not given".
	if (params.maxPacketLifeTime && typeof params.maxPacketLifeTime !== 'number') {
		throw new TypeError('params.maxPacketLifeTime must be a number');
	}

	if (params.maxRetransmits && typeof params.maxRetransmits !== 'number') {
		throw new TypeError('params.maxRetransmits must be a number');
	}

	if (params.maxPacketLifeTime && params.maxRetransmits) {
		throw new TypeError(
			'params.maxPacketLifeTime and params.maxRetransmits are mutually exclusive'
		);
	}

	const partiallyReliable = Boolean(params.maxPacketLifeTime || params.maxRetransmits);

	if (partiallyReliable) {
		if (orderedGiven && params.ordered) {
			throw new TypeError(
				'params.ordered cannot be true together with params.maxPacketLifeTime or params.maxRetransmits'
			);
		}

		params.ordered = false;
	}
}

/**
 * Builds the Router RTP capabilities for the given media codecs: each one is
 * matched against the supported codecs, gets a payload type and, for video,
 * an RTX codec right after it. Header extensions are all the supported ones.
 *
 * The given codecs are not modified.
 *
 * @throws {TypeError} if mediaCodecs is not an array, a codec is invalid or two
 *   codecs end up with the same payload type.
 * @throws {UnsupportedError} if a codec is not supported.
 * @throws {Error} if there are no dynamic payload types left.
 */
export function generateRouterRtpCapabilities(
	mediaCodecs: RouterRtpCodecCapability[] = []
): RtpCapabilities {
	if (!Array.isArray(mediaCodecs)) {
		throw new TypeError('mediaCodecs must be an array');
	}

	const supportedCaps = getSupportedRtpCapabilities();
	const supportedCodecs = supportedCaps.codecs ?? [];
	const freePayloadTypes = [...DynamicPayloadTypes];
	const codecs: RtpCodecCapability[] = [];

	const takeDynamicPayloadType = (): number => {
		const payloadType = freePayloadTypes.shift();

		if (payloadType === undefined) {
			// The reference's wording, which applications may match.
			throw new Error('cannot allocate more dynamic codec payload types');
		}

		return payloadType;
	};

	mediaCodecs.forEach((givenCodec, idx) => {
		const path = `mediaCodecs[${idx}]`;
		const mediaCodec = copyPlainData(givenCodec);

		validateAndNormalizeRtpCodecCapability(mediaCodec, path);

		const supportedCodec = supportedCodecs.find(candidate =>
			matchCodecs(mediaCodec, candidate, { strict: false, modify: false })
		);

		if (!supportedCodec) {
			throw new UnsupportedError(
				`${path} is not supported [mimeType:${mediaCodec.mimeType}, clockRate:${mediaCodec.clockRate}, channels:${mediaCodec.channels}]`
			);
		}

		let payloadType: number;

		if (typeof mediaCodec.preferredPayloadType === 'number') {
			payloadType = mediaCodec.preferredPayloadType;

			const freeIdx = freePayloadTypes.indexOf(payloadType);

			if (freeIdx !== -1) {
				freePayloadTypes.splice(freeIdx, 1);
			}
		} else if (typeof supportedCodec.preferredPayloadType === 'number') {
			// Static payload type (PCMU, PCMA, G722, CN).
			payloadType = supportedCodec.preferredPayloadType;
		} else {
			payloadType = takeDynamicPayloadType();
		}

		if (codecs.some(codec => codec.preferredPayloadType === payloadType)) {
			throw new TypeError(`${path}.preferredPayloadType ${payloadType} is already in use`);
		}

		const codec: RtpCodecCapability = {
			kind: supportedCodec.kind,
			mimeType: supportedCodec.mimeType,
			preferredPayloadType: payloadType,
			clockRate: supportedCodec.clockRate,
		};

		if (supportedCodec.kind === 'audio') {
			codec.channels = supportedCodec.channels;
		}

		codec.parameters = {
			...supportedCodec.parameters,
			...mediaCodec.parameters,
		};
		// Feedback is what this library supports, whatever was given.
		codec.rtcpFeedback = clone(supportedCodec.rtcpFeedback ?? []);

		codecs.push(codec);

		if (codec.kind === 'video') {
			codecs.push({
				kind: codec.kind,
				mimeType: `${codec.kind}/rtx`,
				preferredPayloadType: takeDynamicPayloadType(),
				clockRate: codec.clockRate,
				parameters: { apt: codec.preferredPayloadType },
				rtcpFeedback: [],
			});
		}
	});

	return {
		codecs,
		headerExtensions: supportedCaps.headerExtensions ?? [],
	};
}

/**
 * Maps the codecs and encodings of a Producer to those of the Router.
 *
 * Each media codec is matched against the Router codecs (strict matching; for
 * H264 the Producer codec 'profile-level-id' is replaced by the negotiated
 * answer, so `params` is modified). Each RTX codec must point (apt) to a media
 * codec of `params` and the matched Router codec must have an RTX codec.
 * Encodings get consecutive mapped SSRCs from a random base.
 *
 * @throws {UnsupportedError} if a codec (or its RTX) is not in the Router.
 * @throws {TypeError} if an RTX codec has no media codec in `params`.
 */
export function getProducerRtpParametersMapping(
	params: RtpParameters,
	caps: RtpCapabilities
): RtpCodecsEncodingsMapping {
	const routerCodecs = caps.codecs ?? [];
	const mapping: RtpCodecsEncodingsMapping = { codecs: [], encodings: [] };

	// Insertion order gives media codecs first, then RTX codecs.
	const routerCodecByCodec = new Map<RtpCodecParameters, RtpCodecCapability>();

	for (const codec of params.codecs) {
		if (isRtxCodec(codec)) {
			continue;
		}

		const routerCodec = routerCodecs.find(candidate =>
			matchCodecs(codec, candidate, { strict: true, modify: true })
		);

		if (!routerCodec) {
			throw new UnsupportedError(
				`unsupported codec [mimeType:${codec.mimeType}, payloadType:${codec.payloadType}]`
			);
		}

		routerCodecByCodec.set(codec, routerCodec);
	}

	for (const codec of params.codecs) {
		if (!isRtxCodec(codec)) {
			continue;
		}

		const apt = codec.parameters?.['apt'];
		const mediaCodec = params.codecs.find(
			candidate => !isRtxCodec(candidate) && candidate.payloadType === apt
		);

		if (!mediaCodec) {
			throw new TypeError(
				`no media codec for the apt parameter of RTX codec [payloadType:${codec.payloadType}, apt:${String(apt)}]`
			);
		}

		const routerMediaCodec = routerCodecByCodec.get(mediaCodec)!;
		const routerRtxCodec = routerCodecs.find(
			candidate =>
				isRtxCodec(candidate) &&
				candidate.parameters?.['apt'] === routerMediaCodec.preferredPayloadType
		);

		if (!routerRtxCodec) {
			throw new UnsupportedError(
				`no RTX codec in the Router for codec [mimeType:${routerMediaCodec.mimeType}, payloadType:${routerMediaCodec.preferredPayloadType}]`
			);
		}

		routerCodecByCodec.set(codec, routerRtxCodec);
	}

	for (const [codec, routerCodec] of routerCodecByCodec) {
		mapping.codecs.push({
			payloadType: codec.payloadType,
			mappedPayloadType: routerCodec.preferredPayloadType,
		});
	}

	const baseMappedSsrc = generateRandomNumber();

	(params.encodings ?? []).forEach((encoding, idx) => {
		const entry: RtpCodecsEncodingsMapping['encodings'][number] = {
			mappedSsrc: baseMappedSsrc + idx,
		};

		if (encoding.rid) {
			entry.rid = encoding.rid;
		}

		if (encoding.ssrc) {
			entry.ssrc = encoding.ssrc;
		}

		if (encoding.scalabilityMode) {
			entry.scalabilityMode = encoding.scalabilityMode;
		}

		mapping.encodings.push(entry);
	});

	return mapping;
}

/**
 * RTP parameters of a Producer as the Router forwards them: Router codecs
 * (with the Producer codec parameters), the Router header extensions it can
 * send for this kind, and encodings with the mapped SSRCs.
 */
export function getConsumableRtpParameters(
	kind: MediaKind,
	params: RtpParameters,
	caps: RtpCapabilities,
	rtpMapping: RtpCodecsEncodingsMapping
): RtpParameters {
	const routerCodecs = caps.codecs ?? [];
	const consumableParams: RtpParameters = {
		codecs: [],
		headerExtensions: [],
		encodings: [],
		rtcp: {},
	};

	for (const codec of params.codecs) {
		if (isRtxCodec(codec)) {
			continue;
		}

		const mappedPayloadType = rtpMapping.codecs.find(
			entry => entry.payloadType === codec.payloadType
		)?.mappedPayloadType;
		const routerCodec = routerCodecs.find(
			candidate =>
				mappedPayloadType !== undefined && candidate.preferredPayloadType === mappedPayloadType
		);

		if (!routerCodec) {
			throw new TypeError(`no mapped Router codec for codec [payloadType:${codec.payloadType}]`);
		}

		const consumableCodec: RtpCodecParameters = {
			mimeType: routerCodec.mimeType,
			payloadType: routerCodec.preferredPayloadType,
			clockRate: routerCodec.clockRate,
		};

		if (routerCodec.channels !== undefined) {
			consumableCodec.channels = routerCodec.channels;
		}

		// Keep the Producer parameters (e.g. opus 'useinbandfec').
		consumableCodec.parameters = clone(codec.parameters ?? {});
		consumableCodec.rtcpFeedback = clone(routerCodec.rtcpFeedback ?? []);

		consumableParams.codecs.push(consumableCodec);

		const routerRtxCodec = routerCodecs.find(
			candidate =>
				isRtxCodec(candidate) && candidate.parameters?.['apt'] === consumableCodec.payloadType
		);

		if (routerRtxCodec) {
			consumableParams.codecs.push({
				mimeType: routerRtxCodec.mimeType,
				payloadType: routerRtxCodec.preferredPayloadType,
				clockRate: routerRtxCodec.clockRate,
				parameters: clone(routerRtxCodec.parameters ?? {}),
				rtcpFeedback: clone(routerRtxCodec.rtcpFeedback ?? []),
			});
		}
	}

	const producerHasAbsCaptureTime = (params.headerExtensions ?? []).some(
		ext => ext.uri === AbsCaptureTimeUri
	);

	for (const routerExt of caps.headerExtensions ?? []) {
		const direction = routerExt.direction ?? 'sendrecv';

		if (routerExt.kind !== kind || (direction !== 'sendrecv' && direction !== 'sendonly')) {
			continue;
		}

		// The Router can only forward abs-capture-time if the Producer sends it.
		if (routerExt.uri === AbsCaptureTimeUri && !producerHasAbsCaptureTime) {
			continue;
		}

		consumableParams.headerExtensions!.push({
			uri: routerExt.uri,
			id: routerExt.preferredId,
			encrypt: routerExt.preferredEncrypt ?? false,
			parameters: {},
		});
	}

	(params.encodings ?? []).forEach((encoding, idx) => {
		const consumableEncoding = clone(encoding);

		delete consumableEncoding.rid;
		delete consumableEncoding.rtx;
		delete consumableEncoding.codecPayloadType;

		consumableEncoding.ssrc = rtpMapping.encodings[idx]?.mappedSsrc;

		consumableParams.encodings!.push(consumableEncoding);
	});

	const rtcp: RtcpParameters = { reducedSize: true };

	if (params.rtcp?.cname !== undefined) {
		rtcp.cname = params.rtcp.cname;
	}

	consumableParams.rtcp = rtcp;

	if (params.msid) {
		consumableParams.msid = params.msid;
	}

	return consumableParams;
}

/**
 * Whether an endpoint with the given capabilities can receive the given
 * consumable parameters: at least one codec matches and the first matching one
 * is a media codec.
 *
 * @throws {TypeError} if `caps` is invalid (it is normalised in place).
 */
export function canConsume(consumableParams: RtpParameters, caps: RtpCapabilities): boolean {
	validateAndNormalizeRtpCapabilities(caps);

	const remoteCodecs = caps.codecs!;
	const matchingCodecs = consumableParams.codecs.filter(codec =>
		remoteCodecs.some(remoteCodec =>
			matchCodecs(remoteCodec, codec, { strict: true, modify: false })
		)
	);

	return matchingCodecs.length > 0 && !isRtxCodec(matchingCodecs[0]);
}

/**
 * RTP parameters of a Consumer: the consumable codecs the remote endpoint
 * supports (with its RTCP feedback), the header extensions it supports with
 * the same id, and a single encoding with random SSRCs (or, for pipe
 * Consumers, one encoding per consumable encoding).
 *
 * The given objects are not modified.
 *
 * @throws {TypeError} if a remote codec is invalid.
 * @throws {UnsupportedError} if no media codec is compatible.
 */
export function getConsumerRtpParameters({
	consumableRtpParameters,
	remoteRtpCapabilities,
	pipe,
	enableRtx,
}: {
	consumableRtpParameters: RtpParameters;
	remoteRtpCapabilities: RtpCapabilities;
	pipe: boolean;
	enableRtx: boolean;
}): RtpParameters {
	const remoteCodecs = (remoteRtpCapabilities.codecs ?? []).map((remoteCodec, idx) => {
		const copy = copyPlainData(remoteCodec);

		validateAndNormalizeRtpCodecCapability(copy, `remoteRtpCapabilities.codecs[${idx}]`);

		return copy;
	});
	const remoteExts = remoteRtpCapabilities.headerExtensions ?? [];
	const consumerParams = newParametersFrom(consumableRtpParameters);

	for (const codec of clone(consumableRtpParameters.codecs)) {
		if (!enableRtx && isRtxCodec(codec)) {
			continue;
		}

		const remoteCodec = remoteCodecs.find(candidate =>
			matchCodecs(candidate, codec, { strict: true, modify: false })
		);

		if (!remoteCodec) {
			continue;
		}

		// Without RTX there is no retransmission, so plain NACK is useless.
		codec.rtcpFeedback = (remoteCodec.rtcpFeedback ?? []).filter(
			fb => enableRtx || !isPlainNack(fb)
		);

		consumerParams.codecs.push(codec);
	}

	// An RTX codec is useless without its media codec.
	consumerParams.codecs = consumerParams.codecs.filter(
		codec =>
			!isRtxCodec(codec) ||
			consumerParams.codecs.some(
				mediaCodec =>
					!isRtxCodec(mediaCodec) && mediaCodec.payloadType === codec.parameters?.['apt']
			)
	);

	const rtxSupported = consumerParams.codecs.some(isRtxCodec);

	if (consumerParams.codecs.length === 0 || isRtxCodec(consumerParams.codecs[0])) {
		throw new UnsupportedError('no compatible media codecs');
	}

	consumerParams.headerExtensions = clone(consumableRtpParameters.headerExtensions ?? []).filter(
		ext =>
			remoteExts.some(remoteExt => remoteExt.preferredId === ext.id && remoteExt.uri === ext.uri)
	);

	pruneBweFeedback(consumerParams);

	const consumableEncodings = consumableRtpParameters.encodings ?? [];

	if (!pipe) {
		const encoding: RtpEncodingParameters = { ssrc: generateRandomNumber() };

		if (rtxSupported) {
			encoding.rtx = { ssrc: encoding.ssrc! + 1 };
		}

		// All encodings are assumed to share the same scalability mode.
		let scalabilityMode = consumableEncodings.find(
			consumableEncoding => consumableEncoding.scalabilityMode
		)?.scalabilityMode;

		// Simulcast is forwarded as a single stream whose spatial layers are the
		// simulcast streams.
		if (consumableEncodings.length > 1) {
			const { temporalLayers } = parseScalabilityMode(scalabilityMode);

			scalabilityMode = `L${consumableEncodings.length}T${temporalLayers}`;
		}

		if (scalabilityMode) {
			encoding.scalabilityMode = scalabilityMode;
		}

		const maxBitrate = consumableEncodings.reduce(
			(max, consumableEncoding) =>
				typeof consumableEncoding.maxBitrate === 'number' && consumableEncoding.maxBitrate > max
					? consumableEncoding.maxBitrate
					: max,
			0
		);

		if (maxBitrate) {
			encoding.maxBitrate = maxBitrate;
		}

		consumerParams.encodings = [encoding];
	} else {
		consumerParams.encodings = pipeEncodings(consumableEncodings, rtxSupported);
	}

	return consumerParams;
}

/**
 * RTP parameters of a Consumer on a PipeTransport towards another Router: all
 * consumable codecs (RTX only if enabled) with just NACK (if RTX), PLI and FIR
 * feedback, the consumable header extensions minus MID and the BWE ones, plus
 * the dependency descriptor, and all encodings with fresh SSRCs.
 *
 * The given objects are not modified.
 */
export function getPipeConsumerRtpParameters({
	consumableRtpParameters,
	enableRtx = false,
}: {
	consumableRtpParameters: RtpParameters;
	enableRtx?: boolean;
}): RtpParameters {
	const consumerParams = newParametersFrom(consumableRtpParameters);

	for (const codec of clone(consumableRtpParameters.codecs)) {
		if (!enableRtx && isRtxCodec(codec)) {
			continue;
		}

		codec.rtcpFeedback = (codec.rtcpFeedback ?? []).filter(
			fb =>
				(fb.type === 'nack' && fb.parameter === 'pli') ||
				(fb.type === 'ccm' && fb.parameter === 'fir') ||
				(enableRtx && isPlainNack(fb))
		);

		consumerParams.codecs.push(codec);
	}

	// MID is per transport and the receiving Router does its own BWE.
	const headerExtensions = clone(consumableRtpParameters.headerExtensions ?? []).filter(
		ext => ext.uri !== MidUri && ext.uri !== AbsSendTimeUri && ext.uri !== TransportWideCcUri
	);

	// The Router only receives the dependency descriptor (it is 'recvonly'), so
	// it is not among the consumable extensions, but the other Router needs it.
	if (!headerExtensions.some(ext => ext.uri === DependencyDescriptorUri)) {
		headerExtensions.push({
			uri: DependencyDescriptorUri,
			id: DependencyDescriptorId,
			encrypt: false,
			parameters: {},
		});
	}

	headerExtensions.sort((a, b) => a.id - b.id);

	consumerParams.headerExtensions = headerExtensions;
	consumerParams.encodings = pipeEncodings(consumableRtpParameters.encodings ?? [], enableRtx);

	return consumerParams;
}

/**
 * Serialises a Producer RTP mapping (as getProducerRtpParametersMapping()
 * returns it) into the given FlatBuffers builder and returns the offset of the
 * FBS RtpMapping table.
 *
 * @throws {TypeError} if a payload type or SSRC does not fit its wire type.
 */
export function serializeRtpMapping(
	builder: flatbuffers.Builder,
	rtpMapping: RtpCodecsEncodingsMapping
): number {
	return serializeRtpMappingFbs(builder, rtpMapping);
}

/**
 * Codec matching. `a` is the codec being looked up, `b` a candidate.
 *
 * Non-strict matching (Router creation) only looks at MIME type, clock rate,
 * channels and, for multiopus, the stream layout. Strict matching also checks
 * the H264 packetization mode and profile and the VP9 profile. With `modify`,
 * a matching H264 `a` gets the negotiated 'profile-level-id'.
 */
function matchCodecs(
	a: MatchableCodec,
	b: MatchableCodec,
	{ strict, modify }: { strict: boolean; modify: boolean }
): boolean {
	const mimeType = a.mimeType.toLowerCase();

	if (mimeType !== b.mimeType.toLowerCase()) {
		return false;
	}

	if (a.clockRate !== b.clockRate || a.channels !== b.channels) {
		return false;
	}

	const aParams = a.parameters ?? {};
	const bParams = b.parameters ?? {};

	switch (mimeType) {
		case 'audio/multiopus': {
			if (
				aParams['num_streams'] !== bParams['num_streams'] ||
				aParams['coupled_streams'] !== bParams['coupled_streams']
			) {
				return false;
			}

			break;
		}

		case 'video/h264': {
			if (!strict) {
				break;
			}

			// No type coercion: 1 and '1' differ.
			if ((aParams['packetization-mode'] || 0) !== (bParams['packetization-mode'] || 0)) {
				return false;
			}

			if (!h264.isSameProfile(aParams, bParams)) {
				return false;
			}

			let answerProfileLevelId: string | undefined;

			try {
				answerProfileLevelId = h264.generateProfileLevelIdStringForAnswer(aParams, bParams);
			} catch {
				return false;
			}

			if (modify) {
				a.parameters = aParams;

				if (answerProfileLevelId) {
					aParams['profile-level-id'] = answerProfileLevelId;
				} else {
					delete aParams['profile-level-id'];
				}
			}

			break;
		}

		case 'video/vp9': {
			if (!strict) {
				break;
			}

			if ((aParams['profile-id'] || 0) !== (bParams['profile-id'] || 0)) {
				return false;
			}

			break;
		}
	}

	return true;
}

function isRtxCodec(codec: { mimeType: string }): boolean {
	return RtxMimeTypeRegex.test(codec.mimeType);
}

function isPlainNack(fb: RtcpFeedback): boolean {
	return fb.type === 'nack' && !fb.parameter;
}

/**
 * Empty RtpParameters carrying the rtcp and msid of `params`.
 */
function newParametersFrom(params: RtpParameters): RtpParameters & {
	headerExtensions: RtpHeaderExtensionParameters[];
	encodings: RtpEncodingParameters[];
} {
	const newParams: RtpParameters & {
		headerExtensions: RtpHeaderExtensionParameters[];
		encodings: RtpEncodingParameters[];
	} = { codecs: [], headerExtensions: [], encodings: [] };

	if (params.rtcp) {
		newParams.rtcp = clone(params.rtcp);
	}

	if (params.msid) {
		newParams.msid = params.msid;
	}

	return newParams;
}

/**
 * Keeps a single bandwidth estimation feedback on every codec: transport-cc if
 * the transport-wide-cc extension is in use, else goog-remb if abs-send-time
 * is, else none.
 */
function pruneBweFeedback(params: RtpParameters): void {
	const uris = new Set((params.headerExtensions ?? []).map(ext => ext.uri));
	let dropped: string[];

	if (uris.has(TransportWideCcUri)) {
		dropped = ['goog-remb'];
	} else if (uris.has(AbsSendTimeUri)) {
		dropped = ['transport-cc'];
	} else {
		dropped = ['transport-cc', 'goog-remb'];
	}

	for (const codec of params.codecs) {
		codec.rtcpFeedback = (codec.rtcpFeedback ?? []).filter(fb => !dropped.includes(fb.type));
	}
}

/**
 * Copies of the given encodings with consecutive SSRCs (and RTX SSRCs if
 * `withRtx`) starting at random bases.
 */
function pipeEncodings(
	encodings: RtpEncodingParameters[],
	withRtx: boolean
): RtpEncodingParameters[] {
	const baseSsrc = generateRandomNumber();
	const baseRtxSsrc = generateRandomNumber();

	return clone(encodings).map((encoding, idx) => {
		encoding.ssrc = baseSsrc + idx;

		if (withRtx) {
			encoding.rtx = { ssrc: baseRtxSsrc + idx };
		} else {
			delete encoding.rtx;
		}

		return encoding;
	});
}

/**
 * Copy of plain objects and arrays, leaving any other value (including
 * functions, which validation then rejects) as is. Unlike structuredClone it
 * never throws, so bad input ends in our TypeError.
 */
function copyPlainData<T>(value: T): T {
	if (Array.isArray(value)) {
		return value.map(item => copyPlainData(item)) as T;
	}

	if (isPlainObject(value)) {
		const copy: Record<string, unknown> = {};

		for (const [key, item] of Object.entries(value)) {
			copy[key] = copyPlainData(item);
		}

		return copy as T;
	}

	return value;
}

function validateAndNormalizeRtpCodecCapability(
	codec: RtpCodecCapability | RouterRtpCodecCapability,
	path: string
): void {
	if (!isPlainObject(codec)) {
		throw new TypeError(`${path} must be an object`);
	}

	const kind = validateMimeType(codec.mimeType, path);

	codec.kind = kind;

	if (codec.preferredPayloadType && typeof codec.preferredPayloadType !== 'number') {
		throw new TypeError(`${path}.preferredPayloadType must be a number`);
	}

	normalizeCodecCommonFields(codec, kind, path);
}

function validateAndNormalizeRtpCodecParameters(codec: RtpCodecParameters, path: string): void {
	if (!isPlainObject(codec)) {
		throw new TypeError(`${path} must be an object`);
	}

	const kind = validateMimeType(codec.mimeType, path);

	if (typeof codec.payloadType !== 'number') {
		throw new TypeError(`${path}.payloadType is missing or not a number`);
	}

	normalizeCodecCommonFields(codec, kind, path);
}

/**
 * Checks the mimeType and returns the media kind it names.
 */
function validateMimeType(mimeType: unknown, path: string): MediaKind {
	if (!mimeType || typeof mimeType !== 'string') {
		throw new TypeError(`${path}.mimeType is missing or not a string`);
	}

	const match = MimeTypeRegex.exec(mimeType);

	if (!match) {
		throw new TypeError(`${path}.mimeType '${mimeType}' is not 'audio/<codec>' or 'video/<codec>'`);
	}

	return match[1].toLowerCase() as MediaKind;
}

/**
 * clockRate, channels, parameters and rtcpFeedback, shared by codec
 * capabilities and codec parameters.
 */
function normalizeCodecCommonFields(
	codec: {
		clockRate: number;
		channels?: number;
		parameters?: Record<string, unknown>;
		rtcpFeedback?: RtcpFeedback[];
	},
	kind: MediaKind,
	path: string
): void {
	if (typeof codec.clockRate !== 'number') {
		throw new TypeError(`${path}.clockRate is missing or not a number`);
	}

	if (kind === 'audio') {
		if (typeof codec.channels !== 'number') {
			codec.channels = 1;
		}
	} else {
		delete codec.channels;
	}

	if (!isPlainObject(codec.parameters)) {
		codec.parameters = {};
	}

	normalizeParameterValues(codec.parameters, `${path}.parameters`);

	if (typeof codec.parameters['apt'] !== 'undefined') {
		if (typeof codec.parameters['apt'] !== 'number') {
			throw new TypeError(`${path}.parameters.apt must be a number`);
		}
	}

	if (!Array.isArray(codec.rtcpFeedback)) {
		codec.rtcpFeedback = [];
	}

	codec.rtcpFeedback.forEach((fb, idx) =>
		validateAndNormalizeRtcpFeedback(fb, `${path}.rtcpFeedback[${idx}]`)
	);
}

/**
 * Parameter values must be strings or numbers; `undefined` becomes ''.
 */
function normalizeParameterValues(parameters: Record<string, unknown>, path: string): void {
	for (const [key, value] of Object.entries(parameters)) {
		if (value === undefined) {
			parameters[key] = '';
		} else if (typeof value !== 'string' && typeof value !== 'number') {
			throw new TypeError(
				`${path}['${key}'] must be a string or a number [value:${String(value)}]`
			);
		}
	}
}

function validateAndNormalizeRtcpFeedback(fb: RtcpFeedback, path: string): void {
	if (!isPlainObject(fb)) {
		throw new TypeError(`${path} must be an object`);
	}

	if (!fb.type || typeof fb.type !== 'string') {
		throw new TypeError(`${path}.type is missing or not a string`);
	}

	if (!fb.parameter || typeof fb.parameter !== 'string') {
		fb.parameter = '';
	}
}

function validateAndNormalizeRtpHeaderExtension(ext: RtpHeaderExtension, path: string): void {
	if (!isPlainObject(ext)) {
		throw new TypeError(`${path} must be an object`);
	}

	if (ext.kind !== 'audio' && ext.kind !== 'video') {
		throw new TypeError(`${path}.kind must be 'audio' or 'video'`);
	}

	if (!ext.uri || typeof ext.uri !== 'string') {
		throw new TypeError(`${path}.uri is missing or not a string`);
	}

	if (typeof ext.preferredId !== 'number') {
		throw new TypeError(`${path}.preferredId is missing or not a number`);
	}

	if (!ext.preferredEncrypt) {
		ext.preferredEncrypt = false;
	} else if (typeof ext.preferredEncrypt !== 'boolean') {
		throw new TypeError(`${path}.preferredEncrypt must be a boolean`);
	}

	if (!ext.direction) {
		ext.direction = 'sendrecv';
	} else if (typeof ext.direction !== 'string') {
		throw new TypeError(`${path}.direction must be a string`);
	}
}

function validateAndNormalizeRtpHeaderExtensionParameters(
	ext: RtpHeaderExtensionParameters,
	path: string
): void {
	if (!isPlainObject(ext)) {
		throw new TypeError(`${path} must be an object`);
	}

	if (!ext.uri || typeof ext.uri !== 'string') {
		throw new TypeError(`${path}.uri is missing or not a string`);
	}

	if (typeof ext.id !== 'number') {
		throw new TypeError(`${path}.id is missing or not a number`);
	}

	if (!ext.encrypt) {
		ext.encrypt = false;
	} else if (typeof ext.encrypt !== 'boolean') {
		throw new TypeError(`${path}.encrypt must be a boolean`);
	}

	if (!isPlainObject(ext.parameters)) {
		ext.parameters = {};
	}

	normalizeParameterValues(ext.parameters, `${path}.parameters`);
}

function validateAndNormalizeRtpEncodingParameters(
	encoding: RtpEncodingParameters,
	path: string
): void {
	if (!isPlainObject(encoding)) {
		throw new TypeError(`${path} must be an object`);
	}

	if (encoding.ssrc && typeof encoding.ssrc !== 'number') {
		throw new TypeError(`${path}.ssrc must be a number`);
	}

	if (encoding.rid && typeof encoding.rid !== 'string') {
		throw new TypeError(`${path}.rid must be a string`);
	}

	if (encoding.rtx) {
		if (typeof encoding.rtx !== 'object') {
			throw new TypeError(`${path}.rtx must be an object`);
		}

		if (typeof encoding.rtx.ssrc !== 'number') {
			throw new TypeError(`${path}.rtx.ssrc is missing or not a number`);
		}
	}

	if (encoding.dtx !== true) {
		encoding.dtx = false;
	}

	if (encoding.scalabilityMode && typeof encoding.scalabilityMode !== 'string') {
		throw new TypeError(`${path}.scalabilityMode must be a string`);
	}
}

function validateAndNormalizeRtcpParameters(rtcp: RtcpParameters, path: string): void {
	if (rtcp.cname && typeof rtcp.cname !== 'string') {
		throw new TypeError(`${path}.cname must be a string`);
	}

	// Reduced-size RTCP is always used: anything but true (even false) is
	// normalised to true.
	rtcp.reducedSize = true;
}
