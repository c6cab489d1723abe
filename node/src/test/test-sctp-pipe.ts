// Data between Routers over PipeTransports with SCTP (SCTP over plain UDP,
// both ends this library's worker), as an app pipes a DataProducer by hand:
// a DataProducer on Router A (on a DirectTransport) is consumed by pipe
// transport A (consumeData() allocates a stream); pipe transport B produces
// that stream with the same id, sctpStreamParameters, label and protocol;
// a DataConsumer on a DirectTransport of Router B receives every message.
// Both with the two Routers in two Workers and in one Worker. In one Worker
// the piped DataProducer cannot keep the id (ids are unique per Worker; the
// reference's pipeToRouter() needs `keepId: false` there), so it gets its
// own.

import * as mediasoup from '../';
import type {
	DataConsumer,
	DataProducer,
	DirectTransport,
	PipeTransport,
	Router,
	SctpState,
	Worker,
} from '../types';

const TEST_TIMEOUT = 60000;
// Longest wait for something expected to happen (not a performance figure).
const WAIT_MS = 20000;

const workers = new Set<Worker>();

afterEach(() => {
	for (const worker of workers) {
		worker.close();
	}

	workers.clear();
});

function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

async function waitFor(
	predicate: () => boolean,
	what: string,
	describe?: () => unknown
): Promise<void> {
	const deadline = Date.now() + WAIT_MS;

	while (!predicate()) {
		if (Date.now() > deadline) {
			throw new Error(
				`timed out waiting for ${what}` +
					(describe ? `\n${JSON.stringify(describe(), null, 1)}` : '')
			);
		}

		await sleep(20);
	}
}

async function createWorker(): Promise<Worker> {
	const worker = await mediasoup.createWorker({ logLevel: 'warn' });

	workers.add(worker);

	return worker;
}

type Setup = 'one worker' | 'two workers';

/**
 * Routers A and B (in one Worker or in two), each with a PipeTransport with
 * SCTP, connected to each other's tuple; resolves once both associations
 * are connected.
 */
async function createPipe(setup: Setup): Promise<{
	routerA: Router;
	routerB: Router;
	pipeA: PipeTransport;
	pipeB: PipeTransport;
	statesA: SctpState[];
	statesB: SctpState[];
}> {
	const workerA = await createWorker();
	const workerB = setup === 'one worker' ? workerA : await createWorker();
	const routerA = await workerA.createRouter();
	const routerB = await workerB.createRouter();
	const options = { listenInfo: { protocol: 'udp' as const, ip: '127.0.0.1' }, enableSctp: true };
	const pipeA = await routerA.createPipeTransport(options);
	const pipeB = await routerB.createPipeTransport(options);
	const statesA: SctpState[] = [];
	const statesB: SctpState[] = [];

	pipeA.on('sctpstatechange', state => statesA.push(state));
	pipeB.on('sctpstatechange', state => statesB.push(state));

	expect(pipeA.sctpParameters).toMatchObject({ port: 5000, isDataChannel: false });
	expect(pipeA.sctpState).toBe('new');

	await pipeA.connect({ ip: pipeB.tuple.localAddress, port: pipeB.tuple.localPort });
	await pipeB.connect({ ip: pipeA.tuple.localAddress, port: pipeA.tuple.localPort });

	await waitFor(
		() => pipeA.sctpState === 'connected' && pipeB.sctpState === 'connected',
		'both pipe transports to get their SCTP association connected',
		() => ({ a: pipeA.sctpState, b: pipeB.sctpState, statesA, statesB })
	);

	return { routerA, routerB, pipeA, pipeB, statesA, statesB };
}

/**
 * What an app does to carry a DataProducer of Router A to Router B.
 */
async function pipeToRouterB({
	dataProducer,
	pipeA,
	pipeB,
	keepId,
}: {
	dataProducer: DataProducer;
	pipeA: PipeTransport;
	pipeB: PipeTransport;
	keepId: boolean;
}): Promise<{ pipeDataConsumer: DataConsumer; pipeDataProducer: DataProducer }> {
	const pipeDataConsumer = await pipeA.consumeData({ dataProducerId: dataProducer.id });
	const pipeDataProducer = await pipeB.produceData({
		id: keepId ? dataProducer.id : undefined,
		sctpStreamParameters: pipeDataConsumer.sctpStreamParameters,
		label: pipeDataConsumer.label,
		protocol: pipeDataConsumer.protocol,
	});

	return { pipeDataConsumer, pipeDataProducer };
}

type Received = { data: Buffer; ppid: number };

async function directConsumer(
	router: Router,
	dataProducerId: string
): Promise<{ transport: DirectTransport; dataConsumer: DataConsumer; received: Received[] }> {
	const transport = await router.createDirectTransport();
	const dataConsumer = await transport.consumeData({ dataProducerId });
	const received: Received[] = [];

	dataConsumer.on('message', (data, ppid) => received.push({ data, ppid }));

	return { transport, dataConsumer, received };
}

