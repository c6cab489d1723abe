// Bandwidth feedback from the worker to a remote RTP sender, seen from a
// plain RTP endpoint (a Node UDP socket, as a native sender would be):
// transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01)
// for a sender that negotiated it, and REMB carrying the cap set with
// transport.setMaxIncomingBitrate(). Browser senders are in
// test-interop-bandwidth.ts.

import * as dgram from 'node:dgram';
import * as mediasoup from '../';
import type {
	PlainTransport,
	Producer,
	Router,
	RtpParameters,
	TransportTraceEventData,
	Worker,
} from '../types';

const LOCALHOST = '127.0.0.1';
const PRODUCER_SSRC = 33333333;
const TRANSPORT_CC_EXTENSION_ID = 5;
const ABS_SEND_TIME_EXTENSION_ID = 4;
const TRANSPORT_CC_URI =
	'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
// What the worker announces to lift its cap again (about 4.3 Gbit/s).
const UNLIMITED_BITRATE = 0x3ffff * 2 ** 14;
// Longest wait for something expected to happen (not a performance figure).
const WAIT_MS = 8000;

const mediaCodecs: mediasoup.types.RouterRtpCodecCapability[] = [
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

// A VP8 delta frame payload (RFC 7741 descriptor and payload header).
const VP8_PAYLOAD = Buffer.from([0x10, 0x01, 0x00, 0x00, 0x00, 0x00]);

type TransportCcFeedback = {
	senderSsrc: number;
	mediaSsrc: number;
	baseSequenceNumber: number;
	feedbackPacketCount: number;
	size: number;
	// Sequence number → received (delta in 250 µs units) or not (null).
	statuses: Map<number, number | null>;
};

type Remb = { senderSsrc: number; bitrate: number; ssrcs: number[] };

type Sender = {
	socket: dgram.Socket;
	feedbacks: TransportCcFeedback[];
	rembs: Remb[];
};

let worker: Worker;
let router: Router;
let transport: PlainTransport;
let sender: Sender;
let vp8PayloadType: number;
let nextSeq = 1;

// One RTP packet with one-byte header extensions (RFC 8285 4.2).
function rtpPacket(sequenceNumber: number, extensions: { id: number; value: Buffer }[]): Buffer {
	const header = Buffer.alloc(12);

	header[0] = 0x90;
	header[1] = vp8PayloadType;
	header.writeUInt16BE(sequenceNumber & 0xffff, 2);
	header.writeUInt32BE((sequenceNumber * 3000) >>> 0, 4);
	header.writeUInt32BE(PRODUCER_SSRC, 8);

	const elements = Buffer.concat(
		extensions.map(({ id, value }) =>
			Buffer.concat([Buffer.from([(id << 4) | (value.length - 1)]), value])
		)
	);
	const padded = Buffer.concat([elements, Buffer.alloc((4 - (elements.length % 4)) % 4)]);
	const extensionHeader = Buffer.alloc(4);

	extensionHeader.writeUInt16BE(0xbede, 0);
	extensionHeader.writeUInt16BE(padded.length / 4, 2);

	return Buffer.concat([header, extensionHeader, padded, VP8_PAYLOAD]);
}

function wideSeqExtension(wideSeq: number): { id: number; value: Buffer } {
	const value = Buffer.alloc(2);

	value.writeUInt16BE(wideSeq & 0xffff, 0);

	return { id: TRANSPORT_CC_EXTENSION_ID, value };
}

// Reads the statuses of a transport-cc feedback packet (RTPFB, FMT 15).
function parseTransportCc(packet: Buffer): TransportCcFeedback {
	const baseSequenceNumber = packet.readUInt16BE(12);
	const statusCount = packet.readUInt16BE(14);
	const symbols: number[] = [];
	let offset = 20;

	while (symbols.length < statusCount) {
		const chunk = packet.readUInt16BE(offset);

		offset += 2;

		if ((chunk & 0x8000) === 0) {
			const symbol = (chunk >> 13) & 0x3;
			const runLength = chunk & 0x1fff;

			for (let i = 0; i < runLength; ++i) {
				symbols.push(symbol);
			}
		} else if ((chunk & 0x4000) === 0) {
			for (let i = 13; i >= 0; --i) {
				symbols.push((chunk >> i) & 0x1);
			}
		} else {
			for (let i = 6; i >= 0; --i) {
				symbols.push((chunk >> (i * 2)) & 0x3);
			}
		}
	}

	const statuses = new Map<number, number | null>();

	for (let i = 0; i < statusCount; ++i) {
		const seq = (baseSequenceNumber + i) & 0xffff;

		if (symbols[i] === 1) {
			statuses.set(seq, packet.readUInt8(offset));
			offset += 1;
		} else if (symbols[i] === 2) {
			statuses.set(seq, packet.readInt16BE(offset));
			offset += 2;
		} else {
			statuses.set(seq, null);
		}
	}

	return {
		senderSsrc: packet.readUInt32BE(4),
		mediaSsrc: packet.readUInt32BE(8),
		baseSequenceNumber,
		feedbackPacketCount: packet[19],
		size: packet.length,
		statuses,
	};
}

function parseRemb(packet: Buffer): Remb | undefined {
	if (packet.length < 20 || packet.toString('latin1', 12, 16) !== 'REMB') {
		return undefined;
	}

	const numSsrcs = packet[16];
	const exponent = packet[17] >> 2;
	const mantissa = ((packet[17] & 0x3) << 16) | packet.readUInt16BE(18);
	const ssrcs: number[] = [];

	for (let i = 0; i < numSsrcs; ++i) {
		ssrcs.push(packet.readUInt32BE(20 + i * 4));
	}

	return { senderSsrc: packet.readUInt32BE(4), bitrate: mantissa * 2 ** exponent, ssrcs };
}

async function openSender(): Promise<Sender> {
	const socket = dgram.createSocket('udp4');
	const endpoint: Sender = { socket, feedbacks: [], rembs: [] };

	socket.on('message', datagram => {
		let offset = 0;

		// Compound or not, one RTCP packet after the other.
		while (
			offset + 4 <= datagram.length &&
			datagram[offset + 1] >= 192 &&
			datagram[offset + 1] <= 223
		) {
			const length = (datagram.readUInt16BE(offset + 2) + 1) * 4;
			const packet = datagram.subarray(offset, offset + length);
			const packetType = packet[1];
			const fmt = packet[0] & 0x1f;

			if (packetType === 205 && fmt === 15) {
				endpoint.feedbacks.push(parseTransportCc(packet));
			} else if (packetType === 206 && fmt === 15) {
				const remb = parseRemb(packet);

				if (remb) {
					endpoint.rembs.push(remb);
				}
			}

			offset += length;
		}
	});

	await new Promise<void>(resolve => socket.bind(0, LOCALHOST, () => resolve()));

	return endpoint;
}

function send(data: Buffer): Promise<void> {
	return new Promise<void>(resolve =>
		sender.socket.send(data, transport.tuple.localPort, LOCALHOST, () => resolve())
	);
}

async function waitFor(
	condition: () => boolean | Promise<boolean>,
	timeoutMs = WAIT_MS
): Promise<void> {
	const start = Date.now();

	while (!(await condition())) {
		if (Date.now() - start > timeoutMs) {
			throw new Error('condition not met in time');
		}

		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

// Every status reported so far, by transport-wide sequence number (the last
// report of each wins).
function reportedStatuses(): Map<number, number | null> {
	const all = new Map<number, number | null>();

	for (const feedback of sender.feedbacks) {
		for (const [seq, status] of feedback.statuses) {
			all.set(seq, status);
		}
	}

	return all;
}

// Whether a feedback reported this packet as received.
function reportedReceived(seq: number): boolean {
	const status = reportedStatuses().get(seq);

	return status !== undefined && status !== null;
}

async function produce(feedback: string[], extensionUris: string[]): Promise<Producer> {
	const headerExtensions: RtpParameters['headerExtensions'] = extensionUris.map(uri => ({
		uri: uri as never,
		id: uri === TRANSPORT_CC_URI ? TRANSPORT_CC_EXTENSION_ID : ABS_SEND_TIME_EXTENSION_ID,
	}));

	return transport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: vp8PayloadType,
					clockRate: 90000,
					rtcpFeedback: feedback.map(type => ({ type })),
				},
			],
			headerExtensions,
			encodings: [{ ssrc: PRODUCER_SSRC }],
		},
	});
}

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	router = await worker.createRouter({ mediaCodecs });
	vp8PayloadType = router.rtpCapabilities.codecs!.find(
		c => c.mimeType === 'video/VP8'
	)!.preferredPayloadType!;
	sender = await openSender();
	transport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		comedia: true,
	});
	nextSeq = 1;
});

