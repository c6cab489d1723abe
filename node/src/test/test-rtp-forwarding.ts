// RTP forwarded through the worker: from a plain RTP sender (a Node UDP
// socket, as FFmpeg would send), through a producer, across two Routers
// joined by PipeTransports with SRTP, to a consumer on a plain transport
// whose packets arrive at another Node UDP socket with the consumer's SSRC,
// payload type and continuous sequence numbers.

import * as dgram from 'node:dgram';
import * as mediasoup from '../';
import type { Router, RtpCapabilities, Worker } from '../types';

const LOCALHOST = '127.0.0.1';
const PACKETS = 50;

const mediaCodecs: mediasoup.types.RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
];

let worker: Worker;
let routerA: Router;
let routerB: Router;

beforeAll(async () => {
	worker = await mediasoup.createWorker();
	routerA = await worker.createRouter({ mediaCodecs });
	routerB = await worker.createRouter({ mediaCodecs });
});

afterAll(() => worker?.close());

/**
 * An RTP packet: 12-byte header and a payload.
 */
function rtpPacket({
	payloadType,
	sequenceNumber,
	timestamp,
	ssrc,
	payload,
}: {
	payloadType: number;
	sequenceNumber: number;
	timestamp: number;
	ssrc: number;
	payload: Buffer;
}): Buffer {
	const header = Buffer.alloc(12);

	header[0] = 0x80;
	header[1] = payloadType & 0x7f;
	header.writeUInt16BE(sequenceNumber & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(ssrc >>> 0, 8);

	return Buffer.concat([header, payload]);
}

async function bindSocket(): Promise<dgram.Socket> {
	const socket = dgram.createSocket('udp4');

	await new Promise<void>(resolve => socket.bind(0, LOCALHOST, () => resolve()));

	return socket;
}

test('RTP from a plain sender reaches a consumer in another Router through SRTP pipes', async () => {
	const opusPayloadType = routerA.rtpCapabilities.codecs!.find(
		c => c.mimeType === 'audio/opus'
	)!.preferredPayloadType!;

	// The sender's side.
	const sender = await bindSocket();
	const ingress = await routerA.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		comedia: true,
	});
	const producer = await ingress.produce({
		kind: 'audio',
		rtpParameters: {
			codecs: [
				{
					mimeType: 'audio/opus',
					payloadType: opusPayloadType,
					clockRate: 48000,
					channels: 2,
				},
			],
			encodings: [{ ssrc: 11111111 }],
		},
	});

	// The pipes, with SRTP.
	const pipeA = await routerA.createPipeTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		enableSrtp: true,
	});
	const pipeB = await routerB.createPipeTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		enableSrtp: true,
	});

	expect(pipeA.srtpParameters!.cryptoSuite).toBe('AEAD_AES_256_GCM');

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

	const pipeConsumer = await pipeA.consume({ producerId: producer.id });
	const pipeProducer = await pipeB.produce({
		kind: pipeConsumer.kind,
		rtpParameters: pipeConsumer.rtpParameters,
	});

	// The receiver's side.
	const receiver = await bindSocket();
	const egress = await routerB.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
	});

	await egress.connect({ ip: LOCALHOST, port: receiver.address().port });

	const consumer = await egress.consume({
		producerId: pipeProducer.id,
		rtpCapabilities: routerB.rtpCapabilities as RtpCapabilities,
	});
	const received: Buffer[] = [];

	// RTP only: sender reports arrive on the same port.
	receiver.on('message', message => {
		if (message[1] < 192 || message[1] > 223) {
			received.push(message);
		}
	});

	const payload = Buffer.from('an opus frame would be here');

	for (let i = 0; i < PACKETS; ++i) {
		const packet = rtpPacket({
			payloadType: opusPayloadType,
			sequenceNumber: 1000 + i,
			timestamp: 960 * i,
			ssrc: 11111111,
			payload,
		});

		await new Promise<void>(resolve =>
			sender.send(packet, ingress.tuple.localPort, LOCALHOST, () => resolve())
		);
	}

	const deadline = Date.now() + 5000;

	while (received.length < PACKETS && Date.now() < deadline) {
		await new Promise(resolve => setTimeout(resolve, 20));
	}

	expect(received).toHaveLength(PACKETS);

	const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;
	const consumerPayloadType = consumer.rtpParameters.codecs[0].payloadType;
	const firstSeq = received[0].readUInt16BE(2);

	received.forEach((packet, i) => {
		expect(packet.readUInt32BE(8)).toBe(consumerSsrc);
		expect(packet[1] & 0x7f).toBe(consumerPayloadType);
		expect(packet.readUInt16BE(2)).toBe((firstSeq + i) & 0xffff);
		expect(packet.readUInt32BE(4)).toBe(960 * i);
		// Payload intact after SRTP across the pipes.
		expect(packet.subarray(packet.length - payload.length)).toEqual(payload);
	});

	// Byte counters moved on both sides of the pipe, encrypted.
	const [pipeAStats] = await pipeA.getStats();
	const [pipeBStats] = await pipeB.getStats();

	expect(pipeAStats.bytesSent).toBeGreaterThan(PACKETS * payload.length);
	expect(pipeBStats.bytesReceived).toBe(pipeAStats.bytesSent);
	expect(pipeBStats.rtpBytesReceived).toBeGreaterThan(0);

	const pipeBDump = (await pipeB.dump()) as unknown as { droppedPackets: Record<string, number> };

	expect(pipeBDump.droppedPackets.srtpDecryptFailed).toBe(0);

	// Pausing the producer stops the flow at the consumer; resuming brings it
	// back with sequence numbers continuing.
	await producer.pause();

	received.length = 0;

	for (let i = PACKETS; i < PACKETS + 10; ++i) {
		await new Promise<void>(resolve =>
			sender.send(
				rtpPacket({
					payloadType: opusPayloadType,
					sequenceNumber: 1000 + i,
					timestamp: 960 * i,
					ssrc: 11111111,
					payload,
				}),
				ingress.tuple.localPort,
				LOCALHOST,
				() => resolve()
			)
		);
	}

	await new Promise(resolve => setTimeout(resolve, 200));

	expect(received).toHaveLength(0);

	sender.close();
	receiver.close();
});

