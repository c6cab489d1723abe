// RTCP through the worker, seen from plain RTP endpoints (Node UDP sockets,
// as FFmpeg or GStreamer would be): key frame requests, NACK and RTX in both
// directions, sender and receiver reports, scores, and malformed RTCP.

import * as dgram from 'node:dgram';
import * as mediasoup from '../';
import type { Consumer, PlainTransport, Producer, Router, RtpCapabilities, Worker } from '../types';
import { rtpHeaderSize, rtpPayload } from './helpers/rtpHeader';

const LOCALHOST = '127.0.0.1';
const PRODUCER_SSRC = 22222222;
const PRODUCER_RTX_SSRC = 22222223;

const mediaCodecs: mediasoup.types.RouterRtpCodecCapability[] = [
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

// VP8 payloads (RFC 7741): a descriptor with S=1, PID=0, then the payload
// header whose P bit is 0 for a key frame and 1 for a delta frame.
const KEY_FRAME = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]);
const DELTA_FRAME = Buffer.from([0x10, 0x01, 0x00, 0x00, 0x00, 0x00]);

type RtcpPacket = {
	packetType: number;
	fmt: number;
	body: Buffer;
};

type Endpoint = {
	socket: dgram.Socket;
	rtp: Buffer[];
	rtcp: RtcpPacket[];
};

let worker: Worker;
let router: Router;
let ingress: PlainTransport;
let egress: PlainTransport;
let producer: Producer;
let consumer: Consumer;
let sender: Endpoint;
let receiver: Endpoint;
let vp8PayloadType: number;
let rtxPayloadType: number;
let nextSeq: number;

function rtpPacket(
	payloadType: number,
	sequenceNumber: number,
	timestamp: number,
	ssrc: number,
	payload: Buffer
): Buffer {
	const header = Buffer.alloc(12);

	header[0] = 0x80;
	header[1] = payloadType & 0x7f;
	header.writeUInt16BE(sequenceNumber & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(ssrc >>> 0, 8);

	return Buffer.concat([header, payload]);
}

// Splits a (compound) RTCP datagram into its packets.
function parseRtcp(datagram: Buffer): RtcpPacket[] {
	const packets: RtcpPacket[] = [];
	let offset = 0;

	while (offset + 4 <= datagram.length) {
		const length = (datagram.readUInt16BE(offset + 2) + 1) * 4;

		packets.push({
			packetType: datagram[offset + 1],
			fmt: datagram[offset] & 0x1f,
			body: datagram.subarray(offset, offset + length),
		});
		offset += length;
	}

	return packets;
}

function isRtcp(datagram: Buffer): boolean {
	return datagram.length >= 4 && datagram[1] >= 192 && datagram[1] <= 223;
}

async function openEndpoint(): Promise<Endpoint> {
	const socket = dgram.createSocket('udp4');
	const endpoint: Endpoint = { socket, rtp: [], rtcp: [] };

	socket.on('message', message => {
		if (isRtcp(message)) {
			endpoint.rtcp.push(...parseRtcp(message));
		} else {
			endpoint.rtp.push(message);
		}
	});

	await new Promise<void>(resolve => socket.bind(0, LOCALHOST, () => resolve()));

	return endpoint;
}

function send(endpoint: Endpoint, data: Buffer, port: number): Promise<void> {
	return new Promise<void>(resolve => endpoint.socket.send(data, port, LOCALHOST, () => resolve()));
}

async function sendMedia(payload: Buffer, seq = nextSeq++): Promise<void> {
	await send(
		sender,
		rtpPacket(vp8PayloadType, seq, seq * 3000, PRODUCER_SSRC, payload),
		ingress.tuple.localPort
	);
}

async function waitFor(
	condition: () => boolean | Promise<boolean>,
	timeoutMs = 8000
): Promise<void> {
	const start = Date.now();

	while (!(await condition())) {
		if (Date.now() - start > timeoutMs) {
			throw new Error('condition not met in time');
		}

		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

// A Generic NACK (RFC 4585 6.2.1) for one sequence number.
function nack(senderSsrc: number, mediaSsrc: number, seq: number): Buffer {
	const packet = Buffer.alloc(16);

	packet[0] = 0x80 | 1;
	packet[1] = 205;
	packet.writeUInt16BE(3, 2);
	packet.writeUInt32BE(senderSsrc, 4);
	packet.writeUInt32BE(mediaSsrc, 8);
	packet.writeUInt16BE(seq, 12);
	packet.writeUInt16BE(0, 14);

	return packet;
}

// A Picture Loss Indication (RFC 4585 6.3.1).
function pli(senderSsrc: number, mediaSsrc: number): Buffer {
	const packet = Buffer.alloc(12);

	packet[0] = 0x80 | 1;
	packet[1] = 206;
	packet.writeUInt16BE(2, 2);
	packet.writeUInt32BE(senderSsrc, 4);
	packet.writeUInt32BE(mediaSsrc, 8);

	return packet;
}

function plisFor(endpoint: Endpoint, ssrc: number): RtcpPacket[] {
	return endpoint.rtcp.filter(
		p => p.packetType === 206 && p.fmt === 1 && p.body.readUInt32BE(8) === ssrc
	);
}

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	router = await worker.createRouter({ mediaCodecs });

	const codec = router.rtpCapabilities.codecs!.find(c => c.mimeType === 'video/VP8')!;
	const rtx = router.rtpCapabilities.codecs!.find(
		c => c.mimeType === 'video/rtx' && c.parameters?.apt === codec.preferredPayloadType
	)!;

	vp8PayloadType = codec.preferredPayloadType!;
	rtxPayloadType = rtx.preferredPayloadType!;
	nextSeq = 1000;

	sender = await openEndpoint();
	receiver = await openEndpoint();

	ingress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		comedia: true,
	});
	egress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
	});

	await egress.connect({ ip: LOCALHOST, port: receiver.socket.address().port });

	producer = await ingress.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: vp8PayloadType,
					clockRate: 90000,
					rtcpFeedback: [
						{ type: 'nack' },
						{ type: 'nack', parameter: 'pli' },
						{ type: 'ccm', parameter: 'fir' },
					],
				},
				{
					mimeType: 'video/rtx',
					payloadType: rtxPayloadType,
					clockRate: 90000,
					parameters: { apt: vp8PayloadType },
				},
			],
			encodings: [{ ssrc: PRODUCER_SSRC, rtx: { ssrc: PRODUCER_RTX_SSRC } }],
		},
	});
	consumer = await egress.consume({
		producerId: producer.id,
		rtpCapabilities: router.rtpCapabilities as RtpCapabilities,
	});
});

