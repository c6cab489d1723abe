import * as dgram from 'node:dgram';
import * as mediasoup from '../';
import { PlainTransportImpl } from '../PlainTransport';
import type { Worker } from '../WorkerTypes';
import type { Router } from '../RouterTypes';
import type { RouterRtpCodecCapability } from '../rtpParametersTypes';
import type { TransportTuple } from '../TransportTypes';
import type { PlainTransport, PlainTransportOptions } from '../PlainTransportTypes';
import type { SrtpCryptoSuite, SrtpParameters } from '../srtpParametersTypes';

const { EnhancedEventEmitter } = mediasoup.extras;
const { WorkerClosedError, NotFoundError } = mediasoup.errors;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// RFC 5737 documentation addresses: never assigned to this host. Used only as
// announced strings or to make binds fail; nothing is ever sent to them.
const ANNOUNCED_IP = '192.0.2.10';
const UNBINDABLE_IP = '192.0.2.1';

// Valid keys (master key + salt, base64) for each suite.
const KEY_30_BYTES = Buffer.alloc(30, 7).toString('base64');
const KEY_28_BYTES = Buffer.alloc(28, 7).toString('base64');
const KEY_44_BYTES = Buffer.alloc(44, 7).toString('base64');

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const workers = new Set<Worker>();
const sockets = new Set<dgram.Socket>();
let worker: Worker;
let router: Router;

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	workers.add(worker);
	router = await worker.createRouter({ mediaCodecs });
});

afterEach(async () => {
	for (const w of workers) {
		w.close();
	}

	workers.clear();

	for (const socket of sockets) {
		await new Promise<void>(resolve => socket.close(() => resolve()));
	}

	sockets.clear();
});

afterAll(async () => {
	await sleep(50);
});

async function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * A UDP socket bound on 127.0.0.1 (closed after the test).
 */
async function createSocket(): Promise<dgram.Socket> {
	const socket = dgram.createSocket('udp4');

	sockets.add(socket);

	await new Promise<void>((resolve, reject) => {
		socket.once('error', reject);
		socket.bind(0, '127.0.0.1', () => resolve());
	});

	return socket;
}

async function pickPort(): Promise<number> {
	const socket = dgram.createSocket('udp4');

	await new Promise<void>((resolve, reject) => {
		socket.once('error', reject);
		socket.bind(0, '127.0.0.1', () => resolve());
	});

	const { port } = socket.address();

	await new Promise<void>(resolve => socket.close(() => resolve()));

	return port;
}

async function send(socket: dgram.Socket, data: Buffer, port: number): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		socket.send(data, port, '127.0.0.1', error => (error ? reject(error) : resolve()));
	});
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
	return promise.then(
		() => {
			throw new Error('expected a rejection');
		},
		(error: Error) => error
	);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
	const start = Date.now();

	while (!(await check())) {
		if (Date.now() - start > timeoutMs) {
			throw new Error('condition not met in time');
		}

		await sleep(20);
	}
}

/**
 * An RTP packet: version 2, payload type 100, 12-byte header and a payload.
 */
function rtpPacket(seq = 1, payloadSize = 88): Buffer {
	const packet = Buffer.alloc(12 + payloadSize, 0xab);

	packet[0] = 0x80;
	packet[1] = 100;
	packet.writeUInt16BE(seq, 2);
	packet.writeUInt32BE(1234, 4);
	packet.writeUInt32BE(0x11223344, 8);

	return packet;
}

/**
 * An RTCP Receiver Report without report blocks.
 */
function rtcpPacket(): Buffer {
	const packet = Buffer.alloc(8);

	packet[0] = 0x80;
	packet[1] = 201;
	packet.writeUInt16BE(1, 2);
	packet.writeUInt32BE(0x11223344, 4);

	return packet;
}

function srtpKeyLength(suite: SrtpCryptoSuite): number {
	return suite === 'AEAD_AES_256_GCM' ? 60 : 40;
}

