import * as flatbuffers from 'flatbuffers';
import * as mediasoup from '../';
import type {
	ActiveSpeakerObserver,
	ActiveSpeakerObserverDominantSpeaker,
	PlainTransport,
	Producer,
	Router,
	RouterRtpCodecCapability,
	RtpObserver,
	Worker,
} from '../types';
import { Event } from '../fbs/notification/event';
import { Body as NotificationBody } from '../fbs/notification/body';
import { Notification } from '../fbs/notification/notification';
import { DominantSpeakerNotification as FbsDominantSpeakerNotification } from '../fbs/active-speaker-observer/dominant-speaker-notification';
import type { ProducerImpl } from '../Producer';
import {
	AUDIO_LEVEL_EXTENSION_ID,
	AudioLevelSender,
	sleep,
	waitForEvent,
} from './helpers/audioLevelRtp';

const { EnhancedEventEmitter } = mediasoup.extras;
const { WorkerClosedError, NotFoundError } = mediasoup.errors;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const SSRC_A = 11111111;
const SSRC_B = 22222222;
// The worker's shortest interval: decisions come as fast as they can.
const INTERVAL = 100;
// RFC 6464 levels (-dBov).
const LOUD = 10;
const FAINT = 50;
const SILENT = 127;

let worker: Worker;
let router: Router;
let transport: PlainTransport;
let producerA: Producer;
let producerB: Producer;
let videoProducer: Producer;
let opusPayloadType: number;
const senders = new Set<AudioLevelSender>();

async function createAudioProducer(ssrc: number): Promise<Producer> {
	return transport.produce({
		kind: 'audio',
		rtpParameters: {
			codecs: [
				{ mimeType: 'audio/opus', payloadType: opusPayloadType, clockRate: 48000, channels: 2 },
			],
			headerExtensions: [
				{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: AUDIO_LEVEL_EXTENSION_ID },
			],
			encodings: [{ ssrc }],
		},
	});
}

/**
 * A DOMINANT_SPEAKER notification as the worker sends it.
 */
function dominantSpeakerNotification(rtpObserverId: string, producerId: string): Notification {
	const builder = new flatbuffers.Builder(256);
	const bodyOffset = FbsDominantSpeakerNotification.createDominantSpeakerNotification(
		builder,
		builder.createString(producerId)
	);
	const handlerIdOffset = builder.createString(rtpObserverId);

	builder.finish(
		Notification.createNotification(
			builder,
			handlerIdOffset,
			Event.ACTIVESPEAKEROBSERVER_DOMINANT_SPEAKER,
			NotificationBody.ActiveSpeakerObserver_DominantSpeakerNotification,
			bodyOffset
		)
	);

	return Notification.getRootAsNotification(new flatbuffers.ByteBuffer(builder.asUint8Array()));
}

/**
 * The next dominant speaker the observer announces.
 */
async function nextDominantSpeaker(observer: ActiveSpeakerObserver): Promise<Producer> {
	const [{ producer }] = await waitForEvent<[ActiveSpeakerObserverDominantSpeaker]>(
		observer,
		'dominantspeaker'
	);

	return producer;
}

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	router = await worker.createRouter({ mediaCodecs });
	opusPayloadType = router.rtpCapabilities.codecs!.find(
		c => c.mimeType === 'audio/opus'
	)!.preferredPayloadType!;
	transport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		comedia: true,
	});
	producerA = await createAudioProducer(SSRC_A);
	producerB = await createAudioProducer(SSRC_B);
	videoProducer = await transport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
			encodings: [{ ssrc: 33333333 }],
		},
	});
});

afterEach(() => {
	for (const sender of senders) {
		sender.close();
	}

	senders.clear();
	worker.close();
});

afterAll(async () => {
	// Let the last worker processes exit before Jest tears down.
	await sleep(50);
});

