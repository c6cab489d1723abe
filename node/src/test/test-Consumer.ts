import * as dgram from 'node:dgram';
import * as flatbuffers from 'flatbuffers';
import * as mediasoup from '../';
import { ConsumerImpl } from '../Consumer';
import type { EnhancedEventEmitter as EnhancedEventEmitterType } from '../enhancedEvents';
import type { Worker } from '../WorkerTypes';
import type { Router } from '../RouterTypes';
import type { WebRtcTransport } from '../WebRtcTransportTypes';
import type { Producer } from '../ProducerTypes';
import type { Consumer, ConsumerOptions } from '../ConsumerTypes';
import type { PipeConsumerOptions } from '../PipeTransportTypes';
import type { RtpCapabilities, RtpParameters } from '../rtpParametersTypes';
import { chromeDeviceRtpCapabilities, routerMediaCodecs } from './fixtures/browserRtpCapabilities';
import {
	chromeOpusProducerRtpParameters,
	chromeVp8SimulcastProducerRtpParameters,
	chromeVp9SvcProducerRtpParameters,
} from './fixtures/browserRtpParameters';
import { Notification } from '../fbs/notification/notification';
import { Event } from '../fbs/notification/event';
import { Body as NotificationBody } from '../fbs/notification/body';
import { ConsumerScore as FbsConsumerScore } from '../fbs/consumer/consumer-score';
import { ScoreNotification as FbsScoreNotification } from '../fbs/consumer/score-notification';
import { expectUnawaitedPauseResumeInCallOrder, recordPauseEvents } from './helpers/pauseResume';

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
				uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
				id: 3,
				encrypt: false,
				parameters: {},
			},
		],
		encodings: [{ ssrc: 1939254721, rtx: { ssrc: 2018479431 }, dtx: false }],
		rtcp: { cname: 'wnN/hhN0LqEyvXOt', reducedSize: true },
	};
}

const workers = new Set<Worker>();
const sockets = new Set<dgram.Socket>();
let worker: Worker;
let router: Router;
let transport1: WebRtcTransport;
let transport2: WebRtcTransport;
let audioProducer: Producer;
let videoProducer: Producer;
let simulcastProducer: Producer;
let deviceCapabilities: RtpCapabilities;

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
	audioProducer = await transport1.produce({
		kind: 'audio',
		rtpParameters: chromeOpusProducerRtpParameters(),
		appData: { foo: 1 },
	});
	videoProducer = await transport1.produce({
		kind: 'video',
		rtpParameters: chromeVp8ProducerRtpParameters(),
	});

	const simulcastParameters = chromeVp8SimulcastProducerRtpParameters();

	simulcastParameters.mid = '2';

	simulcastProducer = await transport1.produce({
		kind: 'video',
		rtpParameters: simulcastParameters,
	});
	deviceCapabilities = chromeDeviceRtpCapabilities();
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

/**
 * Resolves when the emitter emits the event, rejects after a while.
 */
