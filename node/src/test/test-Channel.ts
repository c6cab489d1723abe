// The channel protocol as the worker process sees it: framing across partial
// and merged writes, oversize and malformed messages, unknown methods, and
// the worker exiting when its parent goes away. Talks to a real worker
// process over fd 3 / fd 4 without the Worker class in between.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as flatbuffers from 'flatbuffers';
import { workerBin } from '../';
import { Body as MessageBody } from '../fbs/message/body';
import { Message } from '../fbs/message/message';
import { Request } from '../fbs/request/request';
import { Method } from '../fbs/request/method';
import { Body as RequestBody } from '../fbs/request/body';
import { Response } from '../fbs/response/response';
import { Body as ResponseBody } from '../fbs/response/body';
import { Notification } from '../fbs/notification/notification';
import { Event } from '../fbs/notification/event';
import { DumpResponse as WorkerDumpResponse } from '../fbs/worker/dump-response';
import { CreateRouterRequest } from '../fbs/worker/create-router-request';

const MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

type Received = { responses: Response[]; notifications: Notification[] };

/**
 * A worker process and the raw ends of its channel.
 */
class RawWorker {
	readonly child: ChildProcess;
	readonly received: Received = { responses: [], notifications: [] };
	readonly exited: Promise<{ code: number | null; signal: string | null }>;
	#buffer = Buffer.alloc(0);
	#waiters: (() => void)[] = [];

	constructor() {
		this.child = spawn(workerBin, ['--logLevel=none'], {
			stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
		});
		this.exited = new Promise(resolve =>
			this.child.on('exit', (code, signal) => resolve({ code, signal }))
		);
		this.consumer.on('data', (chunk: Buffer) => this.#onData(chunk));
	}

	get producer(): Writable {
		return this.child.stdio[3] as Writable;
	}

	get consumer(): Readable {
		return this.child.stdio[4] as Readable;
	}

	#onData(chunk: Buffer): void {
		this.#buffer = Buffer.concat([this.#buffer, chunk]);

		while (this.#buffer.length >= 4) {
			const length = this.#buffer.readUInt32LE(0);

			if (this.#buffer.length < 4 + length) {
				break;
			}

			const frame = new Uint8Array(this.#buffer.subarray(4, 4 + length));

			this.#buffer = this.#buffer.subarray(4 + length);

			const message = Message.getRootAsMessage(new flatbuffers.ByteBuffer(frame));

			if (message.dataType() === MessageBody.Response) {
				this.received.responses.push(message.data(new Response()) as Response);
			} else if (message.dataType() === MessageBody.Notification) {
				this.received.notifications.push(message.data(new Notification()) as Notification);
			}
		}

		for (const waiter of this.#waiters.splice(0)) {
			waiter();
		}
	}

	/**
	 * Resolves once `predicate` holds (checked on every received chunk).
	 */
	async until(predicate: () => boolean, timeoutMs = 10000): Promise<void> {
		const deadline = Date.now() + timeoutMs;

		while (!predicate()) {
			if (Date.now() > deadline) {
				throw new Error('timed out waiting for the worker');
			}

			await new Promise<void>(resolve => {
				this.#waiters.push(resolve);
				setTimeout(resolve, 50);
			});
		}
	}

	async ready(): Promise<void> {
		await this.until(() =>
			this.received.notifications.some(n => n.event() === Event.WORKER_RUNNING)
		);
	}

	responseTo(id: number): Response | undefined {
		return this.received.responses.find(r => r.id() === id);
	}

	async request(bytes: Uint8Array, id: number): Promise<Response> {
		this.producer.write(bytes);
		await this.until(() => this.responseTo(id) !== undefined);

		return this.responseTo(id)!;
	}

	kill(): void {
		this.child.kill('SIGKILL');
	}
}

/**
 * A framed request message (4-byte length prefix included).
 */
function buildRequest({
	id,
	method,
	handlerId = '',
	body,
}: {
	id: number;
	method: number;
	handlerId?: string;
	body?: (builder: flatbuffers.Builder) => { type: RequestBody; offset: number };
}): Uint8Array {
	const builder = new flatbuffers.Builder(1024);
	const handlerIdOffset = builder.createString(handlerId);
	const bodyData = body ? body(builder) : { type: RequestBody.NONE, offset: 0 };
	const request = Request.createRequest(
		builder,
		id,
		method,
		handlerIdOffset,
		bodyData.type,
		bodyData.offset
	);
	const message = Message.createMessage(builder, MessageBody.Request, request);

	builder.finishSizePrefixed(message);

	return builder.asUint8Array().slice();
}

function createRouterBody(routerId: string) {
	return (builder: flatbuffers.Builder) => ({
		type: RequestBody.Worker_CreateRouterRequest,
		offset: CreateRouterRequest.createCreateRouterRequest(builder, builder.createString(routerId)),
	});
}

function frame(payload: Uint8Array): Uint8Array {
	const bytes = Buffer.alloc(4 + payload.length);

	bytes.writeUInt32LE(payload.length, 0);
	bytes.set(payload, 4);

	return bytes;
}

/**
 * Whether the process exists and is not a zombie (an exited process that
 * nobody reaped yet counts as gone).
 */
function isProcessAlive(pid: number): boolean {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);

