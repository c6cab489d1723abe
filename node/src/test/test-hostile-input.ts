// Hostile network input: every kind of listening port is flooded with random
// and truncated STUN, DTLS, RTP and RTCP datagrams and TCP frames. The worker
// must stay up, keep answering, and count what it dropped.

import * as crypto from 'node:crypto';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as mediasoup from '../';
import type { Router, Worker } from '../types';
import { waitUntil } from './helpers/media-tools';

const LOCALHOST = '127.0.0.1';
// Datagrams per kind and target; bounded so the test stops by itself.
const DATAGRAMS_PER_KIND = 300;

let worker: Worker;
let router: Router;

beforeAll(async () => {
	worker = await mediasoup.createWorker();
	router = await worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
	});
});

afterAll(() => worker?.close());

/**
 * Random bytes whose first byte puts them in one class of RFC 7983, some of
 * them cut short, and some valid-looking headers with garbage after.
 */
function hostileDatagrams(): Buffer[] {
	const datagrams: Buffer[] = [];
	const stunHeader = (length: number): Buffer => {
		const header = Buffer.alloc(20);

		header.writeUInt16BE(0x0001, 0); // Binding request.
		header.writeUInt16BE(length, 2);
		header.writeUInt32BE(0x2112a442, 4);
		crypto.randomFillSync(header, 8, 12);

		return header;
	};

	for (let i = 0; i < DATAGRAMS_PER_KIND; ++i) {
		const size = crypto.randomInt(0, 1400);
		const random = crypto.randomBytes(size);

		// STUN: a valid header announcing random attributes, then truncated.
		const attributes = crypto.randomBytes(crypto.randomInt(0, 200) * 4);
		const stun = Buffer.concat([stunHeader(attributes.length), attributes]);

		datagrams.push(stun.subarray(0, crypto.randomInt(1, stun.length + 1)));

		// DTLS: content types 20..63.
		const dtls = Buffer.from(random);

		if (dtls.length > 0) {
			dtls[0] = crypto.randomInt(20, 64);
		}

		datagrams.push(dtls);

		// RTP: version 2, random payload type outside the RTCP range.
		const rtp = Buffer.concat([Buffer.from([0x80 | crypto.randomInt(0, 16), 96]), random]);

		datagrams.push(rtp.subarray(0, crypto.randomInt(1, rtp.length + 1)));

		// RTCP: version 2, packet types 200..206.
		const rtcp = Buffer.concat([Buffer.from([0x80, crypto.randomInt(200, 207)]), random]);

		datagrams.push(rtcp.subarray(0, crypto.randomInt(1, rtcp.length + 1)));

		// Anything at all.
		datagrams.push(random);
	}

	return datagrams;
}

async function floodUdp(port: number): Promise<void> {
	const socket = dgram.createSocket('udp4');

	for (const datagram of hostileDatagrams()) {
		await new Promise<void>(resolve => socket.send(datagram, port, LOCALHOST, () => resolve()));
	}

	socket.close();
}

async function floodTcp(port: number): Promise<void> {
	const socket = net.connect({ host: LOCALHOST, port });

	await new Promise<void>((resolve, reject) => {
		socket.once('connect', resolve);
		socket.once('error', reject);
	});

	socket.on('error', () => {});

	// RFC 4571 frames with hostile contents, then random bytes with nonsense
	// lengths; the worker may close the connection at any point.
	for (const datagram of hostileDatagrams().slice(0, 500)) {
		const frame = Buffer.alloc(2 + datagram.length);

		frame.writeUInt16BE(datagram.length, 0);
		datagram.copy(frame, 2);

		if (!socket.write(frame)) {
			await new Promise(resolve => socket.once('drain', resolve));
		}
	}

	socket.write(crypto.randomBytes(4096));
	await new Promise<void>(resolve => socket.end(resolve));
}

async function totalDropped(dump: { droppedPackets?: Record<string, number> }): Promise<number> {
	return Object.values(dump.droppedPackets ?? {}).reduce((sum, n) => sum + n, 0);
}

