// NACK amplification (issue 13, finding 4): a plain RTP receiver that NACKs
// hundreds of packets 200 times a second must not make the worker resend
// more than the media it sends. Without limits each such NACK (36 items, 600
// packets) made the worker resend every named packet it still held (the
// last 2 s of them here, ~250 KB), so 5 s of it was ~250 MB for 0.2 MB of
// NACKs.
//
// Bound: retransmissions of a consumer take at most its media bitrate (a
// token bucket holding 0.5 s of it, at least 100 kbit/s), each packet is
// resent at most 5 times and at most once per RTT (100 ms while unknown, as
// here; at least 20 ms). Over a window of T seconds that is at most the
// media bytes of the window plus 0.5 s of them: x1.1 for the 5 s attack.

import * as dgram from 'node:dgram';
import * as mediasoup from '../';
import type {
	Consumer,
	ConsumerStat,
	PlainTransport,
	Producer,
	Router,
	RtpCapabilities,
	Worker,
} from '../types';
import { waitUntil } from './helpers/media-tools';
import { rtpHeaderSize } from './helpers/rtpHeader';

const LOCALHOST = '127.0.0.1';
const PRODUCER_SSRC = 33333333;
const RECEIVER_SSRC = 4444;

// 1000-byte packets, 125 a second: 1 Mbit/s of payload.
const PAYLOAD_SIZE = 1000;
const PACKETS_PER_SECOND = 125;
const ATTACK_MS = 5000;
const NACKS_PER_SECOND = 200;
const NACKED_PACKETS = 600;
// The stated bound: media bytes of the window x (1 + 0.5 s / 5 s).
const BOUND_FACTOR = 1 + 500 / ATTACK_MS;

const mediaCodecs: mediasoup.types.RouterRtpCodecCapability[] = [
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

// VP8 payload descriptors (RFC 7741) with S=1: a key frame, a delta frame.
const KEY_FRAME = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]);
const DELTA_FRAME = Buffer.from([0x10, 0x01, 0x00, 0x00, 0x00, 0x00]);

type Received = { at: number; packet: Buffer };

let worker: Worker;
let router: Router;
let ingress: PlainTransport;
let egress: PlainTransport;
let producer: Producer;
let consumer: Consumer;
let sender: dgram.Socket;
let receiver: dgram.Socket;
let received: Received[];
let mediaTimer: NodeJS.Timeout | undefined;

function rtpPacket(payloadType: number, seq: number, payload: Buffer): Buffer {
	const header = Buffer.alloc(12);

	header[0] = 0x80;
	header[1] = payloadType;
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE((seq * 720) >>> 0, 4);
	header.writeUInt32BE(PRODUCER_SSRC, 8);

	return Buffer.concat([header, payload, Buffer.alloc(PAYLOAD_SIZE - payload.length, 0x42)]);
}

function isRtcp(datagram: Buffer): boolean {
	return datagram.length >= 4 && datagram[1] >= 192 && datagram[1] <= 223;
}

// A compound RTCP packet (RFC 3550 6.1: it starts with a report), an empty
// RR then a Generic NACK (RFC 4585 6.2.1) for `count` sequence numbers
// ending at `last`, 17 per item.
function compoundNack(mediaSsrc: number, last: number, count: number): Buffer {
	const rr = Buffer.alloc(8);

	rr[0] = 0x80;
	rr[1] = 201;
	rr.writeUInt16BE(1, 2);
	rr.writeUInt32BE(RECEIVER_SSRC, 4);

	const items: Buffer[] = [];
	let seq = (last - count + 1) & 0xffff;
	let left = count;

	while (left > 0) {
		const item = Buffer.alloc(4);
		const inItem = Math.min(left, 17);

		item.writeUInt16BE(seq, 0);
		item.writeUInt16BE((1 << (inItem - 1)) - 1, 2);
		items.push(item);
		seq = (seq + inItem) & 0xffff;
		left -= inItem;
	}

	const header = Buffer.alloc(12);

	header[0] = 0x80 | 1;
	header[1] = 205;
	header.writeUInt16BE(2 + items.length, 2);
	header.writeUInt32BE(RECEIVER_SSRC, 4);
	header.writeUInt32BE(mediaSsrc, 8);

	return Buffer.concat([rr, header, ...items]);
}

