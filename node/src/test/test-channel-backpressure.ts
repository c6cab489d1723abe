// issue 13, finding 5: an application that stops reading its worker's channel
// (here: its process is stopped) must not make the worker grow without bound
// while the network keeps feeding the channel (one `rtp` notification per
// packet of a DirectTransport consumer). Packets to Node are dropped and
// counted; the application gets state notifications and responses again once
// it reads.

import { spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { PassThrough, Writable } from 'node:stream';
import * as flatbuffers from 'flatbuffers';
import { Channel, NOTIFY_MAX_PENDING_BYTES } from '../Channel';
import { Body as MessageBody } from '../fbs/message/body';
import { Message } from '../fbs/message/message';
import { Notification } from '../fbs/notification/notification';
import { Event } from '../fbs/notification/event';
import { Body as NotificationBody } from '../fbs/notification/body';
import { PacketData } from '../fbs/notification/packet-data';
import { Method } from '../fbs/request/method';

const PKG_ROOT = path.join(__dirname, '..', '..', '..');
// The built library (typescript:build): the application runs in its own process.
const LIB_INDEX = path.join(PKG_ROOT, 'node', 'lib', 'index.js');

const SSRC = 1111;
const PAYLOAD_TYPE = 100;
// 10,000 packets per second, sent every 10 ms.
const PACKETS_PER_SECOND = 10000;
const TICK_MS = 10;
const MAX_PACKETS_PER_TICK = 1000;
const PAYLOAD = Buffer.alloc(1200, 0xab);
const STOP_MS = 5000;
// The worker queues packets for Node up to 8 MiB (ChannelSendQueue's
// droppable watermark; 16 MiB with responses and state): measured +8.6 MiB.
// Without the cap, 5 s of this traffic grew it by 25 to 30 MiB here.
const RSS_GROWTH_BOUND_KIB = 16 * 1024;

// The application: a PlainTransport producer (comedia, fed by the test over
// loopback) and a DirectTransport consumer listening to 'rtp'. It reads
// commands on stdin and answers each with one JSON line.
const APP_SCRIPT = `
const mediasoup = require(${JSON.stringify(LIB_INDEX)});
const readline = require('node:readline');
const report = object => process.stdout.write(JSON.stringify(object) + '\\n');

(async () => {
	const worker = await mediasoup.createWorker({ logLevel: 'none' });
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
	});
	const plain = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		rtcpMux: true,
		comedia: true,
	});
	const producer = await plain.produce({
		kind: 'audio',
		rtpParameters: {
			codecs: [{ mimeType: 'audio/opus', payloadType: ${PAYLOAD_TYPE}, clockRate: 48000, channels: 2 }],
			encodings: [{ ssrc: ${SSRC} }],
		},
	});
	const direct = await router.createDirectTransport();
	const consumer = await direct.consume({
		producerId: producer.id,
		rtpCapabilities: router.rtpCapabilities,
	});
	let rtpCount = 0;
	const waiters = [];
	const waitFor = (predicate) => new Promise(resolve => {
		if (predicate()) return resolve();
		waiters.push({ predicate, resolve });
	});
	const check = () => {
		for (let i = waiters.length - 1; i >= 0; --i) {
			if (waiters[i].predicate()) { waiters[i].resolve(); waiters.splice(i, 1); }
		}
	};

	consumer.on('rtp', () => { ++rtpCount; check(); });

	const commands = {
		async flowing() {
			const from = rtpCount;
			await waitFor(() => rtpCount >= from + 100);
			return {};
		},
		async check() {
			// A state notification: the producer's pause reaches the consumer.
			const paused = new Promise(resolve => consumer.once('producerpause', resolve));
			await producer.pause();
			await paused;
			const resumed = new Promise(resolve => consumer.once('producerresume', resolve));
			await producer.resume();
			await resumed;
			// Packets reach the application again.
			const from = rtpCount;
			await waitFor(() => rtpCount >= from + 100);
			const dump = await worker.dump();
			const producerDump = await producer.dump();
			return {
				producerPaused: producerDump.paused,
				channelDroppedMessages: dump.channelDroppedMessages,
				channelCoalescedNotifications: dump.channelCoalescedNotifications,
				rtpCount,
			};
		},
		async close() {
			worker.close();
			return {};
		},
	};

	readline.createInterface({ input: process.stdin }).on('line', async line => {
		try {
			report({ command: line, ...(await commands[line]()) });
		} catch (error) {
			report({ command: line, error: String(error) });
		}
		if (line === 'close') process.exit(0);
	});

	report({ workerPid: worker.pid, port: plain.tuple.localPort });
})().catch(error => { report({ error: String(error) }); process.exit(1); });
`;

function residentKiB(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');

	return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]);
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);

		return true;
	} catch {
		return false;
	}
}

