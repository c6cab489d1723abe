// The worker as a sender that measures the endpoint's path, seen from a
// plain RTP receiver (a Node UDP socket): consumers that negotiated
// transport-cc get the transport-wide sequence number on every packet,
// retransmissions included; REMB consumers get our send time as
// abs-send-time; the receiver's transport-cc feedback, REMB and receiver
// reports move the transport's availableOutgoingBitrate, within
// setMinOutgoingBitrate / setMaxOutgoingBitrate. Browsers are in
// test-interop-downlink.ts.

import * as dgram from 'node:dgram';
import * as mediasoup from '../';
import type { Consumer, PlainTransport, Producer, Router, RtpCapabilities, Worker } from '../types';

const LOCALHOST = '127.0.0.1';
const PRODUCER_SSRC = 44444444;
const TRANSPORT_CC_URI =
	'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
// The Router's ids (API.md §18.2).
const TRANSPORT_CC_ID = 5;
const ABS_SEND_TIME_ID = 4;
// Longest wait for something expected to happen (not a performance figure).
const WAIT_MS = 8000;

const mediaCodecs: mediasoup.types.RouterRtpCodecCapability[] = [
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

// A VP8 key frame start (RFC 7741 descriptor, then a key frame header).
const VP8_KEY_FRAME = Buffer.from([
	0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0x00,
]);

type ReceivedRtp = {
	ssrc: number;
	seq: number;
	payloadType: number;
	extensions: Map<number, Buffer>;
};

let worker: Worker;
let router: Router;
let ingress: PlainTransport;
let egress: PlainTransport;
let sender: dgram.Socket;
let receiver: dgram.Socket;
let received: ReceivedRtp[];
let vp8PayloadType: number;
let nextSeq: number;

function rtpPacket(sequenceNumber: number, payload: Buffer): Buffer {
	const header = Buffer.alloc(12);

	header[0] = 0x80;
	header[1] = 0x80 | vp8PayloadType;
	header.writeUInt16BE(sequenceNumber & 0xffff, 2);
	header.writeUInt32BE((sequenceNumber * 3000) >>> 0, 4);
	header.writeUInt32BE(PRODUCER_SSRC, 8);

	return Buffer.concat([header, payload]);
}

// One-byte (RFC 8285 4.2) and two-byte forms; nothing else is expected here.
function parseRtp(packet: Buffer): ReceivedRtp {
	const extensions = new Map<number, Buffer>();
	const csrcCount = packet[0] & 0x0f;
	let offset = 12 + csrcCount * 4;

	if (packet[0] & 0x10) {
		const profile = packet.readUInt16BE(offset);
		const end = offset + 4 + packet.readUInt16BE(offset + 2) * 4;

		offset += 4;

		while (offset < end) {
			if (packet[offset] === 0) {
				offset += 1;
				continue;
			}

			let id: number;
			let length: number;

			if (profile === 0xbede) {
				id = packet[offset] >> 4;
				length = (packet[offset] & 0x0f) + 1;
				offset += 1;
			} else {
				id = packet[offset];
				length = packet[offset + 1];
				offset += 2;
			}

			extensions.set(id, packet.subarray(offset, offset + length));
			offset += length;
		}
	}

	return {
		ssrc: packet.readUInt32BE(8),
		seq: packet.readUInt16BE(2),
		payloadType: packet[1] & 0x7f,
		extensions,
	};
}

// A transport-cc feedback (RTPFB, FMT 15) about `count` packets from `baseSeq`:
// all received 1 ms apart, or all lost.
function transportCcFeedback(
	baseSeq: number,
	count: number,
	received: boolean,
	feedbackCount: number
): Buffer {
	const chunk = ((received ? 1 : 0) << 13) | count;
	const deltas = received ? Buffer.alloc(count, 4) : Buffer.alloc(0);
	const header = Buffer.alloc(20);

	header[0] = 0x8f;
	header[1] = 205;
	header.writeUInt32BE(0x01020304, 4);
	header.writeUInt32BE(0, 8);
	header.writeUInt16BE(baseSeq & 0xffff, 12);
	header.writeUInt16BE(count, 14);
	// Reference time 1 (64 ms units), then the feedback packet count.
	header.writeUIntBE(1, 16, 3);
	header[19] = feedbackCount & 0xff;

	const packet = Buffer.concat([header, Buffer.from([chunk >> 8, chunk & 0xff]), deltas]);
	const padded = Buffer.concat([packet, Buffer.alloc((4 - (packet.length % 4)) % 4)]);

	padded.writeUInt16BE(padded.length / 4 - 1, 2);

	return padded;
}

// REMB (PSFB, FMT 15, draft-alvestrand-rmcat-remb) about one SSRC.
function remb(bitrate: number, ssrc: number): Buffer {
	let exponent = 0;

	while (bitrate / 2 ** exponent > 0x3ffff) {
		++exponent;
	}

	const mantissa = Math.floor(bitrate / 2 ** exponent);
	const packet = Buffer.alloc(24);

	packet[0] = 0x8f;
	packet[1] = 206;
	packet.writeUInt16BE(5, 2);
	packet.writeUInt32BE(0x01020304, 4);
	packet.write('REMB', 12, 'latin1');
	packet[16] = 1;
	packet[17] = (exponent << 2) | (mantissa >> 16);
	packet.writeUInt16BE(mantissa & 0xffff, 18);
	packet.writeUInt32BE(ssrc, 20);

	return packet;
}

// Generic NACK (RTPFB, FMT 1) of one packet.
function nack(mediaSsrc: number, seq: number): Buffer {
	const packet = Buffer.alloc(16);

	packet[0] = 0x81;
	packet[1] = 205;
	packet.writeUInt16BE(3, 2);
	packet.writeUInt32BE(0x01020304, 4);
	packet.writeUInt32BE(mediaSsrc, 8);
	packet.writeUInt16BE(seq, 12);

	return packet;
}

function sendTo(socket: dgram.Socket, data: Buffer, port: number): Promise<void> {
	return new Promise<void>(resolve => socket.send(data, port, LOCALHOST, () => resolve()));
}

async function sendMedia(count: number): Promise<void> {
	for (let i = 0; i < count; ++i) {
		await sendTo(sender, rtpPacket(nextSeq++, VP8_KEY_FRAME), ingress.tuple.localPort);
	}
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
	const start = Date.now();

	while (!(await condition())) {
		if (Date.now() - start > WAIT_MS) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

async function availableOutgoingBitrate(): Promise<number> {
	const [stats] = await egress.getStats();

	return stats.availableOutgoingBitrate!;
}

// The router's capabilities with only the BWE mechanism asked for.
function capabilities(bwe: 'transport-cc' | 'remb'): RtpCapabilities {
	const caps = JSON.parse(JSON.stringify(router.rtpCapabilities)) as RtpCapabilities;
	const droppedUri = bwe === 'transport-cc' ? ABS_SEND_TIME_URI : TRANSPORT_CC_URI;

	caps.headerExtensions = caps.headerExtensions!.filter(ext => ext.uri !== droppedUri);

	return caps;
}

async function produce(): Promise<Producer> {
	return ingress.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: vp8PayloadType, clockRate: 90000 }],
			encodings: [{ ssrc: PRODUCER_SSRC }],
		},
	});
}

