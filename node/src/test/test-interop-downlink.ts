/// <reference lib="dom" />

// Each receiver gets what its own link can carry (issue 12), seen by real
// receivers: headless Chromium A (with the worker, in the test network
// namespace) runs the mediasoup-client test app and sends a 1280x720 camera
// plus the fake microphone's beep; Chromium B, in a namespace of its own
// joined to the first by a veth pair, consumes. B's downlink (the egress of
// the veth end that carries traffic towards B) is limited with the kernel's
// token bucket filter (helpers/netnsShaping): a queue, like a real
// bottleneck, not a policer. The worker must then forward the layers that
// fit (currentLayers / layerschange), B must keep decoding with little loss,
// and audio must never stop; when the limit goes, B must climb back.
//
// One browser pair, one worker, one Router and A's audio + VP8 simulcast
// producers serve the whole file (encoders take a while to ramp up); each
// test opens a fresh page in B, so it gets one new recv transport.
//
// Conditions are polled against B's RTCPeerConnection stats, sampled every
// second; a failure prints the samples. Deadlines are the (10 s to
// switch down, 30 s to climb back) or generous caps for a small shared
// machine, never performance figures.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import * as mediasoup from '../';
import type {
	Consumer,
	ConsumerLayers,
	Producer,
	Router,
	RouterRtpCodecCapability,
	WebRtcTransport,
	Worker,
} from '../types';
import type {
	InteropApi,
	InteropConsumerStats,
	InteropEncoding,
	InteropOutboundRtp,
	InteropRecvTransportStats,
} from './fixtures/interop-client/api';
import { launchBrowser, type TestBrowser } from './helpers/browser';
import { fakeCameraArg, makeFakeCameraFile } from './helpers/fakeCamera';
import { InteropServer } from './helpers/interopServer';
import { createTestNetwork, type TestNetwork } from './helpers/netns';
import { createPeerNetwork, PEER_NEAR_IF } from './helpers/netnsPeer';
import { createShaper, hasTc, type Shaper } from './helpers/netnsShaping';
import { runCleanups } from './helpers/cleanups';
import { sleep } from './helpers/media-tools';

const SETUP_TIMEOUT = 90000;
const TEST_TIMEOUT = 120000;
// B's stats are sampled this often: "grows every second" is checked from
// one sample to the next.
const SAMPLE_MS = 1000;
// Issue 12's deadlines.
const SWITCH_DOWN_MS = 10000;
const CLIMB_BACK_MS = 30000;
// Caps for things that do not depend on the worker's adaptation (a new
// consumer decoding, a key frame after a switch) on a small shared machine.
const WAIT_MS = 30000;
// Samples checked after B's consumer switched down.
const SAMPLES_AFTER_SWITCH = 5;
const MAX_LOSS_AFTER_SWITCH = 0.05;

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
	{ kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } },
];

// 15 fps halves the encoders' CPU on a small shared machine; the size is
// what gives simulcast its three layers.
const CAMERA = { width: 1280, height: 720, frameRate: 15 };
const FULL = { width: 1280, height: 720 };
const HALF = { width: 640, height: 360 };
const QUARTER = { width: 320, height: 180 };

/**
 * Three simulcast encodings (quarter, half, full size) with fixed ceilings,
 * so that which layers fit in a given budget is known: 80 + 300 kbit/s fit
 * in 600 kbit/s, 300 + 300 or 1000 do not (the priority test's arithmetic).
 */
function simulcast(scalabilityMode: 'L1T1' | 'L1T3'): InteropEncoding[] {
	return [
		{ scaleResolutionDownBy: 4, maxBitrate: 80000, scalabilityMode },
		{ scaleResolutionDownBy: 2, maxBitrate: 300000, scalabilityMode },
		{ scaleResolutionDownBy: 1, maxBitrate: 1000000, scalabilityMode },
	];
}

type InteropWindow = { interop: InteropApi };

