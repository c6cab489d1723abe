/// <reference lib="dom" />

// Interop with the real mediasoup-client package in headless Chromium. Two
// pages of one browser, in a private network namespace, run a minimal
// mediasoup-client app (fixtures/interop-client) that signals over a
// WebSocket to a test server built on the public API (helpers/interopServer):
// peer A produces Opus and video from the fake capture devices, peer B
// consumes them, and B's RTCPeerConnection stats must show audio packets
// received and video frames decoded, and keep growing. Then: each video
// codec, producer pause/resume (server side and client side), 5 % random
// packet loss (NACK / retransmission), and RTP relayed by the app through a
// DirectTransport consumer and a DirectTransport producer.

import type { Page } from 'playwright-core';
import * as mediasoup from '../';
import type {
	Consumer,
	ConsumerStat,
	Producer,
	ProducerStat,
	Router,
	RouterRtpCodecCapability,
	RtpCapabilities,
	Worker,
} from '../types';
import type {
	InteropApi,
	InteropConsumerStats,
	InteropKind,
	InteropStats,
	InteropVideoCodec,
} from './fixtures/interop-client/api';
import { launchBrowser, type TestBrowser } from './helpers/browser';
import { InteropServer } from './helpers/interopServer';
import { createTestNetwork, type TestNetwork } from './helpers/netns';
import { addRandomUdpLoss, hasNft } from './helpers/netnsLoss';
import { runCleanups } from './helpers/cleanups';
import { sleep } from './helpers/media-tools';

const TEST_TIMEOUT = 60000;
// Longest wait for something expected to happen (not a performance figure).
const WAIT_MS = 20000;
// How long media must keep flowing to count as "still growing".
const FLOW_CHECK_MS = 5000;
// Window in which a paused video must not decode a single frame.
const STILL_WINDOW_MS = 2000;

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
	{ kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } },
	{
		kind: 'video',
		mimeType: 'video/H264',
		clockRate: 90000,
		parameters: {
			'packetization-mode': 1,
			'profile-level-id': '42e01f',
			'level-asymmetry-allowed': 1,
		},
	},
];

type InteropWindow = { interop: InteropApi };

type Env = {
	network: TestNetwork;
	browser: TestBrowser;
	worker: Worker;
	router: Router;
	server: InteropServer;
	pageA: Page;
	pageB: Page;
	pageErrors: string[];
	cleanups: (() => unknown)[];
};

let current: Env | undefined;

function env(): Env {
	if (!current) {
		throw new Error('no test environment');
	}

	return current;
}

async function setUp(): Promise<Env> {
	const cleanups: (() => unknown)[] = [];

	try {
		const network = createTestNetwork();

		cleanups.push(() => network.destroy());

		const worker = await mediasoup.createWorker({
			workerBin: network.wrap(mediasoup.workerBin),
			logLevel: 'warn',
		});

		cleanups.push(() => worker.close());

		const router = await worker.createRouter({ mediaCodecs });
		const server = await InteropServer.create({ router, network });

		cleanups.push(() => server.close());

		const browser = await launchBrowser({ executablePath: network.wrap('/usr/bin/chromium') });

		cleanups.push(() => browser.close());

		const pageA = browser.page;
		const pageB = await browser.context.newPage();
		const pageErrors: string[] = [];

		for (const [name, page] of [
			['A', pageA],
			['B', pageB],
		] as const) {
			page.on('pageerror', error => pageErrors.push(`${name}: ${error.message}`));
			page.on('console', message => {
				if (message.type() === 'error') {
					pageErrors.push(`${name} console: ${message.text()}`);
				}
			});
		}

		return { network, browser, worker, router, server, pageA, pageB, pageErrors, cleanups };
	} catch (error) {
		await runCleanups(cleanups);

		throw error;
	}
}

beforeEach(async () => {
	current = await setUp();
}, TEST_TIMEOUT);

afterEach(async () => {
	const cleanups = current?.cleanups ?? [];

	current = undefined;
	await runCleanups(cleanups);
}, TEST_TIMEOUT);

// ---- The pages -----------------------------------------------------------

async function join(page: Page): Promise<void> {
	const { server } = env();

	await page.goto(server.pageUrl);
	await page.waitForFunction(() => 'interop' in window);

	const { handlerName } = await page.evaluate(
		wsUrl => (window as unknown as InteropWindow).interop.join({ wsUrl }),
		server.wsUrl
	);

	expect(handlerName).toBe('Chrome111');
}

function produce(page: Page, kind: InteropKind, codec?: InteropVideoCodec): Promise<string> {
	return page.evaluate(options => (window as unknown as InteropWindow).interop.produce(options), {
		kind,
		codec,
	});
}

function consume(page: Page, producerId: string): Promise<string> {
	return page.evaluate(options => (window as unknown as InteropWindow).interop.consume(options), {
		producerId,
	});
}

