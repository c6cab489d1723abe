import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as mediasoup from '../';
import { WebRtcServerImpl } from '../WebRtcServer';
import type { Worker } from '../WorkerTypes';
import type { WebRtcServer, WebRtcServerOptions } from '../WebRtcServerTypes';
import type { TransportListenInfo } from '../TransportTypes';

const { EnhancedEventEmitter } = mediasoup.extras;
const { WorkerClosedError, NotFoundError } = mediasoup.errors;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// RFC 5737 documentation address: never assigned to this host, so not
// bindable; only used to make binds fail (nothing is ever sent to it).
const UNBINDABLE_IP = '192.0.2.1';

const workers = new Set<Worker>();
let worker: Worker;

beforeEach(async () => {
	worker = await createWorker();
});

afterEach(() => {
	for (const w of workers) {
		w.close();
	}

	workers.clear();
});

afterAll(async () => {
	// Let the last worker processes exit before Jest tears down.
	await sleep(50);
});

async function createWorker(settings?: mediasoup.types.WorkerSettings): Promise<Worker> {
	const w = await mediasoup.createWorker(settings);

	workers.add(w);

	return w;
}

async function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * A port that was free a moment ago (the OS picks it).
 */
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

describe('createWebRtcServer()', () => {
	test('succeeds with exact ports and emits observer newwebrtcserver', async () => {
		const onNewWebRtcServer = jest.fn();

		worker.observer.once('newwebrtcserver', onNewWebRtcServer);

		const udpPort = await pickPort('udp');
		const tcpPort = await pickPort('tcp');
		const webRtcServer = await worker.createWebRtcServer<{ foo?: number }>({
			listenInfos: [
				{ protocol: 'udp', ip: '127.0.0.1', port: udpPort },
				{ protocol: 'tcp', ip: '127.0.0.1', announcedAddress: 'foo.bar.org', port: tcpPort },
			],
			appData: { foo: 123 },
		});

		expect(onNewWebRtcServer).toHaveBeenCalledTimes(1);
		expect(onNewWebRtcServer).toHaveBeenCalledWith(webRtcServer);
		expect(webRtcServer).toBeInstanceOf(WebRtcServerImpl);
		expect(webRtcServer).toBeInstanceOf(EnhancedEventEmitter);
		expect(webRtcServer.observer).toBeInstanceOf(EnhancedEventEmitter);
		expect(webRtcServer.getMaxListeners()).toBe(Infinity);
		expect(webRtcServer.observer.getMaxListeners()).toBe(Infinity);
		expect(webRtcServer.id).toMatch(UUID_V4);
		expect(webRtcServer.closed).toBe(false);
		expect(webRtcServer.appData).toEqual({ foo: 123 });

		const workerDump = await worker.dump();

		expect(workerDump.webRtcServerIds).toEqual([webRtcServer.id]);
		expect(workerDump.routerIds).toEqual([]);
		expect(workerDump.channelMessageHandlers.channelRequestHandlers).toContain(webRtcServer.id);

		await expect(webRtcServer.dump()).resolves.toEqual({
			id: webRtcServer.id,
			// The bound address, not the announced one.
			udpSockets: [{ ip: '127.0.0.1', port: udpPort }],
			tcpServers: [{ ip: '127.0.0.1', port: tcpPort }],
			webRtcTransportIds: [],
			localIceUsernameFragments: [],
			tupleHashes: [],
			tcpConnectionCount: 0,
			tcpConnectionRejected: 0,
			tcpConnectionTimedOut: 0,
			droppedPackets: { invalidStun: 0, stunUnauthorized: 0, unknownTuple: 0 },
		});

		const impl = worker as unknown as { webRtcServersForTesting: Set<WebRtcServer> };

		expect(impl.webRtcServersForTesting.size).toBe(1);

		worker.close();

		expect(webRtcServer.closed).toBe(true);
		expect(impl.webRtcServersForTesting.size).toBe(0);
	});

	test('succeeds with a one-port portRange', async () => {
		const udpPort = await pickPort('udp');
		const tcpPort = await pickPort('tcp');
		const webRtcServer = await worker.createWebRtcServer({
			listenInfos: [
				{ protocol: 'udp', ip: '127.0.0.1', portRange: { min: udpPort, max: udpPort } },
				{
					protocol: 'tcp',
					ip: '127.0.0.1',
					announcedAddress: '192.0.2.10',
					portRange: { min: tcpPort, max: tcpPort },
				},
			],
		});

		await expect(webRtcServer.dump()).resolves.toMatchObject({
			udpSockets: [{ ip: '127.0.0.1', port: udpPort }],
			tcpServers: [{ ip: '127.0.0.1', port: tcpPort }],
		});
	});

	test('without port nor portRange picks ports in rtcMinPort..rtcMaxPort', async () => {
		const w = await createWorker({ rtcMinPort: 41000, rtcMaxPort: 41999 });
		const webRtcServer = await w.createWebRtcServer({
			listenInfos: [
				{ protocol: 'udp', ip: '127.0.0.1' },
				{ protocol: 'tcp', ip: '127.0.0.1' },
			],
		});
		const dump = await webRtcServer.dump();

		expect(dump.udpSockets).toHaveLength(1);
		expect(dump.tcpServers).toHaveLength(1);

		for (const { port } of [...dump.udpSockets, ...dump.tcpServers]) {
			expect(port).toBeGreaterThanOrEqual(41000);
			expect(port).toBeLessThanOrEqual(41999);
		}
	});

	test('listens on IPv6 ::1', async () => {
		const webRtcServer = await worker.createWebRtcServer({
			listenInfos: [
				{ protocol: 'udp', ip: '::1' },
				{ protocol: 'tcp', ip: '::1' },
			],
		});

		await expect(webRtcServer.dump()).resolves.toMatchObject({
			udpSockets: [{ ip: '::1', port: expect.any(Number) }],
			tcpServers: [{ ip: '::1', port: expect.any(Number) }],
		});
	});

	test('the caller options are not mutated', async () => {
		const options: WebRtcServerOptions = {
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', announcedIp: '192.0.2.10' }],
		};
		const copy = JSON.parse(JSON.stringify(options));

		await worker.createWebRtcServer(options);

		expect(options).toEqual(copy);
	});

	test.each<[string, unknown]>([
		['no options', undefined],
		['empty options', {}],
		['listenInfos not an array', { listenInfos: 'NOT-AN-ARRAY' }],
		['an entry not an object', { listenInfos: ['NOT-AN-OBJECT'] }],
		['empty listenInfos', { listenInfos: [] }],
		['a bad protocol', { listenInfos: [{ protocol: 'sctp', ip: '127.0.0.1' }] }],
		['a missing ip', { listenInfos: [{ protocol: 'udp' }] }],
		['a bad IP', { listenInfos: [{ protocol: 'udp', ip: 'chicken' }] }],
		['a numeric-looking bad IP', { listenInfos: [{ protocol: 'udp', ip: '123' }] }],
		['a port out of range', { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 70000 }] }],
		['a negative port', { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: -1 }] }],
		['a non numeric port', { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: '80' }] }],
		[
			'portRange.min > portRange.max',
			{ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', portRange: { min: 4000, max: 3000 } }] },
		],
		[
			'a portRange that is not an object',
			{ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', portRange: 4000 }] },
		],
		[
			'a non string announcedAddress',
			{ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', announcedAddress: 1 }] },
		],
		[
			'a non boolean flag',
			{ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', flags: { ipv6Only: 'yes' } }] },
		],
		[
			'a bad appData',
			{ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], appData: 'NOT-AN-OBJECT' },
		],
	])('with %s rejects TypeError', async (_name, options) => {
		const error = await rejection(worker.createWebRtcServer(options as WebRtcServerOptions));

		expect(error).toBeInstanceOf(TypeError);
		expect((await worker.dump()).webRtcServerIds).toEqual([]);
	});

	test('the TypeError names the field', async () => {
		const error = await rejection(
			worker.createWebRtcServer({
				listenInfos: [
					{ protocol: 'udp', ip: '127.0.0.1' },
					{ protocol: 'udp', ip: '127.0.0.1', portRange: { min: 4000, max: 3000 } },
				],
			})
		);

		expect(error).toBeInstanceOf(TypeError);
		expect(error.message).toContain('listenInfos[1].portRange');
	});

	test('with an unbindable IP rejects Error and opens nothing', async () => {
		const port = await pickPort('udp');
		const error = await rejection(
			worker.createWebRtcServer({
				listenInfos: [
					{ protocol: 'udp', ip: '127.0.0.1', port },
					{ protocol: 'udp', ip: UNBINDABLE_IP },
				],
			})
		);

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		expect((await worker.dump()).webRtcServerIds).toEqual([]);

		// The first socket was released.
		await expect(
			worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] })
		).resolves.toBeDefined();
	});

	test('with a port in use rejects Error', async () => {
		const worker2 = await createWorker();
		const port = await pickPort('udp');

		// The same UDP port twice in one server.
		await expect(
			worker.createWebRtcServer({
				listenInfos: [
					{ protocol: 'udp', ip: '127.0.0.1', port },
					{ protocol: 'udp', ip: '127.0.0.1', announcedAddress: '192.0.2.10', port },
				],
			})
		).rejects.toThrow(Error);

		await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] });

		// The same port in another server of the same worker, and in another worker.
		for (const w of [worker, worker2]) {
			const error = await rejection(
				w.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] })
			);

			expect(error).toBeInstanceOf(Error);
			expect(error).not.toBeInstanceOf(TypeError);
		}

		// A TCP server on the same port number is another socket.
		const tcpPort = await pickPort('tcp');

		await worker.createWebRtcServer({
			listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1', port: tcpPort }],
		});

		await expect(
			worker.createWebRtcServer({
				listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1', port: tcpPort }],
			})
		).rejects.toThrow(Error);
	});

	test('on a closed worker rejects WorkerClosedError, even with bad options', async () => {
		worker.close();

		await expect(
			worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] })
		).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(
			worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: 'chicken' }] })
		).rejects.toBeInstanceOf(WorkerClosedError);
	});

	test('many servers in parallel', async () => {
		const servers = await Promise.all(
			Array.from({ length: 10 }, (_, idx) =>
				worker.createWebRtcServer({
					listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
					appData: { idx },
				})
			)
		);

		expect(new Set(servers.map(server => server.id)).size).toBe(10);
		expect((await worker.dump()).webRtcServerIds.sort()).toEqual(servers.map(s => s.id).sort());
		servers.forEach((server, idx) => expect(server.appData).toEqual({ idx }));
	});
});

