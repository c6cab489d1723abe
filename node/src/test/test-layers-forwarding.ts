// Consumers forward the layers they are told to: a simulcast consumer one
// encoding and its VP8 temporal layers up to the preferred ones, an SVC
// consumer the VP9 spatial and temporal layers up to them (k-SVC: only the
// target spatial layer outside key pictures), with continuous sequence
// numbers, the marker on the last forwarded packet of a picture, and
// `layerschange` / `currentLayers` following what is forwarded.

import * as dgram from 'node:dgram';
import * as mediasoup from '../';
import type {
	Consumer,
	ConsumerLayers,
	Router,
	RtpCapabilities,
	RtpEncodingParameters,
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

type Session = {
	consumer: Consumer;
	received: Buffer[];
	layersEvents: (ConsumerLayers | undefined)[];
	stop: () => Promise<void>;
};

/**
 * A producer fed from a UDP socket: every 20 ms `frame(n)` gives the packets
 * of frame n (per SSRC: payload and marker); a consumer whose RTP is
 * collected.
 */
async function startSession({
	mimeType,
	encodings,
	preferredLayers,
	frame,
}: {
	mimeType: string;
	encodings: RtpEncodingParameters[];
	preferredLayers: ConsumerLayers;
	frame: (n: number) => { ssrc: number; payload: Buffer; marker: boolean }[];
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
		for (const { ssrc, payload, marker } of frame(n)) {
			const seq = seqs.get(ssrc) ?? ssrc & 0x7fff;
			const header = Buffer.alloc(12);

			header[0] = 0x80;
			header[1] = (marker ? 0x80 : 0) | payloadType;
			header.writeUInt16BE(seq & 0xffff, 2);
			header.writeUInt32BE((n * 1800) >>> 0, 4);
			header.writeUInt32BE(ssrc, 8);
			seqs.set(ssrc, seq + 1);

			sender.send(Buffer.concat([header, payload]), ingress.tuple.localPort, LOCALHOST);
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
