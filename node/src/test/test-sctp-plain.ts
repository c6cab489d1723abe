// SCTP over plain UDP (RFC 4960 without DTLS, SCTP port 5000 on both ends)
// between a PlainTransport created with `enableSctp: true` and an SCTP peer
// written with an independent SCTP stack, the `werift-sctp` package, over a
// UDP socket of the test. Messages go both ways: the peer's stream N becomes
// a DataProducer (transport.produceData({ sctpStreamParameters: { streamId:
// N } })) that a DataConsumer on a DirectTransport receives; a DataProducer
// on a DirectTransport is consumed by the PlainTransport (consumeData()
// allocates a stream id) and the peer receives it on that stream. PPIDs
// (string / binary / empty) are carried through unchanged.

import * as dgram from 'node:dgram';
import { SCTP, WEBRTC_PPID, createUdpTransport } from 'werift-sctp';
import * as mediasoup from '../';
import type {
	DataConsumer,
	DataProducer,
	DirectTransport,
	PlainTransport,
	PlainTransportOptions,
	Router,
	SctpState,
	Worker,
} from '../types';

const TEST_TIMEOUT = 60000;
// Longest wait for something expected to happen (not a performance figure).
const WAIT_MS = 20000;
const SCTP_PORT = 5000;

type PeerMessage = { streamId: number; ppid: number; data: Buffer };

type SctpPeer = {
	socket: dgram.Socket;
	sctp: SCTP;
	port: number;
	received: PeerMessage[];
	/**
	 * Stream ids the remote end reset (RFC 6525), in order.
	 */
	resetStreams: number[];
	/**
	 * Sends one message on a stream (reliable and ordered).
	 */
	send: (streamId: number, ppid: number, data: Buffer) => Promise<void>;
	close: () => Promise<void>;
};

const workers = new Set<Worker>();
const peers = new Set<SctpPeer>();
let worker: Worker;
let router: Router;

beforeEach(async () => {
	worker = await mediasoup.createWorker({ logLevel: 'warn' });
	workers.add(worker);
	router = await worker.createRouter();
});

afterEach(async () => {
	for (const peer of peers) {
		await peer.close();
	}

	peers.clear();

	for (const w of workers) {
		w.close();
	}

	workers.clear();
});

function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

async function waitFor(
	predicate: () => boolean,
	what: string,
	describe?: () => unknown
): Promise<void> {
	const deadline = Date.now() + WAIT_MS;

	while (!predicate()) {
		if (Date.now() > deadline) {
			throw new Error(
				`timed out waiting for ${what}` +
					(describe ? `\n${JSON.stringify(describe(), null, 1)}` : '')
			);
		}

		await sleep(20);
	}
}

/**
 * An SCTP endpoint on a UDP socket bound on 127.0.0.1. As a server it
 * answers the association the PlainTransport starts once connected; as a
 * client it starts one itself (sending to `remote`, learned later otherwise).
 */
async function createSctpPeer({
	role,
	remote,
}: {
	role: 'server' | 'client';
	remote?: { address: string; port: number };
}): Promise<SctpPeer> {
	const socket = dgram.createSocket('udp4');

	await new Promise<void>((resolve, reject) => {
		socket.once('error', reject);
		socket.bind(0, '127.0.0.1', () => resolve());
	});

	const transport = createUdpTransport(socket, remote ?? {});
	const sctp = role === 'server' ? SCTP.server(transport) : SCTP.client(transport);
	const received: PeerMessage[] = [];
	const resetStreams: number[] = [];
	let closed = false;

	sctp.onReceive.subscribe((streamId, ppid, data) => {
		received.push({ streamId, ppid, data: Buffer.from(data) });
	});
	sctp.onReconfigStreams.subscribe(streamIds => resetStreams.push(...streamIds));

	const peer: SctpPeer = {
		socket,
		sctp,
		port: socket.address().port,
		received,
		resetStreams,
		send: (streamId, ppid, data) => sctp.send(streamId, ppid, data),
		close: async () => {
			if (closed) {
				return;
			}

			closed = true;
			await sctp.stop().catch(() => undefined);
			await new Promise<void>(resolve => socket.close(() => resolve()));
		},
	};

	peers.add(peer);

	return peer;
}