function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
	return waitUntil(condition, timeoutMs, 'the condition');
}

function sendTo(socket: dgram.Socket, data: Buffer, port: number): void {
	socket.send(data, port, LOCALHOST);
}

// Media at PACKETS_PER_SECOND, from a key frame on; the timer catches up on
// the elapsed time, so a busy machine shifts packets but keeps the rate.
function startMedia(payloadType: number): void {
	const start = Date.now();
	let seq = 1000;
	let sent = 0;

	const tick = (): void => {
		const due = Math.floor(((Date.now() - start) * PACKETS_PER_SECOND) / 1000) + 1;

		while (sent < due) {
			sendTo(
				sender,
				rtpPacket(payloadType, seq, sent === 0 ? KEY_FRAME : DELTA_FRAME),
				ingress.tuple.localPort
			);
			++seq;
			++sent;
		}
	};

	tick();
	mediaTimer = setInterval(tick, 10);
}

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	router = await worker.createRouter({ mediaCodecs });
	received = [];

	const codec = router.rtpCapabilities.codecs!.find(c => c.mimeType === 'video/VP8')!;

	sender = dgram.createSocket('udp4');
	receiver = dgram.createSocket('udp4');
	receiver.on('message', packet => received.push({ at: Date.now(), packet }));

	await new Promise<void>(resolve => sender.bind(0, LOCALHOST, () => resolve()));
	await new Promise<void>(resolve => receiver.bind(0, LOCALHOST, () => resolve()));

	ingress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		comedia: true,
	});
	egress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
	});

	await egress.connect({ ip: LOCALHOST, port: receiver.address().port });

	producer = await ingress.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: codec.preferredPayloadType!,
					clockRate: 90000,
					rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
				},
			],
			encodings: [{ ssrc: PRODUCER_SSRC }],
		},
	});
	// A plain receiver: VP8 with NACK and RTX, no congestion feedback
	// (transport-cc, REMB), so only the consumer's own budget applies.
	const rtx = router.rtpCapabilities.codecs!.find(
		c => c.mimeType === 'video/rtx' && c.parameters?.apt === codec.preferredPayloadType
	)!;
	const rtpCapabilities: RtpCapabilities = {
		codecs: [
			{ ...codec, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] },
			rtx,
		],
		headerExtensions: [],
	};

	consumer = await egress.consume({ producerId: producer.id, rtpCapabilities });

	startMedia(codec.preferredPayloadType!);
});

afterEach(() => {
	clearInterval(mediaTimer);
	worker?.close();
	sender?.close();
	receiver?.close();
});