function message(i: number): string | Buffer {
	const size = 1 + ((i * 389) % 3000);

	if (i % 2 === 0) {
		return `#${i} `.padEnd(size, String.fromCharCode(65 + (i % 26)));
	}

	const buffer = Buffer.alloc(size);

	for (let j = 0; j < size; ++j) {
		buffer[j] = (i * 13 + j) & 0xff;
	}

	return buffer;
}

describe.each<Setup>(['two workers', 'one worker'])('SCTP over PipeTransports (%s)', setup => {
	const keepId = setup === 'two workers';

	test(
		'a DataProducer of Router A reaches a DirectTransport DataConsumer of Router B, every message in order',
		async () => {
			const { routerA, routerB, pipeA, pipeB, statesA, statesB } = await createPipe(setup);

			expect(statesA).toContain('connected');
			expect(statesB).toContain('connected');

			const directA = await routerA.createDirectTransport();
			const dataProducer = await directA.produceData({ label: 'piped', protocol: 'v2' });
			const { pipeDataConsumer, pipeDataProducer } = await pipeToRouterB({
				dataProducer,
				pipeA,
				pipeB,
				keepId,
			});

			expect(pipeDataConsumer.type).toBe('sctp');
			expect(pipeDataConsumer.label).toBe('piped');
			expect(pipeDataConsumer.protocol).toBe('v2');
			expect(typeof pipeDataConsumer.sctpStreamParameters?.streamId).toBe('number');
			if (keepId) {
				expect(pipeDataProducer.id).toBe(dataProducer.id);
			}

			expect(pipeDataProducer.type).toBe('sctp');
			expect(pipeDataProducer.sctpStreamParameters).toEqual(pipeDataConsumer.sctpStreamParameters);
			expect(pipeDataProducer.label).toBe('piped');
			expect(pipeDataProducer.protocol).toBe('v2');

			const { dataConsumer, received } = await directConsumer(routerB, pipeDataProducer.id);

			expect(dataConsumer.label).toBe('piped');
			expect(dataConsumer.protocol).toBe('v2');

			const sent: (string | Buffer)[] = [];

			for (let i = 0; i < 300; ++i) {
				const m = message(i);

				sent.push(m);
				dataProducer.send(m);
			}

			// And a few large ones, split into many SCTP chunks on the way.
			for (const size of [65536, 262144]) {
				const m = Buffer.alloc(size, size & 0xff);

				m.writeUInt32BE(size, 0);
				sent.push(m);
				dataProducer.send(m);
			}

			await waitFor(
				() => received.length >= sent.length,
				"Router B's DataConsumer to receive every message",
				() => ({
					received: received.length,
					sent: sent.length,
					pipeA: pipeA.sctpState,
					pipeB: pipeB.sctpState,
				})
			);

			expect(received.length).toBe(sent.length);

			for (const [i, m] of sent.entries()) {
				const expected = typeof m === 'string' ? Buffer.from(m) : m;
				const ppid = typeof m === 'string' ? 51 : 53;

				expect({ i, ppid: received[i].ppid }).toEqual({ i, ppid });

				if (!received[i].data.equals(expected)) {
					throw new Error(
						`message #${i}: ${received[i].data.length} bytes received, ` +
							`${expected.length} sent, contents differ`
					);
				}
			}

			const [consumerStats] = await pipeDataConsumer.getStats();
			const [producerStats] = await pipeDataProducer.getStats();

			expect(consumerStats.messagesSent).toBe(sent.length);
			expect(producerStats.messagesReceived).toBe(sent.length);
		},
		TEST_TIMEOUT
	);

	test(
		'several piped DataProducers share the association, each on its own stream',
		async () => {
			const { routerA, routerB, pipeA, pipeB } = await createPipe(setup);
			const directA = await routerA.createDirectTransport();
			const channels: (Awaited<ReturnType<typeof pipeToRouterB>> &
				Awaited<ReturnType<typeof directConsumer>> & { dataProducer: DataProducer })[] = [];

			for (let n = 0; n < 3; ++n) {
				const dataProducer = await directA.produceData({ label: `channel-${n}` });
				const piped = await pipeToRouterB({ dataProducer, pipeA, pipeB, keepId });
				const consumer = await directConsumer(routerB, piped.pipeDataProducer.id);

				channels.push({ dataProducer, ...piped, ...consumer });
			}

			expect(
				new Set(channels.map(c => c.pipeDataConsumer.sctpStreamParameters?.streamId)).size
			).toBe(3);

			for (let i = 0; i < 100; ++i) {
				for (const [n, channel] of channels.entries()) {
					channel.dataProducer.send(`channel ${n} message ${i}`);
				}
			}

			await waitFor(
				() => channels.every(c => c.received.length >= 100),
				'every channel to deliver its messages',
				() => channels.map(c => c.received.length)
			);

			for (const [n, channel] of channels.entries()) {
				expect(channel.received.map(r => r.data.toString())).toEqual(
					Array.from({ length: 100 }, (_, i) => `channel ${n} message ${i}`)
				);
			}
		},
		TEST_TIMEOUT
	);

	test(
		"closing the DataProducer on A fires the pipe DataConsumer's 'dataproducerclose'; closing the pipe DataProducer on B closes B's DataConsumer",
		async () => {
			const { routerA, routerB, pipeA, pipeB } = await createPipe(setup);
			const directA = await routerA.createDirectTransport();
			const dataProducer = await directA.produceData({ label: 'closing' });
			const { pipeDataConsumer, pipeDataProducer } = await pipeToRouterB({
				dataProducer,
				pipeA,
				pipeB,
				keepId,
			});
			const { dataConsumer, received } = await directConsumer(routerB, pipeDataProducer.id);

			dataProducer.send('before close');
			await waitFor(() => received.length === 1, 'the first message');

			let pipeConsumerClosed = 0;
			let consumerClosed = 0;

			pipeDataConsumer.on('dataproducerclose', () => {
				++pipeConsumerClosed;
				// What an app (and pipeToRouter) does: the other end follows.
				pipeDataProducer.close();
			});
			dataConsumer.on('dataproducerclose', () => ++consumerClosed);

			dataProducer.close();

			await waitFor(() => pipeConsumerClosed > 0, "the pipe DataConsumer's 'dataproducerclose'");

			expect(pipeConsumerClosed).toBe(1);
			expect(pipeDataConsumer.closed).toBe(true);

			await waitFor(() => consumerClosed > 0, "B's DataConsumer's 'dataproducerclose'");

			expect(consumerClosed).toBe(1);
			expect(dataConsumer.closed).toBe(true);

			// The association itself is still up, for the next piped DataProducer,
			// which may reuse the freed stream.
			expect(pipeA.sctpState).toBe('connected');
			expect(pipeB.sctpState).toBe('connected');

			const next = await directA.produceData({ label: 'next' });
			const piped = await pipeToRouterB({ dataProducer: next, pipeA, pipeB, keepId });
			const consumer = await directConsumer(routerB, piped.pipeDataProducer.id);

			next.send('after close');
			await waitFor(() => consumer.received.length === 1, 'a message of the next DataProducer');

			expect(consumer.received[0].data.toString()).toBe('after close');
			expect(piped.pipeDataProducer.closed).toBe(false);
		},
		TEST_TIMEOUT
	);

	if (setup === 'one worker') {
		test(
			'in one Worker the piped DataProducer cannot reuse the id of the original',
			async () => {
				const { routerA, pipeA, pipeB } = await createPipe(setup);
				const directA = await routerA.createDirectTransport();
				const dataProducer = await directA.produceData();
				const pipeDataConsumer = await pipeA.consumeData({ dataProducerId: dataProducer.id });

				await expect(
					pipeB.produceData({
						id: dataProducer.id,
						sctpStreamParameters: pipeDataConsumer.sctpStreamParameters,
					})
				).rejects.toBeInstanceOf(Error);
			},
			TEST_TIMEOUT
		);
	}
});

