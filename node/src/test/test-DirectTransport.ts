import * as mediasoup from '../';
import { DirectTransportImpl } from '../DirectTransport';
import type { Worker } from '../WorkerTypes';
import type { Router } from '../RouterTypes';
import type { DirectTransport, DirectTransportOptions } from '../DirectTransportTypes';

const { EnhancedEventEmitter } = mediasoup.extras;
const { UnsupportedError, WorkerClosedError, NotFoundError } = mediasoup.errors;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const workers = new Set<Worker>();
let worker: Worker;
let router: Router;

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	workers.add(worker);
	router = await worker.createRouter();
});

afterEach(() => {
	for (const w of workers) {
		w.close();
	}

	workers.clear();
});

afterAll(async () => {
	await new Promise(resolve => setTimeout(resolve, 50));
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
	return promise.then(
		() => {
			throw new Error('expected a rejection');
		},
		(error: Error) => error
	);
}

describe('createDirectTransport()', () => {
	test('without options succeeds', async () => {
		const onNewTransport = jest.fn();

		router.observer.once('newtransport', onNewTransport);

		const transport = await router.createDirectTransport();

		expect(onNewTransport).toHaveBeenCalledWith(transport);
		expect(transport).toBeInstanceOf(DirectTransportImpl);
		expect(transport).toBeInstanceOf(EnhancedEventEmitter);
		expect(transport.observer).toBeInstanceOf(EnhancedEventEmitter);
		expect(transport.id).toMatch(UUID_V4);
		expect(transport.type).toBe('direct');
		expect(transport.closed).toBe(false);
		expect(transport.appData).toEqual({});

		await expect(router.dump()).resolves.toMatchObject({ transportIds: [transport.id] });
		await expect(transport.dump()).resolves.toEqual({
			id: transport.id,
			producerIds: [],
			consumerIds: [],
			mapSsrcConsumerId: [],
			mapRtxSsrcConsumerId: [],
			recvRtpHeaderExtensions: {},
			rtpListener: { ssrcTable: [], midTable: [], ridTable: [] },
			maxSendMessageSize: 262144,
			maxReceiveMessageSize: 262144,
			dataProducerIds: [],
			dataConsumerIds: [],
			traceEventTypes: [],
			droppedPackets: {
				notStunDtlsRtpRtcp: 0,
				invalidStun: 0,
				stunUnauthorized: 0,
				dtlsUnexpected: 0,
				rtpBeforeSrtp: 0,
				srtpDecryptFailed: 0,
				srtcpDecryptFailed: 0,
				invalidRtp: 0,
				invalidRtcp: 0,
				unknownTuple: 0,
				tcpConnectionRejected: 0,
				tcpConnectionTimedOut: 0,
			},
		});
	});

	test('with options succeeds', async () => {
		const transport = await router.createDirectTransport({
			maxSendMessageSize: 1024,
			maxReceiveMessageSize: 2048,
			appData: { foo: 'bar' },
		});

		expect(transport.appData).toEqual({ foo: 'bar' });
		await expect(transport.dump()).resolves.toMatchObject({
			maxSendMessageSize: 1024,
			maxReceiveMessageSize: 2048,
		});

		// The older maxMessageSize name is accepted too.
		const older = await router.createDirectTransport({ maxMessageSize: 4096 });

		await expect(older.dump()).resolves.toMatchObject({ maxReceiveMessageSize: 4096 });
	});

	test.each<[string, unknown]>([
		['options not an object', 'foo'],
		['a non numeric maxMessageSize', { maxMessageSize: 'foo' }],
		['a negative maxMessageSize', { maxMessageSize: -2000 }],
		['a zero maxSendMessageSize', { maxSendMessageSize: 0 }],
		['a non integer maxReceiveMessageSize', { maxReceiveMessageSize: 1.5 }],
		['a bad appData', { appData: 'NOT-AN-OBJECT' }],
	])('with %s rejects TypeError', async (_name, options) => {
		const error = await rejection(router.createDirectTransport(options as DirectTransportOptions));

		expect(error).toBeInstanceOf(TypeError);
		expect((await router.dump()).transportIds).toEqual([]);
	});

	test('on a closed router rejects NotFoundError, WorkerClosedError once the worker closed', async () => {
		router.close();

		await expect(router.createDirectTransport()).rejects.toBeInstanceOf(NotFoundError);

		worker.close();

		await expect(router.createDirectTransport()).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('DirectTransport', () => {
	let transport: DirectTransport;

	beforeEach(async () => {
		transport = await router.createDirectTransport();
	});

	test('getStats()', async () => {
		const stats = await transport.getStats();

		expect(stats).toHaveLength(1);
		expect(stats[0]).toMatchObject({
			type: 'direct-transport',
			transportId: transport.id,
			timestamp: expect.any(Number),
			bytesReceived: 0,
			recvBitrate: 0,
			bytesSent: 0,
			sendBitrate: 0,
			rtpBytesReceived: 0,
			rtpRecvBitrate: 0,
			rtpBytesSent: 0,
			rtpSendBitrate: 0,
			rtxBytesReceived: 0,
			rtxRecvBitrate: 0,
			rtxBytesSent: 0,
			rtxSendBitrate: 0,
			probationBytesSent: 0,
			probationSendBitrate: 0,
		});
		expect(stats[0].sctpState).toBeUndefined();
	});

	test('connect() is a no-op', async () => {
		await expect(transport.connect()).resolves.toBeUndefined();
		await expect(transport.connect()).resolves.toBeUndefined();
	});

	test('bitrate setters reject UnsupportedError', async () => {
		await expect(transport.setMaxIncomingBitrate(100000)).rejects.toBeInstanceOf(UnsupportedError);
		await expect(transport.setMaxOutgoingBitrate(100000)).rejects.toBeInstanceOf(UnsupportedError);
		await expect(transport.setMinOutgoingBitrate(100000)).rejects.toBeInstanceOf(UnsupportedError);
	});

	test('enableTraceEvent()', async () => {
		await transport.enableTraceEvent(['probation', 'bwe']);
		await expect(transport.dump()).resolves.toMatchObject({
			traceEventTypes: ['probation', 'bwe'],
		});
	});

	test('sendRtcp() with a non Buffer throws TypeError', () => {
		expect(() => transport.sendRtcp('foo' as never)).toThrow(TypeError);
		expect(() => transport.sendRtcp(new Uint16Array(4) as never)).toThrow(TypeError);
	});

	test('produceData() and consumeData() make direct entities', async () => {
		const dataProducer = await transport.produceData();
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });

		expect(dataProducer.type).toBe('direct');
		expect(dataConsumer.type).toBe('direct');
		await expect(transport.consumeData({ dataProducerId: 'foo' })).rejects.toBeInstanceOf(
			NotFoundError
		);

		const dump = await transport.dump();

		expect(dump.dataProducerIds).toEqual([dataProducer.id]);
		expect(dump.dataConsumerIds).toEqual([dataConsumer.id]);
		expect(dump.sctpParameters).toBeUndefined();
		expect(dump.sctpListener).toBeUndefined();
	});

	test('close()', async () => {
		const onObserverClose = jest.fn();
		const onRouterClose = jest.fn();

		transport.observer.on('close', onObserverClose);
		transport.on('routerclose', onRouterClose);

		transport.close();
		transport.close();

		expect(transport.closed).toBe(true);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(onRouterClose).not.toHaveBeenCalled();
		await expect(router.dump()).resolves.toMatchObject({ transportIds: [] });
		await expect(transport.dump()).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport.getStats()).rejects.toBeInstanceOf(NotFoundError);
		await expect(transport.setMaxIncomingBitrate(0)).rejects.toBeInstanceOf(NotFoundError);
	});

	test('router.close() emits routerclose', async () => {
		const events: string[] = [];

		transport.on('routerclose', () => events.push('routerclose'));
		transport.observer.on('close', () => events.push('observer close'));

		router.close();

		expect(events).toEqual(['routerclose', 'observer close']);
		expect(transport.closed).toBe(true);
		await expect(transport.dump()).rejects.toBeInstanceOf(NotFoundError);
	});

	test('worker.close() emits routerclose; then WorkerClosedError', async () => {
		const onRouterClose = jest.fn();

		transport.on('routerclose', onRouterClose);

		worker.close();

		expect(onRouterClose).toHaveBeenCalledTimes(1);
		await expect(transport.dump()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(transport.getStats()).rejects.toBeInstanceOf(WorkerClosedError);
		expect(() => transport.sendRtcp(Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]))).toThrow(
			WorkerClosedError
		);
	});
});

describe('RTP and RTCP through DirectTransports', () => {
	const VP8_KEY_FRAME = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]);

	function rtpPacket(payloadType: number, seq: number, ssrc: number, payload: Buffer): Buffer {
		const header = Buffer.alloc(12);

		header[0] = 0x80;
		header[1] = payloadType;
		header.writeUInt16BE(seq, 2);
		header.writeUInt32BE(seq * 3000, 4);
		header.writeUInt32BE(ssrc, 8);

		return Buffer.concat([header, payload]);
	}

	async function waitFor(condition: () => boolean): Promise<void> {
		const start = Date.now();

		while (!condition()) {
			if (Date.now() - start > 8000) {
				throw new Error('condition not met in time');
			}

			await new Promise(resolve => setTimeout(resolve, 20));
		}
	}

	test('producer.send() reaches a consumer rtp event; sendRtcp() PLI reaches the producer side rtcp event', async () => {
		const videoRouter = await worker.createRouter({
			mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
		});
		const payloadType = videoRouter.rtpCapabilities.codecs![0].preferredPayloadType!;
		const ingress = await videoRouter.createDirectTransport();
		const egress = await videoRouter.createDirectTransport();
		const producer = await ingress.produce({
			kind: 'video',
			rtpParameters: {
				codecs: [
					{
						mimeType: 'video/VP8',
						payloadType,
						clockRate: 90000,
						rtcpFeedback: [{ type: 'nack', parameter: 'pli' }],
					},
				],
				encodings: [{ ssrc: 5555 }],
			},
		});
		const consumer = await egress.consume({
			producerId: producer.id,
			rtpCapabilities: videoRouter.rtpCapabilities as mediasoup.types.RtpCapabilities,
		});
		const received: Buffer[] = [];
		const ingressRtcp: Buffer[] = [];

		consumer.on('rtp', packet => received.push(packet));
		ingress.on('rtcp', packet => ingressRtcp.push(packet));

		producer.send(rtpPacket(payloadType, 100, 5555, VP8_KEY_FRAME));
		producer.send(rtpPacket(payloadType, 101, 5555, VP8_KEY_FRAME));
		await waitFor(() => received.length === 2);

		const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;

		expect(received[0].readUInt32BE(8)).toBe(consumerSsrc);
		expect(received[0].subarray(12).equals(VP8_KEY_FRAME)).toBe(true);
		expect(received[1].readUInt16BE(2)).toBe((received[0].readUInt16BE(2) + 1) & 0xffff);

		// A PLI about the consumer's SSRC, as a receiving application would send.
		const pli = Buffer.alloc(12);

		pli[0] = 0x81;
		pli[1] = 206;
		pli.writeUInt16BE(2, 2);
		pli.writeUInt32BE(1, 4);
		pli.writeUInt32BE(consumerSsrc, 8);
		egress.sendRtcp(pli);

		// The producer side is asked for a key frame of its SSRC.
		await waitFor(() =>
			ingressRtcp.some(p => p[1] === 206 && (p[0] & 0x1f) === 1 && p.readUInt32BE(8) === 5555)
		);

		const [stats] = await consumer.getStats();

		expect(stats.pliCount).toBe(1);
		expect(stats.packetCount).toBe(2);
	});
});
