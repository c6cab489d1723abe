// Cost of send-side bandwidth estimation on the forwarding path: worker CPU
// per forwarded packet when every packet to a consumer gets a transport-wide
// sequence number (recorded in the transport's send history) or an
// abs-send-time, against consumers that get neither; and the memory the send
// histories take.
//
// CPU: one worker, one router, and one scenario per comedia PlainTransport
// with its VP8 producer (fed by the paced C sender) and CONSUMERS consumers,
// each on its own PlainTransport to one C receiver:
// - none: consumers' capabilities lack the transport-wide-cc and
//   abs-send-time extensions, so nothing is stamped;
// - transportCcRebuild: router.rtpCapabilities as is, producer packets
//   without the extension: each one is rebuilt with it into a scratch buffer,
//   per consumer;
// - transportCcInPlace: as above, but the producer's packets carry a
//   transport-wide-cc element (declared on the producer, without transport-cc
//   feedback, so the receive side records nothing): it is overwritten in
//   place;
// - remb: capabilities without transport-wide-cc, so abs-send-time (rebuild
//   path: the producer's packets lack it);
// - noneWithExtension: the control for transportCcInPlace, nothing stamped
//   but the producer's packets carry the element (8 bytes more everywhere).
// Every scenario's consumers exist for the whole run; only one producer gets
// packets at a time. After one unmeasured run of each, ROUNDS rounds run
// every scenario once (the order rotating by round); medians are reported,
// and their ratio to `none`. The receiver's totals are read between runs
// (SIGUSR1); its average packet size shows what was stamped (12 + PAYLOAD
// unstamped, 8 bytes more with an element).
//
// The C receiver sends no feedback: what is measured is the per-packet send
// cost (stamp + record), not the reading of transport-cc feedback or the
// estimator.
//
// Memory: two fresh workers in turn, each with CONSUMERS consumers (none, or
// transport-cc with the rebuild path) of one producer: worker RSS before and
// after MEMORY_SECONDS of traffic. A send history keeps the packets of the
// last MaxAgeUs, at most MaxPackets, of 24 bytes each
// (TransportCcSendHistory.hpp; feedback does not shorten it); the difference
// of the two growths, per consumer (one transport each), is what the
// histories took.
//
// Prints one JSON object; figures are measured, nothing is asserted.
//
// Environment: CONSUMERS (50), RATE (2000), SECONDS per run (4), ROUNDS (3),
// MEMORY_SECONDS (10).

import fs from 'node:fs';
import path from 'node:path';
import {
	ROOT,
	buildNative,
	cpuNs,
	freeUdpPort,
	machine,
	mediasoup,
	residentKiB,
	round,
	sleep,
	startJsonProcess,
	udpSocketDrops,
	userSystemNs,
} from './lib/common.mjs';

const CONSUMERS = Number(process.env.CONSUMERS ?? 50);
const RATE = Number(process.env.RATE ?? 2000);
const SECONDS = Number(process.env.SECONDS ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const MEMORY_SECONDS = Number(process.env.MEMORY_SECONDS ?? 10);
const WARM_UP_SECONDS = 1;
const PAYLOAD = 1200;
const RECEIVER_SOCKETS = 2;
const LOCALHOST = '127.0.0.1';
const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
// The bound the figures are compared with, read from the worker's source so
// it cannot drift from it.
const HISTORY_SOURCE = fs.readFileSync(
	path.join(ROOT, 'worker', 'include', 'RTC', 'TransportCcSendHistory.hpp'),
	'utf8'
);
const HISTORY_MAX_PACKETS = Number(/MaxPackets\{\s*(\d+)u?\s*\}/.exec(HISTORY_SOURCE)?.[1] ?? NaN);
const HISTORY_MAX_AGE_SECONDS =
	Number(/MaxAgeUs\{\s*(\d+)u?\s*\}/.exec(HISTORY_SOURCE)?.[1] ?? NaN) / 1e6;
const HISTORY_PACKET_BYTES = 24;

const senderBin = buildNative('rtp-sender');
const receiverBin = buildNative('rtp-receiver');

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);

	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A router's capabilities without the header extensions of `uris`.
 */