type LayersEvent = { at: number; layers: ConsumerLayers | undefined };

type Sample = {
	/**
	 * Milliseconds since the test started.
	 */
	at: number;
	limitKbit?: number;
	/**
	 * B's receive stats, by consumer id.
	 */
	consumers: Record<string, InteropConsumerStats>;
	/**
	 * The server-side consumers' currentLayers, by consumer id.
	 */
	layers: Record<string, ConsumerLayers | undefined>;
	/**
	 * B's recv transport as a whole, B's side.
	 */
	recvTransport?: InteropRecvTransportStats;
	/**
	 * B's recv transport on the server.
	 */
	availableOutgoingBitrate?: number;
	sendBitrate?: number;
	rtxSendBitrate?: number;
	probationSendBitrate?: number;
};

type Env = {
	network: TestNetwork;
	peerNetwork: TestNetwork;
	shaper: Shaper;
	worker: Worker;
	router: Router;
	server: InteropServer;
	browserA: TestBrowser;
	browserB: TestBrowser;
	pageA: Page;
	audioProducer: Producer;
	// VP8, 3-layer simulcast, L1T3.
	videoProducer: Producer;
	pageErrors: string[];
	layersEvents: Map<string, LayersEvent[]>;
	cleanups: (() => unknown)[];
};

let current: Env | undefined;
// Per test.
let pageB: Page | undefined;
let monitor: Monitor | undefined;
let testStart = 0;
let testCleanups: (() => unknown)[] = [];

function env(): Env {
	if (!current) {
		throw new Error('no test environment (beforeAll failed)');
	}

	return current;
}

function watchPage(name: string, page: Page, pageErrors: string[]): void {
	page.on('pageerror', error => pageErrors.push(`${name}: ${error.message}`));
	page.on('console', message => {
		if (message.type() === 'error') {
			pageErrors.push(`${name} console: ${message.text()}`);
		}
	});
}

async function join(page: Page, server: InteropServer): Promise<void> {
	await page.goto(server.pageUrl);
	await page.waitForFunction(() => 'interop' in window);

	const { handlerName } = await page.evaluate(
		wsUrl => (window as unknown as InteropWindow).interop.join({ wsUrl }),
		server.wsUrl
	);

	expect(handlerName).toBe('Chrome111');
}

async function produceVideo(
	page: Page,
	codec: 'VP8' | 'VP9',
	encodings: InteropEncoding[]
): Promise<Producer> {
	const producerId = await page.evaluate(
		options => (window as unknown as InteropWindow).interop.produce(options),
		{ kind: 'video' as const, codec, ...CAMERA, encodings }
	);

	return env().server.producers.get(producerId)!;
}

/**
 * Pauses / resumes (signalled to the server) or closes one of A's producers.
 */
async function onA(
	method: 'pauseProducer' | 'resumeProducer' | 'closeProducer',
	producerId: string
): Promise<void> {
	await env().pageA.evaluate(
		([m, id]) => {
			const { interop } = window as unknown as InteropWindow;

			return m === 'closeProducer'
				? interop.closeProducer({ producerId: id })
				: interop[m]({ producerId: id, signal: true });
		},
		[method, producerId] as const
	);
}

