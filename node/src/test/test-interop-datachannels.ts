/// <reference lib="dom" />

// DataChannels with the real mediasoup-client package in headless Chromium.
// Two pages of one browser, in a private network namespace, run the
// mediasoup-client interop app (fixtures/interop-client) with SCTP enabled
// on their WebRtcTransports (helpers/interopServer creates them with
// `enableSctp: true` and hands `sctpParameters` to the page). Page A's
// sendTransport.produceData() channel becomes a server DataProducer
// (transport.produceData() from the 'producedata' event); page B consumes it
// (transport.consumeData() on its recv transport, then
// recvTransport.consumeData() in the page). Messages are deterministic
// (fixtures/interop-client/dataMessages): receivers record a digest of each
// one, and the test compares them with what was sent. Also: a DataConsumer
// on a DirectTransport receiving the browser's messages in Node, and a
// DataProducer on a DirectTransport sending from Node to the browser.

import type { Page } from 'playwright-core';
import * as mediasoup from '../';
import type {
	DataConsumer,
	DataProducer,
	Router,
	RouterRtpCodecCapability,
	SctpState,
	WebRtcTransport,
	Worker,
} from '../types';
import type {
	InteropApi,
	InteropDataConsumerInfo,
	InteropDataProducerInfo,
	InteropDataProducerOptions,
	InteropDataReceived,
} from './fixtures/interop-client/api';
import {
	expectedDigest,
	fnv1a,
	makeMessage,
	type DataMessageDigest,
	type DataMessageSpec,
} from './fixtures/interop-client/dataMessages';
import { launchBrowser, type TestBrowser } from './helpers/browser';
import { InteropServer } from './helpers/interopServer';
import { SERVER_IP, createTestNetwork, type TestNetwork } from './helpers/netns';
import { runCleanups } from './helpers/cleanups';
import { sleep } from './helpers/media-tools';

const TEST_TIMEOUT = 120000;
const BURST_TEST_TIMEOUT = 300000;
// Longest wait for something expected to happen (not a performance figure).
const WAIT_MS = 30000;
const BURST_WAIT_MS = 180000;
// The default maxMessageSize (maxSendMessageSize / maxReceiveMessageSize of
// the transports, put by mediasoup-client into the browser's SDP).
const MAX_MESSAGE_SIZE = 262144;
// Any port: the namespace is private to the test.
const WEBRTC_SERVER_PORT = 40000;

// PPIDs (RFC 8831): what a DataConsumer on a DirectTransport reports.
const PPID_STRING = 51;
const PPID_BINARY = 53;
const PPID_STRING_EMPTY = 56;
const PPID_BINARY_EMPTY = 57;

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
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
	/**
	 * 'sctpstatechange' events of each server WebRtcTransport, by id.
	 */
	sctpStates: Map<string, SctpState[]>;
	/**
	 * The same, from each transport's observer.
	 */
	observerSctpStates: Map<string, SctpState[]>;
	/**
	 * 'sctpsendbufferfull' events of server DataConsumers, by id.
	 */
	sendBufferFull: Map<string, number>;
	cleanups: (() => unknown)[];
};

let current: Env | undefined;

function env(): Env {
	if (!current) {
		throw new Error('no test environment');
	}

	return current;
}

async function setUp({
	withWebRtcServer = false,
}: { withWebRtcServer?: boolean } = {}): Promise<Env> {
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
		const webRtcServer = withWebRtcServer
			? await worker.createWebRtcServer({
					listenInfos: [{ protocol: 'udp', ip: SERVER_IP, port: WEBRTC_SERVER_PORT }],
				})
			: undefined;
		const server = await InteropServer.create({ router, network, webRtcServer });

		cleanups.push(() => server.close());

		const sctpStates = new Map<string, SctpState[]>();
		const observerSctpStates = new Map<string, SctpState[]>();
		const sendBufferFull = new Map<string, number>();

		server.on('newtransport', (transport: WebRtcTransport) => {
			const states: SctpState[] = [];
			const observerStates: SctpState[] = [];

			sctpStates.set(transport.id, states);
			observerSctpStates.set(transport.id, observerStates);
			transport.on('sctpstatechange', state => states.push(state));
			transport.observer.on('sctpstatechange', state => observerStates.push(state));
		});
		server.on('newdataconsumer', (dataConsumer: DataConsumer) => {
			dataConsumer.on('sctpsendbufferfull', () =>
				sendBufferFull.set(dataConsumer.id, (sendBufferFull.get(dataConsumer.id) ?? 0) + 1)
			);
		});

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

		return {
			network,
			browser,
			worker,
			router,
			server,
			pageA,
			pageB,
			pageErrors,
			sctpStates,
			observerSctpStates,
			sendBufferFull,
			cleanups,
		};
	} catch (error) {
		await runCleanups(cleanups);

		throw error;
	}
}

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
		wsUrl => (window as unknown as InteropWindow).interop.join({ wsUrl, sctp: true }),
		server.wsUrl
	);

	expect(handlerName).toBe('Chrome111');
}

