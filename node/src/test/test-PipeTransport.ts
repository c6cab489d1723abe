import * as dgram from 'node:dgram';
import * as mediasoup from '../';
import { PipeTransportImpl } from '../PipeTransport';
import type { Worker } from '../WorkerTypes';
import type { Router } from '../RouterTypes';
import type { RouterRtpCodecCapability } from '../rtpParametersTypes';
import type { PipeTransport, PipeTransportOptions } from '../PipeTransportTypes';
import type { SrtpParameters } from '../srtpParametersTypes';

const { EnhancedEventEmitter } = mediasoup.extras;
const { WorkerClosedError, NotFoundError } = mediasoup.errors;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// RFC 5737 documentation addresses: never assigned to this host. Used only as
// announced strings or to make binds fail; nothing is ever sent to them.
const ANNOUNCED_IP = '192.0.2.10';
const UNBINDABLE_IP = '192.0.2.1';

const KEY_30_BYTES = Buffer.alloc(30, 7).toString('base64');
const KEY_44_BYTES = Buffer.alloc(44, 7).toString('base64');

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const workers = new Set<Worker>();
let worker: Worker;
let router: Router;
let router2: Router;

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	workers.add(worker);
	router = await worker.createRouter({ mediaCodecs });
	router2 = await worker.createRouter({ mediaCodecs });
});

afterEach(() => {
	for (const w of workers) {
		w.close();
	}

	workers.clear();
});

afterAll(async () => {
	await sleep(50);
});

async function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
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

async function rejection(promise: Promise<unknown>): Promise<Error> {
	return promise.then(
		() => {
			throw new Error('expected a rejection');
		},
		(error: Error) => error
	);
}