function capabilitiesWithout(router, uris) {
	return {
		...router.rtpCapabilities,
		headerExtensions: router.rtpCapabilities.headerExtensions.filter(
			ext => !uris.includes(ext.uri)
		),
	};
}

/**
 * The bandwidth estimation a consumer's parameters negotiated, as the worker
 * reads them (extension and feedback both).
 */
function negotiatedBwe(consumer) {
	const { headerExtensions, codecs } = consumer.rtpParameters;
	const has = uri => headerExtensions.some(ext => ext.uri === uri);
	const feedback = type => codecs.some(codec => codec.rtcpFeedback?.some(fb => fb.type === type));

	if (has(TWCC_URI) && feedback('transport-cc')) {
		return 'transport-cc';
	}

	return has(ABS_SEND_TIME_URI) && feedback('goog-remb') ? 'remb' : 'none';
}

/**
 * One scenario on `router`: a comedia transport with a VP8 producer (its
 * packets carrying the transport-wide-cc element or not) and CONSUMERS
 * consumers with `rtpCapabilities`, sent to `receiverPorts`.
 */
async function createScenario({
	router,
	name,
	ssrc,
	withExtension,
	rtpCapabilities,
	receiverPorts,
}) {
	const vp8PayloadType = router.rtpCapabilities.codecs.find(
		c => c.mimeType === 'video/VP8'
	).preferredPayloadType;
	const twccExtId = router.rtpCapabilities.headerExtensions.find(
		ext => ext.uri === TWCC_URI && ext.kind === 'video'
	).preferredId;
	const ingress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		comedia: true,
	});
	const producer = await ingress.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: vp8PayloadType, clockRate: 90000 }],
			headerExtensions: withExtension ? [{ uri: TWCC_URI, id: twccExtId }] : [],
			encodings: [{ ssrc }],
		},
	});
	const consumers = await Promise.all(
		Array.from({ length: CONSUMERS }, async (_, i) => {
			const transport = await router.createPlainTransport({
				listenInfo: { protocol: 'udp', ip: LOCALHOST },
			});

			await transport.connect({ ip: LOCALHOST, port: receiverPorts[i % receiverPorts.length] });

			return transport.consume({ producerId: producer.id, rtpCapabilities });
		})
	);
	const bwe = [...new Set(consumers.map(negotiatedBwe))];

	return {
		name,
		ssrc,
		ingress,
		payloadType: vp8PayloadType,
		extId: withExtension ? twccExtId : 0,
		negotiatedBwe: bwe.length === 1 ? bwe[0] : bwe,
		// A comedia transport keeps the first tuple it learns, and a jump in
		// sequence numbers would cost the first packet after it: each scenario
		// sends from one port and continues its packet indexes.
		senderPort: await freeUdpPort(),
		nextIndex: 0,
	};
}

/**
 * Sends `seconds` of RATE packets into `scenario`'s producer and waits for
 * the last to go through.
 */
async function send(scenario, seconds) {
	const sender = startJsonProcess(senderBin, [
		String(scenario.ingress.tuple.localPort),
		String(scenario.senderPort),
		String(scenario.ssrc),
		String(scenario.payloadType),
		String(RATE),
		String(Math.round(RATE * seconds)),
		String(PAYLOAD),
		String(scenario.nextIndex),
		...(scenario.extId ? [String(scenario.extId)] : []),
	]);
	const sent = await sender.next();

	await sender.exit;
	scenario.nextIndex = sent.nextIndex;
	// Let the last packets through.
	await sleep(300);

	return sent;
}

/**
 * The receiver's totals so far.
 */
async function snapshot(receiver) {
	const next = receiver.next();

	receiver.child.kill('SIGUSR1');

	return next;
}

/**
 * One measured run of `scenario`.
 */
