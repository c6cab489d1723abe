// Nothing changes state before authentication: spoofed media or DTLS from an
// address that once completed a binding check does not move the selected
// ICE tuple, nominations flipping between two paths do not turn into one
// notification each, unauthenticated STUN gets no answer at all, and a
// comedia PlainTransport with SRTP learns its peer only from a packet that
// decrypted.
//
// The "real client" of a WebRtcTransport is a second WebRtcTransport behind a
// UDP relay in this process: the relay runs the controlling ICE side (binding
// requests with the right credentials and USE-CANDIDATE) toward both, then
// forwards everything else between them, so the two worker transports run a
// real DTLS handshake and real SRTP with each other.

import * as crypto from 'node:crypto';
import * as dgram from 'node:dgram';
import * as zlib from 'node:zlib';
import * as mediasoup from '../';
import type {
	PlainTransport,
	Producer,
	Router,
	TransportTuple,
	WebRtcTransport,
	Worker,
} from '../types';
import { ProcessSet, requirePrograms, waitUntil, withToolLogs } from './helpers/media-tools';

const LOCALHOST = '127.0.0.1';
const AUDIO_SSRC = 11111111;

type Dropped = Record<string, number>;

let worker: Worker;
let router: Router;
const processes = new ProcessSet();
const sockets: dgram.Socket[] = [];

beforeAll(async () => {
	worker = await mediasoup.createWorker();
	router = await worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
	});
});

afterEach(async () => {
	await processes.stopAll();

	// The worker is up and answering.
	expect(worker.closed).toBe(false);
	await worker.dump();

	for (const socket of sockets.splice(0)) {
		socket.close();
	}
});

afterAll(() => worker?.close());

async function udpSocket(): Promise<dgram.Socket> {
	const socket = dgram.createSocket('udp4');

	await new Promise<void>(resolve => socket.bind(0, LOCALHOST, () => resolve()));
	sockets.push(socket);

	return socket;
}

function send(socket: dgram.Socket, data: Buffer, port: number): Promise<void> {
	return new Promise<void>(resolve => socket.send(data, port, LOCALHOST, () => resolve()));
}

function isStun(data: Buffer): boolean {
	return data.length >= 20 && data[0] < 4 && data.readUInt32BE(4) === 0x2112a442;
}

function isRtp(data: Buffer): boolean {
	// RFC 7983: 128..191 is RTP or RTCP; RTCP types 200..207 read as 72..79.
	return (
		data.length >= 12 &&
		data[0] >= 128 &&
		data[0] <= 191 &&
		((data[1] & 0x7f) < 72 || (data[1] & 0x7f) > 79)
	);
}

type StunOptions = {
	username?: string;
	password?: string;
	useCandidate?: boolean;
	method?: number;
	fingerprint?: boolean;
};

/**
 * A STUN request as an ICE agent in the controlling role sends it (RFC 8445
 * 7.1.2): USERNAME, PRIORITY, ICE-CONTROLLING, optionally USE-CANDIDATE, then
 * MESSAGE-INTEGRITY (RFC 5389 15.4) and FINGERPRINT (15.5).
 */
