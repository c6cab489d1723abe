import type { Readable, Writable } from 'node:stream';
import * as flatbuffers from 'flatbuffers';
import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import { NotFoundError, WorkerClosedError } from './errors';
import { Body as MessageBody } from './fbs/message/body';
import { Message } from './fbs/message/message';
import { Request } from './fbs/request/request';
import { Method } from './fbs/request/method';
import { Body as RequestBody } from './fbs/request/body';
import { Response } from './fbs/response/response';
import { Notification } from './fbs/notification/notification';
import { Event as NotificationEvent } from './fbs/notification/event';
import { Body as NotificationBody } from './fbs/notification/body';
import { Event } from './fbs/notification/event';
import { Log } from './fbs/log/log';
import { Level as LogLevel } from './fbs/log/level';

const logger = new Logger('Channel');

// Every message is a 4-byte little-endian length and one FlatBuffers Message.
const HEADER_SIZE = 4;
// Largest message in either direction; the worker enforces the same limit.
export const MESSAGE_MAX_LEN = 4 * 1024 * 1024;
// Request ids wrap around below this.
const MAX_REQUEST_ID = 4294967295;
// Bytes waiting in the pipe's in-memory buffer above which notify() drops what
// it is given. Node buffers every write the pipe does not take at once; the
// worker reads all the time, so a backlog this large means it stalled, and
// the packets of producer.send() would otherwise pile up without bound.
// Requests are always written: their callers wait for them, and they time out.
export const NOTIFY_MAX_PENDING_BYTES = 4 * 1024 * 1024;

type Sent = {
	id: number;
	method: string;
	resolve: (response: Response) => void;
	reject: (error: Error) => void;
	timer: NodeJS.Timeout;
};

/**
 * Events are named by the id of the entity that emitted them; the argument is
 * the notification's event and the notification itself.
 */
export type ChannelEvents = Record<string, [Event, Notification]>;

/**
 * The two pipes to one worker process: requests go out on fd 3, and
 * responses, notifications and logs come back on fd 4. This is the only code
 * that frames messages and matches responses to requests.
 */
export class Channel extends EnhancedEventEmitter<ChannelEvents> {
	readonly #producerSocket: Writable;
	readonly #consumerSocket: Readable;
	readonly #pid: number;
	readonly #workerLogger: Logger;
	readonly #sents: Map<number, Sent> = new Map();
	readonly #bufferBuilder = new flatbuffers.Builder(1024);
	#closed = false;
	#nextId = 0;
	// Received bytes not parsed yet, kept as the chunks they came in until a
	// whole message is there: joined once then, not once per chunk (a 4 MiB
	// message comes in dozens of chunks).
	#recvChunks: Buffer[] = [];
	#recvLength = 0;
	// Bytes needed before parsing is worth trying again.
	#recvNeeded = HEADER_SIZE;
	#droppedNotifications = 0;

	constructor({
		producerSocket,
		consumerSocket,
		pid,
	}: {
		producerSocket: Writable;
		consumerSocket: Readable;
		pid: number;
	}) {
		super();

		logger.debug('constructor()');

		this.#producerSocket = producerSocket;
		this.#consumerSocket = consumerSocket;
		this.#pid = pid;
		this.#workerLogger = new Logger(`Worker`);

		this.#consumerSocket.on('data', (chunk: Buffer) => this.#onData(chunk));

		this.#consumerSocket.on('end', () => logger.debug('consumer Socket ended by the other side'));

		this.#consumerSocket.on('error', error => logger.error(`consumer Socket error: ${error}`));

		this.#producerSocket.on('end', () => logger.debug('producer Socket ended by the other side'));

		this.#producerSocket.on('error', error => logger.error(`producer Socket error: ${error}`));
	}

	get closed(): boolean {
		return this.#closed;
	}

	/**
	 * Notifications notify() dropped because the worker did not read.
	 */
	get droppedNotifications(): number {
		return this.#droppedNotifications;
	}

	/**
	 * The builder request bodies are built in, just before `request()`.
	 */
	get bufferBuilder(): flatbuffers.Builder {
		return this.#bufferBuilder;
	}