// VP8 payload (RFC 7741) of one packet: X set (S too when it starts a frame),
// I set with a 15-bit picture id; a frame's first packet has the payload
// header (P bit clear on a key frame, with the start code and a size). The
// sender's packet index comes last, so the receiver knows which packet
// arrived whatever the consumer rewrote.
function vp8Payload(
	pictureId: number,
	firstOfFrame: boolean,
	keyFrame: boolean,
	index: number
): Buffer {
	const descriptor = Buffer.from([
		firstOfFrame ? 0x90 : 0x80,
		0x80,
		0x80 | ((pictureId >> 8) & 0x7f),
		pictureId & 0xff,
	]);
	const body = firstOfFrame
		? Buffer.from([keyFrame ? 0x10 : 0x11, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00])
		: Buffer.from([0x00, 0x00, 0x00, 0x00]);
	const indexBytes = Buffer.alloc(4);

	indexBytes.writeUInt32BE(index >>> 0);

	return Buffer.concat([descriptor, body, indexBytes]);
}

describe('video consumers keep forwarding after the input loses long runs of packets', () => {
	// Two packets a frame, a key frame every 10 frames (so one every 20
	// packets), 60 packets a run: each run holds at least two key frames after
	// its first packet.
	const PACKETS_PER_FRAME = 2;
	const KEY_FRAME_INTERVAL = 10;
	const RUN_PACKETS = 60;
	const FIRST_SEQ = 1000;
	const SSRC = 22220000;

	const seqOf = (index: number): number => (FIRST_SEQ + index) & 0xffff;

	test.each(['simple', 'simulcast', 'svc'] as const)('%s consumer', async type => {
		const router = await worker.createRouter({
			mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
		});
		const payloadType = router.rtpCapabilities.codecs![0].preferredPayloadType!;
		const sender = await bindSocket();
		const receiver = await bindSocket();

		try {
			const ingress = await router.createPlainTransport({
				listenInfo: { protocol: 'udp', ip: LOCALHOST },
				comedia: true,
			});
			const egress = await router.createPlainTransport({
				listenInfo: { protocol: 'udp', ip: LOCALHOST },
			});

			await egress.connect({ ip: LOCALHOST, port: receiver.address().port });

			// Simulcast: a second encoding that never sends, so the consumer keeps
			// forwarding the first. SVC: one encoding with temporal layers.
			const encodings =
				type === 'simulcast'
					? [{ ssrc: SSRC }, { ssrc: SSRC + 1 }]
					: type === 'svc'
						? [{ ssrc: SSRC, scalabilityMode: 'L1T3' }]
						: [{ ssrc: SSRC }];
			// No PLI nor NACK: only the sender's own key frames can restart a decoder.
			const producer = await ingress.produce({
				kind: 'video',
				rtpParameters: {
					codecs: [{ mimeType: 'video/VP8', payloadType, clockRate: 90000 }],
					encodings,
				},
			});
			const consumer = await egress.consume({
				producerId: producer.id,
				rtpCapabilities: router.rtpCapabilities as RtpCapabilities,
			});

			expect(consumer.type).toBe(type);

			const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;
			// Sender's packet index -> the packet as it arrived.
			const received = new Map<number, Buffer>();

			// RTP only: sender reports arrive on the same port.
			receiver.on('message', message => {
				if (message[1] < 192 || message[1] > 223) {
					received.set(message.readUInt32BE(message.length - 4), message);
				}
			});

			async function send(index: number): Promise<void> {
				const frame = Math.floor(index / PACKETS_PER_FRAME);
				const firstOfFrame = index % PACKETS_PER_FRAME === 0;
				const packet = rtpPacket({
					payloadType,
					sequenceNumber: seqOf(index),
					timestamp: frame * 3000,
					ssrc: SSRC,
					payload: vp8Payload(
						frame & 0x7fff,
						firstOfFrame,
						firstOfFrame && frame % KEY_FRAME_INTERVAL === 0,
						index
					),
				});

				await new Promise<void>(resolve =>
					sender.send(packet, ingress.tuple.localPort, LOCALHOST, () => resolve())
				);
			}

			// Sends packets [start, start + RUN_PACKETS) and waits for the last one.
			// Returns the index of the first key frame after the run's first packet
			// (after a big jump the first packet is discarded, RFC 3550 A.1): from it
			// on, every packet must have been forwarded.
			async function sendRun(start: number, what: string): Promise<number> {
				const end = start + RUN_PACKETS;

				for (let index = start; index < end; ++index) {
					await send(index);
				}

				const deadline = Date.now() + 5000;

				while (!received.has(end - 1) && Date.now() < deadline) {
					await new Promise(resolve => setTimeout(resolve, 20));
				}

				let keyFrame = start + 1;
				const keyFramePackets = PACKETS_PER_FRAME * KEY_FRAME_INTERVAL;

				keyFrame += (keyFramePackets - (keyFrame % keyFramePackets)) % keyFramePackets;

				const missing: number[] = [];

				for (let index = keyFrame; index < end; ++index) {
					if (!received.has(index)) {
						missing.push(seqOf(index));
					}
				}

				// Names the run and the sequence numbers lost, when it fails.
				expect({ what, missing }).toEqual({ what, missing: [] });

				// Consecutive input, consecutive output, on the consumer's SSRC.
				const firstSeq = received.get(keyFrame)!.readUInt16BE(2);

				for (let index = keyFrame; index < end; ++index) {
					const packet = received.get(index)!;

					expect(packet.readUInt32BE(8)).toBe(consumerSsrc);
					expect(packet.readUInt16BE(2)).toBe((firstSeq + index - keyFrame) & 0xffff);
				}

				return keyFrame;
			}

			let next = 0;

			await sendRun(next, 'first run');
			next += RUN_PACKETS;

			// Gaps as the kernel makes them when the worker cannot keep up: the
			// sender's counters move on. `to` skips to a sequence number (none of
			// these gaps comes within 100 of a whole cycle, which no receiver can
			// tell from reordering).
			const gaps: { gap?: number; to?: number; what: string }[] = [
				{ gap: 10, what: 'gap of 10' },
				{ gap: 3000, what: 'gap of 3000 (RFC 3550 MAX_DROPOUT)' },
				{ gap: 20000, what: 'gap of 20000' },
				// From here on, more than 2^15 past where the consumer started.
				{ gap: 20000, what: 'second gap of 20000' },
				{ gap: 30000, what: 'gap of 30000 across the sequence wrap' },
				{ gap: 30000, what: 'second gap of 30000' },
				{ to: 65500, what: 'run across the sequence wrap' },
				{ gap: 30000, what: 'third gap of 30000' },
				{ gap: 20000, what: 'third gap of 20000' },
				{ to: 0x10000 - RUN_PACKETS, what: 'run up to the sequence wrap' },
				{ gap: 10, what: 'gap of 10 across the sequence wrap' },
				// More than half the sequence space: modulo 2^16, a jump back.
				{ gap: 40000, what: 'gap of 40000' },
			];

			for (const { gap, to, what } of gaps) {
				next += gap ?? (to! - seqOf(next) + 0x10000) % 0x10000;

				await sendRun(next, what);
				next += RUN_PACKETS;
			}

			// The consumer resumes right after the last sequence number it sent,
			// even when that one followed a jump of more than half the space.
			const lastSeq = received.get(next - 1)!.readUInt16BE(2);

			await consumer.pause();
			await consumer.resume();

			const resumedAt = await sendRun(next, 'run after pause and resume');

			expect(received.get(resumedAt)!.readUInt16BE(2)).toBe((lastSeq + 1) & 0xffff);
		} finally {
			sender.close();
			receiver.close();
			router.close();
		}
	});
});
