// Cost of receive-side bandwidth feedback (transport-cc) on the forwarding
// path: worker CPU per received packet with the feedback on and off.
//
// Two comedia PlainTransports each take one VP8 producer fed by the paced C
// sender, with every packet carrying the transport-wide sequence number
// extension. Producer "on" negotiates the extension and `transport-cc` on
// its codec, so the worker records each arrival and sends feedback every
// 100 ms; producer "off" negotiates the same extension without the feedback
// type. Each level gives both producers the same number of consumers (own
// PlainTransports, sent to a C receiver): 10 puts the figure in the context
// of forwarding, where each received packet costs tens of sends; 0 leaves
// the receive path alone, where a per-packet cost shows more clearly above
// the noise of a shared machine. Consumers are added between levels, so
// levels go up. For each level and rate the two run alternately (on, off,
// on, off, ...) ROUNDS times each, after one short unmeasured run of each
// (so neither inherits the warm-up of a new rate or new consumers); medians
// are reported. The sender reads back and counts what the worker returns
// (receiver reports and feedback), so the feedback rate is measured where
// the sender sees it, and also from the transport's bytesSent. Prints one
// JSON object; figures are measured, nothing is asserted.
//
// A level and rate where the worker could not keep up (the kernel dropped
// more than 0.1% of the input in some run) is marked `overloaded`: its
// per-packet figures then describe a different regime (bigger batches per
// wake-up), not the same work.
//
// Environment: CONSUMERS levels (0,10), RATES (2000,8000), SECONDS per run
// (1), ROUNDS (5).

import {
	buildNative,
	cpuNs,
	freeUdpPort,
	machine,
	mediasoup,
	round,
	sleep,
	startJsonProcess,
	udpSocketDrops,
	voluntaryContextSwitches,
} from './lib/common.mjs';

const CONSUMERS = (process.env.CONSUMERS ?? '0,10').split(',').map(Number);
const RATES = (process.env.RATES ?? '2000,8000').split(',').map(Number);
const SECONDS = Number(process.env.SECONDS ?? 1);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const WARM_UP_SECONDS = 0.25;
const PAYLOAD = 1200;
const RECEIVER_SOCKETS = 2;
const LOCALHOST = '127.0.0.1';
const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

const senderBin = buildNative('rtp-sender');
const receiverBin = buildNative('rtp-receiver');

const worker = await mediasoup.createWorker();
const router = await worker.createRouter({
	mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
});
const vp8PayloadType = router.rtpCapabilities.codecs.find(
	c => c.mimeType === 'video/VP8'
).preferredPayloadType;
const twccExtId = router.rtpCapabilities.headerExtensions.find(
	ext => ext.uri === TWCC_URI && ext.kind === 'video'
).preferredId;
// One receiver for the whole run: its latency figures are not used here
// (index 2^53 is never reached), only its total count, for loss.
const receiver = startJsonProcess(receiverBin, [
	String(RECEIVER_SOCKETS),
	String(12 + PAYLOAD),
	String(Number.MAX_SAFE_INTEGER),
]);
const { ports: receiverPorts } = await receiver.next();

/**
 * A comedia transport with one producer (transport-cc feedback negotiated or
 * not), plus the sender port and packet index it continues from (a comedia
 * transport keeps the first tuple it learns, and a jump in sequence numbers
 * would cost the first packet after it).
 */
async function createPath(name, ssrc, feedback) {
	const ingress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		comedia: true,
	});
	const producer = await ingress.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: vp8PayloadType,
					clockRate: 90000,
					rtcpFeedback: feedback ? [{ type: 'transport-cc' }] : [],
				},
			],
			headerExtensions: [{ uri: TWCC_URI, id: twccExtId }],
			encodings: [{ ssrc }],
		},
	});

	return {
		name,
		ssrc,
		ingress,
		producer,
		consumers: 0,
		senderPort: await freeUdpPort(),
		nextIndex: 0,
	};
}

/**
 * Consumers of `path`'s producer (each on its own PlainTransport) up to `n`.
 */
async function addConsumers(path, n) {
	for (; path.consumers < n; ++path.consumers) {
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: LOCALHOST },
		});

		await transport.connect({
			ip: LOCALHOST,
			port: receiverPorts[path.consumers % receiverPorts.length],
		});
		await transport.consume({
			producerId: path.producer.id,
			rtpCapabilities: router.rtpCapabilities,
		});
	}
}

async function packetCount(producer) {
	const stats = await producer.getStats();

	return stats.reduce((sum, stat) => sum + stat.packetCount, 0);
}

/**
 * One run of `rate` * `seconds` packets into `path`. Stats requests are made
 * outside the CPU window: they cost the worker too.
 */
