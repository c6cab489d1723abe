/// <reference lib="dom" />

// The example room (example/, what `npm start` serves) with three Chromium
// pages on fake devices. The server runs with two workers and two peers per
// router, so the third page lands on a router in the other worker and the
// room's media and chat are piped between the two routers. Every page must
// decode the other two's video and audio, chat must reach everyone, a page
// that leaves (or just goes away) must vanish from the others' pages and
// leave nothing behind on the server, and bad signalling must get error
// replies without harming the room. Each page's camera is Chromium's fake
// device fed with a noisy clip (helpers/fakeCamera), so that how far the
// senders ramp up shows in the tiles.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from './helpers/browser';
import { fakeCameraArg, makeFakeCameraFile } from './helpers/fakeCamera';
import { startExampleServer, type ExampleDump, type ExampleServer } from './helpers/exampleRoom';
import { createTestNetwork, type TestNetwork } from './helpers/netns';

const TEST_TIMEOUT = 120000;
// Longest wait for something expected to happen (not a performance figure).
const WAIT_MS = 30000;
// How long media must keep flowing to count as "still growing".
const FLOW_CHECK_MS = 3000;
const ROOM = 'test-room';
// What every remote tile must show once the senders have ramped up (issue
// 11): the page's full capture size and a real bitrate.
const MIN_TILE = { width: 640, height: 360, kbps: 500 };
// The "after 20 s on loopback" (a cap, polled).
const RAMP_UP_MS = 20000;

// Mirrors ExampleRoomState of example/client/index.ts.
type RemotePeerState = {
	peerId: string;
	displayName: string;
	kinds: string[];
	pausedKinds: string[];
	videoWidth: number;
	videoHeight: number;
	framesDecoded: number;
	audioSamplesReceived: number;
	bitrateKbps: number;
	lossPercent: number;
};

type RoomState = {
	peerId?: string;
	joined: boolean;
	left: boolean;
	producing: string[];
	activeSpeakerPeerId?: string;
	remotePeers: RemotePeerState[];
	chat: { fromPeerId: string; from: string; text: string }[];
	errors: string[];
};

type RoomWindow = { exampleRoom: { state: () => RoomState } };

type Participant = { name: string; page: Page; peerId: string };

let network: TestNetwork | undefined;
let server: ExampleServer | undefined;
let browser: TestBrowser | undefined;
let cameraDir: string | undefined;
// When the last of the three pages joined.
let allJoinedAt = 0;
const participants: Participant[] = [];
const pageErrors: string[] = [];

function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