test(
	'sctpNegotiatedCapabilities: 0 and 0 in dump() until the association connects, then the streams both ends agreed on',
	async () => {
		const worker = await createWorker();
		const router = await worker.createRouter();
		const options = { listenInfo: { protocol: 'udp' as const, ip: '127.0.0.1' }, enableSctp: true };
		const pipeA = await router.createPipeTransport(options);
		const pipeB = await router.createPipeTransport(options);
		const before = { negotiatedMaxOutboundStreams: 0, negotiatedMaxInboundStreams: 0 };
		// The worker asks for 1024 streams each way, not the 65535 of
		// sctpParameters.OS/MIS: usrsctp's per-stream state would cost about
		// 6.7 MB per association (README).
		const negotiated = { negotiatedMaxOutboundStreams: 1024, negotiatedMaxInboundStreams: 1024 };

		expect(pipeA.sctpParameters).toMatchObject({ OS: 65535, MIS: 65535 });
		expect(pipeA.sctpNegotiatedCapabilities).toBeUndefined();
		expect((await pipeA.dump()).sctpNegotiatedCapabilities).toEqual(before);

		await pipeA.connect({ ip: '127.0.0.1', port: pipeB.tuple.localPort });
		await pipeB.connect({ ip: '127.0.0.1', port: pipeA.tuple.localPort });
		await waitFor(
			() => pipeA.sctpState === 'connected' && pipeB.sctpState === 'connected',
			'both associations connected'
		);

		for (const pipe of [pipeA, pipeB]) {
			expect(pipe.sctpNegotiatedCapabilities).toEqual(negotiated);
			expect((await pipe.dump()).sctpNegotiatedCapabilities).toEqual(negotiated);
		}
	},
	TEST_TIMEOUT
);