function stunRequest(options: StunOptions): Buffer {
	const attributes: Buffer[] = [];
	const attribute = (type: number, value: Buffer): void => {
		const header = Buffer.alloc(4);

		header.writeUInt16BE(type, 0);
		header.writeUInt16BE(value.length, 2);
		attributes.push(header, value, Buffer.alloc((4 - (value.length % 4)) % 4));
	};
	const priority = Buffer.alloc(4);

	priority.writeUInt32BE(1853817087, 0);

	if (options.username !== undefined) {
		attribute(0x0006, Buffer.from(options.username));
	}

	attribute(0x0024, priority);
	attribute(0x802a, crypto.randomBytes(8));

	if (options.useCandidate) {
		attribute(0x0025, Buffer.alloc(0));
	}

	const header = Buffer.alloc(20);

	header.writeUInt16BE(options.method ?? 0x0001, 0);
	header.writeUInt32BE(0x2112a442, 4);
	crypto.randomFillSync(header, 8, 12);

	let message = Buffer.concat([header, ...attributes]);

	if (options.password !== undefined) {
		// The length counts the MESSAGE-INTEGRITY attribute being added.
		message.writeUInt16BE(message.length - 20 + 24, 2);

		const hmac = crypto.createHmac('sha1', options.password).update(message).digest();
		const mi = Buffer.from([0x00, 0x08, 0x00, 0x14]);

		message = Buffer.concat([message, mi, hmac]);
	}

	if (options.fingerprint ?? true) {
		message.writeUInt16BE(message.length - 20 + 8, 2);

		const crc = (zlib.crc32(message) ^ 0x5354554e) >>> 0;
		const fingerprint = Buffer.from([0x80, 0x28, 0x00, 0x04, 0, 0, 0, 0]);

		fingerprint.writeUInt32BE(crc, 4);
		message = Buffer.concat([message, fingerprint]);
	} else {
		message.writeUInt16BE(message.length - 20, 2);
	}

	return message;
}

function validRequest(transport: WebRtcTransport, useCandidate: boolean): Buffer {
	return stunRequest({
		username: `${transport.iceParameters.usernameFragment}:client`,
		password: transport.iceParameters.password,
		useCandidate,
	});
}

/**
 * Sends a request from `socket` and resolves with the STUN answer (rejects
 * after 10 s without one).
 */
async function check(socket: dgram.Socket, port: number, request: Buffer): Promise<Buffer> {
	const transactionId = request.subarray(8, 20);
	const answer = new Promise<Buffer>((resolve, reject) => {
		const timeout = setTimeout(() => {
			socket.off('message', onMessage);
			reject(new Error('no answer to a valid binding request'));
		}, 10000);
		const onMessage = (data: Buffer): void => {
			if (isStun(data) && data.subarray(8, 20).equals(transactionId)) {
				clearTimeout(timeout);
				socket.off('message', onMessage);
				resolve(data);
			}
		};

		socket.on('message', onMessage);
	});

	await send(socket, request, port);

	return answer;
}

async function dropped(transport: { dump(): Promise<unknown> }): Promise<Dropped> {
	return ((await transport.dump()) as { droppedPackets: Dropped }).droppedPackets;
}

type Client = {
	// The transport under attack.
	server: WebRtcTransport;
	// Its peer: the DTLS/SRTP stack of the client.
	peer: WebRtcTransport;
	// The client's socket toward `server`.
	socket: dgram.Socket;
	// RTP packets `socket` received from `server`.
	rtpReceived: () => number;
	// Audio sent into the router, consumed by `server`.
	stopMedia: () => void;
};

/**
 * A WebRtcTransport connected (ICE completed, DTLS, SRTP) to a client, with
 * an audio consumer sending media to it.
 */
async function connectedClient(): Promise<Client> {
	const listenInfos = [{ protocol: 'udp' as const, ip: LOCALHOST }];
	const server = await router.createWebRtcTransport({ listenInfos });
	const peer = await router.createWebRtcTransport({ listenInfos });
	const socket = await udpSocket();
	const peerSocket = await udpSocket();
	const serverPort = server.iceCandidates[0].port;
	const peerPort = peer.iceCandidates[0].port;
	let rtpReceived = 0;

	// The relay: everything but STUN goes across.
	socket.on('message', (data, rinfo) => {
		if (rinfo.port !== serverPort || isStun(data)) {
			return;
		}

		if (isRtp(data)) {
			++rtpReceived;
		}

		peerSocket.send(data, peerPort, LOCALHOST);
	});
	peerSocket.on('message', (data, rinfo) => {
		if (rinfo.port === peerPort && !isStun(data)) {
			socket.send(data, serverPort, LOCALHOST);
		}
	});

	await server.connect({
		dtlsParameters: { role: 'client', fingerprints: peer.dtlsParameters.fingerprints },
	});
	await peer.connect({
		dtlsParameters: { role: 'server', fingerprints: server.dtlsParameters.fingerprints },
	});
	await check(socket, serverPort, validRequest(server, true));
	await check(peerSocket, peerPort, validRequest(peer, true));
	await waitUntil(
		() => server.dtlsState === 'connected' && peer.dtlsState === 'connected',
		10000,
		'DTLS connected through the relay'
	);

	// Media: plain RTP from here into the router, consumed on `server`.
	const source = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		rtcpMux: true,
		comedia: true,
	});
	const producer = await source.produce({
		kind: 'audio',
		rtpParameters: {
			codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
			encodings: [{ ssrc: AUDIO_SSRC }],
		},
	});

	await server.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });

	const mediaSocket = await udpSocket();
	let seq = 0;
	const timer = setInterval(() => {
		const packet = Buffer.alloc(12 + 80);

		packet[0] = 0x80;
		packet[1] = 100;
		packet.writeUInt16BE(seq & 0xffff, 2);
		packet.writeUInt32BE((seq * 960) >>> 0, 4);
		packet.writeUInt32BE(AUDIO_SSRC, 8);
		++seq;
		mediaSocket.send(packet, source.tuple.localPort, LOCALHOST);
	}, 20);

	await waitUntil(() => rtpReceived > 0, 10000, 'media reaching the client');

	return {
		server,
		peer,
		socket,
		rtpReceived: () => rtpReceived,
		stopMedia: () => {
			clearInterval(timer);
			source.close();
		},
	};
}