async function consume(producer: Producer, bwe: 'transport-cc' | 'remb'): Promise<Consumer> {
	return egress.consume({ producerId: producer.id, rtpCapabilities: capabilities(bwe) });
}

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	router = await worker.createRouter({ mediaCodecs });
	vp8PayloadType = router.rtpCapabilities.codecs!.find(
		c => c.mimeType === 'video/VP8'
	)!.preferredPayloadType!;
	sender = dgram.createSocket('udp4');
	receiver = dgram.createSocket('udp4');
	received = [];
	nextSeq = 1000;

	await new Promise<void>(resolve => sender.bind(0, LOCALHOST, () => resolve()));
	await new Promise<void>(resolve => receiver.bind(0, LOCALHOST, () => resolve()));

	receiver.on('message', message => {
		// RTP only: sender reports arrive on the same port.
		if (message[1] < 192 || message[1] > 223) {
			received.push(parseRtp(message));
		}
	});

	ingress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		comedia: true,
	});
	egress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
	});

	await egress.connect({ ip: LOCALHOST, port: receiver.address().port });
});

afterEach(() => {
	worker?.close();
	sender?.close();
	receiver?.close();
});

test('every packet to transport-cc consumers carries the next transport-wide sequence number', async () => {
	const producer = await produce();
	const first = await consume(producer, 'transport-cc');
	const second = await consume(producer, 'transport-cc');
	const ssrcs = [first, second].map(c => c.rtpParameters.encodings![0].ssrc!);

	// The producer's packets have no header extension at all: it is added.
	await sendMedia(20);
	await waitFor(() => received.length >= 40, 'both consumers to forward 20 packets');

	const wideSeqs = received.map(packet => {
		expect(ssrcs).toContain(packet.ssrc);

		const value = packet.extensions.get(TRANSPORT_CC_ID);

		expect(value?.length).toBe(2);

		return value!.readUInt16BE(0);
	});

	// One counter for the transport, in the order the packets were sent.
	for (let i = 1; i < wideSeqs.length; ++i) {
		expect(wideSeqs[i]).toBe((wideSeqs[i - 1] + 1) & 0xffff);
	}
});

