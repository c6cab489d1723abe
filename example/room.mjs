// A room of the example: its peers, the routers they are spread over (one
// per worker as the room grows past `maxPeersPerRouter` peers per router),
// and the signalling requests of its peers once they have joined.
//
// Media and chat always go from the sender's router to the receiver's: when
// the two differ, the producer (or data producer) is first piped with
// router.pipeToRouter(), once per target router, and the receiver consumes
// the piped copy. Every router of the room gets every producer of the room
// as soon as it appears, so that each router's ActiveSpeakerObserver hears
// every microphone.

import { randomUUID } from 'node:crypto';
import { mediaCodecs } from './config.mjs';

/**
 * A request that cannot be served: its message goes back to the client.
 */
export class SignallingError extends Error {
	constructor(message) {
		super(message);
		this.name = 'SignallingError';
	}
}

function fail(message) {
	throw new SignallingError(message);
}

function requireString(data, field) {
	if (typeof data[field] !== 'string' || data[field] === '') {
		fail(`"${field}" must be a non-empty string`);
	}

	return data[field];
}

function requireObject(data, field) {
	const value = data[field];

	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		fail(`"${field}" must be an object`);
	}

	return value;
}

function warn(what, error) {
	console.warn(`example: ${what}: ${error?.message ?? error}`);
}

/**
 * One participant, from its join request until it leaves or its WebSocket
 * closes.
 */
export class Peer {
	id = randomUUID();
	closed = false;
	/** The RoomRouter the peer's transports are on (set by Room.join()). */
	roomRouter = undefined;
	sendTransport = undefined;
	recvTransport = undefined;
	transports = new Map();
	producers = new Map();
	consumers = new Map();
	dataProducers = new Map();
	dataConsumers = new Map();
	/** Directions of the transports being created. */
	creatingTransports = new Set();
	/** Set by the consume request: from then on the peer receives everything. */
	rtpCapabilities = undefined;
	#notify;

	constructor({ displayName, notify }) {
		this.displayName = displayName;
		this.#notify = notify;
	}

	notify(method, data) {
		if (!this.closed) {
			this.#notify(method, data);
		}
	}
}

export class Room {
	#pool;
	#config;
	#onClose;
	/** RoomRouter: { router, worker, activeSpeakerObserver, peers, piped, pipedData, speakers } */
	#routers = [];
	#peers = new Map();
	#pendingJoins = 0;
	#joinQueue = Promise.resolve();
	closed = false;

	constructor({ name, pool, config, onClose }) {
		this.name = name;
		this.#pool = pool;
		this.#config = config;
		this.#onClose = onClose;
	}

