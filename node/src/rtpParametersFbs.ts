// Conversion of RTP parameters (and the Producer RTP mapping) between their
// TypeScript shape and the channel schema (worker/fbs/rtpParameters.fbs).
//
// Serialisers expect parameters already validated and normalised by
// ortc.validateAndNormalizeRtpParameters(); they only check that numbers fit
// their wire type (TypeError otherwise), so a value is never silently
// truncated.

import type * as flatbuffers from 'flatbuffers';
import type {
	MediaKind,
	RtcpFeedback,
	RtpCodecParameters,
	RtpCodecsEncodingsMapping,
	RtpEncodingParameters,
	RtpHeaderExtensionParameters,
	RtpHeaderExtensionUri,
	RtpParameters,
} from './rtpParametersTypes';
import { MediaKind as FbsMediaKind } from './fbs/rtp-parameters/media-kind';
import { Parameter as FbsParameter } from './fbs/rtp-parameters/parameter';
import { RtcpFeedback as FbsRtcpFeedback } from './fbs/rtp-parameters/rtcp-feedback';
import { RtpCodecParameters as FbsRtpCodecParameters } from './fbs/rtp-parameters/rtp-codec-parameters';
import { RtpHeaderExtensionParameters as FbsRtpHeaderExtensionParameters } from './fbs/rtp-parameters/rtp-header-extension-parameters';
import { Rtx as FbsRtx } from './fbs/rtp-parameters/rtx';
import { RtpEncodingParameters as FbsRtpEncodingParameters } from './fbs/rtp-parameters/rtp-encoding-parameters';
import { RtcpParameters as FbsRtcpParameters } from './fbs/rtp-parameters/rtcp-parameters';
import { RtpParameters as FbsRtpParameters } from './fbs/rtp-parameters/rtp-parameters';
import { CodecMapping as FbsCodecMapping } from './fbs/rtp-parameters/codec-mapping';
import { EncodingMapping as FbsEncodingMapping } from './fbs/rtp-parameters/encoding-mapping';
import { RtpMapping as FbsRtpMapping } from './fbs/rtp-parameters/rtp-mapping';
import { MAX_UINT32 } from './validation';

const MAX_UINT8 = 255;

export function serializeMediaKind(kind: MediaKind): FbsMediaKind {
	switch (kind) {
		case 'audio':
			return FbsMediaKind.AUDIO;
		case 'video':
			return FbsMediaKind.VIDEO;
		default:
			throw new TypeError(`invalid media kind: ${String(kind)}`);
	}
}

export function parseMediaKind(kind: FbsMediaKind): MediaKind {
	switch (kind) {
		case FbsMediaKind.AUDIO:
			return 'audio';
		case FbsMediaKind.VIDEO:
			return 'video';
		default:
			throw new TypeError(`invalid media kind: ${kind}`);
	}
}

/**
 * Serialises RtpParameters and returns the offset of the FBS RtpParameters.
 *
 * @throws {TypeError} if a number does not fit its wire type.
 */
export function serializeRtpParameters(
	builder: flatbuffers.Builder,
	params: RtpParameters,
	path = 'rtpParameters'
): number {
	// Children first: FlatBuffers objects cannot be nested while being built.
	const codecOffsets = params.codecs.map((codec, idx) =>
		serializeCodec(builder, codec, `${path}.codecs[${idx}]`)
	);
	const headerExtensionOffsets = (params.headerExtensions ?? []).map((ext, idx) =>
		serializeHeaderExtension(builder, ext, `${path}.headerExtensions[${idx}]`)
	);
	const encodingOffsets = (params.encodings ?? []).map((encoding, idx) =>
		serializeRtpEncodingParameters(builder, encoding, `${path}.encodings[${idx}]`)
	);
	const codecsOffset = FbsRtpParameters.createCodecsVector(builder, codecOffsets);
	const headerExtensionsOffset = FbsRtpParameters.createHeaderExtensionsVector(
		builder,
		headerExtensionOffsets
	);
	const encodingsOffset = FbsRtpParameters.createEncodingsVector(builder, encodingOffsets);
	const cname = params.rtcp?.cname;
	const cnameOffset = cname ? builder.createString(cname) : 0;

	FbsRtcpParameters.startRtcpParameters(builder);

	if (cnameOffset) {
		FbsRtcpParameters.addCname(builder, cnameOffset);
	}

	FbsRtcpParameters.addReducedSize(builder, params.rtcp?.reducedSize !== false);

	const rtcpOffset = FbsRtcpParameters.endRtcpParameters(builder);
	const midOffset = params.mid !== undefined ? builder.createString(params.mid) : 0;
	const msidOffset = params.msid ? builder.createString(params.msid) : 0;

	FbsRtpParameters.startRtpParameters(builder);

	if (midOffset) {
		FbsRtpParameters.addMid(builder, midOffset);
	}

	FbsRtpParameters.addCodecs(builder, codecsOffset);
	FbsRtpParameters.addHeaderExtensions(builder, headerExtensionsOffset);
	FbsRtpParameters.addEncodings(builder, encodingsOffset);
	FbsRtpParameters.addRtcp(builder, rtcpOffset);

	if (msidOffset) {
		FbsRtpParameters.addMsid(builder, msidOffset);
	}

	return FbsRtpParameters.endRtpParameters(builder);
}