afterEach(() => {
	worker?.close();
	sender?.socket.close();
	receiver?.socket.close();
});

test('a new video consumer asks for a key frame and forwards from it on', async () => {
	// Delta frames only: the consumer waits, and the sender is asked (the
	// first packet tells comedia where the sender is).
	await sendMedia(DELTA_FRAME);
	await sendMedia(DELTA_FRAME);
	await waitFor(() => plisFor(sender, PRODUCER_SSRC).length > 0);

	expect(receiver.rtp).toHaveLength(0);

	await sendMedia(KEY_FRAME);
	await sendMedia(DELTA_FRAME);
	await waitFor(() => receiver.rtp.length === 2);

	const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;
	const first = receiver.rtp[0];

	expect(first.readUInt32BE(8)).toBe(consumerSsrc);
	// The key frame's payload, untouched.
	expect(rtpPayload(first).equals(KEY_FRAME)).toBe(true);

	const [stats] = await producer.getStats();

	expect(stats.pliCount).toBeGreaterThanOrEqual(1);
});

test('a gap gets a NACK to the sender, and its RTX packet repairs it', async () => {
	await sendMedia(KEY_FRAME);

	for (let i = 0; i < 5; ++i) {
		await sendMedia(DELTA_FRAME);
	}

	const lostSeq = nextSeq++;

	for (let i = 0; i < 5; ++i) {
		await sendMedia(DELTA_FRAME);
	}

	await waitFor(() =>
		sender.rtcp.some(
			p => p.packetType === 205 && p.fmt === 1 && p.body.readUInt16BE(12) === lostSeq
		)
	);

	const forwardedBefore = receiver.rtp.length;

	// The retransmission: RTX payload type and SSRC, the original sequence
	// number (OSN) in front of the payload (RFC 4588 4).
	const osn = Buffer.alloc(2);

	osn.writeUInt16BE(lostSeq);
	await send(
		sender,
		rtpPacket(
			rtxPayloadType,
			1,
			lostSeq * 3000,
			PRODUCER_RTX_SSRC,
			Buffer.concat([osn, DELTA_FRAME])
		),
		ingress.tuple.localPort
	);
	await waitFor(() => receiver.rtp.length === forwardedBefore + 1);

	const repaired = receiver.rtp[receiver.rtp.length - 1];
	const firstSeq = receiver.rtp[0].readUInt16BE(2);

	// In the consumer's numbering, where the lost packet belonged.
	expect(repaired.readUInt16BE(2)).toBe((firstSeq + 6) & 0xffff);
	expect(repaired[1] & 0x7f).toBe(vp8PayloadType);

	const [stats] = await producer.getStats();

	expect(stats.nackCount).toBeGreaterThanOrEqual(1);
	expect(stats.nackPacketCount).toBeGreaterThanOrEqual(1);
	expect(stats.packetsRepaired).toBe(1);
	expect(stats.packetsLost).toBe(0);
});