async function run(workerPid, receiver, scenario, seconds) {
	const destPort = scenario.ingress.tuple.localPort;
	const before = await snapshot(receiver);
	const inputDropsBefore = udpSocketDrops(destPort);
	const cpuBefore = cpuNs(workerPid);
	const splitBefore = userSystemNs(workerPid);
	const sent = await send(scenario, seconds);
	const cpu = cpuNs(workerPid) - cpuBefore;
	const splitAfter = userSystemNs(workerPid);
	const inputSocketDrops = udpSocketDrops(destPort) - inputDropsBefore;
	const after = await snapshot(receiver);
	const received = after.received - before.received;
	const expected = sent.sent * CONSUMERS;

	return {
		scenario: scenario.name,
		sent: sent.sent,
		expected,
		received,
		lossPct: round(Math.max(0, 1 - received / expected) * 100, 4),
		inputSocketDrops,
		receiverSocketDrops: after.receiverSocketDrops - before.receiverSocketDrops,
		avgPacketBytes: round((after.bytes - before.bytes) / Math.max(1, received), 1),
		workerCpuPct: round((cpu / 1e9 / sent.seconds) * 100, 1),
		cpuUsPerPacket: round(cpu / 1000 / Math.max(1, received), 3),
		// Where it went: the worker's own code, or the kernel (mostly sending).
		userUsPerPacket: round(
			(splitAfter.userNs - splitBefore.userNs) / 1000 / Math.max(1, received),
			3
		),
		systemUsPerPacket: round(
			(splitAfter.systemNs - splitBefore.systemNs) / 1000 / Math.max(1, received),
			3
		),
	};
}

async function measureCpu() {
	const worker = await mediasoup.createWorker();
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
	});
	// Latency figures are not used (index 2^53 is never reached).
	const receiver = startJsonProcess(receiverBin, [
		String(RECEIVER_SOCKETS),
		String(12 + PAYLOAD),
		String(Number.MAX_SAFE_INTEGER),
	]);
	const { ports: receiverPorts } = await receiver.next();
	const noBwe = capabilitiesWithout(router, [TWCC_URI, ABS_SEND_TIME_URI]);
	const rembOnly = capabilitiesWithout(router, [TWCC_URI]);
	const specs = [
		{ name: 'none', withExtension: false, rtpCapabilities: noBwe },
		{
			name: 'transportCcRebuild',
			withExtension: false,
			rtpCapabilities: router.rtpCapabilities,
		},
		{
			name: 'transportCcInPlace',
			withExtension: true,
			rtpCapabilities: router.rtpCapabilities,
		},
		{ name: 'remb', withExtension: false, rtpCapabilities: rembOnly },
		{ name: 'noneWithExtension', withExtension: true, rtpCapabilities: noBwe },
	];
	const scenarios = [];

	for (const [i, spec] of specs.entries()) {
		scenarios.push(
			await createScenario({ router, ssrc: 11111111 * (i + 1), receiverPorts, ...spec })
		);
	}

	// Let the setup's control traffic settle.
	await sleep(500);

	for (const scenario of scenarios) {
		await run(worker.pid, receiver, scenario, WARM_UP_SECONDS);
	}

	const runs = [];

	for (let r = 0; r < ROUNDS; ++r) {
		for (let k = 0; k < scenarios.length; ++k) {
			const scenario = scenarios[(r + k) % scenarios.length];

			runs.push({ round: r + 1, ...(await run(worker.pid, receiver, scenario, SECONDS)) });
		}
	}

	worker.close();
	await receiver.stop();

	const of = name => runs.filter(result => result.scenario === name);
	const noneUs = median(of('none').map(result => result.cpuUsPerPacket));
	const noneUserUs = median(of('none').map(result => result.userUsPerPacket));
	const summary = Object.fromEntries(
		scenarios.map(scenario => {
			const results = of(scenario.name);
			const us = median(results.map(result => result.cpuUsPerPacket));
			const userUs = median(results.map(result => result.userUsPerPacket));

			return [
				scenario.name,
				{
					negotiatedBwe: scenario.negotiatedBwe,
					producerPacketsCarryTransportWideCc: scenario.extId !== 0,
					cpuUsPerPacket: round(us, 3),
					ratioToNone: round(us / noneUs, 3),
					userUsPerPacket: round(userUs, 3),
					userRatioToNone: round(userUs / noneUserUs, 3),
					systemUsPerPacket: round(median(results.map(result => result.systemUsPerPacket)), 3),
					workerCpuPct: median(results.map(result => result.workerCpuPct)),
					lossPct: round(Math.max(...results.map(result => result.lossPct)), 4),
					avgPacketBytes: median(results.map(result => result.avgPacketBytes)),
					// Per round, against that round's `none` run.
					roundRatiosToNone: results.map((result, i) =>
						round(result.cpuUsPerPacket / of('none')[i].cpuUsPerPacket, 3)
					),
				},
			];
		})
	);

	return { summary, runs };
}