/**
 * Serialises one RtpEncodingParameters and returns its offset.
 *
 * @throws {TypeError} if a number does not fit its wire type.
 */
export function serializeRtpEncodingParameters(
	builder: flatbuffers.Builder,
	encoding: RtpEncodingParameters,
	path = 'encoding'
): number {
	const { ssrc, rid, codecPayloadType, rtx, dtx, scalabilityMode, maxBitrate } = encoding;

	if (ssrc !== undefined) {
		checkInteger(ssrc, `${path}.ssrc`, MAX_UINT32);
	}

	if (codecPayloadType !== undefined) {
		checkInteger(codecPayloadType, `${path}.codecPayloadType`, MAX_UINT8);
	}

	if (rtx !== undefined) {
		checkInteger(rtx.ssrc, `${path}.rtx.ssrc`, MAX_UINT32);
	}

	if (maxBitrate !== undefined) {
		checkInteger(maxBitrate, `${path}.maxBitrate`, MAX_UINT32);
	}

	const ridOffset = rid ? builder.createString(rid) : 0;
	const rtxOffset = rtx !== undefined ? FbsRtx.createRtx(builder, rtx.ssrc) : 0;
	const scalabilityModeOffset = scalabilityMode ? builder.createString(scalabilityMode) : 0;

	FbsRtpEncodingParameters.startRtpEncodingParameters(builder);

	if (ssrc !== undefined) {
		addOptionalScalar(builder, () => FbsRtpEncodingParameters.addSsrc(builder, ssrc));
	}

	if (ridOffset) {
		FbsRtpEncodingParameters.addRid(builder, ridOffset);
	}

	if (codecPayloadType !== undefined) {
		addOptionalScalar(builder, () =>
			FbsRtpEncodingParameters.addCodecPayloadType(builder, codecPayloadType)
		);
	}

	if (rtxOffset) {
		FbsRtpEncodingParameters.addRtx(builder, rtxOffset);
	}

	if (dtx !== undefined) {
		addOptionalScalar(builder, () => FbsRtpEncodingParameters.addDtx(builder, dtx));
	}

	if (scalabilityModeOffset) {
		FbsRtpEncodingParameters.addScalabilityMode(builder, scalabilityModeOffset);
	}

	if (maxBitrate !== undefined) {
		addOptionalScalar(builder, () => FbsRtpEncodingParameters.addMaxBitrate(builder, maxBitrate));
	}

	return FbsRtpEncodingParameters.endRtpEncodingParameters(builder);
}

/**
 * Serialises the codec and encoding mapping of a Producer and returns the
 * offset of the FBS RtpMapping.
 *
 * @throws {TypeError} if a number does not fit its wire type.
 */
export function serializeRtpMapping(
	builder: flatbuffers.Builder,
	mapping: RtpCodecsEncodingsMapping
): number {
	const codecOffsets = mapping.codecs.map(({ payloadType, mappedPayloadType }, idx) => {
		checkInteger(payloadType, `rtpMapping.codecs[${idx}].payloadType`, MAX_UINT8);
		checkInteger(mappedPayloadType, `rtpMapping.codecs[${idx}].mappedPayloadType`, MAX_UINT8);

		return FbsCodecMapping.createCodecMapping(builder, payloadType, mappedPayloadType);
	});
	const encodingOffsets = mapping.encodings.map(
		({ rid, ssrc, scalabilityMode, mappedSsrc }, idx) => {
			if (ssrc !== undefined) {
				checkInteger(ssrc, `rtpMapping.encodings[${idx}].ssrc`, MAX_UINT32);
			}

			checkInteger(mappedSsrc, `rtpMapping.encodings[${idx}].mappedSsrc`, MAX_UINT32);

			const ridOffset = rid ? builder.createString(rid) : 0;
			const scalabilityModeOffset = scalabilityMode ? builder.createString(scalabilityMode) : 0;

			FbsEncodingMapping.startEncodingMapping(builder);

			if (ridOffset) {
				FbsEncodingMapping.addRid(builder, ridOffset);
			}

			if (ssrc !== undefined) {
				addOptionalScalar(builder, () => FbsEncodingMapping.addSsrc(builder, ssrc));
			}

			if (scalabilityModeOffset) {
				FbsEncodingMapping.addScalabilityMode(builder, scalabilityModeOffset);
			}

			FbsEncodingMapping.addMappedSsrc(builder, mappedSsrc);

			return FbsEncodingMapping.endEncodingMapping(builder);
		}
	);
	const codecsOffset = FbsRtpMapping.createCodecsVector(builder, codecOffsets);
	const encodingsOffset = FbsRtpMapping.createEncodingsVector(builder, encodingOffsets);

	return FbsRtpMapping.createRtpMapping(builder, codecsOffset, encodingsOffset);
}