	/**
	 * Closes both pipes (the worker then exits by itself) and rejects every
	 * pending request with WorkerClosedError.
	 */
	close(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('close()');

		this.#closed = true;

		for (const sent of this.#sents.values()) {
			clearTimeout(sent.timer);
			sent.reject(new WorkerClosedError(`Channel closed, request ${sent.method} aborted`));
		}

		this.#sents.clear();

		this.#consumerSocket.removeAllListeners('data');
		// Keep an error listener so a late EPIPE cannot throw.
		this.#consumerSocket.on('error', () => {});
		this.#producerSocket.on('error', () => {});

		try {
			this.#producerSocket.end();
		} catch {
			// Already gone.
		}

		try {
			this.#consumerSocket.destroy();
		} catch {
			// Already gone.
		}
	}

	/**
	 * Sends a notification to the worker (no response): the packets of
	 * producer.send() and directTransport.sendRtcp(). The body must have been
	 * built in `bufferBuilder`. Throws WorkerClosedError when closed.
	 */
	notify(
		event: NotificationEvent,
		bodyType: NotificationBody,
		bodyOffset: number,
		handlerId: string
	): void {
		const builder = this.#bufferBuilder;

		if (this.#closed) {
			builder.clear();

			throw new WorkerClosedError('Channel closed');
		}

		const handlerIdOffset = builder.createString(handlerId);
		const notificationOffset = Notification.createNotification(
			builder,
			handlerIdOffset,
			event,
			bodyType,
			bodyOffset
		);
		const messageOffset = Message.createMessage(
			builder,
			MessageBody.Notification,
			notificationOffset
		);

		builder.finishSizePrefixed(messageOffset);

		const buffer = builder.asUint8Array();

		builder.clear();

		if (buffer.byteLength > HEADER_SIZE + MESSAGE_MAX_LEN) {
			throw new Error(`notification too big (${buffer.byteLength} bytes)`);
		}

		// write() returning false only says that the pipe did not take the bytes
		// at once: Node keeps them in memory, however many there are. Past
		// the limit the worker is stalled; drop, as the network would.
		if (this.#producerSocket.writableLength > NOTIFY_MAX_PENDING_BYTES) {
			if (this.#droppedNotifications++ % 1000 === 0) {
				logger.warn(
					`notify() dropping notifications, the worker does not read [dropped:${this.#droppedNotifications}]`
				);
			}

			return;
		}

		this.#producerSocket.write(Buffer.from(buffer));
	}