function plainOptions({ comedia }: { comedia: boolean }): PlainTransportOptions {
	return { listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, enableSctp: true, comedia };
}

/**
 * A PlainTransport with SCTP and a peer associated with it: the transport is
 * connected to the peer's socket (the transport starts the association),
 * or, with `comedia`, the peer starts it and the transport learns its
 * address from it.
 */
async function createAssociation({ comedia = false }: { comedia?: boolean } = {}): Promise<{
	transport: PlainTransport;
	peer: SctpPeer;
	states: SctpState[];
}> {
	const transport = await router.createPlainTransport(plainOptions({ comedia }));
	const states: SctpState[] = [];

	transport.on('sctpstatechange', state => states.push(state));

	expect(transport.sctpParameters).toMatchObject({ port: SCTP_PORT, isDataChannel: false });
	expect(transport.sctpState).toBe('new');

	let peer: SctpPeer;

	if (comedia) {
		peer = await createSctpPeer({
			role: 'client',
			remote: { address: transport.tuple.localAddress, port: transport.tuple.localPort },
		});
		await peer.sctp.start(SCTP_PORT);
	} else {
		peer = await createSctpPeer({ role: 'server' });
		await peer.sctp.start(SCTP_PORT);
		await transport.connect({ ip: '127.0.0.1', port: peer.port });
	}

	await waitFor(
		() => transport.sctpState === 'connected' && peer.sctp.state === 'connected',
		'the SCTP association',
		() => ({
			transportSctpState: transport.sctpState,
			sctpStateChanges: states,
			peerState: peer.sctp.state,
			peerAssociationState: peer.sctp.associationState,
		})
	);

	return { transport, peer, states };
}

/**
 * A DataConsumer on a DirectTransport; collects its 'message' events.
 */
async function directConsumer(
	dataProducerId: string
): Promise<{ transport: DirectTransport; dataConsumer: DataConsumer; messages: PeerMessage[] }> {
	const transport = await router.createDirectTransport();
	const dataConsumer = await transport.consumeData({ dataProducerId });
	const messages: PeerMessage[] = [];

	dataConsumer.on('message', (data, ppid) => messages.push({ streamId: -1, ppid, data }));

	return { transport, dataConsumer, messages };
}

function text(i: number, size = 16): string {
	return `message ${i} `.padEnd(size, String.fromCharCode(97 + (i % 26)));
}

function bytes(i: number, size = 16): Buffer {
	const buffer = Buffer.alloc(size);

	for (let j = 0; j < size; ++j) {
		buffer[j] = (i * 31 + j * 7) & 0xff;
	}

	return buffer;
}

test(
	'the SCTP association comes up over plain UDP; sctpState and sctpstatechange follow it',
	async () => {
		const { transport, states } = await createAssociation();

		expect(transport.sctpState).toBe('connected');
		expect(states).toContain('connected');
		expect(states[states.length - 1]).toBe('connected');

		const [stats] = await transport.getStats();

		expect(stats.sctpState).toBe('connected');

		transport.close();

		expect(transport.sctpState).toBe('closed');
	},
	TEST_TIMEOUT
);

test(
	'the association also comes up with comedia, started by the peer',
	async () => {
		const { transport, states } = await createAssociation({ comedia: true });

		expect(transport.sctpState).toBe('connected');
		expect(states).toContain('connected');
		expect(transport.tuple.remotePort).toBeGreaterThan(0);
	},
	TEST_TIMEOUT
);