		return state !== 'Z' && state !== 'X';
	} catch {
		return false;
	}
}

async function waitForExit(pid: number, timeoutMs = 5000): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;

	while (Date.now() < deadline) {
		if (!isProcessAlive(pid)) {
			return true;
		}

		await new Promise(resolve => setTimeout(resolve, 25));
	}

	return false;
}

let worker: RawWorker;

beforeEach(async () => {
	worker = new RawWorker();
	await worker.ready();
});

afterEach(async () => {
	worker.kill();
	await worker.exited;
});

test('the worker announces it is running, then answers a dump request', async () => {
	const response = await worker.request(buildRequest({ id: 1, method: Method.WORKER_DUMP }), 1);

	expect(response.accepted()).toBe(true);
	expect(response.bodyType()).toBe(ResponseBody.Worker_DumpResponse);

	const dump = response.body(new WorkerDumpResponse()) as WorkerDumpResponse;

	expect(dump.pid()).toBe(worker.child.pid);
});

test('requests split into single bytes and merged into one write are all answered', async () => {
	const requests = [1, 2, 3].map(id => buildRequest({ id, method: Method.WORKER_DUMP }));
	const merged = Buffer.concat(requests.map(r => Buffer.from(r)));

	// One byte per write, with the loop given time to read each separately.
	for (const byte of merged.subarray(0, 60)) {
		worker.producer.write(Buffer.from([byte]));
		await new Promise(resolve => setImmediate(resolve));
	}

	worker.producer.write(merged.subarray(60));

	await worker.until(() => [1, 2, 3].every(id => worker.responseTo(id)));

	for (const id of [1, 2, 3]) {
		expect(worker.responseTo(id)!.accepted()).toBe(true);
	}
});

test('a thousand pipelined requests are answered in order', async () => {
	const count = 1000;
	const all = Buffer.concat(
		Array.from({ length: count }, (_, i) =>
			Buffer.from(
				buildRequest({
					id: i + 1,
					method: Method.WORKER_CREATE_ROUTER,
					body: createRouterBody(`router-${i}`),
				})
			)
		)
	);

	worker.producer.write(all);

	await worker.until(() => worker.received.responses.length >= count);

	const ids = worker.received.responses.map(r => r.id());

	expect(ids).toEqual(Array.from({ length: count }, (_, i) => i + 1));
	expect(worker.received.responses.every(r => r.accepted())).toBe(true);

	// A response much larger than a pipe buffer (64 KiB) arrives whole.
	const dumpResponse = await worker.request(
		buildRequest({ id: count + 1, method: Method.WORKER_DUMP }),
		count + 1
	);
	const dump = dumpResponse.body(new WorkerDumpResponse()) as WorkerDumpResponse;

	expect(dump.routerIdsLength()).toBe(count);
});