test('the worker survives floods on every kind of port and counts the drops', async () => {
	const webRtcTransport = await router.createWebRtcTransport({
		listenInfos: [
			{ protocol: 'udp', ip: LOCALHOST },
			{ protocol: 'tcp', ip: LOCALHOST },
		],
	});
	const plainTransport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		rtcpMux: false,
		comedia: true,
		enableSrtp: true,
	});
	const pipeTransport = await router.createPipeTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
	});
	const webRtcServer = await worker.createWebRtcServer({
		listenInfos: [
			{ protocol: 'udp', ip: LOCALHOST },
			{ protocol: 'tcp', ip: LOCALHOST },
		],
	});
	const serverTransport = await router.createWebRtcTransport({ webRtcServer });

	const udpCandidate = webRtcTransport.iceCandidates.find(c => c.protocol === 'udp')!;
	const tcpCandidate = webRtcTransport.iceCandidates.find(c => c.protocol === 'tcp')!;
	const serverUdp = serverTransport.iceCandidates.find(c => c.protocol === 'udp')!;
	const serverTcp = serverTransport.iceCandidates.find(c => c.protocol === 'tcp')!;

	await Promise.all([
		floodUdp(udpCandidate.port),
		floodTcp(tcpCandidate.port),
		floodUdp(plainTransport.tuple.localPort),
		floodUdp(plainTransport.rtcpTuple!.localPort),
		floodUdp(pipeTransport.tuple.localPort),
		floodUdp(serverUdp.port),
		floodTcp(serverTcp.port),
	]);

	// Still up and answering.
	const workerDump = await worker.dump();

	expect(workerDump.pid).toBe(worker.pid);
	expect(worker.died).toBe(false);

	const webRtcDump = (await webRtcTransport.dump()) as unknown as {
		droppedPackets: Record<string, number>;
	};
	const plainDump = (await plainTransport.dump()) as unknown as {
		droppedPackets: Record<string, number>;
	};
	const pipeDump = (await pipeTransport.dump()) as unknown as {
		droppedPackets: Record<string, number>;
	};

	// Nothing was authenticated: ICE stayed new and everything was dropped.
	expect(webRtcTransport.iceState).toBe('new');
	expect(await totalDropped(webRtcDump)).toBeGreaterThan(DATAGRAMS_PER_KIND);
	expect(webRtcDump.droppedPackets.invalidStun).toBeGreaterThan(0);
	expect(await totalDropped(plainDump)).toBeGreaterThan(DATAGRAMS_PER_KIND);
	expect(await totalDropped(pipeDump)).toBeGreaterThan(DATAGRAMS_PER_KIND);

	const [webRtcStats] = await webRtcTransport.getStats();

	expect(webRtcStats.bytesReceived).toBeGreaterThan(0);
	expect(webRtcStats.rtpBytesReceived).toBe(0);

	// And it still creates things.
	const another = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: LOCALHOST }],
	});

	expect(another.iceState).toBe('new');
}, 60000);

test('SRTP packets that fail authentication are dropped and counted', async () => {
	const socket = dgram.createSocket('udp4');

	await new Promise<void>(resolve => socket.bind(0, LOCALHOST, () => resolve()));

	const transport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		enableSrtp: true,
	});

	await transport.connect({
		ip: LOCALHOST,
		port: socket.address().port,
		srtpParameters: {
			cryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
			keyBase64: crypto.randomBytes(30).toString('base64'),
		},
	});

	// RTP headers with random "encrypted" payloads and authentication tags.
	for (let i = 0; i < 50; ++i) {
		const header = Buffer.from([0x80, 96, 0, i, 0, 0, 0, i, 0x11, 0x22, 0x33, 0x44]);
		const packet = Buffer.concat([header, crypto.randomBytes(100)]);

		await new Promise<void>(resolve =>
			socket.send(packet, transport.tuple.localPort, LOCALHOST, () => resolve())
		);
	}

	// Wait for the worker to have read them all.
	const deadline = Date.now() + 5000;
	let dump = (await transport.dump()) as unknown as { droppedPackets: Record<string, number> };

	while (dump.droppedPackets.srtpDecryptFailed < 50 && Date.now() < deadline) {
		await new Promise(resolve => setTimeout(resolve, 20));
		dump = (await transport.dump()) as unknown as { droppedPackets: Record<string, number> };
	}

	expect(dump.droppedPackets.srtpDecryptFailed).toBe(50);

	const [stats] = await transport.getStats();

	expect(stats.bytesReceived).toBe(50 * 112);
	expect(stats.rtpBytesReceived).toBe(0);

	socket.close();
	transport.close();
});

