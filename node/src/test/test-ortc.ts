import * as ortc from '../ortc';
import * as utils from '../utils';
import { UnsupportedError } from '../errors';
import { getSupportedRtpCapabilities, supportedRtpCapabilities } from '../supportedRtpCapabilities';
import type {
	RouterRtpCodecCapability,
	RtcpFeedback,
	RtpCapabilities,
	RtpHeaderExtensionParameters,
	RtpHeaderExtensionUri,
	RtpParameters,
} from '../rtpParametersTypes';
import type { SctpStreamParameters } from '../sctpParametersTypes';
import {
	chromeDeviceRtpCapabilities,
	chromeNativeRtpCapabilities,
	firefoxDeviceRtpCapabilities,
	firefoxNativeRtpCapabilities,
	routerMediaCodecs,
} from './fixtures/browserRtpCapabilities';
import {
	chromeH264ProducerRtpParameters,
	chromeOpusProducerRtpParameters,
	chromeVp8SimulcastProducerRtpParameters,
	chromeVp9SvcProducerRtpParameters,
} from './fixtures/browserRtpParameters';

const MidUri: RtpHeaderExtensionUri = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const AbsSendTimeUri: RtpHeaderExtensionUri =
	'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
const TransportWideCcUri: RtpHeaderExtensionUri =
	'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const AudioLevelUri: RtpHeaderExtensionUri = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const DependencyDescriptorUri: RtpHeaderExtensionUri =
	'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';
const VideoOrientationUri: RtpHeaderExtensionUri = 'urn:3gpp:video-orientation';
const ToffsetUri: RtpHeaderExtensionUri = 'urn:ietf:params:rtp-hdrext:toffset';
const AbsCaptureTimeUri: RtpHeaderExtensionUri =
	'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time';
const PlayoutDelayUri: RtpHeaderExtensionUri =
	'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';
const PacketIdUri: RtpHeaderExtensionUri = 'urn:mediasoup:params:rtp-hdrext:packet-id';

// Feedback of the supported codecs (§18.1), normalised.
const A: RtcpFeedback[] = [
	{ type: 'nack', parameter: '' },
	{ type: 'transport-cc', parameter: '' },
];
const T: RtcpFeedback[] = [{ type: 'transport-cc', parameter: '' }];
const V: RtcpFeedback[] = [
	{ type: 'nack', parameter: '' },
	{ type: 'nack', parameter: 'pli' },
	{ type: 'ccm', parameter: 'fir' },
	{ type: 'goog-remb', parameter: '' },
	{ type: 'transport-cc', parameter: '' },
];

function ext(uri: RtpHeaderExtensionUri, id: number): RtpHeaderExtensionParameters {
	return { uri, id, encrypt: false, parameters: {} };
}

/**
 * Runs fn and returns what it threw (fails the test if nothing was thrown).
 */
function thrownBy(fn: () => unknown): Error {
	try {
		fn();
	} catch (error) {
		return error as Error;
	}

	throw new Error('expected the call to throw');
}

function expectTypeErrorNaming(fn: () => unknown, field: string): void {
	const error = thrownBy(fn);

	expect(error).toBeInstanceOf(TypeError);
	expect(error.message).toContain(field);
}

function routerCaps(): RtpCapabilities {
	return ortc.generateRouterRtpCapabilities(routerMediaCodecs());
}

/**
 * Producer pipeline as Transport.produce() runs it.
 */
function produce(
	kind: 'audio' | 'video',
	params: RtpParameters,
	caps: RtpCapabilities = routerCaps()
): {
	params: RtpParameters;
	mapping: ortc.RtpCodecsEncodingsMapping;
	consumable: RtpParameters;
} {
	ortc.validateAndNormalizeRtpParameters(params);

	const mapping = ortc.getProducerRtpParametersMapping(params, caps);
	const consumable = ortc.getConsumableRtpParameters(kind, params, caps, mapping);

	return { params, mapping, consumable };
}

function mockRandomNumbers(...values: number[]): jest.SpyInstance {
	const spy = jest.spyOn(utils, 'generateRandomNumber');

	for (const value of values) {
		spy.mockReturnValueOnce(value);
	}

	return spy;
}

afterEach(() => {
	jest.restoreAllMocks();
});