describe('createPlainTransport()', () => {
	test('with listenInfo succeeds', async () => {
		const onNewTransport = jest.fn();

		router.observer.once('newtransport', onNewTransport);

		const transport = await router.createPlainTransport({
			listenInfo: {
				protocol: 'udp',
				ip: '127.0.0.1',
				announcedAddress: ANNOUNCED_IP,
				portRange: { min: 20000, max: 30000 },
			},
			appData: { foo: 'bar' },
		});

		expect(onNewTransport).toHaveBeenCalledWith(transport);
		expect(transport).toBeInstanceOf(PlainTransportImpl);
		expect(transport.observer).toBeInstanceOf(EnhancedEventEmitter);
		expect(transport.id).toMatch(UUID_V4);
		expect(transport.closed).toBe(false);
		expect(transport.type).toBe('plain');
		expect(transport.appData).toEqual({ foo: 'bar' });

		const { tuple } = transport;

		expect(tuple).toEqual({
			localIp: ANNOUNCED_IP,
			localAddress: ANNOUNCED_IP,
			localPort: expect.any(Number),
			protocol: 'udp',
		});
		expect(tuple.localPort).toBeGreaterThanOrEqual(20000);
		expect(tuple.localPort).toBeLessThanOrEqual(30000);
		expect(tuple.remoteIp).toBeUndefined();
		expect(tuple.remotePort).toBeUndefined();
		expect(transport.rtcpTuple).toBeUndefined();
		expect(transport.sctpParameters).toBeUndefined();
		expect(transport.sctpState).toBeUndefined();
		expect(transport.sctpNegotiatedCapabilities).toBeUndefined();
		expect(transport.srtpParameters).toBeUndefined();

		await expect(router.dump()).resolves.toMatchObject({ transportIds: [transport.id] });

		const dump = await transport.dump();

		expect(dump).toEqual({
			id: transport.id,
			producerIds: [],
			consumerIds: [],
			mapSsrcConsumerId: [],
			mapRtxSsrcConsumerId: [],
			recvRtpHeaderExtensions: {},
			rtpListener: { ssrcTable: [], midTable: [], ridTable: [] },
			maxSendMessageSize: 262144,
			maxReceiveMessageSize: 262144,
			dataProducerIds: [],
			dataConsumerIds: [],
			traceEventTypes: [],
			droppedPackets: expect.any(Object),
			rtcpMux: true,
			comedia: false,
			tuple,
		});
		expect(Object.values(dump.droppedPackets).every(count => count === 0)).toBe(true);
		expect(dump.rtcpTuple).toBeUndefined();
		expect(dump.srtpParameters).toBeUndefined();
		expect(dump.sctpState).toBeUndefined();
	});

	test('tuple getter returns clones', async () => {
		const transport = await router.createPlainTransport({ listenIp: '127.0.0.1' });
		const tuple = transport.tuple;

		expect(transport.tuple).not.toBe(tuple);

		tuple.localPort = 1;

		expect(transport.tuple.localPort).not.toBe(1);
	});

	test.each<[string, PlainTransportOptions, string]>([
		['listenIp as a string', { listenIp: '127.0.0.1' }, '127.0.0.1'],
		['listenIp as an object', { listenIp: { ip: '127.0.0.1' } }, '127.0.0.1'],
		[
			'listenIp with announcedIp',
			{ listenIp: { ip: '127.0.0.1', announcedIp: ANNOUNCED_IP } },
			ANNOUNCED_IP,
		],
		[
			'listenInfo with announcedIp (alias)',
			{ listenInfo: { protocol: 'udp', ip: '127.0.0.1', announcedIp: ANNOUNCED_IP } },
			ANNOUNCED_IP,
		],
		['listenIp ::1', { listenIp: '::1' }, '::1'],
	])('with %s succeeds', async (_name, options, localAddress) => {
		const transport = await router.createPlainTransport(options);

		expect(transport.tuple).toMatchObject({ localIp: localAddress, localAddress, protocol: 'udp' });
	});

	test('with listenIp and port uses that port; the port is released on close', async () => {
		const port = await pickPort();
		const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', port });

		expect(transport.tuple.localPort).toBe(port);

		// In use.
		const error = await rejection(router.createPlainTransport({ listenIp: '127.0.0.1', port }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);

		transport.close();

		const again = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1', port },
		});

		expect(again.tuple.localPort).toBe(port);
	});

	test('with rtcpMux false opens a second port', async () => {
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1', announcedAddress: ANNOUNCED_IP },
			rtcpMux: false,
		});
		const { tuple, rtcpTuple } = transport;

		expect(rtcpTuple).toEqual({
			localIp: ANNOUNCED_IP,
			localAddress: ANNOUNCED_IP,
			localPort: expect.any(Number),
			protocol: 'udp',
		});
		expect(rtcpTuple!.localPort).not.toBe(tuple.localPort);

		const dump = await transport.dump();

		expect(dump.rtcpMux).toBe(false);
		expect(dump.tuple).toEqual(tuple);
		expect(dump.rtcpTuple).toEqual(rtcpTuple);

		const [stat] = await transport.getStats();

		expect(stat.rtcpMux).toBe(false);
		expect(stat.tuple).toEqual(tuple);
		expect(stat.rtcpTuple).toEqual(rtcpTuple);
	});

	test('with a fixed port and rtcpMux false still opens a second port', async () => {
		const port = await pickPort();
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1', port },
			rtcpMux: false,
		});

		expect(transport.tuple.localPort).toBe(port);
		expect(transport.rtcpTuple!.localPort).not.toBe(port);
	});

	test('with rtcpListenInfo uses both exact ports and forces rtcpMux false', async () => {
		const rtpPort = await pickPort();
		const rtcpPort = await pickPort();
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1', port: rtpPort },
			rtcpListenInfo: {
				protocol: 'udp',
				ip: '127.0.0.1',
				announcedAddress: ANNOUNCED_IP,
				port: rtcpPort,
			},
			rtcpMux: true,
		});

		expect(transport.tuple).toMatchObject({ localAddress: '127.0.0.1', localPort: rtpPort });
		expect(transport.rtcpTuple).toMatchObject({
			localIp: ANNOUNCED_IP,
			localAddress: ANNOUNCED_IP,
			localPort: rtcpPort,
			protocol: 'udp',
		});
		await expect(transport.dump()).resolves.toMatchObject({ rtcpMux: false });
	});

	test.each<[string, unknown]>([
		['no options', undefined],
		['empty options', {}],
		[
			'both listenInfo and listenIp',
			{ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, listenIp: '127.0.0.1' },
		],
		['listenIp as an array', { listenIp: ['127.0.0.1'] }],
		['a bad listenIp', { listenIp: '123' }],
		['a bad listenIp object', { listenIp: { ip: 'chicken' } }],
		['a bad IP', { listenInfo: { protocol: 'udp', ip: 'chicken' } }],
		['protocol tcp', { listenInfo: { protocol: 'tcp', ip: '127.0.0.1' } }],
		[
			'rtcpListenInfo with protocol tcp',
			{
				listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
				rtcpListenInfo: { protocol: 'tcp', ip: '127.0.0.1' },
			},
		],
		[
			'a bad rtcpListenInfo IP',
			{
				listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
				rtcpListenInfo: { protocol: 'udp', ip: '::::1' },
			},
		],
		[
			'portRange.min > portRange.max',
			{ listenInfo: { protocol: 'udp', ip: '127.0.0.1', portRange: { min: 4000, max: 3000 } } },
		],
		['a bad port', { listenIp: '127.0.0.1', port: 'foo' }],
		['a port out of range', { listenInfo: { protocol: 'udp', ip: '127.0.0.1', port: 99999 } }],
		['a non boolean rtcpMux', { listenIp: '127.0.0.1', rtcpMux: 'no' }],
		['a non boolean comedia', { listenIp: '127.0.0.1', comedia: 1 }],
		['a non boolean enableSrtp', { listenIp: '127.0.0.1', enableSrtp: 'yes' }],
		[
			'an unknown srtpCryptoSuite',
			{ listenIp: '127.0.0.1', enableSrtp: true, srtpCryptoSuite: 'FOO' },
		],
		['a numeric srtpCryptoSuite', { listenIp: '127.0.0.1', srtpCryptoSuite: 3 }],
		['a bad SCTP option', { listenIp: '127.0.0.1', sctpSendBufferSize: 'big' }],
		['a bad appData', { listenIp: '127.0.0.1', appData: 'NOT-AN-OBJECT' }],
	])('with %s rejects TypeError', async (_name, options) => {
		const error = await rejection(router.createPlainTransport(options as PlainTransportOptions));

		expect(error).toBeInstanceOf(TypeError);
		expect((await router.dump()).transportIds).toEqual([]);
	});

	test('the TypeError names the field', async () => {
		const error = await rejection(
			router.createPlainTransport({
				listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
				rtcpListenInfo: { protocol: 'tcp', ip: '127.0.0.1' },
			})
		);

		expect(error.message).toContain('rtcpListenInfo.protocol');
	});

	test('with enableSctp has sctpParameters and sctpState, also in dump() and getStats()', async () => {
		const transport = await router.createPlainTransport({
			listenIp: '127.0.0.1',
			enableSctp: true,
			maxSendMessageSize: 10000,
			maxReceiveMessageSize: 20000,
			sctpSendBufferSize: 30000,
			sctpPerStreamSendQueueLimit: 40000,
			sctpMaxReceiverWindowBufferSize: 50000,
		});
		const sctpParameters = {
			port: 5000,
			OS: 65535,
			MIS: 65535,
			maxMessageSize: 20000,
			maxSendMessageSize: 10000,
			maxReceiveMessageSize: 20000,
			sendBufferSize: 30000,
			perStreamSendQueueLimit: 40000,
			maxReceiverWindowBufferSize: 50000,
			isDataChannel: false,
		};

		expect(transport.sctpParameters).toEqual(sctpParameters);
		expect(transport.sctpState).toBe('new');
		expect(transport.sctpNegotiatedCapabilities).toBeUndefined();

		// A clone.
		transport.sctpParameters!.port = 1;

		expect(transport.sctpParameters!.port).toBe(5000);

		const dump = await transport.dump();

		expect(dump.sctpParameters).toEqual(sctpParameters);
		expect(dump.sctpState).toBe('new');
		// Reported before the association negotiates, as zeros.
		expect(dump.sctpNegotiatedCapabilities).toEqual({
			negotiatedMaxOutboundStreams: 0,
			negotiatedMaxInboundStreams: 0,
		});
		expect(dump.sctpListener).toEqual({ streamIdTable: [] });
		expect(dump.maxSendMessageSize).toBe(10000);
		expect(dump.maxReceiveMessageSize).toBe(20000);

		const [stat] = await transport.getStats();

		expect(stat.sctpState).toBe('new');

		const onSctpStateChange = jest.fn();

		transport.on('sctpstatechange', onSctpStateChange);
		transport.close();

		expect(transport.sctpState).toBe('closed');
		expect(onSctpStateChange).not.toHaveBeenCalled();
	});

	test('with an unbindable IP rejects Error', async () => {
		const error = await rejection(router.createPlainTransport({ listenIp: UNBINDABLE_IP }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);

		// A bindable RTP port and an unbindable RTCP one: nothing is left open.
		const port = await pickPort();
		const error2 = await rejection(
			router.createPlainTransport({
				listenInfo: { protocol: 'udp', ip: '127.0.0.1', port },
				rtcpListenInfo: { protocol: 'udp', ip: UNBINDABLE_IP },
			})
		);

		expect(error2).toBeInstanceOf(Error);
		expect((await router.dump()).transportIds).toEqual([]);
		await expect(
			router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1', port } })
		).resolves.toBeDefined();
	});

	test('on a closed router rejects NotFoundError, WorkerClosedError once the worker closed', async () => {
		router.close();

		await expect(router.createPlainTransport({ listenIp: '127.0.0.1' })).rejects.toBeInstanceOf(
			NotFoundError
		);

		worker.close();

		await expect(router.createPlainTransport({ listenIp: '127.0.0.1' })).rejects.toBeInstanceOf(
			WorkerClosedError
		);
	});
});