describe('router.createActiveSpeakerObserver()', () => {
	test('with no options uses the defaults and emits observer newrtpobserver first', async () => {
		const onNewRtpObserver = jest.fn();

		router.observer.on('newrtpobserver', onNewRtpObserver);

		const activeSpeakerObserver = await router.createActiveSpeakerObserver();

		expect(onNewRtpObserver).toHaveBeenCalledTimes(1);
		expect(onNewRtpObserver).toHaveBeenCalledWith(activeSpeakerObserver);
		expect(activeSpeakerObserver.id).toMatch(UUID_V4);
		expect(activeSpeakerObserver.closed).toBe(false);
		expect(activeSpeakerObserver.type).toBe('activespeaker');
		expect(activeSpeakerObserver.paused).toBe(false);
		expect(activeSpeakerObserver.appData).toEqual({});
		expect(activeSpeakerObserver.observer).toBeInstanceOf(EnhancedEventEmitter);
		expect(activeSpeakerObserver).toBeInstanceOf(EnhancedEventEmitter);

		const dump = await router.dump();

		expect(dump.rtpObserverIds).toEqual([activeSpeakerObserver.id]);
		expect(dump.mapProducerIdObserverIds).toEqual([]);
	});

	test('with every option', async () => {
		const activeSpeakerObserver = await router.createActiveSpeakerObserver({
			interval: 500,
			appData: { foo: 'bar' },
		});

		expect(activeSpeakerObserver.type).toBe('activespeaker');
		expect(activeSpeakerObserver.appData).toEqual({ foo: 'bar' });
	});

	test('takes intervals the worker clamps', async () => {
		for (const interval of [0, -5, 1.5, 99, 5001, 1e9, Infinity]) {
			const activeSpeakerObserver = await router.createActiveSpeakerObserver({ interval });

			expect(activeSpeakerObserver.closed).toBe(false);
		}

		expect((await router.dump()).rtpObserverIds).toHaveLength(7);
	});

	test.each<[string, unknown, RegExp]>([
		['options not an object', 'foo', /options/],
		['options an array', [], /options/],
		['interval a string', { interval: '300' }, /interval/],
		['interval NaN', { interval: NaN }, /interval/],
		['interval null', { interval: null }, /interval/],
		['interval a boolean', { interval: true }, /interval/],
		['appData not an object', { appData: 42 }, /appData/],
	])('with %s rejects TypeError naming the field', async (_name, options, field) => {
		const onNewRtpObserver = jest.fn();

		router.observer.on('newrtpobserver', onNewRtpObserver);

		let promise: Promise<unknown> | undefined;

		// It must reject, not throw synchronously.
		expect(() => {
			promise = router.createActiveSpeakerObserver(options as never);
		}).not.toThrow();
		await expect(promise).rejects.toBeInstanceOf(TypeError);
		await expect(promise).rejects.toThrow(field);
		expect(onNewRtpObserver).not.toHaveBeenCalled();
		expect((await router.dump()).rtpObserverIds).toEqual([]);
	});

	test('on a closed Router rejects NotFoundError, WorkerClosedError once the worker closed', async () => {
		router.close();

		await expect(router.createActiveSpeakerObserver()).rejects.toBeInstanceOf(NotFoundError);

		// Even with bad options: the closed check comes first (issue 10).
		await expect(
			router.createActiveSpeakerObserver({ interval: 'foo' as never })
		).rejects.toBeInstanceOf(NotFoundError);

		const router2 = await worker.createRouter({ mediaCodecs });

		worker.close();

		await expect(router.createActiveSpeakerObserver()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(router2.createActiveSpeakerObserver()).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('ActiveSpeakerObserver methods', () => {
	test('appData can be replaced', async () => {
		const activeSpeakerObserver = await router.createActiveSpeakerObserver<{
			a?: number;
			b?: number;
		}>({ appData: { a: 1 } });

		activeSpeakerObserver.appData = { b: 2 };

		expect(activeSpeakerObserver.appData).toEqual({ b: 2 });
	});

	test('pause() and resume() change paused and emit observer pause/resume on changes only', async () => {
		const activeSpeakerObserver = await router.createActiveSpeakerObserver();
		const events: string[] = [];

		activeSpeakerObserver.observer.on('pause', () => events.push('pause'));
		activeSpeakerObserver.observer.on('resume', () => events.push('resume'));

		await activeSpeakerObserver.resume();
		await activeSpeakerObserver.pause();
		await activeSpeakerObserver.pause();
		expect(activeSpeakerObserver.paused).toBe(true);
		await activeSpeakerObserver.resume();
		expect(activeSpeakerObserver.paused).toBe(false);

		expect(events).toEqual(['pause', 'resume']);
	});

	test('addProducer() and removeProducer() emit observer events and show in the Router dump', async () => {
		const activeSpeakerObserver = await router.createActiveSpeakerObserver();
		const events: [string, Producer][] = [];

		activeSpeakerObserver.observer.on('addproducer', producer =>
			events.push(['addproducer', producer])
		);
		activeSpeakerObserver.observer.on('removeproducer', producer =>
			events.push(['removeproducer', producer])
		);

		await activeSpeakerObserver.addProducer({ producerId: producerA.id });

		expect((await router.dump()).mapProducerIdObserverIds).toEqual([
			{ key: producerA.id, values: [activeSpeakerObserver.id] },
		]);

		await activeSpeakerObserver.removeProducer({ producerId: producerA.id });

		expect((await router.dump()).mapProducerIdObserverIds).toEqual([]);
		expect(events).toEqual([
			['addproducer', producerA],
			['removeproducer', producerA],
		]);
	});

	test('adding a Producer twice rejects Error', async () => {
		const activeSpeakerObserver = await router.createActiveSpeakerObserver();
		const onAddProducer = jest.fn();

		await activeSpeakerObserver.addProducer({ producerId: producerA.id });

		activeSpeakerObserver.observer.on('addproducer', onAddProducer);

		const promise = activeSpeakerObserver.addProducer({ producerId: producerA.id });

		await expect(promise).rejects.toBeInstanceOf(Error);
		await expect(promise).rejects.not.toBeInstanceOf(TypeError);
		expect(onAddProducer).not.toHaveBeenCalled();
	});

	test('a video Producer rejects TypeError', async () => {
		const activeSpeakerObserver = await router.createActiveSpeakerObserver();

		await expect(
			activeSpeakerObserver.addProducer({ producerId: videoProducer.id })
		).rejects.toBeInstanceOf(TypeError);
		expect((await router.dump()).mapProducerIdObserverIds).toEqual([]);
	});

	test.each<[string, (o: RtpObserver, options: unknown) => Promise<void>]>([
		['addProducer', (o, options) => o.addProducer(options as never)],
		['removeProducer', (o, options) => o.removeProducer(options as never)],
	])(
		'%s() rejects TypeError on bad arguments, NotFoundError on unknown Producers',
		async (_name, call) => {
			const activeSpeakerObserver = await router.createActiveSpeakerObserver();

			for (const options of [undefined, 'foo', {}, { producerId: 1 }]) {
				await expect(call(activeSpeakerObserver, options)).rejects.toBeInstanceOf(TypeError);
			}

			await expect(call(activeSpeakerObserver, { producerId: 'foo' })).rejects.toBeInstanceOf(
				NotFoundError
			);
		}
	);

	test.each<[string, (o: RtpObserver) => Promise<void>]>([
		['pause', o => o.pause()],
		['resume', o => o.resume()],
		['addProducer', o => o.addProducer({ producerId: producerA.id })],
		['removeProducer', o => o.removeProducer({ producerId: producerA.id })],
	])(
		'%s() on a closed ActiveSpeakerObserver rejects NotFoundError, WorkerClosedError once the worker closed',
		async (_name, call) => {
			const activeSpeakerObserver = await router.createActiveSpeakerObserver();

			activeSpeakerObserver.close();

			await expect(call(activeSpeakerObserver)).rejects.toBeInstanceOf(NotFoundError);

			const activeSpeakerObserver2 = await router.createActiveSpeakerObserver();

			worker.close();

			await expect(call(activeSpeakerObserver)).rejects.toBeInstanceOf(WorkerClosedError);
			await expect(call(activeSpeakerObserver2)).rejects.toBeInstanceOf(WorkerClosedError);
		}
	);

	test('close() emits observer close only and the Router forgets it', async () => {
		const activeSpeakerObserver = await router.createActiveSpeakerObserver();
		const events: string[] = [];

		await activeSpeakerObserver.addProducer({ producerId: producerA.id });

		activeSpeakerObserver.on('routerclose', () => events.push('routerclose'));
		activeSpeakerObserver.observer.on('close', () => events.push('close'));

		activeSpeakerObserver.close();
		activeSpeakerObserver.close();

		expect(activeSpeakerObserver.closed).toBe(true);
		expect(events).toEqual(['close']);

		const dump = await router.dump();

		expect(dump.rtpObserverIds).toEqual([]);
		expect(dump.mapProducerIdObserverIds).toEqual([]);
	});

	test.each<[string, () => void]>([
		['router.close()', () => router.close()],
		['worker.close()', () => worker.close()],
	])('%s emits routerclose then observer close', async (_name, closeParent) => {
		const activeSpeakerObserver = await router.createActiveSpeakerObserver();
		const events: string[] = [];

		activeSpeakerObserver.on('routerclose', () => events.push('routerclose'));
		activeSpeakerObserver.observer.on('close', () => events.push('close'));

		closeParent();

		expect(activeSpeakerObserver.closed).toBe(true);
		expect(events).toEqual(['routerclose', 'close']);
	});
});

describe('ActiveSpeakerObserver with RTP from a plain sender', () => {
	let sender: AudioLevelSender;
	let activeSpeakerObserver: ActiveSpeakerObserver;

	beforeEach(async () => {
		sender = await AudioLevelSender.create({
			port: transport.tuple.localPort,
			payloadType: opusPayloadType,
		});
		senders.add(sender);

		activeSpeakerObserver = await router.createActiveSpeakerObserver({ interval: INTERVAL });

		await activeSpeakerObserver.addProducer({ producerId: producerA.id });
		await activeSpeakerObserver.addProducer({ producerId: producerB.id });
	});

	test('the louder speaker is dominant, and the floor follows the louder one', async () => {
		const onObserverDominantSpeaker = jest.fn();

		activeSpeakerObserver.observer.on('dominantspeaker', onObserverDominantSpeaker);

		sender.setLevel(SSRC_A, LOUD);
		sender.setLevel(SSRC_B, FAINT);
		sender.start();

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerA);
		expect(onObserverDominantSpeaker).toHaveBeenCalledTimes(1);
		expect(onObserverDominantSpeaker).toHaveBeenCalledWith({ producer: producerA });

		// Both go on talking, B now much louder.
		sender.setLevel(SSRC_A, FAINT);
		sender.setLevel(SSRC_B, LOUD);

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerB);

		// B stops, A talks alone.
		sender.setLevel(SSRC_A, 30);
		sender.setLevel(SSRC_B, null);

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerA);
		expect(onObserverDominantSpeaker).toHaveBeenCalledTimes(3);
	});

	test('nobody is dominant while everyone is silent', async () => {
		const onDominantSpeaker = jest.fn();

		activeSpeakerObserver.on('dominantspeaker', onDominantSpeaker);

		sender.setLevel(SSRC_A, SILENT);
		sender.setLevel(SSRC_B, SILENT);
		sender.start();

		// Once a speaker is heard, it is the first dominant one: nothing came
		// before for the silence.
		await sleep(10 * INTERVAL);

		sender.setLevel(SSRC_B, LOUD);

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerB);
		expect(onDominantSpeaker).toHaveBeenCalledTimes(1);
	});

	test('a paused dominant Producer loses the floor to one who talks', async () => {
		sender.setLevel(SSRC_A, LOUD);
		sender.setLevel(SSRC_B, FAINT);
		sender.start();

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerA);

		await producerA.pause();

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerB);

		// Resumed and much louder, it takes the floor back.
		await producerA.resume();

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerA);
	});

	test('removing the dominant Producer gives the floor to one who talks', async () => {
		sender.setLevel(SSRC_A, LOUD);
		sender.setLevel(SSRC_B, FAINT);
		sender.start();

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerA);

		await activeSpeakerObserver.removeProducer({ producerId: producerA.id });

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerB);
	});

	test('closing the dominant Producer gives the floor to one who talks', async () => {
		sender.setLevel(SSRC_A, LOUD);
		sender.setLevel(SSRC_B, FAINT);
		sender.start();

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerA);

		producerA.close();

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerB);
	});

	test('a paused observer decides nothing until resumed', async () => {
		const onDominantSpeaker = jest.fn();

		sender.setLevel(SSRC_A, LOUD);
		sender.start();

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerA);

		activeSpeakerObserver.on('dominantspeaker', onDominantSpeaker);

		await activeSpeakerObserver.pause();

		sender.setLevel(SSRC_A, null);
		sender.setLevel(SSRC_B, LOUD);

		await sleep(30 * INTERVAL);

		expect(onDominantSpeaker).not.toHaveBeenCalled();

		await activeSpeakerObserver.resume();

		expect(await nextDominantSpeaker(activeSpeakerObserver)).toBe(producerB);
	});
});