	/**
	 * Places the peer on a router of the room (the first one with room to
	 * spare, or a new one in the least loaded other worker) and tells the
	 * others.
	 */
	async join(peer) {
		this.#pendingJoins++;

		try {
			// One join at a time, so that two newcomers do not both open a router.
			const done = this.#joinQueue.then(() => this.#place(peer));

			this.#joinQueue = done.catch(() => {});
			await done;
		} catch (error) {
			this.#pendingJoins--;
			this.#maybeClose();

			throw error;
		}

		this.#pendingJoins--;

		if (peer.closed) {
			this.removePeer(peer);
			fail('left while joining');
		}

		for (const other of this.#peers.values()) {
			if (other !== peer) {
				other.notify('newPeer', { peerId: peer.id, displayName: peer.displayName });
			}
		}

		console.log(
			`example: room "${this.name}": ${peer.displayName} (${peer.id}) joined, router ${peer.roomRouter.router.id} on worker ${peer.roomRouter.worker.pid}`
		);

		return {
			peerId: peer.id,
			routerRtpCapabilities: peer.roomRouter.router.rtpCapabilities,
			peers: [...this.#peers.values()]
				.filter(other => other !== peer)
				.map(other => ({ peerId: other.id, displayName: other.displayName })),
			activeSpeakerPeerId: this.#peers.has(peer.roomRouter.activeSpeakerPeerId)
				? peer.roomRouter.activeSpeakerPeerId
				: undefined,
		};
	}

	/**
	 * Closes everything of the peer (its transports take their producers,
	 * consumers and data producers/consumers with them; the pipes of its
	 * producers then close their far ends), tells the others, and closes the
	 * peer's router if it is now empty, and the room if it is.
	 */
	removePeer(peer) {
		peer.closed = true;

		for (const transport of peer.transports.values()) {
			transport.close();
		}

		if (this.#peers.get(peer.id) !== peer) {
			this.#maybeClose();

			return;
		}

		this.#peers.delete(peer.id);

		const roomRouter = peer.roomRouter;

		roomRouter.peers.delete(peer);
		this.#pool.removePeer(roomRouter.worker);

		for (const other of this.#peers.values()) {
			other.notify('peerClosed', { peerId: peer.id });
		}

		console.log(`example: room "${this.name}": ${peer.displayName} (${peer.id}) left`);

		if (roomRouter.peers.size === 0) {
			this.#closeRouter(roomRouter);
		}

		this.#maybeClose();
	}

	/**
	 * Serves the requests of a joined peer (all but join and leave).
	 */
	async handle(peer, method, data) {
		switch (method) {
			case 'createTransport':
				return this.#createTransport(peer, data);
			case 'connectTransport': {
				const transport = this.#transportOf(peer, data);

				await transport.connect({ dtlsParameters: requireObject(data, 'dtlsParameters') });

				return {};
			}
			case 'produce':
				return this.#produce(peer, data);
			case 'produceData':
				return this.#produceData(peer, data);
			case 'consume':
				return this.#startConsuming(peer, data);
			case 'resumeConsumer': {
				const consumer = peer.consumers.get(requireString(data, 'consumerId'));

				if (!consumer) {
					fail(`no consumer ${data.consumerId}`);
				}

				await consumer.resume();

				return {};
			}
			case 'pauseProducer':
				await this.#producerOf(peer, data).pause();

				return {};
			case 'resumeProducer':
				await this.#producerOf(peer, data).resume();

				return {};
			case 'closeProducer':
				this.#producerOf(peer, data).close();

				return {};
			default:
				fail(`unknown method "${method}"`);
		}
	}

	async dump() {
		return {
			name: this.name,
			routers: await Promise.all(
				this.#routers.map(async roomRouter => ({
					routerId: roomRouter.router.id,
					workerPid: roomRouter.worker.pid,
					peerIds: [...roomRouter.peers].map(peer => peer.id),
					dump: await roomRouter.router.dump().catch(error => ({ error: error.message })),
				}))
			),
			peers: [...this.#peers.values()].map(peer => ({
				peerId: peer.id,
				displayName: peer.displayName,
				routerId: peer.roomRouter.router.id,
				transportIds: [...peer.transports.keys()],
				producerIds: [...peer.producers.keys()],
				consumerIds: [...peer.consumers.keys()],
				dataProducerIds: [...peer.dataProducers.keys()],
				dataConsumerIds: [...peer.dataConsumers.keys()],
			})),
		};
	}

	close() {
		if (this.closed) {
			return;
		}

		this.closed = true;

		for (const peer of [...this.#peers.values()]) {
			this.removePeer(peer);
		}

		for (const roomRouter of [...this.#routers]) {
			this.#closeRouter(roomRouter);
		}

		this.#onClose();
	}

	// ---- Routers -----------------------------------------------------------

	async #place(peer) {
		if (this.closed) {
			fail('the room is closing, join again');
		}

		if (peer.closed) {
			return;
		}

		const roomRouter =
			this.#routers.find(r => r.peers.size < this.#config.maxPeersPerRouter) ??
			(await this.#addRouter());

		if (peer.closed) {
			if (roomRouter.peers.size === 0) {
				this.#closeRouter(roomRouter);
			}

			return;
		}

		peer.roomRouter = roomRouter;
		roomRouter.peers.add(peer);
		this.#pool.addPeer(roomRouter.worker);
		this.#peers.set(peer.id, peer);
	}

	async #addRouter() {
		const worker = this.#pool.leastLoaded(new Set(this.#routers.map(r => r.worker)));
		const router = await worker.createRouter({ mediaCodecs, appData: { room: this.name } });
		let activeSpeakerObserver;

		try {
			activeSpeakerObserver = await router.createActiveSpeakerObserver({ interval: 300 });
		} catch (error) {
			router.close();

			throw error;
		}

		const roomRouter = {
			router,
			worker,
			activeSpeakerObserver,
			peers: new Set(),
			// Producer id in the room -> Promise of its id on this router (piped copies).
			piped: new Map(),
			pipedData: new Map(),
			// Audio producer id on this router -> id of the peer who speaks through it.
			speakers: new Map(),
			activeSpeakerPeerId: undefined,
		};

		activeSpeakerObserver.on('dominantspeaker', ({ producer }) => {
			const peerId = roomRouter.speakers.get(producer.id);

			if (peerId) {
				roomRouter.activeSpeakerPeerId = peerId;

				for (const peer of roomRouter.peers) {
					peer.notify('activeSpeaker', { peerId });
				}
			}
		});

		this.#pool.addRouter(worker);
		this.#routers.push(roomRouter);

		if (this.#routers.length > 1) {
			console.log(
				`example: room "${this.name}": router ${router.id} on worker ${worker.pid} (router ${this.#routers.length} of the room)`
			);
		}

		// What the room already sends reaches the new router too.
		for (const peer of this.#peers.values()) {
			for (const producer of peer.producers.values()) {
				this.#pipeProducer(producer, peer.roomRouter, roomRouter).catch(error =>
					warn('pipeToRouter', error)
				);
			}

			for (const dataProducer of peer.dataProducers.values()) {
				this.#pipeDataProducer(dataProducer, peer.roomRouter, roomRouter).catch(error =>
					warn('pipeToRouter (data)', error)
				);
			}
		}

		return roomRouter;
	}

	#closeRouter(roomRouter) {
		const index = this.#routers.indexOf(roomRouter);

		if (index === -1) {
			return;
		}

		this.#routers.splice(index, 1);
		this.#pool.removeRouter(roomRouter.worker);
		// Its pipe transports close, and with them the piped producers on the
		// other side.
		roomRouter.router.close();
	}

	#maybeClose() {
		if (this.#peers.size === 0 && this.#pendingJoins === 0) {
			this.close();
		}
	}

	/**
	 * The id on `to` of a producer of `from`: piped once per target router.
	 * Within one worker the piped copy needs its own id (keepId: false).
	 */
	#pipeProducer(producer, from, to) {
		let promise = to.piped.get(producer.id);

		if (promise) {
			return promise;
		}

		promise = (async () => {
			const { pipeProducer } = await from.router.pipeToRouter({
				producerId: producer.id,
				router: to.router,
				keepId: from.worker !== to.worker,
			});

			pipeProducer.observer.once('close', () => {
				if (to.piped.get(producer.id) === promise) {
					to.piped.delete(producer.id);
				}

				to.speakers.delete(pipeProducer.id);
			});

			if (pipeProducer.kind === 'audio' && !pipeProducer.closed) {
				to.speakers.set(pipeProducer.id, producer.appData.peerId);
				await to.activeSpeakerObserver
					.addProducer({ producerId: pipeProducer.id })
					.catch(error => warn('activeSpeakerObserver.addProducer', error));
			}

			return pipeProducer.id;
		})();

		to.piped.set(producer.id, promise);
		promise.catch(() => {
			if (to.piped.get(producer.id) === promise) {
				to.piped.delete(producer.id);
			}
		});

		return promise;
	}

	#pipeDataProducer(dataProducer, from, to) {
		let promise = to.pipedData.get(dataProducer.id);

		if (promise) {
			return promise;
		}

		promise = (async () => {
			const { pipeDataProducer } = await from.router.pipeToRouter({
				dataProducerId: dataProducer.id,
				router: to.router,
				keepId: from.worker !== to.worker,
			});

			pipeDataProducer.observer.once('close', () => {
				if (to.pipedData.get(dataProducer.id) === promise) {
					to.pipedData.delete(dataProducer.id);
				}
			});

			return pipeDataProducer.id;
		})();

		to.pipedData.set(dataProducer.id, promise);
		promise.catch(() => {
			if (to.pipedData.get(dataProducer.id) === promise) {
				to.pipedData.delete(dataProducer.id);
			}
		});

		return promise;
	}

	// ---- Requests ----------------------------------------------------------

	#transportOf(peer, data) {
		const transport = peer.transports.get(requireString(data, 'transportId'));

		if (!transport) {
			fail(`no transport ${data.transportId}`);
		}

		return transport;
	}

	#producerOf(peer, data) {
		const producer = peer.producers.get(requireString(data, 'producerId'));

		if (!producer) {
			fail(`no producer ${data.producerId}`);
		}

		return producer;
	}

	async #createTransport(peer, data) {
		const direction = data.direction;

		if (direction !== 'send' && direction !== 'recv') {
			fail('"direction" must be "send" or "recv"');
		}

		const slot = `${direction}Transport`;

		if (peer[slot] || peer.creatingTransports.has(direction)) {
			fail(`there is a ${direction} transport already`);
		}

		// A second request while this one is in flight gets the error above.
		peer.creatingTransports.add(direction);

		const { listenIp, announcedAddress } = this.#config;
		const listenInfos = ['udp', 'tcp'].map(protocol => ({
			protocol,
			ip: listenIp,
			...(announcedAddress ? { announcedAddress } : {}),
		}));
		let transport;

		try {
			transport = await peer.roomRouter.router.createWebRtcTransport({
				listenInfos,
				enableSctp: true,
				appData: { peerId: peer.id, direction },
			});
		} finally {
			peer.creatingTransports.delete(direction);
		}

		if (peer.closed) {
			transport.close();
			fail('left meanwhile');
		}

		peer[slot] = transport;
		peer.transports.set(transport.id, transport);
		transport.observer.once('close', () => {
			peer.transports.delete(transport.id);

			if (peer[slot] === transport) {
				peer[slot] = undefined;
			}
		});

		return {
			transportId: transport.id,
			iceParameters: transport.iceParameters,
			iceCandidates: transport.iceCandidates,
			dtlsParameters: transport.dtlsParameters,
			sctpParameters: transport.sctpParameters,
		};
	}

	#sendTransportOf(peer, data) {
		const transport = this.#transportOf(peer, data);

		if (transport !== peer.sendTransport) {
			fail('produce on the send transport');
		}

		return transport;
	}

	async #produce(peer, data) {
		const transport = this.#sendTransportOf(peer, data);
		const kind = data.kind;
		const source = typeof data.appData?.source === 'string' ? data.appData.source : kind;

		if (kind !== 'audio' && kind !== 'video') {
			fail('"kind" must be "audio" or "video"');
		}

		const producer = await transport.produce({
			kind,
			rtpParameters: requireObject(data, 'rtpParameters'),
			appData: { peerId: peer.id, source },
		});

		if (producer.closed) {
			fail('left meanwhile');
		}

		const roomRouter = peer.roomRouter;

		peer.producers.set(producer.id, producer);
		producer.observer.once('close', () => {
			peer.producers.delete(producer.id);
			roomRouter.speakers.delete(producer.id);
		});

		if (kind === 'audio') {
			roomRouter.speakers.set(producer.id, peer.id);
			roomRouter.activeSpeakerObserver
				.addProducer({ producerId: producer.id })
				.catch(error => warn('activeSpeakerObserver.addProducer', error));
		}

		for (const other of this.#routers) {
			if (other !== roomRouter) {
				this.#pipeProducer(producer, roomRouter, other).catch(error => warn('pipeToRouter', error));
			}
		}

		for (const other of this.#peers.values()) {
			if (other !== peer && other.rtpCapabilities) {
				this.#consume(other, peer, producer).catch(error => warn('consume', error));
			}
		}

		return { producerId: producer.id };
	}

	async #produceData(peer, data) {
		const transport = this.#sendTransportOf(peer, data);
		const dataProducer = await transport.produceData({
			sctpStreamParameters: requireObject(data, 'sctpStreamParameters'),
			label: typeof data.label === 'string' ? data.label : '',
			protocol: typeof data.protocol === 'string' ? data.protocol : '',
			appData: { peerId: peer.id },
		});

		if (dataProducer.closed) {
			fail('left meanwhile');
		}

		peer.dataProducers.set(dataProducer.id, dataProducer);
		dataProducer.observer.once('close', () => peer.dataProducers.delete(dataProducer.id));

		for (const other of this.#routers) {
			if (other !== peer.roomRouter) {
				this.#pipeDataProducer(dataProducer, peer.roomRouter, other).catch(error =>
					warn('pipeToRouter (data)', error)
				);
			}
		}

		for (const other of this.#peers.values()) {
			if (other !== peer && other.rtpCapabilities) {
				this.#consumeData(other, peer, dataProducer).catch(error => warn('consumeData', error));
			}
		}

		return { dataProducerId: dataProducer.id };
	}

	/**
	 * The consume request: the peer's recv transport is ready and these are
	 * its device's capabilities. It now gets a consumer (newConsumer) for
	 * every producer of the others and a data consumer (newDataConsumer) for
	 * every data producer, and for those that come later.
	 */
	async #startConsuming(peer, data) {
		if (!peer.recvTransport) {
			fail('create the recv transport first');
		}

		if (peer.rtpCapabilities) {
			fail('consuming already');
		}

		peer.rtpCapabilities = requireObject(data, 'rtpCapabilities');

		const jobs = [];

		for (const other of this.#peers.values()) {
			if (other === peer) {
				continue;
			}

			for (const producer of other.producers.values()) {
				jobs.push(this.#consume(peer, other, producer));
			}

			for (const dataProducer of other.dataProducers.values()) {
				jobs.push(this.#consumeData(peer, other, dataProducer));
			}
		}

		for (const result of await Promise.allSettled(jobs)) {
			if (result.status === 'rejected') {
				warn('consume', result.reason);
			}
		}

		return {};
	}

	async #consume(peer, producerPeer, producer) {
		const roomRouter = peer.roomRouter;
		const producerId =
			roomRouter === producerPeer.roomRouter
				? producer.id
				: await this.#pipeProducer(producer, producerPeer.roomRouter, roomRouter);
		const transport = peer.recvTransport;

		if (peer.closed || producer.closed || !transport || transport.closed) {
			return;
		}

		if (!roomRouter.router.canConsume({ producerId, rtpCapabilities: peer.rtpCapabilities })) {
			warn('consume', `${peer.displayName} cannot consume ${producer.kind} ${producer.id}`);

			return;
		}

		// Paused until the client has its side ready (resumeConsumer).
		const consumer = await transport.consume({
			producerId,
			rtpCapabilities: peer.rtpCapabilities,
			paused: true,
			appData: { peerId: producerPeer.id, producerId: producer.id },
		});

		if (consumer.closed) {
			return;
		}

		peer.consumers.set(consumer.id, consumer);
		consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
		consumer.on('producerclose', () => peer.notify('consumerClosed', { consumerId: consumer.id }));
		consumer.on('producerpause', () => peer.notify('consumerPaused', { consumerId: consumer.id }));
		consumer.on('producerresume', () =>
			peer.notify('consumerResumed', { consumerId: consumer.id })
		);

		peer.notify('newConsumer', {
			consumerId: consumer.id,
			producerId: producer.id,
			peerId: producerPeer.id,
			kind: consumer.kind,
			rtpParameters: consumer.rtpParameters,
			source: producer.appData.source,
			producerPaused: consumer.producerPaused,
		});
	}

	async #consumeData(peer, producerPeer, dataProducer) {
		const roomRouter = peer.roomRouter;
		const dataProducerId =
			roomRouter === producerPeer.roomRouter
				? dataProducer.id
				: await this.#pipeDataProducer(dataProducer, producerPeer.roomRouter, roomRouter);
		const transport = peer.recvTransport;

		if (peer.closed || dataProducer.closed || !transport || transport.closed) {
			return;
		}

		const dataConsumer = await transport.consumeData({
			dataProducerId,
			appData: { peerId: producerPeer.id },
		});

		if (dataConsumer.closed) {
			return;
		}

		peer.dataConsumers.set(dataConsumer.id, dataConsumer);
		dataConsumer.observer.once('close', () => peer.dataConsumers.delete(dataConsumer.id));
		dataConsumer.on('dataproducerclose', () =>
			peer.notify('dataConsumerClosed', { dataConsumerId: dataConsumer.id })
		);

		peer.notify('newDataConsumer', {
			dataConsumerId: dataConsumer.id,
			dataProducerId: dataProducer.id,
			peerId: producerPeer.id,
			sctpStreamParameters: dataConsumer.sctpStreamParameters,
			label: dataConsumer.label,
			protocol: dataConsumer.protocol,
		});
	}
}
