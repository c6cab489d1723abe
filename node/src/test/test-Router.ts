import * as mediasoup from '../';
import { RouterImpl } from '../Router';
import type { Worker } from '../WorkerTypes';
import type { RouterRtpCodecCapability, RtpCapabilities } from '../rtpParametersTypes';

const { EnhancedEventEmitter } = mediasoup.extras;
const { UnsupportedError, WorkerClosedError, NotFoundError } = mediasoup.errors;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{
		kind: 'video',
		mimeType: 'video/VP8',
		clockRate: 90000,
		preferredPayloadType: 125,
		parameters: { 'x-google-start-bitrate': 1000 },
	},
	{
		kind: 'video',
		mimeType: 'video/H264',
		clockRate: 90000,
		parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
	},
];

const otherMediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000 },
	{ kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 2 } },
];

const workers = new Set<Worker>();
let worker: Worker;

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	workers.add(worker);
});

afterEach(() => {
	for (const w of workers) {
		w.close();
	}

	workers.clear();
});

afterAll(async () => {
	// Let the last worker processes exit before Jest tears down.
	await sleep(50);
});

async function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

describe('Router', () => {
	test('worker.createRouter() resolves a Router with the right getters', async () => {
		const onNewRouter = jest.fn();

		worker.observer.once('newrouter', onNewRouter);

		const router = await worker.createRouter({ mediaCodecs, appData: { foo: 'bar' } });

		expect(onNewRouter).toHaveBeenCalledWith(router);
		expect(router).toBeInstanceOf(RouterImpl);
		expect(router).toBeInstanceOf(EnhancedEventEmitter);
		expect(router.observer).toBeInstanceOf(EnhancedEventEmitter);
		expect(router.getMaxListeners()).toBe(Infinity);
		expect(router.observer.getMaxListeners()).toBe(Infinity);
		expect(router.id).toMatch(UUID_V4);
		expect(router.closed).toBe(false);
		expect(router.appData).toEqual({ foo: 'bar' });
	});

	test('ids are distinct UUIDs v4', async () => {
		const routers = await Promise.all(Array.from({ length: 10 }, () => worker.createRouter()));
		const ids = new Set(routers.map(router => router.id));

		expect(ids.size).toBe(10);

		for (const id of ids) {
			expect(id).toMatch(UUID_V4);
		}
	});

	test('rtpCapabilities are those of ortc.generateRouterRtpCapabilities()', async () => {
		const router = await worker.createRouter({ mediaCodecs });
		const expected = mediasoup.ortc.generateRouterRtpCapabilities(mediaCodecs);

		expect(router.rtpCapabilities).toEqual(expected);
		expect(router.rtpCapabilities.codecs!.map(c => [c.mimeType, c.preferredPayloadType])).toEqual([
			['audio/opus', 100],
			['video/VP8', 125],
			['video/rtx', 101],
			['video/H264', 102],
			['video/rtx', 103],
		]);
		expect(router.rtpCapabilities.codecs![1].parameters).toEqual({
			'x-google-start-bitrate': 1000,
		});
		expect(router.rtpCapabilities.headerExtensions).toEqual(
			mediasoup.getSupportedRtpCapabilities().headerExtensions
		);
	});

	test('rtpCapabilities without mediaCodecs have no codecs', async () => {
		const router = await worker.createRouter();

		expect(router.rtpCapabilities.codecs).toEqual([]);
		expect(router.rtpCapabilities.headerExtensions).toHaveLength(18);
	});

	test('rtpCapabilities are a fresh clone on every get', async () => {
		const given = JSON.parse(JSON.stringify(mediaCodecs)) as RouterRtpCodecCapability[];
		const router = await worker.createRouter({ mediaCodecs: given });
		const first = router.rtpCapabilities;
		const second = router.rtpCapabilities;

		expect(first).not.toBe(second);
		expect(first.codecs).not.toBe(second.codecs);
		expect(first.codecs![0]).not.toBe(second.codecs![0]);
		expect(first.codecs![0].parameters).not.toBe(second.codecs![0].parameters);
		expect(first.headerExtensions).not.toBe(second.headerExtensions);

		first.codecs![0].mimeType = 'audio/chicken';
		first.codecs![0].rtcpFeedback!.length = 0;
		first.codecs![1].parameters!.foo = 'bar';
		first.codecs!.pop();
		first.headerExtensions!.length = 0;

		// Nor does mutating what was given at creation.
		given[0].mimeType = 'audio/PCMA';
		given.length = 0;

		expect(router.rtpCapabilities).toEqual(second);
		expect(router.rtpCapabilities).toEqual(
			mediasoup.ortc.generateRouterRtpCapabilities(mediaCodecs)
		);
	});

	test('appData', async () => {
		const router1 = await worker.createRouter();
		const router2 = await worker.createRouter();

		expect(router1.appData).toEqual({});

		// Defaults are not shared.
		router1.appData.foo = 1;

		expect(router2.appData).toEqual({});

		router1.appData = { bar: 'baz' };

		expect(router1.appData).toEqual({ bar: 'baz' });
	});

	test('dump()', async () => {
		const router = await worker.createRouter({ mediaCodecs });

		await expect(router.dump()).resolves.toEqual({
			id: router.id,
			transportIds: [],
			rtpObserverIds: [],
			mapProducerIdConsumerIds: [],
			mapConsumerIdProducerId: [],
			mapProducerIdObserverIds: [],
			mapDataProducerIdDataConsumerIds: [],
			mapDataConsumerIdDataProducerId: [],
		});

		const other = await worker.createRouter();

		expect((await worker.dump()).routerIds.sort()).toEqual([router.id, other.id].sort());
		await expect(other.dump()).resolves.toMatchObject({ id: other.id });
	});

	test('close()', async () => {
		const router = await worker.createRouter();
		const other = await worker.createRouter();
		const onWorkerClose = jest.fn();
		const onObserverClose = jest.fn();

		router.on('workerclose', onWorkerClose);
		router.observer.on('close', onObserverClose);

		router.close();

		expect(router.closed).toBe(true);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(onWorkerClose).not.toHaveBeenCalled();

		// Idempotent and never throws.
		expect(() => router.close()).not.toThrow();
		expect(onObserverClose).toHaveBeenCalledTimes(1);

		expect((await worker.dump()).routerIds).toEqual([other.id]);
		await expect(router.dump()).rejects.toBeInstanceOf(NotFoundError);

		// Neither the worker nor the other router are affected.
		expect(worker.closed).toBe(false);
		expect(other.closed).toBe(false);
		await expect(other.dump()).resolves.toMatchObject({ id: other.id });

		// Later worker closure does not emit anything on it.
		worker.close();

		expect(onWorkerClose).not.toHaveBeenCalled();
		expect(onObserverClose).toHaveBeenCalledTimes(1);
	});

	test('worker.close() closes it', async () => {
		const router = await worker.createRouter();
		const events: string[] = [];

		router.on('workerclose', () => events.push('workerclose'));
		router.observer.on('close', () => events.push('observer close'));

		worker.close();

		expect(router.closed).toBe(true);
		expect(events).toEqual(['workerclose', 'observer close']);
		await expect(router.dump()).rejects.toBeInstanceOf(WorkerClosedError);

		router.close();

		expect(events).toHaveLength(2);
		await expect(router.dump()).rejects.toBeInstanceOf(WorkerClosedError);
	});

	test('a router closed before its worker rejects WorkerClosedError once the worker is gone', async () => {
		const router = await worker.createRouter();

		router.close();

		await expect(router.dump()).rejects.toBeInstanceOf(NotFoundError);

		worker.close();

		await expect(router.dump()).rejects.toBeInstanceOf(WorkerClosedError);
	});

	test('a throwing workerclose listener emits listenererror', async () => {
		const router = await worker.createRouter();
		const boom = new Error('boom');
		const onListenerError = jest.fn();
		const onObserverClose = jest.fn();

		router.on('workerclose', () => {
			throw boom;
		});
		router.on('listenererror', onListenerError);
		router.observer.on('close', onObserverClose);

		expect(() => worker.close()).not.toThrow();
		expect(onListenerError).toHaveBeenCalledWith('workerclose', boom);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(worker.closed).toBe(true);
	});

	test('canConsume() with an unknown producer returns false and never throws', async () => {
		const router = await worker.createRouter({ mediaCodecs });
		const caps = router.rtpCapabilities;

		expect(router.canConsume({ producerId: 'unknown', rtpCapabilities: caps })).toBe(false);

		const garbage: unknown[] = [
			undefined,
			null,
			'foo',
			123,
			{ codecs: 'foo' },
			{ codecs: [{ mimeType: 'chicken' }] },
			{ codecs: [null] },
			{ codecs: [], headerExtensions: [{ uri: 1 }] },
			{ codecs: [() => {}] },
		];

		for (const rtpCapabilities of garbage) {
			expect(
				router.canConsume({
					producerId: 'unknown',
					rtpCapabilities: rtpCapabilities as RtpCapabilities,
				})
			).toBe(false);
			expect(
				router.canConsume({
					producerId: undefined as never,
					rtpCapabilities: rtpCapabilities as RtpCapabilities,
				})
			).toBe(false);
		}

		router.close();

		expect(router.canConsume({ producerId: 'unknown', rtpCapabilities: caps })).toBe(false);
	});

	test('updateMediaCodecs() with valid codecs changes rtpCapabilities', async () => {
		const router = await worker.createRouter({ mediaCodecs });
		const given = JSON.parse(JSON.stringify(otherMediaCodecs)) as RouterRtpCodecCapability[];

		expect(router.updateMediaCodecs(given)).toBeUndefined();
		expect(router.rtpCapabilities).toEqual(
			mediasoup.ortc.generateRouterRtpCapabilities(otherMediaCodecs)
		);
		expect(router.rtpCapabilities.codecs!.map(c => [c.mimeType, c.preferredPayloadType])).toEqual([
			['audio/PCMU', 0],
			['video/VP9', 100],
			['video/rtx', 101],
		]);
		// The caller's array is not mutated nor kept.
		expect(given).toEqual(otherMediaCodecs);

		given.length = 0;

		expect(router.rtpCapabilities.codecs).toHaveLength(3);

		router.updateMediaCodecs([]);

		expect(router.rtpCapabilities.codecs).toEqual([]);

		// Like createRouter() without mediaCodecs.
		router.updateMediaCodecs(mediaCodecs);
		router.updateMediaCodecs(undefined as never);

		expect(router.rtpCapabilities).toEqual((await worker.createRouter()).rtpCapabilities);

		// The router keeps working.
		await expect(router.dump()).resolves.toMatchObject({ id: router.id });
	});

	test.each<[string, unknown, typeof TypeError | typeof UnsupportedError]>([
		['not an array', 'foo', TypeError],
		['null', null, TypeError],
		['an entry that is not an object', [null], TypeError],
		['an entry without mimeType', [{ kind: 'audio', clockRate: 48000 }], TypeError],
		[
			'a duplicated preferredPayloadType',
			[
				{ kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000, preferredPayloadType: 100 },
				{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 100 },
			],
			TypeError,
		],
		[
			'an unsupported codec',
			[{ kind: 'audio', mimeType: 'audio/chicken', clockRate: 8000 }],
			UnsupportedError,
		],
		[
			'a valid codec followed by an unsupported one',
			[
				{ kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000 },
				{ kind: 'video', mimeType: 'video/H265', clockRate: 90000 },
			],
			UnsupportedError,
		],
	])(
		'updateMediaCodecs() with %s throws synchronously and keeps rtpCapabilities',
		async (_name, codecs, ErrorClass) => {
			const router = await worker.createRouter({ mediaCodecs });
			const before = router.rtpCapabilities;

			expect(() => router.updateMediaCodecs(codecs as RouterRtpCodecCapability[])).toThrow(
				ErrorClass
			);
			expect(router.rtpCapabilities).toEqual(before);
		}
	);

	test('many routers can be created in parallel', async () => {
		const onNewRouter = jest.fn();

		worker.observer.on('newrouter', onNewRouter);

		const routers = await Promise.all(
			Array.from({ length: 50 }, (_, idx) =>
				worker.createRouter({
					mediaCodecs: idx % 2 ? mediaCodecs : otherMediaCodecs,
					appData: { idx },
				})
			)
		);

		expect(onNewRouter).toHaveBeenCalledTimes(50);
		expect(new Set(routers.map(router => router.id)).size).toBe(50);
		routers.forEach((router, idx) => {
			expect(router.appData).toEqual({ idx });
			expect(router.rtpCapabilities).toEqual(
				mediasoup.ortc.generateRouterRtpCapabilities(idx % 2 ? mediaCodecs : otherMediaCodecs)
			);
		});
		expect((await worker.dump()).routerIds.sort()).toEqual(routers.map(r => r.id).sort());

		const dumps = await Promise.all(routers.map(router => router.dump()));

		expect(dumps.map(dump => dump.id)).toEqual(routers.map(router => router.id));

		for (const router of routers.slice(0, 25)) {
			router.close();
		}

		expect((await worker.dump()).routerIds.sort()).toEqual(
			routers
				.slice(25)
				.map(r => r.id)
				.sort()
		);

		const onWorkerClose = jest.fn();

		for (const router of routers) {
			router.on('workerclose', onWorkerClose);
		}

		worker.close();

		// Only the 25 routers still open get workerclose.
		expect(onWorkerClose).toHaveBeenCalledTimes(25);
		expect(routers.every(router => router.closed)).toBe(true);
	});
});