function produceData(
	page: Page,
	options: InteropDataProducerOptions
): Promise<InteropDataProducerInfo> {
	return page.evaluate(o => (window as unknown as InteropWindow).interop.produceData(o), options);
}

function consumeData(page: Page, dataProducerId: string): Promise<InteropDataConsumerInfo> {
	return page.evaluate(o => (window as unknown as InteropWindow).interop.consumeData(o), {
		dataProducerId,
	});
}

function sendData(
	page: Page,
	dataProducerId: string,
	messages: DataMessageSpec[],
	{ firstSeq = 0, maxBufferedAmount }: { firstSeq?: number; maxBufferedAmount?: number } = {}
): Promise<{ sent: number; bufferedAmount: number }> {
	return page.evaluate(o => (window as unknown as InteropWindow).interop.sendData(o), {
		dataProducerId,
		messages,
		firstSeq,
		maxBufferedAmount,
	});
}

function dataReceived(
	page: Page,
	dataConsumerId: string,
	clear = false
): Promise<InteropDataReceived> {
	return page.evaluate(o => (window as unknown as InteropWindow).interop.dataReceived(o), {
		dataConsumerId,
		clear,
	});
}

// ---- Messages --------------------------------------------------------------

/**
 * Digests of messages firstSeq, firstSeq + 1… of a plan.
 */
function expectedDigests(messages: DataMessageSpec[], firstSeq = 0): DataMessageDigest[] {
	return messages.map((spec, index) => expectedDigest(firstSeq + index, spec));
}

/**
 * A mixed plan: strings and binaries alternating, sizes from 1 to `maxSize`.
 */
function mixedPlan(count: number, maxSize = 1000): DataMessageSpec[] {
	return Array.from({ length: count }, (_, seq) => ({
		binary: seq % 2 === 1,
		size: 1 + ((seq * 7919) % maxSize),
	}));
}

/**
 * What a DataConsumer on a DirectTransport received, as the page would
 * record it: PPID 53/57 are binary, 51/56 strings; 56/57 are empty messages
 * (their one-byte payload is a placeholder).
 */
function nodeDigest(message: Buffer, ppid: number): DataMessageDigest {
	const empty = ppid === PPID_STRING_EMPTY || ppid === PPID_BINARY_EMPTY;
	const bytes = empty ? new Uint8Array(0) : new Uint8Array(message);

	return {
		binary: ppid === PPID_BINARY || ppid === PPID_BINARY_EMPTY,
		size: bytes.length,
		hash: fnv1a(bytes),
	};
}

function describeDigest(digest: DataMessageDigest | undefined): string {
	return digest
		? `${digest.binary ? 'binary' : 'string'} of ${digest.size} bytes (hash ${digest.hash})`
		: 'nothing';
}

/**
 * Throws at the first message that differs from the expected sequence.
 */
function expectSameSequence(
	received: DataMessageDigest[],
	expected: DataMessageDigest[],
	what: string
): void {
	const length = Math.max(received.length, expected.length);

	for (let i = 0; i < length; ++i) {
		const a = received[i];
		const b = expected[i];

		if (!a || !b || a.binary !== b.binary || a.size !== b.size || a.hash !== b.hash) {
			// Where the expected one went, if it arrived at all.
			const foundAt = b
				? received.findIndex(d => d.hash === b.hash && d.size === b.size && d.binary === b.binary)
				: -1;

			throw new Error(
				`${what}: ${received.length} messages received, ${expected.length} expected; ` +
					`message #${i}: received ${describeDigest(a)}, expected ${describeDigest(b)}` +
					(b ? ` (which was received at position ${foundAt})` : '')
			);
		}
	}
}