test('spoofed RTP and DTLS from a checked address neither move the selected tuple nor stop media', async () => {
	const client = await connectedClient();
	const { server } = client;
	const serverPort = server.iceCandidates[0].port;
	const changes: TransportTuple[] = [];

	try {
		server.on('iceselectedtuplechange', tuple => changes.push(tuple));

		// The attacker completes a valid binding check (it knows ufrag and
		// password, as an on-path observer of the signalling would) without
		// nominating: its address becomes a valid tuple, not the selected one.
		const attacker = await udpSocket();
		const fromServer: Buffer[] = [];

		attacker.on('message', data => fromServer.push(data));

		const answer = await check(attacker, serverPort, validRequest(server, false));

		expect(answer.readUInt16BE(0)).toBe(0x0101);
		expect(server.iceSelectedTuple!.remotePort).toBe(client.socket.address().port);

		// Bounded: 300 RTP datagrams with random payloads (the 12-byte header
		// alone used to be enough) and 100 DTLS-looking records.
		const before = await dropped(server);
		const RTP_COUNT = 300;

		for (let i = 0; i < RTP_COUNT; ++i) {
			const header = Buffer.from([0x80, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

			header.writeUInt16BE(i, 2);
			header.writeUInt32BE(AUDIO_SSRC + (i % 3), 8);
			await send(
				attacker,
				Buffer.concat([header, crypto.randomBytes(i % 2 ? 0 : 120)]),
				serverPort
			);
		}

		for (let i = 0; i < 100; ++i) {
			const record = crypto.randomBytes(60);

			record[0] = 23; // application_data
			record[1] = 0xfe;
			record[2] = 0xfd;
			record.writeUInt16BE(47, 11);
			await send(attacker, record, serverPort);
		}

		await waitUntil(
			async () => (await dropped(server)).srtpDecryptFailed - before.srtpDecryptFailed >= RTP_COUNT,
			10000,
			'the spoofed RTP counted as srtpDecryptFailed'
		);

		// The selection did not move, and media keeps going to the client.
		expect(server.iceSelectedTuple!.remotePort).toBe(client.socket.address().port);
		expect((await server.getStats())[0].iceSelectedTuple!.remotePort).toBe(
			client.socket.address().port
		);
		expect(changes).toEqual([]);

		const received = client.rtpReceived();

		await waitUntil(() => client.rtpReceived() >= received + 25, 10000, 'media after the attack');

		// The attacker got its binding response and nothing else.
		expect(fromServer.filter(data => !isStun(data))).toEqual([]);
		expect(server.iceState).toBe('completed');
		expect(server.dtlsState).toBe('connected');
	} finally {
		client.stopMedia();
		server.close();
		client.peer.close();
	}
}, 60000);

test('nominations flipping between two paths are notified at most once a second, the last one always', async () => {
	const client = await connectedClient();
	const { server } = client;
	const serverPort = server.iceCandidates[0].port;
	const changes: number[] = [];

	try {
		server.on('iceselectedtuplechange', tuple => changes.push(tuple.remotePort!));

		const other = await udpSocket();
		const FLIPS = 40;
		const started = Date.now();

		// Authenticated nominations, alternating, ending on the client's socket.
		for (let i = 0; i < FLIPS; ++i) {
			await check(other, serverPort, validRequest(server, true));
			await check(client.socket, serverPort, validRequest(server, true));
		}

		const burstMs = Date.now() - started;

		// The held change reports the tuple selected when the interval ends.
		await waitUntil(
			() => changes.length > 0 && changes[changes.length - 1] === client.socket.address().port,
			5000,
			'the last selection notified'
		);

		// 80 selections: one notification at once, then at most one per second
		// of the burst, plus the final one.
		expect(changes.length).toBeLessThanOrEqual(Math.ceil(burstMs / 1000) + 2);
		expect(changes.length).toBeLessThan(2 * FLIPS);
		expect(server.iceSelectedTuple!.remotePort).toBe(client.socket.address().port);

		const received = client.rtpReceived();

		await waitUntil(() => client.rtpReceived() >= received + 25, 10000, 'media after the flips');
	} finally {
		client.stopMedia();
		server.close();
		client.peer.close();
	}
}, 60000);

test('STUN from a source without the password gets no answer and is counted', async () => {
	const transport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: LOCALHOST }],
	});
	const webRtcServer = await worker.createWebRtcServer({
		listenInfos: [{ protocol: 'udp', ip: LOCALHOST }],
	});
	const onServer = await router.createWebRtcTransport({ webRtcServer });

	try {
		const attacker = await udpSocket();
		const received: Buffer[] = [];

		attacker.on('message', data => received.push(data));

		const usernameOf = (t: WebRtcTransport): string => `${t.iceParameters.usernameFragment}:x`;
		const unauthenticated = (t: WebRtcTransport): Buffer[] => [
			// Wrong password.
			stunRequest({ username: usernameOf(t), password: 'wrong' }),
			// Unknown username fragment.
			stunRequest({ username: 'nobody:x', password: t.iceParameters.password }),
			// No MESSAGE-INTEGRITY.
			stunRequest({ username: usernameOf(t) }),
		];
		const invalid = (t: WebRtcTransport): Buffer[] => [
			// Another method (0x003 was Allocate in TURN).
			stunRequest({ username: usernameOf(t), password: t.iceParameters.password, method: 0x0003 }),
			// No FINGERPRINT.
			stunRequest({
				username: usernameOf(t),
				password: t.iceParameters.password,
				fingerprint: false,
			}),
		];
		// Bounded: 100 rounds of each kind, to both.
		const ROUNDS = 100;
		const port = transport.iceCandidates[0].port;
		const serverPort = onServer.iceCandidates[0].port;

		for (let i = 0; i < ROUNDS; ++i) {
			for (const request of [...unauthenticated(transport), ...invalid(transport)]) {
				await send(attacker, request, port);
			}

			for (const request of [...unauthenticated(onServer), ...invalid(onServer)]) {
				await send(attacker, request, serverPort);
			}
		}

		// A valid check sent last on each port is answered: everything before
		// it on the same path was processed, without a word back.
		await check(attacker, port, validRequest(transport, false));
		await check(attacker, serverPort, validRequest(onServer, false));

		expect(received.length).toBe(2);
		expect(received.every(data => data.readUInt16BE(0) === 0x0101)).toBe(true);

		const transportDropped = await dropped(transport);

		expect(transportDropped.stunUnauthorized).toBe(3 * ROUNDS);
		expect(transportDropped.invalidStun).toBe(2 * ROUNDS);

		// On the server, requests from a tuple no transport has yet: the
		// unknown username fragment is the server's to count; the others
		// reach the transport owning the username fragment.
		const serverDump = await webRtcServer.dump();
		const onServerDropped = await dropped(onServer);

		expect(serverDump.droppedPackets.stunUnauthorized).toBe(ROUNDS);
		expect(onServerDropped.stunUnauthorized).toBe(2 * ROUNDS);
		expect(onServerDropped.invalidStun).toBe(2 * ROUNDS);

		// Only the valid checks changed any state.
		expect(transport.iceState).toBe('connected');
		expect(onServer.iceState).toBe('connected');
		expect(serverDump.webRtcTransportIds).toEqual([onServer.id]);
	} finally {
		transport.close();
		onServer.close();
		webRtcServer.close();
	}
}, 60000);