test.each([
	['connected to the peer', false],
	['comedia', true],
])(
	"peer's stream N -> produceData({ streamId: N }) -> a DirectTransport DataConsumer (%s)",
	async (_name, comedia) => {
		const { transport, peer } = await createAssociation({ comedia });
		const streamId = 3;
		const dataProducer: DataProducer = await transport.produceData({
			sctpStreamParameters: { streamId, ordered: true },
			label: 'from-peer',
			protocol: 'proto',
		});

		expect(dataProducer.type).toBe('sctp');
		expect(dataProducer.sctpStreamParameters).toMatchObject({ streamId, ordered: true });
		expect(dataProducer.label).toBe('from-peer');
		expect(dataProducer.protocol).toBe('proto');

		const { dataConsumer, messages } = await directConsumer(dataProducer.id);

		expect(dataConsumer.type).toBe('direct');
		expect(dataConsumer.label).toBe('from-peer');
		expect(dataConsumer.protocol).toBe('proto');

		// A stream nobody produces: its messages go nowhere.
		await peer.send(7, WEBRTC_PPID.STRING, Buffer.from('not for anyone'));

		const sent: { ppid: number; data: Buffer }[] = [];

		for (let i = 0; i < 150; ++i) {
			const message =
				i % 2 === 0
					? { ppid: WEBRTC_PPID.STRING, data: Buffer.from(text(i, 10 + i * 13)) }
					: { ppid: WEBRTC_PPID.BINARY, data: bytes(i, 10 + i * 13) };

			sent.push(message);
			await peer.send(streamId, message.ppid, message.data);
		}

		// Messages larger than one SCTP chunk, reassembled by the worker.
		for (const size of [65536, 200000]) {
			const message = { ppid: WEBRTC_PPID.BINARY, data: bytes(size, size) };

			sent.push(message);
			await peer.send(streamId, message.ppid, message.data);
		}

		await waitFor(
			() => messages.length >= sent.length,
			"the DirectTransport DataConsumer's messages",
			() => ({ received: messages.length, expected: sent.length })
		);

		expect(messages.length).toBe(sent.length);

		for (const [i, message] of messages.entries()) {
			expect({ i, ppid: message.ppid }).toEqual({ i, ppid: sent[i].ppid });

			if (!message.data.equals(sent[i].data)) {
				throw new Error(
					`message #${i}: ${message.data.length} bytes received, ${sent[i].data.length} ` +
						'sent, contents differ'
				);
			}
		}

		const [stats] = await dataProducer.getStats();

		expect(stats.messagesReceived).toBe(sent.length);
		expect(stats.bytesReceived).toBe(sent.reduce((sum, m) => sum + m.data.length, 0));
	},
	TEST_TIMEOUT
);

test(
	'a DirectTransport DataProducer -> plainTransport.consumeData() -> the peer, on the allocated stream',
	async () => {
		const { transport, peer } = await createAssociation();
		const direct = await router.createDirectTransport();
		const dataProducer = await direct.produceData({ label: 'to-peer', protocol: 'proto' });
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		const streamId = dataConsumer.sctpStreamParameters?.streamId;

		expect(dataConsumer.type).toBe('sctp');
		expect(typeof streamId).toBe('number');
		expect(dataConsumer.sctpStreamParameters?.ordered).toBe(true);
		expect(dataConsumer.label).toBe('to-peer');
		expect(dataConsumer.protocol).toBe('proto');

		const sent: { ppid: number; data: Buffer }[] = [];

		for (let i = 0; i < 150; ++i) {
			if (i % 2 === 0) {
				const message = text(i, 10 + i * 13);

				dataProducer.send(message);
				sent.push({ ppid: WEBRTC_PPID.STRING, data: Buffer.from(message) });
			} else {
				const message = bytes(i, 10 + i * 13);

				dataProducer.send(message);
				sent.push({ ppid: WEBRTC_PPID.BINARY, data: message });
			}
		}

		for (const size of [65536, 200000]) {
			const message = bytes(size, size);

			dataProducer.send(message);
			sent.push({ ppid: WEBRTC_PPID.BINARY, data: message });
		}

		await waitFor(
			() => peer.received.length >= sent.length,
			"the peer's messages",
			() => ({ received: peer.received.length, expected: sent.length })
		);

		expect(peer.received.length).toBe(sent.length);

		for (const [i, message] of peer.received.entries()) {
			expect({ i, streamId: message.streamId, ppid: message.ppid }).toEqual({
				i,
				streamId,
				ppid: sent[i].ppid,
			});

			if (!message.data.equals(sent[i].data)) {
				throw new Error(
					`message #${i}: ${message.data.length} bytes received, ${sent[i].data.length} ` +
						'sent, contents differ'
				);
			}
		}

		const [stats] = await dataConsumer.getStats();

		expect(stats.messagesSent).toBe(sent.length);
	},
	TEST_TIMEOUT
);

