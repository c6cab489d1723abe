import * as dgram from 'node:dgram';
import * as flatbuffers from 'flatbuffers';
import * as mediasoup from '../';
import { ProducerImpl } from '../Producer';
import type { Worker } from '../WorkerTypes';
import type { Router } from '../RouterTypes';
import type { WebRtcTransport } from '../WebRtcTransportTypes';
import type { Producer, ProducerOptions } from '../ProducerTypes';
import type { RtpParameters } from '../rtpParametersTypes';
import { chromeDeviceRtpCapabilities, routerMediaCodecs } from './fixtures/browserRtpCapabilities';
import {
	chromeOpusProducerRtpParameters,
	chromeVp8SimulcastProducerRtpParameters,
	chromeVp9SvcProducerRtpParameters,
} from './fixtures/browserRtpParameters';
import { Notification } from '../fbs/notification/notification';
import { Event } from '../fbs/notification/event';
import { Body as NotificationBody } from '../fbs/notification/body';
import { Score as FbsScore } from '../fbs/producer/score';
import { ScoreNotification as FbsScoreNotification } from '../fbs/producer/score-notification';
import { expectUnawaitedPauseResumeInCallOrder } from './helpers/pauseResume';

const { EnhancedEventEmitter, enhancedOnce } = mediasoup.extras;
const { UnsupportedError, WorkerClosedError, NotFoundError } = mediasoup.errors;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Chrome VP8 single stream with RTX, as mediasoup-client sends it.
 */
function chromeVp8ProducerRtpParameters(): RtpParameters {
	return {
		mid: '1',
		codecs: [
			{
				mimeType: 'video/VP8',
				payloadType: 96,
				clockRate: 90000,
				parameters: {},
				rtcpFeedback: [
					{ type: 'goog-remb', parameter: '' },
					{ type: 'transport-cc', parameter: '' },
					{ type: 'ccm', parameter: 'fir' },
					{ type: 'nack', parameter: '' },
					{ type: 'nack', parameter: 'pli' },
				],
			},
			{
				mimeType: 'video/rtx',
				payloadType: 97,
				clockRate: 90000,
				parameters: { apt: 96 },
				rtcpFeedback: [],
			},
		],
		headerExtensions: [
			{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} },
			{
				uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
				id: 2,
				encrypt: false,
				parameters: {},
			},
			{
				uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
				id: 3,
				encrypt: false,
				parameters: {},
			},
			{ uri: 'urn:3gpp:video-orientation', id: 13, encrypt: false, parameters: {} },
		],
		encodings: [{ ssrc: 1939254721, rtx: { ssrc: 2018479431 }, dtx: false }],
		rtcp: { cname: 'wnN/hhN0LqEyvXOt', reducedSize: true },
		msid: '8b0d8d3e-3a35-4a5c-8d0e-0e4d8e0b7a11 0c0a5e7d-91c4-4a68-a0f7-1c0e4a2f9d33',
	};
}

/**
 * Opus without CNAME nor header extensions, identified by SSRC only.
 */
function bareOpusRtpParameters(ssrc: number, cname?: string): RtpParameters {
	return {
		codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
		encodings: [{ ssrc }],
		...(cname ? { rtcp: { cname } } : {}),
	};
}

const workers = new Set<Worker>();
const sockets = new Set<dgram.Socket>();
let worker: Worker;
let router: Router;
let transport1: WebRtcTransport;
let transport2: WebRtcTransport;

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	workers.add(worker);
	router = await worker.createRouter({ mediaCodecs: routerMediaCodecs() });
	transport1 = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
	});
	transport2 = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
	});
});

afterEach(async () => {
	for (const w of workers) {
		w.close();
	}

	workers.clear();

	for (const socket of sockets) {
		await new Promise<void>(resolve => socket.close(() => resolve()));
	}

	sockets.clear();
});

afterAll(async () => {
	await sleep(50);
});

async function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
	return promise.then(
		() => {
			throw new Error('expected a rejection');
		},
		(error: Error) => error
	);
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
	const start = Date.now();

	while (!(await check())) {
		if (Date.now() - start > timeoutMs) {
			throw new Error('condition not met in time');
		}

		await sleep(20);
	}
}

/**
 * An RTP packet: version 2, 12-byte header and a payload.
 */
function rtpPacket({
	payloadType,
	ssrc,
	seq,
	timestamp = seq * 960,
	payloadSize = 80,
}: {
	payloadType: number;
	ssrc: number;
	seq: number;
	timestamp?: number;
	payloadSize?: number;
}): Buffer {
	const packet = Buffer.alloc(12 + payloadSize, 0xab);

	packet[0] = 0x80;
	packet[1] = payloadType;
	packet.writeUInt16BE(seq & 0xffff, 2);
	packet.writeUInt32BE(timestamp >>> 0, 4);
	packet.writeUInt32BE(ssrc, 8);

	return packet;
}

/**
 * A PRODUCER_SCORE notification as the worker sends it.
 */
