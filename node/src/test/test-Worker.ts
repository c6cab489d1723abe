import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as mediasoup from '../';
import { WorkerImpl } from '../Worker';
import type { Worker, WorkerSettings } from '../WorkerTypes';
import type { Router } from '../RouterTypes';
import type { RouterRtpCodecCapability } from '../rtpParametersTypes';

const { EnhancedEventEmitter } = mediasoup.extras;
const { UnsupportedError, WorkerClosedError } = mediasoup.errors;

const PKG_ROOT = path.join(__dirname, '..', '..', '..');
const DATA_DIR = path.join(PKG_ROOT, 'worker', 'test', 'data');
const CERT_FILE = path.join(DATA_DIR, 'dtls-cert.pem');
const KEY_FILE = path.join(DATA_DIR, 'dtls-key.pem');
// The built library (typescript:build), for host processes spawned by tests.
const LIB_INDEX = path.join(PKG_ROOT, 'node', 'lib', 'index.js');

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const workers = new Set<Worker>();
const pids = new Set<number>();
const hosts = new Set<ChildProcess>();
let baselineSigint: number;
let baselineSigterm: number;

beforeAll(() => {
	baselineSigint = process.listenerCount('SIGINT');
	baselineSigterm = process.listenerCount('SIGTERM');
});

afterEach(() => {
	for (const worker of workers) {
		worker.close();
	}

	workers.clear();

	// A host process a failed test left running.
	for (const host of hosts) {
		if (host.exitCode === null && host.signalCode === null) {
			host.kill('SIGKILL');
		}
	}

	hosts.clear();
});

afterAll(async () => {
	// No test may leave a worker process behind.
	for (const pid of pids) {
		await waitForProcessExit(pid);
	}
});

async function createWorker(settings?: WorkerSettings): Promise<Worker> {
	const worker = await mediasoup.createWorker(settings);

	workers.add(worker);
	pids.add(worker.pid);

	return worker;
}

function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);

		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code !== 'ESRCH';
	}
}

async function waitForProcessExit(pid: number, timeoutMs = 3000): Promise<void> {
	const start = Date.now();

	while (isProcessAlive(pid)) {
		if (Date.now() - start > timeoutMs) {
			throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
		}

		await sleep(10);
	}
}

async function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * Resolves with the event arguments, rejects if it does not happen in time.
 */
async function waitForEvent<T extends unknown[] = unknown[]>(
	emitter: NodeJS.EventEmitter,
	eventName: string,
	timeoutMs = 3000
): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const timer = setTimeout(() => {
			emitter.off(eventName, listener);
			reject(new Error(`timeout waiting for '${eventName}'`));
		}, timeoutMs);
		const listener = (...args: unknown[]): void => {
			clearTimeout(timer);
			resolve(args as T);
		};

		emitter.once(eventName, listener);
	});
}

function expectNoProcessSignalListenerLeak(): void {
	expect(process.listenerCount('SIGINT')).toBe(baselineSigint);
	expect(process.listenerCount('SIGTERM')).toBe(baselineSigterm);
}

type HostProcess = {
	child: ChildProcess;
	// The first line the script printed, parsed as JSON.
	report: Promise<Record<string, unknown>>;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * Runs `body` in a separate Node process (an application using the built
 * library as `mediasoup`); it reports through `report(object)`.
 */
function spawnHost(body: string, { detached = false } = {}): HostProcess {
	const script = `
		const mediasoup = require(${JSON.stringify(LIB_INDEX)});
		const report = object => process.stdout.write(JSON.stringify(object) + '\\n');
		${body}
	`;
	const child = spawn(process.execPath, ['-e', script], {
		stdio: ['ignore', 'pipe', 'inherit'],
		detached,
	});
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
		child.once('exit', (code, signal) => resolve({ code, signal }))
	);
	const report = new Promise<Record<string, unknown>>((resolve, reject) => {
		let text = '';

		child.stdout!.on('data', (data: Buffer) => {
			text += data.toString();

			if (text.includes('\n')) {
				resolve(JSON.parse(text.split('\n')[0]) as Record<string, unknown>);
			}
		});
		void exited.then(({ code, signal }) =>
			reject(new Error(`host process exited before reporting [code:${code}, signal:${signal}]`))
		);
	});

	hosts.add(child);

	return { child, report, exited };
}