/**
 * Worker RSS before and after MEMORY_SECONDS of traffic to CONSUMERS
 * consumers with `rtpCapabilities` (in a fresh worker).
 */
async function measureMemory(name, capabilitiesOf) {
	const worker = await mediasoup.createWorker();
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
	});
	const receiver = startJsonProcess(receiverBin, [
		String(RECEIVER_SOCKETS),
		String(12 + PAYLOAD),
		String(Number.MAX_SAFE_INTEGER),
	]);
	const { ports: receiverPorts } = await receiver.next();
	const scenario = await createScenario({
		router,
		name,
		ssrc: 99999999,
		withExtension: false,
		rtpCapabilities: capabilitiesOf(router),
		receiverPorts,
	});

	await sleep(500);

	const rssBeforeKiB = residentKiB(worker.pid);
	const sent = await send(scenario, MEMORY_SECONDS);
	const rssAfterKiB = residentKiB(worker.pid);
	const { received } = await receiver.stop();

	worker.close();

	return {
		negotiatedBwe: scenario.negotiatedBwe,
		rssBeforeKiB,
		rssAfterKiB,
		growthKiB: rssAfterKiB - rssBeforeKiB,
		lossPct: round(Math.max(0, 1 - received / (sent.sent * CONSUMERS)) * 100, 4),
		forwardedPpsPerConsumer: Math.round(received / CONSUMERS / sent.seconds),
	};
}

const cpu = await measureCpu();
const memoryNone = await measureMemory('none', router =>
	capabilitiesWithout(router, [TWCC_URI, ABS_SEND_TIME_URI])
);
const memoryTransportCc = await measureMemory('transportCc', router => router.rtpCapabilities);

console.log(
	JSON.stringify({
		benchmark: 'outgoing-bwe',
		consumers: CONSUMERS,
		ratePps: RATE,
		payloadBytes: PAYLOAD,
		secondsPerRun: SECONDS,
		rounds: ROUNDS,
		cpu: cpu.summary,
		memory: {
			seconds: MEMORY_SECONDS,
			none: memoryNone,
			transportCc: memoryTransportCc,
			perConsumerKiB: round((memoryTransportCc.growthKiB - memoryNone.growthKiB) / CONSUMERS, 1),
			// One send history per transport, one consumer per transport here.
			historyBoundKiBPerTransport: round((HISTORY_MAX_PACKETS * HISTORY_PACKET_BYTES) / 1024, 1),
			historyFullAfterSeconds: round(HISTORY_MAX_PACKETS / RATE, 1),
			// What a history holds at the rate actually forwarded (input loss
			// on a loaded machine lowers it): the packets of the last MaxAgeUs,
			// at most MaxPackets. RSS keeps the peak, so it can be above this.
			historyAtForwardedRateKiB: round(
				(Math.min(
					HISTORY_MAX_PACKETS,
					memoryTransportCc.forwardedPpsPerConsumer * HISTORY_MAX_AGE_SECONDS
				) *
					HISTORY_PACKET_BYTES) /
					1024,
				1
			),
		},
		runs: cpu.runs,
		machine: machine(),
	})
);