async function setUp(): Promise<Env> {
	const cleanups: (() => unknown)[] = [];

	try {
		if (!hasTc()) {
			throw new Error('tc is missing: install the Debian package iproute2');
		}

		const videoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mstest-downlink-'));

		cleanups.push(() => fs.rmSync(videoDir, { recursive: true, force: true }));

		const cameraFile = makeFakeCameraFile({ dir: videoDir, ...CAMERA });
		const network = createTestNetwork();

		cleanups.push(() => network.destroy());

		const peerNetwork = createPeerNetwork(network, { defaultRoute: true });

		cleanups.push(() => peerNetwork.destroy());

		// Egress of the test network's end of the link: what goes to B.
		const shaper = createShaper(network, PEER_NEAR_IF);

		cleanups.push(() => shaper.lift());

		const worker = await mediasoup.createWorker({
			workerBin: network.wrap(mediasoup.workerBin),
			logLevel: process.env.DBG_BWE ? 'debug' : 'warn',
			logTags: process.env.DBG_BWE ? ['bwe'] : [],
		});

		cleanups.push(() => worker.close());

		const router = await worker.createRouter({ mediaCodecs });
		const server = await InteropServer.create({ router, network });

		cleanups.push(() => server.close());
		await server.exposeTo(peerNetwork);

		const layersEvents = new Map<string, LayersEvent[]>();

		// Every layerschange of every consumer, from its creation on.
		server.on('newconsumer', (consumer: Consumer) => {
			const events: LayersEvent[] = [];

			layersEvents.set(consumer.id, events);
			consumer.on('layerschange', layers =>
				events.push({ at: Date.now() - testStart, layers: layers && { ...layers } })
			);
		});

		const browserA = await launchBrowser({
			executablePath: network.wrap('/usr/bin/chromium'),
			extraArgs: [fakeCameraArg(cameraFile)],
		});

		cleanups.push(() => browserA.close());

		const browserB = await launchBrowser({
			executablePath: peerNetwork.wrap('/usr/bin/chromium'),
		});

		cleanups.push(() => browserB.close());

		const pageErrors: string[] = [];
		const pageA = browserA.page;

		watchPage('A', pageA, pageErrors);

		const partial = {
			network,
			peerNetwork,
			shaper,
			worker,
			router,
			server,
			browserA,
			browserB,
			pageA,
			pageErrors,
			layersEvents,
			cleanups,
		};

		// produceVideo() looks the producer up through env().
		current = partial as Env;
		await join(pageA, server);

		const audioProducerId = await pageA.evaluate(
			() => (window as unknown as InteropWindow).interop.produce({ kind: 'audio' }),
			undefined
		);
		const videoProducer = await produceVideo(pageA, 'VP8', simulcast('L1T3'));

		return {
			...partial,
			audioProducer: server.producers.get(audioProducerId)!,
			videoProducer,
		};
	} catch (error) {
		current = undefined;
		await runCleanups(cleanups);

		throw error;
	}
}

// Two Chromium encoders and a worker share 2 cores here: B's arrival times
// jitter by tens of milliseconds, which the estimate reads as congestion now
// and then. One more try of a scenario (a fresh page B, the limit lifted),
// with the first failure logged; a behaviour that is not there fails twice.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

beforeAll(async () => {
	current = await setUp();
}, SETUP_TIMEOUT);

afterAll(async () => {
	const cleanups = current?.cleanups ?? [];

	current = undefined;
	await runCleanups(cleanups);
}, SETUP_TIMEOUT);

beforeEach(async () => {
	const { browserB, server, pageErrors } = env();

	testStart = Date.now();
	pageB = await browserB.context.newPage();
	watchPage('B', pageB, pageErrors);
	await join(pageB, server);
}, SETUP_TIMEOUT);

afterEach(async () => {
	current?.shaper.lift();
	monitor?.stop();
	await monitor?.stopped;
	monitor = undefined;
	// Closing B's page closes its WebSocket, and the server then closes its
	// transport with its consumers.
	await pageB?.close().catch(() => undefined);
	pageB = undefined;
	await runCleanups(testCleanups);
	testCleanups = [];
	current?.pageErrors.splice(0);
	current?.layersEvents.clear();
}, SETUP_TIMEOUT);

// ---- B and the server ------------------------------------------------------

async function consume(producer: Producer): Promise<Consumer> {
	const consumerId = await pageB!.evaluate(
		producerId => (window as unknown as InteropWindow).interop.consume({ producerId }),
		producer.id
	);

	return env().server.consumers.get(consumerId)!;
}