/**
 * Matches received digests against expected ones, each expected message
 * usable once: what is left of the expected ones, and what matched none.
 */
function matchMessages(
	received: DataMessageDigest[],
	expected: DataMessageDigest[]
): { missing: number; unexpected: DataMessageDigest[] } {
	const key = (d: DataMessageDigest): string => `${d.binary ? 'b' : 's'}:${d.size}:${d.hash}`;
	const left = new Map<string, number>();
	const unexpected: DataMessageDigest[] = [];

	for (const digest of expected) {
		left.set(key(digest), (left.get(key(digest)) ?? 0) + 1);
	}

	for (const digest of received) {
		const n = left.get(key(digest)) ?? 0;

		if (n === 0) {
			unexpected.push(digest);
		} else {
			left.set(key(digest), n - 1);
		}
	}

	return { missing: [...left.values()].reduce((sum, n) => sum + n, 0), unexpected };
}

/**
 * Same messages, any order (unordered channels).
 */
function expectSameMessages(
	received: DataMessageDigest[],
	expected: DataMessageDigest[],
	what: string
): void {
	const { missing, unexpected } = matchMessages(received, expected);

	if (unexpected.length > 0 || missing > 0) {
		throw new Error(
			`${what}: ${received.length} messages received, ${expected.length} expected; ` +
				`${missing} missing, ${unexpected.length} unexpected ` +
				`(first unexpected: ${describeDigest(unexpected[0])})`
		);
	}
}

/**
 * Every received message is one of the expected ones, received once.
 */
function expectSubsetOfMessages(
	received: DataMessageDigest[],
	expected: DataMessageDigest[],
	what: string
): void {
	const { unexpected } = matchMessages(received, expected);

	if (unexpected.length > 0) {
		throw new Error(
			`${what}: received a message that was not sent, or twice: ${describeDigest(unexpected[0])}`
		);
	}
}

// ---- Waiting and diagnostics ---------------------------------------------

async function serverState(): Promise<unknown> {
	const { server, sctpStates, sendBufferFull } = env();
	const safe = <T>(promise: Promise<T>): Promise<T | string> =>
		promise.catch(error => `unavailable: ${String(error)}`);

	return {
		transports: [...server.transports.values()].map(t => ({
			id: t.id,
			appData: t.appData,
			iceState: t.iceState,
			dtlsState: t.dtlsState,
			sctpState: t.sctpState,
			sctpStateChanges: sctpStates.get(t.id),
		})),
		dataProducers: await Promise.all(
			[...server.dataProducers.values()].map(async p => ({
				id: p.id,
				sctpStreamParameters: p.sctpStreamParameters,
				stats: await safe(p.getStats()),
			}))
		),
		dataConsumers: await Promise.all(
			[...server.dataConsumers.values()].map(async c => ({
				id: c.id,
				sctpStreamParameters: c.sctpStreamParameters,
				sctpsendbufferfull: sendBufferFull.get(c.id) ?? 0,
				stats: await safe(c.getStats()),
			}))
		),
		requestErrors: server.errors,
	};
}

async function describeState(extra: Record<string, unknown> = {}): Promise<string> {
	const { pageErrors } = env();
	const state = {
		server: await serverState().catch(error => `unavailable: ${String(error)}`),
		pageErrors,
		...extra,
	};

	return JSON.stringify(state, null, 1);
}

async function waitFor(
	predicate: () => Promise<boolean> | boolean,
	what: string,
	{ timeout = WAIT_MS, extra }: { timeout?: number; extra?: () => Promise<unknown> } = {}
): Promise<void> {
	const deadline = Date.now() + timeout;

	while (!(await predicate())) {
		if (Date.now() > deadline) {
			const details = extra ? { details: await extra().catch(String) } : {};

			throw new Error(`timed out waiting for ${what}\n${await describeState(details)}`);
		}

		await sleep(100);
	}
}

/**
 * Waits until a page DataConsumer received `count` messages (or more);
 * returns (and clears) its digests.
 */