test(
	'two DataConsumers of one DataProducer get different streams, each with every message',
	async () => {
		const { transport, peer } = await createAssociation();
		const direct = await router.createDirectTransport();
		const dataProducer = await direct.produceData();
		const first = await transport.consumeData({ dataProducerId: dataProducer.id });
		const second = await transport.consumeData({ dataProducerId: dataProducer.id });
		const firstStream = first.sctpStreamParameters!.streamId;
		const secondStream = second.sctpStreamParameters!.streamId;

		expect(firstStream).not.toBe(secondStream);

		for (let i = 0; i < 20; ++i) {
			dataProducer.send(text(i));
		}

		await waitFor(
			() => peer.received.length >= 40,
			"the peer's messages on both streams",
			() => ({ received: peer.received.map(m => m.streamId) })
		);

		for (const streamId of [firstStream, secondStream]) {
			expect(
				peer.received.filter(m => m.streamId === streamId).map(m => m.data.toString())
			).toEqual(Array.from({ length: 20 }, (_, i) => text(i)));
		}
	},
	TEST_TIMEOUT
);

test(
	'PPIDs are preserved both ways: string, binary, empty string, empty binary',
	async () => {
		const { transport, peer } = await createAssociation();

		// Peer -> worker -> Node.
		const streamId = 1;
		const dataProducer = await transport.produceData({ sctpStreamParameters: { streamId } });
		const { messages } = await directConsumer(dataProducer.id);
		const fromPeer = [
			{ ppid: WEBRTC_PPID.STRING, data: Buffer.from('hello') },
			{ ppid: WEBRTC_PPID.BINARY, data: Buffer.from([0, 1, 2, 255]) },
			// Empty messages carry one placeholder byte (RFC 8831).
			{ ppid: WEBRTC_PPID.STRING_EMPTY, data: Buffer.from(' ') },
			{ ppid: WEBRTC_PPID.BINARY_EMPTY, data: Buffer.from([0]) },
			// A string that looks binary and binary that looks like text: the
			// PPID alone says which is which.
			{ ppid: WEBRTC_PPID.STRING, data: Buffer.from('\u00e9\u00e8 utf-8') },
			{ ppid: WEBRTC_PPID.BINARY, data: Buffer.from('plain text bytes') },
		];

		for (const message of fromPeer) {
			await peer.send(streamId, message.ppid, message.data);
		}

		await waitFor(() => messages.length >= fromPeer.length, "the DataConsumer's messages");

		expect(messages.map(m => m.ppid)).toEqual(fromPeer.map(m => m.ppid));
		expect(messages.map(m => m.data.toString('hex'))).toEqual(
			fromPeer.map(m => m.data.toString('hex'))
		);

		// Node -> worker -> peer: send()'s default PPIDs.
		const direct = await router.createDirectTransport();
		const nodeProducer = await direct.produceData();
		const toPeer = await transport.consumeData({ dataProducerId: nodeProducer.id });
		const toPeerStream = toPeer.sctpStreamParameters!.streamId;

		nodeProducer.send('hello');
		nodeProducer.send(Buffer.from([0, 1, 2, 255]));
		nodeProducer.send('');
		nodeProducer.send(Buffer.alloc(0));
		// An explicit PPID is used as given.
		nodeProducer.send('explicit binary', WEBRTC_PPID.BINARY);

		await waitFor(
			() => peer.received.length >= 5,
			"the peer's messages",
			() => ({ received: peer.received })
		);

		expect(peer.received.map(m => m.streamId)).toEqual(Array(5).fill(toPeerStream));
		expect(peer.received.map(m => m.ppid)).toEqual([
			WEBRTC_PPID.STRING,
			WEBRTC_PPID.BINARY,
			WEBRTC_PPID.STRING_EMPTY,
			WEBRTC_PPID.BINARY_EMPTY,
			WEBRTC_PPID.BINARY,
		]);
		expect(peer.received.map(m => m.data.toString('hex'))).toEqual([
			Buffer.from('hello').toString('hex'),
			'000102ff',
			// The placeholders of API.md §12: ' ' for 56, one zero byte for 57.
			Buffer.from(' ').toString('hex'),
			'00',
			Buffer.from('explicit binary').toString('hex'),
		]);
	},
	TEST_TIMEOUT
);