test('a NACK from the receiver is answered with an RTX packet', async () => {
	await sendMedia(KEY_FRAME);

	for (let i = 0; i < 4; ++i) {
		await sendMedia(DELTA_FRAME);
	}

	await waitFor(() => receiver.rtp.length === 5);

	const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;
	const consumerRtxSsrc = consumer.rtpParameters.encodings![0].rtx!.ssrc;
	const consumerRtxPayloadType = consumer.rtpParameters.codecs.find(
		c => c.mimeType === 'video/rtx'
	)!.payloadType;
	const wanted = receiver.rtp[2];
	const wantedSeq = wanted.readUInt16BE(2);

	await send(receiver, nack(1234, consumerSsrc, wantedSeq), egress.tuple.localPort);
	await waitFor(() => receiver.rtp.length === 6);

	const rtx = receiver.rtp[5];

	expect(rtx[1] & 0x7f).toBe(consumerRtxPayloadType);
	expect(rtx.readUInt32BE(8)).toBe(consumerRtxSsrc);
	// OSN, then the original payload.
	expect(rtx.readUInt16BE(rtpHeaderSize(rtx))).toBe(wantedSeq);
	expect(rtpPayload(rtx).subarray(2).equals(rtpPayload(wanted))).toBe(true);

	const [stats] = await consumer.getStats();

	expect(stats.nackCount).toBe(1);
	expect(stats.packetsRetransmitted).toBe(1);
});

test('a PLI from the receiver reaches the sender', async () => {
	await sendMedia(KEY_FRAME);
	await sendMedia(DELTA_FRAME);
	await waitFor(() => receiver.rtp.length === 2);

	const before = plisFor(sender, PRODUCER_SSRC).length;
	const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;

	await send(receiver, pli(1234, consumerSsrc), egress.tuple.localPort);
	await waitFor(() => plisFor(sender, PRODUCER_SSRC).length > before);

	const [stats] = await consumer.getStats();

	expect(stats.pliCount).toBe(1);
});

test('requestKeyFrame() sends a PLI to the sender', async () => {
	await sendMedia(KEY_FRAME);
	await sendMedia(DELTA_FRAME);
	await waitFor(() => receiver.rtp.length === 2);

	const before = plisFor(sender, PRODUCER_SSRC).length;

	await consumer.requestKeyFrame();
	await waitFor(() => plisFor(sender, PRODUCER_SSRC).length > before);
});