describe('WebRtcServer', () => {
	let webRtcServer: WebRtcServer;
	let udpPort: number;
	let tcpPort: number;

	beforeEach(async () => {
		udpPort = await pickPort('udp');
		tcpPort = await pickPort('tcp');
		webRtcServer = await worker.createWebRtcServer({
			listenInfos: [
				{ protocol: 'udp', ip: '127.0.0.1', port: udpPort },
				{ protocol: 'tcp', ip: '127.0.0.1', port: tcpPort },
			],
		});
	});

	test('appData', async () => {
		const other = await worker.createWebRtcServer({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		});

		expect(webRtcServer.appData).toEqual({});

		// Defaults are not shared.
		webRtcServer.appData.foo = 1;

		expect(other.appData).toEqual({});

		webRtcServer.appData = { bar: 'baz' };

		expect(webRtcServer.appData).toEqual({ bar: 'baz' });
	});

	test('close() releases the ports and emits only observer close', async () => {
		const onObserverClose = jest.fn();
		const onWorkerClose = jest.fn();

		webRtcServer.observer.on('close', onObserverClose);
		webRtcServer.on('workerclose', onWorkerClose);

		webRtcServer.close();

		expect(webRtcServer.closed).toBe(true);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(onWorkerClose).not.toHaveBeenCalled();

		// Idempotent and never throws.
		expect(() => webRtcServer.close()).not.toThrow();
		expect(onObserverClose).toHaveBeenCalledTimes(1);

		await expect(webRtcServer.dump()).rejects.toBeInstanceOf(NotFoundError);
		expect((await worker.dump()).webRtcServerIds).toEqual([]);

		// The very same ports can be used again.
		const again = await worker.createWebRtcServer({
			listenInfos: [
				{ protocol: 'udp', ip: '127.0.0.1', port: udpPort },
				{ protocol: 'tcp', ip: '127.0.0.1', port: tcpPort },
			],
		});

		await expect(again.dump()).resolves.toMatchObject({
			udpSockets: [{ port: udpPort }],
			tcpServers: [{ port: tcpPort }],
		});

		// Later worker closure does not emit anything on it.
		worker.close();

		expect(onWorkerClose).not.toHaveBeenCalled();
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		await expect(webRtcServer.dump()).rejects.toBeInstanceOf(WorkerClosedError);
	});

	test('worker.close() emits workerclose then observer close', async () => {
		const events: string[] = [];

		webRtcServer.on('workerclose', () => events.push('workerclose'));
		webRtcServer.observer.on('close', () => events.push('observer close'));

		worker.close();

		expect(webRtcServer.closed).toBe(true);
		expect(events).toEqual(['workerclose', 'observer close']);
		await expect(webRtcServer.dump()).rejects.toBeInstanceOf(WorkerClosedError);

		webRtcServer.close();

		expect(events).toHaveLength(2);
	});

	test('a throwing workerclose listener emits listenererror', async () => {
		const boom = new Error('boom');
		const onListenerError = jest.fn();

		webRtcServer.on('workerclose', () => {
			throw boom;
		});
		webRtcServer.on('listenererror', onListenerError);

		expect(() => worker.close()).not.toThrow();
		expect(onListenerError).toHaveBeenCalledWith('workerclose', boom);
		expect(webRtcServer.closed).toBe(true);
	});

	test('a WebRtcTransport on it uses its sockets and is handled', async () => {
		const router = await worker.createRouter();
		const onHandled = jest.fn();
		const onUnhandled = jest.fn();
		const onNewTransport = jest.fn();

		webRtcServer.observer.on('webrtctransporthandled', onHandled);
		webRtcServer.observer.on('webrtctransportunhandled', onUnhandled);
		router.observer.on('newtransport', onNewTransport);

		const transport = await router.createWebRtcTransport({
			webRtcServer,
			appData: { foo: 'bar' },
		});

		expect(onHandled).toHaveBeenCalledTimes(1);
		expect(onHandled).toHaveBeenCalledWith(transport);
		expect(onNewTransport).toHaveBeenCalledWith(transport);
		expect(onUnhandled).not.toHaveBeenCalled();
		expect(transport.appData).toEqual({ foo: 'bar' });

		// enableTcp defaults to true with a WebRtcServer: both sockets, UDP first.
		const candidates = transport.iceCandidates;

		expect(candidates).toHaveLength(2);
		expect(candidates[0]).toMatchObject({
			ip: '127.0.0.1',
			address: '127.0.0.1',
			port: udpPort,
			protocol: 'udp',
			type: 'host',
		});
		expect(candidates[0].tcpType).toBeUndefined();
		expect(candidates[1]).toMatchObject({
			ip: '127.0.0.1',
			address: '127.0.0.1',
			port: tcpPort,
			protocol: 'tcp',
			type: 'host',
			tcpType: 'passive',
		});
		expect(candidates[0].priority).toBeGreaterThan(candidates[1].priority);

		const serverImpl = webRtcServer as unknown as {
			webRtcTransportsForTesting: Map<string, unknown>;
		};
		const routerImpl = router as unknown as { transportsForTesting: Map<string, unknown> };

		expect(serverImpl.webRtcTransportsForTesting.size).toBe(1);
		expect(routerImpl.transportsForTesting.size).toBe(1);

		await expect(webRtcServer.dump()).resolves.toEqual({
			id: webRtcServer.id,
			udpSockets: [{ ip: '127.0.0.1', port: udpPort }],
			tcpServers: [{ ip: '127.0.0.1', port: tcpPort }],
			webRtcTransportIds: [transport.id],
			localIceUsernameFragments: [
				{
					localIceUsernameFragment: transport.iceParameters.usernameFragment,
					webRtcTransportId: transport.id,
				},
			],
			tupleHashes: [],
			tcpConnectionCount: 0,
			tcpConnectionRejected: 0,
			tcpConnectionTimedOut: 0,
			droppedPackets: { invalidStun: 0, stunUnauthorized: 0, unknownTuple: 0 },
		});

		transport.close();

		expect(onUnhandled).toHaveBeenCalledTimes(1);
		expect(onUnhandled).toHaveBeenCalledWith(transport);
		expect(serverImpl.webRtcTransportsForTesting.size).toBe(0);
		expect(routerImpl.transportsForTesting.size).toBe(0);

		await expect(webRtcServer.dump()).resolves.toMatchObject({
			webRtcTransportIds: [],
			localIceUsernameFragments: [],
		});
		expect(webRtcServer.closed).toBe(false);
	});

	test('enableUdp / enableTcp select the sockets, preferTcp puts TCP first', async () => {
		const router = await worker.createRouter();
		const tcpOnly = await router.createWebRtcTransport({ webRtcServer, enableUdp: false });

		expect(tcpOnly.iceCandidates).toHaveLength(1);
		expect(tcpOnly.iceCandidates[0]).toMatchObject({ protocol: 'tcp', port: tcpPort });

		const udpOnly = await router.createWebRtcTransport({ webRtcServer, enableTcp: false });

		expect(udpOnly.iceCandidates).toHaveLength(1);
		expect(udpOnly.iceCandidates[0]).toMatchObject({ protocol: 'udp', port: udpPort });

		const tcpFirst = await router.createWebRtcTransport({ webRtcServer, preferTcp: true });

		expect(tcpFirst.iceCandidates.map(c => c.protocol)).toEqual(['tcp', 'udp']);
		expect(tcpFirst.iceCandidates[0].priority).toBeGreaterThan(tcpFirst.iceCandidates[1].priority);

		await expect(
			router.createWebRtcTransport({ webRtcServer, enableUdp: false, enableTcp: false })
		).rejects.toBeInstanceOf(TypeError);
	});

	test('a WebRtcServer with an announced address advertises it', async () => {
		const server = await worker.createWebRtcServer({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', announcedAddress: 'media.example.org' }],
		});
		const router = await worker.createRouter();
		const transport = await router.createWebRtcTransport({ webRtcServer: server });

		expect(transport.iceCandidates).toHaveLength(1);
		expect(transport.iceCandidates[0].address).toBe('media.example.org');
		expect(transport.iceCandidates[0].ip).toBe('media.example.org');
	});

	test('exposeInternalIp adds the internal IP candidate after each announced one', async () => {
		const server = await worker.createWebRtcServer({
			listenInfos: [
				{
					protocol: 'udp',
					ip: '127.0.0.1',
					announcedAddress: '192.0.2.10',
					exposeInternalIp: true,
				},
				{
					protocol: 'tcp',
					ip: '127.0.0.1',
					announcedAddress: '192.0.2.20',
					exposeInternalIp: true,
				},
				// Without announcedAddress there is nothing more to expose.
				{ protocol: 'udp', ip: '127.0.0.1', exposeInternalIp: true },
			],
		});
		const router = await worker.createRouter();
		const summary = (transport: mediasoup.types.WebRtcTransport): unknown[][] =>
			transport.iceCandidates.map(c => [c.protocol, c.ip, c.address, c.tcpType ?? null]);

		const tcpOnly = await router.createWebRtcTransport({ webRtcServer: server, enableUdp: false });

		expect(summary(tcpOnly)).toEqual([
			['tcp', '192.0.2.20', '192.0.2.20', 'passive'],
			['tcp', '127.0.0.1', '127.0.0.1', 'passive'],
		]);

		const both = await router.createWebRtcTransport({ webRtcServer: server });
		const candidates = both.iceCandidates;

		expect(summary(both)).toEqual([
			['udp', '192.0.2.10', '192.0.2.10', null],
			['udp', '127.0.0.1', '127.0.0.1', null],
			['tcp', '192.0.2.20', '192.0.2.20', 'passive'],
			['tcp', '127.0.0.1', '127.0.0.1', 'passive'],
			['udp', '127.0.0.1', '127.0.0.1', null],
		]);

		// Each internal candidate: the same socket, 1000 below its announced one.
		for (const i of [0, 2]) {
			expect(candidates[i + 1].port).toBe(candidates[i].port);
			expect(candidates[i].priority - candidates[i + 1].priority).toBe(1000);
		}

		for (let i = 1; i < candidates.length; ++i) {
			expect(candidates[i - 1].priority).toBeGreaterThan(candidates[i].priority);
		}

		// Different addresses, different foundations (RFC 8445 5.1.1.3).
		expect(new Set(candidates.map(c => c.foundation)).size).toBe(candidates.length);
	});

	test('restartIce() adds a username fragment in the dump', async () => {
		const router = await worker.createRouter();
		const transport = await router.createWebRtcTransport({ webRtcServer });
		const firstFragment = transport.iceParameters.usernameFragment;
		const { usernameFragment: secondFragment } = await transport.restartIce();

		expect(secondFragment).not.toBe(firstFragment);

		const dump = await webRtcServer.dump();

		expect(dump.webRtcTransportIds).toEqual([transport.id]);
		expect(
			dump.localIceUsernameFragments
				.map(entry => [entry.localIceUsernameFragment, entry.webRtcTransportId])
				.sort()
		).toEqual(
			[
				[firstFragment, transport.id],
				[secondFragment, transport.id],
			].sort()
		);
	});

	test('transports of several routers share it', async () => {
		const router1 = await worker.createRouter();
		const router2 = await worker.createRouter();
		const transport1 = await router1.createWebRtcTransport({ webRtcServer });
		const transport2 = await router2.createWebRtcTransport({ webRtcServer });
		const dump = await webRtcServer.dump();

		expect(dump.webRtcTransportIds.sort()).toEqual([transport1.id, transport2.id].sort());
		expect(dump.localIceUsernameFragments).toHaveLength(2);
	});

	test('close() closes its transports with listenserverclose', async () => {
		const router = await worker.createRouter();
		const transport = await router.createWebRtcTransport({ webRtcServer });
		const events: string[] = [];

		transport.on('listenserverclose', () => events.push('transport listenserverclose'));
		transport.on('routerclose', () => events.push('transport routerclose'));
		transport.observer.on('close', () => events.push('transport observer close'));
		webRtcServer.observer.on('webrtctransportunhandled', t => {
			expect(t).toBe(transport);
			events.push('server webrtctransportunhandled');
		});
		webRtcServer.observer.on('close', () => events.push('server observer close'));

		webRtcServer.close();

		expect(events).toEqual([
			'transport listenserverclose',
			'transport observer close',
			'server webrtctransportunhandled',
			'server observer close',
		]);
		expect(transport.closed).toBe(true);
		expect(transport.iceState).toBe('closed');
		expect(transport.iceSelectedTuple).toBeUndefined();
		expect(transport.dtlsState).toBe('closed');
		expect(transport.sctpState).toBeUndefined();

		const serverImpl = webRtcServer as unknown as {
			webRtcTransportsForTesting: Map<string, unknown>;
		};
		const routerImpl = router as unknown as { transportsForTesting: Map<string, unknown> };

		expect(serverImpl.webRtcTransportsForTesting.size).toBe(0);
		expect(routerImpl.transportsForTesting.size).toBe(0);

		const workerDump = await worker.dump();

		expect(workerDump.webRtcServerIds).toEqual([]);
		expect(workerDump.routerIds).toEqual([router.id]);
		expect(workerDump.channelMessageHandlers.channelRequestHandlers).not.toContain(transport.id);
		await expect(router.dump()).resolves.toMatchObject({ transportIds: [] });
		await expect(transport.dump()).rejects.toBeInstanceOf(NotFoundError);

		// Closing it again later does nothing.
		transport.close();

		expect(events).toHaveLength(4);
	});

	test('router.close() closes its transports with routerclose, the server stays', async () => {
		const router = await worker.createRouter();
		const transport = await router.createWebRtcTransport({ webRtcServer });
		const onListenServerClose = jest.fn();
		const onRouterClose = jest.fn();
		const onUnhandled = jest.fn();

		transport.on('listenserverclose', onListenServerClose);
		transport.on('routerclose', onRouterClose);
		webRtcServer.observer.on('webrtctransportunhandled', onUnhandled);

		router.close();

		expect(onRouterClose).toHaveBeenCalledTimes(1);
		expect(onListenServerClose).not.toHaveBeenCalled();
		expect(onUnhandled).toHaveBeenCalledWith(transport);
		expect(webRtcServer.closed).toBe(false);

		await expect(webRtcServer.dump()).resolves.toMatchObject({
			webRtcTransportIds: [],
			localIceUsernameFragments: [],
		});

		// The server keeps working.
		const router2 = await worker.createRouter();

		await expect(router2.createWebRtcTransport({ webRtcServer })).resolves.toBeDefined();
	});

	test('worker.close() closes transports with routerclose and the server with workerclose', async () => {
		const router = await worker.createRouter();
		const transport = await router.createWebRtcTransport({ webRtcServer });
		const events: string[] = [];

		transport.on('routerclose', () => events.push('transport routerclose'));
		transport.on('listenserverclose', () => events.push('transport listenserverclose'));
		router.on('workerclose', () => events.push('router workerclose'));
		webRtcServer.on('workerclose', () => events.push('server workerclose'));

		worker.close();

		expect(events).toEqual(['transport routerclose', 'router workerclose', 'server workerclose']);
		expect(transport.closed).toBe(true);
		expect(webRtcServer.closed).toBe(true);
	});

	test('createWebRtcTransport() on a closed server rejects', async () => {
		const router = await worker.createRouter();

		webRtcServer.close();

		await expect(router.createWebRtcTransport({ webRtcServer })).rejects.toThrow(Error);
		await expect(router.dump()).resolves.toMatchObject({ transportIds: [] });
	});

	test('createWebRtcTransport() with a fake server rejects TypeError', async () => {
		const router = await worker.createRouter();

		await expect(
			router.createWebRtcTransport({ webRtcServer: { id: 'foo' } as unknown as WebRtcServer })
		).rejects.toBeInstanceOf(TypeError);
		await expect(
			router.createWebRtcTransport({ webRtcServer: 'foo' as unknown as WebRtcServer })
		).rejects.toBeInstanceOf(TypeError);
	});

	test('webRtcServer wins over listenInfos; all three listen modes rejects TypeError', async () => {
		const router = await worker.createRouter();
		const listenInfos: TransportListenInfo[] = [{ protocol: 'udp', ip: '127.0.0.1' }];
		const transport = await router.createWebRtcTransport({
			webRtcServer,
			listenInfos,
		} as never);

		expect(transport.iceCandidates.map(c => c.port)).toEqual([udpPort, tcpPort]);

		await expect(
			router.createWebRtcTransport({
				webRtcServer,
				listenInfos,
				listenIps: ['127.0.0.1'],
			} as never)
		).rejects.toBeInstanceOf(TypeError);
	});
});
