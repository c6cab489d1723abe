/// <reference lib="dom" />

// Across hosts: two Workers in two network namespaces joined by a veth pair,
// with the pieces an application wires itself (a PipeTransport on each side,
// SRTP and RTX, exchanging tuples and srtpParameters). A browser
// (mediasoup-client, in namespace A) sends camera video to Router A; it is
// piped to Router B (namespace B) and consumed there by a DirectTransport.
// Key frame requests from B reach the browser across the pipe, and with
// loss on B's side of the link the pipe producer's NACKs are answered by the
// pipe consumer's retransmissions.

import type { Page } from 'playwright-core';
import * as mediasoup from '../';
import type {
	Consumer,
	ConsumerStat,
	PipeTransport,
	Producer,
	ProducerStat,
	Router,
	RouterRtpCodecCapability,
	Worker,
} from '../types';
import type { InteropApi } from './fixtures/interop-client/api';
import { launchBrowser } from './helpers/browser';
import { sleep, waitUntil } from './helpers/media-tools';
import { InteropServer } from './helpers/interopServer';
import { createTestNetwork } from './helpers/netns';
import { addRandomUdpLoss, hasNft } from './helpers/netnsLoss';
import { createPeerNetwork, PEER_FAR_IP, PEER_NEAR_IP } from './helpers/netnsPeer';

const TEST_TIMEOUT = 90000;
// Longest wait for something expected to happen (not a performance figure).
const WAIT_MS = 20000;

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

type InteropWindow = { interop: InteropApi };

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) {
		try {
			await cleanup();
		} catch {
			// Best effort: everything else must still be closed.
		}
	}
}, TEST_TIMEOUT);

function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
	return waitUntil(check, WAIT_MS, what);
}

type Call = {
	page: Page;
	producer: Producer;
	routerB: Router;
	pipeA: PipeTransport;
	pipeB: PipeTransport;
	pipeConsumer: Consumer;
	pipeProducer: Producer;
	consumer: Consumer;
	peerNetworkName: string;
	rtpPackets: () => number;
};

async function setUpCall(): Promise<Call> {
	const network = createTestNetwork();

	cleanups.push(() => network.destroy());

	const peerNetwork = createPeerNetwork(network);

	cleanups.push(() => peerNetwork.destroy());

	const workerA: Worker = await mediasoup.createWorker({
		workerBin: network.wrap(mediasoup.workerBin),
		logLevel: 'warn',
	});

	cleanups.push(() => workerA.close());

	const workerB: Worker = await mediasoup.createWorker({
		workerBin: peerNetwork.wrap(mediasoup.workerBin),
		logLevel: 'warn',
	});

	cleanups.push(() => workerB.close());

	const routerA = await workerA.createRouter({ mediaCodecs });
	const routerB = await workerB.createRouter({ mediaCodecs });
	const server = await InteropServer.create({ router: routerA, network });

	cleanups.push(() => server.close());

	const browser = await launchBrowser({ executablePath: network.wrap('/usr/bin/chromium') });

	cleanups.push(() => browser.close());

	const page = browser.page;

	await page.goto(server.pageUrl);
	await page.waitForFunction(() => 'interop' in window);
	await page.evaluate(
		wsUrl => (window as unknown as InteropWindow).interop.join({ wsUrl }),
		server.wsUrl
	);

	const producerId = await page.evaluate(
		options => (window as unknown as InteropWindow).interop.produce(options),
		{ kind: 'video' as const, codec: 'VP8' as const }
	);
	const producer = server.producers.get(producerId)!;

	// The application's wiring of a pipe between hosts.
	const pipeOptions = { enableRtx: true, enableSrtp: true };
	const pipeA = await routerA.createPipeTransport({
		listenInfo: { protocol: 'udp', ip: PEER_NEAR_IP },
		...pipeOptions,
	});
	const pipeB = await routerB.createPipeTransport({
		listenInfo: { protocol: 'udp', ip: PEER_FAR_IP },
		...pipeOptions,
	});

	await pipeA.connect({
		ip: pipeB.tuple.localAddress,
		port: pipeB.tuple.localPort,
		srtpParameters: pipeB.srtpParameters,
	});
	await pipeB.connect({
		ip: pipeA.tuple.localAddress,
		port: pipeA.tuple.localPort,
		srtpParameters: pipeA.srtpParameters,
	});

	const pipeConsumer = await pipeA.consume({ producerId });
	const pipeProducer = await pipeB.produce({
		id: producerId,
		kind: pipeConsumer.kind,
		rtpParameters: pipeConsumer.rtpParameters,
		paused: pipeConsumer.producerPaused,
	});
	const direct = await routerB.createDirectTransport();
	const consumer = await direct.consume({
		producerId,
		rtpCapabilities: routerB.rtpCapabilities,
	});
	let packets = 0;

	consumer.on('rtp', () => ++packets);

	return {
		page,
		producer,
		routerB,
		pipeA,
		pipeB,
		pipeConsumer,
		pipeProducer,
		consumer,
		peerNetworkName: peerNetwork.name,
		rtpPackets: () => packets,
	};
}