test('a NACK storm from a plain receiver gets at most the media bitrate of resends; one real loss is repaired', async () => {
	const encoding = consumer.rtpParameters.encodings![0];
	const mediaSsrc = encoding.ssrc!;
	const rtxSsrc = encoding.rtx!.ssrc;
	const ofSsrc = (ssrc: number) => (r: Received) =>
		!isRtcp(r.packet) && r.packet.readUInt32BE(8) === ssrc;
	const media = () => received.filter(ofSsrc(mediaSsrc));
	const rtx = () => received.filter(ofSsrc(rtxSsrc));
	const highestSeq = () => media().at(-1)!.packet.readUInt16BE(2);

	// Two seconds of media first, so that its bitrate is known.
	await waitFor(() => media().length >= 2 * PACKETS_PER_SECOND);

	// One real loss: a single NACK is answered with that packet.
	const lostSeq = (highestSeq() - 20) & 0xffff;

	sendTo(receiver, compoundNack(mediaSsrc, lostSeq, 1), egress.tuple.localPort);
	await waitFor(() => rtx().length === 1);

	const repair = rtx()[0].packet;

	// RFC 4588: the original sequence number opens the RTX payload.
	expect(repair.readUInt16BE(rtpHeaderSize(repair))).toBe(lostSeq);

	const rssBeforeKiB = (await worker.getResourceUsage()).ru_maxrss;

	// The storm.
	const attackStart = Date.now();
	let nacksSent = 0;

	await new Promise<void>(resolve => {
		const timer = setInterval(() => {
			const elapsed = Date.now() - attackStart;
			const due = Math.min(
				Math.floor((elapsed * NACKS_PER_SECOND) / 1000),
				(ATTACK_MS * NACKS_PER_SECOND) / 1000
			);
			const nack = compoundNack(mediaSsrc, highestSeq(), NACKED_PACKETS);

			while (nacksSent < due) {
				sendTo(receiver, nack, egress.tuple.localPort);
				++nacksSent;
			}

			if (elapsed >= ATTACK_MS) {
				clearInterval(timer);
				resolve();
			}
		}, 5);
	});

	// Resends caused by the last NACKs are on their way.
	await new Promise(resolve => setTimeout(resolve, 300));

	const attackEnd = Date.now();
	const inWindow = (r: Received) => r.at >= attackStart && r.at <= attackEnd;
	const bytes = (list: Received[]) => list.reduce((sum, r) => sum + r.packet.length, 0);
	const mediaBytes = bytes(media().filter(inWindow));
	const rtxBytes = bytes(rtx().filter(inWindow));
	// The first entry is the consumer's own stream.
	const stats = (await consumer.getStats())[0] as ConsumerStat;
	const rssAfterKiB = (await worker.getResourceUsage()).ru_maxrss;

	// eslint-disable-next-line no-console
	console.log(
		`NACK storm: ${nacksSent} NACKs of ${NACKED_PACKETS} packets in ${attackEnd - attackStart} ms; ` +
			`media ${mediaBytes} B, resent ${rtxBytes} B (${(rtxBytes / mediaBytes).toFixed(3)}x, ` +
			`bound ${BOUND_FACTOR}x); suppressed ${stats.retransmissionsSuppressed}, ` +
			`over budget ${stats.retransmissionsOverBudget}; retransmitted ${stats.packetsRetransmitted} (received ${rtx().length}), consumer bitrate ${stats.bitrate}; worker max RSS +${rssAfterKiB - rssBeforeKiB} KiB`
	);

	expect(nacksSent).toBe((ATTACK_MS * NACKS_PER_SECOND) / 1000);
	// The media went on through the storm...
	expect(mediaBytes).toBeGreaterThan((ATTACK_MS / 1000) * PACKETS_PER_SECOND * PAYLOAD_SIZE * 0.5);
	// ... and the resends stayed within the bound (unbounded: ~250 MB).
	expect(rtxBytes).toBeLessThanOrEqual(mediaBytes * BOUND_FACTOR);
	// Counted: what the NACKs asked for and did not get.
	expect(stats.nackCount).toBeGreaterThanOrEqual(nacksSent * 0.9);
	expect(stats.retransmissionsOverBudget).toBeGreaterThan(0);
	expect(stats.retransmissionsSuppressed).toBeGreaterThan(0);
	expect(stats.packetsRetransmitted).toBeGreaterThanOrEqual(rtx().length);
	// Nothing grew with the storm (the resend buffer is allocated once).
	expect(rssAfterKiB - rssBeforeKiB).toBeLessThan(16 * 1024);

	// The worker is fine and media still flows.
	const count = media().length;

	await waitFor(() => media().length > count + PACKETS_PER_SECOND / 2);
	expect(worker.died).toBe(false);
	expect((await consumer.getStats())[0].packetCount).toBeGreaterThan(0);
}, 30000);
