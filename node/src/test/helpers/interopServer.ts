// The signalling server of the mediasoup-client interop tests: it serves the
// test page over HTTP and answers the page's JSON requests over a WebSocket
// (`ws`), using only the library's public API on one Router, as a mediasoup
// app would. It listens on a Unix socket forwarded into the test network
// namespace, so the browser there reaches it at
//   http://127.0.0.1:PORT/    (the page: loopback keeps it a secure context,
//                              which getUserMedia needs)
//   ws://SERVER_IP:PORT/ws    (signalling, at the address the browser also
//                              reaches the WebRtcTransports on).

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import type {
	Consumer,
	DataConsumer,
	DataProducer,
	DtlsParameters,
	MediaKind,
	Producer,
	Router,
	RtpCapabilities,
	RtpParameters,
	SctpStreamParameters,
	WebRtcServer,
	WebRtcTransport,
} from '../../types';
import type { SignallingRequest, SignallingResponse } from '../fixtures/interop-client/api';
import { buildInteropClient } from './interopClient';
import { SERVER_IP, type TestNetwork } from './netns';
import { forwardIntoNamespace, type PortForward } from './netnsPortForward';

// Any port: the namespace is private to the test and the worker's ports are
// taken from its own range (10000 and up).
const HTTP_PORT = 8080;

type Peer = {
	transports: Map<string, WebRtcTransport>;
	producers: Map<string, Producer>;
	consumers: Map<string, Consumer>;
	dataProducers: Map<string, DataProducer>;
	dataConsumers: Map<string, DataConsumer>;
};

export class InteropServer extends EventEmitter {
	readonly pageUrl = `http://127.0.0.1:${HTTP_PORT}/`;
	readonly wsUrl = `ws://${SERVER_IP}:${HTTP_PORT}/ws`;
	/**
	 * Every Producer / Consumer / WebRtcTransport created through signalling,
	 * by id, for the test to inspect and drive.
	 */
	readonly producers = new Map<string, Producer>();
	readonly consumers = new Map<string, Consumer>();
	readonly transports = new Map<string, WebRtcTransport>();
	/**
	 * Every DataProducer / DataConsumer created through signalling, by id.
	 */
	readonly dataProducers = new Map<string, DataProducer>();
	readonly dataConsumers = new Map<string, DataConsumer>();
	/**
	 * Requests that failed, as "method: message".
	 */
	readonly errors: string[] = [];

	private readonly sockets = new Set<WebSocket>();
	private closed = false;

	private constructor(
		private readonly router: Router,
		private readonly webRtcServer: WebRtcServer | undefined,
		private readonly dir: string,
		private readonly unixPath: string,
		private readonly httpServer: http.Server,
		private readonly wsServer: WebSocketServer,
		private readonly forwards: PortForward[] = []
	) {
		super();

		wsServer.on('connection', socket => this.handleConnection(socket));
	}

	/**
	 * With `webRtcServer`, the WebRtcTransports are created on it (its listen
	 * infos must be on SERVER_IP) instead of on their own ports.
	 */
	static async create({
		router,
		network,
		webRtcServer,
	}: {
		router: Router;
		network: TestNetwork;
		webRtcServer?: WebRtcServer;
	}): Promise<InteropServer> {
		const { html, script } = await buildInteropClient();
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mstest-signalling-'));
		const unixPath = path.join(dir, 'http.sock');
		const httpServer = http.createServer((req, res) => {
			const body = req.url === '/client.js' ? script : req.url === '/' ? html : undefined;

			if (body === undefined) {
				// No favicon or anything else (204 keeps the page's console clean).
				res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();

				return;
			}

			res.writeHead(200, {
				'content-type': req.url === '/' ? 'text/html' : 'text/javascript',
				'cache-control': 'no-store',
			});
			res.end(body);
		});
		const wsServer = new WebSocketServer({ server: httpServer, path: '/ws' });

		await new Promise<void>((resolve, reject) => {
			httpServer.once('error', reject);
			httpServer.listen(unixPath, () => resolve());
		});

		const server = new InteropServer(router, webRtcServer, dir, unixPath, httpServer, wsServer);

		try {
			server.forwards.push(
				await forwardIntoNamespace({
					network,
					unixPath,
					port: HTTP_PORT,
					ips: ['127.0.0.1', SERVER_IP],
				})
			);
		} catch (error) {
			await server.close();

			throw error;
		}

		return server;
	}