async function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
	let timer: NodeJS.Timeout | undefined;

	try {
		return await Promise.race([
			promise,
			new Promise<never>((_resolve, reject) => {
				timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), timeoutMs);
			}),
		]);
	} finally {
		clearTimeout(timer);
	}
}

describe('createWorker()', () => {
	test('with default settings', async () => {
		const onNewWorker = jest.fn();

		mediasoup.observer.once('newworker', onNewWorker);

		const worker = await createWorker();

		expect(onNewWorker).toHaveBeenCalledWith(worker);
		expect(worker).toBeInstanceOf(WorkerImpl);
		expect(worker).toBeInstanceOf(EnhancedEventEmitter);
		expect(Number.isInteger(worker.pid)).toBe(true);
		expect(worker.pid).toBeGreaterThan(0);
		expect(worker.pid).not.toBe(process.pid);
		expect(isProcessAlive(worker.pid)).toBe(true);
		expect(worker.closed).toBe(false);
		expect(worker.died).toBe(false);
		expect(worker.subprocessClosed).toBe(false);
		expect(worker.appData).toEqual({});
		expect(worker.observer).toBeInstanceOf(EnhancedEventEmitter);
		expect(worker.getMaxListeners()).toBe(Infinity);
		expect(worker.observer.getMaxListeners()).toBe(Infinity);
	});

	test('with custom settings and appData', async () => {
		const worker = await createWorker({
			logLevel: 'warn',
			logTags: ['info', 'ice', 'dtls', 'rtp', 'srtp', 'rtcp', 'rtx', 'bwe', 'score'],
			rtcMinPort: 20000,
			rtcMaxPort: 30000,
			libwebrtcFieldTrials: 'WebRTC-Bwe-AlrLimitedBackoff/Disabled/',
			appData: { foo: 'bar', n: 1 },
		});

		expect(worker.pid).toBeGreaterThan(0);
		expect(worker.closed).toBe(false);
		expect(worker.appData).toEqual({ foo: 'bar', n: 1 });

		worker.appData = { baz: true };

		expect(worker.appData).toEqual({ baz: true });

		await expect(worker.dump()).resolves.toMatchObject({ pid: worker.pid });
	});

	test('unknown log tags are ignored', async () => {
		const worker = await createWorker({
			logLevel: 'debug',
			logTags: ['info', 'chicken' as never],
		});

		await expect(worker.dump()).resolves.toMatchObject({ pid: worker.pid });
	});

	test('falsy appData means {} (as the reference)', async () => {
		const worker = await createWorker({ appData: null as never });

		expect(worker.appData).toEqual({});
	});

	test('default appData objects are not shared', async () => {
		const [worker1, worker2] = await Promise.all([createWorker(), createWorker()]);

		worker1.appData.foo = 1;

		expect(worker2.appData).toEqual({});
	});

	test.each<[string, unknown]>([
		['logLevel chicken', { logLevel: 'chicken' }],
		['logTags not an array', { logTags: 'info' }],
		['rtcMinPort > rtcMaxPort', { rtcMinPort: 4000, rtcMaxPort: 3000 }],
		['rtcMinPort > default rtcMaxPort', { rtcMinPort: 60000 }],
		['rtcMaxPort 65536', { rtcMaxPort: 65536 }],
		['rtcMinPort foo', { rtcMinPort: 'foo' }],
		['dtlsCertificateFile without key', { dtlsCertificateFile: CERT_FILE }],
		['dtlsPrivateKeyFile without cert', { dtlsPrivateKeyFile: KEY_FILE }],
		['appData string', { appData: 'NOT-AN-OBJECT' }],
		['appData number', { appData: 123 }],
	])('rejects TypeError with %s', async (_name, settings) => {
		const onNewWorker = jest.fn();

		mediasoup.observer.on('newworker', onNewWorker);

		try {
			await expect(mediasoup.createWorker(settings as WorkerSettings)).rejects.toBeInstanceOf(
				TypeError
			);
		} finally {
			mediasoup.observer.off('newworker', onNewWorker);
		}

		expect(onNewWorker).not.toHaveBeenCalled();
		expectNoProcessSignalListenerLeak();
	});

	test('unreadable or invalid DTLS files reject TypeError naming the file', async () => {
		const cases: [WorkerSettings, string][] = [
			[
				{
					dtlsCertificateFile: '/nonexistent/cert.pem',
					dtlsPrivateKeyFile: '/nonexistent/key.pem',
				},
				'/nonexistent/cert.pem',
			],
			[
				{ dtlsCertificateFile: CERT_FILE, dtlsPrivateKeyFile: '/nonexistent/key.pem' },
				'/nonexistent/key.pem',
			],
			[
				{ dtlsCertificateFile: path.join(DATA_DIR, 'garbage.pem'), dtlsPrivateKeyFile: KEY_FILE },
				'garbage.pem',
			],
			[
				{ dtlsCertificateFile: CERT_FILE, dtlsPrivateKeyFile: path.join(DATA_DIR, 'garbage.pem') },
				'garbage.pem',
			],
			[
				{
					dtlsCertificateFile: CERT_FILE,
					dtlsPrivateKeyFile: path.join(DATA_DIR, 'dtls-other-key.pem'),
				},
				'dtls-other-key.pem',
			],
		];
		const onNewWorker = jest.fn();

		mediasoup.observer.on('newworker', onNewWorker);

		try {
			// Several at once: the explanation must not depend on timing.
			for (const [settings, expectedInMessage] of cases) {
				const results = await Promise.allSettled(
					Array.from({ length: 8 }, () => mediasoup.createWorker(settings))
				);

				for (const result of results) {
					expect(result.status).toBe('rejected');

					const reason = (result as PromiseRejectedResult).reason as Error;

					expect(reason).toBeInstanceOf(TypeError);
					expect(reason.message).toContain(expectedInMessage);
				}
			}
		} finally {
			mediasoup.observer.off('newworker', onNewWorker);
		}

		expect(onNewWorker).not.toHaveBeenCalled();
		expectNoProcessSignalListenerLeak();
	});

	test('valid DTLS certificate and key files', async () => {
		const worker = await createWorker({
			dtlsCertificateFile: CERT_FILE,
			dtlsPrivateKeyFile: KEY_FILE,
		});

		expect(worker.pid).toBeGreaterThan(0);
		await expect(worker.dump()).resolves.toMatchObject({ pid: worker.pid });

		const worker2 = await createWorker({
			dtlsCertificateFile: path.join(DATA_DIR, 'dtls-ed25519-cert.pem'),
			dtlsPrivateKeyFile: path.join(DATA_DIR, 'dtls-ed25519-key.pem'),
		});

		expect(worker2.pid).toBeGreaterThan(0);
	});

	test.each<[string, string, RegExp]>([
		[
			'nonexistent',
			'/nonexistent/dir/mediasoup-worker',
			/'\/nonexistent\/dir\/mediasoup-worker'.*ENOENT/,
		],
		['not executable', path.join(PKG_ROOT, 'package.json'), /package\.json'.*EACCES/],
		['exiting at once', '/bin/false', /code:1/],
	])('workerBin %s rejects Error and emits no newworker', async (_name, workerBin, message) => {
		const onNewWorker = jest.fn();

		mediasoup.observer.on('newworker', onNewWorker);

		try {
			const error = await mediasoup.createWorker({ workerBin }).then(
				() => undefined,
				(e: Error) => e
			);

			expect(error).toBeDefined();
			// One of ours: not Node's spawn error with its errno, syscall, spawnargs...
			expect(error).toBeInstanceOf(Error);
			expect(error!.constructor).toBe(Error);
			expect(error!.name).toBe('Error');
			expect(Object.keys(error!)).toEqual([]);
			expect(error!.message).toMatch(message);
		} finally {
			mediasoup.observer.off('newworker', onNewWorker);
		}

		expect(onNewWorker).not.toHaveBeenCalled();
		expectNoProcessSignalListenerLeak();
	});

	test('rtcMinPort 0 is accepted; port 0 itself is never handed out', async () => {
		const worker = await createWorker({ rtcMinPort: 0, rtcMaxPort: 9999 });
		const router = await worker.createRouter();
		const webRtcTransport = await router.createWebRtcTransport({
			listenInfos: [
				{ protocol: 'udp', ip: '127.0.0.1' },
				{ protocol: 'tcp', ip: '127.0.0.1' },
			],
		});
		const plainTransport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		});

		for (const port of [
			...webRtcTransport.iceCandidates.map(candidate => candidate.port),
			plainTransport.tuple.localPort,
		]) {
			expect(port).toBeGreaterThanOrEqual(1);
			expect(port).toBeLessThanOrEqual(9999);
		}

		// [0, 1] holds a single real port: once it is taken (or refused to a
		// non-root user), nothing else may be handed out.
		const narrow = await createWorker({ rtcMinPort: 0, rtcMaxPort: 1 });
		const narrowRouter = await narrow.createRouter();
		const attempts = await Promise.allSettled(
			[0, 1].map(() =>
				narrowRouter.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } })
			)
		);
		const bound = attempts.filter(attempt => attempt.status === 'fulfilled');

		expect(bound.length).toBeLessThanOrEqual(1);

		for (const attempt of bound) {
			expect(attempt.value.tuple.localPort).toBe(1);
		}

		for (const attempt of attempts.filter(a => a.status === 'rejected')) {
			expect(attempt.reason).toBeInstanceOf(Error);
			expect((attempt.reason as Error).message).toMatch(/no more available ports/);
		}
	});

	test('adds no listener for process signals', async () => {
		await Promise.all([createWorker(), createWorker()]);

		expectNoProcessSignalListenerLeak();
	});
});