async function nextEvent<E extends Record<string, unknown[]>>(
	emitter: EnhancedEventEmitterType<E>,
	eventName: keyof E & string,
	timeoutMs = 3000
): Promise<unknown[]> {
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), timeoutMs);

	try {
		return await enhancedOnce(emitter, eventName, { signal: controller.signal });
	} catch {
		throw new Error(`no "${eventName}" event in ${timeoutMs} ms`);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * A notification as the worker sends it (with a score body for
 * CONSUMER_SCORE).
 */
function consumerNotification(
	consumerId: string,
	event: Event,
	score?: { score: number; producerScore: number; producerScores: number[] }
): Notification {
	const builder = new flatbuffers.Builder(256);
	let bodyOffset = 0;

	if (score) {
		const producerScoresOffset = FbsConsumerScore.createProducerScoresVector(
			builder,
			score.producerScores
		);
		const scoreOffset = FbsConsumerScore.createConsumerScore(
			builder,
			score.score,
			score.producerScore,
			producerScoresOffset
		);

		bodyOffset = FbsScoreNotification.createScoreNotification(builder, scoreOffset);
	}

	const handlerIdOffset = builder.createString(consumerId);

	builder.finish(
		Notification.createNotification(
			builder,
			handlerIdOffset,
			event,
			score ? NotificationBody.Consumer_ScoreNotification : NotificationBody.NONE,
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

async function consumeAudio(
	options: Partial<ConsumerOptions> = {},
	transport: WebRtcTransport = transport2
): Promise<Consumer> {
	return transport.consume({
		producerId: audioProducer.id,
		rtpCapabilities: deviceCapabilities,
		...options,
	});
}

describe('transport.consume()', () => {
	test('audio succeeds', async () => {
		const onNewConsumer = jest.fn();

		transport2.observer.once('newconsumer', onNewConsumer);

		const consumer = await transport2.consume<{ baz: string }>({
			producerId: audioProducer.id,
			rtpCapabilities: deviceCapabilities,
			appData: { baz: 'LOL' },
		});

		expect(onNewConsumer).toHaveBeenCalledTimes(1);
		expect(onNewConsumer).toHaveBeenCalledWith(consumer);
		expect(consumer).toBeInstanceOf(ConsumerImpl);
		expect(consumer.observer).toBeInstanceOf(EnhancedEventEmitter);
		expect(consumer.id).toMatch(UUID_V4);
		expect(consumer.producerId).toBe(audioProducer.id);
		expect(consumer.closed).toBe(false);
		expect(consumer.kind).toBe('audio');
		expect(consumer.type).toBe('simple');
		expect(consumer.paused).toBe(false);
		expect(consumer.producerPaused).toBe(false);
		expect(consumer.priority).toBe(1);
		expect(consumer.score).toEqual({ score: 10, producerScore: 0, producerScores: [0] });
		expect(consumer.preferredLayers).toBeUndefined();
		expect(consumer.currentLayers).toBeUndefined();
		expect(consumer.appData).toEqual({ baz: 'LOL' });

		const { rtpParameters } = consumer;

		expect(rtpParameters).toEqual({
			mid: '0',
			codecs: [
				{
					mimeType: 'audio/opus',
					payloadType: 100,
					clockRate: 48000,
					channels: 2,
					parameters: { minptime: 10, useinbandfec: 1, usedtx: 1 },
					// No transport-cc: the Router does not send transport-wide-cc for
					// audio; no nack: RTX is off for audio by default.
					rtcpFeedback: [],
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
			],
			encodings: [{ ssrc: expect.any(Number) }],
			rtcp: { cname: 'Ks3Q0tJbE+Ysk2nq', reducedSize: true },
			msid: chromeOpusProducerRtpParameters().msid,
		});

		await expect(transport2.dump()).resolves.toMatchObject({ consumerIds: [consumer.id] });
		await expect(transport1.dump()).resolves.toMatchObject({ consumerIds: [] });
	});

	test('video succeeds (RTX enabled by default)', async () => {
		const consumer = await transport2.consume({
			producerId: videoProducer.id,
			rtpCapabilities: deviceCapabilities,
			paused: true,
		});

		expect(consumer.kind).toBe('video');
		expect(consumer.type).toBe('simple');
		expect(consumer.paused).toBe(true);
		expect(consumer.producerPaused).toBe(false);
		expect(consumer.score).toEqual({ score: 10, producerScore: 0, producerScores: [0] });
		expect(consumer.preferredLayers).toBeUndefined();

		const { rtpParameters } = consumer;

		expect(rtpParameters.mid).toBe('0');
		expect(rtpParameters.codecs).toEqual([
			{
				mimeType: 'video/VP8',
				payloadType: 102,
				clockRate: 90000,
				parameters: {},
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
		]);

		const [encoding] = rtpParameters.encodings!;

		expect(rtpParameters.encodings).toEqual([
			{ ssrc: encoding.ssrc, rtx: { ssrc: encoding.ssrc! + 1 } },
		]);
	});

	test('video with enableRtx false has no RTX nor plain NACK', async () => {
		const consumer = await transport2.consume({
			producerId: videoProducer.id,
			rtpCapabilities: deviceCapabilities,
			enableRtx: false,
		});
		const { codecs, encodings } = consumer.rtpParameters;

		expect(codecs.map(codec => codec.mimeType)).toEqual(['video/VP8']);
		expect(codecs[0].rtcpFeedback).toEqual([
			{ type: 'nack', parameter: 'pli' },
			{ type: 'ccm', parameter: 'fir' },
			{ type: 'transport-cc', parameter: '' },
		]);
		expect(encodings![0].rtx).toBeUndefined();
	});

	test('audio with enableRtx true keeps NACK if the endpoint supports it', async () => {
		deviceCapabilities.codecs!.find(codec => codec.mimeType === 'audio/opus')!.rtcpFeedback = [
			{ type: 'nack' },
			{ type: 'transport-cc' },
		];

		const consumer = await consumeAudio({ enableRtx: true });

		expect(consumer.rtpParameters.codecs[0].rtcpFeedback).toEqual([
			{ type: 'nack', parameter: '' },
		]);

		const consumer2 = await consumeAudio();

		expect(consumer2.rtpParameters.codecs[0].rtcpFeedback).toEqual([]);
	});

	test('simulcast succeeds; preferredLayers are clamped by the worker', async () => {
		const consumer = await transport2.consume({
			producerId: simulcastProducer.id,
			rtpCapabilities: deviceCapabilities,
			preferredLayers: { spatialLayer: 12 },
		});

		expect(consumer.type).toBe('simulcast');
		expect(consumer.rtpParameters.encodings).toEqual([
			{
				ssrc: expect.any(Number),
				rtx: { ssrc: consumer.rtpParameters.encodings![0].ssrc! + 1 },
				scalabilityMode: 'L3T3',
				maxBitrate: 900000,
			},
		]);
		expect(consumer.preferredLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
		expect(consumer.score).toEqual({ score: 10, producerScore: 0, producerScores: [0, 0, 0] });

		const consumer2 = await transport2.consume({
			producerId: simulcastProducer.id,
			rtpCapabilities: deviceCapabilities,
			preferredLayers: { spatialLayer: 1, temporalLayer: 0 },
		});

		expect(consumer2.preferredLayers).toEqual({ spatialLayer: 1, temporalLayer: 0 });

		const consumer3 = await transport2.consume({
			producerId: simulcastProducer.id,
			rtpCapabilities: deviceCapabilities,
		});

		expect(consumer3.preferredLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
	});

	test('of an SVC Producer is svc', async () => {
		const svcProducer = await transport1.produce({
			kind: 'video',
			rtpParameters: chromeVp9SvcProducerRtpParameters(),
		});
		const consumer = await transport2.consume({
			producerId: svcProducer.id,
			rtpCapabilities: deviceCapabilities,
		});

		expect(consumer.type).toBe('svc');
		expect(consumer.rtpParameters.codecs[0]).toMatchObject({
			mimeType: 'video/VP9',
			payloadType: 104,
			parameters: { 'profile-id': 2 },
		});
		expect(consumer.rtpParameters.encodings).toEqual([
			{
				ssrc: expect.any(Number),
				rtx: { ssrc: consumer.rtpParameters.encodings![0].ssrc! + 1 },
				scalabilityMode: 'L3T3_KEY',
				maxBitrate: 1500000,
			},
		]);
		expect(consumer.preferredLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
	});

	test('MIDs come from a per transport counter unless given', async () => {
		const consumer1 = await consumeAudio();
		const consumer2 = await consumeAudio({ mid: 'my-mid' });
		const consumer3 = await transport2.consume({
			producerId: videoProducer.id,
			rtpCapabilities: deviceCapabilities,
		});
		const consumer4 = await consumeAudio({ pipe: true });
		const consumer5 = await consumeAudio();
		const otherTransportConsumer = await consumeAudio({}, transport1);

		expect(consumer1.rtpParameters.mid).toBe('0');
		expect(consumer2.rtpParameters.mid).toBe('my-mid');
		expect(consumer3.rtpParameters.mid).toBe('1');
		expect(consumer4.rtpParameters.mid).toBeUndefined();
		expect(consumer5.rtpParameters.mid).toBe('2');
		expect(otherTransportConsumer.rtpParameters.mid).toBe('0');
	});

	test('with pipe true consumes every stream without MID', async () => {
		const consumer = await transport2.consume({
			producerId: simulcastProducer.id,
			rtpCapabilities: deviceCapabilities,
			pipe: true,
		});

		expect(consumer.type).toBe('pipe');
		expect(consumer.rtpParameters.mid).toBeUndefined();

		const encodings = consumer.rtpParameters.encodings!;
		const ssrc = encodings[0].ssrc!;
		const rtxSsrc = encodings[0].rtx!.ssrc;

		expect(encodings).toEqual([
			{
				ssrc,
				rtx: { ssrc: rtxSsrc },
				scalabilityMode: 'L1T3',
				maxBitrate: 100000,
				dtx: false,
			},
			{
				ssrc: ssrc + 1,
				rtx: { ssrc: rtxSsrc + 1 },
				scalabilityMode: 'L1T3',
				maxBitrate: 300000,
				dtx: false,
			},
			{
				ssrc: ssrc + 2,
				rtx: { ssrc: rtxSsrc + 2 },
				scalabilityMode: 'L1T3',
				maxBitrate: 900000,
				dtx: false,
			},
		]);
	});

	test('does not modify the given capabilities; getters return clones', async () => {
		const snapshot = JSON.parse(JSON.stringify(deviceCapabilities));
		const consumer = await consumeAudio();

		expect(deviceCapabilities).toEqual(snapshot);

		const rtpParameters = consumer.rtpParameters;

		expect(consumer.rtpParameters).not.toBe(rtpParameters);

		rtpParameters.codecs.length = 0;

		expect(consumer.rtpParameters.codecs).toHaveLength(1);

		const score = consumer.score;

		score.producerScores.push(5);

		expect(consumer.score.producerScores).toEqual([0]);
	});

	test('of a paused Producer starts with producerPaused', async () => {
		await audioProducer.pause();

		const consumer = await consumeAudio();

		expect(consumer.paused).toBe(false);
		expect(consumer.producerPaused).toBe(true);
		await expect(consumer.dump()).resolves.toMatchObject({ paused: false, producerPaused: true });
	});

	test('on a PlainTransport and a DirectTransport succeeds', async () => {
		const plainTransport = await router.createPlainTransport({ listenIp: '127.0.0.1' });
		const directTransport = await router.createDirectTransport();

		for (const transport of [plainTransport, directTransport]) {
			const consumer = await transport.consume({
				producerId: audioProducer.id,
				rtpCapabilities: deviceCapabilities,
			});

			expect(consumer.type).toBe('simple');
			expect(consumer.rtpParameters.mid).toBe('0');
			await expect(transport.dump()).resolves.toMatchObject({ consumerIds: [consumer.id] });
		}
	});

	test('the same transport can consume its own Producers', async () => {
		const consumer = await consumeAudio({}, transport1);

		expect(consumer.producerId).toBe(audioProducer.id);
	});

	test.each<[string, () => unknown]>([
		['no options', () => undefined],
		['no producerId', () => ({ rtpCapabilities: deviceCapabilities })],
		['a non string producerId', () => ({ producerId: 123, rtpCapabilities: deviceCapabilities })],
		[
			'a bad appData',
			() => ({
				producerId: audioProducer.id,
				rtpCapabilities: deviceCapabilities,
				appData: 'NOT-AN-OBJECT',
			}),
		],
		[
			'an empty mid',
			() => ({ producerId: audioProducer.id, rtpCapabilities: deviceCapabilities, mid: '' }),
		],
		[
			'a numeric mid',
			() => ({ producerId: audioProducer.id, rtpCapabilities: deviceCapabilities, mid: 1 }),
		],
		['no rtpCapabilities', () => ({ producerId: audioProducer.id })],
		[
			'rtpCapabilities with non array codecs',
			() => ({ producerId: audioProducer.id, rtpCapabilities: { codecs: 'opus' } }),
		],
		[
			'rtpCapabilities with a bad codec',
			() => ({
				producerId: audioProducer.id,
				rtpCapabilities: { codecs: [{ mimeType: 'opus', clockRate: 48000 }] },
			}),
		],
		[
			'a non boolean paused',
			() => ({ producerId: audioProducer.id, rtpCapabilities: deviceCapabilities, paused: 1 }),
		],
		[
			'a non boolean pipe',
			() => ({ producerId: audioProducer.id, rtpCapabilities: deviceCapabilities, pipe: 'yes' }),
		],
		[
			'preferredLayers without spatialLayer',
			() => ({
				producerId: simulcastProducer.id,
				rtpCapabilities: deviceCapabilities,
				preferredLayers: { temporalLayer: 1 },
			}),
		],
		[
			'a non numeric preferredLayers.temporalLayer',
			() => ({
				producerId: simulcastProducer.id,
				rtpCapabilities: deviceCapabilities,
				preferredLayers: { spatialLayer: 1, temporalLayer: '1' },
			}),
		],
	])('with %s rejects TypeError', async (_name, options) => {
		const onNewConsumer = jest.fn();

		transport2.observer.on('newconsumer', onNewConsumer);

		const error = await rejection(transport2.consume(options() as ConsumerOptions));

		expect(error).toBeInstanceOf(TypeError);
		expect(onNewConsumer).not.toHaveBeenCalled();
		await expect(transport2.dump()).resolves.toMatchObject({ consumerIds: [] });
	});

	test('with an unknown Producer rejects NotFoundError', async () => {
		await expect(
			transport2.consume({ producerId: 'unknown', rtpCapabilities: deviceCapabilities })
		).rejects.toBeInstanceOf(NotFoundError);

		audioProducer.close();

		await expect(consumeAudio()).rejects.toBeInstanceOf(NotFoundError);
	});

	test('with capabilities that do not match rejects UnsupportedError', async () => {
		const pcmaOnly: RtpCapabilities = {
			codecs: [{ kind: 'audio', mimeType: 'audio/PCMA', preferredPayloadType: 8, clockRate: 8000 }],
		};
		const noVp8 = chromeDeviceRtpCapabilities();

		noVp8.codecs = noVp8.codecs!.filter(codec => codec.mimeType !== 'video/VP8');

		await expect(consumeAudio({ rtpCapabilities: pcmaOnly })).rejects.toBeInstanceOf(
			UnsupportedError
		);
		await expect(
			transport2.consume({ producerId: videoProducer.id, rtpCapabilities: noVp8 })
		).rejects.toBeInstanceOf(UnsupportedError);
		await expect(
			transport2.consume({ producerId: videoProducer.id, rtpCapabilities: {} })
		).rejects.toBeInstanceOf(UnsupportedError);
		await expect(transport2.dump()).resolves.toMatchObject({ consumerIds: [] });
	});

	test('on a closed transport rejects NotFoundError, even with bad options', async () => {
		transport2.close();

		await expect(consumeAudio()).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport2.consume({} as ConsumerOptions)).rejects.toBeInstanceOf(NotFoundError);
	});

	test('after the worker closed rejects WorkerClosedError', async () => {
		worker.close();

		await expect(consumeAudio()).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('PipeTransport.consume()', () => {
	test('consumes every stream with pipe parameters', async () => {
		const pipeTransport = await router.createPipeTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		});
		const onNewConsumer = jest.fn();

		pipeTransport.observer.once('newconsumer', onNewConsumer);

		const consumer = await pipeTransport.consume({
			producerId: simulcastProducer.id,
			appData: { foo: 'bar' },
		});

		expect(onNewConsumer).toHaveBeenCalledWith(consumer);
		expect(consumer.type).toBe('pipe');
		expect(consumer.kind).toBe('video');
		expect(consumer.paused).toBe(false);
		expect(consumer.producerPaused).toBe(false);
		// One (still 0) score per Producer stream.
		expect(consumer.score).toEqual({ score: 10, producerScore: 10, producerScores: [0, 0, 0] });
		expect(consumer.preferredLayers).toBeUndefined();
		expect(consumer.appData).toEqual({ foo: 'bar' });

		const { rtpParameters } = consumer;

		expect(rtpParameters.mid).toBeUndefined();
		// No RTX (the PipeTransport has it disabled) and only PLI/FIR feedback.
		expect(rtpParameters.codecs).toEqual([
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
		]);
		expect(rtpParameters.headerExtensions!.map(ext => [ext.id, ext.uri])).toEqual([
			[
				7,
				'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
			],
			[8, 'urn:3gpp:video-orientation'],
			[9, 'urn:ietf:params:rtp-hdrext:toffset'],
			[11, 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay'],
			[12, 'urn:mediasoup:params:rtp-hdrext:packet-id'],
		]);

		const encodings = rtpParameters.encodings!;

		expect(encodings).toHaveLength(3);
		expect(encodings.map(encoding => encoding.ssrc! - encodings[0].ssrc!)).toEqual([0, 1, 2]);
		expect(encodings.every(encoding => encoding.rtx === undefined)).toBe(true);
		expect(rtpParameters.rtcp).toEqual(simulcastProducer.consumableRtpParameters.rtcp);

		await expect(pipeTransport.dump()).resolves.toMatchObject({ consumerIds: [consumer.id] });
	});

	test('with enableRtx in the PipeTransport includes RTX', async () => {
		const pipeTransport = await router.createPipeTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			enableRtx: true,
		});
		const consumer = await pipeTransport.consume({ producerId: videoProducer.id });
		const { codecs, encodings } = consumer.rtpParameters;

		expect(codecs.map(codec => codec.mimeType)).toEqual(['video/VP8', 'video/rtx']);
		expect(codecs[0].rtcpFeedback).toEqual([
			{ type: 'nack', parameter: '' },
			{ type: 'nack', parameter: 'pli' },
			{ type: 'ccm', parameter: 'fir' },
		]);
		expect(encodings![0].rtx).toEqual({ ssrc: expect.any(Number) });
	});

	test('of a paused Producer starts with producerPaused', async () => {
		const pipeTransport = await router.createPipeTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		});

		await audioProducer.pause();

		const consumer = await pipeTransport.consume({ producerId: audioProducer.id });

		expect(consumer.producerPaused).toBe(true);
	});

	test('checks its options', async () => {
		const pipeTransport = await router.createPipeTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		});

		for (const options of [
			undefined,
			{},
			{ producerId: 123 },
			{ producerId: audioProducer.id, appData: 'NOT-AN-OBJECT' },
		]) {
			await expect(
				pipeTransport.consume(options as unknown as PipeConsumerOptions)
			).rejects.toBeInstanceOf(TypeError);
		}

		await expect(pipeTransport.consume({ producerId: 'unknown' })).rejects.toBeInstanceOf(
			NotFoundError
		);

		pipeTransport.close();

		await expect(pipeTransport.consume({ producerId: audioProducer.id })).rejects.toBeInstanceOf(
			NotFoundError
		);
	});
});

describe('Consumer', () => {
	let audioConsumer: Consumer;
	let videoConsumer: Consumer;

	beforeEach(async () => {
		audioConsumer = await consumeAudio({ appData: { baz: 'LOL' } });
		videoConsumer = await transport2.consume({
			producerId: simulcastProducer.id,
			rtpCapabilities: deviceCapabilities,
			paused: true,
		});
	});

	test('appData can be replaced', () => {
		const appData = { qux: 2 };

		audioConsumer.appData = appData;

		expect(audioConsumer.appData).toBe(appData);
	});

	test('dump()', async () => {
		const dump = await audioConsumer.dump();

		expect(dump).toMatchObject({
			id: audioConsumer.id,
			producerId: audioProducer.id,
			kind: 'audio',
			type: 'simple',
			consumableRtpEncodings: audioProducer.consumableRtpParameters.encodings,
			supportedCodecPayloadTypes: [100],
			traceEventTypes: [],
			paused: false,
			producerPaused: false,
			priority: 1,
		});
		// The worker's view: each encoding names the codec it uses; the getter
		// keeps the parameters consume() returned.
		expect(dump.rtpParameters).toEqual({
			...audioConsumer.rtpParameters,
			encodings: [{ ssrc: audioConsumer.rtpParameters.encodings![0].ssrc, codecPayloadType: 100 }],
		});
		expect(audioConsumer.rtpParameters.encodings![0].codecPayloadType).toBeUndefined();

		const videoDump = await videoConsumer.dump();

		expect(videoDump).toMatchObject({
			id: videoConsumer.id,
			producerId: simulcastProducer.id,
			kind: 'video',
			type: 'simulcast',
			consumableRtpEncodings: simulcastProducer.consumableRtpParameters.encodings,
			supportedCodecPayloadTypes: [102],
			paused: true,
			producerPaused: false,
		});
		expect(videoDump.rtpParameters).toEqual({
			...videoConsumer.rtpParameters,
			encodings: [{ ...videoConsumer.rtpParameters.encodings![0], codecPayloadType: 102 }],
		});
	});

	test('getStats() reports the send stream before anything was sent', async () => {
		const zeroCounters = {
			packetsLost: 0,
			fractionLost: 0,
			packetsDiscarded: 0,
			packetsRetransmitted: 0,
			nackCount: 0,
			nackPacketCount: 0,
			pliCount: 0,
			firCount: 0,
			packetCount: 0,
			byteCount: 0,
			bitrate: 0,
			retransmissionsSuppressed: 0,
			retransmissionsOverBudget: 0,
		};
		const audioStats = await audioConsumer.getStats();

		expect(audioStats).toEqual([
			{
				type: 'outbound-rtp',
				timestamp: expect.any(Number),
				kind: 'audio',
				mimeType: 'audio/opus',
				ssrc: audioConsumer.rtpParameters.encodings![0].ssrc,
				jitter: 0,
				packetsRepaired: 0,
				score: 10,
				...zeroCounters,
			},
		]);

		// Simulcast (here paused): one stream, with its RTX SSRC.
		const [encoding] = videoConsumer.rtpParameters.encodings!;

		await expect(videoConsumer.getStats()).resolves.toEqual([
			{
				type: 'outbound-rtp',
				timestamp: expect.any(Number),
				kind: 'video',
				mimeType: 'video/VP8',
				ssrc: encoding.ssrc,
				rtxSsrc: encoding.rtx!.ssrc,
				jitter: 0,
				packetsRepaired: 0,
				score: 10,
				...zeroCounters,
			},
		]);

		const svcConsumer = await transport2.consume({
			producerId: (
				await transport1.produce({
					kind: 'video',
					rtpParameters: chromeVp9SvcProducerRtpParameters(),
				})
			).id,
			rtpCapabilities: deviceCapabilities,
		});

		expect(svcConsumer.type).toBe('svc');
		await expect(svcConsumer.getStats()).resolves.toMatchObject([
			{
				type: 'outbound-rtp',
				kind: 'video',
				mimeType: 'video/VP9',
				ssrc: svcConsumer.rtpParameters.encodings![0].ssrc,
				...zeroCounters,
			},
		]);
	});

	test('score notifications update score and emit score', () => {
		const consumer = videoConsumer as ConsumerImpl;
		const onScore = jest.fn();
		const onObserverScore = jest.fn();
		const score = { score: 7, producerScore: 9, producerScores: [0, 9, 10] };

		consumer.on('score', onScore);
		consumer.observer.on('score', onObserverScore);

		consumer.channelForTesting.emit(
			consumer.id,
			Event.CONSUMER_SCORE,
			consumerNotification(consumer.id, Event.CONSUMER_SCORE, score)
		);

		expect(onScore).toHaveBeenCalledTimes(1);
		expect(onScore).toHaveBeenCalledWith(score);
		expect(onObserverScore).toHaveBeenCalledWith(score);
		expect(consumer.score).toEqual(score);
	});

	test('repeated producerpause / producerresume notifications are deduplicated', () => {
		const consumer = audioConsumer as ConsumerImpl;
		const events: string[] = [];
		const emit = (event: Event): void => {
			consumer.channelForTesting.emit(consumer.id, event, consumerNotification(consumer.id, event));
		};

		consumer.on('producerpause', () => events.push('producerpause'));
		consumer.on('producerresume', () => events.push('producerresume'));
		consumer.observer.on('pause', () => events.push('observer pause'));
		consumer.observer.on('resume', () => events.push('observer resume'));

		emit(Event.CONSUMER_PRODUCER_RESUME);
		emit(Event.CONSUMER_PRODUCER_PAUSE);
		emit(Event.CONSUMER_PRODUCER_PAUSE);
		emit(Event.CONSUMER_PRODUCER_RESUME);
		emit(Event.CONSUMER_PRODUCER_RESUME);

		expect(events).toEqual([
			'producerpause',
			'observer pause',
			'producerresume',
			'observer resume',
		]);
	});

	test('pause() and resume()', async () => {
		const onPause = jest.fn();
		const onResume = jest.fn();

		audioConsumer.observer.on('pause', onPause);
		audioConsumer.observer.on('resume', onResume);

		await audioConsumer.pause();

		expect(audioConsumer.paused).toBe(true);
		await expect(audioConsumer.dump()).resolves.toMatchObject({ paused: true });

		await audioConsumer.pause();

		expect(onPause).toHaveBeenCalledTimes(1);

		await audioConsumer.resume();

		expect(audioConsumer.paused).toBe(false);
		await expect(audioConsumer.dump()).resolves.toMatchObject({ paused: false });

		await audioConsumer.resume();

		expect(onResume).toHaveBeenCalledTimes(1);
	});

	test('Producer pause and resume emit producerpause and producerresume', async () => {
		const events: string[] = [];

		audioConsumer.on('producerpause', () => events.push('producerpause'));
		audioConsumer.on('producerresume', () => events.push('producerresume'));
		audioConsumer.observer.on('pause', () => events.push('observer pause'));
		audioConsumer.observer.on('resume', () => events.push('observer resume'));

		let next = nextEvent(audioConsumer, 'producerpause');

		await audioProducer.pause();
		await next;

		expect(audioConsumer.producerPaused).toBe(true);
		expect(audioConsumer.paused).toBe(false);
		await expect(audioConsumer.dump()).resolves.toMatchObject({ producerPaused: true });

		// Paused by the app too: resuming the Producer does not resume it.
		await audioConsumer.pause();

		next = nextEvent(audioConsumer, 'producerresume');

		await audioProducer.resume();
		await next;

		expect(audioConsumer.producerPaused).toBe(false);

		await audioConsumer.resume();

		expect(events).toEqual([
			'producerpause',
			'observer pause',
			'producerresume',
			'observer resume',
		]);

		// Pausing an already paused Producer emits nothing more.
		next = nextEvent(audioConsumer, 'producerpause');

		await audioProducer.pause();
		await next;
		await audioProducer.pause();
		await sleep(50);

		expect(events.filter(event => event === 'producerpause')).toHaveLength(2);
	});

	test('consumer.resume() while its Producer is paused emits no observer resume', async () => {
		const onResume = jest.fn();

		videoConsumer.observer.on('resume', onResume);

		const next = nextEvent(videoConsumer, 'producerpause');

		await simulcastProducer.pause();
		await next;
		await videoConsumer.resume();

		expect(videoConsumer.paused).toBe(false);
		expect(onResume).not.toHaveBeenCalled();
	});

	test('pause() and resume() not awaited: one observer event per change, in call order', async () => {
		await expectUnawaitedPauseResumeInCallOrder(audioConsumer);
	});

	test('pause() and resume() not awaited while the Producer is paused emit no observer event', async () => {
		const events = recordPauseEvents(audioConsumer);
		let next = nextEvent(audioConsumer, 'producerpause');

		await audioProducer.pause();
		await next;

		expect(events).toEqual(['pause']);

		void audioConsumer.pause();
		void audioConsumer.resume();
		await audioConsumer.pause();

		expect(audioConsumer.paused).toBe(true);
		expect(events).toEqual(['pause']);

		next = nextEvent(audioConsumer, 'producerresume');

		// Still paused by the app.
		await audioProducer.resume();
		await next;

		expect(events).toEqual(['pause']);

		await audioConsumer.resume();

		expect(events).toEqual(['pause', 'resume']);
		await expect(audioConsumer.dump()).resolves.toMatchObject({
			paused: false,
			producerPaused: false,
		});
	});

	test('a pause() the worker refuses leaves paused as the worker has it', async () => {
		// The worker closes the Consumer with its Producer before it reads the
		// pause request.
		audioProducer.close();

		const error = await audioConsumer.pause().then(
			() => undefined,
			(rejection: Error) => rejection
		);

		expect(error).toBeInstanceOf(Error);
		expect(audioConsumer.paused).toBe(false);
	});

	test('setPriority() and unsetPriority()', async () => {
		await videoConsumer.setPriority(2);

		expect(videoConsumer.priority).toBe(2);
		await expect(videoConsumer.dump()).resolves.toMatchObject({ priority: 2 });

		await videoConsumer.unsetPriority();

		expect(videoConsumer.priority).toBe(1);
		await expect(videoConsumer.dump()).resolves.toMatchObject({ priority: 1 });
	});

	test.each<[string, unknown]>([
		['no priority', undefined],
		['a string', '2'],
		['a negative number', -1],
		['NaN', NaN],
		['a number over 255', 256],
	])('setPriority() with %s rejects TypeError', async (_name, priority) => {
		await expect(videoConsumer.setPriority(priority as number)).rejects.toBeInstanceOf(TypeError);
		expect(videoConsumer.priority).toBe(1);
	});

	test('requestKeyFrame() resolves', async () => {
		await expect(videoConsumer.requestKeyFrame()).resolves.toBeUndefined();
		await expect(audioConsumer.requestKeyFrame()).resolves.toBeUndefined();
	});

	test('setPreferredLayers() on a simple Consumer keeps preferredLayers undefined', async () => {
		await expect(audioConsumer.setPreferredLayers({ spatialLayer: 1 })).resolves.toBeUndefined();

		expect(audioConsumer.preferredLayers).toBeUndefined();
	});

	test('setPreferredLayers() on a simulcast Consumer sets them, clamped by the worker', async () => {
		await videoConsumer.setPreferredLayers({ spatialLayer: 1, temporalLayer: 1 });

		expect(videoConsumer.preferredLayers).toEqual({ spatialLayer: 1, temporalLayer: 1 });

		await videoConsumer.setPreferredLayers({ spatialLayer: 7 });

		expect(videoConsumer.preferredLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });

		await videoConsumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 9 });

		expect(videoConsumer.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });
	});

	test.each<[string, unknown]>([
		['no spatialLayer', {}],
		['a string spatialLayer', { spatialLayer: '1' }],
		['a string temporalLayer', { spatialLayer: 1, temporalLayer: '1' }],
	])('setPreferredLayers() with %s rejects TypeError', async (_name, layers) => {
		await expect(videoConsumer.setPreferredLayers(layers as never)).rejects.toBeInstanceOf(
			TypeError
		);

		// The closed check comes first (issue 10).
		videoConsumer.close();

		await expect(videoConsumer.setPreferredLayers(layers as never)).rejects.toBeInstanceOf(
			NotFoundError
		);
	});

	test('enableTraceEvent() records the known types', async () => {
		await audioConsumer.enableTraceEvent(['pli', 'rtp', 'sr' as never, 'keyframe']);
		await expect(audioConsumer.dump()).resolves.toMatchObject({
			traceEventTypes: ['rtp', 'keyframe', 'pli'],
		});

		await audioConsumer.enableTraceEvent([]);
		await expect(audioConsumer.dump()).resolves.toMatchObject({ traceEventTypes: [] });
	});

	test.each<[string, unknown]>([
		['a string', 'rtp'],
		['an array with a number', ['rtp', 123]],
		['null', null],
	])('enableTraceEvent() with %s rejects TypeError', async (_name, types) => {
		await expect(audioConsumer.enableTraceEvent(types as never)).rejects.toBeInstanceOf(TypeError);
	});

	test('close()', async () => {
		const onObserverClose = jest.fn();
		const onTransportClose = jest.fn();

		audioConsumer.observer.on('close', onObserverClose);
		audioConsumer.on('transportclose', onTransportClose);

		audioConsumer.close();
		audioConsumer.close();

		expect(audioConsumer.closed).toBe(true);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(onTransportClose).not.toHaveBeenCalled();
		await expect(transport2.dump()).resolves.toMatchObject({ consumerIds: [videoConsumer.id] });

		// The Producer is not affected.
		expect(audioProducer.closed).toBe(false);
	});

	test('methods of a closed Consumer reject NotFoundError, even with bad arguments', async () => {
		audioConsumer.close();

		for (const call of [
			() => audioConsumer.dump(),
			() => audioConsumer.getStats(),
			() => audioConsumer.pause(),
			() => audioConsumer.resume(),
			() => audioConsumer.setPreferredLayers({ spatialLayer: 0 }),
			() => audioConsumer.setPriority(2),
			() => audioConsumer.unsetPriority(),
			() => audioConsumer.requestKeyFrame(),
			() => audioConsumer.enableTraceEvent(['rtp']),
		]) {
			await expect(call()).rejects.toBeInstanceOf(NotFoundError);
		}

		await expect(audioConsumer.setPriority(-1)).rejects.toBeInstanceOf(NotFoundError);
	});

	test('producer.close() emits producerclose (asynchronously)', async () => {
		const events: string[] = [];

		audioConsumer.on('producerclose', () => events.push('producerclose'));
		audioConsumer.observer.on('close', () => events.push('observer close'));

		const next = nextEvent(audioConsumer, 'producerclose');

		audioProducer.close();

		expect(audioConsumer.closed).toBe(false);

		await next;

		expect(events).toEqual(['producerclose', 'observer close']);
		expect(audioConsumer.closed).toBe(true);
		await expect(audioConsumer.dump()).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport2.dump()).resolves.toMatchObject({ consumerIds: [videoConsumer.id] });
	});

	test('closing the Producer transport emits producerclose', async () => {
		const onTransportClose = jest.fn();
		const next = nextEvent(audioConsumer, 'producerclose');
		const nextVideo = nextEvent(videoConsumer, 'producerclose');

		audioConsumer.on('transportclose', onTransportClose);

		transport1.close();

		await next;
		await nextVideo;

		expect(audioConsumer.closed).toBe(true);
		expect(videoConsumer.closed).toBe(true);
		expect(onTransportClose).not.toHaveBeenCalled();
		await expect(transport2.dump()).resolves.toMatchObject({ consumerIds: [] });
	});

	test('Consumers on the Producer transport get transportclose, not producerclose', async () => {
		const consumer = await consumeAudio({}, transport1);
		const events: string[] = [];

		consumer.on('transportclose', () => events.push('transportclose'));
		consumer.on('producerclose', () => events.push('producerclose'));
		consumer.observer.on('close', () => events.push('observer close'));

		transport1.close();
		await sleep(50);

		expect(events).toEqual(['transportclose', 'observer close']);
	});

	test('transport.close() emits transportclose', async () => {
		const events: string[] = [];

		audioConsumer.on('transportclose', () => events.push('transportclose'));
		audioConsumer.on('producerclose', () => events.push('producerclose'));
		audioConsumer.observer.on('close', () => events.push('observer close'));

		transport2.close();

		expect(events).toEqual(['transportclose', 'observer close']);
		expect(audioConsumer.closed).toBe(true);
		expect(videoConsumer.closed).toBe(true);
		expect(audioProducer.closed).toBe(false);

		// The Producer can still be consumed.
		const consumer = await consumeAudio({}, transport1);

		expect(consumer.closed).toBe(false);
		await sleep(50);

		expect(events).toEqual(['transportclose', 'observer close']);
	});

	test('router.close() emits transportclose', async () => {
		const onTransportClose = jest.fn();
		const onProducerClose = jest.fn();

		audioConsumer.on('transportclose', onTransportClose);
		audioConsumer.on('producerclose', onProducerClose);

		router.close();

		expect(onTransportClose).toHaveBeenCalledTimes(1);
		expect(audioConsumer.closed).toBe(true);
		await expect(audioConsumer.dump()).rejects.toBeInstanceOf(NotFoundError);
		await sleep(50);

		expect(onProducerClose).not.toHaveBeenCalled();
	});

	test('worker.close() emits transportclose; methods then reject WorkerClosedError', async () => {
		const onTransportClose = jest.fn();

		audioConsumer.on('transportclose', onTransportClose);

		worker.close();

		expect(onTransportClose).toHaveBeenCalledTimes(1);
		expect(audioConsumer.closed).toBe(true);

		for (const call of [
			() => audioConsumer.dump(),
			() => audioConsumer.getStats(),
			() => audioConsumer.pause(),
			() => audioConsumer.resume(),
			() => audioConsumer.setPriority(2),
			() => audioConsumer.requestKeyFrame(),
			() => audioConsumer.enableTraceEvent([]),
		]) {
			await expect(call()).rejects.toBeInstanceOf(WorkerClosedError);
		}
	});

	test('a throwing producerclose listener emits listenererror', async () => {
		const boom = new Error('boom');
		const onListenerError = jest.fn();
		const next = nextEvent(audioConsumer.observer, 'close');

		audioConsumer.on('producerclose', () => {
			throw boom;
		});
		audioConsumer.on('listenererror', onListenerError);

		audioProducer.close();

		await next;

		expect(onListenerError).toHaveBeenCalledWith('producerclose', boom);
	});

	test('forwards RTP from a PlainTransport Producer to a PlainTransport Consumer', async () => {
		const sendTransport = await router.createPlainTransport({
			listenIp: '127.0.0.1',
			comedia: true,
		});
		const recvTransport = await router.createPlainTransport({ listenIp: '127.0.0.1' });
		const producer = await sendTransport.produce({
			kind: 'audio',
			rtpParameters: {
				codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
				encodings: [{ ssrc: 22222222 }],
			},
		});
		const sender = await createSocket();
		const receiver = await createSocket();

		await recvTransport.connect({ ip: '127.0.0.1', port: receiver.address().port });

		const consumer = await recvTransport.consume({
			producerId: producer.id,
			rtpCapabilities: deviceCapabilities,
		});
		const received: Buffer[] = [];

		receiver.on('message', (message: Buffer) => {
			// RTP only (RTCP packet types are 192..223).
			if (message.length >= 12 && (message[1] < 192 || message[1] > 223)) {
				received.push(message);
			}
		});

		for (let seq = 1; seq <= 5; ++seq) {
			const packet = Buffer.alloc(12 + 40, 0xab);

			packet[0] = 0x80;
			packet[1] = 111;
			packet.writeUInt16BE(seq, 2);
			packet.writeUInt32BE(seq * 960, 4);
			packet.writeUInt32BE(22222222, 8);

			sender.send(packet, sendTransport.tuple.localPort, '127.0.0.1');
			await sleep(10);
		}

		const start = Date.now();

		while (received.length < 5 && Date.now() - start < 3000) {
			await sleep(20);
		}

		expect(received.length).toBeGreaterThanOrEqual(5);

		const [first] = received;

		expect(first[1] & 0x7f).toBe(100);
		expect(first.readUInt32BE(8)).toBe(consumer.rtpParameters.encodings![0].ssrc);
	});
});