async function waitForPageMessages(
	page: Page,
	dataConsumerId: string,
	count: number,
	what: string,
	timeout = WAIT_MS
): Promise<DataMessageDigest[]> {
	let last: InteropDataReceived | undefined;

	await waitFor(
		async () => {
			// Only the count while waiting: the digests are fetched once.
			const received = await page.evaluate(
				id =>
					(window as unknown as InteropWindow).interop
						.dataReceived({ dataConsumerId: id })
						.then(r => ({ ...r, digests: [] })),
				dataConsumerId
			);

			last = received;

			return received.count >= count;
		},
		`${what} (${count} messages)`,
		{
			timeout,
			extra: async () => ({ pageDataConsumer: last }),
		}
	);

	const received = await dataReceived(page, dataConsumerId, true);

	expect(received.errors).toEqual([]);

	return received.digests;
}

/**
 * What a page's DataConsumer received once it has `count` messages or has
 * received nothing new for a few seconds (a partially reliable channel may
 * never get them all).
 */
async function waitForPageMessagesSettled(
	page: Page,
	dataConsumerId: string,
	count: number
): Promise<DataMessageDigest[]> {
	const settleMs = 3000;
	const deadline = Date.now() + WAIT_MS;
	let lastCount = -1;
	let lastChange = Date.now();

	while (Date.now() < deadline) {
		const { count: received } = await dataReceived(page, dataConsumerId, false);

		if (received >= count) {
			break;
		}

		if (received !== lastCount) {
			lastCount = received;
			lastChange = Date.now();
		} else if (Date.now() - lastChange > settleMs) {
			break;
		}

		await sleep(100);
	}

	const received = await dataReceived(page, dataConsumerId, true);

	expect(received.errors).toEqual([]);

	return received.digests;
}

function serverTransportOf(appDataProducing: boolean): WebRtcTransport {
	const transports = [...env().server.transports.values()].filter(
		t => Boolean(t.appData.producing) === appDataProducing
	);

	if (transports.length !== 1) {
		throw new Error(`expected one server transport with producing=${appDataProducing}`);
	}

	return transports[0];
}

function serverDataProducer(id: string): DataProducer {
	const dataProducer = env().server.dataProducers.get(id);

	if (!dataProducer) {
		throw new Error(`the server has no DataProducer ${id}`);
	}

	return dataProducer;
}

function serverDataConsumer(id: string): DataConsumer {
	const dataConsumer = env().server.dataConsumers.get(id);

	if (!dataConsumer) {
		throw new Error(`the server has no DataConsumer ${id}`);
	}

	return dataConsumer;
}

/**
 * Peer A produces data with `options`, peer B consumes it.
 */
async function setUpDataChannel(options: InteropDataProducerOptions): Promise<{
	produced: InteropDataProducerInfo;
	consumed: InteropDataConsumerInfo;
	dataProducer: DataProducer;
	dataConsumer: DataConsumer;
}> {
	const { pageA, pageB } = env();
	const produced = await produceData(pageA, options);
	const consumed = await consumeData(pageB, produced.id);

	return {
		produced,
		consumed,
		dataProducer: serverDataProducer(produced.id),
		dataConsumer: serverDataConsumer(consumed.id),
	};
}

async function joinBoth(): Promise<void> {
	await join(env().pageA);
	await join(env().pageB);
}

// ---- Tests ----------------------------------------------------------------