function pageStats(page: Page): Promise<InteropStats> {
	return page.evaluate(() => (window as unknown as InteropWindow).interop.stats());
}

async function consumerStats(page: Page, consumerId: string): Promise<InteropConsumerStats> {
	const stats = (await pageStats(page)).consumers.find(c => c.id === consumerId);

	if (!stats) {
		throw new Error(`the page has no consumer ${consumerId}`);
	}

	return stats;
}

/**
 * Peer A produces Opus and the given video codec; peer B consumes both.
 */
async function setUpCall(codec: InteropVideoCodec = 'VP8'): Promise<{
	audioProducer: Producer;
	videoProducer: Producer;
	audioConsumerId: string;
	videoConsumerId: string;
}> {
	const { pageA, pageB, server } = env();

	await join(pageA);
	await join(pageB);

	const audioProducerId = await produce(pageA, 'audio');
	const videoProducerId = await produce(pageA, 'video', codec);
	const audioConsumerId = await consume(pageB, audioProducerId);
	const videoConsumerId = await consume(pageB, videoProducerId);

	return {
		audioProducer: server.producers.get(audioProducerId)!,
		videoProducer: server.producers.get(videoProducerId)!,
		audioConsumerId,
		videoConsumerId,
	};
}

// ---- Waiting and diagnostics ---------------------------------------------

async function serverStats(): Promise<unknown> {
	const { server } = env();
	const producers = await Promise.all(
		[...server.producers.values()].map(async p => ({
			id: p.id,
			kind: p.kind,
			paused: p.paused,
			score: p.score,
			stats: await p.getStats().catch(error => String(error)),
		}))
	);
	const consumers = await Promise.all(
		[...server.consumers.values()].map(async c => ({
			id: c.id,
			kind: c.kind,
			paused: c.paused,
			producerPaused: c.producerPaused,
			score: c.score,
			stats: await c.getStats().catch(error => String(error)),
		}))
	);

	return { producers, consumers, requestErrors: server.errors };
}

async function describeState(): Promise<string> {
	const { pageA, pageB, pageErrors } = env();
	const safe = <T>(promise: Promise<T>): Promise<T | string> =>
		promise.catch(error => `unavailable: ${String(error)}`);
	const state = {
		pageA: await safe(pageStats(pageA)),
		pageB: await safe(pageStats(pageB)),
		server: await safe(serverStats()),
		pageErrors,
	};

	return JSON.stringify(state, null, 1);
}