test('the sender gets receiver reports, the receiver sender reports; scores follow', async () => {
	const producerScores: number[] = [];
	const consumerScores: number[] = [];

	producer.on('score', score => producerScores.push(score[0]?.score ?? -1));
	consumer.on('score', score => consumerScores.push(score.producerScore));

	await sendMedia(KEY_FRAME);

	const interval = setInterval(() => void sendMedia(DELTA_FRAME), 20);

	try {
		await waitFor(
			() =>
				sender.rtcp.some(
					p =>
						p.packetType === 201 && p.body.length >= 32 && p.body.readUInt32BE(8) === PRODUCER_SSRC
				),
			10000
		);

		const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;

		await waitFor(
			() =>
				receiver.rtcp.some(p => p.packetType === 200 && p.body.readUInt32BE(4) === consumerSsrc),
			10000
		);
		await waitFor(() => producerScores.some(s => s > 0), 10000);
		await waitFor(() => consumerScores.some(s => s > 0), 10000);
	} finally {
		clearInterval(interval);
	}

	// Every packet arrived: the report says nothing was lost.
	const report = sender.rtcp.find(
		p => p.packetType === 201 && p.body.length >= 32 && p.body.readUInt32BE(8) === PRODUCER_SSRC
	)!;

	expect(report.body.readUInt32BE(12) & 0x00ffffff).toBe(0);
	expect(producer.score[0].score).toBeGreaterThan(0);
}, 40000);

test('malformed RTCP is dropped and counted; media keeps flowing', async () => {
	await sendMedia(KEY_FRAME);
	await waitFor(() => receiver.rtp.length === 1);

	const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;
	const hostile = [
		// An RR whose length field runs past the datagram.
		Buffer.from([0x81, 201, 0x00, 0x40, 0, 0, 0, 1]),
		// A NACK announcing items it does not carry.
		Buffer.concat([nack(1, consumerSsrc, 1).subarray(0, 14)]),
		// An SR cut inside its sender info.
		Buffer.from([0x80, 200, 0x00, 0x06, 0, 0, 0, 1, 0, 0]),
		// A valid PLI followed by 2 stray bytes.
		Buffer.concat([pli(1, 999), Buffer.from([0x80, 0x00])]),
	];

	for (const datagram of hostile) {
		await send(receiver, datagram, egress.tuple.localPort);
	}

	await waitFor(async () => (await egress.dump()).droppedPackets.invalidRtcp === hostile.length);
	await sendMedia(DELTA_FRAME);
	await waitFor(() => receiver.rtp.length === 2);

	expect(worker.died).toBe(false);
});

test('a video orientation change emits videoorientationchange', async () => {
	const orientedTransport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		comedia: true,
	});
	const orientedProducer = await orientedTransport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [{ mimeType: 'video/VP8', payloadType: vp8PayloadType, clockRate: 90000 }],
			headerExtensions: [{ uri: 'urn:3gpp:video-orientation', id: 4 }],
			encodings: [{ ssrc: 33333333 }],
		},
	});
	const changes: mediasoup.types.ProducerVideoOrientation[] = [];

	orientedProducer.on('videoorientationchange', orientation => changes.push(orientation));

	// One-byte header extensions (RFC 8285): id 4, 1 byte, C F R1 R0.
	const withOrientation = (seq: number, value: number): Buffer => {
		const packet = rtpPacket(vp8PayloadType, seq, seq * 3000, 33333333, KEY_FRAME);
		const extension = Buffer.from([0xbe, 0xde, 0x00, 0x01, 0x40, value, 0x00, 0x00]);

		packet[0] |= 0x10;

		return Buffer.concat([packet.subarray(0, 12), extension, packet.subarray(12)]);
	};

	// Back camera, rotated 90 degrees twice (one change), then flipped at 270.
	for (const [seq, value] of [
		[1, 0x09],
		[2, 0x09],
		[3, 0x07],
	]) {
		await send(sender, withOrientation(seq, value), orientedTransport.tuple.localPort);
	}

	await waitFor(() => changes.length === 2);

	expect(changes).toEqual([
		{ camera: true, flip: false, rotation: 90 },
		{ camera: false, flip: true, rotation: 270 },
	]);
});

