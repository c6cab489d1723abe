// Consumers forward the layers they are told to: a simulcast consumer one
// encoding and its VP8 temporal layers up to the preferred ones, an SVC
// consumer the VP9 (payload descriptor) or AV1 (Dependency Descriptor header
// extension) spatial and temporal layers up to them (k-SVC: only the target
// spatial layer outside key pictures), with continuous sequence numbers, the marker on the last forwarded packet of a picture, and
// `layerschange` / `currentLayers` following what is forwarded.

import * as dgram from 'node:dgram';
import * as mediasoup from '../';
import type {
	Consumer,
	ConsumerLayers,
	Router,
	RtpCapabilities,
	RtpEncodingParameters,
	RtpHeaderExtensionParameters,
	Worker,
} from '../types';
import { rtpPayload } from './helpers/rtpHeader';

const LOCALHOST = '127.0.0.1';

let worker: Worker;
let router: Router;

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	router = await worker.createRouter({
		mediaCodecs: [
			{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
			{ kind: 'video', mimeType: 'video/VP9', clockRate: 90000 },
			{ kind: 'video', mimeType: 'video/AV1', clockRate: 90000 },
		],
	});
});

afterEach(() => worker?.close());

async function waitFor(condition: () => boolean, timeoutMs = 10000): Promise<void> {
	const start = Date.now();

	while (!condition()) {
		if (Date.now() - start > timeoutMs) {
			throw new Error('condition not met in time');
		}

		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

/**
 * The receiver here is a plain socket that sends no congestion feedback:
 * without the transport-cc and abs-send-time extensions its consumer is not
 * measured, and forwards its preferred layers.
 */
function withoutCongestionControl(capabilities: RtpCapabilities): RtpCapabilities {
	return {
		...capabilities,
		headerExtensions: (capabilities.headerExtensions ?? []).filter(
			ext => !/transport-wide-cc|abs-send-time/.test(ext.uri)
		),
	};
}

type SyntheticPacket = {
	ssrc: number;
	payload: Buffer;
	marker: boolean;
	// Header extension elements, written in the two-byte form (RFC 8285 4.3).
	extensions?: { id: number; value: Buffer }[];
};

// The RTP header extension block: profile 0x1000, length in words, then
// id, length and value per element, zero padded to a word.
function twoByteExtensionBlock(extensions: { id: number; value: Buffer }[]): Buffer {
	const elements = Buffer.concat(
		extensions.map(({ id, value }) => Buffer.concat([Buffer.from([id, value.length]), value]))
	);
	const words = Math.ceil(elements.length / 4);
	const block = Buffer.alloc(4 + words * 4);

	block.writeUInt16BE(0x1000, 0);
	block.writeUInt16BE(words, 2);
	elements.copy(block, 4);

	return block;
}

type Session = {
	consumer: Consumer;
	received: Buffer[];
	layersEvents: (ConsumerLayers | undefined)[];
	stop: () => Promise<void>;
};

/**
 * A producer fed from a UDP socket: every 20 ms `frame(n)` gives the packets
 * of frame n (per SSRC: payload, marker and header extensions); a consumer
 * whose RTP is collected.
 */
async function startSession({
	mimeType,
	encodings,
	headerExtensions,
	preferredLayers,
	frame,
}: {
	mimeType: string;
	encodings: RtpEncodingParameters[];
	headerExtensions?: RtpHeaderExtensionParameters[];
	preferredLayers: ConsumerLayers;
	frame: (n: number) => SyntheticPacket[];
}): Promise<Session> {
	const codec = router.rtpCapabilities.codecs!.find(c => c.mimeType === mimeType)!;
	const payloadType = codec.preferredPayloadType!;
	const sender = dgram.createSocket('udp4');
	const receiver = dgram.createSocket('udp4');

	await new Promise<void>(resolve => sender.bind(0, LOCALHOST, () => resolve()));
	await new Promise<void>(resolve => receiver.bind(0, LOCALHOST, () => resolve()));

	const ingress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
		comedia: true,
	});
	const egress = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCALHOST },
	});

	await egress.connect({ ip: LOCALHOST, port: receiver.address().port });

	const producer = await ingress.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [
				{
					mimeType,
					payloadType,
					clockRate: 90000,
					rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
				},
			],
			encodings,
			headerExtensions,
		},
	});
	const consumer = await egress.consume({
		producerId: producer.id,
		rtpCapabilities: withoutCongestionControl(router.rtpCapabilities as RtpCapabilities),
		preferredLayers,
	});
	const received: Buffer[] = [];
	const layersEvents: (ConsumerLayers | undefined)[] = [];

	consumer.on('layerschange', layers => {
		layersEvents.push(layers);
		// currentLayers follows each event.
		expect(consumer.currentLayers).toEqual(layers);
	});

	// RTP only: sender reports arrive on the same port.
	receiver.on('message', message => {
		if (message[1] < 192 || message[1] > 223) {
			received.push(message);
		}
	});

	const seqs = new Map<number, number>();
	let n = 0;

	const interval = setInterval(() => {
		for (const { ssrc, payload, marker, extensions } of frame(n)) {
			const seq = seqs.get(ssrc) ?? ssrc & 0x7fff;
			const header = Buffer.alloc(12);

			header[0] = extensions ? 0x90 : 0x80;
			header[1] = (marker ? 0x80 : 0) | payloadType;
			header.writeUInt16BE(seq & 0xffff, 2);
			header.writeUInt32BE((n * 1800) >>> 0, 4);
			header.writeUInt32BE(ssrc, 8);
			seqs.set(ssrc, seq + 1);

			const block = extensions ? twoByteExtensionBlock(extensions) : Buffer.alloc(0);

			sender.send(Buffer.concat([header, block, payload]), ingress.tuple.localPort, LOCALHOST);
		}

		++n;
	}, 20);

	return {
		consumer,
		received,
		layersEvents,
		stop: async () => {
			clearInterval(interval);
			sender.close();
			await new Promise(resolve => setTimeout(resolve, 100));
			receiver.close();
		},
	};
}