/**
 * B's recv transport on the server (A never consumes, so it is the only
 * one not producing).
 */
function recvTransport(): WebRtcTransport {
	const transports = [...env().server.transports.values()].filter(
		t => t.appData.producing !== true
	);

	if (transports.length !== 1) {
		throw new Error(`expected one recv transport on the server, found ${transports.length}`);
	}

	return transports[0];
}

async function outboundOfA(producerId: string): Promise<InteropOutboundRtp[]> {
	const { outbound } = await env().pageA.evaluate(() =>
		(window as unknown as InteropWindow).interop.sendStats()
	);

	return outbound.filter(o => o.producerId === producerId);
}

function decodes(
	sample: Sample,
	consumer: Consumer,
	{ width, height }: { width: number; height: number }
): boolean {
	const stats = sample.consumers[consumer.id];

	return stats?.frameWidth === width && stats.frameHeight === height;
}

function spatialLayer(sample: Sample, consumer: Consumer): number | undefined {
	return sample.layers[consumer.id]?.spatialLayer;
}

// ---- Sampling and waiting --------------------------------------------------

/**
 * Samples B's stats (and the server's view of the consumers) every
 * SAMPLE_MS until stopped.
 */
class Monitor {
	readonly samples: Sample[] = [];
	readonly stopped: Promise<void>;
	private running = true;
	private waiters: (() => void)[] = [];
	private error?: string;

	constructor(
		private readonly page: Page,
		private readonly consumers: Consumer[]
	) {
		this.stopped = this.run();
	}

	stop(): void {
		this.running = false;
	}

	get last(): Sample | undefined {
		return this.samples[this.samples.length - 1];
	}

	/**
	 * Resolves with the next sample (undefined once stopped).
	 */
	next(): Promise<Sample | undefined> {
		if (!this.running) {
			return Promise.resolve(undefined);
		}

		return new Promise(resolve => {
			this.waiters.push(() => resolve(this.running ? this.last : undefined));
		});
	}

	/**
	 * Waits for the first sample (from now on) that satisfies `predicate`.
	 */
	async waitFor(
		what: string,
		timeoutMs: number,
		predicate: (sample: Sample) => boolean
	): Promise<Sample> {
		const deadline = Date.now() + timeoutMs;

		while (Date.now() <= deadline) {
			const sample = await this.next();

			if (!sample) {
				break;
			}

			if (predicate(sample)) {
				return sample;
			}
		}

		throw new Error(`timed out (${timeoutMs} ms) waiting for ${what}\n${await describeState()}`);
	}

	/**
	 * The samples from `from` on (by time), waiting for `count` more when
	 * asked.
	 */
	async collect(from: Sample, count: number): Promise<Sample[]> {
		while (this.samples.filter(s => s.at > from.at).length < count) {
			if (!(await this.next())) {
				break;
			}
		}

		return this.samples.filter(s => s.at >= from.at);
	}

	describe(): unknown {
		return { samplerError: this.error, samples: this.samples.slice(-15) };
	}

	private async run(): Promise<void> {
		while (this.running) {
			const started = Date.now();

			try {
				this.samples.push(await this.sample());
			} catch (error) {
				this.error = String(error);
				this.running = false;
			}

			for (const wake of this.waiters.splice(0)) {
				wake();
			}

			await sleep(Math.max(0, SAMPLE_MS - (Date.now() - started)));
		}

		for (const wake of this.waiters.splice(0)) {
			wake();
		}
	}

