// Forwarding benchmark: one VP8 producer on a comedia PlainTransport fed by a
// paced C sender (RATE packets/s, PAYLOAD-byte payloads), fanned out to N
// consumers, each on its own PlainTransport connected to a C receiver
// (recvmmsg). N rises through LEVELS until loss passes MAX_LOSS. The same
// load then goes through bench/udp-relay.c (recvmmsg + sendmmsg, no parsing)
// for this machine's floor. Prints one JSON object; figures are measured,
// nothing is asserted.
//
// Environment: RATE (2000), SECONDS per level (5), LEVELS
// (10,25,50,75,100,150,200,300,400,600,800), MAX_LOSS (0.001),
// RECEIVER_SOCKETS (2).
//
// CPU figures are the process's own run time (all threads): with loopback
// traffic part of the kernel's delivery work runs in the sender's system
// time, part in ksoftirqd (softirqThreadsCpuPct, for the whole machine).

import os from 'node:os';
import {
	buildNative,
	cpuNs,
	freeUdpPort,
	machine,
	softirqThreadsNs,
	mediasoup,
	round,
	udpSocketDrops,
	sleep,
	startJsonProcess,
} from './lib/common.mjs';

const RATE = Number(process.env.RATE ?? 2000);
const SECONDS = Number(process.env.SECONDS ?? 5);
const LEVELS = (process.env.LEVELS ?? '10,25,50,75,100,150,200,300,400,600,800')
	.split(',')
	.map(Number);
const MAX_LOSS = Number(process.env.MAX_LOSS ?? 0.001);
const RECEIVER_SOCKETS = Number(process.env.RECEIVER_SOCKETS ?? 2);
const PAYLOAD = 1200;
const LATENCY_N = 50;
const SSRC = 12345678;
const LOCALHOST = '127.0.0.1';

const senderBin = buildNative('rtp-sender');
const receiverBin = buildNative('rtp-receiver');
const relayBin = buildNative('udp-relay');

const worker = await mediasoup.createWorker();
const router = await worker.createRouter({
	mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
});
const vp8PayloadType = router.rtpCapabilities.codecs.find(
	c => c.mimeType === 'video/VP8'
).preferredPayloadType;
const ingress = await router.createPlainTransport({
	listenInfo: { protocol: 'udp', ip: LOCALHOST },
	comedia: true,
});
const producer = await ingress.produce({
	kind: 'video',
	rtpParameters: {
		codecs: [{ mimeType: 'video/VP8', payloadType: vp8PayloadType, clockRate: 90000 }],
		encodings: [{ ssrc: SSRC }],
	},
});
// The sender always sends from this port: the comedia transport keeps the
// tuple it learned first. Packet indexes (so sequence numbers and
// timestamps) continue from run to run, separately for the SFU and the
// relay: a jump in sequence numbers would make the producer drop the first
// packet after it (RFC 3550 probation), the key frame the new consumers wait
// for.
const senderPort = await freeUdpPort();
const nextIndex = { sfu: 0, relay: 0 };

/**
 * N PlainTransports with one consumer each, connected to the receiver's
 * ports round-robin.
 */
async function createConsumers(n, ports) {
	const transports = [];

	for (let first = 0; first < n; first += 50) {
		const batch = await Promise.all(
			Array.from({ length: Math.min(50, n - first) }, async (_, k) => {
				const transport = await router.createPlainTransport({
					listenInfo: { protocol: 'udp', ip: LOCALHOST },
				});

				await transport.connect({ ip: LOCALHOST, port: ports[(first + k) % ports.length] });
				await transport.consume({
					producerId: producer.id,
					rtpCapabilities: router.rtpCapabilities,
				});

				return transport;
			})
		);

		transports.push(...batch);
	}

	return transports;
}

/**
 * One run of RATE * SECONDS packets to N destinations through the SFU
 * (`via: 'sfu'`) or the relay (`via: 'relay'`).
 */