/**
 * RtpParameters from their FBS form (as dumps report them).
 */
export function parseRtpParameters(fbs: FbsRtpParameters): RtpParameters {
	const params: RtpParameters = {
		codecs: readVector(
			i => fbs.codecs(i),
			fbs.codecsLength(),
			codec => parseCodec(codec)
		),
		headerExtensions: readVector(
			i => fbs.headerExtensions(i),
			fbs.headerExtensionsLength(),
			ext => parseHeaderExtension(ext)
		),
		encodings: readVector(
			i => fbs.encodings(i),
			fbs.encodingsLength(),
			encoding => parseRtpEncodingParameters(encoding)
		),
		rtcp: { reducedSize: true },
	};

	const mid = fbs.mid();

	if (mid !== null) {
		params.mid = mid;
	}

	const rtcp = fbs.rtcp();

	if (rtcp) {
		const cname = rtcp.cname();

		params.rtcp = { reducedSize: rtcp.reducedSize() };

		if (cname) {
			params.rtcp.cname = cname;
		}
	}

	const msid = fbs.msid();

	if (msid) {
		params.msid = msid;
	}

	return params;
}

export function parseRtpEncodingParameters(fbs: FbsRtpEncodingParameters): RtpEncodingParameters {
	const encoding: RtpEncodingParameters = {};
	const ssrc = fbs.ssrc();
	const rid = fbs.rid();
	const codecPayloadType = fbs.codecPayloadType();
	const rtx = fbs.rtx();
	const scalabilityMode = fbs.scalabilityMode();
	const maxBitrate = fbs.maxBitrate();

	if (ssrc !== null) {
		encoding.ssrc = ssrc;
	}

	if (rid) {
		encoding.rid = rid;
	}

	if (codecPayloadType !== null) {
		encoding.codecPayloadType = codecPayloadType;
	}

	if (rtx) {
		encoding.rtx = { ssrc: rtx.ssrc() };
	}

	const dtx = fbs.dtx();

	if (dtx !== null) {
		encoding.dtx = dtx;
	}

	if (scalabilityMode) {
		encoding.scalabilityMode = scalabilityMode;
	}

	if (maxBitrate !== null) {
		encoding.maxBitrate = maxBitrate;
	}

	return encoding;
}

export function parseRtpMapping(fbs: FbsRtpMapping): RtpCodecsEncodingsMapping {
	return {
		codecs: readVector(
			i => fbs.codecs(i),
			fbs.codecsLength(),
			codec => ({
				payloadType: codec.payloadType(),
				mappedPayloadType: codec.mappedPayloadType(),
			})
		),
		encodings: readVector(
			i => fbs.encodings(i),
			fbs.encodingsLength(),
			encoding => {
				const entry: RtpCodecsEncodingsMapping['encodings'][number] = {
					mappedSsrc: encoding.mappedSsrc(),
				};
				const rid = encoding.rid();
				const ssrc = encoding.ssrc();
				const scalabilityMode = encoding.scalabilityMode();

				if (rid) {
					entry.rid = rid;
				}

				if (ssrc !== null) {
					entry.ssrc = ssrc;
				}

				if (scalabilityMode) {
					entry.scalabilityMode = scalabilityMode;
				}

				return entry;
			}
		),
	};
}

/**
 * Reads a FlatBuffers vector of tables through its generated accessor.
 */
export function readVector<F, T>(
	get: (i: number) => F | null,
	length: number,
	parse: (item: F) => T
): T[] {
	const items: T[] = [];

	for (let i = 0; i < length; ++i) {
		items.push(parse(get(i)!));
	}

	return items;
}