async function waitFor<T>(
	what: string,
	probe: () => Promise<T>,
	done: (value: T) => boolean
): Promise<T> {
	const deadline = Date.now() + WAIT_MS;
	let value = await probe();

	while (!done(value)) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value, null, 1)}`);
		}

		await sleep(250);
		value = await probe();
	}

	return value;
}

function state(page: Page): Promise<RoomState> {
	return page.evaluate(() => (window as unknown as RoomWindow).exampleRoom.state());
}

function dump(): Promise<ExampleDump> {
	return server!.dump(participants[0].page);
}

function remoteOf(roomState: RoomState, peerId: string): RemotePeerState | undefined {
	return roomState.remotePeers.find(peer => peer.peerId === peerId);
}

function othersOf(participant: Participant, among = participants): Participant[] {
	return among.filter(other => other !== participant);
}

async function join(name: string): Promise<Participant> {
	const page = participants.length === 0 ? browser!.page : await browser!.context.newPage();

	page.on('pageerror', error => pageErrors.push(`${name}: ${error.message}`));
	await page.goto(server!.pageUrl(ROOM, name));
	await page.click('#join');

	const joined = await waitFor(
		`${name} to join and send`,
		() => state(page),
		s => s.joined && s.producing.length === 2
	);
	const participant = { name, page, peerId: joined.peerId! };

	participants.push(participant);

	return participant;
}

beforeAll(async () => {
	network = createTestNetwork();
	server = await startExampleServer({
		network,
		env: { MEDIASOUP_NUM_WORKERS: '2', MAX_PEERS_PER_ROUTER: '2' },
	});
	cameraDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mstest-room-camera-'));
	browser = await launchBrowser({
		executablePath: network.wrap('/usr/bin/chromium'),
		// The page captures 640x360.
		extraArgs: [
			fakeCameraArg(makeFakeCameraFile({ dir: cameraDir, width: 640, height: 360, frameRate: 15 })),
		],
	});
}, TEST_TIMEOUT);

afterAll(async () => {
	await browser?.close().catch(() => {});
	await server?.close().catch(() => {});
	network?.destroy();

	if (cameraDir) {
		fs.rmSync(cameraDir, { recursive: true, force: true });
	}
}, TEST_TIMEOUT);

test(
	'three pages join one room; the third lands on a router in the other worker',
	async () => {
		for (const name of ['Alice', 'Bob', 'Carol']) {
			await join(name);
		}

		allJoinedAt = Date.now();

		const [alice, bob, carol] = participants;
		const room = (await dump()).rooms.find(r => r.name === ROOM)!;
		const routerOf = (p: Participant) =>
			room.peers.find(peer => peer.peerId === p.peerId)!.routerId;

		expect(room.peers).toHaveLength(3);
		expect(room.routers).toHaveLength(2);
		expect(routerOf(alice)).toBe(routerOf(bob));
		expect(routerOf(carol)).not.toBe(routerOf(alice));
		expect(new Set(room.routers.map(r => r.workerPid)).size).toBe(2);
	},
	TEST_TIMEOUT
);

test(
	'every page decodes the video and audio of the other two, and keeps doing so',
	async () => {
		const before = new Map<Participant, RoomState>();

		for (const participant of participants) {
			const others = othersOf(participant);

			before.set(
				participant,
				await waitFor(
					`${participant.name} to decode the others`,
					() => state(participant.page),
					s =>
						others.every(other => {
							const remote = remoteOf(s, other.peerId);

							return (
								remote !== undefined &&
								remote.videoWidth > 0 &&
								remote.framesDecoded > 0 &&
								remote.audioSamplesReceived > 0
							);
						})
				)
			);
		}

		await sleep(FLOW_CHECK_MS);

		for (const participant of participants) {
			const after = await state(participant.page);

			for (const other of othersOf(participant)) {
				const was = remoteOf(before.get(participant)!, other.peerId)!;
				const now = remoteOf(after, other.peerId)!;

				expect(now.framesDecoded).toBeGreaterThan(was.framesDecoded);
				expect(now.audioSamplesReceived).toBeGreaterThan(was.audioSamplesReceived);
				expect(now.bitrateKbps).toBeGreaterThan(0);
			}

			expect(after.errors).toEqual([]);
		}

		// Someone is the active speaker, on every page (the fake microphone beeps).
		for (const participant of participants) {
			await waitFor(
				`${participant.name} to see an active speaker`,
				() => state(participant.page),
				s => participants.some(p => p.peerId === s.activeSpeakerPeerId)
			);
		}
	},
	TEST_TIMEOUT
);

/**
 * The numbers a remote tile's caption shows ("640×360, 812 kbps, 0.0 %
 * loss"), or undefined while it shows none.
 */
async function tileCaption(
	viewer: Participant,
	peerId: string
): Promise<{ width: number; height: number; kbps: number } | undefined> {
	const text = await viewer.page
		.locator(`.tile.remote[data-peer-id="${peerId}"] .stats`)
		.textContent();
	const match = /(\d+)×(\d+), (\d+) kbps/.exec(text ?? '');

	return match
		? { width: Number(match[1]), height: Number(match[2]), kbps: Number(match[3]) }
		: undefined;
}

test(
	'within 20 s of joining every remote tile shows at least 640×360 and 500 kbps',
	async () => {
		const deadline = allJoinedAt + RAMP_UP_MS;
		const captions = new Map<string, unknown>();
		const pending = new Set(
			participants.flatMap(viewer =>
				othersOf(viewer).map(other => `${viewer.name} sees ${other.name}`)
			)
		);

		// Each tile must show both at once, in one caption, at some point.
		while (pending.size > 0) {
			for (const viewer of participants) {
				for (const other of othersOf(viewer)) {
					const key = `${viewer.name} sees ${other.name}`;
					const caption = await tileCaption(viewer, other.peerId);

					captions.set(key, caption);

					if (
						caption &&
						caption.width >= MIN_TILE.width &&
						caption.height >= MIN_TILE.height &&
						caption.kbps >= MIN_TILE.kbps
					) {
						pending.delete(key);
					}
				}
			}

			if (pending.size > 0 && Date.now() > deadline) {
				throw new Error(
					`tiles below ${MIN_TILE.width}×${MIN_TILE.height} and ${MIN_TILE.kbps} kbps ` +
						`${RAMP_UP_MS} ms after joining: ${[...pending].join(', ')}\n` +
						`last captions: ${JSON.stringify(Object.fromEntries(captions), null, 1)}`
				);
			}

			await sleep(500);
		}
	},
	TEST_TIMEOUT
);

test(
	'chat messages reach every page',
	async () => {
		for (const participant of participants) {
			await participant.page.waitForSelector('#chat-send:not([disabled])', { timeout: WAIT_MS });
			await participant.page.fill('#chat-input', `hello from ${participant.name}`);
			await participant.page.click('#chat-send');
		}

		for (const participant of participants) {
			await waitFor(
				`${participant.name} to get every chat message`,
				() => state(participant.page),
				s =>
					othersOf(participant).every(other =>
						s.chat.some(
							line => line.fromPeerId === other.peerId && line.text === `hello from ${other.name}`
						)
					)
			);
		}
	},
	TEST_TIMEOUT
);

test(
	'a page that stops its camera across the pipe shows as such, and its video comes back',
	async () => {
		const [alice, bob, carol] = participants;

		await carol.page.click('#cam');

		for (const participant of [alice, bob]) {
			await waitFor(
				`${participant.name} to see Carol's camera off`,
				() => state(participant.page),
				s => remoteOf(s, carol.peerId)?.pausedKinds.includes('video') === true
			);
		}

		// Nothing reaches them any more (stats are sampled every second).
		const framesOf = async (participant: Participant): Promise<number> =>
			remoteOf(await state(participant.page), carol.peerId)!.framesDecoded;

		await sleep(1500);

		const stopped = [await framesOf(alice), await framesOf(bob)];

		await sleep(1500);
		expect([await framesOf(alice), await framesOf(bob)]).toEqual(stopped);

		await carol.page.click('#cam');

		// Decoding again needs a key frame, requested across the pipe.
		for (const [index, participant] of [alice, bob].entries()) {
			await waitFor(
				`${participant.name} to decode Carol's camera again`,
				() => state(participant.page),
				s => {
					const remote = remoteOf(s, carol.peerId)!;

					return remote.pausedKinds.length === 0 && remote.framesDecoded > stopped[index] + 10;
				}
			);
		}
	},
	TEST_TIMEOUT
);