test('an unknown method gets an error response and the worker stays up', async () => {
	const response = await worker.request(buildRequest({ id: 7, method: 250 }), 7);

	expect(response.accepted()).toBe(false);
	expect(response.error()).toBe('Error');
	expect(response.reason()).toMatch(/unknown method/);

	const next = await worker.request(buildRequest({ id: 8, method: Method.WORKER_DUMP }), 8);

	expect(next.accepted()).toBe(true);
});

test('a request without its body gets a TypeError response', async () => {
	const response = await worker.request(
		buildRequest({ id: 3, method: Method.WORKER_CREATE_ROUTER }),
		3
	);

	expect(response.accepted()).toBe(false);
	expect(response.error()).toBe('TypeError');
	expect(response.reason()).toMatch(/body/);
});

test('a request to an unknown entity gets a NotFoundError response', async () => {
	const response = await worker.request(
		buildRequest({ id: 4, method: Method.ROUTER_DUMP, handlerId: 'no-such-router' }),
		4
	);

	expect(response.accepted()).toBe(false);
	expect(response.error()).toBe('NotFoundError');
	expect(response.reason()).toMatch(/no-such-router/);
});

test('a duplicate router id is refused with an Error response', async () => {
	const create = (id: number) =>
		buildRequest({ id, method: Method.WORKER_CREATE_ROUTER, body: createRouterBody('same-id') });

	expect((await worker.request(create(1), 1)).accepted()).toBe(true);

	const second = await worker.request(create(2), 2);

	expect(second.accepted()).toBe(false);
	expect(second.error()).toBe('Error');
});

test('garbage that fails FlatBuffers verification is dropped and the worker stays up', async () => {
	const garbage = [
		new Uint8Array([]),
		new Uint8Array([1, 2, 3]),
		new Uint8Array(64).fill(0xff),
		// A valid request with its root offset pointing outside the buffer.
		(() => {
			const bytes = buildRequest({ id: 99, method: Method.WORKER_DUMP }).slice(4);

			new DataView(bytes.buffer).setUint32(0, 0x7fffffff, true);

			return bytes;
		})(),
	];

	for (const payload of garbage) {
		worker.producer.write(frame(payload));
	}

	const response = await worker.request(buildRequest({ id: 5, method: Method.WORKER_DUMP }), 5);

	expect(response.accepted()).toBe(true);
	expect(worker.responseTo(99)).toBeUndefined();
	expect(isProcessAlive(worker.child.pid!)).toBe(true);
});

test('a message over the size limit is skipped without a crash', async () => {
	const oversize = Buffer.alloc(4 + MAX_MESSAGE_SIZE + 1, 0x41);

	oversize.writeUInt32LE(MAX_MESSAGE_SIZE + 1, 0);
	worker.producer.write(oversize);

	const response = await worker.request(buildRequest({ id: 6, method: Method.WORKER_DUMP }), 6);

	expect(response.accepted()).toBe(true);
	expect(isProcessAlive(worker.child.pid!)).toBe(true);
});

test('the worker exits by itself when its request pipe closes', async () => {
	worker.producer.end();

	const { code, signal } = await worker.exited;

	expect(code).toBe(0);
	expect(signal).toBeNull();
});

test('the worker exits when its parent process dies (no orphan)', async () => {
	// A parent Node process that creates a Worker through the public API,
	// prints the worker's pid and then waits; we kill it with SIGKILL.
	const libIndex = path.join(__dirname, '..', '..', 'lib', 'index.js');
	const script = `
		const mediasoup = require(${JSON.stringify(libIndex)});
		mediasoup.createWorker().then(worker => {
			process.stdout.write(String(worker.pid) + '\\n');
			setInterval(() => {}, 1000);
		});
	`;
	const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
	const workerPid = await new Promise<number>((resolve, reject) => {
		parent.stdout!.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
		parent.once('exit', () => reject(new Error('parent exited early')));
	});

	expect(isProcessAlive(workerPid)).toBe(true);

	parent.kill('SIGKILL');

	expect(await waitForExit(workerPid)).toBe(true);
});