afterEach(() => {
	worker?.close();
	sender?.socket.close();
});

test('a transport-cc sender gets feedback on every packet, losses and wrap-around included', async () => {
	await produce(['nack', 'transport-cc'], [TRANSPORT_CC_URI]);

	// Across the 16-bit wrap, with a gap of 20 never sent.
	const firstWideSeq = 65500;
	const sent: number[] = [];
	const skipped: number[] = [];

	for (let i = 0; i < 100; ++i) {
		const wideSeq = (firstWideSeq + i) & 0xffff;

		if (i >= 40 && i < 60) {
			skipped.push(wideSeq);
			continue;
		}

		sent.push(wideSeq);
		await send(rtpPacket(nextSeq++, [wideSeqExtension(wideSeq)]));
	}

	await waitFor(() => sent.every(seq => reportedReceived(seq)));

	const statuses = reportedStatuses();

	for (const seq of skipped) {
		expect(statuses.get(seq)).toBeNull();
	}

	// Sent one after the other: no arrival went back in time.
	for (const feedback of sender.feedbacks) {
		for (const delta of feedback.statuses.values()) {
			if (delta !== null) {
				expect(delta).toBeGreaterThanOrEqual(0);
			}
		}
	}

	for (const [index, feedback] of sender.feedbacks.entries()) {
		expect(feedback.mediaSsrc).toBe(PRODUCER_SSRC);
		expect(feedback.senderSsrc).not.toBe(0);
		// The feedback packet count goes up by one per packet.
		expect(feedback.feedbackPacketCount).toBe(
			(sender.feedbacks[0].feedbackPacketCount + index) & 0xff
		);
	}

	// Nothing from before the first packet is invented.
	expect(statuses.has((firstWideSeq - 1) & 0xffff)).toBe(false);
});