test(
	'a page that leaves disappears from the others, and nothing of it stays on the server',
	async () => {
		const [alice, bob, carol] = participants;
		const before = await dump();
		const room = before.rooms.find(r => r.name === ROOM)!;
		const carolDump = room.peers.find(peer => peer.peerId === carol.peerId)!;
		const carolIds = [
			carol.peerId,
			carolDump.routerId,
			...carolDump.transportIds,
			...carolDump.producerIds,
			...carolDump.consumerIds,
			...carolDump.dataProducerIds,
			...carolDump.dataConsumerIds,
		];

		expect(carolDump.producerIds).toHaveLength(2);
		expect(carolDump.consumerIds).toHaveLength(4);
		expect(carolDump.dataConsumerIds).toHaveLength(2);

		await carol.page.click('#leave');
		participants.splice(participants.indexOf(carol), 1);

		for (const participant of [alice, bob]) {
			await waitFor(
				`${participant.name} to drop Carol's tile`,
				async () => ({
					state: await state(participant.page),
					tiles: await participant.page.locator('.tile.remote').count(),
				}),
				({ state: s, tiles }) => tiles === 1 && !remoteOf(s, carol.peerId)
			);
		}

		// The room is now Alice and Bob on one router with nothing else on it.
		const after = await waitFor(
			'the server to close what Carol had',
			dump,
			d => d.rooms[0]?.routers.length === 1 && d.rooms[0].routers[0].dump.transportIds.length === 4
		);

		expectOnlyThese(after, [alice, bob]);

		const text = JSON.stringify(after);

		for (const id of carolIds) {
			expect(text).not.toContain(id);
		}
	},
	TEST_TIMEOUT
);

test(
	'a page that goes away without leaving is cleaned up too',
	async () => {
		const [alice, bob] = participants;

		await bob.page.close();
		participants.splice(participants.indexOf(bob), 1);

		await waitFor(
			"Alice to drop Bob's tile",
			() => alice.page.locator('.tile.remote').count(),
			tiles => tiles === 0
		);

		const after = await waitFor(
			'the server to close what Bob had',
			dump,
			d => d.rooms[0]?.routers[0]?.dump.transportIds.length === 2
		);

		expectOnlyThese(after, [alice]);
		expect(JSON.stringify(after)).not.toContain(bob.peerId);
	},
	TEST_TIMEOUT
);