describe('supported RTP capabilities', () => {
	test('codecs are listed in the documented order', () => {
		const codecs = getSupportedRtpCapabilities().codecs!.map(codec => [
			codec.kind,
			codec.mimeType,
			codec.clockRate,
			codec.channels,
			codec.preferredPayloadType,
		]);

		expect(codecs).toEqual([
			['audio', 'audio/opus', 48000, 2, undefined],
			['audio', 'audio/multiopus', 48000, 4, undefined],
			['audio', 'audio/multiopus', 48000, 6, undefined],
			['audio', 'audio/multiopus', 48000, 8, undefined],
			['audio', 'audio/PCMU', 8000, 1, 0],
			['audio', 'audio/PCMA', 8000, 1, 8],
			['audio', 'audio/ISAC', 32000, 1, undefined],
			['audio', 'audio/ISAC', 16000, 1, undefined],
			['audio', 'audio/G722', 8000, 1, 9],
			['audio', 'audio/iLBC', 8000, 1, undefined],
			['audio', 'audio/SILK', 24000, 1, undefined],
			['audio', 'audio/SILK', 16000, 1, undefined],
			['audio', 'audio/SILK', 12000, 1, undefined],
			['audio', 'audio/SILK', 8000, 1, undefined],
			['audio', 'audio/CN', 32000, 1, 13],
			['audio', 'audio/CN', 16000, 1, 13],
			['audio', 'audio/CN', 8000, 1, 13],
			['audio', 'audio/telephone-event', 48000, 1, undefined],
			['audio', 'audio/telephone-event', 32000, 1, undefined],
			['audio', 'audio/telephone-event', 16000, 1, undefined],
			['audio', 'audio/telephone-event', 8000, 1, undefined],
			['video', 'video/VP8', 90000, undefined, undefined],
			['video', 'video/VP9', 90000, undefined, undefined],
			['video', 'video/H264', 90000, undefined, undefined],
			['video', 'video/AV1', 90000, undefined, undefined],
		]);
	});

	test('codec parameters and feedback are the documented ones', () => {
		const codecs = getSupportedRtpCapabilities().codecs!;
		const find = (mimeType: string, clockRate: number, channels?: number) =>
			codecs.find(
				codec =>
					codec.mimeType === mimeType &&
					codec.clockRate === clockRate &&
					codec.channels === channels
			)!;

		expect(find('audio/opus', 48000, 2)).toEqual({
			kind: 'audio',
			mimeType: 'audio/opus',
			clockRate: 48000,
			channels: 2,
			parameters: {},
			rtcpFeedback: A,
		});
		expect(find('audio/multiopus', 48000, 4).parameters).toEqual({
			channel_mapping: '0,1,2,3',
			num_streams: 2,
			coupled_streams: 2,
		});
		expect(find('audio/multiopus', 48000, 6).parameters).toEqual({
			channel_mapping: '0,4,1,2,3,5',
			num_streams: 4,
			coupled_streams: 2,
		});
		expect(find('audio/multiopus', 48000, 8).parameters).toEqual({
			channel_mapping: '0,6,1,2,3,4,5,7',
			num_streams: 5,
			coupled_streams: 3,
		});
		expect(find('audio/PCMU', 8000, 1).rtcpFeedback).toEqual(T);
		expect(find('audio/G722', 8000, 1).rtcpFeedback).toEqual(T);
		expect(find('audio/SILK', 12000, 1).rtcpFeedback).toEqual(T);
		expect(find('audio/CN', 8000, 1).rtcpFeedback).toEqual([]);
		expect(find('audio/telephone-event', 48000, 1).rtcpFeedback).toEqual([]);
		expect(find('video/H264', 90000)).toEqual({
			kind: 'video',
			mimeType: 'video/H264',
			clockRate: 90000,
			parameters: { 'level-asymmetry-allowed': 1 },
			rtcpFeedback: V,
		});

		for (const mimeType of ['video/VP8', 'video/VP9', 'video/AV1']) {
			expect(find(mimeType, 90000).parameters).toEqual({});
			expect(find(mimeType, 90000).rtcpFeedback).toEqual(V);
		}
	});

	test('H265 is not supported', () => {
		expect(getSupportedRtpCapabilities().codecs!.some(codec => /h265/i.test(codec.mimeType))).toBe(
			false
		);
	});

	test('header extensions are listed in the documented order', () => {
		expect(getSupportedRtpCapabilities().headerExtensions).toEqual(
			[
				['audio', MidUri, 1, 'sendrecv'],
				['video', MidUri, 1, 'sendrecv'],
				['video', 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', 2, 'recvonly'],
				['video', 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', 3, 'recvonly'],
				['audio', AbsSendTimeUri, 4, 'sendrecv'],
				['video', AbsSendTimeUri, 4, 'sendrecv'],
				['audio', TransportWideCcUri, 5, 'recvonly'],
				['video', TransportWideCcUri, 5, 'sendrecv'],
				['audio', AudioLevelUri, 6, 'sendrecv'],
				['video', DependencyDescriptorUri, 7, 'recvonly'],
				['video', VideoOrientationUri, 8, 'sendrecv'],
				['video', ToffsetUri, 9, 'sendrecv'],
				['audio', AbsCaptureTimeUri, 10, 'sendrecv'],
				['video', AbsCaptureTimeUri, 10, 'sendrecv'],
				['audio', PlayoutDelayUri, 11, 'sendrecv'],
				['video', PlayoutDelayUri, 11, 'sendrecv'],
				['audio', PacketIdUri, 12, 'sendrecv'],
				['video', PacketIdUri, 12, 'sendrecv'],
			].map(([kind, uri, preferredId, direction]) => ({
				kind,
				uri,
				preferredId,
				preferredEncrypt: false,
				direction,
			}))
		);
	});

	test('is already normalised', () => {
		const caps = getSupportedRtpCapabilities() as RtpCapabilities;

		ortc.validateAndNormalizeRtpCapabilities(caps);

		expect(caps).toEqual(getSupportedRtpCapabilities());
	});

	test('each call returns an independent copy', () => {
		const caps = getSupportedRtpCapabilities();

		caps.codecs!.splice(0, 3);
		caps.codecs![0].parameters!['foo'] = 'bar';
		caps.headerExtensions!.pop();

		const fresh = getSupportedRtpCapabilities();

		expect(fresh.codecs).toHaveLength(25);
		expect(fresh.codecs![0].mimeType).toBe('audio/opus');
		expect(fresh.codecs![3].parameters).not.toHaveProperty('foo');
		expect(fresh.headerExtensions).toHaveLength(18);
	});

	test('the exported table cannot be modified', () => {
		expect(() => supportedRtpCapabilities.codecs!.pop()).toThrow(TypeError);
		expect(() => {
			supportedRtpCapabilities.codecs![0].clockRate = 1;
		}).toThrow(TypeError);
		expect(getSupportedRtpCapabilities().codecs).toHaveLength(25);
	});
});

describe('validateAndNormalizeRtpCapabilities()', () => {
	test('normalises Chrome native capabilities', () => {
		const caps = chromeNativeRtpCapabilities();

		ortc.validateAndNormalizeRtpCapabilities(caps);

		const opus = caps.codecs![0];

		expect(opus).toEqual({
			kind: 'audio',
			mimeType: 'audio/opus',
			preferredPayloadType: 111,
			clockRate: 48000,
			channels: 2,
			parameters: { minptime: 10, useinbandfec: 1 },
			rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
		});

		const pcmu = caps.codecs!.find(codec => codec.mimeType === 'audio/PCMU')!;

		expect(pcmu.channels).toBe(1);

		const vp8 = caps.codecs!.find(codec => codec.mimeType === 'video/VP8')!;

		expect(vp8).not.toHaveProperty('channels');
		expect(vp8.rtcpFeedback).toEqual([
			{ type: 'goog-remb', parameter: '' },
			{ type: 'transport-cc', parameter: '' },
			{ type: 'ccm', parameter: 'fir' },
			{ type: 'nack', parameter: '' },
			{ type: 'nack', parameter: 'pli' },
		]);

		for (const headerExtension of caps.headerExtensions!) {
			expect(headerExtension.preferredEncrypt).toBe(false);
			expect(headerExtension.direction).toBe('sendrecv');
		}

		// Nothing was dropped, H265 and unknown extensions included.
		expect(caps.codecs).toHaveLength(chromeNativeRtpCapabilities().codecs!.length);
		expect(caps.headerExtensions).toHaveLength(
			chromeNativeRtpCapabilities().headerExtensions!.length
		);
	});

	test('normalises Firefox native capabilities', () => {
		const caps = firefoxNativeRtpCapabilities();

		ortc.validateAndNormalizeRtpCapabilities(caps);

		const g722 = caps.codecs!.find(codec => codec.mimeType === 'audio/G722')!;

		expect(g722.channels).toBe(1);
		expect(caps.codecs![0].parameters).toEqual({
			maxplaybackrate: 48000,
			stereo: 1,
			useinbandfec: 1,
		});
	});

	test('missing codecs and headerExtensions become empty arrays', () => {
		const caps: RtpCapabilities = {};

		ortc.validateAndNormalizeRtpCapabilities(caps);

		expect(caps).toEqual({ codecs: [], headerExtensions: [] });
	});

	test('kind is taken from the mimeType', () => {
		const caps: RtpCapabilities = {
			codecs: [
				{
					kind: 'video',
					mimeType: 'AUDIO/opus',
					preferredPayloadType: 111,
					clockRate: 48000,
					channels: 2,
				},
			],
		};

		ortc.validateAndNormalizeRtpCapabilities(caps);

		expect(caps.codecs![0].kind).toBe('audio');
	});

	test('fills defaults for parameters, feedback, channels and extensions', () => {
		const caps = {
			codecs: [
				{
					kind: 'audio',
					mimeType: 'audio/PCMA',
					preferredPayloadType: 8,
					clockRate: 8000,
					parameters: null,
					rtcpFeedback: 'nack',
				},
				{
					kind: 'video',
					mimeType: 'video/VP8',
					preferredPayloadType: 96,
					clockRate: 90000,
					channels: 2,
					parameters: { 'x-google-start-bitrate': undefined },
					rtcpFeedback: [{ type: 'nack', parameter: 5 }],
				},
			],
			headerExtensions: [{ kind: 'video', uri: MidUri, preferredId: 4 }],
		} as unknown as RtpCapabilities;

		ortc.validateAndNormalizeRtpCapabilities(caps);

		expect(caps).toEqual({
			codecs: [
				{
					kind: 'audio',
					mimeType: 'audio/PCMA',
					preferredPayloadType: 8,
					clockRate: 8000,
					channels: 1,
					parameters: {},
					rtcpFeedback: [],
				},
				{
					kind: 'video',
					mimeType: 'video/VP8',
					preferredPayloadType: 96,
					clockRate: 90000,
					parameters: { 'x-google-start-bitrate': '' },
					rtcpFeedback: [{ type: 'nack', parameter: '' }],
				},
			],
			headerExtensions: [
				{
					kind: 'video',
					uri: MidUri,
					preferredId: 4,
					preferredEncrypt: false,
					direction: 'sendrecv',
				},
			],
		});
		expect(caps.codecs![1]).not.toHaveProperty('channels');
	});

	test('keeps a given direction', () => {
		const caps: RtpCapabilities = {
			headerExtensions: [{ kind: 'video', uri: MidUri, preferredId: 1, direction: 'recvonly' }],
		};

		ortc.validateAndNormalizeRtpCapabilities(caps);

		expect(caps.headerExtensions![0].direction).toBe('recvonly');
	});

	const opus = (fields: Record<string, unknown> = {}) => ({
		kind: 'audio',
		mimeType: 'audio/opus',
		preferredPayloadType: 111,
		clockRate: 48000,
		channels: 2,
		...fields,
	});
	const mid = (fields: Record<string, unknown> = {}) => ({
		kind: 'audio',
		uri: MidUri,
		preferredId: 1,
		...fields,
	});

	test.each<[string, unknown, string]>([
		['caps is null', null, 'caps'],
		['caps is a number', 42, 'caps'],
		['codecs is not an array', { codecs: {} }, 'caps.codecs'],
		['codec is not an object', { codecs: [1] }, 'caps.codecs[0]'],
		[
			'codec without mimeType',
			{ codecs: [opus({ mimeType: undefined })] },
			'caps.codecs[0].mimeType',
		],
		[
			'mimeType without kind',
			{ codecs: [opus(), opus({ mimeType: 'opus' })] },
			'caps.codecs[1].mimeType',
		],
		[
			'mimeType of another kind',
			{ codecs: [opus({ mimeType: 'text/plain' })] },
			'caps.codecs[0].mimeType',
		],
		[
			'mimeType without subtype',
			{ codecs: [opus({ mimeType: 'audio/' })] },
			'caps.codecs[0].mimeType',
		],
		[
			'preferredPayloadType is a string',
			{ codecs: [opus({ preferredPayloadType: '111' })] },
			'caps.codecs[0].preferredPayloadType',
		],
		['clockRate missing', { codecs: [opus({ clockRate: undefined })] }, 'caps.codecs[0].clockRate'],
		[
			'clockRate is a string',
			{ codecs: [opus({ clockRate: '48000' })] },
			'caps.codecs[0].clockRate',
		],
		[
			'parameter value is a boolean',
			{ codecs: [opus({ parameters: { useinbandfec: true } })] },
			'useinbandfec',
		],
		[
			'parameter value is an object',
			{ codecs: [opus({ parameters: { foo: {} } })] },
			'caps.codecs[0].parameters',
		],
		[
			'apt is a string',
			{
				codecs: [
					{
						kind: 'video',
						mimeType: 'video/rtx',
						preferredPayloadType: 97,
						clockRate: 90000,
						parameters: { apt: '96' },
					},
				],
			},
			'caps.codecs[0].parameters.apt',
		],
		[
			'feedback is not an object',
			{ codecs: [opus({ rtcpFeedback: ['nack'] })] },
			'caps.codecs[0].rtcpFeedback[0]',
		],
		[
			'feedback without type',
			{
				codecs: [opus({ rtcpFeedback: [{ type: 'nack' }, { parameter: 'pli' }] })],
			},
			'caps.codecs[0].rtcpFeedback[1].type',
		],
		['headerExtensions is not an array', { headerExtensions: 'mid' }, 'caps.headerExtensions'],
		[
			'extension of unknown kind',
			{ headerExtensions: [mid({ kind: 'data' })] },
			'caps.headerExtensions[0].kind',
		],
		[
			'extension without uri',
			{ headerExtensions: [mid(), mid({ uri: undefined })] },
			'caps.headerExtensions[1].uri',
		],
		[
			'preferredId is a string',
			{ headerExtensions: [mid({ preferredId: '1' })] },
			'caps.headerExtensions[0].preferredId',
		],
		[
			'preferredEncrypt is not a boolean',
			{ headerExtensions: [mid({ preferredEncrypt: 'yes' })] },
			'caps.headerExtensions[0].preferredEncrypt',
		],
		[
			'direction is not a string',
			{ headerExtensions: [mid({ direction: 1 })] },
			'caps.headerExtensions[0].direction',
		],
	])('%s → TypeError naming the field', (_name, caps, field) => {
		expectTypeErrorNaming(
			() => ortc.validateAndNormalizeRtpCapabilities(caps as RtpCapabilities),
			field
		);
	});
});

describe('validateAndNormalizeRtpParameters()', () => {
	test('normalises parameters sent by mediasoup-client', () => {
		const params = chromeVp8SimulcastProducerRtpParameters();

		params.codecs[0].rtcpFeedback = [{ type: 'goog-remb' }, { type: 'nack', parameter: 'pli' }];
		params.headerExtensions = [{ uri: MidUri, id: 4 }];
		params.encodings = [{ rid: 'r0' }, { rid: 'r1', dtx: true }];

		ortc.validateAndNormalizeRtpParameters(params);

		expect(params.codecs[0].rtcpFeedback).toEqual([
			{ type: 'goog-remb', parameter: '' },
			{ type: 'nack', parameter: 'pli' },
		]);
		expect(params.codecs[1].rtcpFeedback).toEqual([]);
		expect(params.headerExtensions).toEqual([ext(MidUri, 4)]);
		expect(params.encodings).toEqual([
			{ rid: 'r0', dtx: false },
			{ rid: 'r1', dtx: true },
		]);
		expect(params.rtcp).toEqual({
			cname: 'wnN/hhN0LqEyvXOt',
			reducedSize: true,
		});
		expect(params.mid).toBe('1');
		expect(params.msid).toBe(
			'8b0d8d3e-3a35-4a5c-8d0e-0e4d8e0b7a11 0c0a5e7d-91c4-4a68-a0f7-1c0e4a2f9d33'
		);
	});

	test('fills missing optional members', () => {
		const params: RtpParameters = {
			codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000 }],
		};

		ortc.validateAndNormalizeRtpParameters(params);

		expect(params).toEqual({
			codecs: [
				{
					mimeType: 'audio/opus',
					payloadType: 111,
					clockRate: 48000,
					channels: 1,
					parameters: {},
					rtcpFeedback: [],
				},
			],
			headerExtensions: [],
			encodings: [],
			rtcp: { reducedSize: true },
		});
	});

	test('removes channels from video codecs', () => {
		const params: RtpParameters = {
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: 96,
					clockRate: 90000,
					channels: 1,
				},
			],
		};

		ortc.validateAndNormalizeRtpParameters(params);

		expect(params.codecs[0]).not.toHaveProperty('channels');
	});

	test.each<[string, unknown, boolean]>([
		['true', true, true],
		['false', false, false],
		['missing', undefined, false],
		["'true'", 'true', false],
		['1', 1, false],
	])('dtx %s is normalised to %p', (_name, dtx, expected) => {
		const params = {
			codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000 }],
			encodings: [{ ssrc: 1111, dtx }],
		} as RtpParameters;

		ortc.validateAndNormalizeRtpParameters(params);

		expect(params.encodings![0].dtx).toBe(expected);
	});

	test.each<[string, unknown]>([
		['true', true],
		['false', false],
		['missing', undefined],
		["'no'", 'no'],
	])('rtcp.reducedSize %s is normalised to true', (_name, reducedSize) => {
		const params = {
			codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000 }],
			rtcp: { cname: 'foo', reducedSize },
		} as RtpParameters;

		ortc.validateAndNormalizeRtpParameters(params);

		expect(params.rtcp).toEqual({ cname: 'foo', reducedSize: true });
	});

	test('undefined parameter values become empty strings', () => {
		const params: RtpParameters = {
			codecs: [
				{
					mimeType: 'video/H264',
					payloadType: 102,
					clockRate: 90000,
					parameters: { 'packetization-mode': 1, foo: undefined },
				},
			],
			headerExtensions: [{ uri: MidUri, id: 4, parameters: { bar: undefined, baz: 3 } }],
		};

		ortc.validateAndNormalizeRtpParameters(params);

		expect(params.codecs[0].parameters).toEqual({
			'packetization-mode': 1,
			foo: '',
		});
		expect(params.headerExtensions![0].parameters).toEqual({ bar: '', baz: 3 });
	});

	const opus = (fields: Record<string, unknown> = {}) => ({
		mimeType: 'audio/opus',
		payloadType: 111,
		clockRate: 48000,
		channels: 2,
		...fields,
	});
	const withCodec = (fields: Record<string, unknown> = {}) => ({
		codecs: [opus()],
		...fields,
	});

	test.each<[string, unknown, string]>([
		['params is null', null, 'params'],
		['params is a number', 1, 'params'],
		['mid is a number', withCodec({ mid: 1 }), 'params.mid'],
		['codecs missing', {}, 'params.codecs'],
		['codecs is not an array', { codecs: opus() }, 'params.codecs'],
		['codec is not an object', { codecs: [null] }, 'params.codecs[0]'],
		['codec without mimeType', { codecs: [opus({ mimeType: '' })] }, 'params.codecs[0].mimeType'],
		[
			'codec mimeType is not audio/video',
			{ codecs: [opus(), opus({ mimeType: 'application/rtx' })] },
			'params.codecs[1].mimeType',
		],
		[
			'codec without payloadType',
			{ codecs: [opus({ payloadType: undefined })] },
			'params.codecs[0].payloadType',
		],
		[
			'payloadType is a string',
			{ codecs: [opus({ payloadType: '111' })] },
			'params.codecs[0].payloadType',
		],
		[
			'clockRate missing',
			{ codecs: [opus({ clockRate: undefined })] },
			'params.codecs[0].clockRate',
		],
		[
			'parameter value is a boolean',
			{ codecs: [opus({ parameters: { stereo: true } })] },
			'stereo',
		],
		[
			'apt is a string',
			{
				codecs: [
					{
						mimeType: 'video/rtx',
						payloadType: 97,
						clockRate: 90000,
						parameters: { apt: '96' },
					},
				],
			},
			'params.codecs[0].parameters.apt',
		],
		[
			'feedback without type',
			{ codecs: [opus({ rtcpFeedback: [{ type: '' }] })] },
			'params.codecs[0].rtcpFeedback[0].type',
		],
		[
			'headerExtensions is not an array',
			withCodec({ headerExtensions: {} }),
			'params.headerExtensions',
		],
		[
			'extension without uri',
			withCodec({ headerExtensions: [{ id: 1 }] }),
			'params.headerExtensions[0].uri',
		],
		[
			'extension id is a string',
			withCodec({ headerExtensions: [{ uri: MidUri, id: '1' }] }),
			'params.headerExtensions[0].id',
		],
		[
			'extension encrypt is not a boolean',
			withCodec({ headerExtensions: [{ uri: MidUri, id: 1, encrypt: 1 }] }),
			'params.headerExtensions[0].encrypt',
		],
		[
			'extension parameter is an array',
			withCodec({
				headerExtensions: [{ uri: MidUri, id: 1, parameters: { foo: [1] } }],
			}),
			'params.headerExtensions[0].parameters',
		],
		['encodings is not an array', withCodec({ encodings: { ssrc: 1 } }), 'params.encodings'],
		['encoding is not an object', withCodec({ encodings: [{}, 'r1'] }), 'params.encodings[1]'],
		['ssrc is a string', withCodec({ encodings: [{ ssrc: '1234' }] }), 'params.encodings[0].ssrc'],
		['rid is a number', withCodec({ encodings: [{ rid: 1 }] }), 'params.encodings[0].rid'],
		[
			'rtx is not an object',
			withCodec({ encodings: [{ ssrc: 1, rtx: 2 }] }),
			'params.encodings[0].rtx',
		],
		[
			'rtx without ssrc',
			withCodec({ encodings: [{ ssrc: 1, rtx: {} }] }),
			'params.encodings[0].rtx.ssrc',
		],
		[
			'scalabilityMode is a number',
			withCodec({ encodings: [{ ssrc: 1, scalabilityMode: 3 }] }),
			'params.encodings[0].scalabilityMode',
		],
		['rtcp is not an object', withCodec({ rtcp: 'rsize' }), 'params.rtcp'],
		['cname is a number', withCodec({ rtcp: { cname: 1 } }), 'params.rtcp.cname'],
		['msid is a number', withCodec({ msid: 1 }), 'params.msid'],
	])('%s → TypeError naming the field', (_name, params, field) => {
		expectTypeErrorNaming(
			() => ortc.validateAndNormalizeRtpParameters(params as RtpParameters),
			field
		);
	});
});