function expectContinuousSequenceNumbers(received: Buffer[]): void {
	for (let i = 1; i < received.length; ++i) {
		expect(received[i].readUInt16BE(2)).toBe((received[i - 1].readUInt16BE(2) + 1) & 0xffff);
	}
}

// Temporal layer of each frame in an L1T3 pattern.
const TIDS = [0, 2, 1, 2];

describe('simulcast VP8 with temporal layers', () => {
	const SSRCS = [55550000, 55551111, 55552222];

	// VP8 payload (RFC 7741): X and S; I (15-bit picture id), L (TL0PICIDX),
	// T (TID, Y); the payload header (P bit 0 for a key frame), then the
	// encoding and TID, for the test to read back.
	const vp8Frame = (n: number): { ssrc: number; payload: Buffer; marker: boolean }[] =>
		SSRCS.map((ssrc, idx) => {
			const tid = TIDS[n % 4];
			const pictureId = (idx * 1000 + n) & 0x7fff;
			const tl0PicIdx = Math.floor(n / 4) & 0xff;
			const keyFrame = n % 12 === 0;

			return {
				ssrc,
				marker: true,
				payload: Buffer.from([
					0x90,
					0xe0,
					0x80 | (pictureId >> 8),
					pictureId & 0xff,
					tl0PicIdx,
					(tid << 6) | (tid === 1 ? 0x20 : 0),
					keyFrame ? 0x00 : 0x01,
					0x9d,
					0x01,
					0x2a,
					idx,
					tid,
				]),
			};
		});

	const encodingOf = (p: Buffer): number => p[p.length - 2];
	const tidOf = (p: Buffer): number => p[p.length - 1];
	const pictureIdOf = (p: Buffer): number => {
		const payload = rtpPayload(p);

		return ((payload[2] & 0x7f) << 8) | payload[3];
	};

	test('preferredLayers {1, 1}: only encoding 1, TID <= 1, continuous numbers', async () => {
		const { consumer, received, layersEvents, stop } = await startSession({
			mimeType: 'video/VP8',
			encodings: SSRCS.map(ssrc => ({ ssrc, scalabilityMode: 'L1T3' })),
			preferredLayers: { spatialLayer: 1, temporalLayer: 1 },
			frame: vp8Frame,
		});

		expect(consumer.type).toBe('simulcast');
		expect(consumer.preferredLayers).toEqual({ spatialLayer: 1, temporalLayer: 1 });

		try {
			await waitFor(() => received.filter(p => encodingOf(p) === 1).length >= 20);
			// Time for a wrong move up to show.
			await new Promise(resolve => setTimeout(resolve, 1200));
		} finally {
			await stop();
		}

		expect(received.some(p => encodingOf(p) === 2)).toBe(false);
		expect(received.every(p => tidOf(p) <= 1)).toBe(true);
		// TID 1 frames are forwarded, not only TL0.
		expect(received.some(p => tidOf(p) === 1 && encodingOf(p) === 1)).toBe(true);
		expectContinuousSequenceNumbers(received);

		// Picture ids without the dropped pictures' gaps, across the switch.
		for (let i = 1; i < received.length; ++i) {
			expect(pictureIdOf(received[i])).toBe((pictureIdOf(received[i - 1]) + 1) & 0x7fff);
		}

		expect(consumer.currentLayers).toEqual({ spatialLayer: 1, temporalLayer: 1 });
		expect(layersEvents[layersEvents.length - 1]).toEqual({ spatialLayer: 1, temporalLayer: 1 });
	});

	test('layerschange is emitted in order on each change, currentLayers following', async () => {
		const { consumer, received, layersEvents, stop } = await startSession({
			mimeType: 'video/VP8',
			encodings: SSRCS.map(ssrc => ({ ssrc, scalabilityMode: 'L1T3' })),
			preferredLayers: { spatialLayer: 0, temporalLayer: 0 },
			frame: vp8Frame,
		});

		try {
			await waitFor(() => layersEvents.length >= 1);
			expect(layersEvents).toEqual([{ spatialLayer: 0, temporalLayer: 0 }]);

			await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
			await waitFor(
				() =>
					consumer.currentLayers?.spatialLayer === 2 && consumer.currentLayers?.temporalLayer === 2
			);

			const before = received.length;

			await waitFor(() => received.length > before + 10);
			await consumer.pause();
			await waitFor(() => layersEvents[layersEvents.length - 1] === undefined);
			expect(consumer.currentLayers).toBeUndefined();

			await consumer.resume();
			await waitFor(() => layersEvents[layersEvents.length - 1] !== undefined);
		} finally {
			await stop();
		}

		// Each event a change, from {0, 0} up to {2, 2}, then none at pause.
		expect(layersEvents[0]).toEqual({ spatialLayer: 0, temporalLayer: 0 });

		for (let i = 1; i < layersEvents.length; ++i) {
			expect(layersEvents[i]).not.toEqual(layersEvents[i - 1]);
		}

		const pauseIdx = layersEvents.indexOf(undefined);

		expect(layersEvents[pauseIdx - 1]).toEqual({ spatialLayer: 2, temporalLayer: 2 });
		expect(layersEvents[layersEvents.length - 1]).toEqual({ spatialLayer: 2, temporalLayer: 2 });
		// Never above the preferred layers in between.
		expect(received.some(p => tidOf(p) === 2)).toBe(true);
	});
});