function serializeCodec(
	builder: flatbuffers.Builder,
	codec: RtpCodecParameters,
	path: string
): number {
	checkInteger(codec.payloadType, `${path}.payloadType`, MAX_UINT8);
	checkInteger(codec.clockRate, `${path}.clockRate`, MAX_UINT32);

	if (codec.channels !== undefined) {
		checkInteger(codec.channels, `${path}.channels`, MAX_UINT8);
	}

	const mimeTypeOffset = builder.createString(codec.mimeType);
	const parametersOffset = FbsRtpCodecParameters.createParametersVector(
		builder,
		serializeParameters(builder, codec.parameters ?? {})
	);
	const feedbackOffsets = (codec.rtcpFeedback ?? []).map(fb => serializeFeedback(builder, fb));
	const rtcpFeedbackOffset = FbsRtpCodecParameters.createRtcpFeedbackVector(
		builder,
		feedbackOffsets
	);

	FbsRtpCodecParameters.startRtpCodecParameters(builder);
	FbsRtpCodecParameters.addMimeType(builder, mimeTypeOffset);
	FbsRtpCodecParameters.addPayloadType(builder, codec.payloadType);
	FbsRtpCodecParameters.addClockRate(builder, codec.clockRate);

	if (codec.channels !== undefined) {
		const { channels } = codec;

		addOptionalScalar(builder, () => FbsRtpCodecParameters.addChannels(builder, channels));
	}

	FbsRtpCodecParameters.addParameters(builder, parametersOffset);
	FbsRtpCodecParameters.addRtcpFeedback(builder, rtcpFeedbackOffset);

	return FbsRtpCodecParameters.endRtpCodecParameters(builder);
}

function serializeFeedback(builder: flatbuffers.Builder, fb: RtcpFeedback): number {
	const typeOffset = builder.createString(fb.type);
	const parameterOffset = fb.parameter ? builder.createString(fb.parameter) : 0;

	return FbsRtcpFeedback.createRtcpFeedback(builder, typeOffset, parameterOffset);
}

function serializeHeaderExtension(
	builder: flatbuffers.Builder,
	ext: RtpHeaderExtensionParameters,
	path: string
): number {
	checkInteger(ext.id, `${path}.id`, MAX_UINT8);

	const uriOffset = builder.createString(ext.uri);
	const parametersOffset = FbsRtpHeaderExtensionParameters.createParametersVector(
		builder,
		serializeParameters(builder, ext.parameters ?? {})
	);

	return FbsRtpHeaderExtensionParameters.createRtpHeaderExtensionParameters(
		builder,
		uriOffset,
		ext.id,
		ext.encrypt === true,
		parametersOffset
	);
}

/**
 * Codec / header extension parameters: string or number values (the
 * normalisation turned undefined into '' and rejected anything else).
 */
function serializeParameters(
	builder: flatbuffers.Builder,
	parameters: Record<string, unknown>
): number[] {
	return Object.entries(parameters).map(([name, value]) => {
		const nameOffset = builder.createString(name);

		if (typeof value === 'number') {
			FbsParameter.startParameter(builder);
			FbsParameter.addName(builder, nameOffset);
			addOptionalScalar(builder, () => FbsParameter.addNumberValue(builder, value));

			return FbsParameter.endParameter(builder);
		}

		const stringValueOffset = builder.createString(value === undefined ? '' : String(value));

		return FbsParameter.createParameter(builder, nameOffset, stringValueOffset, null);
	});
}

function parseParameters(
	get: (i: number) => FbsParameter | null,
	length: number
): Record<string, unknown> {
	const parameters: Record<string, unknown> = {};

	for (let i = 0; i < length; ++i) {
		const parameter = get(i)!;
		const numberValue = parameter.numberValue();

		parameters[parameter.name()!] =
			numberValue !== null ? numberValue : (parameter.stringValue() ?? '');
	}

	return parameters;
}

function parseCodec(fbs: FbsRtpCodecParameters): RtpCodecParameters {
	const codec: RtpCodecParameters = {
		mimeType: fbs.mimeType()!,
		payloadType: fbs.payloadType(),
		clockRate: fbs.clockRate(),
	};
	const channels = fbs.channels();

	if (channels !== null) {
		codec.channels = channels;
	}

	codec.parameters = parseParameters(i => fbs.parameters(i), fbs.parametersLength());
	codec.rtcpFeedback = readVector(
		i => fbs.rtcpFeedback(i),
		fbs.rtcpFeedbackLength(),
		fb => ({ type: fb.type()!, parameter: fb.parameter() ?? '' })
	);

	return codec;
}

function parseHeaderExtension(fbs: FbsRtpHeaderExtensionParameters): RtpHeaderExtensionParameters {
	return {
		uri: fbs.uri()! as RtpHeaderExtensionUri,
		id: fbs.id(),
		encrypt: fbs.encrypt(),
		parameters: parseParameters(i => fbs.parameters(i), fbs.parametersLength()),
	};
}

/**
 * Adds an optional scalar field (`= null` in the schema) even when its value
 * equals the generated default (0): the generated TypeScript passes 0 as the
 * default of optional scalars, so a 0 would otherwise be dropped and read
 * back as absent.
 */
export function addOptionalScalar(builder: flatbuffers.Builder, add: () => void): void {
	builder.forceDefaults(true);

	try {
		add();
	} finally {
		builder.forceDefaults(false);
	}
}

function checkInteger(value: unknown, field: string, max: number): void {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
		throw new TypeError(`${field} must be an integer in 0..${max}`);
	}
}