async function runLevel(n, via) {
	const firstIndex = nextIndex[via];
	const receiver = startJsonProcess(receiverBin, [
		String(Math.min(n, RECEIVER_SOCKETS)),
		String(12 + PAYLOAD),
		// Latency from half a second in.
		String(firstIndex + Math.floor(RATE / 2)),
	]);
	const { ports } = await receiver.next();
	let transports = [];
	let relay;
	let destPort;
	let measuredPid;
	let relayPort;

	if (via === 'sfu') {
		transports = await createConsumers(n, ports);
		destPort = ingress.tuple.localPort;
		measuredPid = worker.pid;
	} else {
		relay = startJsonProcess(
			relayBin,
			Array.from({ length: n }, (_, i) => String(ports[i % ports.length]))
		);
		destPort = (await relay.next()).port;
		relayPort = destPort;
		measuredPid = relay.child.pid;
	}

	await sleep(300);

	const loadAverage1m = round(os.loadavg()[0]);
	const inputDropsBefore = udpSocketDrops(destPort);
	const softirqBefore = softirqThreadsNs();
	const cpuBefore = cpuNs(measuredPid);
	const receiverCpuBefore = cpuNs(receiver.child.pid);
	const sender = startJsonProcess(senderBin, [
		String(destPort),
		String(senderPort),
		String(SSRC),
		String(vp8PayloadType),
		String(RATE),
		String(RATE * SECONDS),
		String(PAYLOAD),
		String(firstIndex),
	]);
	const sent = await sender.next();

	await sender.exit;
	// Let the last packets through.
	await sleep(300);

	const cpu = cpuNs(measuredPid) - cpuBefore;
	const receiverCpu = cpuNs(receiver.child.pid) - receiverCpuBefore;
	const softirq = softirqThreadsNs() - softirqBefore;
	// Read before the relay exits and its socket goes away.
	const inputSocketDrops = udpSocketDrops(relayPort ?? destPort) - inputDropsBefore;
	const received = await receiver.stop();

	if (relay) {
		await relay.stop();
	}

	for (const transport of transports) {
		transport.close();
	}

	nextIndex[via] = sent.nextIndex;

	const expected = sent.sent * n;
	const loss = Math.max(0, 1 - received.received / expected);

	return {
		n,
		sent: sent.sent,
		sendErrors: sent.sendErrors,
		expected,
		received: received.received,
		lossPct: round(loss * 100, 4),
		lossy: loss > MAX_LOSS,
		minPerConsumer: via === 'sfu' ? received.minPerSsrc : undefined,
		forwardedPps: Math.round(received.received / sent.seconds),
		cpuPct: round((cpu / 1e9 / sent.seconds) * 100, 1),
		cpuUsPerPacket: round(cpu / 1000 / Math.max(1, received.received), 3),
		receiverCpuPct: round((receiverCpu / 1e9 / sent.seconds) * 100, 1),
		softirqThreadsCpuPct: round((softirq / 1e9 / sent.seconds) * 100, 1),
		// Packets the kernel dropped before the SFU (or relay) read them.
		inputSocketDrops,
		receiverSocketDrops: received.receiverSocketDrops,
		latencyP50Us: received.latencyP50Us,
		latencyP99Us: received.latencyP99Us,
		loadAverage1m,
	};
}

const levels = [];
let largestCleanN = 0;

for (const n of LEVELS) {
	let sfu = await runLevel(n, 'sfu');

	// One retry before calling a level lossy: the machine is shared.
	if (sfu.lossy) {
		sfu = { ...(await runLevel(n, 'sfu')), firstTryLossPct: sfu.lossPct };
	}

	const relay = await runLevel(n, 'relay');

	levels.push({
		...sfu,
		relay,
		cpuRatioToRelay: round(sfu.cpuUsPerPacket / relay.cpuUsPerPacket, 2),
	});

	if (sfu.lossy) {
		break;
	}

	largestCleanN = n;
}

worker.close();

const clean = levels.find(level => level.n === largestCleanN);
const atLatencyN = levels.find(level => level.n === LATENCY_N);

console.log(
	JSON.stringify({
		benchmark: 'forwarding',
		ratePps: RATE,
		payloadBytes: PAYLOAD,
		secondsPerLevel: SECONDS,
		maxLossPct: MAX_LOSS * 100,
		largestCleanN,
		atLargestCleanN: clean && {
			forwardedPps: clean.forwardedPps,
			workerCpuPct: clean.cpuPct,
			workerCpuUsPerPacket: clean.cpuUsPerPacket,
			relayCpuUsPerPacket: clean.relay.cpuUsPerPacket,
			cpuRatioToRelay: clean.cpuRatioToRelay,
		},
		latencyAtN50: atLatencyN && {
			p50Us: atLatencyN.latencyP50Us,
			p99Us: atLatencyN.latencyP99Us,
			relayP50Us: atLatencyN.relay.latencyP50Us,
			relayP99Us: atLatencyN.relay.latencyP99Us,
			addedOverRelayP50Us: atLatencyN.latencyP50Us - atLatencyN.relay.latencyP50Us,
			addedOverRelayP99Us: atLatencyN.latencyP99Us - atLatencyN.relay.latencyP99Us,
		},
		levels,
		machine: machine(),
	})
);