test('feedback keeps coming while media flows, a burst is split into packets under the MTU', async () => {
	await produce(['transport-cc'], [TRANSPORT_CC_URI]);

	const burst = 1500;
	const datagrams: Promise<void>[] = [];

	for (let wideSeq = 0; wideSeq < burst; ++wideSeq) {
		datagrams.push(send(rtpPacket(nextSeq++, [wideSeqExtension(wideSeq)])));
	}

	await Promise.all(datagrams);

	// Whatever the kernel delivered is reported (loopback may drop a few
	// under a burst; those are reported as lost).
	await waitFor(() => reportedStatuses().size >= burst - 1 || reportedStatuses().has(burst - 1));
	await waitFor(
		() => [...reportedStatuses().values()].filter(delta => delta !== null).length > burst / 2
	);

	expect(sender.feedbacks.length).toBeGreaterThan(1);

	for (const feedback of sender.feedbacks) {
		expect(feedback.size).toBeLessThanOrEqual(1200);
	}

	// Media keeps flowing at 50 packets/s: feedback keeps coming.
	const before = sender.feedbacks.length;

	for (let i = 0; i < 25; ++i) {
		await send(rtpPacket(nextSeq++, [wideSeqExtension(burst + i)]));
		await sleep(20);
	}

	await waitFor(() => reportedReceived(burst + 24));

	expect(sender.feedbacks.length).toBeGreaterThan(before + 1);
});

