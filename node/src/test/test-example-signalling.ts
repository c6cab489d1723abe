// The example room's signalling (README, "Signalling") driven from Node over
// a WebSocket, without a browser: the server runs on loopback with one worker
// and one peer per router, so the second peer of a room gets a second router
// in the same worker and everything it receives is piped there with
// pipeToRouter({ keepId: false }). Producers take Chrome's RTP parameters
// (no media flows: nothing needs to be connected for the signalling).

import WebSocket from 'ws';
import { chromeDeviceRtpCapabilities } from './fixtures/browserRtpCapabilities';
import {
	chromeOpusProducerRtpParameters,
	chromeVp8SimulcastProducerRtpParameters,
} from './fixtures/browserRtpParameters';
import { startExampleServer, type ExampleServer } from './helpers/exampleRoom';

const TEST_TIMEOUT = 60000;
const WAIT_MS = 10000;

type Notification = { method: string; data: Record<string, unknown> };

class Client {
	readonly notifications: Notification[] = [];
	private readonly pending = new Map<
		number,
		{ resolve: (data: Record<string, unknown>) => void; reject: (error: Error) => void }
	>();
	private readonly waiters: (() => void)[] = [];
	private lastId = 0;

	private constructor(private readonly socket: WebSocket) {
		socket.on('message', raw => {
			const message = JSON.parse(String(raw));

			if (message.notification) {
				this.notifications.push({ method: message.method, data: message.data });
				this.waiters.splice(0).forEach(wake => wake());
			} else if (this.pending.has(message.id)) {
				const { resolve, reject } = this.pending.get(message.id)!;

				this.pending.delete(message.id);
				if (message.ok) {
					resolve(message.data);
				} else {
					reject(new Error(message.error));
				}
			}
		});
	}

	static async open(port: number): Promise<Client> {
		const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);

		await new Promise((resolve, reject) => {
			socket.once('open', resolve);
			socket.once('error', reject);
		});

		return new Client(socket);
	}

	request(method: string, data: object = {}): Promise<Record<string, unknown>> {
		const id = ++this.lastId;

		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.socket.send(JSON.stringify({ id, method, data }));
		});
	}

	/**
	 * Resolves with the first notification (received or to come) that matches.
	 */
	async notification(
		method: string,
		matches: (data: Record<string, unknown>) => boolean = () => true
	): Promise<Record<string, unknown>> {
		const deadline = Date.now() + WAIT_MS;

		for (;;) {
			const found = this.notifications.find(n => n.method === method && matches(n.data));

			if (found) {
				return found.data;
			}

			if (Date.now() > deadline) {
				throw new Error(
					`no ${method} notification; got ${JSON.stringify(this.notifications.map(n => n.method))}`
				);
			}

			await new Promise<void>(resolve => {
				this.waiters.push(resolve);
				setTimeout(resolve, 100);
			});
		}
	}

	terminate(): void {
		this.socket.terminate();
	}
}

let server: ExampleServer;
const clients: Client[] = [];

async function client(): Promise<Client> {
	const opened = await Client.open(server.port);

	clients.push(opened);

	return opened;
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
	const deadline = Date.now() + WAIT_MS;
	let value = await probe();

	while (!done(value)) {
		if (Date.now() > deadline) {
			throw new Error(`still ${JSON.stringify(value)}`);
		}

		await new Promise(resolve => setTimeout(resolve, 100));
		value = await probe();
	}

	return value;
}

beforeAll(async () => {
	server = await startExampleServer({
		env: { MEDIASOUP_NUM_WORKERS: '1', MAX_PEERS_PER_ROUTER: '1' },
	});
}, TEST_TIMEOUT);

afterAll(async () => {
	clients.forEach(c => c.terminate());
	await server?.close();
}, TEST_TIMEOUT);