	private async sample(): Promise<Sample> {
		const stats = await this.page.evaluate(() =>
			(window as unknown as InteropWindow).interop.stats()
		);
		const at = Date.now() - testStart;
		const sample: Sample = {
			at,
			limitKbit: env().shaper.rateKbit,
			consumers: {},
			layers: {},
			recvTransport: stats.recvTransport,
		};

		for (const consumer of stats.consumers) {
			sample.consumers[consumer.id] = consumer;
		}

		for (const consumer of this.consumers) {
			sample.layers[consumer.id] = consumer.currentLayers;
		}

		const transport = [...env().server.transports.values()].find(t => t.appData.producing !== true);
		const transportStats = (await transport?.getStats().catch(() => undefined))?.[0];

		sample.availableOutgoingBitrate = transportStats?.availableOutgoingBitrate;
		sample.sendBitrate = transportStats?.sendBitrate;
		sample.rtxSendBitrate = transportStats?.rtxSendBitrate;
		sample.probationSendBitrate = transportStats?.probationSendBitrate;

		return sample;
	}
}

async function describeState(): Promise<string> {
	const { server, shaper, pageErrors, layersEvents } = env();
	const safe = <T>(promise: Promise<T>): Promise<T | string> =>
		promise.catch(error => `unavailable: ${String(error)}`);
	const consumers = await Promise.all(
		[...server.consumers.values()].map(async c => ({
			id: c.id,
			kind: c.kind,
			type: c.type,
			priority: c.priority,
			score: c.score,
			preferredLayers: c.preferredLayers,
			currentLayers: c.currentLayers,
			layersEvents: layersEvents.get(c.id),
			stats: await safe(c.getStats()),
		}))
	);
	const producers = await Promise.all(
		[...server.producers.values()].map(async p => ({
			id: p.id,
			kind: p.kind,
			type: p.type,
			paused: p.paused,
			score: p.score,
			stats: await safe(p.getStats()),
		}))
	);
	const transports = await Promise.all(
		[...server.transports.values()].map(async t => ({
			id: t.id,
			producing: t.appData.producing,
			stats: await safe(t.getStats()),
		}))
	);

	return JSON.stringify(
		{
			monitor: monitor?.describe(),
			shaping: { rateKbit: shaper.rateKbit, queue: shaper.stats() },
			server: { producers, consumers, transports, requestErrors: server.errors },
			pageErrors,
		},
		null,
		1
	);
}

async function fail(message: string): Promise<never> {
	throw new Error(`${message}\n${await describeState()}`);
}

/**
 * `key` of B's stats of `consumer` grows from each sample to the next.
 */
async function expectGrowing(
	samples: Sample[],
	consumer: Consumer,
	key: 'framesDecoded' | 'packetsReceived',
	what: string
): Promise<void> {
	for (let i = 1; i < samples.length; ++i) {
		const before = samples[i - 1].consumers[consumer.id]?.[key] ?? 0;
		const after = samples[i].consumers[consumer.id]?.[key] ?? 0;

		if (!(after > before)) {
			await fail(
				`${what}: ${key} of consumer ${consumer.id} did not grow between ` +
					`${samples[i - 1].at} ms and ${samples[i].at} ms (${before} -> ${after})`
			);
		}
	}
}

/**
 * B's loss on `consumer` over `samples` (packetsLost delta over packets
 * expected).
 */
function lossOver(samples: Sample[], consumer: Consumer): number {
	const first = samples[0].consumers[consumer.id];
	const last = samples[samples.length - 1].consumers[consumer.id];
	const lost = last.packetsLost - first.packetsLost;
	const received = last.packetsReceived - first.packetsReceived;

	return lost + received > 0 ? Math.max(0, lost) / (lost + received) : 1;
}

// ---- Scenarios -------------------------------------------------------------

/**
 * Unlimited, B decodes 1280x720; limited to 300 kbit/s, the worker switches
 * B down to spatial layer 0 within 10 s, after which B keeps decoding (the
 * lowest layer's 320x180) with little loss; lifted, B is back at 1280x720
 * within 30 s; and B's audio never stops.
 */