test('no transport-cc feedback when the producer did not negotiate it', async () => {
	// The extension without the feedback type, as a sender that stamps but
	// does not listen.
	await produce(['nack'], [TRANSPORT_CC_URI]);

	for (let wideSeq = 0; wideSeq < 30; ++wideSeq) {
		await send(rtpPacket(nextSeq++, [wideSeqExtension(wideSeq)]));
		await sleep(10);
	}

	// Media got through, and three feedback intervals passed.
	await waitFor(async () => (await transport.getStats())[0].rtpBytesReceived > 0);
	await sleep(300);

	expect(sender.feedbacks).toHaveLength(0);
});

test('setMaxIncomingBitrate() sends the cap in a REMB, 0 lifts it; getStats() reports it', async () => {
	const producer = await produce(['transport-cc'], [TRANSPORT_CC_URI]);

	await send(rtpPacket(nextSeq++, [wideSeqExtension(0)]));
	await waitFor(() => sender.feedbacks.length > 0);

	expect(sender.rembs).toHaveLength(0);
	expect((await transport.getStats())[0].maxIncomingBitrate).toBeUndefined();

	await transport.setMaxIncomingBitrate(400000);
	await waitFor(() => sender.rembs.length > 0);

	expect(sender.rembs[0].bitrate).toBe(400000);
	expect(sender.rembs[0].ssrcs).toEqual([PRODUCER_SSRC]);
	expect(producer.rtpParameters.encodings![0].ssrc).toBe(PRODUCER_SSRC);
	expect((await transport.getStats())[0].maxIncomingBitrate).toBe(400000);

	// Repeated while the sender sends.
	const start = Date.now();

	while (sender.rembs.length < 2) {
		expect(Date.now() - start).toBeLessThan(WAIT_MS);
		await send(rtpPacket(nextSeq++, [wideSeqExtension(nextSeq)]));
		await sleep(50);
	}

	expect(sender.rembs.every(remb => remb.bitrate === 400000)).toBe(true);

	await transport.setMaxIncomingBitrate(0);
	await waitFor(() => sender.rembs.some(remb => remb.bitrate !== 400000));

	expect(sender.rembs[sender.rembs.length - 1].bitrate).toBe(UNLIMITED_BITRATE);
	expect((await transport.getStats())[0].maxIncomingBitrate).toBeUndefined();
});

test('a cap set before the sender starts is sent with its first packets', async () => {
	await produce(['transport-cc'], [TRANSPORT_CC_URI]);
	await transport.setMaxIncomingBitrate(250000);
	await sleep(200);

	expect(sender.rembs).toHaveLength(0);

	await send(rtpPacket(nextSeq++, [wideSeqExtension(0)]));
	await waitFor(() => sender.rembs.length > 0);

	expect(sender.rembs[0].bitrate).toBe(250000);
});

test('hostile transport-wide sequence numbers do not stop feedback', async () => {
	await produce(['transport-cc'], [TRANSPORT_CC_URI]);

	// Jumps back and forth, duplicates, a wrap and a far jump.
	const hostile = [0, 40000, 1, 1, 65535, 0, 30000, 12, 12, 65534, 7];

	for (const wideSeq of hostile) {
		await send(rtpPacket(nextSeq++, [wideSeqExtension(wideSeq)]));
	}

	// Then a well-behaved stream, all of which is reported.
	const sent: number[] = [];

	for (let wideSeq = 100; wideSeq < 140; ++wideSeq) {
		sent.push(wideSeq);
		await send(rtpPacket(nextSeq++, [wideSeqExtension(wideSeq)]));
		await sleep(5);
	}

	await waitFor(() => sent.slice(-10).every(seq => reportedReceived(seq)));

	for (const feedback of sender.feedbacks) {
		expect(feedback.size).toBeLessThanOrEqual(1200);
	}

	expect(worker.died).toBe(false);
});

