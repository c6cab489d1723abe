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