function rtpPacket(seq: number): Buffer {
	const header = Buffer.alloc(12);

	header[0] = 0x80;
	header[1] = PAYLOAD_TYPE;
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE((seq * 960) >>> 0, 4);
	header.writeUInt32BE(SSRC, 8);

	return Buffer.concat([header, PAYLOAD]);
}

class App {
	readonly child: ChildProcess;
	readonly #lines: string[] = [];
	#waiter?: () => void;

	constructor() {
		this.child = spawn(process.execPath, ['-e', APP_SCRIPT], {
			stdio: ['pipe', 'pipe', 'inherit'],
		});
		readline.createInterface({ input: this.child.stdout! }).on('line', line => {
			this.#lines.push(line);
			this.#waiter?.();
		});
	}

	async next(): Promise<Record<string, unknown>> {
		while (this.#lines.length === 0) {
			await new Promise<void>((resolve, reject) => {
				this.#waiter = resolve;
				this.child.once('exit', code => reject(new Error(`application exited (${code})`)));
			});
		}

		const report = JSON.parse(this.#lines.shift()!) as Record<string, unknown>;

		if (report.error) {
			throw new Error(`application failed: ${report.error}`);
		}

		return report;
	}

	async command(name: string): Promise<Record<string, unknown>> {
		this.child.stdin!.write(`${name}\n`);

		return this.next();
	}
}

let app: App | undefined;
let sender: dgram.Socket | undefined;
let ticker: NodeJS.Timeout | undefined;

afterEach(() => {
	clearInterval(ticker);
	sender?.close();
	sender = undefined;

	if (app && app.child.exitCode === null) {
		app.child.kill('SIGCONT');
		app.child.kill('SIGKILL');
	}

	app = undefined;
});

test('a stopped application: worker memory stays bounded, packets to it are dropped and counted, state and requests work again', async () => {
	app = new App();

	const { workerPid, port } = (await app.next()) as { workerPid: number; port: number };

	sender = dgram.createSocket('udp4');
	await new Promise<void>(resolve => sender!.bind(0, '127.0.0.1', resolve));

	// Catch up with the schedule at each tick, so that a busy machine delays
	// packets but does not send fewer of them.
	let seq = 0;
	const startMs = Date.now();

	ticker = setInterval(() => {
		const due = Math.floor(((Date.now() - startMs) * PACKETS_PER_SECOND) / 1000);

		for (let n = 0; seq < due && n < MAX_PACKETS_PER_TICK; ++n) {
			sender!.send(rtpPacket(seq++), port, '127.0.0.1');
		}
	}, TICK_MS);

	await app.command('flowing');

	const before = residentKiB(workerPid);
	const seqAtStop = seq;
	let maxRss = before;

	app.child.kill('SIGSTOP');

	// Sample while the application is stopped (no assertion on the timing).
	const deadline = Date.now() + STOP_MS;

	while (Date.now() < deadline) {
		await new Promise(resolve => setTimeout(resolve, 250));
		maxRss = Math.max(maxRss, residentKiB(workerPid));
	}

	const sentWhileStopped = seq - seqAtStop;

	app.child.kill('SIGCONT');

	const result = await app.command('check');

	clearInterval(ticker);

	// The measured figures, for the closing note.
	process.stdout.write(
		`channel back-pressure: sent ${sentWhileStopped} packets in ${STOP_MS} ms while stopped, ` +
			`worker RSS ${before} KiB -> max ${maxRss} KiB (+${maxRss - before} KiB, bound ${RSS_GROWTH_BOUND_KIB} KiB), ` +
			`dropped ${result.channelDroppedMessages}, coalesced ${result.channelCoalescedNotifications}\n`
	);

	expect(isAlive(workerPid)).toBe(true);
	expect(maxRss - before).toBeLessThan(RSS_GROWTH_BOUND_KIB);
	expect(result.producerPaused).toBe(false);
	expect(result.channelDroppedMessages as number).toBeGreaterThan(0);

	await app.command('close');
}, 30000);

describe('Channel (Node side)', () => {
	// A worker that reads nothing: every write stays in Node's buffer.
	function stalledPipe(): Writable {
		return new Writable({
			write(_chunk, _encoding, _callback) {
				// Never completes.
			},
		});
	}

	test('notify() stops buffering for a worker that does not read, requests still go', () => {
		const producerSocket = stalledPipe();
		const channel = new Channel({ producerSocket, consumerSocket: new PassThrough(), pid: 0 });
		const packet = Buffer.alloc(1200);

		for (let i = 0; i < 10000; ++i) {
			const builder = channel.bufferBuilder;
			const body = PacketData.createPacketData(
				builder,
				PacketData.createDataVector(builder, packet)
			);

			channel.notify(Event.PRODUCER_SEND, NotificationBody.PacketData, body, 'producer');
		}

		// 12 MB offered; one notification over the limit at most.
		expect(producerSocket.writableLength).toBeLessThan(NOTIFY_MAX_PENDING_BYTES + 2000);
		expect(channel.droppedNotifications).toBeGreaterThan(0);

		const pending = producerSocket.writableLength;

		void channel.request(Method.WORKER_DUMP).catch(() => {});
		expect(producerSocket.writableLength).toBeGreaterThan(pending);

		channel.close();
	});

	test('a large message arriving in many chunks is assembled once, not once per chunk', async () => {
		const consumerSocket = new PassThrough();
		const channel = new Channel({ producerSocket: stalledPipe(), consumerSocket, pid: 0 });

		// A 4 MB notification, framed as the worker frames it.
		const builder = new flatbuffers.Builder(1024);
		const data = PacketData.createDataVector(builder, Buffer.alloc(4 * 1000 * 1000, 7));
		const body = PacketData.createPacketData(builder, data);
		const notification = Notification.createNotification(
			builder,
			builder.createString('consumer'),
			Event.CONSUMER_RTP,
			NotificationBody.PacketData,
			body
		);

		builder.finishSizePrefixed(
			Message.createMessage(builder, MessageBody.Notification, notification)
		);

		const frame = Buffer.from(builder.asUint8Array());
		const received = new Promise<Notification>(resolve =>
			channel.once('consumer', (_event, n) => resolve(n))
		);
		const concat = jest.spyOn(Buffer, 'concat');

		try {
			// 1,000 chunks of 4 KB; per-chunk concatenation would copy ~2 GB.
			for (let offset = 0; offset < frame.length; offset += 4000) {
				consumerSocket.write(frame.subarray(offset, offset + 4000));
			}

			const n = await received;
			const packetData = n.body(new PacketData()) as PacketData;

			expect(packetData.dataLength()).toBe(4 * 1000 * 1000);
			expect(concat.mock.calls.length).toBeLessThanOrEqual(2);
		} finally {
			concat.mockRestore();
			channel.close();
		}
	});
});