function producerScoreNotification(
	producerId: string,
	scores: { encodingIdx: number; ssrc: number; rid?: string; score: number }[]
): Notification {
	const builder = new flatbuffers.Builder(256);
	const scoreOffsets = scores.map(({ encodingIdx, ssrc, rid, score }) =>
		FbsScore.createScore(builder, encodingIdx, ssrc, rid ? builder.createString(rid) : 0, score)
	);
	const scoresOffset = FbsScoreNotification.createScoresVector(builder, scoreOffsets);
	const bodyOffset = FbsScoreNotification.createScoreNotification(builder, scoresOffset);
	const handlerIdOffset = builder.createString(producerId);

	builder.finish(
		Notification.createNotification(
			builder,
			handlerIdOffset,
			Event.PRODUCER_SCORE,
			NotificationBody.Producer_ScoreNotification,
			bodyOffset
		)
	);

	return Notification.getRootAsNotification(new flatbuffers.ByteBuffer(builder.asUint8Array()));
}

async function createSocket(): Promise<dgram.Socket> {
	const socket = dgram.createSocket('udp4');

	sockets.add(socket);

	await new Promise<void>((resolve, reject) => {
		socket.once('error', reject);
		socket.bind(0, '127.0.0.1', () => resolve());
	});

	return socket;
}

async function produceAudio(
	options: Partial<ProducerOptions> = {},
	transport: WebRtcTransport = transport1
): Promise<Producer> {
	return transport.produce({
		kind: 'audio',
		rtpParameters: chromeOpusProducerRtpParameters(),
		...options,
	});
}