async function limitAndLift(video: Producer): Promise<void> {
	const { audioProducer, shaper } = env();
	const audioConsumer = await consume(audioProducer);
	const videoConsumer = await consume(video);

	monitor = new Monitor(pageB!, [audioConsumer, videoConsumer]);

	const unlimited = await monitor.waitFor('B to decode 1280x720 on an unlimited link', WAIT_MS, s =>
		decodes(s, videoConsumer, FULL)
	);

	shaper.limit(300);

	const switched = await monitor.waitFor(
		"B's consumer to switch down to spatial layer 0 within 10 s of the 300 kbit/s limit",
		SWITCH_DOWN_MS,
		s => spatialLayer(s, videoConsumer) === 0
	);
	const afterSwitch = await monitor.collect(switched, SAMPLES_AFTER_SWITCH);

	await expectGrowing(afterSwitch, videoConsumer, 'framesDecoded', 'B decoding after the switch');

	const loss = lossOver(afterSwitch, videoConsumer);

	if (loss >= MAX_LOSS_AFTER_SWITCH) {
		await fail(`B's video loss after the switch is ${(loss * 100).toFixed(1)} % (>= 5 %)`);
	}

	await monitor.waitFor(
		"B to decode the lowest layer's 320x180 (needs its key frame)",
		SWITCH_DOWN_MS,
		s => decodes(s, videoConsumer, QUARTER)
	);

	shaper.lift();

	const lifted = monitor.last!;

	await monitor.waitFor(
		'B to be back at 1280x720 within 30 s of lifting the limit',
		CLIMB_BACK_MS,
		s => s.at > lifted.at && decodes(s, videoConsumer, FULL)
	);

	// Audio all along, from the moment B decoded 1280x720 unlimited.
	await expectGrowing(
		monitor.samples.filter(s => s.at >= unlimited.at),
		audioConsumer,
		'packetsReceived',
		"B's audio while its downlink was limited and lifted"
	);
}

// ---- Tests -----------------------------------------------------------------

test(
	'VP8 simulcast: B on a 300 kbit/s downlink gets spatial layer 0, keeps decoding with ' +
		'under 5 % loss and uninterrupted audio, and is back at 1280x720 once the limit is lifted',
	async () => {
		const { videoProducer } = env();

		expect(videoProducer.rtpParameters.encodings).toHaveLength(3);

		await limitAndLift(videoProducer);
	},
	TEST_TIMEOUT
);

test(
	'VP9 SVC (L3T3_KEY): B on a 300 kbit/s downlink gets spatial layer 0, keeps decoding with ' +
		'under 5 % loss and uninterrupted audio, and is back at 1280x720 once the limit is lifted',
	async () => {
		const { pageA, videoProducer } = env();

		// A's VP8 encoders rest meanwhile (CPU).
		await onA('pauseProducer', videoProducer.id);
		testCleanups.push(() => onA('resumeProducer', videoProducer.id));

		const svcProducer = await produceVideo(pageA, 'VP9', [{ scalabilityMode: 'L3T3_KEY' }]);

		testCleanups.push(() => onA('closeProducer', svcProducer.id));

		expect(svcProducer.type).toBe('svc');
		expect(svcProducer.rtpParameters.encodings?.[0].scalabilityMode).toBe('L3T3_KEY');

		await limitAndLift(svcProducer);
	},
	TEST_TIMEOUT
);

