import * as flatbuffers from 'flatbuffers';
import * as mediasoup from '../';
import type {
	AudioLevelObserver,
	AudioLevelObserverVolume,
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
import { Volume as FbsVolume } from '../fbs/audio-level-observer/volume';
import { VolumesNotification as FbsVolumesNotification } from '../fbs/audio-level-observer/volumes-notification';
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
// The worker's shortest interval: reports come as fast as they can.
const INTERVAL = 250;

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

async function createSender(): Promise<AudioLevelSender> {
	const sender = await AudioLevelSender.create({
		port: transport.tuple.localPort,
		payloadType: opusPayloadType,
	});

	senders.add(sender);

	return sender;
}

/**
 * A VOLUMES notification as the worker sends it (SILENCE without volumes).
 */
function observerNotification(
	rtpObserverId: string,
	volumes?: { producerId: string; volume: number }[]
): Notification {
	const builder = new flatbuffers.Builder(256);
	let bodyOffset = 0;

	if (volumes) {
		const volumeOffsets = volumes.map(({ producerId, volume }) =>
			FbsVolume.createVolume(builder, builder.createString(producerId), volume)
		);

		bodyOffset = FbsVolumesNotification.createVolumesNotification(
			builder,
			FbsVolumesNotification.createVolumesVector(builder, volumeOffsets)
		);
	}

	const handlerIdOffset = builder.createString(rtpObserverId);

	builder.finish(
		Notification.createNotification(
			builder,
			handlerIdOffset,
			volumes ? Event.AUDIOLEVELOBSERVER_VOLUMES : Event.AUDIOLEVELOBSERVER_SILENCE,
			volumes ? NotificationBody.AudioLevelObserver_VolumesNotification : NotificationBody.NONE,
			bodyOffset
		)
	);

	return Notification.getRootAsNotification(new flatbuffers.ByteBuffer(builder.asUint8Array()));
}

/**
 * What a 'volumes' event says, as [producerId, volume] pairs.
 */
function summary(volumes: AudioLevelObserverVolume[]): [string, number][] {
	return volumes.map(({ producer, volume }) => [producer.id, volume]);
}

function producerIdsOf(volumes: AudioLevelObserverVolume[]): string[] {
	return volumes.map(({ producer }) => producer.id);
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

describe('router.createAudioLevelObserver()', () => {
	test('with no options uses the defaults and emits observer newrtpobserver first', async () => {
		const onNewRtpObserver = jest.fn();

		router.observer.on('newrtpobserver', onNewRtpObserver);

		const audioLevelObserver = await router.createAudioLevelObserver();

		expect(onNewRtpObserver).toHaveBeenCalledTimes(1);
		expect(onNewRtpObserver).toHaveBeenCalledWith(audioLevelObserver);
		expect(audioLevelObserver.id).toMatch(UUID_V4);
		expect(audioLevelObserver.closed).toBe(false);
		expect(audioLevelObserver.type).toBe('audiolevel');
		expect(audioLevelObserver.paused).toBe(false);
		expect(audioLevelObserver.appData).toEqual({});
		expect(audioLevelObserver.observer).toBeInstanceOf(EnhancedEventEmitter);
		expect(audioLevelObserver).toBeInstanceOf(EnhancedEventEmitter);

		const dump = await router.dump();

		expect(dump.rtpObserverIds).toEqual([audioLevelObserver.id]);
		expect(dump.mapProducerIdObserverIds).toEqual([]);
	});

	test('with every option', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver({
			maxEntries: 8,
			threshold: -127,
			interval: 5000,
			appData: { foo: 'bar' },
		});

		expect(audioLevelObserver.type).toBe('audiolevel');
		expect(audioLevelObserver.appData).toEqual({ foo: 'bar' });
	});

	test('takes values the worker clamps or truncates', async () => {
		for (const options of [
			{ maxEntries: 0.5 },
			{ maxEntries: 1e9 },
			{ maxEntries: Infinity },
			{ threshold: 0 },
			{ threshold: -45.5 },
			{ interval: 1 },
			{ interval: -1 },
			{ interval: 1e9 },
		]) {
			const audioLevelObserver = await router.createAudioLevelObserver(options);

			expect(audioLevelObserver.closed).toBe(false);
		}

		expect((await router.dump()).rtpObserverIds).toHaveLength(8);
	});

	test.each<[string, unknown, RegExp]>([
		['options not an object', 'foo', /options/],
		['maxEntries 0', { maxEntries: 0 }, /maxEntries/],
		['maxEntries negative', { maxEntries: -1 }, /maxEntries/],
		['maxEntries a string', { maxEntries: '2' }, /maxEntries/],
		['maxEntries NaN', { maxEntries: NaN }, /maxEntries/],
		['maxEntries null', { maxEntries: null }, /maxEntries/],
		['threshold above 0', { threshold: 1 }, /threshold/],
		['threshold below -127', { threshold: -128 }, /threshold/],
		['threshold a string', { threshold: '-50' }, /threshold/],
		['threshold NaN', { threshold: NaN }, /threshold/],
		['interval a string', { interval: '1000' }, /interval/],
		['interval NaN', { interval: NaN }, /interval/],
		['interval an object', { interval: {} }, /interval/],
		['appData not an object', { appData: 'foo' }, /appData/],
	])('with %s rejects TypeError naming the field', async (_name, options, field) => {
		const onNewRtpObserver = jest.fn();

		router.observer.on('newrtpobserver', onNewRtpObserver);

		let promise: Promise<unknown> | undefined;

		// It must reject, not throw synchronously.
		expect(() => {
			promise = router.createAudioLevelObserver(options as never);
		}).not.toThrow();
		await expect(promise).rejects.toBeInstanceOf(TypeError);
		await expect(promise).rejects.toThrow(field);
		expect(onNewRtpObserver).not.toHaveBeenCalled();
		expect((await router.dump()).rtpObserverIds).toEqual([]);
	});

	test('does not mutate the options', async () => {
		const options = { maxEntries: 3, appData: { foo: 1 } };
		const copy = structuredClone(options);

		await router.createAudioLevelObserver(options);

		expect(options).toEqual(copy);
	});

	test('on a closed Router rejects NotFoundError, WorkerClosedError once the worker closed', async () => {
		router.close();

		await expect(router.createAudioLevelObserver()).rejects.toBeInstanceOf(NotFoundError);

		// Even with bad options: the closed check comes first (issue 10).
		await expect(router.createAudioLevelObserver({ maxEntries: 0 })).rejects.toBeInstanceOf(
			NotFoundError
		);

		const router2 = await worker.createRouter({ mediaCodecs });

		worker.close();

		await expect(router.createAudioLevelObserver()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(router2.createAudioLevelObserver()).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('AudioLevelObserver getters and setters', () => {
	test('appData can be replaced', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver<{ a?: number; b?: number }>({
			appData: { a: 1 },
		});

		audioLevelObserver.appData = { b: 2 };

		expect(audioLevelObserver.appData).toEqual({ b: 2 });
	});
});

describe('audioLevelObserver.pause() and resume()', () => {
	test('change paused and emit observer pause/resume on changes only', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();
		const events: string[] = [];

		audioLevelObserver.observer.on('pause', () => events.push('pause'));
		audioLevelObserver.observer.on('resume', () => events.push('resume'));

		await audioLevelObserver.pause();
		expect(audioLevelObserver.paused).toBe(true);
		await audioLevelObserver.pause();
		expect(audioLevelObserver.paused).toBe(true);
		await audioLevelObserver.resume();
		expect(audioLevelObserver.paused).toBe(false);
		await audioLevelObserver.resume();
		expect(audioLevelObserver.paused).toBe(false);

		expect(events).toEqual(['pause', 'resume']);
	});

	test('on a closed AudioLevelObserver reject NotFoundError, WorkerClosedError once the worker closed', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();

		audioLevelObserver.close();

		await expect(audioLevelObserver.pause()).rejects.toBeInstanceOf(NotFoundError);
		await expect(audioLevelObserver.resume()).rejects.toBeInstanceOf(NotFoundError);

		const audioLevelObserver2 = await router.createAudioLevelObserver();

		worker.close();

		await expect(audioLevelObserver.pause()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(audioLevelObserver2.pause()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(audioLevelObserver2.resume()).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('audioLevelObserver.addProducer() and removeProducer()', () => {
	test('add and remove Producers, emit observer addproducer/removeproducer, show in the Router dump', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();
		const onAddProducer = jest.fn();
		const onRemoveProducer = jest.fn();

		audioLevelObserver.observer.on('addproducer', onAddProducer);
		audioLevelObserver.observer.on('removeproducer', onRemoveProducer);

		await audioLevelObserver.addProducer({ producerId: producerA.id });
		await audioLevelObserver.addProducer({ producerId: producerB.id });

		expect(onAddProducer).toHaveBeenCalledTimes(2);
		expect(onAddProducer).toHaveBeenNthCalledWith(1, producerA);
		expect(onAddProducer).toHaveBeenNthCalledWith(2, producerB);

		const dump = await router.dump();

		expect(dump.mapProducerIdObserverIds).toHaveLength(2);
		expect(dump.mapProducerIdObserverIds).toEqual(
			expect.arrayContaining([
				{ key: producerA.id, values: [audioLevelObserver.id] },
				{ key: producerB.id, values: [audioLevelObserver.id] },
			])
		);

		await audioLevelObserver.removeProducer({ producerId: producerA.id });

		expect(onRemoveProducer).toHaveBeenCalledTimes(1);
		expect(onRemoveProducer).toHaveBeenCalledWith(producerA);
		expect((await router.dump()).mapProducerIdObserverIds).toEqual([
			{ key: producerB.id, values: [audioLevelObserver.id] },
		]);
	});

	test('a Producer in two observers is listed with both', async () => {
		const observer1 = await router.createAudioLevelObserver();
		const observer2 = await router.createActiveSpeakerObserver();

		await observer1.addProducer({ producerId: producerA.id });
		await observer2.addProducer({ producerId: producerA.id });

		const [entry] = (await router.dump()).mapProducerIdObserverIds;

		expect(entry.key).toBe(producerA.id);
		expect(entry.values.sort()).toEqual([observer1.id, observer2.id].sort());
	});

	test('adding a Producer twice is accepted', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();

		await audioLevelObserver.addProducer({ producerId: producerA.id });
		await audioLevelObserver.addProducer({ producerId: producerA.id });

		expect((await router.dump()).mapProducerIdObserverIds).toEqual([
			{ key: producerA.id, values: [audioLevelObserver.id] },
		]);
	});

	test('removing a Producer of the Router that was not added is accepted', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();
		const onRemoveProducer = jest.fn();

		audioLevelObserver.observer.on('removeproducer', onRemoveProducer);

		await audioLevelObserver.removeProducer({ producerId: producerA.id });

		expect(onRemoveProducer).toHaveBeenCalledWith(producerA);
	});

	test('a video Producer rejects TypeError', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();
		const onAddProducer = jest.fn();

		audioLevelObserver.observer.on('addproducer', onAddProducer);

		await expect(
			audioLevelObserver.addProducer({ producerId: videoProducer.id })
		).rejects.toBeInstanceOf(TypeError);
		expect(onAddProducer).not.toHaveBeenCalled();
		expect((await router.dump()).mapProducerIdObserverIds).toEqual([]);
	});

	test.each<[string, (o: RtpObserver, id: string) => Promise<void>]>([
		['addProducer', (o, producerId) => o.addProducer({ producerId })],
		['removeProducer', (o, producerId) => o.removeProducer({ producerId })],
	])('%s() with an unknown Producer rejects NotFoundError', async (_name, call) => {
		const audioLevelObserver = await router.createAudioLevelObserver();
		const onEvent = jest.fn();

		audioLevelObserver.observer.on('addproducer', onEvent);
		audioLevelObserver.observer.on('removeproducer', onEvent);

		await expect(call(audioLevelObserver, 'foo')).rejects.toBeInstanceOf(NotFoundError);

		// A Producer of another Router is unknown to this one.
		const otherRouter = await worker.createRouter({ mediaCodecs });
		const otherTransport = await otherRouter.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			comedia: true,
		});
		const otherProducer = await otherTransport.produce({
			kind: 'audio',
			rtpParameters: {
				codecs: [
					{ mimeType: 'audio/opus', payloadType: opusPayloadType, clockRate: 48000, channels: 2 },
				],
				encodings: [{ ssrc: 44444444 }],
			},
		});

		await expect(call(audioLevelObserver, otherProducer.id)).rejects.toBeInstanceOf(NotFoundError);

		// A closed Producer is unknown too.
		producerA.close();

		await expect(call(audioLevelObserver, producerA.id)).rejects.toBeInstanceOf(NotFoundError);
		expect(onEvent).not.toHaveBeenCalled();
	});

	test.each<[string, (o: RtpObserver, options: unknown) => Promise<void>]>([
		['addProducer', (o, options) => o.addProducer(options as never)],
		['removeProducer', (o, options) => o.removeProducer(options as never)],
	])('%s() with bad arguments rejects TypeError', async (_name, call) => {
		const audioLevelObserver = await router.createAudioLevelObserver();

		for (const options of [undefined, null, 'foo', {}, { producerId: 123 }, { producerId: null }]) {
			await expect(call(audioLevelObserver, options)).rejects.toBeInstanceOf(TypeError);
		}

		await expect(call(audioLevelObserver, { producerId: 123 })).rejects.toThrow(/producerId/);

		// The closed check comes first (issue 10).
		audioLevelObserver.close();

		await expect(call(audioLevelObserver, {})).rejects.toBeInstanceOf(NotFoundError);
	});

	test.each<[string, (o: RtpObserver, id: string) => Promise<void>]>([
		['addProducer', (o, producerId) => o.addProducer({ producerId })],
		['removeProducer', (o, producerId) => o.removeProducer({ producerId })],
	])(
		'%s() on a closed AudioLevelObserver rejects NotFoundError, WorkerClosedError once the worker closed',
		async (_name, call) => {
			const audioLevelObserver = await router.createAudioLevelObserver();

			audioLevelObserver.close();

			await expect(call(audioLevelObserver, producerA.id)).rejects.toBeInstanceOf(NotFoundError);

			const audioLevelObserver2 = await router.createAudioLevelObserver();

			worker.close();

			await expect(call(audioLevelObserver, producerA.id)).rejects.toBeInstanceOf(
				WorkerClosedError
			);
			await expect(call(audioLevelObserver2, producerA.id)).rejects.toBeInstanceOf(
				WorkerClosedError
			);
		}
	);

	test('a closed Producer is removed from the observer', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();

		await audioLevelObserver.addProducer({ producerId: producerA.id });
		await audioLevelObserver.addProducer({ producerId: producerB.id });

		producerA.close();

		expect((await router.dump()).mapProducerIdObserverIds).toEqual([
			{ key: producerB.id, values: [audioLevelObserver.id] },
		]);

		// Its transport closing closes the other one.
		transport.close();

		expect((await router.dump()).mapProducerIdObserverIds).toEqual([]);
		expect(audioLevelObserver.closed).toBe(false);
	});
});

describe('audioLevelObserver.close() and closure cascades', () => {
	test('close() emits observer close only, is idempotent, and the Router forgets it', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();
		const onObserverClose = jest.fn();
		const onRouterClose = jest.fn();

		await audioLevelObserver.addProducer({ producerId: producerA.id });

		audioLevelObserver.observer.on('close', onObserverClose);
		audioLevelObserver.on('routerclose', onRouterClose);

		audioLevelObserver.close();
		audioLevelObserver.close();

		expect(audioLevelObserver.closed).toBe(true);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(onRouterClose).not.toHaveBeenCalled();

		const dump = await router.dump();

		expect(dump.rtpObserverIds).toEqual([]);
		expect(dump.mapProducerIdObserverIds).toEqual([]);
	});

	test('router.close() emits routerclose then observer close', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();
		const events: string[] = [];

		audioLevelObserver.on('routerclose', () => events.push('routerclose'));
		audioLevelObserver.observer.on('close', () => events.push('close'));

		router.close();

		expect(audioLevelObserver.closed).toBe(true);
		expect(events).toEqual(['routerclose', 'close']);

		// Closing it afterwards does nothing more.
		audioLevelObserver.close();

		expect(events).toEqual(['routerclose', 'close']);
	});

	test('worker.close() emits routerclose then observer close', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();
		const events: string[] = [];

		audioLevelObserver.on('routerclose', () => events.push('routerclose'));
		audioLevelObserver.observer.on('close', () => events.push('close'));

		worker.close();

		expect(audioLevelObserver.closed).toBe(true);
		expect(events).toEqual(['routerclose', 'close']);
	});

	test('a listener that throws does not break close()', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();
		const onListenerError = jest.fn();

		audioLevelObserver.on('listenererror', onListenerError);
		audioLevelObserver.on('routerclose', () => {
			throw new Error('listener error');
		});

		router.close();

		expect(audioLevelObserver.closed).toBe(true);
		expect(onListenerError).toHaveBeenCalledWith('routerclose', expect.any(Error));
	});
});

