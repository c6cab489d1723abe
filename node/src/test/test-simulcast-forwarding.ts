// A consumer of a simulcast producer forwards the best stream the producer
// sends: it moves up to the highest encoding at one of its key frames, and
// down when that encoding stops, with continuous sequence numbers,
// timestamps and VP8 picture ids (the receiver sees one stream).

import * as dgram from 'node:dgram';
import * as mediasoup from '../';
import type { Consumer, ConsumerLayers, Router, RtpCapabilities, Worker } from '../types';
import { rtpPayload } from './helpers/rtpHeader';

const LOCALHOST = '127.0.0.1';
const SSRCS = [44440000, 44441111, 44442222];
// Unrelated picture id ranges, as real encoders have.
const FIRST_PICTURE_IDS = [100, 5000, 20000];

let worker: Worker;
let router: Router;

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	router = await worker.createRouter({
		mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
	});
});

afterEach(() => worker?.close());

// VP8 payload (RFC 7741): X and S set, I set with a 15-bit picture id, then
// the payload header (P bit 0 for a key frame) and a byte naming the encoding.
function vp8Payload(pictureId: number, keyFrame: boolean, encodingIdx: number): Buffer {
	return Buffer.from([
		0x90,
		0x80,
		0x80 | ((pictureId >> 8) & 0x7f),
		pictureId & 0xff,
		keyFrame ? 0x00 : 0x01,
		0x9d,
		0x01,
		0x2a,
		encodingIdx,
	]);
}

async function waitFor(condition: () => boolean, timeoutMs = 10000): Promise<void> {
	const start = Date.now();

	while (!condition()) {
		if (Date.now() - start > timeoutMs) {
			throw new Error('condition not met in time');
		}

		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

type SimulcastSession = {
	consumer: Consumer;
	received: Buffer[];
	active: boolean[];
	stop: () => Promise<void>;
};

const encodingOf = (packet: Buffer): number => packet[packet.length - 1];

/**
 * A producer with three VP8 encodings fed from a UDP socket (a frame every
 * 20 ms per active encoding, a key frame every 10), and a simulcast consumer
 * whose RTP is collected.
 */
async function startSimulcast(preferredLayers?: ConsumerLayers): Promise<SimulcastSession> {
	const payloadType = router.rtpCapabilities.codecs![0].preferredPayloadType!;
	const sender = dgram.createSocket('udp4');
	const receiver = dgram.createSocket('udp4');

	await new Promise<void>(resolve => sender.bind(0, LOCALHOST, () => resolve()));
	await new Promise<void>(resolve => receiver.bind(0, LOCALHOST, () => resolve()));

	const ingress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		comedia: true,
	});
	const egress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
	});

	await egress.connect({ ip: LOCALHOST, port: receiver.address().port });

	const producer = await ingress.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType,
					clockRate: 90000,
					rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
				},
			],
			encodings: SSRCS.map(ssrc => ({ ssrc })),
		},
	});
	const consumer = await egress.consume({
		producerId: producer.id,
		rtpCapabilities: router.rtpCapabilities as RtpCapabilities,
		preferredLayers,
	});

	expect(producer.type).toBe('simulcast');
	expect(consumer.type).toBe('simulcast');

	const received: Buffer[] = [];

	// RTP only: sender reports arrive on the same port.
	receiver.on('message', message => {
		if (message[1] < 192 || message[1] > 223) {
			received.push(message);
		}
	});

	// Each encoding: a frame (one packet) every 20 ms, a key frame every 10.
	const active = [true, true, true];
	const seqs = [1000, 30000, 60000];
	const pictureIds = [...FIRST_PICTURE_IDS];
	let frame = 0;

	const sendFrames = (): void => {
		for (let idx = 0; idx < SSRCS.length; ++idx) {
			if (!active[idx]) {
				continue;
			}

			const header = Buffer.alloc(12);

			header[0] = 0x80;
			header[1] = payloadType;
			header.writeUInt16BE(seqs[idx]++ & 0xffff, 2);
			// Unrelated timestamp bases too.
			header.writeUInt32BE((idx * 1000000 + frame * 1800) >>> 0, 4);
			header.writeUInt32BE(SSRCS[idx], 8);

			const payload = vp8Payload(pictureIds[idx]++ & 0x7fff, frame % 10 === 0, idx);

			sender.send(Buffer.concat([header, payload]), ingress.tuple.localPort, LOCALHOST);
		}

		++frame;
	};
	const interval = setInterval(sendFrames, 20);

	return {
		consumer,
		received,
		active,
		stop: async () => {
			clearInterval(interval);
			sender.close();
			await new Promise(resolve => setTimeout(resolve, 100));
			receiver.close();
		},
	};
}

test('a simulcast consumer follows the highest active encoding, as one continuous stream', async () => {
	const { consumer, received, active, stop } = await startSimulcast();

	try {
		// Up to the highest encoding.
		await waitFor(() => received.some(p => encodingOf(p) === 2));

		// Encoding 2 stops: down to encoding 1.
		active[2] = false;
		await waitFor(() => {
			const last = received[received.length - 1];

			return (
				last !== undefined && encodingOf(last) === 1 && received.some(p => encodingOf(p) === 2)
			);
		});
	} finally {
		await stop();
	}

	const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;

	expect(received.every(p => p.readUInt32BE(8) === consumerSsrc)).toBe(true);
	// The stream started at a key frame.
	expect(rtpPayload(received[0])[4]).toBe(0x00);

	for (let i = 1; i < received.length; ++i) {
		const previous = received[i - 1];
		const current = received[i];

		// Sequence numbers without gaps across switches.
		expect(current.readUInt16BE(2)).toBe((previous.readUInt16BE(2) + 1) & 0xffff);
		// Timestamps moving forward.
		expect((current.readUInt32BE(4) - previous.readUInt32BE(4)) >>> 0 < 0x80000000).toBe(true);
		expect(current.readUInt32BE(4)).not.toBe(previous.readUInt32BE(4));

		// VP8 picture ids one after the other, whatever encoding they came from.
		const previousDescriptor = rtpPayload(previous);
		const currentDescriptor = rtpPayload(current);
		const previousPictureId = ((previousDescriptor[2] & 0x7f) << 8) | previousDescriptor[3];
		const currentPictureId = ((currentDescriptor[2] & 0x7f) << 8) | currentDescriptor[3];

		expect(currentPictureId).toBe((previousPictureId + 1) & 0x7fff);
	}

	// Switches happen at key frames only.
	for (let i = 1; i < received.length; ++i) {
		if (encodingOf(received[i]) !== encodingOf(received[i - 1])) {
			expect(rtpPayload(received[i])[4]).toBe(0x00);
		}
	}
});

test('preferred layers cap the encoding a simulcast consumer forwards', async () => {
	const { consumer, received, stop } = await startSimulcast({ spatialLayer: 1 });

	try {
		await waitFor(() => received.some(p => encodingOf(p) === 1));
		// Time for a wrong move up to show.
		await new Promise(resolve => setTimeout(resolve, 1200));

		expect(received.some(p => encodingOf(p) === 2)).toBe(false);

		await consumer.setPreferredLayers({ spatialLayer: 2 });
		await waitFor(() => received.some(p => encodingOf(p) === 2));
	} finally {
		await stop();
	}
});