test(
	'malformed and out-of-order messages get error replies and the server carries on',
	async () => {
		const [alice] = participants;
		const replies = await alice.page.evaluate(async () => {
			const socket = new WebSocket(`ws://${location.host}/ws`);
			const received: { id: unknown; ok: boolean; error?: string }[] = [];
			const sent = [
				'this is not JSON',
				JSON.stringify({ id: 1, method: 'produce', data: { kind: 'audio' } }),
				JSON.stringify({ method: 'join' }),
				JSON.stringify({ id: 2, method: 'join', data: { room: 'no spaces allowed' } }),
				JSON.stringify({ id: 3, method: 'join', data: { room: 'scratch', displayName: 'X' } }),
				JSON.stringify({ id: 4, method: 'createTransport', data: { direction: 'sideways' } }),
				JSON.stringify({ id: 5, method: 'connectTransport', data: { transportId: 'nope' } }),
				JSON.stringify({ id: 6, method: 'consume', data: { rtpCapabilities: {} } }),
				JSON.stringify({ id: 7, method: 'resumeConsumer', data: { consumerId: 'nope' } }),
				JSON.stringify({ id: 8, method: 'dance', data: {} }),
				JSON.stringify({ id: 9, method: 'join', data: { room: 'scratch' } }),
				JSON.stringify({ id: 10, method: 'createTransport', data: { direction: 'send' } }),
			];

			await new Promise(resolve => socket.addEventListener('open', resolve, { once: true }));

			const all = new Promise<void>(resolve => {
				socket.addEventListener('message', event => {
					const message = JSON.parse(String(event.data));

					if (message.response) {
						received.push({ id: message.id, ok: message.ok, error: message.error });
					}

					if (received.length === sent.length) {
						resolve();
					}
				});
			});

			// One at a time, so that the replies come in order.
			for (const text of sent) {
				const count = received.length;

				socket.send(text);

				while (received.length === count) {
					await new Promise(resolve => setTimeout(resolve, 10));
				}
			}

			await all;

			// Gone mid-way: joined, with a transport.
			socket.close();

			return received;
		});

		expect(replies.map(r => [r.id, r.ok])).toEqual([
			[null, false],
			[1, false],
			[null, false],
			[2, false],
			[3, true],
			[4, false],
			[5, false],
			[6, false],
			[7, false],
			[8, false],
			[9, false],
			[10, true],
		]);
		expect(replies[0].error).toMatch(/JSON/);
		expect(replies[1].error).toMatch(/before join/);
		expect(replies[9].error).toMatch(/unknown method/);

		// The scratch room and its transport are gone; Alice's room is intact.
		const after = await waitFor(
			'the scratch room to close',
			dump,
			d => d.rooms.length === 1 && d.workers.flatMap(w => w.routerIds).length === 1
		);

		expectOnlyThese(after, [alice]);
		expect(pageErrors).toEqual([]);
	},
	TEST_TIMEOUT
);

/**
 * The server holds exactly one room with these participants (in
 * ROOM) on one router, each with its two transports, microphone, camera and
 * chat, consuming each other, and no other router in any worker.
 */
function expectOnlyThese(dumped: ExampleDump, present: Participant[]): void {
	expect(dumped.rooms).toHaveLength(1);

	const [room] = dumped.rooms;
	const [router] = room.routers;

	expect(room.name).toBe(ROOM);
	expect(room.routers).toHaveLength(1);
	expect(room.peers.map(p => p.peerId).sort()).toEqual(present.map(p => p.peerId).sort());
	expect(dumped.workers.flatMap(w => w.routerIds)).toEqual([router.routerId]);

	const others = present.length - 1;
	const transportIds = room.peers.flatMap(p => p.transportIds);
	const producerIds = room.peers.flatMap(p => p.producerIds);
	const consumerIds = room.peers.flatMap(p => p.consumerIds);
	const dataProducerIds = room.peers.flatMap(p => p.dataProducerIds);
	const dataConsumerIds = room.peers.flatMap(p => p.dataConsumerIds);

	expect(transportIds).toHaveLength(2 * present.length);
	expect(producerIds).toHaveLength(2 * present.length);
	expect(consumerIds).toHaveLength(2 * present.length * others);
	expect(dataProducerIds).toHaveLength(present.length);
	expect(dataConsumerIds).toHaveLength(present.length * others);

	// The worker's view of the router matches the room's, entity by entity.
	expect([...router.dump.transportIds].sort()).toEqual([...transportIds].sort());
	expect(router.dump.mapProducerIdConsumerIds.map(e => e.key).sort()).toEqual(
		[...producerIds].sort()
	);
	expect(router.dump.mapProducerIdConsumerIds.flatMap(e => e.values).sort()).toEqual(
		[...consumerIds].sort()
	);
	expect(router.dump.mapDataProducerIdDataConsumerIds.map(e => e.key).sort()).toEqual(
		[...dataProducerIds].sort()
	);
	expect(router.dump.mapDataProducerIdDataConsumerIds.flatMap(e => e.values).sort()).toEqual(
		[...dataConsumerIds].sort()
	);
	// The active speaker observer hears the microphones of those present only.
	expect(router.dump.rtpObserverIds).toHaveLength(1);
	expect(router.dump.mapProducerIdObserverIds.filter(e => e.values.length > 0)).toHaveLength(
		present.length
	);
}