test(
	"a browser's video crosses to a Worker in another network namespace, with key frames on demand",
	async () => {
		const { pipeA, pipeB, pipeConsumer, pipeProducer, consumer, producer, rtpPackets } =
			await setUpCall();

		expect(pipeA.tuple.remoteIp).toBe(PEER_FAR_IP);
		expect(pipeB.tuple.remoteIp).toBe(PEER_NEAR_IP);

		await waitFor(() => rtpPackets() > 200, 'RTP at the far consumer');

		const [producerStat] = (await pipeProducer.getStats()) as ProducerStat[];

		expect(producerStat.packetCount).toBeGreaterThan(200);
		expect(producerStat.score).toBeGreaterThan(0);

		// A key frame request from the far side: the far consumer asks, the
		// pipe consumer on A gets the PLI, A's producer asks the browser, and
		// a key frame comes back across.
		const plisAtPipeConsumer: unknown[] = [];
		const plisAtProducer: unknown[] = [];
		const keyFramesAtPipeProducer: unknown[] = [];

		await pipeConsumer.enableTraceEvent(['pli']);
		await producer.enableTraceEvent(['pli', 'keyframe']);
		await pipeProducer.enableTraceEvent(['keyframe']);
		pipeConsumer.on('trace', trace => plisAtPipeConsumer.push(trace));
		producer.on('trace', trace => {
			if (trace.type === 'pli') {
				plisAtProducer.push(trace);
			}
		});
		pipeProducer.on('trace', trace => keyFramesAtPipeProducer.push(trace));

		// Let the first key frames settle, then ask for one.
		await sleep(1500);
		keyFramesAtPipeProducer.length = 0;
		await consumer.requestKeyFrame();

		await waitFor(() => plisAtPipeConsumer.length > 0, 'the PLI at the pipe consumer on A');
		await waitFor(() => plisAtProducer.length > 0, "the PLI to the browser from A's producer");
		await waitFor(() => keyFramesAtPipeProducer.length > 0, 'a key frame back at B');
	},
	TEST_TIMEOUT
);

(hasNft() ? test : test.skip)(
	'with 10 % loss into B, NACKs cross the pipe and RTX repairs the stream',
	async () => {
		const { pipeConsumer, pipeProducer, rtpPackets, peerNetworkName } = await setUpCall();

		await waitFor(() => rtpPackets() > 100, 'RTP at the far consumer');

		const loss = addRandomUdpLoss(
			{ name: peerNetworkName, wrap: () => '', destroy: () => undefined },
			10
		);

		let lastStats = {};

		await waitFor(async () => {
			const [sent] = (await pipeConsumer.getStats()) as ConsumerStat[];
			const [received] = (await pipeProducer.getStats()) as ProducerStat[];

			lastStats = {
				dropped: loss.droppedPackets(),
				nackCount: received.nackCount,
				packetsRetransmitted: sent.packetsRetransmitted,
				packetsRepaired: received.packetsRepaired,
			};

			return (
				loss.droppedPackets() > 5 &&
				received.nackCount > 0 &&
				sent.packetsRetransmitted > 0 &&
				received.packetsRepaired > 0
			);
		}, 'NACKs from B answered by retransmissions from A').catch(error => {
			throw new Error(`${(error as Error).message}: ${JSON.stringify(lastStats)}`);
		});
	},
	TEST_TIMEOUT
);
