// SCTP send-buffer accounting seen from the API, with a real association:
// two PipeTransports with SCTP (plain UDP over loopback) in one Router. A
// DirectTransport DataProducer feeds a DataConsumer on pipe A; bursts fill
// pipe A's SCTP send buffer until the peer (pipe B) acknowledges. The
// buffered amount counts, per stream, the bytes not yet sent (as a
// browser's RTCDataChannel.bufferedAmount): bytes in flight are not in it.

import * as mediasoup from '../';
import type { DataConsumer, DataProducer, PipeTransport, Router, Worker } from '../types';
import { waitUntil } from './helpers/media-tools';

const TEST_TIMEOUT = 60000;
// Longest wait for something expected to happen (not a performance figure).
const WAIT_MS = 20000;

let worker: Worker;

afterEach(() => {
	worker?.close();
});

function waitFor(check: () => boolean, what: string): Promise<void> {
	return waitUntil(check, WAIT_MS, what);
}

async function setup(sctpSendBufferSize?: number): Promise<{
	router: Router;
	pipeA: PipeTransport;
	pipeB: PipeTransport;
	dataProducer: DataProducer;
	dataConsumer: DataConsumer;
}> {
	worker = await mediasoup.createWorker({ logLevel: 'warn' });

	const router = await worker.createRouter();
	const listenInfo = { protocol: 'udp' as const, ip: '127.0.0.1' };
	const pipeA = await router.createPipeTransport({
		listenInfo,
		enableSctp: true,
		...(sctpSendBufferSize ? { sctpSendBufferSize } : {}),
	});
	const pipeB = await router.createPipeTransport({ listenInfo, enableSctp: true });

	await pipeA.connect({ ip: '127.0.0.1', port: pipeB.tuple.localPort });
	await pipeB.connect({ ip: '127.0.0.1', port: pipeA.tuple.localPort });
	await waitFor(
		() => pipeA.sctpState === 'connected' && pipeB.sctpState === 'connected',
		'both associations connected'
	);

	const direct = await router.createDirectTransport();
	const dataProducer = await direct.produceData({ label: 'bulk' });
	const dataConsumer = await pipeA.consumeData({ dataProducerId: dataProducer.id });

	return { router, pipeA, pipeB, dataProducer, dataConsumer };
}

test(
	'bufferedamountlow fires once what a burst queued has gone out',
	async () => {
		const { dataProducer, dataConsumer } = await setup();
		const lows: number[] = [];

		await dataConsumer.setBufferedAmountLowThreshold(10000);
		dataConsumer.on('bufferedamountlow', amount => lows.push(amount));

		const chunk = Buffer.alloc(60000, 7);

		for (let i = 0; i < 20; ++i) {
			dataProducer.send(chunk);
		}

		// Queued faster than loopback drains it: some of it is still buffered
		// (earlier messages may have drained and fired the event already).
		const queued = await dataConsumer.getBufferedAmount();

		expect(queued).toBeGreaterThan(10000);

		lows.length = 0;

		await waitFor(() => lows.length > 0, 'bufferedamountlow');

		expect(lows[0]).toBeLessThanOrEqual(10000);

		// Sends are notifications: on a slow worker (sanitizers) the last
		// ones may reach it after the first drain fired the event, and queue
		// again. Once all are in, it drains below the threshold for good.
		let amount = Infinity;
		let sent = 0;

		while (sent < 20 || amount > 10000) {
			await new Promise(resolve => setTimeout(resolve, 20));
			[{ messagesSent: sent }] = await dataConsumer.getStats();
			amount = await dataConsumer.getBufferedAmount();
		}

		expect(lows.every(low => low <= 10000)).toBe(true);

		const [stats] = await dataConsumer.getStats();

		expect(stats.messagesSent).toBe(20);
		expect(stats.bytesSent).toBe(20 * 60000);
	},
	TEST_TIMEOUT
);

test(
	'a burst larger than the send buffer emits sctpsendbufferfull and drops the rest',
	async () => {
		const { dataProducer, dataConsumer } = await setup(100000);
		let full = 0;

		dataConsumer.on('sctpsendbufferfull', () => ++full);

		const chunk = Buffer.alloc(30000, 1);

		for (let i = 0; i < 20; ++i) {
			dataProducer.send(chunk);
		}

		await waitFor(() => full > 0, 'sctpsendbufferfull');

		// What did not fit was dropped, not queued for later.
		const [stats] = await dataConsumer.getStats();

		expect(stats.messagesSent).toBeLessThan(20);
		expect(stats.messagesSent).toBeGreaterThan(0);
	},
	TEST_TIMEOUT
);

test(
	'on an idle association a small message goes out at once: send() resolves 0, as a browser reports bufferedAmount',
	async () => {
		const { dataConsumer } = await setup();

		await expect(dataConsumer.send('foo')).resolves.toBe(0);
		await expect(dataConsumer.getBufferedAmount()).resolves.toBe(0);
		expect((await dataConsumer.dump()).bufferedAmount).toBe(0);
		expect((await dataConsumer.getStats())[0]).toMatchObject({
			messagesSent: 1,
			bytesSent: 3,
			bufferedAmount: 0,
		});
	},
	TEST_TIMEOUT
);

test(
	'the buffered amount is per stream: a burst on one DataConsumer does not count on another of the same transport',
	async () => {
		const { pipeA, dataProducer, dataConsumer } = await setup();
		const other = await pipeA.consumeData({ dataProducerId: dataProducer.id });
		let lows = 0;

		dataConsumer.on('bufferedamountlow', () => ++lows);

		// Only `dataConsumer` sends: the other one is paused.
		await other.pause();

		const chunk = Buffer.alloc(60000, 3);

		for (let i = 0; i < 10; ++i) {
			dataProducer.send(chunk);
		}

		const [busy, idle] = await Promise.all([
			dataConsumer.getBufferedAmount(),
			other.getBufferedAmount(),
		]);

		expect(busy).toBeGreaterThan(1024);
		expect(idle).toBe(0);
		expect((await other.dump()).bufferedAmount).toBe(0);

		// And it drains to the default threshold (1024), telling it. (The
		// event may come before the dump above has answered: it is counted,
		// not waited for after it.)
		await waitUntil(
			async () => (await dataConsumer.getBufferedAmount()) <= 1024,
			WAIT_MS,
			'the burst drained'
		);
		await waitFor(() => lows > 0, 'bufferedamountlow');
	},
	TEST_TIMEOUT
);
