import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { execFileSync } from 'node:child_process';
import * as mediasoup from '../';
import type { Worker } from '../WorkerTypes';

type MediasoupModule = typeof mediasoup;

const PKG_ROOT = path.join(__dirname, '..', '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(PKG_ROOT, 'package.json'), 'utf8')) as {
	version: string;
	exports: Record<string, string | { types?: string; default?: string }>;
};
const RELEASE_WORKER_BIN = path.join(PKG_ROOT, 'worker', 'out', 'Release', 'mediasoup-worker');
const DEBUG_WORKER_BIN = path.join(PKG_ROOT, 'worker', 'out', 'Debug', 'mediasoup-worker');

const workers: Worker[] = [];

afterEach(() => {
	mediasoup.setLogEventListeners();

	for (const worker of workers.splice(0)) {
		worker.close();
	}
});

/**
 * Loads a fresh copy of the module (src or compiled lib) with the given
 * environment variables set (undefined = unset), restoring them afterwards.
 */
function loadWithEnv(
	env: Record<string, string | undefined>,
	which: 'src' | 'lib' = 'src'
): MediasoupModule {
	const saved: Record<string, string | undefined> = {};

	for (const key of Object.keys(env)) {
		saved[key] = process.env[key];

		if (env[key] === undefined) {
			delete process.env[key];
		} else {
			process.env[key] = env[key];
		}
	}

	let mod: MediasoupModule | undefined;

	try {
		jest.isolateModules(() => {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			mod = require(which === 'src' ? '../index' : '../../lib/index.js') as MediasoupModule;
		});
	} finally {
		for (const key of Object.keys(saved)) {
			if (saved[key] === undefined) {
				delete process.env[key];
			} else {
				process.env[key] = saved[key];
			}
		}
	}

	return mod!;
}

