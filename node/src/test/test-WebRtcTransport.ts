import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as flatbuffers from 'flatbuffers';
import * as mediasoup from '../';
import { WebRtcTransportImpl } from '../WebRtcTransport';
import { TransportImpl } from '../Transport';
import type { Worker } from '../WorkerTypes';
import type { Router } from '../RouterTypes';
import type { RouterRtpCodecCapability, RtpParameters } from '../rtpParametersTypes';
import type { TransportTuple } from '../TransportTypes';
import type {
	DtlsParameters,
	WebRtcTransport,
	WebRtcTransportOptions,
} from '../WebRtcTransportTypes';
import { Notification } from '../fbs/notification/notification';
import { Event } from '../fbs/notification/event';
import { Body as NotificationBody } from '../fbs/notification/body';
import { Tuple as FbsTuple } from '../fbs/transport/tuple';
import { Protocol as FbsProtocol } from '../fbs/transport/protocol';
import { IceState as FbsIceState } from '../fbs/web-rtc-transport/ice-state';
import { DtlsState as FbsDtlsState } from '../fbs/web-rtc-transport/dtls-state';
import { IceStateChangeNotification as FbsIceStateChangeNotification } from '../fbs/web-rtc-transport/ice-state-change-notification';
import { IceSelectedTupleChangeNotification as FbsIceSelectedTupleChangeNotification } from '../fbs/web-rtc-transport/ice-selected-tuple-change-notification';
import { DtlsStateChangeNotification as FbsDtlsStateChangeNotification } from '../fbs/web-rtc-transport/dtls-state-change-notification';

const { EnhancedEventEmitter } = mediasoup.extras;
const { WorkerClosedError, NotFoundError } = mediasoup.errors;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// RFC 5737 documentation addresses: never assigned to this host. Used only as
// announced strings or to make binds fail; nothing is ever sent to them.
const ANNOUNCED_IP = '192.0.2.10';
const UNBINDABLE_IP = '192.0.2.1';

const FINGERPRINT_VALUE =
	'82:5A:68:3D:36:C3:0A:DE:AF:E7:32:43:D2:88:83:57:AC:2D:65:E5:80:C4:B6:FB:AF:1A:A0:21:9F:6D:0C:AD';

// Minimal valid Producer parameters (opus, routed by the Router below).
const OPUS_RTP_PARAMETERS: RtpParameters = {
	mid: 'AUDIO',
	codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
	encodings: [{ ssrc: 11111111 }],
};

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const workers = new Set<Worker>();
let worker: Worker;
let router: Router;

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	workers.add(worker);
	router = await worker.createRouter({ mediaCodecs });
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

async function pickPort(type: 'udp' | 'tcp', ip = '127.0.0.1'): Promise<number> {
	if (type === 'udp') {
		const socket = dgram.createSocket(ip.includes(':') ? 'udp6' : 'udp4');

		await new Promise<void>((resolve, reject) => {
			socket.once('error', reject);
			socket.bind(0, ip, () => resolve());
		});

		const { port } = socket.address();

		await new Promise<void>(resolve => socket.close(() => resolve()));

		return port;
	}

	const server = net.createServer();

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, ip, () => resolve());
	});

	const { port } = server.address() as net.AddressInfo;

	await new Promise<void>(resolve => server.close(() => resolve()));

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

/**
 * Sends one datagram from a fresh socket on 127.0.0.1 and closes it.
 */
async function sendDatagram(port: number, data: Buffer): Promise<void> {
	const socket = dgram.createSocket('udp4');

	await new Promise<void>((resolve, reject) => {
		socket.once('error', reject);
		socket.send(data, port, '127.0.0.1', error => (error ? reject(error) : resolve()));
	});

	await new Promise<void>(resolve => socket.close(() => resolve()));
}

/**
 * Polls `check` until it returns true (or fails after a while).
 */
async function waitFor(check: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
	const start = Date.now();

	while (!(await check())) {
		if (Date.now() - start > timeoutMs) {
			throw new Error('condition not met in time');
		}

		await sleep(20);
	}
}

function udpListenInfos(): WebRtcTransportOptions {
	return { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] };
}

/**
 * Builds a notification as the worker would and delivers it through the
 * transport's channel.
 */
function emitNotification(
	transport: WebRtcTransport,
	event: Event,
	bodyType: NotificationBody,
	buildBody: (builder: flatbuffers.Builder) => number
): void {
	const builder = new flatbuffers.Builder(1024);
	const bodyOffset = buildBody(builder);
	const offset = Notification.createNotification(
		builder,
		builder.createString(transport.id),
		event,
		bodyType,
		bodyOffset
	);

	builder.finish(offset);

	const notification = Notification.getRootAsNotification(
		new flatbuffers.ByteBuffer(builder.asUint8Array())
	);

	(transport as WebRtcTransportImpl).channelForTesting.emit(transport.id, event, notification);
}