test('a comedia PlainTransport with SRTP learns FFmpeg, not the junk sent before it', async () => {
	requirePrograms(['ffmpeg']);

	const transport: PlainTransport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		rtcpMux: true,
		comedia: true,
		enableSrtp: true,
		srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80',
	});
	const keyBase64 = crypto.randomBytes(30).toString('base64');

	await transport.connect({
		srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64 },
	});

	const payloadType = 100;
	const producer: Producer = await transport.produce({
		kind: 'audio',
		rtpParameters: {
			codecs: [{ mimeType: 'audio/opus', payloadType, clockRate: 48000, channels: 2 }],
			encodings: [{ ssrc: AUDIO_SSRC }],
		},
	});
	const port = transport.tuple.localPort;
	const junk = await udpSocket();
	const JUNK_COUNT = 50;

	try {
		// Junk first: RTP headers with the producer's SSRC and random bytes.
		for (let i = 0; i < JUNK_COUNT; ++i) {
			const header = Buffer.from([0x80, payloadType, 0, i, 0, 0, 0, 0, 0, 0, 0, 0]);

			header.writeUInt32BE(AUDIO_SSRC, 8);
			await send(junk, Buffer.concat([header, crypto.randomBytes(i % 2 ? 0 : 100)]), port);
		}

		await waitUntil(
			async () => (await dropped(transport)).srtpDecryptFailed === JUNK_COUNT,
			10000,
			'the junk counted as srtpDecryptFailed'
		);

		expect(transport.tuple.remotePort).toBeUndefined();

		const tuples: TransportTuple[] = [];

		transport.on('tuple', tuple => tuples.push(tuple));

		await withToolLogs(processes, async () => {
			processes.start('ffmpeg srtp sender', 'ffmpeg', [
				'-hide_banner',
				'-nostdin',
				'-loglevel',
				'warning',
				'-re',
				'-f',
				'lavfi',
				'-i',
				'sine=frequency=440:sample_rate=48000',
				'-t',
				'60',
				'-c:a',
				'libopus',
				'-ac',
				'2',
				'-ar',
				'48000',
				'-b:a',
				'64k',
				'-rtpflags',
				'skip_rtcp',
				'-ssrc',
				String(AUDIO_SSRC),
				'-payload_type',
				String(payloadType),
				'-f',
				'rtp',
				'-srtp_out_suite',
				'AES_CM_128_HMAC_SHA1_80',
				'-srtp_out_params',
				keyBase64,
				`srtp://${LOCALHOST}:${port}?pkt_size=1200`,
			]);

			await waitUntil(
				async () => (await producer.getStats()).some(stat => stat.byteCount > 5000),
				20000,
				'SRTP from FFmpeg reaching the producer'
			);
		});

		// The learned tuple is FFmpeg's, announced once.
		expect(tuples.length).toBe(1);
		expect(transport.tuple.remotePort).toBe(tuples[0].remotePort);
		expect(transport.tuple.remotePort).not.toBe(junk.address().port);

		// More junk now, from the same socket: dropped as an unknown tuple.
		await send(junk, Buffer.from([0x80, payloadType, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), port);
		await waitUntil(
			async () => (await dropped(transport)).unknownTuple >= 1,
			10000,
			'late junk counted as unknownTuple'
		);

		// The producer's stream is alive: scored from the real packets only.
		await waitUntil(
			async () => (await producer.getStats()).some(stat => stat.score > 0),
			10000,
			'a producer score'
		);
	} finally {
		transport.close();
	}
}, 60000);