describe('WebRtcTransports on their own ports', () => {
	beforeEach(async () => {
		current = await setUp();
	}, TEST_TIMEOUT);

	test(
		"strings and binaries from A's DataProducer reach B's DataConsumer in order; SCTP gets connected",
		async () => {
			const { pageA, pageB, sctpStates, observerSctpStates } = env();

			await joinBoth();

			const { produced, consumed, dataProducer, dataConsumer } = await setUpDataChannel({
				label: 'chat',
				protocol: 'chat-v1',
			});

			// The server side DataProducer mirrors A's channel.
			expect(produced.readyState).toBe('open');
			expect(dataProducer.type).toBe('sctp');
			expect(dataProducer.label).toBe('chat');
			expect(dataProducer.protocol).toBe('chat-v1');
			expect(dataProducer.sctpStreamParameters?.streamId).toBe(
				produced.sctpStreamParameters.streamId
			);
			expect(dataProducer.sctpStreamParameters?.ordered).toBe(true);

			// B's DataConsumer: what consumeData() returned is what the page used.
			expect(consumed.readyState).toBe('open');
			expect(consumed.dataProducerId).toBe(produced.id);
			expect(consumed.label).toBe('chat');
			expect(consumed.protocol).toBe('chat-v1');
			expect(dataConsumer.type).toBe('sctp');
			expect(dataConsumer.dataProducerId).toBe(dataProducer.id);
			expect(dataConsumer.label).toBe('chat');
			expect(dataConsumer.protocol).toBe('chat-v1');
			expect(dataConsumer.sctpStreamParameters?.streamId).toBe(
				consumed.sctpStreamParameters.streamId
			);
			expect(dataConsumer.sctpStreamParameters?.ordered).toBe(true);
			expect(consumed.sctpStreamParameters.ordered).toBe(true);

			// Both transports: SCTP parameters as advertised, association connected,
			// and the change was announced.
			for (const transport of [serverTransportOf(true), serverTransportOf(false)]) {
				expect(transport.sctpParameters).toMatchObject({
					port: 5000,
					isDataChannel: true,
					maxMessageSize: MAX_MESSAGE_SIZE,
				});

				await waitFor(
					() => transport.sctpState === 'connected',
					`sctpState 'connected' on the ${transport.appData.producing ? 'send' : 'recv'} transport`
				);

				expect(sctpStates.get(transport.id)).toContain('connected');
				expect(observerSctpStates.get(transport.id)).toContain('connected');
			}

			const plan = mixedPlan(60);

			await sendData(pageA, produced.id, plan);

			const digests = await waitForPageMessages(pageB, consumed.id, plan.length, 'B to receive');

			expectSameSequence(digests, expectedDigests(plan), "B's DataConsumer");

			// The server counted them on both sides.
			const totalBytes = plan.reduce((sum, spec) => sum + spec.size, 0);

			await waitFor(
				async () => (await dataConsumer.getStats())[0].messagesSent >= plan.length,
				"the server DataConsumer's messagesSent"
			);

			const [producerStats] = await dataProducer.getStats();
			const [consumerStats] = await dataConsumer.getStats();

			expect(producerStats).toMatchObject({
				type: 'data-producer',
				label: 'chat',
				protocol: 'chat-v1',
				messagesReceived: plan.length,
				bytesReceived: totalBytes,
			});
			expect(consumerStats).toMatchObject({
				type: 'data-consumer',
				label: 'chat',
				protocol: 'chat-v1',
				messagesSent: plan.length,
				bytesSent: totalBytes,
			});
			expect(env().pageErrors).toEqual([]);
			expect(env().server.errors).toEqual([]);
		},
		TEST_TIMEOUT
	);

	test(
		'message sizes from 1 byte to 256 KiB (the default maxMessageSize) arrive intact, as strings and binaries',
		async () => {
			const { pageA, pageB } = env();

			await joinBoth();

			const { produced, consumed } = await setUpDataChannel({ label: 'sizes' });
			const sizes = [
				1,
				2,
				3,
				100,
				1000,
				1199,
				1200,
				1201,
				4096,
				16383,
				16384,
				16385,
				65535,
				65536,
				65537,
				100000,
				131072,
				200000,
				MAX_MESSAGE_SIZE - 1,
				MAX_MESSAGE_SIZE,
			];
			let seq = 0;

			// One at a time: this is about sizes, not about queueing.
			for (const size of sizes) {
				for (const binary of [false, true]) {
					const spec = { binary, size };
					const what = `B to receive a ${binary ? 'binary' : 'string'} message of ${size} bytes`;

					await sendData(pageA, produced.id, [spec], { firstSeq: seq });

					const [digest, ...more] = await waitForPageMessages(pageB, consumed.id, seq + 1, what);

					expect(more).toEqual([]);

					expectSameSequence([digest], [expectedDigest(seq, spec)], what);
					++seq;
				}
			}

			expect(env().pageErrors).toEqual([]);
		},
		TEST_TIMEOUT
	);

	test(
		'empty strings and empty binaries (PPID 56 / 57) arrive as empty messages',
		async () => {
			const { pageA, pageB } = env();

			await joinBoth();

			const { produced, consumed } = await setUpDataChannel({ label: 'empty' });
			const plan: DataMessageSpec[] = [
				{ binary: false, size: 0 },
				{ binary: false, size: 5 },
				{ binary: true, size: 0 },
				{ binary: true, size: 5 },
			];

			await sendData(pageA, produced.id, plan);

			const digests = await waitForPageMessages(pageB, consumed.id, plan.length, 'B to receive');

			expectSameSequence(digests, expectedDigests(plan), "B's DataConsumer");
		},
		TEST_TIMEOUT
	);

	test(
		'unordered and partially reliable channels (ordered: false, maxRetransmits, maxPacketLifeTime)',
		async () => {
			const { pageA, pageB } = env();

			await joinBoth();

			const variants: {
				options: InteropDataProducerOptions;
				expected: { ordered: boolean; maxRetransmits?: number; maxPacketLifeTime?: number };
			}[] = [
				{ options: { label: 'unordered', ordered: false }, expected: { ordered: false } },
				{
					options: { label: 'max-retransmits', ordered: false, maxRetransmits: 3 },
					expected: { ordered: false, maxRetransmits: 3 },
				},
				{
					options: { label: 'max-packet-life-time', ordered: false, maxPacketLifeTime: 5000 },
					expected: { ordered: false, maxPacketLifeTime: 5000 },
				},
				{
					// mediasoup-client makes it unordered by itself.
					options: { label: 'max-retransmits-only', maxRetransmits: 5 },
					expected: { ordered: false, maxRetransmits: 5 },
				},
			];
			const channels = [];

			for (const variant of variants) {
				const channel = await setUpDataChannel(variant.options);
				const what = `channel '${variant.options.label}'`;

				// The reliability settings travel from A's channel to the server
				// DataProducer, to the server DataConsumer (consumeData() copies them)
				// and to B's channel.
				for (const [where, parameters] of [
					["A's DataProducer", channel.produced.sctpStreamParameters],
					['the server DataProducer', channel.dataProducer.sctpStreamParameters],
					['the server DataConsumer', channel.dataConsumer.sctpStreamParameters],
					["B's DataConsumer", channel.consumed.sctpStreamParameters],
				] as const) {
					expect({ what, where, ...parameters }).toMatchObject({
						what,
						where,
						...variant.expected,
					});
				}

				channels.push({ ...channel, what });
			}

			// The same plan on every channel at once, each its own range of seqs.
			const plan = mixedPlan(300, 2000);

			await Promise.all(
				channels.map((channel, index) =>
					sendData(pageA, channel.produced.id, plan, {
						firstSeq: index * 1000,
						// Paced, so the four channels do not flood the link at once.
						maxBufferedAmount: 64 * 1024,
					})
				)
			);

			// The reliable channel delivers everything. The partially reliable ones
			// may give messages up: the veth pair loses nothing, but bursts
			// overflow UDP socket buffers on a loaded machine (the kernel's
			// RcvbufErrors), and the senders abandon what outlives its
			// retransmissions or lifetime. What does arrive must be intact and
			// arrive once.
			for (const [index, channel] of channels.entries()) {
				const expected = expectedDigests(plan, index * 1000);
				const partiallyReliable =
					channel.consumed.sctpStreamParameters.maxRetransmits !== undefined ||
					channel.consumed.sctpStreamParameters.maxPacketLifeTime !== undefined;

				if (!partiallyReliable) {
					const digests = await waitForPageMessages(
						pageB,
						channel.consumed.id,
						plan.length,
						`B to receive on ${channel.what}`
					);

					expectSameMessages(digests, expected, channel.what);

					continue;
				}

				const digests = await waitForPageMessagesSettled(pageB, channel.consumed.id, plan.length);

				expectSubsetOfMessages(digests, expected, channel.what);
				expect({ what: channel.what, some: digests.length > 0 }).toEqual({
					what: channel.what,
					some: true,
				});
			}

			expect(env().pageErrors).toEqual([]);
		},
		TEST_TIMEOUT
	);

	test(
		'10,000 messages sent in a burst on an ordered reliable channel: none lost, all in order',
		async () => {
			const { pageA, pageB, sendBufferFull } = env();

			await joinBoth();

			const { produced, consumed, dataProducer, dataConsumer } = await setUpDataChannel({
				label: 'burst',
			});
			// ~1 MB in total: small enough for the server's SCTP send buffer
			// (sctpSendBufferSize, 2 MB) even if B were to lag behind.
			const plan = mixedPlan(10000, 200);
			const { sent } = await sendData(pageA, produced.id, plan, { maxBufferedAmount: 256 * 1024 });

			expect(sent).toBe(plan.length);

			const digests = await waitForPageMessages(
				pageB,
				consumed.id,
				plan.length,
				'B to receive the burst',
				BURST_WAIT_MS
			);

			expectSameSequence(digests, expectedDigests(plan), "B's DataConsumer");
			expect(sendBufferFull.get(dataConsumer.id) ?? 0).toBe(0);

			const [producerStats] = await dataProducer.getStats();

			expect(producerStats.messagesReceived).toBe(plan.length);
		},
		BURST_TEST_TIMEOUT
	);

	test(
		"browser to Node: a DataConsumer on a DirectTransport gets A's messages in its 'message' events",
		async () => {
			const { pageA, router } = env();

			await join(pageA);

			const produced = await produceData(pageA, { label: 'to-node', protocol: 'p1' });
			const directTransport = await router.createDirectTransport();

			env().cleanups.push(() => directTransport.close());

			const dataConsumer = await directTransport.consumeData({ dataProducerId: produced.id });
			const received: DataMessageDigest[] = [];
			const ppids: number[] = [];

			dataConsumer.on('message', (message, ppid) => {
				received.push(nodeDigest(message, ppid));
				ppids.push(ppid);
			});

			expect(dataConsumer.type).toBe('direct');
			expect(dataConsumer.dataProducerId).toBe(produced.id);
			expect(dataConsumer.label).toBe('to-node');
			expect(dataConsumer.protocol).toBe('p1');
			expect(dataConsumer.sctpStreamParameters).toBeUndefined();

			const plan: DataMessageSpec[] = [
				...mixedPlan(100),
				{ binary: false, size: 65536 },
				{ binary: true, size: 65536 },
				{ binary: false, size: MAX_MESSAGE_SIZE },
				{ binary: true, size: MAX_MESSAGE_SIZE },
			];

			await sendData(pageA, produced.id, plan);
			await waitFor(
				() => received.length >= plan.length,
				"the DirectTransport DataConsumer's messages",
				{
					extra: async () => ({ received: received.length }),
				}
			);

			expectSameSequence(received, expectedDigests(plan), 'the DirectTransport DataConsumer');
			expect(ppids).toEqual(plan.map(spec => (spec.binary ? PPID_BINARY : PPID_STRING)));
		},
		TEST_TIMEOUT
	);

	test(
		"Node to browser: DataProducer.send() on a DirectTransport reaches B's DataConsumer",
		async () => {
			const { pageB, router } = env();

			await join(pageB);

			const directTransport = await router.createDirectTransport();

			env().cleanups.push(() => directTransport.close());

			const dataProducer = await directTransport.produceData({
				label: 'from-node',
				protocol: 'p2',
			});

			expect(dataProducer.type).toBe('direct');
			expect(dataProducer.sctpStreamParameters).toBeUndefined();

			const consumed = await consumeData(pageB, dataProducer.id);
			const dataConsumer = serverDataConsumer(consumed.id);

			expect(consumed.label).toBe('from-node');
			expect(consumed.protocol).toBe('p2');
			expect(consumed.sctpStreamParameters.ordered).toBe(true);
			expect(dataConsumer.type).toBe('sctp');
			expect(dataConsumer.sctpStreamParameters?.streamId).toBe(
				consumed.sctpStreamParameters.streamId
			);

			const plan: DataMessageSpec[] = [
				...mixedPlan(100),
				{ binary: false, size: 0 },
				{ binary: true, size: 0 },
				{ binary: false, size: 65536 },
				{ binary: true, size: MAX_MESSAGE_SIZE },
			];

			for (const [seq, spec] of plan.entries()) {
				const message = makeMessage(seq, spec);

				dataProducer.send(typeof message === 'string' ? message : Buffer.from(message));
			}

			const digests = await waitForPageMessages(pageB, consumed.id, plan.length, 'B to receive');

			expectSameSequence(digests, expectedDigests(plan), "B's DataConsumer");
			expect(env().pageErrors).toEqual([]);
		},
		TEST_TIMEOUT
	);

	test(
		"closing the server DataProducer fires the DataConsumer's 'dataproducerclose' and closes B's channel; so does closing the server DataConsumer",
		async () => {
			const { pageB } = env();

			await joinBoth();

			const first = await setUpDataChannel({ label: 'first' });
			const second = await setUpDataChannel({ label: 'second' });
			let dataProducerClosed = 0;

			first.dataConsumer.on('dataproducerclose', () => ++dataProducerClosed);

			// Closed by its DataProducer.
			first.dataProducer.close();

			await waitFor(() => dataProducerClosed > 0, "the DataConsumer's 'dataproducerclose'");

			expect(first.dataConsumer.closed).toBe(true);

			await waitFor(
				async () => (await dataReceived(pageB, first.consumed.id)).readyState === 'closed',
				"B's first channel to close (the server resets its SCTP stream)"
			);

			// Closed directly.
			second.dataConsumer.close();

			await waitFor(
				async () => (await dataReceived(pageB, second.consumed.id)).readyState === 'closed',
				"B's second channel to close (the server resets its SCTP stream)"
			);

			// The association is still up: a new channel works.
			const third = await setUpDataChannel({ label: 'third' });
			const plan = mixedPlan(10);

			await sendData(env().pageA, third.produced.id, plan);

			const digests = await waitForPageMessages(
				pageB,
				third.consumed.id,
				plan.length,
				'B to receive'
			);

			expectSameSequence(digests, expectedDigests(plan), "B's third DataConsumer");
		},
		TEST_TIMEOUT
	);

	test(
		"dataConsumer.send() on the server sends to B's channel",
		async () => {
			const { pageB } = env();

			await joinBoth();

			const { consumed, dataConsumer } = await setUpDataChannel({ label: 'server-send' });
			const plan = mixedPlan(20, 5000);

			for (const [seq, spec] of plan.entries()) {
				const message = makeMessage(seq, spec);
				const buffered = await dataConsumer.send(
					typeof message === 'string' ? message : Buffer.from(message)
				);

				expect(typeof buffered).toBe('number');
			}

			const digests = await waitForPageMessages(pageB, consumed.id, plan.length, 'B to receive');

			expectSameSequence(digests, expectedDigests(plan), "B's DataConsumer");
		},
		TEST_TIMEOUT
	);

	test(
		'audio and a DataChannel share the same transports: both flow',
		async () => {
			const { pageA, pageB } = env();

			await joinBoth();

			const audioProducerId = await pageA.evaluate(
				() => (window as unknown as InteropWindow).interop.produce({ kind: 'audio' }),
				undefined
			);
			const { produced, consumed } = await setUpDataChannel({ label: 'with-audio' });
			const audioConsumerId = await pageB.evaluate(
				producerId => (window as unknown as InteropWindow).interop.consume({ producerId }),
				audioProducerId
			);

			// One send and one recv transport per page, each carrying both.
			expect(env().server.transports.size).toBe(2);

			const plan = mixedPlan(50);

			await sendData(pageA, produced.id, plan);

			const digests = await waitForPageMessages(pageB, consumed.id, plan.length, 'B to receive');

			expectSameSequence(digests, expectedDigests(plan), "B's DataConsumer");

			await waitFor(async () => {
				const stats = await pageB.evaluate(() =>
					(window as unknown as InteropWindow).interop.stats()
				);

				return (stats.consumers.find(c => c.id === audioConsumerId)?.packetsReceived ?? 0) > 0;
			}, 'B to receive audio packets');
		},
		TEST_TIMEOUT
	);
});

describe('WebRtcTransports of a WebRtcServer', () => {
	beforeEach(async () => {
		current = await setUp({ withWebRtcServer: true });
	}, TEST_TIMEOUT);

	test(
		'DataChannels over WebRtcTransports of a WebRtcServer',
		async () => {
			const { pageA, pageB } = env();

			await joinBoth();

			const { produced, consumed } = await setUpDataChannel({ label: 'via-server' });

			// The page's channel opens when the browser's end of the association
			// is up; the worker's 'connected' reaches Node a moment later.
			for (const transport of env().server.transports.values()) {
				expect(transport.iceCandidates.map(c => c.port)).toEqual([WEBRTC_SERVER_PORT]);
				await waitFor(
					() => transport.sctpState === 'connected',
					`SCTP connected on server transport ${transport.id}`
				);
			}

			const plan = [...mixedPlan(100), { binary: true, size: MAX_MESSAGE_SIZE }];

			await sendData(pageA, produced.id, plan);

			const digests = await waitForPageMessages(pageB, consumed.id, plan.length, 'B to receive');

			expectSameSequence(digests, expectedDigests(plan), "B's DataConsumer");
		},
		TEST_TIMEOUT
	);
});