describe('createWebRtcTransport()', () => {
	test('with listenInfos succeeds: candidates, ICE and DTLS parameters', async () => {
		const onNewTransport = jest.fn();

		router.observer.once('newtransport', onNewTransport);

		const transport = await router.createWebRtcTransport({
			listenInfos: [
				{
					protocol: 'udp',
					ip: '127.0.0.1',
					announcedAddress: ANNOUNCED_IP,
					// An extra candidate with |ip|, right after this one.
					exposeInternalIp: true,
					portRange: { min: 20000, max: 30000 },
				},
				{
					protocol: 'tcp',
					ip: '127.0.0.1',
					announcedAddress: ANNOUNCED_IP,
					portRange: { min: 20000, max: 30000 },
				},
				{ protocol: 'udp', ip: '0.0.0.0', announcedAddress: 'foo1.bar.org' },
				{ protocol: 'tcp', ip: '0.0.0.0', announcedAddress: 'foo2.bar.org' },
				{ protocol: 'udp', ip: '127.0.0.1', announcedAddress: undefined },
				// exposeInternalIp without announcedAddress adds nothing.
				{ protocol: 'tcp', ip: '127.0.0.1', exposeInternalIp: true },
			],
			// Do not filter nor reorder listenInfos.
			enableUdp: false,
			preferTcp: true,
			appData: { foo: 'bar' },
		});

		expect(onNewTransport).toHaveBeenCalledTimes(1);
		expect(onNewTransport).toHaveBeenCalledWith(transport);
		expect(transport).toBeInstanceOf(WebRtcTransportImpl);
		expect(transport).toBeInstanceOf(TransportImpl);
		expect(transport).toBeInstanceOf(EnhancedEventEmitter);
		expect(transport.observer).toBeInstanceOf(EnhancedEventEmitter);
		expect(transport.getMaxListeners()).toBe(Infinity);
		expect(transport.observer.getMaxListeners()).toBe(Infinity);
		expect(transport.id).toMatch(UUID_V4);
		expect(transport.closed).toBe(false);
		expect(transport.type).toBe('webrtc');
		expect(transport.appData).toEqual({ foo: 'bar' });
		expect(transport.iceRole).toBe('controlled');
		expect(transport.iceParameters).toEqual({
			usernameFragment: expect.any(String),
			password: expect.any(String),
			iceLite: true,
		});
		expect(transport.iceParameters.usernameFragment.length).toBeGreaterThanOrEqual(4);
		expect(transport.iceParameters.password.length).toBeGreaterThanOrEqual(22);

		const candidates = transport.iceCandidates;

		expect(candidates.map(c => [c.ip, c.address, c.protocol, c.type, c.tcpType ?? null])).toEqual([
			[ANNOUNCED_IP, ANNOUNCED_IP, 'udp', 'host', null],
			['127.0.0.1', '127.0.0.1', 'udp', 'host', null],
			[ANNOUNCED_IP, ANNOUNCED_IP, 'tcp', 'host', 'passive'],
			['foo1.bar.org', 'foo1.bar.org', 'udp', 'host', null],
			['foo2.bar.org', 'foo2.bar.org', 'tcp', 'host', 'passive'],
			['127.0.0.1', '127.0.0.1', 'udp', 'host', null],
			['127.0.0.1', '127.0.0.1', 'tcp', 'host', 'passive'],
		]);

		for (const candidate of candidates) {
			expect(Object.keys(candidate).sort()).toEqual(
				[
					'foundation',
					'priority',
					'ip',
					'address',
					'protocol',
					'port',
					'type',
					...(candidate.protocol === 'tcp' ? ['tcpType'] : []),
				].sort()
			);
			expect(typeof candidate.foundation).toBe('string');
			expect(candidate.foundation.length).toBeGreaterThan(0);
			expect(Number.isInteger(candidate.priority)).toBe(true);
			expect(candidate.priority).toBeGreaterThan(0);
			expect(candidate.port).toBeGreaterThan(0);
		}

		// Strictly decreasing priorities, in the given order.
		for (let i = 1; i < candidates.length; ++i) {
			expect(candidates[i - 1].priority).toBeGreaterThan(candidates[i].priority);
		}

		// The internal-IP candidate shares the socket of its announced one.
		expect(candidates[1].port).toBe(candidates[0].port);
		expect(candidates[0].priority - candidates[1].priority).toBe(1000);

		for (const candidate of candidates.slice(0, 3)) {
			expect(candidate.port).toBeGreaterThanOrEqual(20000);
			expect(candidate.port).toBeLessThanOrEqual(30000);
		}

		expect(transport.iceState).toBe('new');
		expect(transport.iceSelectedTuple).toBeUndefined();

		const { dtlsParameters } = transport;

		expect(dtlsParameters.role).toBe('auto');
		expect(dtlsParameters.fingerprints.map(f => f.algorithm).sort()).toEqual(
			['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512'].sort()
		);

		for (const fingerprint of dtlsParameters.fingerprints) {
			expect(fingerprint.value).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2})+$/);
		}

		expect(dtlsParameters.fingerprints.find(f => f.algorithm === 'sha-256')!.value).toHaveLength(
			32 * 3 - 1
		);
		expect(transport.dtlsState).toBe('new');
		expect(transport.dtlsRemoteCert).toBeUndefined();
		expect(transport.sctpParameters).toBeUndefined();
		expect(transport.sctpState).toBeUndefined();
		expect(transport.sctpNegotiatedCapabilities).toBeUndefined();

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
			droppedPackets: {
				notStunDtlsRtpRtcp: 0,
				invalidStun: 0,
				stunUnauthorized: 0,
				dtlsUnexpected: 0,
				rtpBeforeSrtp: 0,
				srtpDecryptFailed: 0,
				srtcpDecryptFailed: 0,
				invalidRtp: 0,
				invalidRtcp: 0,
				unknownTuple: 0,
				tcpConnectionRejected: 0,
				tcpConnectionTimedOut: 0,
			},
			iceRole: 'controlled',
			iceParameters: transport.iceParameters,
			iceCandidates: transport.iceCandidates,
			iceState: 'new',
			dtlsParameters: transport.dtlsParameters,
			dtlsState: 'new',
		});
		expect(dump.sctpParameters).toBeUndefined();
		expect(dump.sctpState).toBeUndefined();
		expect(dump.iceSelectedTuple).toBeUndefined();
	});

	test('exposeInternalIp on a TCP listen info adds a passive internal candidate', async () => {
		const transport = await router.createWebRtcTransport({
			listenInfos: [
				{
					protocol: 'tcp',
					ip: '127.0.0.1',
					announcedAddress: ANNOUNCED_IP,
					exposeInternalIp: true,
				},
				{
					protocol: 'udp',
					ip: '127.0.0.1',
					announcedAddress: ANNOUNCED_IP,
					exposeInternalIp: true,
				},
			],
		});
		const candidates = transport.iceCandidates;

		expect(candidates.map(c => [c.protocol, c.address, c.tcpType ?? null])).toEqual([
			['tcp', ANNOUNCED_IP, 'passive'],
			['tcp', '127.0.0.1', 'passive'],
			['udp', ANNOUNCED_IP, null],
			['udp', '127.0.0.1', null],
		]);

		for (const i of [0, 2]) {
			expect(candidates[i + 1].port).toBe(candidates[i].port);
			expect(candidates[i].priority - candidates[i + 1].priority).toBe(1000);
		}

		// The dump reports the same candidates.
		expect((await transport.dump()).iceCandidates).toEqual(candidates);
	});
	test('getters return fresh clones', async () => {
		const transport = await router.createWebRtcTransport(udpListenInfos());

		expect(transport.iceParameters).not.toBe(transport.iceParameters);
		expect(transport.iceCandidates).not.toBe(transport.iceCandidates);
		expect(transport.dtlsParameters).not.toBe(transport.dtlsParameters);

		const iceParameters = transport.iceParameters;
		const iceCandidates = transport.iceCandidates;
		const dtlsParameters = transport.dtlsParameters;
		const expected = [iceParameters, iceCandidates, dtlsParameters].map(value =>
			JSON.parse(JSON.stringify(value))
		);

		iceParameters.usernameFragment = 'foo';
		iceCandidates[0].port = 1;
		iceCandidates.length = 0;
		dtlsParameters.role = 'server';
		dtlsParameters.fingerprints.length = 0;

		expect([transport.iceParameters, transport.iceCandidates, transport.dtlsParameters]).toEqual(
			expected
		);
	});

	test('the caller options are not mutated', async () => {
		const options: WebRtcTransportOptions = {
			listenIps: [{ ip: '127.0.0.1', announcedIp: ANNOUNCED_IP }],
			enableTcp: true,
		};
		const copy = JSON.parse(JSON.stringify(options));

		await router.createWebRtcTransport(options);

		expect(options).toEqual(copy);
	});

	test.each<[string, Omit<WebRtcTransportOptions, 'listenIps'>, [string, string][]]>([
		['defaults (UDP only)', {}, [['udp', '127.0.0.1']]],
		[
			'enableTcp',
			{ enableTcp: true },
			[
				['udp', '127.0.0.1'],
				['tcp', '127.0.0.1'],
			],
		],
		[
			'enableTcp and preferTcp',
			{ enableTcp: true, preferTcp: true },
			[
				['tcp', '127.0.0.1'],
				['udp', '127.0.0.1'],
			],
		],
		[
			'preferUdp wins over preferTcp',
			{ enableTcp: true, preferTcp: true, preferUdp: true },
			[
				['udp', '127.0.0.1'],
				['tcp', '127.0.0.1'],
			],
		],
		['only TCP', { enableUdp: false, enableTcp: true }, [['tcp', '127.0.0.1']]],
	])('with listenIps and %s', async (_name, options, expected) => {
		const transport = await router.createWebRtcTransport({
			...options,
			listenIps: ['127.0.0.1'],
		} as WebRtcTransportOptions);

		expect(transport.iceCandidates.map(c => [c.protocol, c.address])).toEqual(expected);
	});

	test('with listenIps objects, announcedIp and a fixed port', async () => {
		const port = await pickPort('udp');
		const transport = await router.createWebRtcTransport({
			listenIps: [{ ip: '127.0.0.1', announcedIp: ANNOUNCED_IP }, '::1'],
			port,
		});

		expect(transport.iceCandidates.map(c => [c.protocol, c.address, c.port])).toEqual([
			['udp', ANNOUNCED_IP, port],
			['udp', '::1', port],
		]);
	});

	test('announcedIp in listenInfos is an alias of announcedAddress', async () => {
		const transport = await router.createWebRtcTransport({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', announcedIp: ANNOUNCED_IP }],
		});

		expect(transport.iceCandidates[0].address).toBe(ANNOUNCED_IP);
	});

	test('with a fixed port succeeds, and the port is released on close', async () => {
		const port = await pickPort('tcp');
		const listenInfos: WebRtcTransportOptions = {
			// udpReusePort is ignored for TCP.
			listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1', port, flags: { udpReusePort: true } }],
		};
		const transport = await router.createWebRtcTransport(listenInfos);

		expect(transport.iceCandidates[0].port).toBe(port);

		// In use.
		const error = await rejection(router.createWebRtcTransport(listenInfos));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);

		transport.close();

		const again = await router.createWebRtcTransport(listenInfos);

		expect(again.iceCandidates[0].port).toBe(port);
	});

	test('with an exhausted portRange rejects Error', async () => {
		const port = await pickPort('udp');
		const options: WebRtcTransportOptions = {
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', portRange: { min: port, max: port } }],
		};
		const transport = await router.createWebRtcTransport(options);

		expect(transport.iceCandidates[0].port).toBe(port);

		const error = await rejection(router.createWebRtcTransport(options));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		expect((await router.dump()).transportIds).toEqual([transport.id]);
	});

	test('with an unbindable IP rejects Error and leaves nothing bound', async () => {
		const port = await pickPort('udp');
		const error = await rejection(
			router.createWebRtcTransport({
				listenInfos: [
					{ protocol: 'udp', ip: '127.0.0.1', port },
					{ protocol: 'udp', ip: UNBINDABLE_IP },
				],
			})
		);

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		expect((await router.dump()).transportIds).toEqual([]);

		await expect(
			router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] })
		).resolves.toBeDefined();
	});

	test('listens on IPv6 ::1', async () => {
		const transport = await router.createWebRtcTransport({
			listenInfos: [
				{ protocol: 'udp', ip: '::1' },
				{ protocol: 'tcp', ip: '::1', flags: { ipv6Only: true } },
			],
		});

		expect(transport.iceCandidates.map(c => [c.protocol, c.address])).toEqual([
			['udp', '::1'],
			['tcp', '::1'],
		]);
	});

	test.each<[string, unknown]>([
		['no options', undefined],
		['empty options', {}],
		['listenInfos not an array', { listenInfos: '127.0.0.1' }],
		['listenIps not an array', { listenIps: '127.0.0.1' }],
		['listenIps with a number', { listenIps: [123] }],
		['listenIps with a bad IP', { listenIps: ['chicken'] }],
		['listenIps with a bad object', { listenIps: [{ ip: 'chicken' }] }],
		['empty listenIps', { listenIps: [] }],
		['empty listenInfos', { listenInfos: [] }],
		['a listenInfo that is not an object', { listenInfos: ['127.0.0.1'] }],
		['a bad protocol', { listenInfos: [{ protocol: 'sctp', ip: '127.0.0.1' }] }],
		['a bad IP', { listenInfos: [{ protocol: 'udp', ip: 'chicken' }] }],
		['an IP with a port', { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1:1234' }] }],
		['a port out of range', { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 65536 }] }],
		['a non integer port', { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 1.5 }] }],
		[
			'portRange.min > portRange.max',
			{ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', portRange: { min: 4000, max: 3000 } }] },
		],
		[
			'a portRange without max',
			{ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', portRange: { min: 4000 } }] },
		],
		[
			'a non string announcedAddress',
			{ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', announcedAddress: 1 }] },
		],
		[
			'a non boolean exposeInternalIp',
			{ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', exposeInternalIp: 'yes' }] },
		],
		['flags not an object', { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', flags: 1 }] }],
		[
			'a negative sendBufferSize',
			{ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', sendBufferSize: -1 }] },
		],
		['a bad appData', { ...udpListenInfos(), appData: 'NOT-AN-OBJECT' }],
		['a non boolean enableUdp', { ...udpListenInfos(), enableUdp: 'yes' }],
		['a non boolean preferTcp', { ...udpListenInfos(), preferTcp: 1 }],
		['a non number iceConsentTimeout', { ...udpListenInfos(), iceConsentTimeout: '30' }],
		['a NaN iceConsentTimeout', { ...udpListenInfos(), iceConsentTimeout: NaN }],
		['a negative iceConsentTimeout', { ...udpListenInfos(), iceConsentTimeout: -1 }],
		[
			'a non number initialAvailableOutgoingBitrate',
			{ ...udpListenInfos(), initialAvailableOutgoingBitrate: 'fast' },
		],
		['a non boolean enableSctp', { ...udpListenInfos(), enableSctp: 'yes' }],
		['a non number maxSendMessageSize', { ...udpListenInfos(), maxSendMessageSize: 'big' }],
		['a zero maxReceiveMessageSize', { ...udpListenInfos(), maxReceiveMessageSize: 0 }],
		['a negative sctpSendBufferSize', { ...udpListenInfos(), sctpSendBufferSize: -1 }],
		[
			'a non number sctpPerStreamSendQueueLimit',
			{ ...udpListenInfos(), sctpPerStreamSendQueueLimit: null },
		],
		[
			'a non number sctpMaxReceiverWindowBufferSize',
			{ ...udpListenInfos(), sctpMaxReceiverWindowBufferSize: '1' },
		],
		[
			'a negative sctpDefaultStreamBufferedAmountLowThreshold',
			{ ...udpListenInfos(), sctpDefaultStreamBufferedAmountLowThreshold: -1 },
		],
		[
			'a SCTP option error along with enableSctp',
			{ ...udpListenInfos(), enableSctp: true, maxSendMessageSize: 'big' },
		],
		[
			'listenIps with UDP and TCP disabled',
			{ listenIps: ['127.0.0.1'], enableUdp: false, enableTcp: false },
		],
		['a bad port with listenIps', { listenIps: ['127.0.0.1'], port: 'foo' }],
	])('with %s rejects TypeError', async (_name, options) => {
		let promise: Promise<unknown> | undefined;

		// It must reject, not throw synchronously.
		expect(
			() => (promise = router.createWebRtcTransport(options as WebRtcTransportOptions))
		).not.toThrow();

		const error = await rejection(promise!);

		expect(error).toBeInstanceOf(TypeError);
		expect((await router.dump()).transportIds).toEqual([]);
	});

	test('TypeErrors name the field', async () => {
		const error = await rejection(
			router.createWebRtcTransport({
				listenInfos: [
					{ protocol: 'udp', ip: '127.0.0.1' },
					{ protocol: 'tcp', ip: 'chicken' },
				],
			})
		);

		expect(error.message).toContain('listenInfos[1].ip');

		const error2 = await rejection(
			router.createWebRtcTransport({ ...udpListenInfos(), iceConsentTimeout: 'x' as never })
		);

		expect(error2.message).toContain('iceConsentTimeout');
	});

	test('with enableSctp has sctpParameters and sctpState, also in dump() and getStats()', async () => {
		const transport = await router.createWebRtcTransport({
			...udpListenInfos(),
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
			isDataChannel: true,
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

	test('with enableSctp: false takes any valid SCTP option', async () => {
		const transport = await router.createWebRtcTransport({
			...udpListenInfos(),
			enableSctp: false,
			maxSendMessageSize: 1000001,
			maxReceiveMessageSize: 1000002,
			sctpSendBufferSize: 2000001,
			sctpPerStreamSendQueueLimit: 2000002,
			sctpMaxReceiverWindowBufferSize: 2000003,
			sctpDefaultStreamBufferedAmountLowThreshold: 0,
		});

		expect(transport.sctpParameters).toBeUndefined();
		expect(transport.sctpState).toBeUndefined();
		await expect(transport.dump()).resolves.toMatchObject({
			maxSendMessageSize: 1000001,
			maxReceiveMessageSize: 1000002,
		});
	});

	test.each([0, 1, 30, 255, 1000, 2.5])('iceConsentTimeout %p is accepted', async timeout => {
		await expect(
			router.createWebRtcTransport({ ...udpListenInfos(), iceConsentTimeout: timeout })
		).resolves.toBeDefined();
	});

	test('initialAvailableOutgoingBitrate shows in getStats()', async () => {
		const transport = await router.createWebRtcTransport({
			...udpListenInfos(),
			initialAvailableOutgoingBitrate: 1000000,
		});
		const [stat] = await transport.getStats();

		expect(stat.availableOutgoingBitrate).toBe(1000000);
	});

	test('on a closed router rejects NotFoundError, WorkerClosedError once the worker closed', async () => {
		router.close();

		await expect(router.createWebRtcTransport(udpListenInfos())).rejects.toBeInstanceOf(
			NotFoundError
		);
		// The closed check comes first (issue 10).
		await expect(router.createWebRtcTransport({} as never)).rejects.toBeInstanceOf(NotFoundError);

		worker.close();

		await expect(router.createWebRtcTransport(udpListenInfos())).rejects.toBeInstanceOf(
			WorkerClosedError
		);
	});

	test('a router closed while creating rejects and leaves nothing', async () => {
		const promise = router.createWebRtcTransport(udpListenInfos());

		router.close();

		await expect(promise).rejects.toBeInstanceOf(NotFoundError);
		expect((await worker.dump()).routerIds).toEqual([]);
	});

	test('many transports in parallel', async () => {
		const onNewTransport = jest.fn();

		router.observer.on('newtransport', onNewTransport);

		const transports = await Promise.all(
			Array.from({ length: 20 }, (_, idx) =>
				router.createWebRtcTransport({ ...udpListenInfos(), appData: { idx } })
			)
		);

		expect(onNewTransport).toHaveBeenCalledTimes(20);
		expect(new Set(transports.map(t => t.id)).size).toBe(20);
		expect(new Set(transports.map(t => t.iceCandidates[0].port)).size).toBe(20);
		expect(new Set(transports.map(t => t.iceParameters.usernameFragment)).size).toBe(20);
		transports.forEach((t, idx) => expect(t.appData).toEqual({ idx }));
		expect((await router.dump()).transportIds.sort()).toEqual(transports.map(t => t.id).sort());
	});
});

describe('WebRtcTransport', () => {
	let transport: WebRtcTransport;

	beforeEach(async () => {
		transport = await router.createWebRtcTransport({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', announcedAddress: ANNOUNCED_IP }],
		});
	});

	test('appData', async () => {
		const other = await router.createWebRtcTransport(udpListenInfos());

		expect(transport.appData).toEqual({});

		transport.appData.foo = 1;

		expect(other.appData).toEqual({});

		transport.appData = { bar: 'baz' };

		expect(transport.appData).toEqual({ bar: 'baz' });
	});

	test('getStats()', async () => {
		const stats = await transport.getStats();

		expect(stats).toHaveLength(1);

		const [stat] = stats;

		expect(stat).toMatchObject({
			type: 'webrtc-transport',
			transportId: transport.id,
			timestamp: expect.any(Number),
			iceRole: 'controlled',
			iceState: 'new',
			dtlsState: 'new',
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
			availableOutgoingBitrate: 600000,
		});
		expect(stat.iceSelectedTuple).toBeUndefined();
		expect(stat.sctpState).toBeUndefined();
		expect(stat.maxIncomingBitrate).toBeUndefined();
		expect(stat.maxOutgoingBitrate).toBeUndefined();
		expect(stat.minOutgoingBitrate).toBeUndefined();
		expect(stat.availableIncomingBitrate).toBeUndefined();
	});

	test.each<[string, DtlsParameters['role'], 'client' | 'server']>([
		['client', 'client', 'server'],
		['server', 'server', 'client'],
		['auto', 'auto', 'client'],
		['absent', undefined, 'client'],
	])('connect() with remote role %s sets the local role', async (_name, role, localRole) => {
		const dtlsParameters: DtlsParameters = {
			fingerprints: [{ algorithm: 'sha-256', value: FINGERPRINT_VALUE }],
		};

		if (role) {
			dtlsParameters.role = role;
		}

		await expect(transport.connect({ dtlsParameters })).resolves.toBeUndefined();
		expect(transport.dtlsParameters.role).toBe(localRole);
		await expect(transport.dump()).resolves.toMatchObject({
			dtlsParameters: { role: localRole },
		});

		// A second call fails (plain Error).
		const error = await rejection(transport.connect({ dtlsParameters }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		expect(transport.dtlsParameters.role).toBe(localRole);
	});

	test('connect() accepts several fingerprints and lowercase values', async () => {
		await expect(
			transport.connect({
				dtlsParameters: {
					role: 'client',
					fingerprints: [
						{
							algorithm: 'sha-1',
							value: '8F:4E:CF:71:DC:22:DA:E2:E1:64:5C:BF:1E:16:E2:7E:D8:B0:5A:9B',
						},
						{ algorithm: 'sha-256', value: FINGERPRINT_VALUE.toLowerCase() },
					],
				},
			})
		).resolves.toBeUndefined();
	});

	test.each<[string, unknown]>([
		['no argument', undefined],
		['no dtlsParameters', {}],
		['dtlsParameters not an object', { dtlsParameters: 'foo' }],
		[
			'an unknown algorithm',
			{
				dtlsParameters: {
					role: 'client',
					fingerprints: [{ algorithm: 'sha-256000', value: FINGERPRINT_VALUE }],
				},
			},
		],
		[
			'a bad role',
			{
				dtlsParameters: {
					role: 'chicken',
					fingerprints: [{ algorithm: 'sha-256', value: FINGERPRINT_VALUE }],
				},
			},
		],
		['empty fingerprints', { dtlsParameters: { role: 'client', fingerprints: [] } }],
		['missing fingerprints', { dtlsParameters: { role: 'client' } }],
		[
			'a non string value',
			{ dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 123 }] } },
		],
		[
			'a malformed value',
			{ dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'chicken' }] } },
		],
		[
			'a value of the wrong length',
			{ dtlsParameters: { fingerprints: [{ algorithm: 'sha-1', value: FINGERPRINT_VALUE }] } },
		],
	])('connect() with %s rejects TypeError and changes nothing', async (_name, params) => {
		const error = await rejection(transport.connect(params as { dtlsParameters: DtlsParameters }));

		expect(error).toBeInstanceOf(TypeError);
		expect(transport.dtlsParameters.role).toBe('auto');

		// It can still be connected.
		await expect(
			transport.connect({
				dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: FINGERPRINT_VALUE }] },
			})
		).resolves.toBeUndefined();
	});

	test('restartIce() changes the ICE parameters', async () => {
		const before = transport.iceParameters;
		const after = await transport.restartIce();

		expect(after).toEqual({
			usernameFragment: expect.any(String),
			password: expect.any(String),
			iceLite: true,
		});
		expect(after.usernameFragment).not.toBe(before.usernameFragment);
		expect(after.password).not.toBe(before.password);
		expect(transport.iceParameters).toEqual(after);
		await expect(transport.dump()).resolves.toMatchObject({ iceParameters: after });

		// A clone.
		after.password = 'foo';

		expect(transport.iceParameters.password).not.toBe('foo');
	});

	test('setMaxIncomingBitrate() / setMaxOutgoingBitrate() / setMinOutgoingBitrate()', async () => {
		await expect(transport.setMaxIncomingBitrate(1000000)).resolves.toBeUndefined();
		await expect(transport.setMaxOutgoingBitrate(2000000)).resolves.toBeUndefined();
		await expect(transport.setMinOutgoingBitrate(100000)).resolves.toBeUndefined();

		await expect(transport.getStats()).resolves.toMatchObject([
			{
				maxIncomingBitrate: 1000000,
				maxOutgoingBitrate: 2000000,
				minOutgoingBitrate: 100000,
			},
		]);

		// 0 removes each limit.
		await expect(transport.setMaxIncomingBitrate(0)).resolves.toBeUndefined();
		await expect(transport.setMaxOutgoingBitrate(0)).resolves.toBeUndefined();
		await expect(transport.setMinOutgoingBitrate(0)).resolves.toBeUndefined();

		const [stat] = await transport.getStats();

		expect(stat.maxIncomingBitrate).toBeUndefined();
		expect(stat.maxOutgoingBitrate).toBeUndefined();
		expect(stat.minOutgoingBitrate).toBeUndefined();
	});

	test('bitrate limits are checked', async () => {
		// Below 30000.
		await expect(transport.setMaxOutgoingBitrate(20000)).rejects.toThrow(Error);
		await expect(transport.setMinOutgoingBitrate(20000)).rejects.toThrow(Error);

		// Max below the current min.
		await transport.setMinOutgoingBitrate(3000000);
		await expect(transport.setMaxOutgoingBitrate(2000000)).rejects.toThrow(Error);
		await transport.setMinOutgoingBitrate(0);

		// Min above the current max.
		await transport.setMaxOutgoingBitrate(2000000);
		await expect(transport.setMinOutgoingBitrate(3000000)).rejects.toThrow(Error);

		// Not numbers.
		for (const bad of ['1000', -1, NaN, 1.5, undefined]) {
			await expect(transport.setMaxIncomingBitrate(bad as number)).rejects.toBeInstanceOf(
				TypeError
			);
			await expect(transport.setMaxOutgoingBitrate(bad as number)).rejects.toBeInstanceOf(
				TypeError
			);
			await expect(transport.setMinOutgoingBitrate(bad as number)).rejects.toBeInstanceOf(
				TypeError
			);
		}
	});

	test('enableTraceEvent()', async () => {
		await transport.enableTraceEvent(['foo', 'probation'] as never);
		await expect(transport.dump()).resolves.toMatchObject({ traceEventTypes: ['probation'] });

		await transport.enableTraceEvent();
		await expect(transport.dump()).resolves.toMatchObject({ traceEventTypes: [] });

		await transport.enableTraceEvent(['probation', 'FOO', 'bwe', 'BAR'] as never);
		await expect(transport.dump()).resolves.toMatchObject({
			traceEventTypes: ['probation', 'bwe'],
		});

		await transport.enableTraceEvent([]);
		await expect(transport.dump()).resolves.toMatchObject({ traceEventTypes: [] });
	});

	test.each<[string, unknown]>([
		['a number', 123],
		['a string', 'probation'],
		['an array with a number', ['probation', 123.123]],
		['null', null],
	])('enableTraceEvent() with %s rejects TypeError', async (_name, types) => {
		await expect(transport.enableTraceEvent(types as never)).rejects.toBeInstanceOf(TypeError);
	});

	test('produceData() without SCTP rejects Error; consumeData() of an unknown id NotFoundError', async () => {
		const error = await rejection(transport.produceData({ sctpStreamParameters: { streamId: 0 } }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		await expect(transport.consumeData({ dataProducerId: 'foo' })).rejects.toBeInstanceOf(
			NotFoundError
		);
	});

	test('worker notifications update the state and emit events', async () => {
		const events: [string, unknown][] = [];

		for (const name of ['icestatechange', 'iceselectedtuplechange', 'dtlsstatechange'] as const) {
			transport.on(name, (arg: unknown) => events.push([name, arg]));
			transport.observer.on(name, (arg: unknown) => events.push([`observer ${name}`, arg]));
		}

		emitNotification(
			transport,
			Event.WEBRTCTRANSPORT_ICE_STATE_CHANGE,
			NotificationBody.WebRtcTransport_IceStateChangeNotification,
			builder =>
				FbsIceStateChangeNotification.createIceStateChangeNotification(
					builder,
					FbsIceState.COMPLETED
				)
		);

		expect(transport.iceState).toBe('completed');
		expect(events).toEqual([
			['icestatechange', 'completed'],
			['observer icestatechange', 'completed'],
		]);

		const tuple: TransportTuple = {
			localIp: ANNOUNCED_IP,
			localAddress: ANNOUNCED_IP,
			localPort: 1111,
			remoteIp: '127.0.0.1',
			remotePort: 2222,
			protocol: 'udp',
		};

		events.length = 0;

		emitNotification(
			transport,
			Event.WEBRTCTRANSPORT_ICE_SELECTED_TUPLE_CHANGE,
			NotificationBody.WebRtcTransport_IceSelectedTupleChangeNotification,
			builder =>
				FbsIceSelectedTupleChangeNotification.createIceSelectedTupleChangeNotification(
					builder,
					FbsTuple.createTuple(
						builder,
						builder.createString(tuple.localAddress),
						tuple.localPort,
						builder.createString(tuple.remoteIp!),
						tuple.remotePort!,
						FbsProtocol.UDP
					)
				)
		);

		expect(transport.iceSelectedTuple).toEqual(tuple);
		expect(events).toEqual([
			['iceselectedtuplechange', tuple],
			['observer iceselectedtuplechange', tuple],
		]);

		events.length = 0;

		emitNotification(
			transport,
			Event.WEBRTCTRANSPORT_DTLS_STATE_CHANGE,
			NotificationBody.WebRtcTransport_DtlsStateChangeNotification,
			builder =>
				FbsDtlsStateChangeNotification.createDtlsStateChangeNotification(
					builder,
					FbsDtlsState.CONNECTING,
					0
				)
		);

		expect(transport.dtlsState).toBe('connecting');
		expect(transport.dtlsRemoteCert).toBeUndefined();

		emitNotification(
			transport,
			Event.WEBRTCTRANSPORT_DTLS_STATE_CHANGE,
			NotificationBody.WebRtcTransport_DtlsStateChangeNotification,
			builder =>
				FbsDtlsStateChangeNotification.createDtlsStateChangeNotification(
					builder,
					FbsDtlsState.CONNECTED,
					builder.createString('-----BEGIN CERTIFICATE-----\nfoo\n-----END CERTIFICATE-----\n')
				)
		);

		expect(transport.dtlsState).toBe('connected');
		expect(transport.dtlsRemoteCert).toBe(
			'-----BEGIN CERTIFICATE-----\nfoo\n-----END CERTIFICATE-----\n'
		);
		expect(events).toEqual([
			['dtlsstatechange', 'connecting'],
			['observer dtlsstatechange', 'connecting'],
			['dtlsstatechange', 'connected'],
			['observer dtlsstatechange', 'connected'],
		]);

		// Closing resets what it reports and ignores later notifications.
		transport.close();

		expect(transport.iceState).toBe('closed');
		expect(transport.iceSelectedTuple).toBeUndefined();
		expect(transport.dtlsState).toBe('closed');

		events.length = 0;

		emitNotification(
			transport,
			Event.WEBRTCTRANSPORT_ICE_STATE_CHANGE,
			NotificationBody.WebRtcTransport_IceStateChangeNotification,
			builder =>
				FbsIceStateChangeNotification.createIceStateChangeNotification(
					builder,
					FbsIceState.CONNECTED
				)
		);

		expect(events).toEqual([]);
		expect(transport.iceState).toBe('closed');
	});

	test('a throwing event listener emits listenererror', async () => {
		const boom = new Error('boom');
		const onListenerError = jest.fn();
		const onObserver = jest.fn();

		transport.on('icestatechange', () => {
			throw boom;
		});
		transport.on('listenererror', onListenerError);
		transport.observer.on('icestatechange', onObserver);

		emitNotification(
			transport,
			Event.WEBRTCTRANSPORT_ICE_STATE_CHANGE,
			NotificationBody.WebRtcTransport_IceStateChangeNotification,
			builder =>
				FbsIceStateChangeNotification.createIceStateChangeNotification(
					builder,
					FbsIceState.DISCONNECTED
				)
		);

		expect(onListenerError).toHaveBeenCalledWith('icestatechange', boom);
		expect(onObserver).toHaveBeenCalledWith('disconnected');
		expect(transport.iceState).toBe('disconnected');
	});

	test('hostile datagrams are dropped and counted in dump().droppedPackets', async () => {
		const port = transport.iceCandidates[0].port;

		// Neither STUN, DTLS, RTP nor RTCP.
		await sendDatagram(port, Buffer.from('hello mediasoup'));
		await waitFor(async () => (await transport.dump()).droppedPackets.notStunDtlsRtpRtcp === 1);

		// RTP-looking, but from no ICE-validated tuple.
		const rtp = Buffer.alloc(20);

		rtp[0] = 0x80;
		rtp[1] = 100;

		await sendDatagram(port, rtp);
		await waitFor(async () => (await transport.dump()).droppedPackets.unknownTuple === 1);

		const [stat] = await transport.getStats();

		expect(stat.bytesReceived).toBe(15 + 20);
		expect(stat.rtpBytesReceived).toBe(0);
		expect(transport.iceState).toBe('new');
	});

	test('close() emits observer close only, and is idempotent', async () => {
		const onObserverClose = jest.fn();
		const onRouterClose = jest.fn();
		const onListenServerClose = jest.fn();

		transport.observer.on('close', onObserverClose);
		transport.on('routerclose', onRouterClose);
		transport.on('listenserverclose', onListenServerClose);

		transport.close();

		expect(transport.closed).toBe(true);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(onRouterClose).not.toHaveBeenCalled();
		expect(onListenServerClose).not.toHaveBeenCalled();
		expect(transport.iceState).toBe('closed');
		expect(transport.iceSelectedTuple).toBeUndefined();
		expect(transport.dtlsState).toBe('closed');
		expect(transport.sctpState).toBeUndefined();

		expect(() => transport.close()).not.toThrow();
		expect(onObserverClose).toHaveBeenCalledTimes(1);

		const routerImpl = router as unknown as { transportsForTesting: Map<string, unknown> };

		expect(routerImpl.transportsForTesting.size).toBe(0);
		await expect(router.dump()).resolves.toMatchObject({ transportIds: [] });

		// Router closure later does nothing to it.
		router.close();

		expect(onRouterClose).not.toHaveBeenCalled();
		expect(onObserverClose).toHaveBeenCalledTimes(1);
	});

	test('methods of a closed transport reject NotFoundError, even with bad arguments', async () => {
		transport.close();

		const dtlsParameters: DtlsParameters = {
			fingerprints: [{ algorithm: 'sha-256', value: FINGERPRINT_VALUE }],
		};

		for (const call of [
			() => transport.dump(),
			() => transport.getStats(),
			() => transport.connect({ dtlsParameters }),
			() => transport.restartIce(),
			() => transport.setMaxIncomingBitrate(100000),
			() => transport.setMaxOutgoingBitrate(100000),
			() => transport.setMinOutgoingBitrate(100000),
			() => transport.enableTraceEvent(['bwe']),
			() => transport.produce({ kind: 'audio', rtpParameters: OPUS_RTP_PARAMETERS }),
			() => transport.consume({ producerId: 'foo', rtpCapabilities: router.rtpCapabilities }),
			() => transport.produceData({ sctpStreamParameters: { streamId: 0 } }),
			() => transport.consumeData({ dataProducerId: 'foo' }),
		]) {
			await expect(call()).rejects.toBeInstanceOf(NotFoundError);
		}

		await expect(transport.connect({} as never)).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport.enableTraceEvent('bwe' as never)).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport.produce({} as never)).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport.consume({} as never)).rejects.toBeInstanceOf(NotFoundError);
	});

	test('router.close() emits routerclose then observer close', async () => {
		const events: string[] = [];

		transport.on('routerclose', () => events.push('routerclose'));
		transport.observer.on('close', () => events.push('observer close'));
		router.observer.on('close', () => events.push('router observer close'));

		router.close();

		expect(events).toEqual(['routerclose', 'observer close', 'router observer close']);
		expect(transport.closed).toBe(true);
		expect(transport.iceState).toBe('closed');
		expect(transport.dtlsState).toBe('closed');
		await expect(transport.dump()).rejects.toBeInstanceOf(NotFoundError);
		expect((await worker.dump()).channelMessageHandlers.channelRequestHandlers).toEqual([]);
	});

	test('worker.close() emits routerclose; methods then reject WorkerClosedError', async () => {
		const onRouterClose = jest.fn();
		const onObserverClose = jest.fn();

		transport.on('routerclose', onRouterClose);
		transport.observer.on('close', onObserverClose);

		worker.close();

		expect(onRouterClose).toHaveBeenCalledTimes(1);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(transport.closed).toBe(true);
		expect(transport.iceState).toBe('closed');

		await expect(transport.dump()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(transport.getStats()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(transport.restartIce()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(
			transport.produce({ kind: 'audio', rtpParameters: OPUS_RTP_PARAMETERS })
		).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(
			transport.consume({ producerId: 'foo', rtpCapabilities: { codecs: [] } })
		).rejects.toBeInstanceOf(WorkerClosedError);
	});

	test('a throwing routerclose listener emits listenererror', async () => {
		const boom = new Error('boom');
		const onListenerError = jest.fn();
		const onObserverClose = jest.fn();

		transport.on('routerclose', () => {
			throw boom;
		});
		transport.on('listenererror', onListenerError);
		transport.observer.on('close', onObserverClose);

		expect(() => router.close()).not.toThrow();
		expect(onListenerError).toHaveBeenCalledWith('routerclose', boom);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
	});
});