	/**
	 * Serves the page at `pageUrl` in another namespace too (e.g. one made by
	 * createPeerNetwork() with a default route): a browser there loads it from
	 * its own loopback and signals to `wsUrl` across the link.
	 */
	async exposeTo(network: TestNetwork): Promise<void> {
		this.forwards.push(
			await forwardIntoNamespace({
				network,
				unixPath: this.unixPath,
				port: HTTP_PORT,
				ips: ['127.0.0.1'],
			})
		);
	}

	async close(): Promise<void> {
		if (this.closed) {
			return;
		}

		this.closed = true;

		for (const forward of this.forwards) {
			forward.close();
		}

		for (const socket of this.sockets) {
			socket.terminate();
		}

		for (const transport of this.transports.values()) {
			transport.close();
		}

		await new Promise<void>(resolve => this.wsServer.close(() => resolve()));
		this.httpServer.closeAllConnections();
		await new Promise<void>(resolve => this.httpServer.close(() => resolve()));
		fs.rmSync(this.dir, { recursive: true, force: true });
	}

	private handleConnection(socket: WebSocket): void {
		const peer: Peer = {
			transports: new Map(),
			producers: new Map(),
			consumers: new Map(),
			dataProducers: new Map(),
			dataConsumers: new Map(),
		};

		this.sockets.add(socket);

		socket.on('message', async raw => {
			let request: SignallingRequest;

			try {
				request = JSON.parse(String(raw)) as SignallingRequest;
			} catch {
				return;
			}

			let response: SignallingResponse;

			try {
				const data = await this.handleRequest(peer, request);

				response = { id: request.id, ok: true, data: data ?? {} };
			} catch (error) {
				const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);

				this.errors.push(`${request.method}: ${message}`);
				response = { id: request.id, ok: false, error: message };
			}

			if (socket.readyState === socket.OPEN) {
				socket.send(JSON.stringify(response));
			}
		});