test(
	'two consumers on one transport under a 600 kbit/s limit: the priority-2 consumer gets the ' +
		'higher spatial layer',
	async () => {
		const { pageA, videoProducer, shaper } = env();

		// Two producers without temporal layers, so that the only steps are
		// 80, 300 and 1000 kbit/s: one consumer at 300 and the other at 80 fit
		// in 600 kbit/s, both at 300 do not. The shared one rests meanwhile.
		await onA('pauseProducer', videoProducer.id);
		testCleanups.push(() => onA('resumeProducer', videoProducer.id));

		const producers: Producer[] = [];

		for (let i = 0; i < 2; ++i) {
			const producer = await produceVideo(pageA, 'VP8', simulcast('L1T1'));

			producers.push(producer);
			testCleanups.push(() => onA('closeProducer', producer.id));
		}

		const first = await consume(producers[0]);
		const second = await consume(producers[1]);

		// The one consumed last gets priority 2: an allocator serving
		// consumers in creation order does not pass by chance.
		const high = second;
		const low = first;

		await high.setPriority(2);
		await low.setPriority(1);

		expect(high.priority).toBe(2);
		expect(low.priority).toBe(1);

		monitor = new Monitor(pageB!, [high, low]);

		await monitor.waitFor('B to decode both videos', WAIT_MS, s =>
			[high, low].every(c => (s.consumers[c.id]?.framesDecoded ?? 0) > 0)
		);

		shaper.limit(600);

		// No layers (nothing forwarded) counts as below layer 0.
		const rank = (s: Sample, c: Consumer): number => spatialLayer(s, c) ?? -1;
		let stableSince: Sample | undefined;

		await monitor.waitFor(
			'the priority-2 consumer to hold a higher spatial layer than the priority-1 one ' +
				'for 3 s under the 600 kbit/s limit',
			WAIT_MS,
			s => {
				if (rank(s, high) > rank(s, low)) {
					stableSince ??= s;
				} else {
					stableSince = undefined;
				}

				return stableSince !== undefined && s.at - stableSince.at >= 3000;
			}
		);

		// And what B decodes says the same.
		await monitor.waitFor(
			'B to decode the priority-2 video larger than the priority-1 video',
			SWITCH_DOWN_MS,
			s => (s.consumers[high.id]?.frameWidth ?? 0) > (s.consumers[low.id]?.frameWidth ?? 0)
		);
	},
	TEST_TIMEOUT
);

test(
	"setMaxOutgoingBitrate(250000) on B's transport, no network limit: B's consumer goes down " +
		'to spatial layer 0 within 10 s and availableOutgoingBitrate is at most 250000',
	async () => {
		const { pageA, videoProducer } = env();

		// Without temporal layers the steps are 80, 300 and 1000 kbit/s, as
		// with a real camera; the fake one's picture is so simple that its
		// 640x360 at a low frame rate would fit in 250 kbit/s. The shared
		// producer rests meanwhile.
		await onA('pauseProducer', videoProducer.id);
		testCleanups.push(() => onA('resumeProducer', videoProducer.id));

		const producer = await produceVideo(pageA, 'VP8', simulcast('L1T1'));

		testCleanups.push(() => onA('closeProducer', producer.id));

		const videoConsumer = await consume(producer);
		const transport = recvTransport();

		monitor = new Monitor(pageB!, [videoConsumer]);

		// First unlimited at full size, else a low layer would prove nothing.
		await monitor.waitFor('B to decode 1280x720', WAIT_MS, s => decodes(s, videoConsumer, FULL));

		await transport.setMaxOutgoingBitrate(250000);

		expect((await transport.getStats())[0].maxOutgoingBitrate).toBe(250000);

		await monitor.waitFor(
			'spatial layer 0 and availableOutgoingBitrate <= 250000 within 10 s of ' +
				'setMaxOutgoingBitrate(250000)',
			SWITCH_DOWN_MS,
			s =>
				spatialLayer(s, videoConsumer) === 0 &&
				s.availableOutgoingBitrate !== undefined &&
				s.availableOutgoingBitrate <= 250000
		);
	},
	TEST_TIMEOUT
);