describe('VP9 SVC', () => {
	const SSRC = 66660000;

	// VP9 payload descriptor (RFC 9628), non-flexible mode: I, P, L, B, E;
	// 15-bit picture id; TID|U|SID|D; TL0PICIDX; then SID and TID for the
	// test. One packet per layer frame, the RTP marker on the last layer.
	const vp9Picture = (
		n: number,
		spatialLayers: number,
		keyEvery: number,
		tids: number[]
	): { ssrc: number; payload: Buffer; marker: boolean }[] => {
		const key = n % keyEvery === 0;
		const tid = key ? 0 : tids[n % tids.length];
		const packets = [];

		for (let sid = 0; sid < spatialLayers; ++sid) {
			packets.push({
				ssrc: SSRC,
				marker: sid === spatialLayers - 1,
				payload: Buffer.from([
					(key ? 0 : 0x40) | 0x80 | 0x20 | 0x08 | 0x04,
					0x80 | ((n >> 8) & 0x7f),
					n & 0xff,
					(tid << 5) | (sid << 1) | (sid > 0 ? 1 : 0),
					Math.floor(n / tids.length) & 0xff,
					sid,
					tid,
				]),
			});
		}

		return packets;
	};

	const sidOf = (p: Buffer): number => p[p.length - 2];
	const tidOf = (p: Buffer): number => p[p.length - 1];
	const markerOf = (p: Buffer): boolean => (p[1] & 0x80) !== 0;
	const pictureOf = (p: Buffer): number => {
		const payload = rtpPayload(p);

		return ((payload[1] & 0x7f) << 8) | payload[2];
	};

	test('L3T3 with preferred {1, 0}: SID <= 1, TID 0, marker on the last forwarded packet', async () => {
		const { consumer, received, stop } = await startSession({
			mimeType: 'video/VP9',
			encodings: [{ ssrc: SSRC, scalabilityMode: 'L3T3' }],
			preferredLayers: { spatialLayer: 1, temporalLayer: 0 },
			frame: n => vp9Picture(n, 3, 16, TIDS),
		});

		expect(consumer.type).toBe('svc');

		try {
			await waitFor(() => received.length >= 30);
		} finally {
			await stop();
		}

		expect(received.every(p => sidOf(p) <= 1)).toBe(true);
		expect(received.every(p => tidOf(p) === 0)).toBe(true);
		expect(received.some(p => sidOf(p) === 1)).toBe(true);
		// The marker on SID 1 (the last forwarded) only.
		expect(received.every(p => markerOf(p) === (sidOf(p) === 1))).toBe(true);
		expectContinuousSequenceNumbers(received);
		expect(consumer.currentLayers).toEqual({ spatialLayer: 1, temporalLayer: 0 });
	});

	test('k-SVC: non-key pictures forward only the target spatial layer', async () => {
		const { consumer, received, stop } = await startSession({
			mimeType: 'video/VP9',
			encodings: [{ ssrc: SSRC, scalabilityMode: 'L3T1_KEY' }],
			preferredLayers: { spatialLayer: 1 },
			frame: n => vp9Picture(n, 3, 10, [0]),
		});

		try {
			// Past a second key picture.
			await waitFor(() => new Set(received.map(pictureOf)).size >= 15);
		} finally {
			await stop();
		}

		const byPicture = new Map<number, number[]>();

		for (const p of received) {
			byPicture.set(pictureOf(p), [...(byPicture.get(pictureOf(p)) ?? []), sidOf(p)]);
		}

		for (const [picture, sids] of byPicture) {
			// Key pictures: layers 0 and 1; the others: layer 1 only.
			expect(sids).toEqual(picture % 10 === 0 ? [0, 1] : [1]);
		}

		expect(received.every(p => markerOf(p) === (sidOf(p) === 1))).toBe(true);
		expectContinuousSequenceNumbers(received);
		expect(consumer.currentLayers).toEqual({ spatialLayer: 1, temporalLayer: 0 });
	});
});