describe('AudioLevelObserver with RTP from a plain sender', () => {
	let sender: AudioLevelSender;

	beforeEach(async () => {
		sender = await createSender();
	});

	test('reports the loudest first, at most maxEntries, only above the threshold; then silence once', async () => {
		const all = await router.createAudioLevelObserver({
			maxEntries: 2,
			threshold: -127,
			interval: INTERVAL,
		});
		const one = await router.createAudioLevelObserver({
			maxEntries: 1,
			threshold: -127,
			interval: INTERVAL,
		});
		const loud = await router.createAudioLevelObserver({
			maxEntries: 10,
			threshold: -40,
			interval: INTERVAL,
		});
		const observers: AudioLevelObserver[] = [all, one, loud];
		const silences = new Map<AudioLevelObserver, number>(observers.map(o => [o, 0]));

		for (const observer of observers) {
			await observer.addProducer({ producerId: producerA.id });
			await observer.addProducer({ producerId: producerB.id });

			observer.on('silence', () => silences.set(observer, silences.get(observer)! + 1));
		}

		// A at -20 dBov, B at -50 dBov.
		sender.setLevel(SSRC_A, 20);
		sender.setLevel(SSRC_B, 50);
		sender.start();

		// An interval in which both were heard all along reports exact averages.
		const [allVolumes] = await waitForEvent<[AudioLevelObserverVolume[]]>(
			all,
			'volumes',
			volumes => volumes.length === 2
		);

		expect(summary(allVolumes)).toEqual([
			[producerA.id, -20],
			[producerB.id, -50],
		]);
		expect(allVolumes[0].producer).toBe(producerA);
		expect(allVolumes[1].producer).toBe(producerB);

		const [oneVolumes] = await waitForEvent<[AudioLevelObserverVolume[]]>(one, 'volumes');

		expect(summary(oneVolumes)).toEqual([[producerA.id, -20]]);

		const [loudVolumes] = await waitForEvent<[AudioLevelObserverVolume[]]>(loud, 'volumes');

		expect(summary(loudVolumes)).toEqual([[producerA.id, -20]]);

		// Louder B: the order follows.
		sender.setLevel(SSRC_B, 5);

		const [swapped] = await waitForEvent<[AudioLevelObserverVolume[]]>(
			all,
			'volumes',
			volumes => volumes.length === 2 && volumes[0].volume === -5
		);

		expect(summary(swapped)).toEqual([
			[producerB.id, -5],
			[producerA.id, -20],
		]);

		const [oneSwapped] = await waitForEvent<[AudioLevelObserverVolume[]]>(
			one,
			'volumes',
			volumes => volumes[0].volume === -5
		);

		expect(summary(oneSwapped)).toEqual([[producerB.id, -5]]);

		const [loudBoth] = await waitForEvent<[AudioLevelObserverVolume[]]>(
			loud,
			'volumes',
			volumes => volumes.length === 2 && volumes[0].volume === -5
		);

		expect(summary(loudBoth)).toEqual([
			[producerB.id, -5],
			[producerA.id, -20],
		]);

		// Below the threshold of `loud` only, still heard by the others.
		sender.setLevel(SSRC_A, 100);
		sender.setLevel(SSRC_B, 100);

		await waitForEvent(loud, 'silence');

		const [quiet] = await waitForEvent<[AudioLevelObserverVolume[]]>(all, 'volumes', volumes =>
			volumes.every(({ volume }) => volume === -100)
		);

		expect(producerIdsOf(quiet).sort()).toEqual([producerA.id, producerB.id].sort());
		expect(silences.get(all)).toBe(0);

		// Nothing sent any more: silence, once, however long it lasts.
		sender.stop();

		await Promise.all([waitForEvent(all, 'silence'), waitForEvent(one, 'silence')]);
		await sleep(4 * INTERVAL);

		expect(silences.get(all)).toBe(1);
		expect(silences.get(one)).toBe(1);
		expect(silences.get(loud)).toBe(1);
	});

	test('a paused Producer is left out, and counted again once resumed', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver({
			maxEntries: 2,
			interval: INTERVAL,
		});

		await audioLevelObserver.addProducer({ producerId: producerA.id });
		await audioLevelObserver.addProducer({ producerId: producerB.id });

		sender.setLevel(SSRC_A, 20);
		sender.setLevel(SSRC_B, 30);
		sender.start();

		await waitForEvent<[AudioLevelObserverVolume[]]>(
			audioLevelObserver,
			'volumes',
			volumes => volumes.length === 2
		);

		await producerA.pause();

		// The first full interval after the pause has B alone, and so do all
		// the following ones.
		await waitForEvent<[AudioLevelObserverVolume[]]>(
			audioLevelObserver,
			'volumes',
			volumes => volumes.length === 1
		);

		for (let i = 0; i < 3; ++i) {
			const [volumes] = await waitForEvent<[AudioLevelObserverVolume[]]>(
				audioLevelObserver,
				'volumes'
			);

			expect(summary(volumes)).toEqual([[producerB.id, -30]]);
		}

		await producerA.resume();

		const [volumes] = await waitForEvent<[AudioLevelObserverVolume[]]>(
			audioLevelObserver,
			'volumes',
			v => v.length === 2
		);

		expect(producerIdsOf(volumes)).toEqual([producerA.id, producerB.id]);
	});

	test('a removed Producer is left out', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver({
			maxEntries: 2,
			interval: INTERVAL,
		});

		await audioLevelObserver.addProducer({ producerId: producerA.id });
		await audioLevelObserver.addProducer({ producerId: producerB.id });

		sender.setLevel(SSRC_A, 20);
		sender.setLevel(SSRC_B, 30);
		sender.start();

		await waitForEvent<[AudioLevelObserverVolume[]]>(
			audioLevelObserver,
			'volumes',
			volumes => volumes.length === 2
		);

		await audioLevelObserver.removeProducer({ producerId: producerA.id });

		for (let i = 0; i < 3; ++i) {
			const [volumes] = await waitForEvent<[AudioLevelObserverVolume[]]>(
				audioLevelObserver,
				'volumes'
			);

			expect(summary(volumes)).toEqual([[producerB.id, -30]]);
		}
	});

	test('pausing the observer reports silence and stops the reports until resumed', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver({ interval: INTERVAL });
		const events: string[] = [];

		await audioLevelObserver.addProducer({ producerId: producerA.id });

		sender.setLevel(SSRC_A, 20);
		sender.start();

		await waitForEvent(audioLevelObserver, 'volumes');

		audioLevelObserver.on('volumes', () => events.push('volumes'));
		audioLevelObserver.on('silence', () => events.push('silence'));
		audioLevelObserver.observer.on('silence', () => events.push('observer silence'));

		await audioLevelObserver.pause();
		await waitForEvent(audioLevelObserver, 'silence');
		await sleep(4 * INTERVAL);

		expect(events).toEqual(['silence', 'observer silence']);

		await audioLevelObserver.resume();

		const [volumes] = await waitForEvent<[AudioLevelObserverVolume[]]>(
			audioLevelObserver,
			'volumes'
		);

		expect(summary(volumes)).toEqual([[producerA.id, -20]]);
	});

	test('packets without the audio level extension count for nothing', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver({
			maxEntries: 2,
			threshold: -127,
			interval: INTERVAL,
		});
		// A Producer that did not negotiate ssrc-audio-level: the worker does
		// not read it, whatever the packets carry.
		const producerC = await transport.produce({
			kind: 'audio',
			rtpParameters: {
				codecs: [
					{ mimeType: 'audio/opus', payloadType: opusPayloadType, clockRate: 48000, channels: 2 },
				],
				encodings: [{ ssrc: 55555555 }],
			},
		});

		await audioLevelObserver.addProducer({ producerId: producerA.id });
		await audioLevelObserver.addProducer({ producerId: producerC.id });

		sender.setLevel(SSRC_A, 60);
		sender.setLevel(55555555, 10);
		sender.start();

		for (let i = 0; i < 3; ++i) {
			const [volumes] = await waitForEvent<[AudioLevelObserverVolume[]]>(
				audioLevelObserver,
				'volumes'
			);

			expect(summary(volumes)).toEqual([[producerA.id, -60]]);
		}
	});

	test('volumes and silence reach the observer too', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver({ interval: INTERVAL });

		await audioLevelObserver.addProducer({ producerId: producerA.id });

		sender.setLevel(SSRC_A, 20);
		sender.start();

		const [volumes] = await waitForEvent<[AudioLevelObserverVolume[]]>(
			audioLevelObserver.observer,
			'volumes'
		);

		expect(summary(volumes)).toEqual([[producerA.id, -20]]);

		sender.stop();

		await waitForEvent(audioLevelObserver.observer, 'silence');
	});
});