test('a retransmission gets a transport-wide sequence number of its own', async () => {
	const producer = await produce();
	const consumer = await consume(producer, 'transport-cc');
	const { ssrc, rtx } = consumer.rtpParameters.encodings![0];

	await sendMedia(10);
	await waitFor(() => received.length >= 10, '10 packets');

	const original = received[5];
	const originalWideSeq = original.extensions.get(TRANSPORT_CC_ID)!.readUInt16BE(0);
	const lastWideSeq = received[9].extensions.get(TRANSPORT_CC_ID)!.readUInt16BE(0);

	await sendTo(receiver, nack(ssrc!, original.seq), egress.tuple.localPort);
	await waitFor(() => received.some(packet => packet.ssrc === rtx!.ssrc), 'the RTX packet');

	const retransmission = received.find(packet => packet.ssrc === rtx!.ssrc)!;
	const wideSeq = retransmission.extensions.get(TRANSPORT_CC_ID)!.readUInt16BE(0);

	expect(wideSeq).not.toBe(originalWideSeq);
	expect(wideSeq).toBe((lastWideSeq + 1) & 0xffff);
});

test('transport-cc feedback reporting loss lowers availableOutgoingBitrate', async () => {
	const producer = await produce();

	await consume(producer, 'transport-cc');

	expect(await availableOutgoingBitrate()).toBe(600000);

	await sendMedia(100);
	await waitFor(() => received.length >= 100, '100 packets');

	const baseSeq = received[0].extensions.get(TRANSPORT_CC_ID)!.readUInt16BE(0);

	// Half of them lost, reported over more than the estimator's shortest
	// loss interval (a fraction over a few milliseconds says nothing).
	await sendTo(receiver, transportCcFeedback(baseSeq, 50, true, 0), egress.tuple.localPort);
	await new Promise(resolve => setTimeout(resolve, 300));
	await sendTo(receiver, transportCcFeedback(baseSeq + 50, 50, false, 1), egress.tuple.localPort);

	await waitFor(async () => (await availableOutgoingBitrate()) < 600000, 'the estimate to drop');
});

test('a REMB consumer gets abs-send-time, and the REMB it sends bounds availableOutgoingBitrate', async () => {
	const producer = await produce();
	const consumer = await consume(producer, 'remb');
	const logged: string[] = [];

	worker.on('@failure', (error: unknown) => logged.push(String(error)));

	await sendMedia(10);
	await waitFor(() => received.length >= 10, '10 packets');

	for (const packet of received) {
		expect(packet.extensions.get(ABS_SEND_TIME_ID)?.length).toBe(3);
		expect(packet.extensions.has(TRANSPORT_CC_ID)).toBe(false);
	}

	await sendTo(
		receiver,
		remb(200000, consumer.rtpParameters.encodings![0].ssrc!),
		egress.tuple.localPort
	);
	await waitFor(async () => (await availableOutgoingBitrate()) <= 200000, 'the REMB to apply');

	// The REMB is the peer's own estimate: it may raise it again.
	await sendTo(
		receiver,
		remb(900000, consumer.rtpParameters.encodings![0].ssrc!),
		egress.tuple.localPort
	);
	await waitFor(async () => (await availableOutgoingBitrate()) > 200000, 'the REMB to rise');

	const [stats] = await egress.getStats();

	expect(stats.availableOutgoingBitrate).toBeLessThanOrEqual(900000);
	expect(logged).toEqual([]);
});