describe('transport.produce()', () => {
	test('audio (opus) succeeds', async () => {
		const onNewProducer = jest.fn();

		transport1.observer.once('newproducer', onNewProducer);

		const producer = await transport1.produce<{ foo: number }>({
			kind: 'audio',
			rtpParameters: chromeOpusProducerRtpParameters(),
			appData: { foo: 1 },
		});

		expect(onNewProducer).toHaveBeenCalledTimes(1);
		expect(onNewProducer).toHaveBeenCalledWith(producer);
		expect(producer).toBeInstanceOf(ProducerImpl);
		expect(producer.observer).toBeInstanceOf(EnhancedEventEmitter);
		expect(producer.id).toMatch(UUID_V4);
		expect(producer.closed).toBe(false);
		expect(producer.kind).toBe('audio');
		expect(producer.type).toBe('simple');
		expect(producer.paused).toBe(false);
		expect(producer.score).toEqual([]);
		expect(producer.appData).toEqual({ foo: 1 });

		// Normalised as given (the first CNAME of the transport is its own).
		const expected = chromeOpusProducerRtpParameters();

		expect(producer.rtpParameters).toEqual(expected);

		const { consumableRtpParameters } = producer;

		expect(consumableRtpParameters).toEqual({
			codecs: [
				{
					mimeType: 'audio/opus',
					payloadType: 100,
					clockRate: 48000,
					channels: 2,
					parameters: { minptime: 10, useinbandfec: 1, usedtx: 1 },
					rtcpFeedback: [
						{ type: 'nack', parameter: '' },
						{ type: 'transport-cc', parameter: '' },
					],
				},
			],
			headerExtensions: [
				{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1, encrypt: false, parameters: {} },
				{
					uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
					id: 4,
					encrypt: false,
					parameters: {},
				},
				{
					uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
					id: 6,
					encrypt: false,
					parameters: {},
				},
				{
					uri: 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
					id: 11,
					encrypt: false,
					parameters: {},
				},
				{
					uri: 'urn:mediasoup:params:rtp-hdrext:packet-id',
					id: 12,
					encrypt: false,
					parameters: {},
				},
			],
			encodings: [{ ssrc: expect.any(Number), dtx: true }],
			rtcp: { cname: expected.rtcp!.cname, reducedSize: true },
			msid: expected.msid,
		});

		await expect(router.dump()).resolves.toMatchObject({ transportIds: expect.any(Array) });
		await expect(transport1.dump()).resolves.toMatchObject({ producerIds: [producer.id] });
		await expect(transport2.dump()).resolves.toMatchObject({ producerIds: [] });
	});

	test('video (VP8 with RTX) succeeds', async () => {
		const producer = await transport1.produce({
			kind: 'video',
			rtpParameters: chromeVp8ProducerRtpParameters(),
			keyFrameRequestDelay: 1000,
			paused: true,
		});

		expect(producer.kind).toBe('video');
		expect(producer.type).toBe('simple');
		expect(producer.paused).toBe(true);
		expect(producer.appData).toEqual({});
		expect(producer.rtpParameters).toEqual(chromeVp8ProducerRtpParameters());

		const { consumableRtpParameters } = producer;

		expect(consumableRtpParameters.codecs.map(c => [c.mimeType, c.payloadType])).toEqual([
			['video/VP8', 102],
			['video/rtx', 103],
		]);
		expect(consumableRtpParameters.codecs[1].parameters).toEqual({ apt: 102 });
		expect(consumableRtpParameters.encodings).toEqual([{ ssrc: expect.any(Number), dtx: false }]);

		const dump = await producer.dump();

		expect(dump).toEqual({
			id: producer.id,
			kind: 'video',
			type: 'simple',
			rtpParameters: expect.any(Object),
			rtpMapping: {
				codecs: [
					{ payloadType: 96, mappedPayloadType: 102 },
					{ payloadType: 97, mappedPayloadType: 103 },
				],
				encodings: [
					{
						ssrc: 1939254721,
						mappedSsrc: consumableRtpParameters.encodings![0].ssrc,
					},
				],
			},
			traceEventTypes: [],
			paused: true,
		});
		expect(dump.rtpParameters.codecs).toEqual(producer.rtpParameters.codecs);
		// The worker's view: each encoding names the codec it uses (the first
		// media codec when it gave none); the getter keeps the params as given.
		expect(dump.rtpParameters.encodings).toEqual([
			{ ssrc: 1939254721, rtx: { ssrc: 2018479431 }, dtx: false, codecPayloadType: 96 },
		]);
		expect(producer.rtpParameters.encodings).toEqual(chromeVp8ProducerRtpParameters().encodings);
		expect(dump.rtpParameters.headerExtensions).toEqual(producer.rtpParameters.headerExtensions);
		expect(dump.rtpParameters.rtcp).toEqual(producer.rtpParameters.rtcp);
		expect(dump.rtpParameters.mid).toBe('1');
		expect(dump.rtpParameters.msid).toBe(producer.rtpParameters.msid);
	});

	test('video with three RID encodings is simulcast', async () => {
		const producer = await transport1.produce({
			kind: 'video',
			rtpParameters: chromeVp8SimulcastProducerRtpParameters(),
		});

		expect(producer.type).toBe('simulcast');

		const { consumableRtpParameters } = producer;
		const ssrcs = consumableRtpParameters.encodings!.map(encoding => encoding.ssrc!);

		// Clones without RID, with consecutive mapped SSRCs.
		expect(consumableRtpParameters.encodings).toEqual([
			{ ssrc: ssrcs[0], scalabilityMode: 'L1T3', maxBitrate: 100000, dtx: false },
			{ ssrc: ssrcs[0] + 1, scalabilityMode: 'L1T3', maxBitrate: 300000, dtx: false },
			{ ssrc: ssrcs[0] + 2, scalabilityMode: 'L1T3', maxBitrate: 900000, dtx: false },
		]);

		const dump = await producer.dump();

		expect(dump.type).toBe('simulcast');
		expect(dump.rtpParameters.encodings!.map(encoding => encoding.codecPayloadType)).toEqual([
			96, 96, 96,
		]);
		expect(dump.rtpMapping.encodings).toEqual([
			{ rid: 'r0', scalabilityMode: 'L1T3', mappedSsrc: ssrcs[0] },
			{ rid: 'r1', scalabilityMode: 'L1T3', mappedSsrc: ssrcs[0] + 1 },
			{ rid: 'r2', scalabilityMode: 'L1T3', mappedSsrc: ssrcs[0] + 2 },
		]);
	});

	test('dump() shows the codec each encoding uses: the one it names, else the first', async () => {
		const rtpParameters: RtpParameters = {
			mid: '1',
			codecs: [
				{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 },
				{ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
				{
					mimeType: 'video/H264',
					payloadType: 98,
					clockRate: 90000,
					parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
				},
			],
			encodings: [
				{ ssrc: 1111, codecPayloadType: 98 },
				{ ssrc: 2222, rtx: { ssrc: 2223 } },
			],
		};
		const producer = await transport1.produce({ kind: 'video', rtpParameters });
		const dump = await producer.dump();

		expect(dump.rtpParameters.encodings).toEqual([
			{ ssrc: 1111, codecPayloadType: 98, dtx: false },
			{ ssrc: 2222, rtx: { ssrc: 2223 }, codecPayloadType: 96, dtx: false },
		]);
		expect(producer.rtpParameters.encodings).toEqual([
			{ ssrc: 1111, codecPayloadType: 98, dtx: false },
			{ ssrc: 2222, rtx: { ssrc: 2223 }, dtx: false },
		]);
	});

	test('an encoding naming a codecPayloadType that is no media codec rejects TypeError', async () => {
		const rtpParameters = chromeVp8ProducerRtpParameters();

		// 97 is the RTX codec, 99 none at all.
		for (const codecPayloadType of [97, 99]) {
			rtpParameters.encodings![0].codecPayloadType = codecPayloadType;

			await expect(transport1.produce({ kind: 'video', rtpParameters })).rejects.toBeInstanceOf(
				TypeError
			);
		}

		await expect(transport1.dump()).resolves.toMatchObject({ producerIds: [] });
	});

	test('video with one encoding and several temporal layers is svc', async () => {
		const rtpParameters = chromeVp8ProducerRtpParameters();

		rtpParameters.encodings![0].scalabilityMode = 'L1T3';

		const producer = await transport1.produce({ kind: 'video', rtpParameters });

		expect(producer.type).toBe('svc');

		const vp9 = await transport1.produce({
			kind: 'video',
			rtpParameters: chromeVp9SvcProducerRtpParameters(),
		});

		expect(vp9.type).toBe('svc');
	});

	test('audio with a scalability mode is simple', async () => {
		const rtpParameters = chromeOpusProducerRtpParameters();

		rtpParameters.encodings![0].scalabilityMode = 'L2T2';

		const producer = await transport1.produce({ kind: 'audio', rtpParameters });

		expect(producer.type).toBe('simple');
	});

	test('does not modify the given options and getters return clones', async () => {
		const rtpParameters = chromeOpusProducerRtpParameters();
		const appData = { foo: 'bar' };

		delete rtpParameters.headerExtensions;
		delete rtpParameters.rtcp;
		rtpParameters.codecs[0].rtcpFeedback = [{ type: 'transport-cc' }];

		const snapshot = JSON.parse(JSON.stringify(rtpParameters));
		const producer = await transport1.produce({ kind: 'audio', rtpParameters, appData });

		expect(rtpParameters).toEqual(snapshot);

		// Normalised.
		expect(producer.rtpParameters.headerExtensions).toEqual([]);
		expect(producer.rtpParameters.rtcp).toEqual({
			cname: expect.stringMatching(/^[0-9a-f]{8}$/),
			reducedSize: true,
		});
		expect(producer.rtpParameters.codecs[0].rtcpFeedback).toEqual([
			{ type: 'transport-cc', parameter: '' },
		]);

		const got = producer.rtpParameters;

		expect(producer.rtpParameters).not.toBe(got);

		got.codecs[0].payloadType = 1;
		got.encodings![0].ssrc = 1;

		expect(producer.rtpParameters.codecs[0].payloadType).toBe(111);
		expect(producer.rtpParameters.encodings![0].ssrc).toBe(3472539041);

		const consumable = producer.consumableRtpParameters;

		consumable.codecs.length = 0;

		expect(producer.consumableRtpParameters.codecs).toHaveLength(1);
		expect(producer.appData).toBe(appData);
	});

	test('missing or empty encodings become [{}]', async () => {
		const rtpParameters = chromeOpusProducerRtpParameters();

		rtpParameters.encodings = [];

		const producer = await transport1.produce({ kind: 'audio', rtpParameters });

		await expect(transport1.dump()).resolves.toMatchObject({ producerIds: [producer.id] });
		expect(producer.type).toBe('simple');

		delete rtpParameters.encodings;
		rtpParameters.mid = 'other';

		const producer2 = await transport1.produce({ kind: 'audio', rtpParameters });

		expect(producer2.rtpParameters.encodings).toEqual([{}]);
	});

	test('every Producer of a transport gets the CNAME of the first one', async () => {
		const producer1 = await transport1.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(1111, 'FIRST-CNAME'),
		});
		const producer2 = await transport1.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(2222, 'SECOND-CNAME'),
		});
		const producer3 = await transport1.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(3333),
		});

		expect(producer1.rtpParameters.rtcp!.cname).toBe('FIRST-CNAME');
		expect(producer2.rtpParameters.rtcp!.cname).toBe('FIRST-CNAME');
		expect(producer3.rtpParameters.rtcp!.cname).toBe('FIRST-CNAME');
		expect(producer2.consumableRtpParameters.rtcp!.cname).toBe('FIRST-CNAME');

		// Another transport has its own.
		const producer4 = await transport2.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(4444, 'OTHER-CNAME'),
		});

		expect(producer4.rtpParameters.rtcp!.cname).toBe('OTHER-CNAME');
	});

	test('a first Producer without CNAME gives the transport a random one', async () => {
		const producer1 = await transport1.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(1111),
		});
		const producer2 = await transport1.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(2222, 'GIVEN-CNAME'),
		});
		const cname = producer1.rtpParameters.rtcp!.cname!;

		expect(cname).toMatch(/^[0-9a-f]{8}$/);
		expect(producer2.rtpParameters.rtcp!.cname).toBe(cname);
	});

	test('PipeTransport Producers keep their CNAME (or get a random one each)', async () => {
		const pipeTransport = await router.createPipeTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		});
		const producer1 = await pipeTransport.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(1111, 'CNAME-1'),
		});
		const producer2 = await pipeTransport.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(2222, 'CNAME-2'),
		});
		const producer3 = await pipeTransport.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(3333),
		});
		const producer4 = await pipeTransport.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(4444),
		});

		expect(producer1.rtpParameters.rtcp!.cname).toBe('CNAME-1');
		expect(producer2.rtpParameters.rtcp!.cname).toBe('CNAME-2');
		expect(producer3.rtpParameters.rtcp!.cname).toMatch(/^[0-9a-f]{8}$/);
		expect(producer4.rtpParameters.rtcp!.cname).toMatch(/^[0-9a-f]{8}$/);
		expect(producer4.rtpParameters.rtcp!.cname).not.toBe(producer3.rtpParameters.rtcp!.cname);
	});

	test('on a PlainTransport and a DirectTransport succeeds', async () => {
		const plainTransport = await router.createPlainTransport({ listenIp: '127.0.0.1' });
		const directTransport = await router.createDirectTransport();

		for (const transport of [plainTransport, directTransport]) {
			const producer = await transport.produce({
				kind: 'audio',
				rtpParameters: bareOpusRtpParameters(1234),
			});

			expect(producer.type).toBe('simple');
			await expect(transport.dump()).resolves.toMatchObject({ producerIds: [producer.id] });
		}
	});

	test('with a given id uses it', async () => {
		const id = '11111111-2222-4333-8444-555555555555';
		const producer = await produceAudio({ id });

		expect(producer.id).toBe(id);
	});

	test('with an id already used in this transport rejects TypeError', async () => {
		const producer = await produceAudio();
		const rtpParameters = bareOpusRtpParameters(5555);

		delete rtpParameters.mid;

		const error = await rejection(
			transport1.produce({ id: producer.id, kind: 'audio', rtpParameters })
		);

		expect(error).toBeInstanceOf(TypeError);
	});

	test('with an id already used in another transport of the worker rejects Error', async () => {
		const producer = await produceAudio();
		const error = await rejection(
			transport2.produce({
				id: producer.id,
				kind: 'audio',
				rtpParameters: bareOpusRtpParameters(5555),
			})
		);

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		await expect(transport2.dump()).resolves.toMatchObject({ producerIds: [] });
	});

	test.each<[string, () => unknown]>([
		['no options', () => undefined],
		['a string as options', () => 'audio'],
		['no kind', () => ({ rtpParameters: chromeOpusProducerRtpParameters() })],
		['a bad kind', () => ({ kind: 'chicken', rtpParameters: chromeOpusProducerRtpParameters() })],
		['no rtpParameters', () => ({ kind: 'audio' })],
		['rtpParameters without codecs', () => ({ kind: 'audio', rtpParameters: {} })],
		[
			'a codec without mimeType',
			() => ({
				kind: 'audio',
				rtpParameters: { codecs: [{ payloadType: 111, clockRate: 48000 }] },
			}),
		],
		[
			'a bad mimeType',
			() => ({
				kind: 'audio',
				rtpParameters: { codecs: [{ mimeType: 'opus', payloadType: 111, clockRate: 48000 }] },
			}),
		],
		[
			'a non numeric payloadType',
			() => ({
				kind: 'audio',
				rtpParameters: {
					codecs: [{ mimeType: 'audio/opus', payloadType: '111', clockRate: 48000, channels: 2 }],
				},
			}),
		],
		[
			'a payloadType out of range',
			() => ({
				kind: 'audio',
				rtpParameters: {
					mid: '0',
					codecs: [{ mimeType: 'audio/opus', payloadType: 1111, clockRate: 48000, channels: 2 }],
				},
			}),
		],
		[
			'an SSRC out of range',
			() => ({ kind: 'audio', rtpParameters: bareOpusRtpParameters(2 ** 32) }),
		],
		[
			'a header extension without id',
			() => ({
				kind: 'audio',
				rtpParameters: {
					...bareOpusRtpParameters(1234),
					headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' }],
				},
			}),
		],
		[
			'a codec parameter that is an object',
			() => ({
				kind: 'audio',
				rtpParameters: {
					mid: '0',
					codecs: [
						{
							mimeType: 'audio/opus',
							payloadType: 111,
							clockRate: 48000,
							channels: 2,
							parameters: { foo: { bar: 1 } },
						},
					],
				},
			}),
		],
		[
			'an RTX codec without its media codec',
			() => {
				const rtpParameters = chromeVp8ProducerRtpParameters();

				rtpParameters.codecs[1].parameters = { apt: 120 };

				return { kind: 'video', rtpParameters };
			},
		],
		[
			'a bad appData',
			() => ({
				kind: 'audio',
				rtpParameters: chromeOpusProducerRtpParameters(),
				appData: 'NOT-AN-OBJECT',
			}),
		],
		[
			'a non boolean paused',
			() => ({ kind: 'audio', rtpParameters: chromeOpusProducerRtpParameters(), paused: 'yes' }),
		],
		[
			'a bad keyFrameRequestDelay',
			() => ({
				kind: 'audio',
				rtpParameters: chromeOpusProducerRtpParameters(),
				keyFrameRequestDelay: -1,
			}),
		],
		[
			'a non string id',
			() => ({ id: 1234, kind: 'audio', rtpParameters: chromeOpusProducerRtpParameters() }),
		],
		[
			'a function in rtpParameters',
			() => ({
				kind: 'audio',
				rtpParameters: { ...chromeOpusProducerRtpParameters(), foo: () => {} },
			}),
		],
	])('with %s rejects TypeError', async (_name, options) => {
		const onNewProducer = jest.fn();

		transport1.observer.on('newproducer', onNewProducer);

		const error = await rejection(transport1.produce(options() as ProducerOptions));

		expect(error).toBeInstanceOf(TypeError);
		expect(onNewProducer).not.toHaveBeenCalled();
		await expect(transport1.dump()).resolves.toMatchObject({ producerIds: [] });
	});

	test.each<[string, RtpParameters['encodings']]>([
		['no encodings', undefined],
		['a single encoding with neither ssrc nor rid', [{}]],
		['a second encoding with neither ssrc nor rid', [{ ssrc: 1234 }, { maxBitrate: 100000 }]],
	])('without mid and with %s rejects TypeError naming the problem', async (_name, encodings) => {
		const rtpParameters = chromeOpusProducerRtpParameters();

		delete rtpParameters.mid;
		rtpParameters.encodings = encodings;

		const error = await rejection(transport1.produce({ kind: 'audio', rtpParameters }));

		expect(error).toBeInstanceOf(TypeError);
		expect(error.message).toMatch(/encodings\[\d\] has neither ssrc nor rid.*no mid/);
		await expect(transport1.dump()).resolves.toMatchObject({ producerIds: [] });
	});

	test('with a mid, encodings need neither ssrc nor rid', async () => {
		const rtpParameters = chromeOpusProducerRtpParameters();

		rtpParameters.encodings = [{}];

		const producer = await transport1.produce({ kind: 'audio', rtpParameters });

		await expect(transport1.dump()).resolves.toMatchObject({ producerIds: [producer.id] });
	});

	test('with a codec the Router does not have rejects UnsupportedError', async () => {
		const g722: RtpParameters = {
			mid: '0',
			codecs: [{ mimeType: 'audio/G722', payloadType: 9, clockRate: 8000 }],
			encodings: [{ ssrc: 1234 }],
		};
		const opusMono: RtpParameters = {
			mid: '0',
			codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000 }],
			encodings: [{ ssrc: 1234 }],
		};

		for (const rtpParameters of [g722, opusMono]) {
			await expect(transport1.produce({ kind: 'audio', rtpParameters })).rejects.toBeInstanceOf(
				UnsupportedError
			);
		}

		// A Router without video codecs.
		const audioRouter = await worker.createRouter({
			mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
		});
		const transport = await audioRouter.createWebRtcTransport({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		});

		await expect(
			transport.produce({ kind: 'video', rtpParameters: chromeVp8ProducerRtpParameters() })
		).rejects.toBeInstanceOf(UnsupportedError);
	});

	test('with an SSRC already used in the transport rejects Error', async () => {
		await produceAudio();

		const rtpParameters = chromeOpusProducerRtpParameters();

		rtpParameters.mid = 'other';

		const error = await rejection(transport1.produce({ kind: 'audio', rtpParameters }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		await expect(transport1.dump()).resolves.toMatchObject({ producerIds: [expect.any(String)] });
	});

	test('with a MID already used in the transport rejects Error', async () => {
		await produceAudio();

		const rtpParameters = chromeOpusProducerRtpParameters();

		rtpParameters.encodings = [{ ssrc: 99999999 }];

		const error = await rejection(transport1.produce({ kind: 'audio', rtpParameters }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
	});

	test('with a RID already used in the transport rejects Error', async () => {
		await transport1.produce({
			kind: 'video',
			rtpParameters: chromeVp8SimulcastProducerRtpParameters(),
		});

		const rtpParameters = chromeVp8SimulcastProducerRtpParameters();

		delete rtpParameters.mid;

		const error = await rejection(transport1.produce({ kind: 'video', rtpParameters }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
	});

	test('a second simulcast producer with the same RIDs but its own MID succeeds', async () => {
		// A camera and a screen share, both simulcast, on one transport: the
		// browser gives both encodings r0, r1, r2; MIDs tell them apart.
		await transport1.produce({
			kind: 'video',
			rtpParameters: chromeVp8SimulcastProducerRtpParameters(),
		});

		const rtpParameters = chromeVp8SimulcastProducerRtpParameters();

		rtpParameters.mid = 'screen';

		const producer = await transport1.produce({ kind: 'video', rtpParameters });

		expect(producer.type).toBe('simulcast');
		await expect(transport1.dump()).resolves.toMatchObject({
			producerIds: expect.arrayContaining([producer.id]),
		});
	});

	test('on a closed transport rejects NotFoundError, even with bad options', async () => {
		transport1.close();

		await expect(produceAudio()).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport1.produce({} as ProducerOptions)).rejects.toBeInstanceOf(NotFoundError);
	});

	test('after the worker closed rejects WorkerClosedError', async () => {
		worker.close();

		await expect(produceAudio()).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('Producer', () => {
	let audioProducer: Producer;
	let videoProducer: Producer;

	beforeEach(async () => {
		audioProducer = await produceAudio({ appData: { foo: 1 } });
		videoProducer = await transport1.produce({
			kind: 'video',
			rtpParameters: chromeVp8SimulcastProducerRtpParameters(),
		});
	});

	test('appData can be replaced', () => {
		const appData = { bar: 2 };

		audioProducer.appData = appData;

		expect(audioProducer.appData).toBe(appData);
	});

	test('dump()', async () => {
		const dump = await audioProducer.dump();

		expect(dump).toEqual({
			id: audioProducer.id,
			kind: 'audio',
			type: 'simple',
			rtpParameters: {
				...audioProducer.rtpParameters,
				encodings: [{ ssrc: 3472539041, dtx: true, codecPayloadType: 111 }],
			},
			rtpMapping: {
				codecs: [{ payloadType: 111, mappedPayloadType: 100 }],
				encodings: [
					{
						ssrc: 3472539041,
						mappedSsrc: audioProducer.consumableRtpParameters.encodings![0].ssrc,
					},
				],
			},
			traceEventTypes: [],
			paused: false,
		});
	});

	test('getStats() resolves with an array', async () => {
		await expect(audioProducer.getStats()).resolves.toEqual([]);
		await expect(videoProducer.getStats()).resolves.toEqual([]);
	});

	test('getStats() reports received RTP', async () => {
		const transport = await router.createPlainTransport({
			listenIp: '127.0.0.1',
			comedia: true,
		});
		const producer = await transport.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(12345678),
		});
		const socket = await createSocket();

		for (let seq = 1; seq <= 10; ++seq) {
			const packet = rtpPacket({ payloadType: 111, ssrc: 12345678, seq });

			await new Promise<void>((resolve, reject) =>
				socket.send(packet, transport.tuple.localPort, '127.0.0.1', error =>
					error ? reject(error) : resolve()
				)
			);
		}

		let stats: Awaited<ReturnType<Producer['getStats']>> = [];

		await waitFor(async () => {
			stats = await producer.getStats();

			return stats.length > 0 && stats[0].packetCount === 10;
		});

		expect(stats).toEqual([
			expect.objectContaining({
				type: 'inbound-rtp',
				kind: 'audio',
				mimeType: 'audio/opus',
				ssrc: 12345678,
				packetCount: 10,
				byteCount: 10 * 92,
				timestamp: expect.any(Number),
				bitrateByLayer: expect.any(Object),
			}),
		]);
	});

	test('score notifications update score and emit score', () => {
		const producer = videoProducer as ProducerImpl;
		const onScore = jest.fn();
		const onObserverScore = jest.fn();
		const scores = [
			{ encodingIdx: 0, ssrc: 1111, rid: 'r0', score: 10 },
			{ encodingIdx: 1, ssrc: 2222, rid: 'r1', score: 9 },
			{ encodingIdx: 2, ssrc: 3333, score: 0 },
		];

		producer.on('score', onScore);
		producer.observer.on('score', onObserverScore);

		producer.channelForTesting.emit(
			producer.id,
			Event.PRODUCER_SCORE,
			producerScoreNotification(producer.id, scores)
		);

		expect(onScore).toHaveBeenCalledTimes(1);
		expect(onScore).toHaveBeenCalledWith(scores);
		expect(onObserverScore).toHaveBeenCalledWith(scores);
		expect(producer.score).toEqual(scores);

		// A clone.
		producer.score[0].score = 1;

		expect(producer.score).toEqual(scores);

		// Nothing after close.
		producer.close();
		producer.channelForTesting.emit(
			producer.id,
			Event.PRODUCER_SCORE,
			producerScoreNotification(producer.id, [])
		);

		expect(onScore).toHaveBeenCalledTimes(1);
	});

	test('pause() and resume()', async () => {
		const onPause = jest.fn();
		const onResume = jest.fn();

		audioProducer.observer.on('pause', onPause);
		audioProducer.observer.on('resume', onResume);

		await audioProducer.pause();

		expect(audioProducer.paused).toBe(true);
		await expect(audioProducer.dump()).resolves.toMatchObject({ paused: true });

		// Already paused: no event.
		await audioProducer.pause();

		expect(onPause).toHaveBeenCalledTimes(1);

		await audioProducer.resume();

		expect(audioProducer.paused).toBe(false);
		await expect(audioProducer.dump()).resolves.toMatchObject({ paused: false });

		await audioProducer.resume();

		expect(onResume).toHaveBeenCalledTimes(1);
	});

	test('pause() and resume() not awaited: one observer event per change, in call order', async () => {
		await expectUnawaitedPauseResumeInCallOrder(audioProducer);
	});

	test('enableTraceEvent() records the known types', async () => {
		await audioProducer.enableTraceEvent(['fir', 'rtp', 'foo' as never, 'rtp', 'sr']);
		await expect(audioProducer.dump()).resolves.toMatchObject({
			traceEventTypes: ['rtp', 'fir', 'sr'],
		});

		await audioProducer.enableTraceEvent();
		await expect(audioProducer.dump()).resolves.toMatchObject({ traceEventTypes: [] });
	});

	test.each<[string, unknown]>([
		['a string', 'rtp'],
		['an array with a number', ['rtp', 123]],
		['null', null],
	])('enableTraceEvent() with %s rejects TypeError', async (_name, types) => {
		await expect(audioProducer.enableTraceEvent(types as never)).rejects.toBeInstanceOf(TypeError);
	});

	test('send() checks its argument; throws WorkerClosedError once the worker closed', async () => {
		const directTransport = await router.createDirectTransport();
		const producer = await directTransport.produce({
			kind: 'audio',
			rtpParameters: bareOpusRtpParameters(1234),
		});

		expect(() => producer.send('foo' as never)).toThrow(TypeError);
		expect(() => producer.send(new Uint8Array(4) as never)).toThrow(TypeError);
		expect(() => producer.send(rtpPacket({ payloadType: 111, ssrc: 1234, seq: 1 }))).not.toThrow();

		worker.close();

		expect(() => producer.send(rtpPacket({ payloadType: 111, ssrc: 1234, seq: 1 }))).toThrow(
			WorkerClosedError
		);
		expect(() => producer.send('foo' as never)).toThrow(TypeError);
	});

	test('close()', async () => {
		const onObserverClose = jest.fn();
		const onTransportClose = jest.fn();

		audioProducer.observer.on('close', onObserverClose);
		audioProducer.on('transportclose', onTransportClose);

		audioProducer.close();
		audioProducer.close();

		expect(audioProducer.closed).toBe(true);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(onTransportClose).not.toHaveBeenCalled();
		await expect(transport1.dump()).resolves.toMatchObject({ producerIds: [videoProducer.id] });
		expect(
			router.canConsume({
				producerId: audioProducer.id,
				rtpCapabilities: chromeDeviceRtpCapabilities(),
			})
		).toBe(false);

		// The id can be used again.
		const again = await produceAudio({ id: audioProducer.id });

		expect(again.id).toBe(audioProducer.id);
	});

	test('methods of a closed Producer reject NotFoundError, even with bad arguments', async () => {
		audioProducer.close();

		for (const call of [
			() => audioProducer.dump(),
			() => audioProducer.getStats(),
			() => audioProducer.pause(),
			() => audioProducer.resume(),
			() => audioProducer.enableTraceEvent(['rtp']),
		]) {
			await expect(call()).rejects.toBeInstanceOf(NotFoundError);
		}

		await expect(audioProducer.enableTraceEvent('rtp' as never)).rejects.toBeInstanceOf(
			NotFoundError
		);
	});

	test('transport.close() emits transportclose', async () => {
		const events: string[] = [];

		audioProducer.on('transportclose', () => events.push('transportclose'));
		audioProducer.observer.on('close', () => events.push('observer close'));

		transport1.close();

		expect(events).toEqual(['transportclose', 'observer close']);
		expect(audioProducer.closed).toBe(true);
		expect(videoProducer.closed).toBe(true);
		expect(
			router.canConsume({
				producerId: videoProducer.id,
				rtpCapabilities: chromeDeviceRtpCapabilities(),
			})
		).toBe(false);
		await expect(audioProducer.dump()).rejects.toBeInstanceOf(NotFoundError);
	});

	test('router.close() emits transportclose', async () => {
		const onTransportClose = jest.fn();
		const onObserverClose = jest.fn();

		audioProducer.on('transportclose', onTransportClose);
		audioProducer.observer.on('close', onObserverClose);

		router.close();

		expect(onTransportClose).toHaveBeenCalledTimes(1);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(audioProducer.closed).toBe(true);
		await expect(audioProducer.dump()).rejects.toBeInstanceOf(NotFoundError);
	});

	test('worker.close() emits transportclose; methods then reject WorkerClosedError', async () => {
		const onTransportClose = jest.fn();

		audioProducer.on('transportclose', onTransportClose);

		worker.close();

		expect(onTransportClose).toHaveBeenCalledTimes(1);
		expect(audioProducer.closed).toBe(true);
		await expect(audioProducer.dump()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(audioProducer.getStats()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(audioProducer.pause()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(audioProducer.resume()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(audioProducer.enableTraceEvent()).rejects.toBeInstanceOf(WorkerClosedError);
	});

	test('a throwing transportclose listener emits listenererror', async () => {
		const boom = new Error('boom');
		const onListenerError = jest.fn();
		const onObserverClose = jest.fn();

		audioProducer.on('transportclose', () => {
			throw boom;
		});
		audioProducer.on('listenererror', onListenerError);
		audioProducer.observer.on('close', onObserverClose);

		transport1.close();

		expect(onListenerError).toHaveBeenCalledWith('transportclose', boom);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
	});

	test('router.canConsume()', async () => {
		const caps = chromeDeviceRtpCapabilities();

		expect(router.canConsume({ producerId: audioProducer.id, rtpCapabilities: caps })).toBe(true);
		expect(router.canConsume({ producerId: videoProducer.id, rtpCapabilities: caps })).toBe(true);

		// Without VP8.
		const noVp8 = chromeDeviceRtpCapabilities();

		noVp8.codecs = noVp8.codecs!.filter(codec => codec.mimeType !== 'video/VP8');

		expect(router.canConsume({ producerId: videoProducer.id, rtpCapabilities: noVp8 })).toBe(false);
		expect(router.canConsume({ producerId: audioProducer.id, rtpCapabilities: noVp8 })).toBe(true);

		// Invalid capabilities never throw.
		expect(
			router.canConsume({
				producerId: audioProducer.id,
				rtpCapabilities: { codecs: 'foo' } as never,
			})
		).toBe(false);
		expect(router.canConsume({ producerId: 'unknown', rtpCapabilities: caps })).toBe(false);

		// Any transport of the Router can consume it; another Router cannot.
		const router2 = await worker.createRouter({ mediaCodecs: routerMediaCodecs() });

		expect(router2.canConsume({ producerId: audioProducer.id, rtpCapabilities: caps })).toBe(false);

		// The given capabilities are not modified.
		const given = chromeDeviceRtpCapabilities();
		const snapshot = JSON.parse(JSON.stringify(given));

		router.canConsume({ producerId: audioProducer.id, rtpCapabilities: given });

		expect(given).toEqual(snapshot);
	});

	test('a Producer id is reachable from every transport of its Router only', async () => {
		const caps = chromeDeviceRtpCapabilities();
		const consumer = await transport2.consume({
			producerId: audioProducer.id,
			rtpCapabilities: caps,
		});

		expect(consumer.producerId).toBe(audioProducer.id);

		const router2 = await worker.createRouter({ mediaCodecs: routerMediaCodecs() });
		const transport3 = await router2.createWebRtcTransport({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		});

		await expect(
			transport3.consume({ producerId: audioProducer.id, rtpCapabilities: caps })
		).rejects.toBeInstanceOf(NotFoundError);
	});

	test('observer close after the consumers learn about it (producerclose)', async () => {
		const consumer = await transport2.consume({
			producerId: audioProducer.id,
			rtpCapabilities: chromeDeviceRtpCapabilities(),
		});
		const producerClose = enhancedOnce(consumer, 'producerclose');

		audioProducer.close();

		await producerClose;

		expect(consumer.closed).toBe(true);
	});
});