describe('validateAndNormalizeSctpStreamParameters()', () => {
	test.each<[string, SctpStreamParameters, SctpStreamParameters]>([
		['reliable by default', { streamId: 1 }, { streamId: 1, ordered: true }],
		['explicitly unordered', { streamId: 2, ordered: false }, { streamId: 2, ordered: false }],
		[
			'maxRetransmits implies unordered',
			{ streamId: 3, maxRetransmits: 3 },
			{ streamId: 3, ordered: false, maxRetransmits: 3 },
		],
		[
			'maxPacketLifeTime implies unordered',
			{ streamId: 4, maxPacketLifeTime: 500 },
			{ streamId: 4, ordered: false, maxPacketLifeTime: 500 },
		],
		[
			'unordered with maxRetransmits',
			{ streamId: 5, ordered: false, maxRetransmits: 0 },
			{ streamId: 5, ordered: false, maxRetransmits: 0 },
		],
		[
			'ordered with a zero maxRetransmits (zero counts as not given)',
			{ streamId: 6, ordered: true, maxRetransmits: 0 },
			{ streamId: 6, ordered: true, maxRetransmits: 0 },
		],
	])('%s', (_name, params, expected) => {
		ortc.validateAndNormalizeSctpStreamParameters(params);

		expect(params).toEqual(expected);
	});

	test.each<[string, unknown, string[]]>([
		['params is null', null, ['params']],
		['streamId missing', {}, ['params.streamId']],
		['streamId is a string', { streamId: '1' }, ['params.streamId']],
		[
			'maxPacketLifeTime is a string',
			{ streamId: 1, maxPacketLifeTime: '500' },
			['params.maxPacketLifeTime'],
		],
		['maxRetransmits is a string', { streamId: 1, maxRetransmits: '3' }, ['params.maxRetransmits']],
		[
			'both reliability fields',
			{ streamId: 1, maxPacketLifeTime: 500, maxRetransmits: 3 },
			['params.maxPacketLifeTime', 'params.maxRetransmits'],
		],
		[
			'ordered with maxRetransmits',
			{ streamId: 1, ordered: true, maxRetransmits: 3 },
			['params.ordered'],
		],
		[
			'ordered with maxPacketLifeTime',
			{ streamId: 1, ordered: true, maxPacketLifeTime: 500 },
			['params.ordered'],
		],
	])('%s → TypeError naming the field', (_name, params, fields) => {
		const error = thrownBy(() =>
			ortc.validateAndNormalizeSctpStreamParameters(params as SctpStreamParameters)
		);

		expect(error).toBeInstanceOf(TypeError);

		for (const field of fields) {
			expect(error.message).toContain(field);
		}
	});
});