test(
	'setPreferredLayers({ spatialLayer: 1, temporalLayer: 1 }) caps what is forwarded on an ' +
		'unlimited link, and layerschange follows every change in order',
	async () => {
		const { videoProducer, layersEvents } = env();
		const videoConsumer = await consume(videoProducer);
		const events = (): LayersEvent[] => layersEvents.get(videoConsumer.id) ?? [];
		const same = (a?: ConsumerLayers, b?: ConsumerLayers): boolean =>
			a?.spatialLayer === b?.spatialLayer && a?.temporalLayer === b?.temporalLayer;

		monitor = new Monitor(pageB!, [videoConsumer]);

		const expectEventsInOrder = async (): Promise<void> => {
			const layers = events().map(e => e.layers);
			// currentLayers as sampled every second, each change once.
			const seen: (ConsumerLayers | undefined)[] = [];

			for (const sample of monitor!.samples) {
				const value = sample.layers[videoConsumer.id];

				if (seen.length === 0 || !same(seen[seen.length - 1], value)) {
					seen.push(value);
				}
			}

			for (let i = 1; i < layers.length; ++i) {
				if (same(layers[i - 1], layers[i])) {
					await fail(`layerschange emitted twice in a row with the same layers (event ${i})`);
				}
			}

			if (!same(layers[layers.length - 1], videoConsumer.currentLayers)) {
				await fail('the last layerschange differs from currentLayers');
			}

			// Every value currentLayers took while polled is in the events, in
			// the same order.
			let next = 0;

			for (const value of seen.filter(v => v !== undefined)) {
				while (next < layers.length && !same(layers[next], value)) {
					++next;
				}

				if (next === layers.length) {
					await fail(
						`currentLayers took ${JSON.stringify(value)} out of the order of the ` +
							`layerschange events (polled: ${JSON.stringify(seen)})`
					);
				}
			}
		};

		await monitor.waitFor('B to decode 1280x720', WAIT_MS, s => decodes(s, videoConsumer, FULL));
		await videoConsumer.setPreferredLayers({ spatialLayer: 1, temporalLayer: 1 });

		expect(videoConsumer.preferredLayers).toEqual({ spatialLayer: 1, temporalLayer: 1 });

		const capped = await monitor.waitFor(
			'B to decode 640x360 and currentLayers to be { spatialLayer: 1, temporalLayer: 1 }',
			WAIT_MS,
			s =>
				decodes(s, videoConsumer, HALF) &&
				same(s.layers[videoConsumer.id], { spatialLayer: 1, temporalLayer: 1 })
		);

		// Layer 2 was forwarded (and announced) before the cap.
		if (!events().some(e => e.layers?.spatialLayer === 2)) {
			await fail('no layerschange announced spatial layer 2 before the cap');
		}

		await expectEventsInOrder();

		// Temporal layer 1 of three (L1T3): B decodes about half the frame
		// rate the middle encoding is encoded at (all of it without the cap).
		const middleEncoded = async (): Promise<{ frames: number; at: number }> => ({
			frames: (await outboundOfA(videoProducer.id))[1]?.framesEncoded ?? 0,
			at: Date.now(),
		});
		const encodedBefore = await middleEncoded();
		const from = (await monitor.next()) ?? capped;
		const window = await monitor.collect(from, 3);
		const encodedAfter = await middleEncoded();
		const first = window[0];
		const last = window[window.length - 1];
		const decodedRate =
			(last.consumers[videoConsumer.id].framesDecoded -
				first.consumers[videoConsumer.id].framesDecoded) /
			(last.at - first.at);
		const encodedRate =
			(encodedAfter.frames - encodedBefore.frames) / (encodedAfter.at - encodedBefore.at);

		if (!(decodedRate < 0.75 * encodedRate)) {
			await fail(
				`B decodes ${(decodedRate * 1000).toFixed(1)} frames/s while A encodes the middle ` +
					`layer at ${(encodedRate * 1000).toFixed(1)} frames/s: temporal layer 2 is forwarded`
			);
		}

		// And back up: a new change, a new event.
		await videoConsumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
		await monitor.waitFor(
			'B to decode 1280x720 again',
			WAIT_MS,
			s => decodes(s, videoConsumer, FULL) && spatialLayer(s, videoConsumer) === 2
		);
		await expectEventsInOrder();
		expect(events()[events().length - 1].layers?.spatialLayer).toBe(2);
	},
	TEST_TIMEOUT
);