test('malformed RTP and absurd NACKs are dropped and counted; media keeps flowing', async () => {
	await sendMedia(KEY_FRAME);
	await waitFor(() => receiver.rtp.length === 1);

	const valid = rtpPacket(vp8PayloadType, 1, 3000, PRODUCER_SSRC, DELTA_FRAME);
	const withBit = (bits: number): Buffer => {
		const packet = Buffer.from(valid);

		packet[0] |= bits;

		return packet;
	};
	// Shorter than the fixed header: not even taken for RTP.
	const tooShort = valid.subarray(0, 10);
	const malformedRtp = [
		// 15 CSRCs announced, none there.
		withBit(0x0f),
		// An extension header announced, none there (the payload is too short).
		withBit(0x10).subarray(0, 14),
		// An extension whose length (0xffff words) runs past the packet.
		Buffer.concat([withBit(0x10).subarray(0, 12), Buffer.from([0xbe, 0xde, 0xff, 0xff, 0x10, 0])]),
		// Padding longer than the packet.
		Buffer.concat([withBit(0x20), Buffer.from([0xff])]),
		// Padding length 0.
		Buffer.concat([withBit(0x20), Buffer.from([0x00])]),
	];

	for (const datagram of [tooShort, ...malformedRtp]) {
		await send(sender, datagram, ingress.tuple.localPort);
	}

	// A NACK asking for every sequence number there is, 17 at a time.
	const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;
	const items = 300;
	const absurdNack = Buffer.alloc(12 + items * 4);

	absurdNack[0] = 0x81;
	absurdNack[1] = 205;
	absurdNack.writeUInt16BE(2 + items, 2);
	absurdNack.writeUInt32BE(1, 4);
	absurdNack.writeUInt32BE(consumerSsrc, 8);

	for (let i = 0; i < items; ++i) {
		absurdNack.writeUInt16BE((i * 17) & 0xffff, 12 + i * 4);
		absurdNack.writeUInt16BE(0xffff, 14 + i * 4);
	}

	await send(receiver, absurdNack, egress.tuple.localPort);
	await waitFor(async () => {
		const { droppedPackets } = await ingress.dump();

		return (
			droppedPackets.invalidRtp === malformedRtp.length && droppedPackets.notStunDtlsRtpRtcp === 1
		);
	});

	await sendMedia(DELTA_FRAME);
	await waitFor(() => receiver.rtp.some(p => rtpPayload(p).equals(DELTA_FRAME)));

	const [stats] = await consumer.getStats();

	// Counted as asked; the only packet it could resend is the key frame.
	expect(stats.nackCount).toBe(1);
	expect(stats.packetsRetransmitted).toBeLessThanOrEqual(1);
	expect(worker.died).toBe(false);
});

test('trace events: rtp and keyframe in, pli out on the producer; rtp out and pli in on the consumer', async () => {
	const producerTraces: mediasoup.types.ProducerTraceEventData[] = [];
	const consumerTraces: mediasoup.types.ConsumerTraceEventData[] = [];

	await producer.enableTraceEvent(['rtp', 'keyframe', 'pli']);
	await consumer.enableTraceEvent(['rtp', 'pli']);
	producer.on('trace', trace => producerTraces.push(trace));
	consumer.on('trace', trace => consumerTraces.push(trace));

	const keyFrameSeq = nextSeq;

	await sendMedia(KEY_FRAME);
	await waitFor(() => receiver.rtp.length === 1);

	const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;

	await send(receiver, pli(1234, consumerSsrc), egress.tuple.localPort);
	await waitFor(
		() => producerTraces.some(t => t.type === 'pli') && consumerTraces.some(t => t.type === 'pli')
	);

	expect(producerTraces.find(t => t.type === 'rtp')).toMatchObject({
		direction: 'in',
		info: {
			isRtx: false,
			rtpPacket: { sequenceNumber: keyFrameSeq, isKeyFrame: true, payloadType: vp8PayloadType },
		},
	});
	expect(producerTraces.find(t => t.type === 'keyframe')).toMatchObject({ direction: 'in' });
	expect(producerTraces.find(t => t.type === 'pli')).toMatchObject({
		direction: 'out',
		info: { ssrc: PRODUCER_SSRC },
	});
	expect(consumerTraces.find(t => t.type === 'rtp')).toMatchObject({
		direction: 'out',
		info: { rtpPacket: { ssrc: consumerSsrc, isKeyFrame: true } },
	});
	expect(consumerTraces.find(t => t.type === 'pli')).toMatchObject({
		direction: 'in',
		info: { ssrc: consumerSsrc },
	});
	// Not asked for.
	expect(consumerTraces.some(t => t.type === 'keyframe')).toBe(false);

	// Disabled: no more traces.
	await producer.enableTraceEvent([]);

	const count = producerTraces.length;

	await sendMedia(DELTA_FRAME);
	await waitFor(() => receiver.rtp.length === 2);
	expect(producerTraces).toHaveLength(count);
});