	/**
	 * Sends a request. The body, if any, must have been built in
	 * `bufferBuilder` and `bodyOffset` is its offset there.
	 */
	async request(
		method: Method,
		bodyType?: RequestBody,
		bodyOffset?: number,
		handlerId?: string
	): Promise<Response> {
		const builder = this.#bufferBuilder;

		if (this.#closed) {
			builder.clear();

			throw new WorkerClosedError('Channel closed');
		}

		this.#nextId = this.#nextId < MAX_REQUEST_ID ? this.#nextId + 1 : 1;

		const id = this.#nextId;
		const methodName = Method[method];
		const handlerIdOffset = builder.createString(handlerId ?? '');

		let requestOffset: number;

		if (bodyType !== undefined && bodyOffset !== undefined) {
			requestOffset = Request.createRequest(
				builder,
				id,
				method,
				handlerIdOffset,
				bodyType,
				bodyOffset
			);
		} else {
			requestOffset = Request.createRequest(
				builder,
				id,
				method,
				handlerIdOffset,
				RequestBody.NONE,
				0
			);
		}

		const messageOffset = Message.createMessage(builder, MessageBody.Request, requestOffset);

		builder.finishSizePrefixed(messageOffset);

		const buffer = builder.asUint8Array();

		builder.clear();

		if (buffer.byteLength > HEADER_SIZE + MESSAGE_MAX_LEN) {
			throw new Error(
				`request ${methodName} too big (${buffer.byteLength} bytes, limit ${MESSAGE_MAX_LEN})`
			);
		}

		logger.debug(`request() [method:${methodName}, id:${id}]`);

		// A copy: the builder's memory is reused by the next request.
		this.#producerSocket.write(Buffer.from(buffer));

		// Generous: a request never waits for the network in the worker.
		const timeoutMs = 1000 * (15 + 0.1 * this.#sents.size);

		return new Promise<Response>((resolve, reject) => {
			const sent: Sent = {
				id,
				method: methodName,
				resolve: response => {
					clearTimeout(sent.timer);
					this.#sents.delete(id);
					resolve(response);
				},
				reject: error => {
					clearTimeout(sent.timer);
					this.#sents.delete(id);
					reject(error);
				},
				timer: setTimeout(() => {
					if (!this.#sents.has(id)) {
						return;
					}

					sent.reject(new Error(`Channel request ${methodName} timed out`));
				}, timeoutMs),
			};

			this.#sents.set(id, sent);
		});
	}

	#onData(chunk: Buffer): void {
		this.#recvChunks.push(chunk);
		this.#recvLength += chunk.length;

		if (this.#recvLength < this.#recvNeeded) {
			return;
		}

		const buffer =
			this.#recvChunks.length === 1
				? this.#recvChunks[0]
				: Buffer.concat(this.#recvChunks, this.#recvLength);
		let offset = 0;

		this.#recvNeeded = HEADER_SIZE;

		while (buffer.length - offset >= HEADER_SIZE) {
			const length = buffer.readUInt32LE(offset);

			if (length > MESSAGE_MAX_LEN) {
				// The worker never sends this; the stream cannot be trusted anymore.
				logger.error(`received a message of ${length} bytes, over the limit; closing the channel`);

				this.#recvChunks = [];
				this.#recvLength = 0;
				this.close();

				return;
			}

			if (buffer.length - offset < HEADER_SIZE + length) {
				this.#recvNeeded = HEADER_SIZE + length;

				break;
			}

			const frame = buffer.subarray(offset + HEADER_SIZE, offset + HEADER_SIZE + length);

			offset += HEADER_SIZE + length;

			try {
				this.#processMessage(frame);
			} catch (error) {
				logger.error(`received an invalid message from the worker: ${error}`);
			}

			// Processing may close the channel.
			if (this.#closed) {
				return;
			}
		}

		const rest = buffer.subarray(offset);

		this.#recvChunks = rest.length > 0 ? [rest] : [];
		this.#recvLength = rest.length;
	}

	#processMessage(frame: Buffer): void {
		// Frames are slices of buffers we do not reuse, so views over them stay
		// valid for as long as someone holds them.
		const message = Message.getRootAsMessage(
			new flatbuffers.ByteBuffer(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength))
		);

		switch (message.dataType()) {
			case MessageBody.Response: {
				this.#processResponse(message.data(new Response()) as Response);

				break;
			}

			case MessageBody.Notification: {
				const notification = message.data(new Notification()) as Notification;

				// Never overtake the response the notification follows.
				setImmediate(() => {
					if (this.#closed) {
						return;
					}

					this.safeEmit(notification.handlerId()!, notification.event(), notification);
				});

				break;
			}

			case MessageBody.Log: {
				const log = message.data(new Log()) as Log;
				const text = `[pid:${this.#pid}] ${log.source()}: ${log.data()}`;

				switch (log.level()) {
					case LogLevel.DEBUG:
						this.#workerLogger.debug(text);
						break;
					case LogLevel.WARN:
						this.#workerLogger.warn(text);
						break;
					case LogLevel.ERROR:
						this.#workerLogger.error(text);
						break;
				}

				break;
			}

			default: {
				logger.warn(`unexpected message type ${message.dataType()} from the worker`);
			}
		}
	}

	#processResponse(response: Response): void {
		const sent = this.#sents.get(response.id());

		if (!sent) {
			logger.error(`received a response to an unknown request [id:${response.id()}]`);

			return;
		}

		if (response.accepted()) {
			logger.debug(`request succeeded [method:${sent.method}, id:${sent.id}]`);

			sent.resolve(response);

			return;
		}

		const reason = response.reason() ?? 'unknown reason';

		logger.debug(`request failed [method:${sent.method}, id:${sent.id}]: ${reason}`);

		switch (response.error()) {
			case 'TypeError':
				sent.reject(new TypeError(reason));
				break;
			case 'NotFoundError':
				sent.reject(new NotFoundError(reason));
				break;
			default:
				sent.reject(new Error(reason));
		}
	}
}