describe('the host process', () => {
	// The application decides how it shuts down: Node's default for these
	// signals (exit by the signal) must still apply with live Workers.
	test.each<[NodeJS.Signals, boolean]>([
		['SIGTERM', false],
		// A Ctrl-C reaches the whole process group, the worker process included.
		['SIGINT', true],
	])('exits on %s (to its process group: %s) and leaves no worker', async (signal, toGroup) => {
		const host = spawnHost(
			`
			const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
			mediasoup.createWorker().then(worker => {
				const after = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
				report({ workerPid: worker.pid, before, after });
				setInterval(() => {}, 1000);
			});
			`,
			{ detached: toGroup }
		);
		const report = await withTimeout(host.report, 'host report');
		const workerPid = report.workerPid as number;

		pids.add(workerPid);

		expect(report.after).toEqual(report.before);
		expect(isProcessAlive(workerPid)).toBe(true);

		process.kill(toGroup ? -host.child.pid! : host.child.pid!, signal);

		expect(await withTimeout(host.exited, `host exit on ${signal}`)).toEqual({
			code: null,
			signal,
		});

		// No orphan.
		await waitForProcessExit(workerPid);
	});

	test('a failed createWorker() leaves nothing that keeps it running', async () => {
		const host = spawnHost(`
			mediasoup.createWorker({ workerBin: '/nonexistent/dir/mediasoup-worker' }).then(
				() => report({ created: true }),
				error =>
					report({
						created: false,
						name: error.name,
						message: error.message,
						// Node's spawn error would carry errno, syscall, spawnargs...
						properties: Object.keys(error),
					})
			);
		`);
		const report = await withTimeout(host.report, 'host report');

		expect(report).toEqual({
			created: false,
			name: 'Error',
			message: expect.stringContaining('/nonexistent/dir/mediasoup-worker'),
			properties: [],
		});

		// Nothing open any more: the process ends by itself.
		expect(await withTimeout(host.exited, 'host exit')).toEqual({ code: 0, signal: null });
	});
});