test(
	'a stream id already produced on the transport is refused; the first DataProducer keeps working',
	async () => {
		const { transport, peer } = await createAssociation();
		const dataProducer = await transport.produceData({ sctpStreamParameters: { streamId: 2 } });

		await expect(
			transport.produceData({ sctpStreamParameters: { streamId: 2 } })
		).rejects.toBeInstanceOf(Error);

		const { messages } = await directConsumer(dataProducer.id);

		await peer.send(2, WEBRTC_PPID.STRING, Buffer.from('still here'));
		await waitFor(() => messages.length >= 1, "the DataConsumer's message");

		expect(messages[0].data.toString()).toBe('still here');
	},
	TEST_TIMEOUT
);

test(
	'dataConsumer.send() on the PlainTransport sends to the peer on its stream, with the given PPID',
	async () => {
		const { transport, peer } = await createAssociation();
		const direct = await router.createDirectTransport();
		const dataProducer = await direct.produceData();
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		const streamId = dataConsumer.sctpStreamParameters!.streamId;

		const buffered = await dataConsumer.send('from the consumer');

		expect(typeof buffered).toBe('number');

		await dataConsumer.send(Buffer.from([9, 8, 7]));
		await dataConsumer.send('binary ppid', WEBRTC_PPID.BINARY);

		await waitFor(
			() => peer.received.length >= 3,
			"the peer's messages",
			() => ({ received: peer.received })
		);

		expect(
			peer.received.map(m => ({ streamId: m.streamId, ppid: m.ppid, hex: m.data.toString('hex') }))
		).toEqual([
			{
				streamId,
				ppid: WEBRTC_PPID.STRING,
				hex: Buffer.from('from the consumer').toString('hex'),
			},
			{ streamId, ppid: WEBRTC_PPID.BINARY, hex: '090807' },
			{ streamId, ppid: WEBRTC_PPID.BINARY, hex: Buffer.from('binary ppid').toString('hex') },
		]);
	},
	TEST_TIMEOUT
);

test(
	"closing a DataConsumer resets its outgoing stream (the peer's channel closes)",
	async () => {
		const { transport, peer } = await createAssociation();
		const direct = await router.createDirectTransport();
		const dataProducer = await direct.produceData();
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		const streamId = dataConsumer.sctpStreamParameters!.streamId;

		dataProducer.send('before close');
		await waitFor(() => peer.received.length === 1, "the peer's first message");

		dataConsumer.close();

		await waitFor(
			() => peer.resetStreams.includes(streamId),
			`a reset of stream ${streamId}`,
			() => ({ resetStreams: peer.resetStreams })
		);

		// The association stays up for the others.
		expect(transport.sctpState).toBe('connected');

		const other = await transport.consumeData({ dataProducerId: dataProducer.id });

		dataProducer.send('after close');
		await waitFor(() => peer.received.length === 2, "the peer's next message");

		expect(peer.received[1]).toMatchObject({ streamId: other.sctpStreamParameters!.streamId });
		expect(peer.received[1].data.toString()).toBe('after close');
	},
	TEST_TIMEOUT
);

test(
	'a burst of 10,000 small messages (1 MB, half of sctpSendBufferSize) reaches the peer: none dropped, in order',
	async () => {
		const { transport, peer } = await createAssociation();
		const direct = await router.createDirectTransport();
		const dataProducer = await direct.produceData();
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		let sendBufferFull = 0;

		dataConsumer.on('sctpsendbufferfull', () => ++sendBufferFull);

		// The default sctpSendBufferSize (2000000 bytes) holds the whole burst
		// even if the peer acknowledged nothing.
		expect(transport.sctpParameters!.sendBufferSize).toBeGreaterThanOrEqual(2000000);

		const count = 10000;

		for (let i = 0; i < count; ++i) {
			dataProducer.send(text(i, 100));
		}

		await waitFor(
			() => peer.received.length >= count || peer.received.length + sendBufferFull >= count,
			'the burst to be delivered (or dropped)'
		);
		// Late drops, if any, are reported by then.
		await sleep(200);

		expect({ received: peer.received.length, sctpsendbufferfull: sendBufferFull }).toEqual({
			received: count,
			sctpsendbufferfull: 0,
		});
		expect(peer.received.every((m, i) => m.data.toString() === text(i, 100))).toBe(true);
	},
	TEST_TIMEOUT
);