describe('AudioLevelObserver notifications', () => {
	test('entries of unknown Producers are dropped, and nothing is emitted for none', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();
		const channel = (producerA as ProducerImpl).channelForTesting;
		const onVolumes = jest.fn();
		const onObserverVolumes = jest.fn();

		audioLevelObserver.on('volumes', onVolumes);
		audioLevelObserver.observer.on('volumes', onObserverVolumes);

		channel.emit(
			audioLevelObserver.id,
			Event.AUDIOLEVELOBSERVER_VOLUMES,
			observerNotification(audioLevelObserver.id, [
				{ producerId: 'gone', volume: -10 },
				{ producerId: producerA.id, volume: -20 },
			])
		);

		expect(onVolumes).toHaveBeenCalledTimes(1);
		expect(summary(onVolumes.mock.calls[0][0])).toEqual([[producerA.id, -20]]);
		expect(onObserverVolumes).toHaveBeenCalledTimes(1);

		// A listener editing its array does not change the other one's.
		expect(onObserverVolumes.mock.calls[0][0]).not.toBe(onVolumes.mock.calls[0][0]);

		channel.emit(
			audioLevelObserver.id,
			Event.AUDIOLEVELOBSERVER_VOLUMES,
			observerNotification(audioLevelObserver.id, [{ producerId: 'gone', volume: -10 }])
		);

		expect(onVolumes).toHaveBeenCalledTimes(1);
		expect(onObserverVolumes).toHaveBeenCalledTimes(1);
	});

	test('a closed observer ignores notifications', async () => {
		const audioLevelObserver = await router.createAudioLevelObserver();
		const channel = (producerA as ProducerImpl).channelForTesting;
		const onSilence = jest.fn();

		audioLevelObserver.on('silence', onSilence);
		audioLevelObserver.close();

		channel.emit(
			audioLevelObserver.id,
			Event.AUDIOLEVELOBSERVER_SILENCE,
			observerNotification(audioLevelObserver.id)
		);

		expect(onSilence).not.toHaveBeenCalled();
	});
});
