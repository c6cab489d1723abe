// A plain RTP audio sender for the RtpObserver tests: Opus-like packets that
// carry the ssrc-audio-level header extension (RFC 6464), one packet per
// stream every 20 ms, from a Node UDP socket (as FFmpeg or GStreamer would
// send to a PlainTransport).

import * as dgram from 'node:dgram';
import type { EventEmitter } from 'node:events';

const LOCALHOST = '127.0.0.1';
const PACKET_INTERVAL_MS = 20;
// 20 ms of 48 kHz audio.
const SAMPLES_PER_PACKET = 960;

/**
 * The header extension id the sender gives ssrc-audio-level. Deliberately
 * not the Router's (6): the worker must follow the Producer's mapping.
 */
export const AUDIO_LEVEL_EXTENSION_ID = 3;

/**
 * One RTP packet with a one-byte-form (RFC 8285 4.2) header extension block
 * holding a single ssrc-audio-level element: V flag then the level in -dBov.
 */
export function audioLevelPacket({
	payloadType,
	sequenceNumber,
	timestamp,
	ssrc,
	level,
	voice = true,
	extensionId = AUDIO_LEVEL_EXTENSION_ID,
}: {
	payloadType: number;
	sequenceNumber: number;
	timestamp: number;
	ssrc: number;
	level: number;
	voice?: boolean;
	extensionId?: number;
}): Buffer {
	const header = Buffer.alloc(12 + 4 + 4);

	// V=2, X=1.
	header[0] = 0x90;
	header[1] = payloadType & 0x7f;
	header.writeUInt16BE(sequenceNumber & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(ssrc >>> 0, 8);
	// 0xBEDE profile, one 32-bit word of elements.
	header.writeUInt16BE(0xbede, 12);
	header.writeUInt16BE(1, 14);
	// ID, length - 1 = 0: one byte of value; then two bytes of padding.
	header[16] = (extensionId << 4) | 0;
	header[17] = (voice ? 0x80 : 0x00) | (level & 0x7f);

	return Buffer.concat([header, Buffer.from('opus frame')]);
}

type Stream = {
	ssrc: number;
	sequenceNumber: number;
	timestamp: number;
	// -dBov, or null to send nothing.
	level: number | null;
};

export class AudioLevelSender {
	readonly #socket: dgram.Socket;
	readonly #port: number;
	readonly #payloadType: number;
	readonly #streams: Map<number, Stream> = new Map();
	#timer?: NodeJS.Timeout;

	static async create({
		port,
		payloadType,
	}: {
		port: number;
		payloadType: number;
	}): Promise<AudioLevelSender> {
		const socket = dgram.createSocket('udp4');

		await new Promise<void>((resolve, reject) => {
			socket.once('error', reject);
			socket.bind(0, LOCALHOST, () => resolve());
		});

		return new AudioLevelSender(socket, port, payloadType);
	}

	private constructor(socket: dgram.Socket, port: number, payloadType: number) {
		this.#socket = socket;
		this.#port = port;
		this.#payloadType = payloadType;
	}

	/**
	 * Level (-dBov, 0 loudest, 127 silence) the stream sends from now on, or
	 * null to stop sending on it.
	 */
	setLevel(ssrc: number, level: number | null): void {
		const stream = this.#streams.get(ssrc);

		if (stream) {
			stream.level = level;
		} else {
			this.#streams.set(ssrc, {
				ssrc,
				sequenceNumber: ssrc & 0xffff,
				timestamp: 0,
				level,
			});
		}
	}

	start(): void {
		if (this.#timer) {
			return;
		}

		this.#timer = setInterval(() => this.#sendAll(), PACKET_INTERVAL_MS);
	}

	stop(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
	}

	close(): void {
		this.stop();
		this.#socket.close();
	}

	#sendAll(): void {
		for (const stream of this.#streams.values()) {
			if (stream.level === null) {
				continue;
			}

			const packet = audioLevelPacket({
				payloadType: this.#payloadType,
				sequenceNumber: stream.sequenceNumber,
				timestamp: stream.timestamp,
				ssrc: stream.ssrc,
				level: stream.level,
			});

			stream.sequenceNumber = (stream.sequenceNumber + 1) & 0xffff;
			stream.timestamp = (stream.timestamp + SAMPLES_PER_PACKET) >>> 0;

			this.#socket.send(packet, this.#port, LOCALHOST);
		}
	}
}

/**
 * Resolves with the arguments of the first `event` of `emitter` for which
 * `accept` holds; rejects when none came within `timeoutMs` (a safety net
 * against a hung test, not a measure of anything).
 */
export function waitForEvent<Args extends unknown[]>(
	emitter: EventEmitter,
	event: string,
	accept: (...args: Args) => boolean = () => true,
	timeoutMs = 10000
): Promise<Args> {
	return new Promise<Args>((resolve, reject) => {
		const listener = (...rawArgs: unknown[]): void => {
			const args = rawArgs as Args;

			if (!accept(...args)) {
				return;
			}

			clearTimeout(timer);
			emitter.off(event, listener);
			resolve(args);
		};
		const timer = setTimeout(() => {
			emitter.off(event, listener);
			reject(new Error(`no accepted '${event}' event`));
		}, timeoutMs);

		emitter.on(event, listener);
	});
}

export function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}