describe('Worker methods', () => {
	let worker: Worker;

	beforeEach(async () => {
		worker = await createWorker();
	});

	test('dump()', async () => {
		await expect(worker.dump()).resolves.toEqual({
			pid: worker.pid,
			webRtcServerIds: [],
			routerIds: [],
			channelMessageHandlers: {
				channelRequestHandlers: [],
				channelNotificationHandlers: [],
			},
			channelDroppedMessages: 0,
			channelCoalescedNotifications: 0,
		});

		const router = await worker.createRouter();
		const dump = await worker.dump();

		expect(dump.routerIds).toEqual([router.id]);
		expect(dump.channelMessageHandlers.channelRequestHandlers).toContain(router.id);
	});

	test('getResourceUsage()', async () => {
		const usage = await worker.getResourceUsage();

		expect(Object.keys(usage).sort()).toEqual(
			[
				'ru_utime',
				'ru_stime',
				'ru_maxrss',
				'ru_ixrss',
				'ru_idrss',
				'ru_isrss',
				'ru_minflt',
				'ru_majflt',
				'ru_nswap',
				'ru_inblock',
				'ru_oublock',
				'ru_msgsnd',
				'ru_msgrcv',
				'ru_nsignals',
				'ru_nvcsw',
				'ru_nivcsw',
			].sort()
		);

		for (const [key, value] of Object.entries(usage)) {
			expect({ key, type: typeof value }).toEqual({ key, type: 'number' });
			expect(Number.isFinite(value)).toBe(true);
			expect(value).toBeGreaterThanOrEqual(0);
		}

		// ru_maxrss is in KiB: more than 1 MiB, less than 10 GiB.
		expect(usage.ru_maxrss).toBeGreaterThan(1024);
		expect(usage.ru_maxrss).toBeLessThan(10 * 1024 * 1024);
		expect(usage.ru_minflt).toBeGreaterThan(0);
		// Milliseconds of CPU: a fresh worker has not used a minute of it.
		expect(usage.ru_utime + usage.ru_stime).toBeLessThan(60000);
	});

	test('updateSettings() with valid settings', async () => {
		await expect(
			worker.updateSettings({ logLevel: 'debug', logTags: ['info', 'ice'] })
		).resolves.toBeUndefined();
		await expect(worker.updateSettings({ logLevel: 'none' })).resolves.toBeUndefined();
		await expect(worker.updateSettings({ logTags: [] })).resolves.toBeUndefined();
		await expect(worker.updateSettings()).resolves.toBeUndefined();

		// Still working.
		await expect(worker.dump()).resolves.toMatchObject({ pid: worker.pid });
	});

	test('updateSettings() with invalid settings rejects TypeError', async () => {
		await expect(worker.updateSettings({ logLevel: 'chicken' as never })).rejects.toBeInstanceOf(
			TypeError
		);
		await expect(worker.updateSettings({ logTags: 'info' as never })).rejects.toBeInstanceOf(
			TypeError
		);

		// Still working.
		await expect(worker.dump()).resolves.toMatchObject({ pid: worker.pid });
	});

	test('createRouter() with mediaCodecs', async () => {
		const onNewRouter = jest.fn();

		worker.observer.once('newrouter', onNewRouter);

		const router = await worker.createRouter({ mediaCodecs, appData: { foo: 123 } });

		expect(onNewRouter).toHaveBeenCalledTimes(1);
		expect(onNewRouter).toHaveBeenCalledWith(router);
		expect(router.closed).toBe(false);
		expect(router.appData).toEqual({ foo: 123 });
		expect(router.rtpCapabilities).toEqual(
			mediasoup.ortc.generateRouterRtpCapabilities(mediaCodecs)
		);
		expect(router.rtpCapabilities.codecs!.map(c => [c.mimeType, c.preferredPayloadType])).toEqual([
			['audio/opus', 100],
			['video/VP8', 101],
			['video/rtx', 102],
		]);
		expect((await worker.dump()).routerIds).toEqual([router.id]);
	});

	test('createRouter() does not mutate the given mediaCodecs', async () => {
		const given: RouterRtpCodecCapability[] = [
			{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
			{ kind: 'video', mimeType: 'video/H264', clockRate: 90000 },
		];
		const copy = JSON.parse(JSON.stringify(given)) as RouterRtpCodecCapability[];

		await worker.createRouter({ mediaCodecs: given });

		expect(given).toEqual(copy);
	});

	test.each<[string, unknown, typeof TypeError | typeof UnsupportedError]>([
		['mediaCodecs not an array', { mediaCodecs: 'foo' }, TypeError],
		['mediaCodecs entry not an object', { mediaCodecs: [null] }, TypeError],
		['mimeType missing', { mediaCodecs: [{ kind: 'audio', clockRate: 48000 }] }, TypeError],
		[
			'clockRate not a number',
			{ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: '48000', channels: 2 }] },
			TypeError,
		],
		[
			'duplicated preferredPayloadType',
			{
				mediaCodecs: [
					{
						kind: 'audio',
						mimeType: 'audio/opus',
						clockRate: 48000,
						channels: 2,
						preferredPayloadType: 100,
					},
					{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 100 },
				],
			},
			TypeError,
		],
		['appData not an object', { appData: 'NOT-AN-OBJECT' }, TypeError],
		[
			'unsupported codec',
			{ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/chicken', clockRate: 8000 }] },
			UnsupportedError,
		],
		[
			'H265',
			{ mediaCodecs: [{ kind: 'video', mimeType: 'video/H265', clockRate: 90000 }] },
			UnsupportedError,
		],
		[
			'opus without channels: 2',
			{ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000 }] },
			UnsupportedError,
		],
	])('createRouter() with %s rejects', async (_name, options, ErrorClass) => {
		const existing = await worker.createRouter();
		const routerIdsBefore = (await worker.dump()).routerIds;
		const onNewRouter = jest.fn();

		worker.observer.on('newrouter', onNewRouter);

		await expect(worker.createRouter(options as never)).rejects.toBeInstanceOf(ErrorClass);

		// Nothing reached the worker.
		expect(routerIdsBefore).toEqual([existing.id]);
		expect((await worker.dump()).routerIds).toEqual(routerIdsBefore);
		expect(onNewRouter).not.toHaveBeenCalled();
	});

	test('createRouter() with more codecs than payload types rejects Error', async () => {
		// Each video codec takes two dynamic payload types (codec + RTX): 32 in all.
		const many: RouterRtpCodecCapability[] = Array.from({ length: 17 }, () => ({
			kind: 'video',
			mimeType: 'video/VP8',
			clockRate: 90000,
		}));

		const error = await worker.createRouter({ mediaCodecs: many }).then(
			() => undefined,
			(e: Error) => e
		);

		expect(error).toBeInstanceOf(Error);
		expect(error!.constructor).toBe(Error);
		expect(error!.message).toBe('cannot allocate more dynamic codec payload types');
		expect((await worker.dump()).routerIds).toEqual([]);
	});
});