describe('createPipeTransport()', () => {
	test('with listenInfo succeeds', async () => {
		const onNewTransport = jest.fn();

		router.observer.once('newtransport', onNewTransport);

		const transport = await router.createPipeTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1', announcedAddress: ANNOUNCED_IP },
			appData: { foo: 'bar' },
		});

		expect(onNewTransport).toHaveBeenCalledWith(transport);
		expect(transport).toBeInstanceOf(PipeTransportImpl);
		expect(transport.observer).toBeInstanceOf(EnhancedEventEmitter);
		expect(transport.id).toMatch(UUID_V4);
		expect(transport.closed).toBe(false);
		expect(transport.type).toBe('pipe');
		expect(transport.appData).toEqual({ foo: 'bar' });
		expect(transport.tuple).toEqual({
			localIp: ANNOUNCED_IP,
			localAddress: ANNOUNCED_IP,
			localPort: expect.any(Number),
			protocol: 'udp',
		});
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
			tuple: transport.tuple,
			rtx: false,
		});
		expect(dump.srtpParameters).toBeUndefined();

		const stats = await transport.getStats();

		expect(stats).toEqual([
			expect.objectContaining({
				type: 'pipe-transport',
				transportId: transport.id,
				timestamp: expect.any(Number),
				tuple: transport.tuple,
				bytesReceived: 0,
				bytesSent: 0,
			}),
		]);
	});

	test.each<[string, PipeTransportOptions, string]>([
		['listenIp as a string', { listenIp: '127.0.0.1' }, '127.0.0.1'],
		[
			'listenIp with announcedIp',
			{ listenIp: { ip: '127.0.0.1', announcedIp: ANNOUNCED_IP } },
			ANNOUNCED_IP,
		],
		['listenIp ::1', { listenIp: '::1' }, '::1'],
	])('with %s succeeds', async (_name, options, localAddress) => {
		const transport = await router.createPipeTransport(options);

		expect(transport.tuple).toMatchObject({ localIp: localAddress, localAddress });
	});

	test('enableRtx shows in dump()', async () => {
		const transport = await router.createPipeTransport({ listenIp: '127.0.0.1', enableRtx: true });

		await expect(transport.dump()).resolves.toMatchObject({ rtx: true });
	});

	test('with a fixed port; the port is released on close', async () => {
		const port = await pickPort();
		const transport = await router.createPipeTransport({ listenIp: '127.0.0.1', port });

		expect(transport.tuple.localPort).toBe(port);

		const error = await rejection(
			router2.createPipeTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1', port } })
		);

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);

		transport.close();

		const again = await router2.createPipeTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1', port },
		});

		expect(again.tuple.localPort).toBe(port);
	});

	test.each<[string, unknown]>([
		['no options', undefined],
		['empty options', {}],
		[
			'both listenInfo and listenIp',
			{ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, listenIp: '127.0.0.1' },
		],
		['protocol tcp', { listenInfo: { protocol: 'tcp', ip: '127.0.0.1' } }],
		['a bad IP', { listenInfo: { protocol: 'udp', ip: 'chicken' } }],
		['a bad listenIp', { listenIp: 'chicken' }],
		['listenIp as a number', { listenIp: 1 }],
		[
			'portRange.min > portRange.max',
			{ listenInfo: { protocol: 'udp', ip: '127.0.0.1', portRange: { min: 4000, max: 3000 } } },
		],
		['a non boolean enableRtx', { listenIp: '127.0.0.1', enableRtx: 'yes' }],
		['a non boolean enableSrtp', { listenIp: '127.0.0.1', enableSrtp: 1 }],
		['a bad SCTP option', { listenIp: '127.0.0.1', maxSendMessageSize: -1 }],
		['a bad appData', { listenIp: '127.0.0.1', appData: 'NOT-AN-OBJECT' }],
	])('with %s rejects TypeError', async (_name, options) => {
		const error = await rejection(router.createPipeTransport(options as PipeTransportOptions));

		expect(error).toBeInstanceOf(TypeError);
		expect((await router.dump()).transportIds).toEqual([]);
	});

	test('with enableSctp has sctpParameters and sctpState, also in dump() and getStats()', async () => {
		const transport = await router.createPipeTransport({
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
		const error = await rejection(router.createPipeTransport({ listenIp: UNBINDABLE_IP }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
	});

	test('on a closed router rejects NotFoundError, WorkerClosedError once the worker closed', async () => {
		router.close();

		await expect(router.createPipeTransport({ listenIp: '127.0.0.1' })).rejects.toBeInstanceOf(
			NotFoundError
		);

		worker.close();

		await expect(router.createPipeTransport({ listenIp: '127.0.0.1' })).rejects.toBeInstanceOf(
			WorkerClosedError
		);
	});
});

describe('PipeTransport', () => {
	let transport: PipeTransport;

	beforeEach(async () => {
		transport = await router.createPipeTransport({ listenIp: '127.0.0.1' });
	});

	test('connect() sets the remote tuple; a second call rejects Error', async () => {
		const other = await router2.createPipeTransport({ listenIp: '127.0.0.1' });

		await expect(
			transport.connect({ ip: other.tuple.localAddress, port: other.tuple.localPort })
		).resolves.toBeUndefined();
		await expect(
			other.connect({ ip: transport.tuple.localAddress, port: transport.tuple.localPort })
		).resolves.toBeUndefined();

		expect(transport.tuple).toEqual({
			localIp: '127.0.0.1',
			localAddress: '127.0.0.1',
			localPort: expect.any(Number),
			remoteIp: '127.0.0.1',
			remotePort: other.tuple.localPort,
			protocol: 'udp',
		});
		expect(other.tuple.remotePort).toBe(transport.tuple.localPort);
		await expect(transport.dump()).resolves.toMatchObject({ tuple: transport.tuple });
		await expect(transport.getStats()).resolves.toMatchObject([{ tuple: transport.tuple }]);

		const error = await rejection(transport.connect({ ip: '127.0.0.1', port: 9999 }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		expect(transport.tuple.remotePort).toBe(other.tuple.localPort);
	});

	test.each<[string, unknown]>([
		['no argument', undefined],
		['empty params', {}],
		['a missing port', { ip: '127.0.0.1' }],
		['a missing ip', { port: 9999 }],
		['a bad ip', { ip: 'chicken', port: 9999 }],
		['port 0', { ip: '127.0.0.1', port: 0 }],
		['a non numeric port', { ip: '127.0.0.1', port: '9999' }],
		[
			'srtpParameters without SRTP',
			{
				ip: '127.0.0.1',
				port: 9999,
				srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: KEY_44_BYTES },
			},
		],
	])('connect() with %s rejects TypeError', async (_name, params) => {
		const error = await rejection(transport.connect(params as never));

		expect(error).toBeInstanceOf(TypeError);
		expect(transport.tuple.remoteIp).toBeUndefined();

		await expect(transport.connect({ ip: '127.0.0.1', port: 9999 })).resolves.toBeUndefined();
	});

	test('setMaxIncomingBitrate() and friends', async () => {
		await expect(transport.setMaxIncomingBitrate(500000)).resolves.toBeUndefined();
		await expect(transport.setMaxOutgoingBitrate(500000)).resolves.toBeUndefined();
		await expect(transport.setMinOutgoingBitrate(50000)).resolves.toBeUndefined();
	});

	test('enableTraceEvent()', async () => {
		await transport.enableTraceEvent(['bwe']);
		await expect(transport.dump()).resolves.toMatchObject({ traceEventTypes: ['bwe'] });
	});

	test('produceData() without SCTP rejects Error; consumeData() of an unknown id NotFoundError', async () => {
		const error = await rejection(transport.produceData({ sctpStreamParameters: { streamId: 0 } }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		await expect(transport.consumeData({ dataProducerId: 'foo' })).rejects.toBeInstanceOf(
			NotFoundError
		);
	});

	test('consume() of a simulcast Producer: score, send stream stats and dump per encoding', async () => {
		const webRtcTransport = await router.createWebRtcTransport({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		});
		const producer = await webRtcTransport.produce({
			kind: 'video',
			rtpParameters: {
				mid: '0',
				codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
				encodings: [{ rid: 'r0' }, { rid: 'r1' }],
			},
		});
		const consumer = await transport.consume({ producerId: producer.id });
		const encodings = consumer.rtpParameters.encodings!;

		// The far Router scores the streams: 10 and 10 here, and one (still 0)
		// score per Producer encoding.
		expect(consumer.score).toEqual({ score: 10, producerScore: 10, producerScores: [0, 0] });

		// One send stream per encoding, from creation.
		const stats = await consumer.getStats();

		expect(stats).toHaveLength(2);
		expect(stats.map(stat => [stat.type, stat.kind, stat.mimeType, stat.ssrc])).toEqual(
			encodings.map(encoding => ['outbound-rtp', 'video', 'video/VP8', encoding.ssrc])
		);
		expect(stats.every(stat => stat.packetCount === 0 && stat.byteCount === 0)).toBe(true);

		const dump = await consumer.dump();
		const payloadType = consumer.rtpParameters.codecs[0].payloadType;

		expect(dump.rtpParameters.encodings).toEqual(
			encodings.map(encoding => ({ ...encoding, codecPayloadType: payloadType }))
		);
	});

	test('close()', async () => {
		const onObserverClose = jest.fn();

		transport.observer.on('close', onObserverClose);
		transport.close();
		transport.close();

		expect(transport.closed).toBe(true);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		await expect(router.dump()).resolves.toMatchObject({ transportIds: [] });
		await expect(transport.dump()).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport.getStats()).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport.connect({ ip: '127.0.0.1', port: 9999 })).rejects.toBeInstanceOf(
			NotFoundError
		);
		// Even with bad arguments: the closed check comes first (issue 10).
		await expect(transport.connect({} as never)).rejects.toBeInstanceOf(NotFoundError);
	});

	test('router.close() emits routerclose', async () => {
		const events: string[] = [];

		transport.on('routerclose', () => events.push('routerclose'));
		transport.observer.on('close', () => events.push('observer close'));

		router.close();

		expect(events).toEqual(['routerclose', 'observer close']);
		expect(transport.closed).toBe(true);
	});

	test('worker.close() emits routerclose; methods then reject WorkerClosedError', async () => {
		const onRouterClose = jest.fn();

		transport.on('routerclose', onRouterClose);

		worker.close();

		expect(onRouterClose).toHaveBeenCalledTimes(1);
		await expect(transport.dump()).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('SRTP', () => {
	test('enableSrtp uses AEAD_AES_256_GCM', async () => {
		const transport = await router.createPipeTransport({
			listenIp: '127.0.0.1',
			enableSrtp: true,
		});

		expect(transport.srtpParameters).toEqual({
			cryptoSuite: 'AEAD_AES_256_GCM',
			keyBase64: expect.any(String),
		});
		expect(transport.srtpParameters!.keyBase64).toHaveLength(60);
		expect(Buffer.from(transport.srtpParameters!.keyBase64, 'base64')).toHaveLength(44);
		await expect(transport.dump()).resolves.toMatchObject({
			srtpParameters: transport.srtpParameters,
		});

		// A clone.
		transport.srtpParameters!.keyBase64 = 'foo';

		expect(transport.srtpParameters!.keyBase64).toHaveLength(60);
	});

	test('a pair of SRTP pipe transports connects to each other', async () => {
		const transport1 = await router.createPipeTransport({
			listenIp: '127.0.0.1',
			enableSrtp: true,
		});
		const transport2 = await router2.createPipeTransport({
			listenIp: '127.0.0.1',
			enableSrtp: true,
		});

		await transport1.connect({
			ip: transport2.tuple.localAddress,
			port: transport2.tuple.localPort,
			srtpParameters: transport2.srtpParameters,
		});
		await transport2.connect({
			ip: transport1.tuple.localAddress,
			port: transport1.tuple.localPort,
			srtpParameters: transport1.srtpParameters,
		});

		expect(transport1.tuple.remotePort).toBe(transport2.tuple.localPort);
		expect(transport2.tuple.remotePort).toBe(transport1.tuple.localPort);
		// The local keys do not change.
		expect(transport1.srtpParameters!.cryptoSuite).toBe('AEAD_AES_256_GCM');
	});

	test('connect() requires valid srtpParameters', async () => {
		const transport = await router.createPipeTransport({
			listenIp: '127.0.0.1',
			enableSrtp: true,
		});
		const bad: [string, unknown][] = [
			['missing', undefined],
			['not an object', 1],
			['missing cryptoSuite', { keyBase64: KEY_44_BYTES }],
			['missing keyBase64', { cryptoSuite: 'AEAD_AES_256_GCM' }],
			['unknown cryptoSuite', { cryptoSuite: 'FOO', keyBase64: KEY_44_BYTES }],
			// Checked by the worker.
			['another suite', { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: KEY_30_BYTES }],
			['a key of the wrong length', { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: KEY_30_BYTES }],
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

		expect(transport.tuple.remoteIp).toBeUndefined();

		await expect(
			transport.connect({
				ip: '127.0.0.1',
				port: 9999,
				srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: KEY_44_BYTES },
			})
		).resolves.toBeUndefined();
		expect(transport.tuple).toMatchObject({ remoteIp: '127.0.0.1', remotePort: 9999 });
	});
});