describe('a new Consumer of a scored Producer', () => {
	test('starts with the Producer scores (simple, simulcast and pipe)', async () => {
		const videoRouter = await worker.createRouter({
			mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
		});
		const payloadType = videoRouter.rtpCapabilities.codecs![0].preferredPayloadType!;
		const rtpCapabilities = videoRouter.rtpCapabilities as RtpCapabilities;
		const ingress = await videoRouter.createDirectTransport();
		const egress = await videoRouter.createDirectTransport();
		const pipeTransport = await videoRouter.createPipeTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		});
		const codecs = [{ mimeType: 'video/VP8', payloadType, clockRate: 90000 }];
		const single = await ingress.produce({
			kind: 'video',
			rtpParameters: { codecs, encodings: [{ ssrc: 1000 }] },
		});
		// Only its first encoding sends.
		const simulcast = await ingress.produce({
			kind: 'video',
			rtpParameters: { codecs, encodings: [{ ssrc: 2000 }, { ssrc: 2001 }, { ssrc: 2002 }] },
		});
		const scoredTen = (producer: Producer): Promise<void> =>
			new Promise(resolve => {
				producer.on('score', scores => {
					if (scores.some(score => score.encodingIdx === 0 && score.score === 10)) {
						resolve();
					}
				});
			});
		const scored = Promise.all([scoredTen(single), scoredTen(simulcast)]);
		const packet = (seq: number, ssrc: number): Buffer => {
			const data = Buffer.alloc(12 + 20, 0x11);

			data[0] = 0x80;
			data[1] = payloadType;
			data.writeUInt16BE(seq, 2);
			data.writeUInt32BE(seq * 3000, 4);
			data.writeUInt32BE(ssrc, 8);

			return data;
		};
		let seq = 0;
		// Lossless, until the end: the scores stay 10 while consumers come.
		const sending = setInterval(() => {
			++seq;
			single.send(packet(seq, 1000));
			simulcast.send(packet(seq, 2000));
		}, 20);

		try {
			await scored;

			const simpleConsumer = await egress.consume({ producerId: single.id, rtpCapabilities });

			expect(simpleConsumer.score).toEqual({ score: 10, producerScore: 10, producerScores: [10] });

			const simulcastConsumer = await egress.consume({
				producerId: simulcast.id,
				rtpCapabilities,
			});

			expect(simulcastConsumer.type).toBe('simulcast');
			expect(simulcastConsumer.score).toEqual({
				score: 10,
				producerScore: 10,
				producerScores: [10, 0, 0],
			});

			const pipeConsumer = await pipeTransport.consume({ producerId: simulcast.id });

			expect(pipeConsumer.score).toEqual({
				score: 10,
				producerScore: 10,
				producerScores: [10, 0, 0],
			});
		} finally {
			clearInterval(sending);
		}
	});
});