describe('ActiveSpeakerObserver notifications', () => {
	test('a dominant speaker unknown to the Router is ignored', async () => {
		const activeSpeakerObserver = await router.createActiveSpeakerObserver();
		const channel = (producerA as ProducerImpl).channelForTesting;
		const onDominantSpeaker = jest.fn();
		const onObserverDominantSpeaker = jest.fn();

		activeSpeakerObserver.on('dominantspeaker', onDominantSpeaker);
		activeSpeakerObserver.observer.on('dominantspeaker', onObserverDominantSpeaker);

		channel.emit(
			activeSpeakerObserver.id,
			Event.ACTIVESPEAKEROBSERVER_DOMINANT_SPEAKER,
			dominantSpeakerNotification(activeSpeakerObserver.id, 'gone')
		);

		expect(onDominantSpeaker).not.toHaveBeenCalled();
		expect(onObserverDominantSpeaker).not.toHaveBeenCalled();

		channel.emit(
			activeSpeakerObserver.id,
			Event.ACTIVESPEAKEROBSERVER_DOMINANT_SPEAKER,
			dominantSpeakerNotification(activeSpeakerObserver.id, producerB.id)
		);

		expect(onDominantSpeaker).toHaveBeenCalledTimes(1);
		expect(onDominantSpeaker).toHaveBeenCalledWith({ producer: producerB });
		expect(onObserverDominantSpeaker).toHaveBeenCalledWith({ producer: producerB });
	});

	test('a throwing listener is isolated', async () => {
		const activeSpeakerObserver = await router.createActiveSpeakerObserver();
		const channel = (producerA as ProducerImpl).channelForTesting;
		const onListenerError = jest.fn();
		const onObserverDominantSpeaker = jest.fn();

		activeSpeakerObserver.on('listenererror', onListenerError);
		activeSpeakerObserver.on('dominantspeaker', () => {
			throw new Error('listener error');
		});
		activeSpeakerObserver.observer.on('dominantspeaker', onObserverDominantSpeaker);

		channel.emit(
			activeSpeakerObserver.id,
			Event.ACTIVESPEAKEROBSERVER_DOMINANT_SPEAKER,
			dominantSpeakerNotification(activeSpeakerObserver.id, producerA.id)
		);

		expect(onListenerError).toHaveBeenCalledWith('dominantspeaker', expect.any(Error));
		expect(onObserverDominantSpeaker).toHaveBeenCalledTimes(1);
	});
});