/**
 * CRC-32C (Castagnoli), the SCTP checksum (RFC 9260 appendix A), so hostile
 * SCTP packets get past the checksum into the chunk parser.
 */
function crc32c(data: Buffer): number {
	let crc = 0xffffffff;

	for (const byte of data) {
		crc ^= byte;

		for (let bit = 0; bit < 8; ++bit) {
			crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
		}
	}

	return (crc ^ 0xffffffff) >>> 0;
}

/**
 * SCTP packets from port 5000 to port 5000 with random verification tags and
 * random chunks (types, flags and lengths), most with a valid checksum.
 */
function hostileSctpPackets(count: number): Buffer[] {
	const packets: Buffer[] = [];

	for (let i = 0; i < count; ++i) {
		const chunks = crypto.randomBytes(crypto.randomInt(4, 600));

		// Mostly known chunk types (DATA, INIT, SACK, ..., RE-CONFIG, FORWARD-TSN).
		chunks[0] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 130, 192][crypto.randomInt(0, 15)];

		const packet = Buffer.concat([Buffer.alloc(12), chunks]);

		packet.writeUInt16BE(5000, 0);
		packet.writeUInt16BE(5000, 2);
		packet.writeUInt32BE(i % 3 === 0 ? 0 : crypto.randomInt(0, 2 ** 32 - 1), 4);

		// The checksum field is little endian on the wire (RFC 9260 appendix A).
		if (i % 10 !== 0) {
			packet.writeUInt32LE(crc32c(packet), 8);
		}

		packets.push(packet);
	}

	return packets;
}

test('hostile SCTP packets leave SCTP transports and the worker working', async () => {
	const socket = dgram.createSocket('udp4');

	await new Promise<void>(resolve => socket.bind(0, LOCALHOST, () => resolve()));

	const localPort = socket.address().port;
	const plainTransport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		enableSctp: true,
	});
	const pipeTransport = await router.createPipeTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		enableSctp: true,
	});

	// Connected to the attacker, so its packets reach the associations.
	await plainTransport.connect({ ip: LOCALHOST, port: localPort });
	await pipeTransport.connect({ ip: LOCALHOST, port: localPort });

	for (const packet of hostileSctpPackets(2000)) {
		for (const port of [plainTransport.tuple.localPort, pipeTransport.tuple.localPort]) {
			await new Promise<void>(resolve => socket.send(packet, port, LOCALHOST, () => resolve()));
		}
	}

	socket.close();

	// Still up and answering.
	expect((await worker.dump()).pid).toBe(worker.pid);
	expect(worker.died).toBe(false);
	expect(['connecting', 'failed', 'closed']).toContain(plainTransport.sctpState);

	// And SCTP between two fresh pipes still carries messages.
	const pipeA = await router.createPipeTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		enableSctp: true,
	});
	const pipeB = await router.createPipeTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		enableSctp: true,
	});

	await pipeA.connect({ ip: LOCALHOST, port: pipeB.tuple.localPort });
	await pipeB.connect({ ip: LOCALHOST, port: pipeA.tuple.localPort });

	const direct = await router.createDirectTransport();
	const dataProducer = await direct.produceData();
	const pipeDataConsumer = await pipeA.consumeData({ dataProducerId: dataProducer.id });
	const pipeDataProducer = await pipeB.produceData({
		sctpStreamParameters: pipeDataConsumer.sctpStreamParameters!,
	});
	const sink = await direct.consumeData({ dataProducerId: pipeDataProducer.id });
	const received = new Promise<string>(resolve =>
		sink.once('message', message => resolve(message.toString()))
	);

	await waitUntil(() => pipeA.sctpState === 'connected', 20000, 'the fresh pipes connected');

	dataProducer.send('still alive');

	expect(await received).toBe('still alive');
}, 60000);