describe('close()', () => {
	test('closes routers, emits observer close and later subprocessclose', async () => {
		const worker = await createWorker();
		const pid = worker.pid;
		const routers = await Promise.all([worker.createRouter(), worker.createRouter()]);
		const events: string[] = [];

		routers.forEach((router, idx) => {
			router.on('workerclose', () => events.push(`router${idx} workerclose`));
			router.observer.on('close', () => events.push(`router${idx} observer close`));
		});
		worker.on('died', () => events.push('died'));
		worker.on('subprocessclose', () => events.push('subprocessclose'));
		worker.observer.on('close', () => events.push('observer close'));

		worker.close();

		expect(worker.closed).toBe(true);
		expect(worker.died).toBe(false);
		expect(worker.subprocessClosed).toBe(false);
		expect(routers.every(router => router.closed)).toBe(true);
		expect(events).toEqual([
			'router0 workerclose',
			'router0 observer close',
			'router1 workerclose',
			'router1 observer close',
			'observer close',
		]);
		expectNoProcessSignalListenerLeak();

		// Idempotent.
		worker.close();

		expect(events.filter(e => e === 'observer close')).toHaveLength(1);

		await waitForEvent(worker, 'subprocessclose');

		expect(worker.subprocessClosed).toBe(true);

		// The OS process is really gone.
		await waitForProcessExit(pid);

		// Nothing else is emitted afterwards.
		await sleep(50);

		expect(events.slice(5)).toEqual(['subprocessclose']);
	});

	test('methods reject WorkerClosedError afterwards', async () => {
		const worker = await createWorker();

		worker.close();

		await expect(worker.dump()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(worker.getResourceUsage()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(worker.updateSettings({ logLevel: 'debug' })).rejects.toBeInstanceOf(
			WorkerClosedError
		);
		await expect(worker.createRouter()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(worker.createRouter({ mediaCodecs })).rejects.toBeInstanceOf(WorkerClosedError);

		// The closed check comes first (issue 10).
		await expect(worker.updateSettings({ logLevel: 'chicken' as never })).rejects.toBeInstanceOf(
			WorkerClosedError
		);
		await expect(worker.createRouter({ mediaCodecs: 'foo' as never })).rejects.toBeInstanceOf(
			WorkerClosedError
		);
	});

	test('requests pending at close() reject WorkerClosedError', async () => {
		const worker = await createWorker();
		const dumpPromise = worker.dump();
		const usagePromise = worker.getResourceUsage();
		const routerPromise = worker.createRouter({ mediaCodecs });

		worker.close();

		await expect(dumpPromise).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(usagePromise).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(routerPromise).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('worker process death', () => {
	test('SIGKILL emits died, closes everything and rejects pending requests', async () => {
		const worker = await createWorker();
		const pid = worker.pid;
		const routers = await Promise.all([worker.createRouter(), worker.createRouter()]);
		const events: string[] = [];
		const states: Record<string, [boolean, boolean, boolean]> = {};
		const state = (): [boolean, boolean, boolean] => [
			worker.closed,
			worker.died,
			worker.subprocessClosed,
		];
		let diedError: Error | undefined;
		let eventsAfterDiedTick: string[] | undefined;

		routers.forEach((router: Router, idx) => {
			router.on('workerclose', () => events.push(`router${idx} workerclose`));
			router.observer.on('close', () => events.push(`router${idx} observer close`));
		});
		worker.on('died', error => {
			diedError = error;
			states.died = state();
			events.push('died');
			setImmediate(() => (eventsAfterDiedTick = [...events]));
		});
		worker.on('subprocessclose', () => {
			states.subprocessclose = state();
			events.push('subprocessclose');
		});
		worker.observer.on('close', () => events.push('observer close'));

		// Freeze the worker so the request cannot be answered, then kill it.
		process.kill(pid, 'SIGSTOP');

		const pendingDump = worker.dump();
		const died = waitForEvent(worker, 'died');

		process.kill(pid, 'SIGKILL');

		await expect(pendingDump).rejects.toBeInstanceOf(WorkerClosedError);
		await died;
		await sleep(20);

		expect(diedError).toBeInstanceOf(Error);
		expect(diedError!.message).toBe(`[pid:${pid}, code:null, signal:SIGKILL]`);
		expect(states.died).toEqual([true, true, true]);
		expect(states.subprocessclose).toEqual([true, true, true]);
		expect(events).toEqual([
			'router0 workerclose',
			'router0 observer close',
			'router1 workerclose',
			'router1 observer close',
			'died',
			'subprocessclose',
			'observer close',
		]);
		// subprocessclose follows died right away.
		expect(eventsAfterDiedTick).toEqual(events);
		expect(routers.every(router => router.closed)).toBe(true);
		expectNoProcessSignalListenerLeak();

		await expect(worker.dump()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(worker.getResourceUsage()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(worker.updateSettings({ logLevel: 'debug' })).rejects.toBeInstanceOf(
			WorkerClosedError
		);
		await expect(worker.createRouter()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(routers[0].dump()).rejects.toBeInstanceOf(WorkerClosedError);

		// close() afterwards is a no-op.
		worker.close();

		await sleep(20);

		expect(events).toHaveLength(7);
		expect(worker.died).toBe(true);
	});

	// SIGINT and SIGTERM make the worker close itself and exit with code 0;
	// still not asked for by the application, so it died.
	test.each<[NodeJS.Signals, string]>([
		['SIGINT', 'code:0, signal:null'],
		['SIGTERM', 'code:0, signal:null'],
		['SIGKILL', 'code:null, signal:SIGKILL'],
	])('%s sent to the worker process by another process emits died', async (signal, exit) => {
		const worker = await createWorker();
		const pid = worker.pid;
		const router = await worker.createRouter();
		const webRtcServer = await worker.createWebRtcServer({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		});
		const events: string[] = [];
		let stateAtDied: boolean[] = [];

		router.on('workerclose', () => events.push('router workerclose'));
		webRtcServer.on('workerclose', () => events.push('webRtcServer workerclose'));
		worker.on('died', () => {
			stateAtDied = [worker.closed, worker.died, worker.subprocessClosed];
			events.push('died');
		});
		worker.on('subprocessclose', () => events.push('subprocessclose'));
		worker.observer.on('close', () => events.push('observer close'));

		const died = waitForEvent<[Error]>(worker, 'died');

		process.kill(pid, signal);

		const [error] = await died;

		expect(error).toBeInstanceOf(Error);
		expect(error.message).toBe(`[pid:${pid}, ${exit}]`);
		expect(stateAtDied).toEqual([true, true, true]);
		expect(events).toEqual([
			'router workerclose',
			'webRtcServer workerclose',
			'died',
			'subprocessclose',
			'observer close',
		]);
		expect(router.closed).toBe(true);
		expect(webRtcServer.closed).toBe(true);
		await expect(worker.dump()).rejects.toBeInstanceOf(WorkerClosedError);

		await waitForProcessExit(pid);
	});

	test('worker process ignores PIPE, HUP, ALRM, USR1 and USR2 signals', async () => {
		const worker = await createWorker();
		const onDied = jest.fn();

		worker.on('died', onDied);

		for (const signal of ['SIGPIPE', 'SIGHUP', 'SIGALRM', 'SIGUSR1', 'SIGUSR2'] as const) {
			process.kill(worker.pid, signal);
		}

		await sleep(100);

		await expect(worker.dump()).resolves.toMatchObject({ pid: worker.pid });
		expect(onDied).not.toHaveBeenCalled();
		expect(worker.closed).toBe(false);
		expect(isProcessAlive(worker.pid)).toBe(true);
	});

	test('a throwing died listener emits listenererror', async () => {
		const worker = await createWorker();
		const boom = new Error('boom');
		const onObserverClose = jest.fn();
		const onSubprocessClose = jest.fn();

		worker.on('died', () => {
			throw boom;
		});
		worker.on('subprocessclose', onSubprocessClose);
		worker.observer.on('close', onObserverClose);

		const listenerError = waitForEvent<[string, Error]>(worker, 'listenererror');

		process.kill(worker.pid, 'SIGKILL');

		const [eventName, error] = await listenerError;

		expect(eventName).toBe('died');
		expect(error).toBe(boom);

		await sleep(10);

		// The rest of the sequence still happened.
		expect(onSubprocessClose).toHaveBeenCalledTimes(1);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(worker.died).toBe(true);
	});
});