describe('generateRouterRtpCapabilities()', () => {
	test('assigns payload types as in the documented example', () => {
		const caps = ortc.generateRouterRtpCapabilities([
			{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
			{
				kind: 'video',
				mimeType: 'video/VP8',
				clockRate: 90000,
				preferredPayloadType: 125,
			},
			{
				kind: 'video',
				mimeType: 'video/H264',
				clockRate: 90000,
				parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
			},
		]);

		expect(caps.codecs).toEqual([
			{
				kind: 'audio',
				mimeType: 'audio/opus',
				preferredPayloadType: 100,
				clockRate: 48000,
				channels: 2,
				parameters: {},
				rtcpFeedback: A,
			},
			{
				kind: 'video',
				mimeType: 'video/VP8',
				preferredPayloadType: 125,
				clockRate: 90000,
				parameters: {},
				rtcpFeedback: V,
			},
			{
				kind: 'video',
				mimeType: 'video/rtx',
				preferredPayloadType: 101,
				clockRate: 90000,
				parameters: { apt: 125 },
				rtcpFeedback: [],
			},
			{
				kind: 'video',
				mimeType: 'video/H264',
				preferredPayloadType: 102,
				clockRate: 90000,
				parameters: {
					'level-asymmetry-allowed': 1,
					'packetization-mode': 1,
					'profile-level-id': '42e01f',
				},
				rtcpFeedback: V,
			},
			{
				kind: 'video',
				mimeType: 'video/rtx',
				preferredPayloadType: 103,
				clockRate: 90000,
				parameters: { apt: 102 },
				rtcpFeedback: [],
			},
		]);
		expect(caps.headerExtensions).toEqual(getSupportedRtpCapabilities().headerExtensions);
	});

	test('the typical Router configuration', () => {
		const caps = routerCaps();

		expect(
			caps.codecs!.map(codec => [codec.mimeType, codec.preferredPayloadType, codec.parameters])
		).toEqual([
			['audio/opus', 100, {}],
			[
				'audio/multiopus',
				101,
				{ channel_mapping: '0,4,1,2,3,5', num_streams: 4, coupled_streams: 2 },
			],
			['audio/PCMU', 0, {}],
			['video/VP8', 102, { 'x-google-start-bitrate': 1000 }],
			['video/rtx', 103, { apt: 102 }],
			['video/VP9', 104, { 'profile-id': 2, 'x-google-start-bitrate': 1000 }],
			['video/rtx', 105, { apt: 104 }],
			[
				'video/H264',
				106,
				{
					'level-asymmetry-allowed': 1,
					'packetization-mode': 1,
					'profile-level-id': '4d0032',
					'x-google-start-bitrate': 1000,
				},
			],
			['video/rtx', 107, { apt: 106 }],
			[
				'video/H264',
				108,
				{
					'level-asymmetry-allowed': 1,
					'packetization-mode': 1,
					'profile-level-id': '42e01f',
					'x-google-start-bitrate': 1000,
				},
			],
			['video/rtx', 109, { apt: 108 }],
			['video/AV1', 110, {}],
			['video/rtx', 111, { apt: 110 }],
		]);
		expect(caps.codecs![1].channels).toBe(6);
		expect(caps.codecs![2]).toEqual({
			kind: 'audio',
			mimeType: 'audio/PCMU',
			preferredPayloadType: 0,
			clockRate: 8000,
			channels: 1,
			parameters: {},
			rtcpFeedback: T,
		});
	});

	test('no media codecs gives no codecs and every header extension', () => {
		for (const caps of [
			ortc.generateRouterRtpCapabilities(),
			ortc.generateRouterRtpCapabilities([]),
		]) {
			expect(caps.codecs).toEqual([]);
			expect(caps.headerExtensions).toHaveLength(18);
		}
	});

	test('uses the supported mimeType spelling and ignores given feedback', () => {
		const caps = ortc.generateRouterRtpCapabilities([
			{
				kind: 'audio',
				mimeType: 'AUDIO/OPUS',
				clockRate: 48000,
				channels: 2,
				rtcpFeedback: [{ type: 'goog-remb' }],
			},
			{ kind: 'video', mimeType: 'video/vp8', clockRate: 90000 },
		]);

		expect(caps.codecs![0].mimeType).toBe('audio/opus');
		expect(caps.codecs![0].rtcpFeedback).toEqual(A);
		expect(caps.codecs![1].mimeType).toBe('video/VP8');
	});

	test('kind comes from the supported codec, not from the input', () => {
		const caps = ortc.generateRouterRtpCapabilities([
			{ kind: 'video', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
		]);

		expect(caps.codecs).toHaveLength(1);
		expect(caps.codecs![0].kind).toBe('audio');
	});

	test('static payload types and telephone-event', () => {
		const caps = ortc.generateRouterRtpCapabilities([
			{ kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000 },
			{ kind: 'audio', mimeType: 'audio/PCMA', clockRate: 8000 },
			{ kind: 'audio', mimeType: 'audio/G722', clockRate: 8000 },
			{ kind: 'audio', mimeType: 'audio/CN', clockRate: 8000 },
			{ kind: 'audio', mimeType: 'audio/telephone-event', clockRate: 8000 },
		]);

		expect(caps.codecs!.map(codec => codec.preferredPayloadType)).toEqual([0, 8, 9, 13, 100]);
	});

	test('a given preferredPayloadType overrides a static one', () => {
		const caps = ortc.generateRouterRtpCapabilities([
			{
				kind: 'audio',
				mimeType: 'audio/PCMU',
				clockRate: 8000,
				preferredPayloadType: 110,
			},
		]);

		expect(caps.codecs![0].preferredPayloadType).toBe(110);
	});

	test('dynamic payload types go 100…127 then 96…99', () => {
		const opus: RouterRtpCodecCapability = {
			kind: 'audio',
			mimeType: 'audio/opus',
			clockRate: 48000,
			channels: 2,
		};
		const caps = ortc.generateRouterRtpCapabilities(
			Array.from({ length: 32 }, () => ({ ...opus }))
		);
		const expected = [...Array.from({ length: 28 }, (_, idx) => 100 + idx), 96, 97, 98, 99];

		expect(caps.codecs!.map(codec => codec.preferredPayloadType)).toEqual(expected);
	});

	test('a given preferredPayloadType is taken out of the pool', () => {
		const caps = ortc.generateRouterRtpCapabilities([
			{
				kind: 'video',
				mimeType: 'video/VP8',
				clockRate: 90000,
				preferredPayloadType: 101,
			},
			{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
			{
				kind: 'audio',
				mimeType: 'audio/opus',
				clockRate: 48000,
				channels: 2,
				preferredPayloadType: 96,
			},
		]);

		expect(caps.codecs!.map(codec => [codec.mimeType, codec.preferredPayloadType])).toEqual([
			['video/VP8', 101],
			['video/rtx', 100],
			['audio/opus', 102],
			['audio/opus', 96],
		]);
	});

	test.each<[string, number, RouterRtpCodecCapability]>([
		['audio codecs', 32, { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
		[
			'video codecs (each with RTX)',
			16,
			{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
		],
	])('running out of dynamic payload types with %s throws Error', (_name, fitting, codec) => {
		expect(
			ortc.generateRouterRtpCapabilities(Array.from({ length: fitting }, () => ({ ...codec })))
				.codecs
		).toHaveLength(32);

		const error = thrownBy(() =>
			ortc.generateRouterRtpCapabilities(Array.from({ length: fitting + 1 }, () => ({ ...codec })))
		);

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		expect(error).not.toBeInstanceOf(UnsupportedError);
		expect(error.message).toBe('cannot allocate more dynamic codec payload types');
	});

	test('running out of payload types for the RTX codec throws Error', () => {
		const opus: RouterRtpCodecCapability = {
			kind: 'audio',
			mimeType: 'audio/opus',
			clockRate: 48000,
			channels: 2,
		};
		const mediaCodecs: RouterRtpCodecCapability[] = [
			...Array.from({ length: 31 }, () => ({ ...opus })),
			{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
		];
		const error = thrownBy(() => ortc.generateRouterRtpCapabilities(mediaCodecs));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		expect(error.message).toBe('cannot allocate more dynamic codec payload types');
	});

	test.each<[string, RouterRtpCodecCapability[], string]>([
		[
			'two codecs with the same given payload type',
			[
				{
					kind: 'audio',
					mimeType: 'audio/opus',
					clockRate: 48000,
					channels: 2,
					preferredPayloadType: 111,
				},
				{
					kind: 'video',
					mimeType: 'video/VP8',
					clockRate: 90000,
					preferredPayloadType: 111,
				},
			],
			'mediaCodecs[1].preferredPayloadType',
		],
		[
			'a given payload type already assigned to an RTX codec',
			[
				{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
				{
					kind: 'audio',
					mimeType: 'audio/opus',
					clockRate: 48000,
					channels: 2,
					preferredPayloadType: 101,
				},
			],
			'mediaCodecs[1].preferredPayloadType',
		],
		[
			'two CN codecs (both static 13)',
			[
				{ kind: 'audio', mimeType: 'audio/CN', clockRate: 8000 },
				{ kind: 'audio', mimeType: 'audio/CN', clockRate: 16000 },
			],
			'mediaCodecs[1].preferredPayloadType',
		],
	])('%s → TypeError', (_name, mediaCodecs, field) => {
		expectTypeErrorNaming(() => ortc.generateRouterRtpCapabilities(mediaCodecs), field);
	});

	test.each<[string, RouterRtpCodecCapability]>([
		['H265', { kind: 'video', mimeType: 'video/H265', clockRate: 90000 }],
		['opus without channels: 2', { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000 }],
		['opus at 44100 Hz', { kind: 'audio', mimeType: 'audio/opus', clockRate: 44100, channels: 2 }],
		[
			'multiopus 5.1 with other num_streams',
			{
				kind: 'audio',
				mimeType: 'audio/multiopus',
				clockRate: 48000,
				channels: 6,
				parameters: { num_streams: 3, coupled_streams: 2 },
			},
		],
		[
			'multiopus 5.1 with other coupled_streams',
			{
				kind: 'audio',
				mimeType: 'audio/multiopus',
				clockRate: 48000,
				channels: 6,
				parameters: { num_streams: 4, coupled_streams: 3 },
			},
		],
		[
			'multiopus 5.1 without stream layout',
			{
				kind: 'audio',
				mimeType: 'audio/multiopus',
				clockRate: 48000,
				channels: 6,
			},
		],
		['audio RED', { kind: 'audio', mimeType: 'audio/red', clockRate: 48000, channels: 2 }],
		['VP8 at 48000 Hz', { kind: 'video', mimeType: 'video/VP8', clockRate: 48000 }],
		['RTX', { kind: 'video', mimeType: 'video/rtx', clockRate: 90000 }],
	])('%s → UnsupportedError', (_name, codec) => {
		const error = thrownBy(() => ortc.generateRouterRtpCapabilities([codec]));

		expect(error).toBeInstanceOf(UnsupportedError);
		expect(error.name).toBe('UnsupportedError');
	});

	test('accepts any H264 profile and VP9 profile (non-strict matching)', () => {
		const caps = ortc.generateRouterRtpCapabilities([
			{
				kind: 'video',
				mimeType: 'video/H264',
				clockRate: 90000,
				parameters: { 'packetization-mode': 0, 'profile-level-id': 'f4001f' },
			},
			{
				kind: 'video',
				mimeType: 'video/VP9',
				clockRate: 90000,
				parameters: { 'profile-id': 2 },
			},
		]);

		expect(caps.codecs!.map(codec => codec.mimeType)).toEqual([
			'video/H264',
			'video/rtx',
			'video/VP9',
			'video/rtx',
		]);
	});

	test.each<[string, unknown, string]>([
		['mediaCodecs is not an array', { codecs: [] }, 'mediaCodecs'],
		['codec without mimeType', [{ kind: 'audio', clockRate: 48000 }], 'mediaCodecs[0].mimeType'],
		[
			'codec with a string clockRate',
			[
				{ kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000 },
				{ kind: 'audio', mimeType: 'audio/opus', clockRate: '48000' },
			],
			'mediaCodecs[1].clockRate',
		],
		[
			'codec parameter that is a function',
			[
				{
					kind: 'video',
					mimeType: 'video/VP8',
					clockRate: 90000,
					parameters: { foo: () => 1 },
				},
			],
			'mediaCodecs[0].parameters',
		],
	])('%s → TypeError naming the field', (_name, mediaCodecs, field) => {
		expectTypeErrorNaming(
			() => ortc.generateRouterRtpCapabilities(mediaCodecs as RouterRtpCodecCapability[]),
			field
		);
	});

	test('does not modify the given codecs', () => {
		const mediaCodecs = routerMediaCodecs();

		ortc.generateRouterRtpCapabilities(mediaCodecs);

		expect(mediaCodecs).toEqual(routerMediaCodecs());
	});

	test('modifying the result does not affect later calls', () => {
		const caps = routerCaps();

		caps.codecs![0].parameters!['useinbandfec'] = 1;
		caps.codecs![3].rtcpFeedback!.length = 0;
		caps.headerExtensions![0].preferredId = 14;

		const fresh = routerCaps();

		expect(fresh.codecs![0].parameters).toEqual({});
		expect(fresh.codecs![3].rtcpFeedback).toEqual(V);
		expect(fresh.headerExtensions![0].preferredId).toBe(1);
	});

	test('codecs matching the same supported codec do not share objects', () => {
		const caps = ortc.generateRouterRtpCapabilities([
			{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
			{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
		]);

		caps.codecs![0].rtcpFeedback!.pop();
		caps.codecs![0].parameters!['foo'] = 1;

		expect(caps.codecs![2].rtcpFeedback).toEqual(V);
		expect(caps.codecs![2].parameters).toEqual({});
	});
});

describe('getProducerRtpParametersMapping()', () => {
	test('VP8 simulcast from Chrome', () => {
		mockRandomNumbers(500000000);

		const params = chromeVp8SimulcastProducerRtpParameters();

		ortc.validateAndNormalizeRtpParameters(params);

		expect(ortc.getProducerRtpParametersMapping(params, routerCaps())).toEqual({
			codecs: [
				{ payloadType: 96, mappedPayloadType: 102 },
				{ payloadType: 97, mappedPayloadType: 103 },
			],
			encodings: [
				{ rid: 'r0', scalabilityMode: 'L1T3', mappedSsrc: 500000000 },
				{ rid: 'r1', scalabilityMode: 'L1T3', mappedSsrc: 500000001 },
				{ rid: 'r2', scalabilityMode: 'L1T3', mappedSsrc: 500000002 },
			],
		});
	});

	test('opus from Chrome', () => {
		const params = chromeOpusProducerRtpParameters();

		ortc.validateAndNormalizeRtpParameters(params);

		const mapping = ortc.getProducerRtpParametersMapping(params, routerCaps());

		expect(mapping.codecs).toEqual([{ payloadType: 111, mappedPayloadType: 100 }]);
		expect(mapping.encodings).toHaveLength(1);
		expect(mapping.encodings[0].ssrc).toBe(3472539041);
		expect(mapping.encodings[0]).not.toHaveProperty('rid');
	});

	test('mapped SSRCs are consecutive from a random base in [100000000, 999999999)', () => {
		const params = chromeVp8SimulcastProducerRtpParameters();

		ortc.validateAndNormalizeRtpParameters(params);

		for (let i = 0; i < 20; ++i) {
			const [first, second, third] = ortc
				.getProducerRtpParametersMapping(params, routerCaps())
				.encodings.map(encoding => encoding.mappedSsrc);

			expect(first).toBeGreaterThanOrEqual(100000000);
			expect(first).toBeLessThan(999999999);
			expect(Number.isInteger(first)).toBe(true);
			expect(second).toBe(first + 1);
			expect(third).toBe(first + 2);
		}
	});

	test('media codecs come first, then RTX codecs', () => {
		const params = chromeH264ProducerRtpParameters();

		params.codecs.reverse();
		ortc.validateAndNormalizeRtpParameters(params);

		expect(ortc.getProducerRtpParametersMapping(params, routerCaps()).codecs).toEqual([
			{ payloadType: 106, mappedPayloadType: 108 },
			{ payloadType: 107, mappedPayloadType: 109 },
		]);
	});

	test.each<[string, RtpParameters, number]>([
		['multiopus 5.1', multiopusParams(4, 2), 101],
		['VP9 profile 2 SVC', chromeVp9SvcProducerRtpParameters(), 104],
		['H264 Constrained Baseline', chromeH264ProducerRtpParameters(), 108],
		['H264 Main', h264Params({ 'packetization-mode': 1, 'profile-level-id': '4d001f' }), 106],
		[
			'H264 without profile-level-id (defaults to Constrained Baseline)',
			h264Params({ 'packetization-mode': 1 }),
			108,
		],
		['PCMU', pcmuParams(), 0],
	])('%s maps to Router payload type %p', (_name, params, mappedPayloadType) => {
		ortc.validateAndNormalizeRtpParameters(params);

		expect(ortc.getProducerRtpParametersMapping(params, routerCaps()).codecs[0]).toEqual({
			payloadType: params.codecs[0].payloadType,
			mappedPayloadType,
		});
	});

	test.each<[string, RtpParameters]>([
		['H265', videoParams('video/H265', { 'profile-id': 1, 'level-id': 93 })],
		[
			'H264 Baseline (42001f) against Constrained Baseline',
			h264Params({ 'packetization-mode': 1, 'profile-level-id': '42001f' }),
		],
		[
			'H264 packetization-mode 0',
			h264Params({ 'packetization-mode': 0, 'profile-level-id': '42e01f' }),
		],
		[
			"H264 packetization-mode '1' (string)",
			h264Params({ 'packetization-mode': '1', 'profile-level-id': '42e01f' }),
		],
		['H264 High', h264Params({ 'packetization-mode': 1, 'profile-level-id': '640032' })],
		[
			'H264 High 4:4:4 Predictive',
			h264Params({ 'packetization-mode': 1, 'profile-level-id': 'f4001f' }),
		],
		[
			'H264 invalid profile-level-id',
			h264Params({ 'packetization-mode': 1, 'profile-level-id': 'zzzzzz' }),
		],
		['VP9 profile 0', videoParams('video/VP9', { 'profile-id': 0 })],
		['VP9 without profile-id (profile 0)', videoParams('video/VP9', {})],
		['multiopus with other num_streams', multiopusParams(3, 2)],
		['multiopus with other coupled_streams', multiopusParams(4, 1)],
		['opus mono', opusParams(1)],
		['G722 (not in the Router)', g722Params()],
	])('%s → UnsupportedError', (_name, params) => {
		ortc.validateAndNormalizeRtpParameters(params);

		const error = thrownBy(() => ortc.getProducerRtpParametersMapping(params, routerCaps()));

		expect(error).toBeInstanceOf(UnsupportedError);
	});

	test('RTX whose apt names no codec → TypeError', () => {
		const params = chromeVp8SimulcastProducerRtpParameters();

		params.codecs[1].parameters = { apt: 98 };
		ortc.validateAndNormalizeRtpParameters(params);

		const error = thrownBy(() => ortc.getProducerRtpParametersMapping(params, routerCaps()));

		expect(error).toBeInstanceOf(TypeError);
		expect(error.message).toContain('apt');
	});

	test('RTX without apt → TypeError', () => {
		const params = chromeVp8SimulcastProducerRtpParameters();

		params.codecs[1].parameters = {};
		ortc.validateAndNormalizeRtpParameters(params);

		expect(() => ortc.getProducerRtpParametersMapping(params, routerCaps())).toThrow(TypeError);
	});

	test('RTX whose apt names another RTX codec → TypeError', () => {
		const params = chromeVp8SimulcastProducerRtpParameters();

		params.codecs.push({
			mimeType: 'video/rtx',
			payloadType: 99,
			clockRate: 90000,
			parameters: { apt: 97 },
		});
		ortc.validateAndNormalizeRtpParameters(params);

		expect(() => ortc.getProducerRtpParametersMapping(params, routerCaps())).toThrow(TypeError);
	});

	test('RTX when the Router codec has no RTX → UnsupportedError', () => {
		const caps = routerCaps();

		caps.codecs = caps.codecs!.filter(codec => codec.mimeType !== 'video/rtx');

		const params = chromeVp8SimulcastProducerRtpParameters();

		ortc.validateAndNormalizeRtpParameters(params);

		expect(() => ortc.getProducerRtpParametersMapping(params, caps)).toThrow(UnsupportedError);

		// Without RTX the same Producer is accepted.
		params.codecs.pop();

		expect(ortc.getProducerRtpParametersMapping(params, caps).codecs).toEqual([
			{ payloadType: 96, mappedPayloadType: 102 },
		]);
	});

	describe('H264 profile-level-id answer', () => {
		test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
			[
				'same level is kept',
				{
					'level-asymmetry-allowed': 1,
					'packetization-mode': 1,
					'profile-level-id': '4d001f',
				},
				{
					'level-asymmetry-allowed': 1,
					'packetization-mode': 1,
					'profile-level-id': '4d001f',
				},
			],
			[
				'higher level is kept when level asymmetry is allowed',
				{
					'level-asymmetry-allowed': 1,
					'packetization-mode': 1,
					'profile-level-id': '4d0033',
				},
				{
					'level-asymmetry-allowed': 1,
					'packetization-mode': 1,
					'profile-level-id': '4d0033',
				},
			],
			[
				'higher level is lowered to the Router level without level asymmetry',
				{ 'packetization-mode': 1, 'profile-level-id': '4d0033' },
				{ 'packetization-mode': 1, 'profile-level-id': '4d0032' },
			],
			[
				'missing profile-level-id gets the default profile',
				{ 'packetization-mode': 1 },
				{ 'packetization-mode': 1, 'profile-level-id': '42e01f' },
			],
		])('%s', (_name, given, expected) => {
			const params = h264Params(given);

			ortc.validateAndNormalizeRtpParameters(params);
			ortc.getProducerRtpParametersMapping(params, routerCaps());

			expect(params.codecs[0].parameters).toEqual(expected);
		});

		test('profile-level-id is removed when neither side has one', () => {
			const caps = ortc.generateRouterRtpCapabilities([
				{
					kind: 'video',
					mimeType: 'video/H264',
					clockRate: 90000,
					parameters: { 'packetization-mode': 1 },
				},
			]);
			const params = h264Params({ 'packetization-mode': 1 });

			ortc.validateAndNormalizeRtpParameters(params);
			ortc.getProducerRtpParametersMapping(params, caps);

			expect(params.codecs[0].parameters).toEqual({ 'packetization-mode': 1 });
		});

		test('the first matching Router codec wins', () => {
			const caps = ortc.generateRouterRtpCapabilities([
				{
					kind: 'video',
					mimeType: 'video/H264',
					clockRate: 90000,
					parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
				},
				{
					kind: 'video',
					mimeType: 'video/H264',
					clockRate: 90000,
					parameters: { 'packetization-mode': 1, 'profile-level-id': '42e034' },
				},
			]);
			const params = h264Params({
				'packetization-mode': 1,
				'profile-level-id': '42e034',
			});

			ortc.validateAndNormalizeRtpParameters(params);

			expect(ortc.getProducerRtpParametersMapping(params, caps).codecs).toEqual([
				{ payloadType: 125, mappedPayloadType: 100 },
			]);
			// Level asymmetry is not allowed by the Producer: min(5.2, 3.1).
			expect(params.codecs[0].parameters!['profile-level-id']).toBe('42e01f');
		});
	});
});

describe('getConsumableRtpParameters()', () => {
	const routerVideoExtensions = [
		ext(MidUri, 1),
		ext(AbsSendTimeUri, 4),
		ext(TransportWideCcUri, 5),
		ext(VideoOrientationUri, 8),
		ext(ToffsetUri, 9),
		ext(PlayoutDelayUri, 11),
		ext(PacketIdUri, 12),
	];

	test('VP8 simulcast from Chrome', () => {
		mockRandomNumbers(700000000);

		const { consumable } = produce('video', chromeVp8SimulcastProducerRtpParameters());

		expect(consumable).toEqual({
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: 102,
					clockRate: 90000,
					parameters: {},
					rtcpFeedback: V,
				},
				{
					mimeType: 'video/rtx',
					payloadType: 103,
					clockRate: 90000,
					parameters: { apt: 102 },
					rtcpFeedback: [],
				},
			],
			headerExtensions: routerVideoExtensions,
			encodings: [
				{
					ssrc: 700000000,
					scalabilityMode: 'L1T3',
					maxBitrate: 100000,
					dtx: false,
				},
				{
					ssrc: 700000001,
					scalabilityMode: 'L1T3',
					maxBitrate: 300000,
					dtx: false,
				},
				{
					ssrc: 700000002,
					scalabilityMode: 'L1T3',
					maxBitrate: 900000,
					dtx: false,
				},
			],
			rtcp: { cname: 'wnN/hhN0LqEyvXOt', reducedSize: true },
			msid: '8b0d8d3e-3a35-4a5c-8d0e-0e4d8e0b7a11 0c0a5e7d-91c4-4a68-a0f7-1c0e4a2f9d33',
		});
		expect(consumable).not.toHaveProperty('mid');
	});

	test('opus from Chrome keeps the Producer codec parameters', () => {
		mockRandomNumbers(123456789);

		const { consumable } = produce('audio', chromeOpusProducerRtpParameters());

		expect(consumable).toEqual({
			codecs: [
				{
					mimeType: 'audio/opus',
					payloadType: 100,
					clockRate: 48000,
					channels: 2,
					parameters: { minptime: 10, useinbandfec: 1, usedtx: 1 },
					rtcpFeedback: A,
				},
			],
			// transport-wide-cc is 'recvonly' for audio.
			headerExtensions: [
				ext(MidUri, 1),
				ext(AbsSendTimeUri, 4),
				ext(AudioLevelUri, 6),
				ext(PlayoutDelayUri, 11),
				ext(PacketIdUri, 12),
			],
			encodings: [{ ssrc: 123456789, dtx: true }],
			rtcp: { cname: 'Ks3Q0tJbE+Ysk2nq', reducedSize: true },
			msid: '8b0d8d3e-3a35-4a5c-8d0e-0e4d8e0b7a11 5f1c6a2e-5d0c-4a0b-9b7c-2bde3cf3e0a4',
		});
	});

	test('H264 uses the Router codec and the answered Producer parameters', () => {
		const { consumable } = produce('video', chromeH264ProducerRtpParameters());

		expect(consumable.codecs).toEqual([
			{
				mimeType: 'video/H264',
				payloadType: 108,
				clockRate: 90000,
				parameters: {
					'level-asymmetry-allowed': 1,
					'packetization-mode': 1,
					'profile-level-id': '42e01f',
				},
				rtcpFeedback: V,
			},
			{
				mimeType: 'video/rtx',
				payloadType: 109,
				clockRate: 90000,
				parameters: { apt: 108 },
				rtcpFeedback: [],
			},
		]);
	});

	test('encodings lose rid, rtx and codecPayloadType', () => {
		const { mapping, consumable } = produce('video', chromeH264ProducerRtpParameters());

		expect(consumable.encodings).toEqual([{ ssrc: mapping.encodings[0].mappedSsrc, dtx: false }]);
	});

	test('abs-capture-time is offered only if the Producer sends it', () => {
		const params = chromeVp8SimulcastProducerRtpParameters();

		params.headerExtensions!.push(ext(AbsCaptureTimeUri, 12));

		const { consumable } = produce('video', params);

		expect(consumable.headerExtensions).toEqual([
			ext(MidUri, 1),
			ext(AbsSendTimeUri, 4),
			ext(TransportWideCcUri, 5),
			ext(VideoOrientationUri, 8),
			ext(ToffsetUri, 9),
			ext(AbsCaptureTimeUri, 10),
			ext(PlayoutDelayUri, 11),
			ext(PacketIdUri, 12),
		]);
	});

	test('Router extensions that are sendonly are offered, inactive ones are not', () => {
		const caps = routerCaps();

		for (const headerExtension of caps.headerExtensions!) {
			if (headerExtension.uri === VideoOrientationUri) {
				headerExtension.direction = 'sendonly';
			} else if (headerExtension.uri === ToffsetUri) {
				headerExtension.direction = 'inactive';
			}
		}

		const { consumable } = produce('video', chromeVp8SimulcastProducerRtpParameters(), caps);
		const uris = consumable.headerExtensions!.map(({ uri }) => uri);

		expect(uris).toContain(VideoOrientationUri);
		expect(uris).not.toContain(ToffsetUri);
	});

	test('the result shares no objects with the Producer or the Router', () => {
		const caps = routerCaps();
		const { params, consumable } = produce('audio', chromeOpusProducerRtpParameters(), caps);

		consumable.codecs[0].parameters!['stereo'] = 1;
		consumable.codecs[0].rtcpFeedback!.pop();

		expect(params.codecs[0].parameters).not.toHaveProperty('stereo');
		expect(caps.codecs![0].rtcpFeedback).toEqual(A);
	});
});

describe('canConsume()', () => {
	const consumableOf = (kind: 'audio' | 'video', params: RtpParameters) =>
		produce(kind, params).consumable;

	test.each<[string, () => RtpParameters, 'audio' | 'video', () => RtpCapabilities, boolean]>([
		[
			'VP8 → Chrome',
			chromeVp8SimulcastProducerRtpParameters,
			'video',
			chromeDeviceRtpCapabilities,
			true,
		],
		[
			'VP8 → Firefox',
			chromeVp8SimulcastProducerRtpParameters,
			'video',
			firefoxDeviceRtpCapabilities,
			true,
		],
		[
			'VP9 profile 2 → Chrome',
			chromeVp9SvcProducerRtpParameters,
			'video',
			chromeDeviceRtpCapabilities,
			true,
		],
		[
			'VP9 profile 2 → Firefox',
			chromeVp9SvcProducerRtpParameters,
			'video',
			firefoxDeviceRtpCapabilities,
			false,
		],
		[
			'H264 42e01f → Firefox',
			chromeH264ProducerRtpParameters,
			'video',
			firefoxDeviceRtpCapabilities,
			true,
		],
		[
			'H264 Main → Chrome',
			() => h264Params({ 'packetization-mode': 1, 'profile-level-id': '4d001f' }),
			'video',
			chromeDeviceRtpCapabilities,
			true,
		],
		[
			'H264 Main → Firefox',
			() => h264Params({ 'packetization-mode': 1, 'profile-level-id': '4d001f' }),
			'video',
			firefoxDeviceRtpCapabilities,
			false,
		],
		[
			'opus → Firefox',
			chromeOpusProducerRtpParameters,
			'audio',
			firefoxDeviceRtpCapabilities,
			true,
		],
		['multiopus → Chrome', () => multiopusParams(4, 2), 'audio', chromeDeviceRtpCapabilities, true],
		[
			'multiopus → Firefox',
			() => multiopusParams(4, 2),
			'audio',
			firefoxDeviceRtpCapabilities,
			false,
		],
		// Payload types do not matter, only codec matching.
		[
			'VP8 → Chrome native capabilities',
			chromeVp8SimulcastProducerRtpParameters,
			'video',
			chromeNativeRtpCapabilities,
			true,
		],
		[
			'H264 42e01f → Chrome native capabilities',
			chromeH264ProducerRtpParameters,
			'video',
			chromeNativeRtpCapabilities,
			true,
		],
		['VP8 → no codecs', chromeVp8SimulcastProducerRtpParameters, 'video', () => ({}), false],
	])('%s', (_name, params, kind, caps, expected) => {
		expect(ortc.canConsume(consumableOf(kind, params()), caps())).toBe(expected);
	});

	test('false when only the RTX codec matches', () => {
		const consumable = consumableOf('video', chromeVp8SimulcastProducerRtpParameters());
		const caps: RtpCapabilities = {
			codecs: [
				{
					kind: 'video',
					mimeType: 'video/rtx',
					preferredPayloadType: 103,
					clockRate: 90000,
					parameters: { apt: 102 },
				},
			],
		};

		expect(ortc.canConsume(consumable, caps)).toBe(false);
	});

	test('normalises the capabilities in place', () => {
		const consumable = consumableOf('audio', chromeOpusProducerRtpParameters());
		const caps: RtpCapabilities = {
			codecs: [
				{
					kind: 'audio',
					mimeType: 'audio/opus',
					preferredPayloadType: 111,
					clockRate: 48000,
					channels: 2,
				},
			],
		};

		expect(ortc.canConsume(consumable, caps)).toBe(true);
		expect(caps.headerExtensions).toEqual([]);
		expect(caps.codecs![0].rtcpFeedback).toEqual([]);
	});

	test('invalid capabilities → TypeError', () => {
		const consumable = consumableOf('audio', chromeOpusProducerRtpParameters());

		expectTypeErrorNaming(
			() =>
				ortc.canConsume(consumable, {
					codecs: 'opus',
				} as unknown as RtpCapabilities),
			'caps.codecs'
		);
		expectTypeErrorNaming(
			() =>
				ortc.canConsume(consumable, {
					codecs: [{ kind: 'audio', mimeType: 'audio/opus' }],
				} as unknown as RtpCapabilities),
			'caps.codecs[0].clockRate'
		);
	});
});

describe('getConsumerRtpParameters()', () => {
	const consumableOf = (kind: 'audio' | 'video', params: RtpParameters) =>
		produce(kind, params).consumable;

	test('VP8 simulcast → Chrome, with RTX', () => {
		mockRandomNumbers(400000000, 888888888);

		const consumable = consumableOf('video', chromeVp8SimulcastProducerRtpParameters());

		expect(
			ortc.getConsumerRtpParameters({
				consumableRtpParameters: consumable,
				remoteRtpCapabilities: chromeDeviceRtpCapabilities(),
				pipe: false,
				enableRtx: true,
			})
		).toEqual({
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: 102,
					clockRate: 90000,
					parameters: {},
					// goog-remb pruned: transport-wide-cc is in use.
					rtcpFeedback: [
						{ type: 'nack', parameter: '' },
						{ type: 'nack', parameter: 'pli' },
						{ type: 'ccm', parameter: 'fir' },
						{ type: 'transport-cc', parameter: '' },
					],
				},
				{
					mimeType: 'video/rtx',
					payloadType: 103,
					clockRate: 90000,
					parameters: { apt: 102 },
					rtcpFeedback: [],
				},
			],
			// packet-id is not in the remote capabilities.
			headerExtensions: [
				ext(MidUri, 1),
				ext(AbsSendTimeUri, 4),
				ext(TransportWideCcUri, 5),
				ext(VideoOrientationUri, 8),
				ext(ToffsetUri, 9),
				ext(PlayoutDelayUri, 11),
			],
			encodings: [
				{
					ssrc: 888888888,
					rtx: { ssrc: 888888889 },
					scalabilityMode: 'L3T3',
					maxBitrate: 900000,
				},
			],
			rtcp: { cname: 'wnN/hhN0LqEyvXOt', reducedSize: true },
			msid: '8b0d8d3e-3a35-4a5c-8d0e-0e4d8e0b7a11 0c0a5e7d-91c4-4a68-a0f7-1c0e4a2f9d33',
		});
	});

	test('VP8 simulcast → Chrome, without RTX', () => {
		const consumable = consumableOf('video', chromeVp8SimulcastProducerRtpParameters());
		const params = ortc.getConsumerRtpParameters({
			consumableRtpParameters: consumable,
			remoteRtpCapabilities: chromeDeviceRtpCapabilities(),
			pipe: false,
			enableRtx: false,
		});

		expect(params.codecs).toEqual([
			{
				mimeType: 'video/VP8',
				payloadType: 102,
				clockRate: 90000,
				parameters: {},
				// Plain NACK is removed, NACK PLI kept.
				rtcpFeedback: [
					{ type: 'nack', parameter: 'pli' },
					{ type: 'ccm', parameter: 'fir' },
					{ type: 'transport-cc', parameter: '' },
				],
			},
		]);
		expect(params.encodings).toHaveLength(1);
		expect(params.encodings![0]).not.toHaveProperty('rtx');
	});

	test('the consumer SSRC is random in [100000000, 999999999) and RTX is SSRC + 1', () => {
		const consumable = consumableOf('video', chromeH264ProducerRtpParameters());

		for (let i = 0; i < 20; ++i) {
			const [encoding] = ortc.getConsumerRtpParameters({
				consumableRtpParameters: consumable,
				remoteRtpCapabilities: chromeDeviceRtpCapabilities(),
				pipe: false,
				enableRtx: true,
			}).encodings!;

			expect(encoding.ssrc).toBeGreaterThanOrEqual(100000000);
			expect(encoding.ssrc).toBeLessThan(999999999);
			expect(encoding.rtx).toEqual({ ssrc: encoding.ssrc! + 1 });
		}
	});

	test('opus → Chrome: abs-send-time only, so transport-cc is pruned', () => {
		const consumable = consumableOf('audio', chromeOpusProducerRtpParameters());
		const params = ortc.getConsumerRtpParameters({
			consumableRtpParameters: consumable,
			remoteRtpCapabilities: chromeDeviceRtpCapabilities(),
			pipe: false,
			enableRtx: false,
		});

		expect(params.codecs).toEqual([
			{
				mimeType: 'audio/opus',
				payloadType: 100,
				clockRate: 48000,
				channels: 2,
				parameters: { minptime: 10, useinbandfec: 1, usedtx: 1 },
				rtcpFeedback: [],
			},
		]);
		// Remote extensions are matched by id and uri only: Chrome announces
		// playout-delay for video, which is enough for the audio consumer.
		expect(params.headerExtensions).toEqual([
			ext(MidUri, 1),
			ext(AbsSendTimeUri, 4),
			ext(AudioLevelUri, 6),
			ext(PlayoutDelayUri, 11),
		]);
		expect(params.encodings).toEqual([{ ssrc: expect.any(Number) }]);
	});

	test.each<[string, RtpHeaderExtensionUri[], string[]]>([
		[
			'transport-wide-cc → goog-remb removed',
			[TransportWideCcUri, AbsSendTimeUri],
			['nack', 'nack/pli', 'ccm/fir', 'transport-cc'],
		],
		[
			'abs-send-time only → transport-cc removed',
			[AbsSendTimeUri],
			['nack', 'nack/pli', 'ccm/fir', 'goog-remb'],
		],
		['neither → both removed', [], ['nack', 'nack/pli', 'ccm/fir']],
	])('BWE feedback pruning: %s', (_name, keptUris, expectedFeedback) => {
		const consumable = consumableOf('video', chromeVp8SimulcastProducerRtpParameters());
		const remoteCaps = chromeDeviceRtpCapabilities();
		const bweUris: string[] = [TransportWideCcUri, AbsSendTimeUri];

		remoteCaps.headerExtensions = remoteCaps.headerExtensions!.filter(
			({ uri }) => !bweUris.includes(uri) || keptUris.includes(uri)
		);

		const params = ortc.getConsumerRtpParameters({
			consumableRtpParameters: consumable,
			remoteRtpCapabilities: remoteCaps,
			pipe: false,
			enableRtx: true,
		});

		expect(
			params.codecs[0].rtcpFeedback!.map(({ type, parameter }) =>
				parameter ? `${type}/${parameter}` : type
			)
		).toEqual(expectedFeedback);
	});

	test('header extensions need the same id in the remote capabilities', () => {
		const consumable = consumableOf('video', chromeVp8SimulcastProducerRtpParameters());
		// Chrome native ids differ from the Router ones.
		const params = ortc.getConsumerRtpParameters({
			consumableRtpParameters: consumable,
			remoteRtpCapabilities: chromeNativeRtpCapabilities(),
			pipe: false,
			enableRtx: true,
		});

		expect(params.headerExtensions).toEqual([]);
		expect(params.codecs[0].rtcpFeedback).toEqual([
			{ type: 'ccm', parameter: 'fir' },
			{ type: 'nack', parameter: '' },
			{ type: 'nack', parameter: 'pli' },
		]);
	});

	test.each<[string, (string | undefined)[], string | undefined]>([
		['single stream, no mode', [undefined], undefined],
		['single stream L1T3', ['L1T3'], 'L1T3'],
		['SVC L3T3_KEY', ['L3T3_KEY'], 'L3T3_KEY'],
		['simulcast of L1T3 streams', ['L1T3', 'L1T3', 'L1T3'], 'L3T3'],
		['simulcast of L1T2 streams', ['L1T2', 'L1T2'], 'L2T2'],
		['simulcast without modes', [undefined, undefined], 'L2T1'],
		['simulcast where only the second stream has a mode', [undefined, 'L1T3'], 'L2T3'],
	])('scalabilityMode: %s → %p', (_name, modes, expected) => {
		const params = chromeVp8SimulcastProducerRtpParameters();

		params.encodings = modes.map((scalabilityMode, idx) =>
			scalabilityMode ? { rid: `r${idx}`, scalabilityMode } : { rid: `r${idx}` }
		);

		const consumable = consumableOf('video', params);
		const [encoding] = ortc.getConsumerRtpParameters({
			consumableRtpParameters: consumable,
			remoteRtpCapabilities: chromeDeviceRtpCapabilities(),
			pipe: false,
			enableRtx: true,
		}).encodings!;

		expect(encoding.scalabilityMode).toBe(expected);

		if (expected === undefined) {
			expect(encoding).not.toHaveProperty('scalabilityMode');
		}
	});

	test.each<[string, (number | undefined)[], number | undefined]>([
		['largest of the encodings', [300000, 1200000, 600000], 1200000],
		['only some encodings have one', [undefined, 250000], 250000],
		['none', [undefined, undefined], undefined],
	])('maxBitrate: %s', (_name, bitrates, expected) => {
		const params = chromeVp8SimulcastProducerRtpParameters();

		params.encodings = bitrates.map((maxBitrate, idx) =>
			maxBitrate ? { rid: `r${idx}`, maxBitrate } : { rid: `r${idx}` }
		);

		const [encoding] = ortc.getConsumerRtpParameters({
			consumableRtpParameters: consumableOf('video', params),
			remoteRtpCapabilities: chromeDeviceRtpCapabilities(),
			pipe: false,
			enableRtx: false,
		}).encodings!;

		expect(encoding.maxBitrate).toBe(expected);

		if (expected === undefined) {
			expect(encoding).not.toHaveProperty('maxBitrate');
		}
	});

	test('RTX codecs of dropped media codecs are removed', () => {
		// A Producer sending VP8 and VP9 profile 2; Firefox lacks VP9 profile 2.
		const params = chromeVp8SimulcastProducerRtpParameters();

		params.codecs.push(...chromeVp9SvcProducerRtpParameters().codecs);

		const consumable = consumableOf('video', params);

		expect(consumable.codecs.map(({ payloadType }) => payloadType)).toEqual([102, 103, 104, 105]);

		const consumerParams = ortc.getConsumerRtpParameters({
			consumableRtpParameters: consumable,
			remoteRtpCapabilities: firefoxDeviceRtpCapabilities(),
			pipe: false,
			enableRtx: true,
		});

		expect(consumerParams.codecs.map(({ payloadType }) => payloadType)).toEqual([102, 103]);
		expect(consumerParams.encodings![0].rtx).toBeDefined();
	});

	test('no RTX in the encoding when the remote has no RTX codec', () => {
		const consumable = consumableOf('video', chromeH264ProducerRtpParameters());
		const remoteCaps = firefoxDeviceRtpCapabilities();

		remoteCaps.codecs = remoteCaps.codecs!.filter(({ mimeType }) => mimeType !== 'video/rtx');

		const params = ortc.getConsumerRtpParameters({
			consumableRtpParameters: consumable,
			remoteRtpCapabilities: remoteCaps,
			pipe: false,
			enableRtx: true,
		});

		expect(params.codecs.map(({ mimeType }) => mimeType)).toEqual(['video/H264']);
		// Plain NACK stays: RTX was enabled, the remote just does not do it.
		expect(params.codecs[0].rtcpFeedback![0]).toEqual({
			type: 'nack',
			parameter: '',
		});
		expect(params.encodings![0]).not.toHaveProperty('rtx');
	});

	test.each<[string, () => RtpParameters, 'audio' | 'video', () => RtpCapabilities]>([
		[
			'VP9 profile 2 → Firefox',
			chromeVp9SvcProducerRtpParameters,
			'video',
			firefoxDeviceRtpCapabilities,
		],
		['multiopus → Firefox', () => multiopusParams(4, 2), 'audio', firefoxDeviceRtpCapabilities],
		[
			'VP8 → remote with only RTX',
			chromeVp8SimulcastProducerRtpParameters,
			'video',
			() => ({
				codecs: [
					{
						kind: 'video',
						mimeType: 'video/rtx',
						preferredPayloadType: 103,
						clockRate: 90000,
						parameters: { apt: 102 },
					},
				],
			}),
		],
		['VP8 → remote without codecs', chromeVp8SimulcastProducerRtpParameters, 'video', () => ({})],
	])('%s → UnsupportedError', (_name, params, kind, caps) => {
		const consumable = consumableOf(kind, params());

		expect(() =>
			ortc.getConsumerRtpParameters({
				consumableRtpParameters: consumable,
				remoteRtpCapabilities: caps(),
				pipe: false,
				enableRtx: true,
			})
		).toThrow(UnsupportedError);
	});

	test('invalid remote codec → TypeError naming the field', () => {
		const consumable = consumableOf('audio', chromeOpusProducerRtpParameters());
		const remoteCaps = chromeDeviceRtpCapabilities();

		(remoteCaps.codecs![1] as unknown as Record<string, unknown>)['clockRate'] = '48000';

		expectTypeErrorNaming(
			() =>
				ortc.getConsumerRtpParameters({
					consumableRtpParameters: consumable,
					remoteRtpCapabilities: remoteCaps,
					pipe: false,
					enableRtx: false,
				}),
			'remoteRtpCapabilities.codecs[1].clockRate'
		);
	});

	test('pipe: every encoding with consecutive SSRCs and RTX SSRCs', () => {
		mockRandomNumbers(100000000, 300000000, 600000000);

		const consumable = consumableOf('video', chromeVp8SimulcastProducerRtpParameters());
		const params = ortc.getConsumerRtpParameters({
			consumableRtpParameters: consumable,
			remoteRtpCapabilities: chromeDeviceRtpCapabilities(),
			pipe: true,
			enableRtx: true,
		});

		expect(params.encodings).toEqual([
			{
				ssrc: 300000000,
				rtx: { ssrc: 600000000 },
				scalabilityMode: 'L1T3',
				maxBitrate: 100000,
				dtx: false,
			},
			{
				ssrc: 300000001,
				rtx: { ssrc: 600000001 },
				scalabilityMode: 'L1T3',
				maxBitrate: 300000,
				dtx: false,
			},
			{
				ssrc: 300000002,
				rtx: { ssrc: 600000002 },
				scalabilityMode: 'L1T3',
				maxBitrate: 900000,
				dtx: false,
			},
		]);
	});

	test('pipe without RTX support: no rtx in encodings', () => {
		const consumable = consumableOf('video', chromeVp8SimulcastProducerRtpParameters());
		const params = ortc.getConsumerRtpParameters({
			consumableRtpParameters: consumable,
			remoteRtpCapabilities: chromeDeviceRtpCapabilities(),
			pipe: true,
			enableRtx: false,
		});

		expect(params.encodings).toHaveLength(3);

		for (const encoding of params.encodings!) {
			expect(encoding).not.toHaveProperty('rtx');
		}
	});

	test('does not modify its inputs', () => {
		const consumable = consumableOf('video', chromeVp8SimulcastProducerRtpParameters());
		const consumableCopy = utils.clone(consumable);
		const remoteCaps = chromeNativeRtpCapabilities();
		const params = ortc.getConsumerRtpParameters({
			consumableRtpParameters: consumable,
			remoteRtpCapabilities: remoteCaps,
			pipe: false,
			enableRtx: false,
		});

		params.codecs[0].parameters!['foo'] = 1;
		params.rtcp!.cname = 'changed';

		expect(consumable).toEqual(consumableCopy);
		expect(remoteCaps).toEqual(chromeNativeRtpCapabilities());
	});
});

describe('getPipeConsumerRtpParameters()', () => {
	const consumableOf = (kind: 'audio' | 'video', params: RtpParameters) =>
		produce(kind, params).consumable;

	test('VP8 simulcast without RTX', () => {
		mockRandomNumbers(700000000, 200000000, 250000000);

		const consumable = consumableOf('video', chromeVp8SimulcastProducerRtpParameters());

		expect(ortc.getPipeConsumerRtpParameters({ consumableRtpParameters: consumable })).toEqual({
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: 102,
					clockRate: 90000,
					parameters: {},
					rtcpFeedback: [
						{ type: 'nack', parameter: 'pli' },
						{ type: 'ccm', parameter: 'fir' },
					],
				},
			],
			headerExtensions: [
				ext(DependencyDescriptorUri, 7),
				ext(VideoOrientationUri, 8),
				ext(ToffsetUri, 9),
				ext(PlayoutDelayUri, 11),
				ext(PacketIdUri, 12),
			],
			encodings: [
				{
					ssrc: 200000000,
					scalabilityMode: 'L1T3',
					maxBitrate: 100000,
					dtx: false,
				},
				{
					ssrc: 200000001,
					scalabilityMode: 'L1T3',
					maxBitrate: 300000,
					dtx: false,
				},
				{
					ssrc: 200000002,
					scalabilityMode: 'L1T3',
					maxBitrate: 900000,
					dtx: false,
				},
			],
			rtcp: { cname: 'wnN/hhN0LqEyvXOt', reducedSize: true },
			msid: '8b0d8d3e-3a35-4a5c-8d0e-0e4d8e0b7a11 0c0a5e7d-91c4-4a68-a0f7-1c0e4a2f9d33',
		});
	});

	test('H264 with RTX', () => {
		mockRandomNumbers(700000000, 200000000, 250000000);

		const consumable = consumableOf('video', chromeH264ProducerRtpParameters());
		const params = ortc.getPipeConsumerRtpParameters({
			consumableRtpParameters: consumable,
			enableRtx: true,
		});

		expect(params.codecs).toEqual([
			{
				mimeType: 'video/H264',
				payloadType: 108,
				clockRate: 90000,
				parameters: {
					'level-asymmetry-allowed': 1,
					'packetization-mode': 1,
					'profile-level-id': '42e01f',
				},
				rtcpFeedback: [
					{ type: 'nack', parameter: '' },
					{ type: 'nack', parameter: 'pli' },
					{ type: 'ccm', parameter: 'fir' },
				],
			},
			{
				mimeType: 'video/rtx',
				payloadType: 109,
				clockRate: 90000,
				parameters: { apt: 108 },
				rtcpFeedback: [],
			},
		]);
		expect(params.encodings).toEqual([{ ssrc: 200000000, rtx: { ssrc: 250000000 }, dtx: false }]);
	});

	test('opus: audio extensions minus MID and BWE, plus the dependency descriptor', () => {
		const consumable = consumableOf('audio', chromeOpusProducerRtpParameters());
		const params = ortc.getPipeConsumerRtpParameters({
			consumableRtpParameters: consumable,
			enableRtx: false,
		});

		expect(params.headerExtensions).toEqual([
			ext(AudioLevelUri, 6),
			ext(DependencyDescriptorUri, 7),
			ext(PlayoutDelayUri, 11),
			ext(PacketIdUri, 12),
		]);
		// opus feedback is nack + transport-cc: neither survives without RTX.
		expect(params.codecs[0].rtcpFeedback).toEqual([]);
		expect(params.encodings).toEqual([{ ssrc: expect.any(Number), dtx: true }]);
	});

	test('rtx of given encodings is dropped when RTX is disabled', () => {
		const consumable = consumableOf('video', chromeH264ProducerRtpParameters());

		consumable.encodings![0].rtx = { ssrc: 1234 };

		const params = ortc.getPipeConsumerRtpParameters({
			consumableRtpParameters: consumable,
			enableRtx: false,
		});

		expect(params.encodings![0]).not.toHaveProperty('rtx');
	});

	test('the dependency descriptor is not duplicated', () => {
		const consumable = consumableOf('video', chromeVp8SimulcastProducerRtpParameters());

		consumable.headerExtensions!.push(ext(DependencyDescriptorUri, 7));

		const params = ortc.getPipeConsumerRtpParameters({
			consumableRtpParameters: consumable,
		});

		expect(
			params.headerExtensions!.filter(({ uri }) => uri === DependencyDescriptorUri)
		).toHaveLength(1);
	});

	test('does not modify its input', () => {
		const consumable = consumableOf('video', chromeVp8SimulcastProducerRtpParameters());
		const consumableCopy = utils.clone(consumable);
		const params = ortc.getPipeConsumerRtpParameters({
			consumableRtpParameters: consumable,
			enableRtx: true,
		});

		params.codecs[0].rtcpFeedback!.length = 0;
		params.encodings![0].maxBitrate = 1;
		params.rtcp!.cname = 'changed';

		expect(consumable).toEqual(consumableCopy);
	});
});

// Helpers building single codec Producer parameters.

function videoParams(mimeType: string, parameters: Record<string, unknown>): RtpParameters {
	return {
		mid: '5',
		codecs: [
			{
				mimeType,
				payloadType: 125,
				clockRate: 90000,
				parameters,
				rtcpFeedback: [
					{ type: 'nack' },
					{ type: 'nack', parameter: 'pli' },
					{ type: 'transport-cc' },
				],
			},
		],
		encodings: [{ ssrc: 11223344 }],
		rtcp: { cname: 'test' },
	};
}

function h264Params(parameters: Record<string, unknown>): RtpParameters {
	return videoParams('video/H264', parameters);
}

function opusParams(channels: number): RtpParameters {
	return {
		codecs: [
			{
				mimeType: 'audio/opus',
				payloadType: 111,
				clockRate: 48000,
				channels,
			},
		],
		encodings: [{ ssrc: 22334455 }],
	};
}

function multiopusParams(numStreams: number, coupledStreams: number): RtpParameters {
	return {
		codecs: [
			{
				mimeType: 'audio/multiopus',
				payloadType: 114,
				clockRate: 48000,
				channels: 6,
				parameters: {
					channel_mapping: '0,4,1,2,3,5',
					num_streams: numStreams,
					coupled_streams: coupledStreams,
					minptime: 10,
					useinbandfec: 1,
				},
			},
		],
		encodings: [{ ssrc: 33445566 }],
	};
}

function pcmuParams(): RtpParameters {
	return {
		codecs: [{ mimeType: 'audio/PCMU', payloadType: 0, clockRate: 8000 }],
		encodings: [{ ssrc: 44556677 }],
	};
}

function g722Params(): RtpParameters {
	return {
		codecs: [{ mimeType: 'audio/G722', payloadType: 9, clockRate: 8000 }],
		encodings: [{ ssrc: 55667788 }],
	};
}