test('availableOutgoingBitrate stays within setMaxOutgoingBitrate and setMinOutgoingBitrate', async () => {
	const producer = await produce();

	await consume(producer, 'transport-cc');
	await egress.setMaxOutgoingBitrate(250000);

	let [stats] = await egress.getStats();

	expect(stats.availableOutgoingBitrate).toBeLessThanOrEqual(250000);
	expect(stats.maxOutgoingBitrate).toBe(250000);

	await egress.setMaxOutgoingBitrate(0);
	await egress.setMinOutgoingBitrate(700000);

	[stats] = await egress.getStats();

	expect(stats.availableOutgoingBitrate).toBeGreaterThanOrEqual(700000);
	expect(stats.minOutgoingBitrate).toBe(700000);
});

// A VP8 simulcast producer whose three encodings take about 40, 160 and 400
// kbit/s (a frame of one packet every 20 ms each, a key frame every 10), fed
// until stop() is called.
async function produceSimulcast(): Promise<{ producer: Producer; stop: () => void }> {
	const ssrcs = [11110000, 22220000, 33330000];
	const payloadSizes = [100, 400, 1000];
	const producer = await ingress.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: vp8PayloadType,
					clockRate: 90000,
					rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
				},
			],
			encodings: ssrcs.map(ssrc => ({ ssrc })),
		},
	});
	let frame = 0;
	const interval = setInterval(() => {
		ssrcs.forEach((ssrc, idx) => {
			const header = Buffer.alloc(12);
			const pictureId = frame & 0x7fff;
			const payload = Buffer.alloc(payloadSizes[idx], idx);

			header[0] = 0x80;
			header[1] = 0x80 | vp8PayloadType;
			header.writeUInt16BE((idx * 20000 + frame) & 0xffff, 2);
			header.writeUInt32BE((frame * 1800) >>> 0, 4);
			header.writeUInt32BE(ssrc, 8);
			// RFC 7741 descriptor with a 15-bit picture id, then the payload
			// header (P bit 0: key frame) and the key frame start code.
			Buffer.from([
				0x90,
				0x80,
				0x80 | (pictureId >> 8),
				pictureId & 0xff,
				frame % 10 === 0 ? 0x00 : 0x01,
				0x9d,
				0x01,
				0x2a,
			]).copy(payload);
			sender.send(Buffer.concat([header, payload]), ingress.tuple.localPort, LOCALHOST);
		});
		++frame;
	}, 20);

	return { producer, stop: () => clearInterval(interval) };
}

test('the REMB a receiver sends picks the simulcast layer it gets, with layerschange on each switch', async () => {
	const { producer, stop } = await produceSimulcast();

	try {
		const consumer = await consume(producer, 'transport-cc');
		const changes: (number | undefined)[] = [];

		consumer.on('layerschange', layers => changes.push(layers?.spatialLayer));

		// The initial estimate (600 kbit/s) carries the top encoding.
		await waitFor(() => consumer.currentLayers?.spatialLayer === 2, 'the top encoding');

		const ssrc = consumer.rtpParameters.encodings![0].ssrc!;

		// 150 kbit/s: only the lowest encoding (about 40 kbit/s) fits.
		await sendTo(receiver, remb(150000, ssrc), egress.tuple.localPort);
		await waitFor(() => consumer.currentLayers?.spatialLayer === 0, 'the lowest encoding');
		expect(await availableOutgoingBitrate()).toBeLessThanOrEqual(150000);

		// Room again: back up (after the allocator's hold time).
		const rembTimer = setInterval(() => {
			void sendTo(receiver, remb(2000000, ssrc), egress.tuple.localPort);
		}, 500);

		try {
			await waitFor(() => consumer.currentLayers?.spatialLayer === 2, 'the top encoding again');
		} finally {
			clearInterval(rembTimer);
		}

		// Every event told a change, and the last one is where it is now.
		for (let i = 1; i < changes.length; ++i) {
			expect(changes[i]).not.toBe(changes[i - 1]);
		}

		expect(changes[changes.length - 1]).toBe(2);
		expect(changes).toContain(0);
	} finally {
		stop();
	}
});

test('setMaxOutgoingBitrate holds a simulcast consumer to what fits under it', async () => {
	const { producer, stop } = await produceSimulcast();

	try {
		const consumer = await consume(producer, 'transport-cc');

		await waitFor(() => consumer.currentLayers?.spatialLayer === 2, 'the top encoding');
		// Only the lowest encoding (about 40 kbit/s) fits.
		await egress.setMaxOutgoingBitrate(100000);
		await waitFor(() => consumer.currentLayers?.spatialLayer === 0, 'the lowest encoding');
		expect(await availableOutgoingBitrate()).toBeLessThanOrEqual(100000);
	} finally {
		stop();
	}
});