		// A peer that goes away takes its transports (and so its producers and
		// consumers) with it.
		socket.on('close', () => {
			this.sockets.delete(socket);

			for (const transport of peer.transports.values()) {
				transport.close();
			}
		});
	}

	private transportOf(peer: Peer, data: Record<string, unknown>): WebRtcTransport {
		const transport = peer.transports.get(String(data.transportId));

		if (!transport) {
			throw new Error(`no transport ${String(data.transportId)}`);
		}

		return transport;
	}

	private producerOf(data: Record<string, unknown>): Producer {
		const producer = this.producers.get(String(data.producerId));

		if (!producer) {
			throw new Error(`no producer ${String(data.producerId)}`);
		}

		return producer;
	}

	private async handleRequest(peer: Peer, { method, data }: SignallingRequest): Promise<unknown> {
		switch (method) {
			case 'getRouterRtpCapabilities': {
				return this.router.rtpCapabilities;
			}

			case 'createWebRtcTransport': {
				// DataChannels when the page asks for them (join({ sctp: true })).
				const common = {
					enableSctp: Boolean(data.sctp),
					appData: { producing: Boolean(data.producing) },
				};
				const transport = this.webRtcServer
					? await this.router.createWebRtcTransport({
							webRtcServer: this.webRtcServer,
							enableTcp: false,
							...common,
						})
					: await this.router.createWebRtcTransport({
							listenInfos: [{ protocol: 'udp', ip: SERVER_IP }],
							...common,
						});

				peer.transports.set(transport.id, transport);
				this.transports.set(transport.id, transport);
				transport.observer.once('close', () => {
					peer.transports.delete(transport.id);
					this.transports.delete(transport.id);
				});
				this.emit('newtransport', transport);

				return {
					id: transport.id,
					iceParameters: transport.iceParameters,
					iceCandidates: transport.iceCandidates,
					dtlsParameters: transport.dtlsParameters,
					sctpParameters: transport.sctpParameters,
				};
			}

			case 'connectWebRtcTransport': {
				await this.transportOf(peer, data).connect({
					dtlsParameters: data.dtlsParameters as DtlsParameters,
				});

				return {};
			}

			case 'produce': {
				const producer = await this.transportOf(peer, data).produce({
					kind: data.kind as MediaKind,
					rtpParameters: data.rtpParameters as RtpParameters,
					appData: (data.appData as Record<string, unknown>) ?? {},
				});

				peer.producers.set(producer.id, producer);
				this.producers.set(producer.id, producer);
				producer.observer.once('close', () => {
					peer.producers.delete(producer.id);
					this.producers.delete(producer.id);
				});
				this.emit('newproducer', producer);

				return { id: producer.id };
			}

			case 'consume': {
				const transport = this.transportOf(peer, data);
				const producerId = String(data.producerId);
				const rtpCapabilities = data.rtpCapabilities as RtpCapabilities;

				if (!this.router.canConsume({ producerId, rtpCapabilities })) {
					throw new Error(`cannot consume producer ${producerId}`);
				}

				// Paused until the page has its receiver ready (resumeConsumer).
				const consumer = await transport.consume({ producerId, rtpCapabilities, paused: true });

				peer.consumers.set(consumer.id, consumer);
				this.consumers.set(consumer.id, consumer);
				consumer.observer.once('close', () => {
					peer.consumers.delete(consumer.id);
					this.consumers.delete(consumer.id);
				});
				this.emit('newconsumer', consumer);

				return {
					id: consumer.id,
					producerId,
					kind: consumer.kind,
					rtpParameters: consumer.rtpParameters,
				};
			}

			case 'produceData': {
				const dataProducer = await this.transportOf(peer, data).produceData({
					sctpStreamParameters: data.sctpStreamParameters as SctpStreamParameters,
					label: data.label as string | undefined,
					protocol: data.protocol as string | undefined,
					appData: (data.appData as Record<string, unknown>) ?? {},
				});

				peer.dataProducers.set(dataProducer.id, dataProducer);
				this.dataProducers.set(dataProducer.id, dataProducer);
				dataProducer.observer.once('close', () => {
					peer.dataProducers.delete(dataProducer.id);
					this.dataProducers.delete(dataProducer.id);
				});
				this.emit('newdataproducer', dataProducer);

				return { id: dataProducer.id };
			}

			case 'consumeData': {
				const dataConsumer = await this.transportOf(peer, data).consumeData({
					dataProducerId: String(data.dataProducerId),
				});

				peer.dataConsumers.set(dataConsumer.id, dataConsumer);
				this.dataConsumers.set(dataConsumer.id, dataConsumer);
				dataConsumer.observer.once('close', () => {
					peer.dataConsumers.delete(dataConsumer.id);
					this.dataConsumers.delete(dataConsumer.id);
				});
				this.emit('newdataconsumer', dataConsumer);

				return {
					id: dataConsumer.id,
					dataProducerId: dataConsumer.dataProducerId,
					sctpStreamParameters: dataConsumer.sctpStreamParameters,
					label: dataConsumer.label,
					protocol: dataConsumer.protocol,
				};
			}

			case 'resumeConsumer': {
				const consumer = peer.consumers.get(String(data.consumerId));

				if (!consumer) {
					throw new Error(`no consumer ${String(data.consumerId)}`);
				}

				await consumer.resume();

				return {};
			}

			case 'pauseProducer': {
				await this.producerOf(data).pause();

				return {};
			}

			case 'resumeProducer': {
				await this.producerOf(data).resume();

				return {};
			}

			case 'closeProducer': {
				this.producerOf(data).close();

				return {};
			}

			default: {
				throw new Error(`unknown method ${String(method)}`);
			}
		}
	}
}