describe('module exports', () => {
	test('version is the one in package.json', () => {
		expect(typeof mediasoup.version).toBe('string');
		expect(mediasoup.version).toBe(PKG.version);
	});

	test('exports the documented names', () => {
		expect(typeof mediasoup.createWorker).toBe('function');
		expect(typeof mediasoup.setLogEventListeners).toBe('function');
		expect(typeof mediasoup.getSupportedRtpCapabilities).toBe('function');
		expect(typeof mediasoup.parseScalabilityMode).toBe('function');
		expect(mediasoup.observer).toBeInstanceOf(mediasoup.extras.EnhancedEventEmitter);
		expect(typeof mediasoup.workerBin).toBe('string');
		expect(typeof mediasoup.errors).toBe('object');
		expect(typeof mediasoup.ortc).toBe('object');
		expect(typeof mediasoup.extras).toBe('object');
		expect(typeof mediasoup.types).toBe('object');
	});

	test('ortc namespace exposes the ORTC helpers', () => {
		for (const name of [
			'validateAndNormalizeRtpCapabilities',
			'validateAndNormalizeRtpParameters',
			'generateRouterRtpCapabilities',
			'getProducerRtpParametersMapping',
			'getConsumableRtpParameters',
			'canConsume',
			'getConsumerRtpParameters',
			'getPipeConsumerRtpParameters',
		] as const) {
			expect(typeof mediasoup.ortc[name]).toBe('function');
		}
	});

	test('ortc.generateRouterRtpCapabilities() assigns payload types as documented', () => {
		const caps = mediasoup.ortc.generateRouterRtpCapabilities([
			{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
			{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 125 },
			{ kind: 'video', mimeType: 'video/H264', clockRate: 90000 },
		]);

		expect(caps.codecs!.map(c => [c.mimeType, c.preferredPayloadType, c.parameters])).toEqual([
			['audio/opus', 100, {}],
			['video/VP8', 125, {}],
			['video/rtx', 101, { apt: 125 }],
			['video/H264', 102, { 'level-asymmetry-allowed': 1 }],
			['video/rtx', 103, { apt: 102 }],
		]);
	});
});

describe('workerBin', () => {
	test('defaults to <package root>/worker/out/Release/mediasoup-worker', () => {
		expect(path.isAbsolute(mediasoup.workerBin)).toBe(true);
		expect(path.normalize(mediasoup.workerBin)).toBe(RELEASE_WORKER_BIN);
		expect(fs.existsSync(mediasoup.workerBin)).toBe(true);
	});

	test.each(['src', 'lib'] as const)(
		'default path is the same from the %s build with no env set',
		which => {
			const mod = loadWithEnv(
				{ MEDIASOUP_WORKER_BIN: undefined, MEDIASOUP_BUILDTYPE: undefined },
				which
			);

			expect(path.normalize(mod.workerBin)).toBe(RELEASE_WORKER_BIN);
		}
	);

	test.each(['src', 'lib'] as const)('MEDIASOUP_BUILDTYPE=Debug selects Debug (%s)', which => {
		const mod = loadWithEnv(
			{ MEDIASOUP_WORKER_BIN: undefined, MEDIASOUP_BUILDTYPE: 'Debug' },
			which
		);

		expect(path.normalize(mod.workerBin)).toBe(DEBUG_WORKER_BIN);
	});

	test('MEDIASOUP_BUILDTYPE other than Debug keeps Release', () => {
		expect(
			path.normalize(
				loadWithEnv({ MEDIASOUP_WORKER_BIN: undefined, MEDIASOUP_BUILDTYPE: 'Release' }).workerBin
			)
		).toBe(RELEASE_WORKER_BIN);
		expect(
			path.normalize(
				loadWithEnv({ MEDIASOUP_WORKER_BIN: undefined, MEDIASOUP_BUILDTYPE: 'Foo' }).workerBin
			)
		).toBe(RELEASE_WORKER_BIN);
	});

	test.each(['src', 'lib'] as const)('MEDIASOUP_WORKER_BIN is used verbatim (%s)', which => {
		for (const value of ['/opt/somewhere/my-worker', 'relative/./dir/../worker-bin']) {
			const mod = loadWithEnv({ MEDIASOUP_WORKER_BIN: value, MEDIASOUP_BUILDTYPE: 'Debug' }, which);

			expect(mod.workerBin).toBe(value);
		}
	});

	test('createWorker() spawns the MEDIASOUP_WORKER_BIN executable', async () => {
		const missing = loadWithEnv({ MEDIASOUP_WORKER_BIN: '/nonexistent/dir/mediasoup-worker' });

		// Errors created by Node internals come from another realm under Jest,
		// hence toThrow() rather than toBeInstanceOf(Error).
		await expect(missing.createWorker()).rejects.toThrow(/ENOENT/);

		const real = loadWithEnv({ MEDIASOUP_WORKER_BIN: RELEASE_WORKER_BIN });
		const worker = await real.createWorker();

		workers.push(worker);

		expect(worker.pid).toBeGreaterThan(0);
		expect(worker.closed).toBe(false);
	});
});

describe('getSupportedRtpCapabilities()', () => {
	test('returns the supported codecs and header extensions', () => {
		const caps = mediasoup.getSupportedRtpCapabilities();

		expect(caps.codecs).toHaveLength(25);
		expect(caps.codecs![0]).toMatchObject({
			kind: 'audio',
			mimeType: 'audio/opus',
			clockRate: 48000,
			channels: 2,
		});
		expect(caps.codecs!.some(c => /h265/i.test(c.mimeType))).toBe(false);
		expect(caps.codecs!.filter(c => c.kind === 'video').map(c => c.mimeType)).toEqual([
			'video/VP8',
			'video/VP9',
			'video/H264',
			'video/AV1',
		]);
		expect(
			caps.codecs!.filter(c => c.preferredPayloadType !== undefined).map(c => c.mimeType)
		).toEqual(['audio/PCMU', 'audio/PCMA', 'audio/G722', 'audio/CN', 'audio/CN', 'audio/CN']);
		expect(caps.headerExtensions!.map(e => [e.preferredId, e.kind, e.direction])).toEqual([
			[1, 'audio', 'sendrecv'],
			[1, 'video', 'sendrecv'],
			[2, 'video', 'recvonly'],
			[3, 'video', 'recvonly'],
			[4, 'audio', 'sendrecv'],
			[4, 'video', 'sendrecv'],
			[5, 'audio', 'recvonly'],
			[5, 'video', 'sendrecv'],
			[6, 'audio', 'sendrecv'],
			[7, 'video', 'recvonly'],
			[8, 'video', 'sendrecv'],
			[9, 'video', 'sendrecv'],
			[10, 'audio', 'sendrecv'],
			[10, 'video', 'sendrecv'],
			[11, 'audio', 'sendrecv'],
			[11, 'video', 'sendrecv'],
			[12, 'audio', 'sendrecv'],
			[12, 'video', 'sendrecv'],
		]);
		expect(caps.headerExtensions!.every(e => e.preferredEncrypt === false)).toBe(true);
	});

	test('returns a fresh deep clone on each call', () => {
		const first = mediasoup.getSupportedRtpCapabilities();
		const second = mediasoup.getSupportedRtpCapabilities();

		expect(first).not.toBe(second);
		expect(first.codecs).not.toBe(second.codecs);
		expect(first.codecs![0]).not.toBe(second.codecs![0]);
		expect(first.codecs![0].rtcpFeedback).not.toBe(second.codecs![0].rtcpFeedback);
		expect(first.headerExtensions).not.toBe(second.headerExtensions);
		expect(first).toEqual(second);

		// Mutating a result must not affect the next ones.
		first.codecs![0].mimeType = 'audio/chicken';
		first.codecs![0].rtcpFeedback!.push({ type: 'foo', parameter: 'bar' });
		first.codecs![1].parameters!.num_streams = 99;
		first.codecs!.pop();
		first.headerExtensions![0].uri = 'urn:chicken' as never;
		first.headerExtensions!.length = 0;

		const third = mediasoup.getSupportedRtpCapabilities();

		expect(third).toEqual(second);
		expect(third.codecs![0].mimeType).toBe('audio/opus');
		expect(third.codecs).toHaveLength(25);
		expect(third.headerExtensions).toHaveLength(18);
	});
});

describe('parseScalabilityMode()', () => {
	test.each([
		['L1T3', { spatialLayers: 1, temporalLayers: 3, ksvc: false }],
		['L3T3_KEY', { spatialLayers: 3, temporalLayers: 3, ksvc: true }],
		['S2T3', { spatialLayers: 2, temporalLayers: 3, ksvc: false }],
		['foo', { spatialLayers: 1, temporalLayers: 1, ksvc: false }],
		[undefined, { spatialLayers: 1, temporalLayers: 1, ksvc: false }],
	])('%p', (input, expected) => {
		expect(mediasoup.parseScalabilityMode(input)).toEqual(expected);
	});
});

describe('errors', () => {
	test.each(['UnsupportedError', 'WorkerClosedError', 'NotFoundError'] as const)('%s', name => {
		const ErrorClass = mediasoup.errors[name];
		const error = new ErrorClass('some message');

		expect(error).toBeInstanceOf(Error);
		expect(error).toBeInstanceOf(ErrorClass);
		expect(error.name).toBe(name);
		expect(error.message).toBe('some message');
		expect(typeof error.stack).toBe('string');
		expect(error.stack).toContain(name);
		expect(String(error)).toBe(`${name}: some message`);

		for (const other of ['UnsupportedError', 'WorkerClosedError', 'NotFoundError'] as const) {
			if (other !== name) {
				expect(error).not.toBeInstanceOf(mediasoup.errors[other]);
			}
		}
	});

	test('there is no InvalidStateError', () => {
		expect((mediasoup.errors as Record<string, unknown>).InvalidStateError).toBeUndefined();
	});
});

describe('extras', () => {
	const { EnhancedEventEmitter, enhancedOnce } = mediasoup.extras;

	type TestEvents = {
		foo: [number, string];
		bar: [];
		listenererror: [string, Error];
	};

	test('EnhancedEventEmitter is an EventEmitter with unlimited listeners', () => {
		const emitter = new EnhancedEventEmitter<TestEvents>();

		expect(emitter).toBeInstanceOf(EventEmitter);
		expect(emitter.getMaxListeners()).toBe(Infinity);
	});

	test('chainable methods return the emitter', () => {
		const emitter = new EnhancedEventEmitter<TestEvents>();
		const listener = (): void => {};

		expect(emitter.on('bar', listener)).toBe(emitter);
		expect(emitter.addListener('bar', listener)).toBe(emitter);
		expect(emitter.prependListener('bar', listener)).toBe(emitter);
		expect(emitter.once('bar', listener)).toBe(emitter);
		expect(emitter.prependOnceListener('bar', listener)).toBe(emitter);
		expect(emitter.listenerCount('bar')).toBe(5);
		expect(emitter.listeners('bar')).toHaveLength(5);
		expect(emitter.rawListeners('bar')).toHaveLength(5);
		expect(emitter.off('bar', listener)).toBe(emitter);
		expect(emitter.removeListener('bar', listener)).toBe(emitter);
		expect(emitter.listenerCount('bar')).toBe(3);
		expect(emitter.removeAllListeners('bar')).toBe(emitter);
		expect(emitter.listenerCount('bar')).toBe(0);
	});

	test('safeEmit() passes arguments and reports whether there were listeners', () => {
		const emitter = new EnhancedEventEmitter<TestEvents>();
		const received: unknown[][] = [];

		expect(emitter.safeEmit('foo', 1, 'a')).toBe(false);

		emitter.on('foo', (...args) => received.push(args));

		expect(emitter.safeEmit('foo', 2, 'b')).toBe(true);
		expect(received).toEqual([[2, 'b']]);
	});

	test('safeEmit() turns a throwing listener into listenererror', () => {
		const emitter = new EnhancedEventEmitter<TestEvents>();
		const boom = new Error('boom');
		const onListenerError = jest.fn();

		emitter.on('foo', () => {
			throw boom;
		});
		emitter.on('listenererror', onListenerError);

		expect(() => emitter.safeEmit('foo', 1, 'x')).not.toThrow();
		expect(onListenerError).toHaveBeenCalledTimes(1);
		expect(onListenerError).toHaveBeenCalledWith('foo', boom);

		// Without a listenererror listener it does not throw either.
		emitter.removeAllListeners('listenererror');

		expect(() => emitter.safeEmit('foo', 1, 'x')).not.toThrow();

		// Whereas emit() lets the error propagate.
		expect(() => emitter.emit('foo', 1, 'x')).toThrow(boom);
	});

	test('enhancedOnce() resolves with the event arguments', async () => {
		const emitter = new EnhancedEventEmitter<TestEvents>();
		const promise = enhancedOnce(emitter, 'foo');

		expect(emitter.listenerCount('foo')).toBe(1);

		emitter.safeEmit('foo', 7, 'seven');

		await expect(promise).resolves.toEqual([7, 'seven']);
		expect(emitter.listenerCount('foo')).toBe(0);
	});

	test('enhancedOnce() honours an AbortSignal', async () => {
		const emitter = new EnhancedEventEmitter<TestEvents>();
		const controller = new AbortController();
		const promise = enhancedOnce(emitter, 'bar', { signal: controller.signal });

		controller.abort();

		await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
		expect(emitter.listenerCount('bar')).toBe(0);
	});
});

describe('observer', () => {
	test('emits newworker before createWorker() resolves', async () => {
		let resolved = false;
		const seen: { worker: Worker; resolvedAtEmit: boolean }[] = [];
		const onNewWorker = (worker: Worker): void => {
			seen.push({ worker, resolvedAtEmit: resolved });
		};

		mediasoup.observer.on('newworker', onNewWorker);

		try {
			const promise = mediasoup.createWorker().then(worker => {
				resolved = true;

				return worker;
			});
			const worker = await promise;

			workers.push(worker);

			expect(seen).toHaveLength(1);
			expect(seen[0].worker).toBe(worker);
			expect(seen[0].resolvedAtEmit).toBe(false);
		} finally {
			mediasoup.observer.off('newworker', onNewWorker);
		}
	});

	test('does not emit newworker when createWorker() fails', async () => {
		const onNewWorker = jest.fn();

		mediasoup.observer.on('newworker', onNewWorker);

		try {
			await expect(mediasoup.createWorker({ logLevel: 'chicken' as never })).rejects.toBeInstanceOf(
				TypeError
			);
			await expect(
				mediasoup.createWorker({ workerBin: '/nonexistent/mediasoup-worker' })
			).rejects.toThrow(/ENOENT/);

			expect(onNewWorker).not.toHaveBeenCalled();
		} finally {
			mediasoup.observer.off('newworker', onNewWorker);
		}
	});
});

describe('package subpath exports', () => {
	test('package.json declares the documented subpaths', () => {
		expect(Object.keys(PKG.exports).sort()).toEqual(
			['.', './errors', './extras', './ortc', './package.json', './types'].sort()
		);
	});

	test('every file they point at exists in the build', () => {
		for (const [subpath, target] of Object.entries(PKG.exports)) {
			const files = typeof target === 'string' ? [target] : Object.values(target);

			expect(files.length).toBeGreaterThan(0);

			for (const file of files) {
				expect({ subpath, file, exists: fs.existsSync(path.join(PKG_ROOT, file!)) }).toEqual({
					subpath,
					file,
					exists: true,
				});
			}
		}
	});

	test('subpaths resolve through Node package self-reference', () => {
		const script = `
			const main = require('mediasoup');
			const errors = require('mediasoup/errors');
			const ortc = require('mediasoup/ortc');
			const extras = require('mediasoup/extras');
			require('mediasoup/types');
			const pkg = require('mediasoup/package.json');
			process.stdout.write(JSON.stringify({
				version: main.version,
				pkgVersion: pkg.version,
				errors: Object.keys(errors).sort(),
				sameErrors: errors.UnsupportedError === main.errors.UnsupportedError,
				ortc: typeof ortc.generateRouterRtpCapabilities,
				extras: Object.keys(extras).sort(),
				sameEmitter: extras.EnhancedEventEmitter === main.extras.EnhancedEventEmitter,
			}));
		`;
		const output = execFileSync(process.execPath, ['-e', script], {
			cwd: PKG_ROOT,
			encoding: 'utf8',
		});

		expect(JSON.parse(output)).toEqual({
			version: PKG.version,
			pkgVersion: PKG.version,
			errors: ['NotFoundError', 'UnsupportedError', 'WorkerClosedError'],
			sameErrors: true,
			ortc: 'function',
			extras: ['EnhancedEventEmitter', 'enhancedOnce'],
			sameEmitter: true,
		});
	});
});

describe('setLogEventListeners()', () => {
	test('relays worker logs to ondebug', async () => {
		const debugLogs: [string, string][] = [];

		mediasoup.setLogEventListeners({
			ondebug: (namespace, log) => debugLogs.push([namespace, log]),
		});

		const worker = await mediasoup.createWorker({ logLevel: 'debug', logTags: ['info'] });

		workers.push(worker);

		// A round trip: every log the worker wrote before is processed by now.
		await worker.dump();

		expect(debugLogs.length).toBeGreaterThan(0);
		expect(debugLogs.every(([namespace]) => namespace.startsWith('mediasoup'))).toBe(true);

		const workerLogs = debugLogs.filter(([, log]) => log.includes(`[pid:${worker.pid}]`));

		expect(workerLogs.length).toBeGreaterThan(0);
		expect(workerLogs.every(([namespace]) => namespace.startsWith('mediasoup:'))).toBe(true);
	});

	test('onerror receives errors with the mediasoup:ERROR: namespace', () => {
		const errorLogs: [string, string, Error | undefined][] = [];

		mediasoup.setLogEventListeners({
			onerror: (namespace, log, error) => errorLogs.push([namespace, log, error]),
		});

		const emitter = new mediasoup.extras.EnhancedEventEmitter<{ foo: [] }>();
		const boom = new Error('boom');

		emitter.on('foo', () => {
			throw boom;
		});
		emitter.safeEmit('foo');

		expect(errorLogs.length).toBeGreaterThan(0);
		expect(errorLogs.every(([namespace]) => namespace.startsWith('mediasoup:ERROR:'))).toBe(true);
		expect(errorLogs.some(([, , error]) => error === boom)).toBe(true);
	});

	test('absent callbacks are disabled and no argument disables all', async () => {
		const ondebug = jest.fn();
		const onerror = jest.fn();

		// Only onerror: debug logs must not break anything.
		mediasoup.setLogEventListeners({ onerror });

		const worker = await mediasoup.createWorker({ logLevel: 'debug', logTags: ['info'] });

		workers.push(worker);

		mediasoup.setLogEventListeners({ ondebug });

		await worker.createRouter();

		expect(ondebug).toHaveBeenCalled();

		mediasoup.setLogEventListeners();
		ondebug.mockClear();
		onerror.mockClear();

		const router = await worker.createRouter();

		router.close();
		await worker.dump();

		expect(ondebug).not.toHaveBeenCalled();
		expect(onerror).not.toHaveBeenCalled();
	});
});