test(
	'two peers on two routers of one worker: consumers, pause, close, errors and a peer that vanishes',
	async () => {
		const rtpCapabilities = chromeDeviceRtpCapabilities();
		const alice = await client();
		const bob = await client();

		// Alice joins and sends audio, video and chat.
		const aliceJoin = await alice.request('join', { room: 'sig', displayName: 'Alice' });

		expect(aliceJoin.peers).toEqual([]);
		expect(aliceJoin.routerRtpCapabilities).toHaveProperty('codecs');

		const aliceSend = await alice.request('createTransport', { direction: 'send' });

		await alice.request('createTransport', { direction: 'recv' });
		await alice.request('consume', { rtpCapabilities });

		const { producerId: aliceAudio } = await alice.request('produce', {
			transportId: aliceSend.transportId,
			kind: 'audio',
			rtpParameters: chromeOpusProducerRtpParameters(),
			appData: { source: 'mic' },
		});
		const { producerId: aliceVideo } = await alice.request('produce', {
			transportId: aliceSend.transportId,
			kind: 'video',
			rtpParameters: chromeVp8SimulcastProducerRtpParameters(),
			appData: { source: 'cam' },
		});
		const { dataProducerId: aliceChat } = await alice.request('produceData', {
			transportId: aliceSend.transportId,
			sctpStreamParameters: { streamId: 1, ordered: true },
			label: 'chat',
		});

		// Bob joins: a second router (one peer per router), in the only worker.
		const bobJoin = await bob.request('join', { room: 'sig', displayName: 'Bob' });

		expect(bobJoin.peers).toEqual([{ peerId: aliceJoin.peerId, displayName: 'Alice' }]);
		expect(await alice.notification('newPeer')).toEqual({
			peerId: bobJoin.peerId,
			displayName: 'Bob',
		});

		const bobRecv = await bob.request('createTransport', { direction: 'recv' });

		// Out of order or not his: errors, and nothing changes.
		await expect(bob.request('createTransport', { direction: 'recv' })).rejects.toThrow(/already/);
		await expect(
			bob.request('produce', {
				transportId: bobRecv.transportId,
				kind: 'audio',
				rtpParameters: chromeOpusProducerRtpParameters(),
			})
		).rejects.toThrow(/send transport/);
		await expect(bob.request('pauseProducer', { producerId: aliceAudio })).rejects.toThrow(
			/no producer/
		);
		await expect(bob.request('resumeConsumer', { consumerId: 'x' })).rejects.toThrow(/no consumer/);

		await bob.request('consume', { rtpCapabilities });

		// Everything Alice sends is announced to Bob, with Alice's ids.
		const audioConsumer = await bob.notification('newConsumer', d => d.kind === 'audio');
		const videoConsumer = await bob.notification('newConsumer', d => d.kind === 'video');
		const chatConsumer = await bob.notification('newDataConsumer');

		expect(audioConsumer).toMatchObject({
			producerId: aliceAudio,
			peerId: aliceJoin.peerId,
			source: 'mic',
			producerPaused: false,
		});
		expect(videoConsumer).toMatchObject({ producerId: aliceVideo, source: 'cam' });
		expect(chatConsumer).toMatchObject({ dataProducerId: aliceChat, label: 'chat' });
		await bob.request('resumeConsumer', { consumerId: audioConsumer.consumerId });

		// On the server: two routers in one worker, the piped copies with ids of their own.
		const dumped = await server.fetchDump();
		const [room] = dumped.rooms;

		expect(room.routers).toHaveLength(2);
		expect(room.routers[0].workerPid).toBe(room.routers[1].workerPid);

		const bobRouter = room.routers.find(r => r.peerIds.includes(bobJoin.peerId as string))!;
		const pipedIds = bobRouter.dump.mapProducerIdConsumerIds.map(e => e.key);

		expect(pipedIds).toHaveLength(2);
		expect(pipedIds).not.toContain(aliceAudio);

		// Alice pauses and resumes her microphone, then closes her camera.
		await alice.request('pauseProducer', { producerId: aliceAudio });
		await bob.notification('consumerPaused', d => d.consumerId === audioConsumer.consumerId);
		await alice.request('resumeProducer', { producerId: aliceAudio });
		await bob.notification('consumerResumed', d => d.consumerId === audioConsumer.consumerId);
		await alice.request('closeProducer', { producerId: aliceVideo });
		await bob.notification('consumerClosed', d => d.consumerId === videoConsumer.consumerId);

		// Bob sends audio too: Alice gets it (she asked to consume before).
		const bobSend = await bob.request('createTransport', { direction: 'send' });
		const { producerId: bobAudio } = await bob.request('produce', {
			transportId: bobSend.transportId,
			kind: 'audio',
			rtpParameters: chromeOpusProducerRtpParameters(),
		});

		await alice.notification('newConsumer', d => d.producerId === bobAudio);

		// Alice vanishes: Bob hears about it and nothing of her stays.
		alice.terminate();
		await bob.notification('consumerClosed', d => d.consumerId === audioConsumer.consumerId);
		await bob.notification('dataConsumerClosed');
		await bob.notification('peerClosed', d => d.peerId === aliceJoin.peerId);

		const afterAlice = await eventually(
			() => server.fetchDump(),
			d => d.workers[0].routerIds.length === 1
		);

		expect(afterAlice.rooms).toHaveLength(1);
		expect(afterAlice.rooms[0].peers).toEqual([
			expect.objectContaining({
				peerId: bobJoin.peerId,
				producerIds: [bobAudio],
				consumerIds: [],
				dataProducerIds: [],
				dataConsumerIds: [],
			}),
		]);
		expect(afterAlice.rooms[0].routers[0].dump.transportIds).toHaveLength(2);
		expect(JSON.stringify(afterAlice)).not.toContain(aliceJoin.peerId);

		// Bob leaves: the room and its router are gone; the socket may join again.
		await bob.request('leave');
		await expect(bob.request('consume', { rtpCapabilities })).rejects.toThrow(/before join/);

		const empty = await eventually(
			() => server.fetchDump(),
			d => d.workers[0].routerIds.length === 0
		);

		expect(empty.rooms).toEqual([]);
		expect(await bob.request('join', { room: 'sig' })).toMatchObject({ peers: [] });
	},
	TEST_TIMEOUT
);