async function waitFor(
	predicate: () => Promise<boolean> | boolean,
	what: string,
	timeout = WAIT_MS
): Promise<void> {
	const deadline = Date.now() + timeout;

	while (!(await predicate())) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}\n${await describeState()}`);
		}

		await sleep(250);
	}
}

/**
 * B decodes video (and receives audio when given), and both keep growing
 * over FLOW_CHECK_MS.
 */
async function expectFlowing(
	page: Page,
	{ videoConsumerId, audioConsumerId }: { videoConsumerId: string; audioConsumerId?: string }
): Promise<void> {
	await waitFor(
		async () => (await consumerStats(page, videoConsumerId)).framesDecoded > 0,
		'B to decode video frames'
	);

	if (audioConsumerId) {
		await waitFor(
			async () => (await consumerStats(page, audioConsumerId)).packetsReceived > 0,
			'B to receive audio packets'
		);
	}

	const videoBefore = await consumerStats(page, videoConsumerId);
	const audioBefore = audioConsumerId ? await consumerStats(page, audioConsumerId) : undefined;

	await sleep(FLOW_CHECK_MS);

	const videoAfter = await consumerStats(page, videoConsumerId);

	expect(videoAfter.framesDecoded).toBeGreaterThan(videoBefore.framesDecoded);

	if (audioConsumerId) {
		const audioAfter = await consumerStats(page, audioConsumerId);

		expect(audioAfter.packetsReceived).toBeGreaterThan(audioBefore!.packetsReceived);
	}
}

/**
 * Waits until B's video decodes no frame during a whole STILL_WINDOW_MS;
 * returns the frame count then.
 */
async function waitForVideoStill(page: Page, videoConsumerId: string): Promise<number> {
	let frames = (await consumerStats(page, videoConsumerId)).framesDecoded;

	await waitFor(async () => {
		await sleep(STILL_WINDOW_MS);

		const now = (await consumerStats(page, videoConsumerId)).framesDecoded;
		const still = now === frames;

		frames = now;

		return still;
	}, 'B to stop decoding video frames while the producer is paused');

	return frames;
}

async function waitForVideoAgain(
	page: Page,
	videoConsumerId: string,
	frames: number
): Promise<void> {
	await waitFor(
		async () => (await consumerStats(page, videoConsumerId)).framesDecoded > frames,
		'B to decode video again after resume (needs a key frame: the worker must forward ' +
			"the consumer's PLI/FIR to the producer, or request one itself on resume)"
	);
}

function outbound(stats: (ConsumerStat | ProducerStat)[]): ConsumerStat | undefined {
	return stats.find((s): s is ConsumerStat => s.type === 'outbound-rtp');
}

/**
 * Whether a compound RTCP packet holds a PLI or a FIR.
 */
function hasKeyFrameRequest(packet: Buffer): boolean {
	let offset = 0;

	while (offset + 4 <= packet.length) {
		const format = packet[offset] & 0x1f;
		const packetType = packet[offset + 1];
		const length = (packet.readUInt16BE(offset + 2) + 1) * 4;

		// PSFB: PLI (1) or FIR (4).
		if (packetType === 206 && (format === 1 || format === 4)) {
			return true;
		}

		offset += length;
	}

	return false;
}

// ---- Tests ----------------------------------------------------------------

test.each<InteropVideoCodec>(['VP8', 'H264', 'VP9'])(
	'peer B receives Opus and %s video produced by peer A',
	async codec => {
		const { audioProducer, videoProducer, audioConsumerId, videoConsumerId } =
			await setUpCall(codec);

		expect(audioProducer.rtpParameters.codecs[0].mimeType.toLowerCase()).toBe('audio/opus');
		expect(videoProducer.rtpParameters.codecs[0].mimeType.toLowerCase()).toBe(
			`video/${codec.toLowerCase()}`
		);

		await expectFlowing(env().pageB, { videoConsumerId, audioConsumerId });

		const stats = await pageStats(env().pageB);
		const video = stats.consumers.find(c => c.id === videoConsumerId)!;
		const audio = stats.consumers.find(c => c.id === audioConsumerId)!;

		expect(video.mimeType?.toLowerCase()).toBe(`video/${codec.toLowerCase()}`);
		expect(audio.mimeType?.toLowerCase()).toBe('audio/opus');
		expect(stats.recvConnectionState).toBe('connected');

		// The server saw the same flow.
		const videoConsumer = env().server.consumers.get(videoConsumerId)!;
		const sent = outbound(await videoConsumer.getStats());

		expect(sent?.packetCount).toBeGreaterThan(0);
	},
	TEST_TIMEOUT
);

test(
	"pausing the producer on the server stops B's video; resuming brings it back",
	async () => {
		const { pageB } = env();
		const { videoProducer, audioConsumerId, videoConsumerId } = await setUpCall('VP8');

		await waitFor(
			async () => (await consumerStats(pageB, videoConsumerId)).framesDecoded > 0,
			'B to decode video frames'
		);

		await videoProducer.pause();

		const videoConsumer = env().server.consumers.get(videoConsumerId)!;

		await waitFor(() => videoConsumer.producerPaused, "the consumer's producerPaused");

		const stillFrames = await waitForVideoStill(pageB, videoConsumerId);

		// Only the video producer was paused: audio goes on.
		const audioBefore = (await consumerStats(pageB, audioConsumerId)).packetsReceived;

		await waitFor(
			async () => (await consumerStats(pageB, audioConsumerId)).packetsReceived > audioBefore,
			'B to keep receiving audio while the video producer is paused'
		);

		await videoProducer.resume();
		await waitForVideoAgain(pageB, videoConsumerId, stillFrames);
		await expectFlowing(pageB, { videoConsumerId, audioConsumerId });
	},
	TEST_TIMEOUT
);

test(
	"pausing the producer in the client (signalled) stops B's video; resuming brings it back",
	async () => {
		const { pageA, pageB } = env();
		const { videoProducer, videoConsumerId } = await setUpCall('VP8');

		await waitFor(
			async () => (await consumerStats(pageB, videoConsumerId)).framesDecoded > 0,
			'B to decode video frames'
		);

		await pageA.evaluate(
			producerId =>
				(window as unknown as InteropWindow).interop.pauseProducer({ producerId, signal: true }),
			videoProducer.id
		);

		expect(videoProducer.paused).toBe(true);

		const stillFrames = await waitForVideoStill(pageB, videoConsumerId);

		await pageA.evaluate(
			producerId =>
				(window as unknown as InteropWindow).interop.resumeProducer({ producerId, signal: true }),
			videoProducer.id
		);

		expect(videoProducer.paused).toBe(false);

		await waitForVideoAgain(pageB, videoConsumerId, stillFrames);
		await expectFlowing(pageB, { videoConsumerId });
	},
	TEST_TIMEOUT
);

test(
	'with 5 % random packet loss B still decodes video, and NACKs are served',
	async () => {
		if (!hasNft()) {
			throw new Error('nft is missing: install the Debian package nftables');
		}

		const { pageA, pageB, network, server } = env();
		const { videoProducer, audioConsumerId, videoConsumerId } = await setUpCall('VP8');
		const videoConsumer = server.consumers.get(videoConsumerId)!;

		await waitFor(
			async () => (await consumerStats(pageB, videoConsumerId)).framesDecoded > 0,
			'B to decode video frames'
		);

		const loss = addRandomUdpLoss(network, 5);

		env().cleanups.push(() => loss.remove());

		// Counters of the whole path: the browser B asks for retransmissions,
		// the worker receives those NACKs and retransmits (consumer side), the
		// worker asks browser A for what it lost (producer side) and A resends.
		const counters = async (): Promise<Record<string, number>> => {
			const b = await consumerStats(pageB, videoConsumerId);
			const a = (await pageStats(pageA)).producers.find(p => p.id === videoProducer.id)!;
			const sent = outbound(await videoConsumer.getStats());
			const received = (await videoProducer.getStats())[0];

			return {
				'packets dropped by the nftables rule': loss.droppedPackets(),
				'NACKs sent by browser B (inbound-rtp nackCount)': b.nackCount,
				'NACKs received by the consumer (consumer getStats nackCount)': sent?.nackCount ?? 0,
				'packets retransmitted by the consumer (packetsRetransmitted)':
					sent?.packetsRetransmitted ?? 0,
				'NACKs sent by the producer (producer getStats nackCount)': received?.nackCount ?? 0,
				'NACKs received by browser A (outbound-rtp nackCount)': a.nackCount,
			};
		};
		const allMoving = (values: Record<string, number>): boolean =>
			Object.values(values).every(value => value > 0);

		// Wait (bounded) for every counter to move, then report those that did not.
		const deadline = Date.now() + WAIT_MS;
		let values = await counters();

		while (!allMoving(values) && Date.now() < deadline) {
			await sleep(500);
			values = await counters();
		}

		// Video keeps decoding (and audio keeps arriving) through the loss.
		await expectFlowing(pageB, { videoConsumerId, audioConsumerId });

		values = await counters();

		const stuck = Object.entries(values).filter(([, value]) => !(value > 0));

		if (stuck.length > 0) {
			throw new Error(
				`counters that did not move: ${JSON.stringify(Object.fromEntries(stuck))}\n` +
					`all counters: ${JSON.stringify(values, null, 1)}\n${await describeState()}`
			);
		}
	},
	TEST_TIMEOUT
);

test(
	'RTP relayed by the app from a DirectTransport consumer to a DirectTransport producer reaches B',
	async () => {
		const { pageA, pageB, router } = env();

		await join(pageA);
		await join(pageB);

		const videoProducerId = await produce(pageA, 'video', 'VP8');

		// The app's relay: A's video out of the Router on one DirectTransport and
		// back in on another, as a new Producer.
		const egress = await router.createDirectTransport();
		const ingress = await router.createDirectTransport();
		const directConsumer: Consumer = await egress.consume({
			producerId: videoProducerId,
			rtpCapabilities: router.rtpCapabilities as RtpCapabilities,
		});
		const directProducer = await ingress.produce({
			kind: 'video',
			rtpParameters: {
				codecs: directConsumer.rtpParameters.codecs.filter(c => !/\/rtx$/i.test(c.mimeType)),
				encodings: [{ ssrc: directConsumer.rtpParameters.encodings![0].ssrc }],
				rtcp: { cname: directConsumer.rtpParameters.rtcp?.cname },
			},
		});
		let rtpReceived = 0;
		let rtpRelayed = 0;
		const relayErrors: string[] = [];
		let keyFrameRequests = 0;

		directConsumer.on('rtp', packet => {
			++rtpReceived;

			if (directProducer.closed) {
				return;
			}

			try {
				directProducer.send(packet);
				++rtpRelayed;
			} catch (error) {
				if (relayErrors.length < 3) {
					relayErrors.push(String(error));
				}
			}
		});

		// Key frame requests for the relayed Producer (from B's consumer) go to
		// the app as RTCP on its transport; it passes them on upstream.
		ingress.on('rtcp', packet => {
			if (hasKeyFrameRequest(packet)) {
				++keyFrameRequests;
				directConsumer.requestKeyFrame().catch(() => undefined);
			}
		});

		const videoConsumerId = await consume(pageB, directProducer.id);

		await waitFor(() => rtpReceived > 0, "the DirectTransport consumer's rtp events");
		await waitFor(() => rtpRelayed > 0 || relayErrors.length > 0, 'a relayed packet');

		expect(relayErrors).toEqual([]);

		try {
			await expectFlowing(pageB, { videoConsumerId });
		} catch (error) {
			throw new Error(
				`${String(error)}\nrelay: ${rtpReceived} rtp received, ${rtpRelayed} relayed, ` +
					`${keyFrameRequests} key frame requests from the relayed producer's transport`
			);
		}
	},
	TEST_TIMEOUT
);