async function run(path, rate, seconds) {
	const destPort = path.ingress.tuple.localPort;
	const packetsBefore = await packetCount(path.producer);
	const [transportBefore] = await path.ingress.getStats();
	const inputDropsBefore = udpSocketDrops(destPort);
	const cpuBefore = cpuNs(worker.pid);
	const wakeUpsBefore = voluntaryContextSwitches(worker.pid);
	const sender = startJsonProcess(senderBin, [
		String(destPort),
		String(path.senderPort),
		String(path.ssrc),
		String(vp8PayloadType),
		String(rate),
		String(Math.round(rate * seconds)),
		String(PAYLOAD),
		String(path.nextIndex),
		String(twccExtId),
	]);
	const sent = await sender.next();

	await sender.exit;
	// Let the last packets through.
	await sleep(100);

	const cpu = cpuNs(worker.pid) - cpuBefore;
	const wakeUps = voluntaryContextSwitches(worker.pid) - wakeUpsBefore;
	const inputSocketDrops = udpSocketDrops(destPort) - inputDropsBefore;
	const [transportAfter] = await path.ingress.getStats();
	const received = (await packetCount(path.producer)) - packetsBefore;

	path.nextIndex = sent.nextIndex;

	return {
		feedback: path.name,
		sent: sent.sent,
		received,
		inputSocketDrops,
		workerCpuPct: round((cpu / 1e9 / sent.seconds) * 100, 1),
		cpuUsPerReceivedPacket: round(cpu / 1000 / Math.max(1, received), 3),
		// How often the worker slept and woke: per packet at low rates, plus
		// its timers.
		workerWakeUpsPerSec: Math.round(wakeUps / sent.seconds),
		// What the worker sent back to the sender: receiver reports in both
		// cases, transport-cc feedback only with it on.
		returnedBytesPerSec: Math.round(sent.returnedBytes / sent.seconds),
		transportCcPacketsPerSec: round(sent.transportCcPackets / sent.seconds, 1),
		transportCcBytesPerSec: Math.round(sent.transportCcBytes / sent.seconds),
		transportBytesSentPerSec: Math.round(
			(transportAfter.bytesSent - transportBefore.bytesSent) / sent.seconds
		),
	};
}

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);

	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const on = await createPath('on', 11111111, true);
const off = await createPath('off', 22222222, false);
const levels = [];
// Packets the receiver should get from the consumers: those the producers
// received, times the consumers each.
let expectedForwarded = 0;

for (const consumers of CONSUMERS) {
	await addConsumers(on, consumers);
	await addConsumers(off, consumers);
	// Let the setup's control traffic settle before the first measured run.
	await sleep(300);

	for (const rate of RATES) {
		const runs = [];

		for (const path of [on, off]) {
			const warmUp = await run(path, rate, WARM_UP_SECONDS);

			expectedForwarded += warmUp.received * consumers;
		}

		for (let r = 0; r < ROUNDS; ++r) {
			for (const path of [on, off]) {
				const result = await run(path, rate, SECONDS);

				expectedForwarded += result.received * consumers;
				runs.push({ round: r + 1, ...result });
			}
		}

		const of = name => runs.filter(result => result.feedback === name);
		const medians = name =>
			Object.fromEntries(
				[
					'cpuUsPerReceivedPacket',
					'workerCpuPct',
					'workerWakeUpsPerSec',
					'inputSocketDrops',
					'transportCcPacketsPerSec',
					'transportCcBytesPerSec',
					'returnedBytesPerSec',
					'transportBytesSentPerSec',
				].map(key => [key, round(median(of(name).map(result => result[key])), 3)])
			);
		const onMedians = medians('on');
		const offMedians = medians('off');
		const diffUs = onMedians.cpuUsPerReceivedPacket - offMedians.cpuUsPerReceivedPacket;

		levels.push({
			consumers,
			ratePps: rate,
			overloaded: runs.some(result => result.inputSocketDrops > result.sent * 0.001),
			on: onMedians,
			off: offMedians,
			// From the medians; the per-round pairs show the spread.
			diffUsPerReceivedPacket: round(diffUs, 3),
			diffPct: round((diffUs / offMedians.cpuUsPerReceivedPacket) * 100, 1),
			pairedDiffsUs: of('on').map((result, i) =>
				round(result.cpuUsPerReceivedPacket - of('off')[i].cpuUsPerReceivedPacket, 3)
			),
			runs,
		});
	}
}

worker.close();

const forwarded = await receiver.stop();

console.log(
	JSON.stringify({
		benchmark: 'incoming-bwe',
		payloadBytes: PAYLOAD,
		secondsPerRun: SECONDS,
		roundsPerRate: ROUNDS,
		summary: levels.map(level => ({
			consumers: level.consumers,
			ratePps: level.ratePps,
			overloaded: level.overloaded,
			onUsPerPacket: level.on.cpuUsPerReceivedPacket,
			offUsPerPacket: level.off.cpuUsPerReceivedPacket,
			diffUsPerPacket: level.diffUsPerReceivedPacket,
			diffPct: level.diffPct,
			feedbackBytesPerSec: level.on.transportCcBytesPerSec,
		})),
		levels,
		// Over the whole run, both producers.
		forwardedLossPct: round(
			Math.max(0, 1 - forwarded.received / Math.max(1, expectedForwarded)) * 100,
			4
		),
		receiverSocketDrops: forwarded.receiverSocketDrops,
		machine: machine(),
	})
);