describe('AV1 SVC by the Dependency Descriptor', () => {
	const SSRC = 77770000;
	const DD_URI =
		'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';
	// Not the Router's id for it: the producer's numbering is mapped.
	const DD_ID = 10;
	const KEY_EVERY = 16;
	// Template ids start there (and wrap past 63).
	const TEMPLATE_ID_OFFSET = 60;
	// No template has it.
	const UNKNOWN_TEMPLATE_ID = (TEMPLATE_ID_OFFSET + 40) % 64;

	// Bit fields, most significant bit first, zero padded to a byte.
	class Bits {
		readonly #bits: number[] = [];

		put(value: number, count: number): this {
			for (let i = count - 1; i >= 0; --i) {
				this.#bits.push((value >> i) & 1);
			}

			return this;
		}

		toBuffer(): Buffer {
			const bytes = Buffer.alloc(Math.ceil(this.#bits.length / 8));

			this.#bits.forEach((bit, i) => {
				bytes[i >> 3] |= bit << (7 - (i & 7));
			});

			return bytes;
		}
	}

	// Dependency Descriptor (AV1 RTP spec, appendix A.8): the mandatory
	// fields; on a key frame's first packet the extended flags and the L3T3
	// template structure: nine templates S0T0 S0T1 S0T2 S1T0 ... S2T2, one
	// decode target per spatial layer, no frame diffs, no chains, no
	// resolutions.
	const dependencyDescriptor = ({
		startOfFrame,
		endOfFrame,
		sid,
		tid,
		frameNumber,
		withStructure,
		templateId = (TEMPLATE_ID_OFFSET + sid * 3 + tid) % 64,
	}: {
		startOfFrame: boolean;
		endOfFrame: boolean;
		sid: number;
		tid: number;
		frameNumber: number;
		withStructure: boolean;
		templateId?: number;
	}): Buffer => {
		const bits = new Bits()
			.put(startOfFrame ? 1 : 0, 1)
			.put(endOfFrame ? 1 : 0, 1)
			.put(templateId, 6)
			.put(frameNumber & 0xffff, 16);

		if (!withStructure) {
			return bits.toBuffer();
		}

		// Structure present; no active decode targets, custom DTIs, fdiffs
		// or chains.
		bits.put(1, 1).put(0, 4);
		// template_id_offset, dt_cnt_minus_one (3 decode targets).
		bits.put(TEMPLATE_ID_OFFSET, 6).put(2, 5);
		// next_layer_idc: T+1, T+1, S+1 twice, then T+1, T+1, the end.
		for (const idc of [1, 1, 2, 1, 1, 2, 1, 1, 3]) {
			bits.put(idc, 2);
		}

		// template_dtis: decode target dt (S<dt>T2) requires the templates
		// of spatial layers up to dt.
		for (let template = 0; template < 9; ++template) {
			for (let dt = 0; dt < 3; ++dt) {
				bits.put(Math.floor(template / 3) <= dt ? 3 : 0, 2);
			}
		}

		// template_fdiffs: none; chain_cnt ns(4) = 0 (2 bits); no resolutions.
		bits.put(0, 9).put(0, 2).put(0, 1);

		return bits.toBuffer();
	};

	// A temporal unit: two packets per layer frame (the DD and, on a key
	// frame's first packet, an AV1 sequence header with N = 1), the RTP
	// marker on the last; every fourth unit also a frame of a template the
	// structure does not have. Payloads end with the unit, SID and TID.
	const temporalUnit = (n: number, tids: number[]): SyntheticPacket[] => {
		const key = n % KEY_EVERY === 0;
		const tid = key ? 0 : tids[n % tids.length];
		const packets: SyntheticPacket[] = [];
		const tail = (sid: number, t: number): number[] => [(n >> 8) & 0xff, n & 0xff, sid, t];
		const dd = (
			value: Parameters<typeof dependencyDescriptor>[0]
		): { id: number; value: Buffer }[] => [{ id: DD_ID, value: dependencyDescriptor(value) }];

		for (let sid = 0; sid < 3; ++sid) {
			const frameNumber = n * 4 + sid;

			// First packet: Z=0 Y=1 W=1, N on a key frame, then the OBU
			// header (sequence header; or frame with its extension byte).
			packets.push({
				ssrc: SSRC,
				marker: false,
				extensions: dd({
					startOfFrame: true,
					endOfFrame: false,
					sid,
					tid,
					frameNumber,
					withStructure: key && sid === 0,
				}),
				payload: Buffer.from(
					key && sid === 0
						? [0x58, 0x08, 0x00, ...tail(sid, tid)]
						: [0x50, 0x34, (tid << 5) | (sid << 3), 0x00, ...tail(sid, tid)]
				),
			});
			// Second packet: Z=1 W=1, the OBU goes on.
			packets.push({
				ssrc: SSRC,
				marker: sid === 2,
				extensions: dd({
					startOfFrame: false,
					endOfFrame: true,
					sid,
					tid,
					frameNumber,
					withStructure: false,
				}),
				payload: Buffer.from([0x90, 0x00, ...tail(sid, tid)]),
			});
		}

		if (n % 4 === 3) {
			packets.push({
				ssrc: SSRC,
				marker: false,
				extensions: dd({
					startOfFrame: true,
					endOfFrame: true,
					sid: 0,
					tid: 0,
					frameNumber: n * 4 + 3,
					withStructure: false,
					templateId: UNKNOWN_TEMPLATE_ID,
				}),
				payload: Buffer.from([0x50, 0x34, 0x00, 0x00, ...tail(7, 7)]),
			});
		}

		return packets;
	};

	const unitOf = (p: Buffer): number => p.readUInt16BE(p.length - 4);
	const sidOf = (p: Buffer): number => p[p.length - 2];
	const tidOf = (p: Buffer): number => p[p.length - 1];
	const markerOf = (p: Buffer): boolean => (p[1] & 0x80) !== 0;
	// Z = 1: the second packet of its layer frame.
	const isSecondPacket = (p: Buffer): boolean => rtpPayload(p)[0] === 0x90;

	const sidsPerUnit = (received: Buffer[]): Map<number, number[]> => {
		const sids = new Map<number, number[]>();

		for (const p of received) {
			sids.set(unitOf(p), [...(sids.get(unitOf(p)) ?? []), sidOf(p)]);
		}

		return sids;
	};

	for (const { scalabilityMode, ksvc } of [
		{ scalabilityMode: 'L3T3_KEY', ksvc: true },
		{ scalabilityMode: 'L3T3', ksvc: false },
	]) {
		test(`${scalabilityMode} with preferred {1, 0}: SID <= 1, TID 0, marker at the end of SID 1`, async () => {
			const { consumer, received, stop } = await startSession({
				mimeType: 'video/AV1',
				encodings: [{ ssrc: SSRC, scalabilityMode }],
				headerExtensions: [{ uri: DD_URI, id: DD_ID }],
				preferredLayers: { spatialLayer: 1, temporalLayer: 0 },
				frame: n => temporalUnit(n, TIDS),
			});

			expect(consumer.type).toBe('svc');

			try {
				// Past the layer meter's window (50 units a second), when the
				// target is capped by the highest layer measured, and a key unit.
				await waitFor(() => [...sidsPerUnit(received).keys()].some(n => n >= KEY_EVERY * 5));
			} finally {
				await stop();
			}

			expect(received.every(p => sidOf(p) <= 1 && tidOf(p) === 0)).toBe(true);

			for (const [n, sids] of sidsPerUnit(received)) {
				// k-SVC: layer 0 only in key units (layer 1 refers to it there).
				expect(sids).toEqual(ksvc && n % KEY_EVERY !== 0 ? [1, 1] : [0, 0, 1, 1]);
			}

			// The marker on the second packet of SID 1 (end_of_frame of the
			// highest forwarded layer) only.
			expect(received.every(p => markerOf(p) === (sidOf(p) === 1 && isSecondPacket(p)))).toBe(true);
			expectContinuousSequenceNumbers(received);
			expect(consumer.currentLayers).toEqual({ spatialLayer: 1, temporalLayer: 0 });
		});
	}

	for (const { scalabilityMode, ksvc } of [
		{ scalabilityMode: 'L3T3_KEY', ksvc: true },
		{ scalabilityMode: 'L3T3', ksvc: false },
	]) {
		test(`${scalabilityMode} with all layers preferred: unknown templates only when all goes`, async () => {
			const { consumer, received, stop } = await startSession({
				mimeType: 'video/AV1',
				encodings: [{ ssrc: SSRC, scalabilityMode }],
				headerExtensions: [{ uri: DD_URI, id: DD_ID }],
				preferredLayers: { spatialLayer: 2, temporalLayer: 2 },
				frame: n => temporalUnit(n, TIDS),
			});

			try {
				await waitFor(() => [...sidsPerUnit(received).keys()].some(n => n >= KEY_EVERY + 4));
			} finally {
				await stop();
			}

			for (const [n, sids] of sidsPerUnit(received)) {
				if (ksvc) {
					// Outside key units only the top layer; the frame of unknown
					// template (SID 7 in its payload) could be of any: dropped.
					expect(sids).toEqual(n % KEY_EVERY === 0 ? [0, 0, 1, 1, 2, 2] : [2, 2]);
				} else {
					// Everything is forwarded: so is the frame of unknown template.
					expect(sids).toEqual(n % 4 === 3 ? [0, 0, 1, 1, 2, 2, 7] : [0, 0, 1, 1, 2, 2]);
				}
			}

			expect(received.some(p => tidOf(p) === 2)).toBe(true);
			// The producer's marker, on the second packet of SID 2.
			expect(received.every(p => markerOf(p) === (sidOf(p) === 2 && isSecondPacket(p)))).toBe(true);
			expectContinuousSequenceNumbers(received);
			expect(consumer.currentLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
		});
	}
});