// abs-send-time: 6.18 fixed point seconds, 24 bits.
function absSendTimeExtension(ms: number): { id: number; value: Buffer } {
	const ticks = Math.floor((ms * 2 ** 18) / 1000) & 0xffffff;

	return {
		id: ABS_SEND_TIME_EXTENSION_ID,
		value: Buffer.from([(ticks >> 16) & 0xff, (ticks >> 8) & 0xff, ticks & 0xff]),
	};
}

// Sends about `packetsPerTick` packets every 10 ms for `durationMs`, stamped
// with abs-send-time (and a padded payload to give them weight).
async function sendAbsSendTimeStream(durationMs: number, packetsPerTick: number): Promise<void> {
	const start = Date.now();
	const filler = Buffer.alloc(900);

	while (Date.now() - start < durationMs) {
		const sends: Promise<void>[] = [];

		for (let i = 0; i < packetsPerTick; ++i) {
			const packet = rtpPacket(nextSeq++, [
				absSendTimeExtension(Date.now()),
				wideSeqExtension(nextSeq),
			]);

			sends.push(send(Buffer.concat([packet, filler])));
		}

		await Promise.all(sends);
		await sleep(10);
	}
}

test('a REMB-only sender gets our estimate in REMB, capped by setMaxIncomingBitrate()', async () => {
	await produce(['goog-remb'], [ABS_SEND_TIME_URI, TRANSPORT_CC_URI]);

	expect((await transport.getStats())[0].availableIncomingBitrate).toBeUndefined();

	// About 750 kbit/s on a clear path.
	await sendAbsSendTimeStream(2000, 1);

	expect(sender.rembs.length).toBeGreaterThan(0);
	expect(sender.rembs[0].ssrcs).toEqual([PRODUCER_SSRC]);
	expect(sender.rembs.every(remb => remb.bitrate >= 30000)).toBe(true);
	// It stamps the transport-wide sequence number, but did not ask for it.
	expect(sender.feedbacks).toHaveLength(0);

	const stats = (await transport.getStats())[0];

	expect(stats.availableIncomingBitrate).toBeGreaterThan(0);

	await transport.setMaxIncomingBitrate(100000);

	const capped = sender.rembs.length;

	await sendAbsSendTimeStream(1500, 1);

	expect(sender.rembs.length).toBeGreaterThan(capped);
	expect(sender.rembs.slice(capped).every(remb => remb.bitrate <= 100000)).toBe(true);
	expect((await transport.getStats())[0].availableIncomingBitrate).toBeLessThanOrEqual(100000);
});

test("the 'bwe' trace event tells what the REMB announced", async () => {
	await produce(['transport-cc'], [TRANSPORT_CC_URI]);

	const traces: TransportTraceEventData[] = [];

	transport.on('trace', trace => traces.push(trace));
	await transport.enableTraceEvent(['bwe']);
	await send(rtpPacket(nextSeq++, [wideSeqExtension(0)]));
	await transport.setMaxIncomingBitrate(300000);
	await waitFor(() => traces.length > 0);

	expect(traces[0]).toMatchObject({
		type: 'bwe',
		direction: 'in',
		info: { bweType: 'transport-cc', availableBitrate: 300000, maxBitrate: 300000 },
	});
	expect(typeof traces[0].timestamp).toBe('number');

	// Disabled: no more.
	await transport.enableTraceEvent([]);
	await transport.setMaxIncomingBitrate(200000);
	await waitFor(() => sender.rembs.some(remb => remb.bitrate === 200000));

	expect(traces).toHaveLength(1);
});