describe('SRTP', () => {
	test.each<[SrtpCryptoSuite | undefined, SrtpCryptoSuite]>([
		[undefined, 'AES_CM_128_HMAC_SHA1_80'],
		['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_80'],
		['AES_CM_128_HMAC_SHA1_32', 'AES_CM_128_HMAC_SHA1_32'],
		['AEAD_AES_128_GCM', 'AEAD_AES_128_GCM'],
		['AEAD_AES_256_GCM', 'AEAD_AES_256_GCM'],
	])('enableSrtp with srtpCryptoSuite %p', async (srtpCryptoSuite, expected) => {
		const transport = await router.createPlainTransport({
			listenIp: '127.0.0.1',
			enableSrtp: true,
			srtpCryptoSuite,
		});
		const { srtpParameters } = transport;

		expect(srtpParameters).toEqual({ cryptoSuite: expected, keyBase64: expect.any(String) });
		expect(srtpParameters!.keyBase64).toHaveLength(srtpKeyLength(expected));
		expect(srtpParameters!.keyBase64).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
		await expect(transport.dump()).resolves.toMatchObject({ srtpParameters });

		// Each transport has its own key.
		const other = await router.createPlainTransport({
			listenIp: '127.0.0.1',
			enableSrtp: true,
			srtpCryptoSuite,
		});

		expect(other.srtpParameters!.keyBase64).not.toBe(srtpParameters!.keyBase64);
	});

	test('connect() requires valid srtpParameters', async () => {
		const transport = await router.createPlainTransport({
			listenIp: '127.0.0.1',
			enableSrtp: true,
		});
		const bad: [string, unknown][] = [
			['missing', undefined],
			['not an object', 1],
			['missing cryptoSuite', { keyBase64: KEY_30_BYTES }],
			['missing keyBase64', { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80' }],
			['unknown cryptoSuite', { cryptoSuite: 'FOO', keyBase64: KEY_30_BYTES }],
			['numeric cryptoSuite', { cryptoSuite: 123, keyBase64: KEY_30_BYTES }],
			['non string keyBase64', { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: [] }],
			// Checked by the worker: a key of the wrong length for the suite.
			['a short key', { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: KEY_28_BYTES }],
			['a key for another suite', { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: KEY_30_BYTES }],
			['a non base64 key', { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: '!!!!' }],
		];

		for (const [name, srtpParameters] of bad) {
			const error = await rejection(
				transport.connect({
					ip: '127.0.0.1',
					port: 9999,
					srtpParameters: srtpParameters as SrtpParameters,
				})
			);

			expect([name, error]).toEqual([name, expect.any(TypeError)]);
		}

		// Nothing changed meanwhile.
		expect(transport.tuple.remoteIp).toBeUndefined();
		expect(transport.srtpParameters!.cryptoSuite).toBe('AES_CM_128_HMAC_SHA1_80');

		// Valid, with another suite: the local one follows it.
		await expect(
			transport.connect({
				ip: '127.0.0.1',
				port: 9999,
				srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: KEY_44_BYTES },
			})
		).resolves.toBeUndefined();

		expect(transport.srtpParameters!.cryptoSuite).toBe('AEAD_AES_256_GCM');
		expect(transport.srtpParameters!.keyBase64).toHaveLength(60);
		expect(transport.tuple).toMatchObject({ remoteIp: '127.0.0.1', remotePort: 9999 });
		await expect(transport.dump()).resolves.toMatchObject({
			srtpParameters: transport.srtpParameters,
		});
	});

	test('connect() with the same suite keeps the local key', async () => {
		const transport = await router.createPlainTransport({
			listenIp: '127.0.0.1',
			enableSrtp: true,
			srtpCryptoSuite: 'AEAD_AES_128_GCM',
		});
		const before = transport.srtpParameters!;

		await transport.connect({
			ip: '127.0.0.1',
			port: 9999,
			srtpParameters: { cryptoSuite: 'AEAD_AES_128_GCM', keyBase64: KEY_28_BYTES },
		});

		expect(transport.srtpParameters).toEqual(before);
	});

	test('comedia with SRTP: connect() takes only srtpParameters', async () => {
		const transport = await router.createPlainTransport({
			listenIp: '127.0.0.1',
			comedia: true,
			enableSrtp: true,
		});

		await expect(transport.connect({})).rejects.toBeInstanceOf(TypeError);
		await expect(
			transport.connect({
				srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_32', keyBase64: KEY_30_BYTES },
			})
		).resolves.toBeUndefined();

		expect(transport.srtpParameters!.cryptoSuite).toBe('AES_CM_128_HMAC_SHA1_32');
		expect(transport.tuple.remoteIp).toBeUndefined();
	});

	test('an RTP packet before connect() is dropped as rtpBeforeSrtp', async () => {
		const transport = await router.createPlainTransport({
			listenIp: '127.0.0.1',
			comedia: true,
			enableSrtp: true,
		});
		const socket = await createSocket();

		await send(socket, rtpPacket(), transport.tuple.localPort);
		await waitFor(async () => (await transport.dump()).droppedPackets.rtpBeforeSrtp === 1);

		const [stat] = await transport.getStats();

		expect(stat.rtpBytesReceived).toBe(0);
	});
});

describe('PlainTransport', () => {
	let transport: PlainTransport;

	beforeEach(async () => {
		transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false });
	});

	test('appData', async () => {
		expect(transport.appData).toEqual({});

		transport.appData = { bar: 'baz' };

		expect(transport.appData).toEqual({ bar: 'baz' });
	});

	test('getStats()', async () => {
		const stats = await transport.getStats();

		expect(stats).toEqual([
			expect.objectContaining({
				type: 'plain-rtp-transport',
				transportId: transport.id,
				timestamp: expect.any(Number),
				rtcpMux: false,
				comedia: false,
				tuple: transport.tuple,
				rtcpTuple: transport.rtcpTuple,
				bytesReceived: 0,
				recvBitrate: 0,
				bytesSent: 0,
				sendBitrate: 0,
				rtpBytesReceived: 0,
				rtpRecvBitrate: 0,
				rtpBytesSent: 0,
				rtpSendBitrate: 0,
				rtxBytesReceived: 0,
				rtxRecvBitrate: 0,
				rtxBytesSent: 0,
				rtxSendBitrate: 0,
				probationBytesSent: 0,
				probationSendBitrate: 0,
			}),
		]);
		expect(stats[0].sctpState).toBeUndefined();
	});

	test('connect() sets the remote tuples; a second call rejects Error', async () => {
		await expect(
			transport.connect({ ip: '127.0.0.1', port: 1234, rtcpPort: 1235 })
		).resolves.toBeUndefined();

		const expectedTuple: TransportTuple = {
			localIp: '127.0.0.1',
			localAddress: '127.0.0.1',
			localPort: transport.tuple.localPort,
			remoteIp: '127.0.0.1',
			remotePort: 1234,
			protocol: 'udp',
		};

		expect(transport.tuple).toEqual(expectedTuple);
		expect(transport.rtcpTuple).toMatchObject({ remoteIp: '127.0.0.1', remotePort: 1235 });
		await expect(transport.dump()).resolves.toMatchObject({
			tuple: expectedTuple,
			rtcpTuple: transport.rtcpTuple,
		});

		const error = await rejection(
			transport.connect({ ip: '127.0.0.1', port: 1234, rtcpPort: 1235 })
		);

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
	});

	test('connect() to ::1 on an IPv6 transport', async () => {
		const v6 = await router.createPlainTransport({ listenIp: '::1' });

		await v6.connect({ ip: '::1', port: 5004 });

		expect(v6.tuple).toMatchObject({ localAddress: '::1', remoteIp: '::1', remotePort: 5004 });
	});

	test.each<[string, unknown]>([
		['no argument', undefined],
		['empty params', {}],
		['a missing port', { ip: '127.0.0.1', rtcpPort: 1235 }],
		['a bad IP', { ip: '::::1234', port: 1234, rtcpPort: 1235 }],
		['a non string IP', { ip: 127, port: 1234, rtcpPort: 1235 }],
		['a missing rtcpPort (rtcpMux false)', { ip: '127.0.0.1', port: 1234 }],
		['a non numeric port', { ip: '127.0.0.1', port: 'chicken', rtcpPort: 1235 }],
		['port 0', { ip: '127.0.0.1', port: 0, rtcpPort: 1235 }],
		['a port out of range', { ip: '127.0.0.1', port: 65536, rtcpPort: 1235 }],
		['a bad rtcpPort', { ip: '127.0.0.1', port: 1234, rtcpPort: -1 }],
		[
			'srtpParameters without SRTP',
			{
				ip: '127.0.0.1',
				port: 1234,
				rtcpPort: 1235,
				srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: KEY_30_BYTES },
			},
		],
	])('connect() with %s rejects TypeError', async (_name, params) => {
		const error = await rejection(transport.connect(params as never));

		expect(error).toBeInstanceOf(TypeError);
		expect(transport.tuple.remoteIp).toBeUndefined();

		// It can still be connected.
		await expect(
			transport.connect({ ip: '127.0.0.1', port: 1234, rtcpPort: 1235 })
		).resolves.toBeUndefined();
	});

	test('rtcpMux transports do not need rtcpPort', async () => {
		const muxed = await router.createPlainTransport({ listenIp: '127.0.0.1' });

		await expect(muxed.connect({ ip: '127.0.0.1', port: 1234 })).resolves.toBeUndefined();
		expect(muxed.rtcpTuple).toBeUndefined();
	});

	test('packets from an unknown address are dropped', async () => {
		await transport.connect({ ip: '127.0.0.1', port: 1234, rtcpPort: 1235 });

		const socket = await createSocket();

		await send(socket, rtpPacket(), transport.tuple.localPort);
		await send(socket, Buffer.from('not media'), transport.tuple.localPort);
		await waitFor(async () => {
			const { droppedPackets } = await transport.dump();

			return droppedPackets.unknownTuple === 1 && droppedPackets.notStunDtlsRtpRtcp === 1;
		});

		const [stat] = await transport.getStats();

		expect(stat.bytesReceived).toBe(100 + 9);
		expect(stat.rtpBytesReceived).toBe(0);
	});

	test('packets from the connected address are received', async () => {
		const socket = await createSocket();

		await transport.connect({
			ip: '127.0.0.1',
			port: socket.address().port,
			rtcpPort: 1235,
		});

		await send(socket, rtpPacket(1), transport.tuple.localPort);
		await send(socket, rtpPacket(2), transport.tuple.localPort);
		await waitFor(async () => (await transport.getStats())[0].rtpBytesReceived === 200);

		const dump = await transport.dump();

		expect(Object.values(dump.droppedPackets).every(count => count === 0)).toBe(true);
	});

	test('setMaxIncomingBitrate() and friends', async () => {
		await expect(transport.setMaxIncomingBitrate(500000)).resolves.toBeUndefined();
		await expect(transport.setMaxOutgoingBitrate(500000)).resolves.toBeUndefined();
		await expect(transport.setMinOutgoingBitrate(50000)).resolves.toBeUndefined();
		await expect(transport.getStats()).resolves.toMatchObject([
			{ maxIncomingBitrate: 500000, maxOutgoingBitrate: 500000, minOutgoingBitrate: 50000 },
		]);
	});

	test('produceData() without SCTP rejects Error; consumeData() of an unknown id NotFoundError', async () => {
		const error = await rejection(transport.produceData({ sctpStreamParameters: { streamId: 0 } }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		await expect(transport.consumeData({ dataProducerId: 'foo' })).rejects.toBeInstanceOf(
			NotFoundError
		);
	});

	test('close()', async () => {
		const onObserverClose = jest.fn();
		const onRouterClose = jest.fn();

		transport.observer.on('close', onObserverClose);
		transport.on('routerclose', onRouterClose);

		transport.close();

		expect(transport.closed).toBe(true);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(onRouterClose).not.toHaveBeenCalled();

		transport.close();

		expect(onObserverClose).toHaveBeenCalledTimes(1);
		await expect(router.dump()).resolves.toMatchObject({ transportIds: [] });

		await expect(transport.dump()).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport.getStats()).rejects.toBeInstanceOf(NotFoundError);
		await expect(
			transport.connect({ ip: '127.0.0.1', port: 1234, rtcpPort: 1235 })
		).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport.setMaxIncomingBitrate(0)).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport.enableTraceEvent([])).rejects.toBeInstanceOf(NotFoundError);
		// The closed check comes first (issue 10).
		await expect(transport.connect({})).rejects.toBeInstanceOf(NotFoundError);
	});

	test('router.close() emits routerclose', async () => {
		const events: string[] = [];

		transport.on('routerclose', () => events.push('routerclose'));
		transport.observer.on('close', () => events.push('observer close'));

		router.close();

		expect(events).toEqual(['routerclose', 'observer close']);
		expect(transport.closed).toBe(true);
		await expect(transport.dump()).rejects.toBeInstanceOf(NotFoundError);
	});

	test('worker.close() emits routerclose; methods then reject WorkerClosedError', async () => {
		const onRouterClose = jest.fn();

		transport.on('routerclose', onRouterClose);

		worker.close();

		expect(onRouterClose).toHaveBeenCalledTimes(1);
		expect(transport.closed).toBe(true);
		await expect(transport.dump()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(
			transport.connect({ ip: '127.0.0.1', port: 1234, rtcpPort: 1235 })
		).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('comedia', () => {
	test('the first RTP packet sets the tuple and emits tuple', async () => {
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1', announcedAddress: ANNOUNCED_IP },
			comedia: true,
		});
		const socket = await createSocket();
		const onTuple = jest.fn();
		const onObserverTuple = jest.fn();

		transport.observer.on('tuple', onObserverTuple);

		const tuplePromise = new Promise<TransportTuple>(resolve => {
			transport.on('tuple', tuple => {
				onTuple(tuple);
				resolve(tuple);
			});
		});

		// comedia transports need no connect().
		await send(socket, rtpPacket(1), transport.tuple.localPort);

		const tuple = await tuplePromise;
		const expected: TransportTuple = {
			localIp: ANNOUNCED_IP,
			localAddress: ANNOUNCED_IP,
			localPort: transport.tuple.localPort,
			remoteIp: '127.0.0.1',
			remotePort: socket.address().port,
			protocol: 'udp',
		};

		expect(tuple).toEqual(expected);
		expect(onObserverTuple).toHaveBeenCalledWith(expected);
		expect(transport.tuple).toEqual(expected);
		await expect(transport.dump()).resolves.toMatchObject({ comedia: true, tuple: expected });

		await waitFor(async () => (await transport.getStats())[0].bytesReceived > 0);

		const [stat] = await transport.getStats();

		expect(stat.comedia).toBe(true);
		expect(stat.bytesReceived).toBe(100);
		expect(stat.rtpBytesReceived).toBe(100);

		// Packets from another address are dropped and the tuple kept.
		const other = await createSocket();

		await send(other, rtpPacket(2), transport.tuple.localPort);
		await waitFor(async () => (await transport.dump()).droppedPackets.unknownTuple === 1);

		expect(onTuple).toHaveBeenCalledTimes(1);
		expect(transport.tuple.remotePort).toBe(socket.address().port);
	});

	test('with rtcpMux false, the first RTCP packet on the RTCP port emits rtcptuple', async () => {
		const transport = await router.createPlainTransport({
			listenIp: '127.0.0.1',
			comedia: true,
			rtcpMux: false,
		});
		const rtpSocket = await createSocket();
		const rtcpSocket = await createSocket();
		const onObserverRtcpTuple = jest.fn();

		transport.observer.on('rtcptuple', onObserverRtcpTuple);

		const rtcpTuplePromise = new Promise<TransportTuple>(resolve =>
			transport.once('rtcptuple', resolve)
		);
		const tuplePromise = new Promise<TransportTuple>(resolve => transport.once('tuple', resolve));

		await send(rtcpSocket, rtcpPacket(), transport.rtcpTuple!.localPort);

		const rtcpTuple = await rtcpTuplePromise;

		expect(rtcpTuple).toMatchObject({
			localPort: transport.rtcpTuple!.localPort,
			remoteIp: '127.0.0.1',
			remotePort: rtcpSocket.address().port,
		});
		expect(onObserverRtcpTuple).toHaveBeenCalledWith(rtcpTuple);
		expect(transport.rtcpTuple).toEqual(rtcpTuple);
		// The RTP tuple is still unknown.
		expect(transport.tuple.remoteIp).toBeUndefined();

		await send(rtpSocket, rtpPacket(), transport.tuple.localPort);

		const tuple = await tuplePromise;

		expect(tuple).toMatchObject({ remoteIp: '127.0.0.1', remotePort: rtpSocket.address().port });
		await expect(transport.dump()).resolves.toMatchObject({ tuple, rtcpTuple });
	});

	test('a non media packet does not set the tuple', async () => {
		const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true });
		const socket = await createSocket();
		const onTuple = jest.fn();

		transport.on('tuple', onTuple);

		await send(socket, Buffer.from('hello'), transport.tuple.localPort);
		await waitFor(async () => (await transport.dump()).droppedPackets.notStunDtlsRtpRtcp === 1);

		expect(onTuple).not.toHaveBeenCalled();
		expect(transport.tuple.remoteIp).toBeUndefined();
	});

	test('connect() without SRTP resolves and changes nothing', async () => {
		const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true });

		await expect(transport.connect({})).resolves.toBeUndefined();
		expect(transport.tuple.remoteIp).toBeUndefined();
	});

	test('no tuple event after close', async () => {
		const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true });
		const socket = await createSocket();
		const onTuple = jest.fn();
		const port = transport.tuple.localPort;

		transport.on('tuple', onTuple);
		transport.close();

		// The port is closed in the worker; the datagram goes nowhere.
		await send(socket, rtpPacket(), port);
		await worker.dump();
		await sleep(50);

		expect(onTuple).not.toHaveBeenCalled();
	});
});
