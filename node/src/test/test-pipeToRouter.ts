// router.pipeToRouter(): a Producer or DataProducer of Router A carried into
// Router B over a pair of connected PipeTransports, with the two Routers in
// one Worker and in two Workers. Media is injected on a DirectTransport of A
// (producer.send(), dataProducer.send()) and read on a DirectTransport of B
// (consumer 'rtp', dataConsumer 'message'). In one Worker the piped entities
// cannot keep the original's id (ids are unique per Worker), so those tests
// use `keepId: false`.

import * as mediasoup from '../';
import type {
	Consumer,
	DataConsumer,
	DirectTransport,
	PipeTransport,
	Producer,
	Router,
	RouterRtpCodecCapability,
	RtpCapabilities,
	Transport,
	Worker,
} from '../types';
import { rtpPayload } from './helpers/rtpHeader';

const { NotFoundError, WorkerClosedError } = mediasoup.errors;

const TEST_TIMEOUT = 60000;
// Longest wait for something expected to happen (not a performance figure).
const WAIT_MS = 15000;

const OPUS_SSRC = 1111;
const VP8_SSRC = 2222;
// A VP8 payload descriptor and the start of a key frame.
const VP8_KEY_FRAME = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]);

const mediaCodecs: RouterRtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

const workers = new Set<Worker>();

afterEach(() => {
	for (const worker of workers) {
		worker.close();
	}

	workers.clear();
});

afterAll(async () => {
	// Let the last worker processes exit before Jest tears down.
	await sleep(50);
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

async function createWorker(): Promise<Worker> {
	const worker = await mediasoup.createWorker({ logLevel: 'warn' });

	workers.add(worker);

	return worker;
}

type Setup = 'one worker' | 'two workers';

/**
 * Routers A and B (in one Worker or in two), each with a DirectTransport;
 * the pipe transports each Router creates are collected.
 */
async function createRouters(setup: Setup): Promise<{
	workerA: Worker;
	workerB: Worker;
	routerA: Router;
	routerB: Router;
	directA: DirectTransport;
	directB: DirectTransport;
	pipesA: PipeTransport[];
	pipesB: PipeTransport[];
}> {
	const workerA = await createWorker();
	const workerB = setup === 'one worker' ? workerA : await createWorker();
	const routerA = await workerA.createRouter({ mediaCodecs });
	const routerB = await workerB.createRouter({ mediaCodecs });
	const pipesA = collectPipeTransports(routerA);
	const pipesB = collectPipeTransports(routerB);
	const directA = await routerA.createDirectTransport();
	const directB = await routerB.createDirectTransport();

	return { workerA, workerB, routerA, routerB, directA, directB, pipesA, pipesB };
}

function collectPipeTransports(router: Router): PipeTransport[] {
	const pipes: PipeTransport[] = [];

	router.observer.on('newtransport', (transport: Transport) => {
		if (transport.type === 'pipe') {
			pipes.push(transport as PipeTransport);
		}
	});

	return pipes;
}

function payloadTypeOf(router: Router, mimeType: string): number {
	return router.rtpCapabilities.codecs!.find(codec => codec.mimeType === mimeType)!
		.preferredPayloadType!;
}

async function produceAudio(
	router: Router,
	transport: DirectTransport,
	{
		ssrc = OPUS_SSRC,
		...options
	}: { ssrc?: number; paused?: boolean; appData?: Record<string, unknown> } = {}
): Promise<Producer> {
	return transport.produce({
		kind: 'audio',
		rtpParameters: {
			codecs: [
				{
					mimeType: 'audio/opus',
					payloadType: payloadTypeOf(router, 'audio/opus'),
					clockRate: 48000,
					channels: 2,
				},
			],
			encodings: [{ ssrc }],
		},
		...options,
	});
}

async function produceVideo(router: Router, transport: DirectTransport): Promise<Producer> {
	return transport.produce({
		kind: 'video',
		rtpParameters: {
			codecs: [
				{
					mimeType: 'video/VP8',
					payloadType: payloadTypeOf(router, 'video/VP8'),
					clockRate: 90000,
					rtcpFeedback: [
						{ type: 'nack', parameter: '' },
						{ type: 'nack', parameter: 'pli' },
						{ type: 'ccm', parameter: 'fir' },
					],
				},
			],
			encodings: [{ ssrc: VP8_SSRC }],
		},
	});
}

/**
 * A Consumer of `producerId` on a DirectTransport of `router`, with the RTP
 * packets it emits.
 */
async function directConsumer(
	router: Router,
	transport: DirectTransport,
	producerId: string
): Promise<{ consumer: Consumer; received: Buffer[] }> {
	const consumer = await transport.consume({
		producerId,
		rtpCapabilities: router.rtpCapabilities as RtpCapabilities,
	});
	const received: Buffer[] = [];

	consumer.on('rtp', packet => received.push(packet));

	return { consumer, received };
}

async function directDataConsumer(
	transport: DirectTransport,
	dataProducerId: string
): Promise<{ dataConsumer: DataConsumer; received: string[] }> {
	const dataConsumer = await transport.consumeData({ dataProducerId });
	const received: string[] = [];

	dataConsumer.on('message', message => received.push(message.toString()));

	return { dataConsumer, received };
}

function rtpPacket(payloadType: number, seq: number, ssrc: number, payload: Buffer): Buffer {
	const header = Buffer.alloc(12);

	header[0] = 0x80;
	header[1] = payloadType;
	header.writeUInt16BE(seq, 2);
	header.writeUInt32BE(seq * 960, 4);
	header.writeUInt32BE(ssrc, 8);

	return Buffer.concat([header, payload]);
}

/**
 * Sends RTP packets on `producer` (one every 10 ms) until `received` has
 * `count` of them. Resolves with the number sent.
 */
async function sendUntilReceived(
	producer: Producer,
	payloadType: number,
	payload: Buffer,
	received: Buffer[],
	count: number
): Promise<number> {
	const ssrc = producer.rtpParameters.encodings![0].ssrc!;
	let seq = 1000;

	await waitFor(
		() => {
			if (received.length < count) {
				producer.send(rtpPacket(payloadType, seq++, ssrc, payload));
			}

			return received.length >= count;
		},
		`${count} RTP packets through the pipe`,
		() => ({ sent: seq - 1000, received: received.length })
	);

	return seq - 1000;
}

async function pipeTransportIds(router: Router): Promise<string[]> {
	const transports = [...(router as unknown as RouterForTesting).transportsForTesting.values()];

	return transports.filter(t => t.type === 'pipe').map(t => t.id);
}

type RouterForTesting = { transportsForTesting: Map<string, Transport> };

describe.each<Setup>(['one worker', 'two workers'])('pipeToRouter() (%s)', setup => {
	const keepId = setup === 'two workers';

	test(
		'audio: a pipe Consumer on A and a pipe Producer on B; RTP sent on A reaches a Consumer on B',
		async () => {
			const { routerA, routerB, directA, directB, pipesA, pipesB } = await createRouters(setup);
			const producer = await produceAudio(routerA, directA, { appData: { who: 'alice' } });
			const { pipeConsumer, pipeProducer, pipeDataConsumer, pipeDataProducer } =
				await routerA.pipeToRouter({ producerId: producer.id, router: routerB, keepId });

			expect(pipeDataConsumer).toBeUndefined();
			expect(pipeDataProducer).toBeUndefined();

			// One pipe transport on each side, connected to each other.
			expect(pipesA).toHaveLength(1);
			expect(pipesB).toHaveLength(1);
			expect(pipesA[0].tuple.remotePort).toBe(pipesB[0].tuple.localPort);
			expect(pipesB[0].tuple.remotePort).toBe(pipesA[0].tuple.localPort);
			expect(pipesA[0].sctpParameters).toBeDefined();
			expect(pipesA[0].srtpParameters).toBeUndefined();

			expect(pipeConsumer!.type).toBe('pipe');
			expect(pipeConsumer!.kind).toBe('audio');
			expect(pipeConsumer!.producerId).toBe(producer.id);
			expect(pipeConsumer!.closed).toBe(false);

			if (keepId) {
				expect(pipeProducer!.id).toBe(producer.id);
			} else {
				expect(pipeProducer!.id).not.toBe(producer.id);
			}

			expect(pipeProducer!.kind).toBe('audio');
			expect(pipeProducer!.paused).toBe(false);
			expect(pipeProducer!.appData).toEqual({ who: 'alice' });
			expect(pipeProducer!.rtpParameters.codecs).toEqual(pipeConsumer!.rtpParameters.codecs);
			expect(pipeProducer!.rtpParameters.encodings).toEqual(pipeConsumer!.rtpParameters.encodings);

			const dumpA = await routerA.dump();
			const dumpB = await routerB.dump();

			expect(dumpA.transportIds.sort()).toEqual([directA.id, pipesA[0].id].sort());
			expect(dumpA.mapProducerIdConsumerIds).toEqual([
				{ key: producer.id, values: [pipeConsumer!.id] },
			]);
			expect(dumpB.transportIds.sort()).toEqual([directB.id, pipesB[0].id].sort());
			expect(
				routerB.canConsume({
					producerId: pipeProducer!.id,
					rtpCapabilities: routerB.rtpCapabilities as RtpCapabilities,
				})
			).toBe(true);

			const { consumer, received } = await directConsumer(routerB, directB, pipeProducer!.id);
			const payload = Buffer.from('opus frame');

			await sendUntilReceived(
				producer,
				payloadTypeOf(routerA, 'audio/opus'),
				payload,
				received,
				20
			);

			// The pipe Producer scores the stream it receives, and the Consumer on
			// B sees that score as its Producer's.
			await waitFor(
				() => pipeProducer!.score.length > 0 && consumer.score.producerScore > 0,
				'scores on B',
				() => ({ pipeProducer: pipeProducer!.score, consumer: consumer.score })
			);

			expect(pipeProducer!.score[0]).toMatchObject({
				encodingIdx: 0,
				ssrc: pipeConsumer!.rtpParameters.encodings![0].ssrc,
			});

			const consumerSsrc = consumer.rtpParameters.encodings![0].ssrc!;

			for (const [i, packet] of received.entries()) {
				expect(packet.readUInt32BE(8)).toBe(consumerSsrc);
				expect(rtpPayload(packet).equals(payload)).toBe(true);

				if (i > 0) {
					expect(packet.readUInt16BE(2)).toBe((received[i - 1].readUInt16BE(2) + 1) & 0xffff);
				}
			}
		},
		TEST_TIMEOUT
	);

	test(
		'video: RTP reaches a Consumer on B, and its key frame request reaches the Producer on A',
		async () => {
			const { routerA, routerB, directA, directB } = await createRouters(setup);
			const producer = await produceVideo(routerA, directA);
			const { pipeConsumer, pipeProducer } = await routerA.pipeToRouter({
				producerId: producer.id,
				router: routerB,
				keepId,
			});

			expect(pipeConsumer!.kind).toBe('video');
			expect(pipeProducer!.kind).toBe('video');
			expect(pipeProducer!.type).toBe('simple');

			const { consumer, received } = await directConsumer(routerB, directB, pipeProducer!.id);
			const rtcpA: Buffer[] = [];

			directA.on('rtcp', packet => rtcpA.push(packet));

			await sendUntilReceived(
				producer,
				payloadTypeOf(routerA, 'video/VP8'),
				VP8_KEY_FRAME,
				received,
				10
			);

			expect(received[0].readUInt32BE(8)).toBe(consumer.rtpParameters.encodings![0].ssrc);
			expect(rtpPayload(received[0]).equals(VP8_KEY_FRAME)).toBe(true);

			// A PLI (or FIR) about the original SSRC, after crossing the pipe.
			const isKeyFrameRequest = (p: Buffer): boolean =>
				(p[1] === 206 && (p[0] & 0x1f) === 1 && p.readUInt32BE(8) === VP8_SSRC) ||
				(p[1] === 206 && (p[0] & 0x1f) === 4 && p.readUInt32BE(12) === VP8_SSRC);

			rtcpA.length = 0;
			await consumer.requestKeyFrame();
			await waitFor(
				() => rtcpA.some(isKeyFrameRequest),
				'a key frame request on the DirectTransport of A',
				() => rtcpA.map(p => p.subarray(0, 16).toString('hex'))
			);
		},
		TEST_TIMEOUT
	);

	test(
		'pause and resume of the original Producer reach the pipe Producer and the Consumers on B',
		async () => {
			const { routerA, routerB, directA, directB } = await createRouters(setup);
			const producer = await produceAudio(routerA, directA);
			const { pipeConsumer, pipeProducer } = await routerA.pipeToRouter({
				producerId: producer.id,
				router: routerB,
				keepId,
			});
			const { consumer } = await directConsumer(routerB, directB, pipeProducer!.id);
			const events: string[] = [];

			pipeConsumer!.on('producerpause', () => events.push('pipeConsumer producerpause'));
			pipeConsumer!.on('producerresume', () => events.push('pipeConsumer producerresume'));
			pipeProducer!.observer.on('pause', () => events.push('pipeProducer pause'));
			pipeProducer!.observer.on('resume', () => events.push('pipeProducer resume'));
			consumer.on('producerpause', () => events.push('consumer producerpause'));
			consumer.on('producerresume', () => events.push('consumer producerresume'));

			await producer.pause();
			await waitFor(() => consumer.producerPaused, 'the Consumer on B to see the pause');

			expect(pipeConsumer!.producerPaused).toBe(true);
			expect(pipeProducer!.paused).toBe(true);
			expect(events).toEqual([
				'pipeConsumer producerpause',
				'pipeProducer pause',
				'consumer producerpause',
			]);

			events.length = 0;
			await producer.resume();
			await waitFor(() => !consumer.producerPaused, 'the Consumer on B to see the resume');

			expect(pipeConsumer!.producerPaused).toBe(false);
			expect(pipeProducer!.paused).toBe(false);
			expect(events).toEqual([
				'pipeConsumer producerresume',
				'pipeProducer resume',
				'consumer producerresume',
			]);
		},
		TEST_TIMEOUT
	);

	test(
		'a paused Producer is piped as a paused pipe Producer',
		async () => {
			const { routerA, routerB, directA } = await createRouters(setup);
			const producer = await produceAudio(routerA, directA, { paused: true });
			const { pipeConsumer, pipeProducer } = await routerA.pipeToRouter({
				producerId: producer.id,
				router: routerB,
				keepId,
			});

			expect(pipeConsumer!.producerPaused).toBe(true);
			expect(pipeProducer!.paused).toBe(true);

			await producer.resume();
			await waitFor(() => !pipeProducer!.paused, 'the pipe Producer to resume');
		},
		TEST_TIMEOUT
	);

	test(
		'closing the original Producer closes the pipe Consumer, the pipe Producer and the Consumers on B',
		async () => {
			const { routerA, routerB, directA, directB } = await createRouters(setup);
			const producer = await produceAudio(routerA, directA);
			const { pipeConsumer, pipeProducer } = await routerA.pipeToRouter({
				producerId: producer.id,
				router: routerB,
				keepId,
			});
			const { consumer } = await directConsumer(routerB, directB, pipeProducer!.id);
			const onPipeConsumerProducerClose = jest.fn();
			const onConsumerProducerClose = jest.fn();

			pipeConsumer!.on('producerclose', onPipeConsumerProducerClose);
			consumer.on('producerclose', onConsumerProducerClose);

			producer.close();

			await waitFor(() => consumer.closed, 'the Consumer on B to close');

			expect(onPipeConsumerProducerClose).toHaveBeenCalledTimes(1);
			expect(pipeConsumer!.closed).toBe(true);
			expect(pipeProducer!.closed).toBe(true);
			expect(onConsumerProducerClose).toHaveBeenCalledTimes(1);
			expect((await routerB.dump()).mapProducerIdConsumerIds).toEqual([]);
		},
		TEST_TIMEOUT
	);

	test(
		'closing the pipe Producer closes the pipe Consumer, and the other way round',
		async () => {
			const { routerA, routerB, directA } = await createRouters(setup);
			const producer1 = await produceAudio(routerA, directA);
			const piped1 = await routerA.pipeToRouter({
				producerId: producer1.id,
				router: routerB,
				keepId,
			});

			piped1.pipeProducer!.close();

			expect(piped1.pipeConsumer!.closed).toBe(true);

			const producer2 = await produceVideo(routerA, directA);
			const piped2 = await routerA.pipeToRouter({
				producerId: producer2.id,
				router: routerB,
				keepId,
			});

			piped2.pipeConsumer!.close();

			expect(piped2.pipeProducer!.closed).toBe(true);

			// The originals live on, and nothing is left of the pipes' entities.
			expect(producer1.closed).toBe(false);
			expect(producer2.closed).toBe(false);
			expect((await routerA.dump()).mapConsumerIdProducerId).toEqual([]);
			expect((await routerB.dump()).mapProducerIdConsumerIds).toEqual([]);

			// And the same Producer can be piped again.
			const piped3 = await routerA.pipeToRouter({
				producerId: producer1.id,
				router: routerB,
				keepId,
			});

			expect(piped3.pipeProducer!.closed).toBe(false);
		},
		TEST_TIMEOUT
	);

	test(
		'the pipe transport pair is created once per two Routers and reused, in both directions and by concurrent calls',
		async () => {
			const { routerA, routerB, directA, directB, pipesA, pipesB } = await createRouters(setup);
			const producers = await Promise.all([
				produceAudio(routerA, directA),
				produceVideo(routerA, directA),
			]);
			const dataProducer = await directA.produceData({ label: 'chat' });

			// Concurrent calls while the pair is being created.
			const results = await Promise.all([
				...producers.map(producer =>
					routerA.pipeToRouter({ producerId: producer.id, router: routerB, keepId })
				),
				routerA.pipeToRouter({ dataProducerId: dataProducer.id, router: routerB, keepId }),
			]);

			expect(pipesA).toHaveLength(1);
			expect(pipesB).toHaveLength(1);
			expect(await pipeTransportIds(routerA)).toEqual([pipesA[0].id]);
			expect(await pipeTransportIds(routerB)).toEqual([pipesB[0].id]);
			expect((await routerA.dump()).transportIds.sort()).toEqual([directA.id, pipesA[0].id].sort());
			expect((await routerB.dump()).transportIds.sort()).toEqual([directB.id, pipesB[0].id].sort());

			const [pipeA] = pipesA;
			const [pipeB] = pipesB;
			const dumpA = await pipeA.dump();
			const dumpB = await pipeB.dump();

			expect(dumpA.consumerIds.sort()).toEqual(
				[results[0].pipeConsumer!.id, results[1].pipeConsumer!.id].sort()
			);
			expect(dumpA.dataConsumerIds).toEqual([results[2].pipeDataConsumer!.id]);
			expect(dumpB.producerIds.sort()).toEqual(
				[results[0].pipeProducer!.id, results[1].pipeProducer!.id].sort()
			);
			expect(dumpB.dataProducerIds).toEqual([results[2].pipeDataProducer!.id]);

			// The other direction uses the same pair.
			const producerB = await produceAudio(routerB, directB);
			const back = await routerB.pipeToRouter({
				producerId: producerB.id,
				router: routerA,
				keepId: false,
			});

			expect(pipesA).toHaveLength(1);
			expect(pipesB).toHaveLength(1);
			expect((await pipeB.dump()).consumerIds).toContain(back.pipeConsumer!.id);
			expect((await pipeA.dump()).producerIds).toContain(back.pipeProducer!.id);

			// Another Router gets its own pair.
			const routerC = await (await createWorker()).createRouter({ mediaCodecs });
			const pipesC = collectPipeTransports(routerC);

			await routerA.pipeToRouter({ producerId: producers[0].id, router: routerC, keepId });

			expect(pipesA).toHaveLength(2);
			expect(pipesC).toHaveLength(1);
		},
		TEST_TIMEOUT
	);

	test(
		'data: a pipe DataConsumer on A and a pipe DataProducer on B; messages sent on A reach a DataConsumer on B',
		async () => {
			const { routerA, routerB, directA, directB, pipesA, pipesB } = await createRouters(setup);
			const dataProducer = await directA.produceData({
				label: 'chat',
				protocol: 'json',
				appData: { room: 'r1' },
			});
			const { pipeConsumer, pipeProducer, pipeDataConsumer, pipeDataProducer } =
				await routerA.pipeToRouter({ dataProducerId: dataProducer.id, router: routerB, keepId });

			expect(pipeConsumer).toBeUndefined();
			expect(pipeProducer).toBeUndefined();
			expect(pipeDataConsumer!.type).toBe('sctp');
			expect(pipeDataConsumer!.dataProducerId).toBe(dataProducer.id);
			expect(pipeDataConsumer!.label).toBe('chat');
			expect(pipeDataConsumer!.protocol).toBe('json');

			if (keepId) {
				expect(pipeDataProducer!.id).toBe(dataProducer.id);
			} else {
				expect(pipeDataProducer!.id).not.toBe(dataProducer.id);
			}

			expect(pipeDataProducer!.type).toBe('sctp');
			expect(pipeDataProducer!.sctpStreamParameters).toEqual(
				pipeDataConsumer!.sctpStreamParameters
			);
			expect(pipeDataProducer!.label).toBe('chat');
			expect(pipeDataProducer!.protocol).toBe('json');
			expect(pipeDataProducer!.appData).toEqual({ room: 'r1' });

			await waitFor(
				() => pipesA[0].sctpState === 'connected' && pipesB[0].sctpState === 'connected',
				'the SCTP association between the pipe transports'
			);

			const { dataConsumer, received } = await directDataConsumer(directB, pipeDataProducer!.id);

			expect(dataConsumer.label).toBe('chat');

			const sent = Array.from({ length: 50 }, (_, i) => `message ${i}`);

			for (const message of sent) {
				dataProducer.send(message);
			}

			await waitFor(
				() => received.length >= sent.length,
				'every message on B',
				() => received.length
			);

			expect(received).toEqual(sent);
		},
		TEST_TIMEOUT
	);

	test(
		'data: subchannels, requiredSubchannel and ignoredSubchannel travel through the pipe; the DataConsumers on B filter by them',
		async () => {
			const { routerA, routerB, directA, directB, pipesA, pipesB } = await createRouters(setup);
			const dataProducer = await directA.produceData();
			const { pipeDataConsumer, pipeDataProducer } = await routerA.pipeToRouter({
				dataProducerId: dataProducer.id,
				router: routerB,
				keepId,
			});

			await waitFor(
				() => pipesA[0].sctpState === 'connected' && pipesB[0].sctpState === 'connected',
				'the SCTP association between the pipe transports'
			);

			const subscriptions = { A: [1, 3], B: [2, 3], none: undefined };
			const received: Record<string, string[]> = { A: [], B: [], none: [] };
			const ppids: number[] = [];

			for (const [name, subchannels] of Object.entries(subscriptions)) {
				const dataConsumer = await directB.consumeData({
					dataProducerId: pipeDataProducer!.id,
					subchannels,
				});

				dataConsumer.on('message', (message, ppid) => {
					received[name].push(message.toString());

					if (name === 'A') {
						ppids.push(ppid);
					}
				});
			}

			// [message, subchannels, requiredSubchannel, ignoredSubchannel, receivers]:
			// what DataConsumers of Router A itself would get.
			const cases: [string, number[]?, number?, number?, string[]?][] = [
				['no filter', undefined, undefined, undefined, ['A', 'B', 'none']],
				['subchannels [1]', [1], undefined, undefined, ['A']],
				['subchannels [3]', [3], undefined, undefined, ['A', 'B']],
				['subchannels [4]', [4], undefined, undefined, []],
				['empty subchannels', [], undefined, undefined, ['A', 'B', 'none']],
				['requiredSubchannel 2', undefined, 2, undefined, ['B']],
				['ignoredSubchannel 1', undefined, undefined, 1, ['B', 'none']],
				['subchannels [1, 2], ignoredSubchannel 2', [1, 2], undefined, 2, ['A']],
				['subchannels [3], requiredSubchannel 1', [3], 1, undefined, ['A']],
			];

			for (const [message, subchannels, requiredSubchannel, ignoredSubchannel] of cases) {
				dataProducer.send(message, undefined, subchannels, requiredSubchannel, ignoredSubchannel);
			}

			// A binary message keeps its PPID through the pipe.
			dataProducer.send(Buffer.from('binary [1]'), 53, [1]);
			dataProducer.send('end');

			await waitFor(
				() => Object.values(received).every(list => list.includes('end')),
				'the last message in every DataConsumer on B',
				() => received
			);

			for (const [message, , , , expected] of cases) {
				const receivers = Object.keys(received).filter(name => received[name].includes(message));

				expect({ message, receivers }).toEqual({ message, receivers: expected });
			}

			// Nothing else arrived (the headers do not leak into payloads).
			expect(received.A).toEqual([
				'no filter',
				'subchannels [1]',
				'subchannels [3]',
				'empty subchannels',
				'subchannels [1, 2], ignoredSubchannel 2',
				'subchannels [3], requiredSubchannel 1',
				'binary [1]',
				'end',
			]);
			expect(ppids).toEqual([51, 51, 51, 51, 51, 51, 53, 51]);

			// The pipe counts the application's bytes, not the headers.
			const [pipeStats] = await pipeDataConsumer!.getStats();
			const sentBytes =
				cases.reduce((sum, [message]) => sum + Buffer.byteLength(message), 0) +
				Buffer.byteLength('binary [1]') +
				Buffer.byteLength('end');

			expect(pipeStats.bytesSent).toBe(sentBytes);
		},
		TEST_TIMEOUT
	);

	test(
		'data: closing the original DataProducer closes the pipe pair and the DataConsumers on B; either pipe end closes the other',
		async () => {
			const { routerA, routerB, directA, directB } = await createRouters(setup);
			const dataProducer = await directA.produceData({ label: 'a' });
			const piped = await routerA.pipeToRouter({
				dataProducerId: dataProducer.id,
				router: routerB,
				keepId,
			});
			const { dataConsumer } = await directDataConsumer(directB, piped.pipeDataProducer!.id);
			const onPipeDataProducerClose = jest.fn();
			const onDataConsumerClose = jest.fn();

			piped.pipeDataConsumer!.on('dataproducerclose', onPipeDataProducerClose);
			dataConsumer.on('dataproducerclose', onDataConsumerClose);

			dataProducer.close();

			await waitFor(() => dataConsumer.closed, 'the DataConsumer on B to close');

			expect(onPipeDataProducerClose).toHaveBeenCalledTimes(1);
			expect(piped.pipeDataConsumer!.closed).toBe(true);
			expect(piped.pipeDataProducer!.closed).toBe(true);
			expect(onDataConsumerClose).toHaveBeenCalledTimes(1);

			const dataProducer2 = await directA.produceData({ label: 'b' });
			const piped2 = await routerA.pipeToRouter({
				dataProducerId: dataProducer2.id,
				router: routerB,
				keepId,
			});

			piped2.pipeDataProducer!.close();

			expect(piped2.pipeDataConsumer!.closed).toBe(true);

			const piped3 = await routerA.pipeToRouter({
				dataProducerId: dataProducer2.id,
				router: routerB,
				keepId,
			});

			piped3.pipeDataConsumer!.close();

			expect(piped3.pipeDataProducer!.closed).toBe(true);
			expect(dataProducer2.closed).toBe(false);

			const dumpA = await routerA.dump();
			const dumpB = await routerB.dump();

			expect(dumpA.mapDataConsumerIdDataProducerId).toEqual([]);
			expect(dumpB.mapDataProducerIdDataConsumerIds).toEqual([]);
		},
		TEST_TIMEOUT
	);

	test.each<'source' | 'destination'>(['source', 'destination'])(
		'closing the %s Router closes both pipe transports and the piped entities; a later call creates a new pair',
		async closed => {
			const { routerA, routerB, directA, directB, pipesA, pipesB } = await createRouters(setup);
			const producer = await produceAudio(routerA, directA);
			const dataProducer = await directA.produceData();
			const media = await routerA.pipeToRouter({
				producerId: producer.id,
				router: routerB,
				keepId,
			});
			const data = await routerA.pipeToRouter({
				dataProducerId: dataProducer.id,
				router: routerB,
				keepId,
			});
			const { consumer } = await directConsumer(routerB, directB, media.pipeProducer!.id);
			const { dataConsumer } = await directDataConsumer(directB, data.pipeDataProducer!.id);
			const [pipeA] = pipesA;
			const [pipeB] = pipesB;

			if (closed === 'source') {
				routerA.close();

				// Synchronously: the far pipe transport and what it produced.
				expect(pipeA.closed).toBe(true);
				expect(pipeB.closed).toBe(true);
				expect(media.pipeProducer!.closed).toBe(true);
				expect(data.pipeDataProducer!.closed).toBe(true);

				// The Consumers on B learn it from their Worker.
				await waitFor(() => consumer.closed && dataConsumer.closed, 'the Consumers on B to close');

				expect(routerB.closed).toBe(false);
				expect(await pipeTransportIds(routerB)).toEqual([]);
				expect((await routerB.dump()).transportIds).toEqual([directB.id]);
			} else {
				routerB.close();

				expect(pipeB.closed).toBe(true);
				expect(pipeA.closed).toBe(true);
				expect(media.pipeConsumer!.closed).toBe(true);
				expect(data.pipeDataConsumer!.closed).toBe(true);
				expect(producer.closed).toBe(false);
				expect(await pipeTransportIds(routerA)).toEqual([]);
				expect((await routerA.dump()).transportIds).toEqual([directA.id]);
			}

			// The cached pair is gone: piping again to a live Router creates a new one.
			const routerC = await (await createWorker()).createRouter({ mediaCodecs });
			const live = closed === 'source' ? routerB : routerA;
			const liveDirect = closed === 'source' ? directB : directA;
			const liveProducer = await produceAudio(live, liveDirect, { ssrc: 3333 });
			const again = await live.pipeToRouter({
				producerId: liveProducer.id,
				router: routerC,
			});

			expect(again.pipeProducer!.id).toBe(liveProducer.id);
			expect(await pipeTransportIds(live)).toHaveLength(1);
		},
		TEST_TIMEOUT
	);

	test(
		'closing a pipe transport closes the other one and drops the pair: the next call creates a new one',
		async () => {
			const { routerA, routerB, directA, pipesA, pipesB } = await createRouters(setup);
			const producer = await produceAudio(routerA, directA);
			const first = await routerA.pipeToRouter({
				producerId: producer.id,
				router: routerB,
				keepId,
			});
			pipesA[0].close();

			expect(pipesB[0].closed).toBe(true);
			expect(first.pipeConsumer!.closed).toBe(true);
			expect(first.pipeProducer!.closed).toBe(true);

			const second = await routerA.pipeToRouter({
				producerId: producer.id,
				router: routerB,
				keepId,
			});

			expect(pipesA).toHaveLength(2);
			expect(pipesB).toHaveLength(2);
			expect(second.pipeConsumer!.closed).toBe(false);
			expect(await pipeTransportIds(routerA)).toEqual([pipesA[1].id]);
			expect(await pipeTransportIds(routerB)).toEqual([pipesB[1].id]);
		},
		TEST_TIMEOUT
	);

	test(
		'the original closing while pipeToRouter() runs rejects NotFoundError and leaves no pipe entity',
		async () => {
			const { routerA, routerB, directA } = await createRouters(setup);
			const producer = await produceAudio(routerA, directA);
			const promise = routerA.pipeToRouter({ producerId: producer.id, router: routerB, keepId });

			producer.close();

			await expect(promise).rejects.toBeInstanceOf(NotFoundError);

			const dataProducer = await directA.produceData();
			const dataPromise = routerA.pipeToRouter({
				dataProducerId: dataProducer.id,
				router: routerB,
				keepId,
			});

			dataProducer.close();

			await expect(dataPromise).rejects.toBeInstanceOf(NotFoundError);

			// Give late close notifications time to arrive.
			await sleep(100);

			const dumpA = await routerA.dump();
			const dumpB = await routerB.dump();

			expect(dumpA.mapConsumerIdProducerId).toEqual([]);
			expect(dumpA.mapDataConsumerIdDataProducerId).toEqual([]);
			expect(dumpB.mapProducerIdConsumerIds).toEqual([]);
			expect(dumpB.mapDataProducerIdDataConsumerIds).toEqual([]);
		},
		TEST_TIMEOUT
	);
});

describe('pipeToRouter() between two Workers', () => {
	test(
		'the destination Worker closing closes the pipe transport and the pipe Consumer on A; the original lives on',
		async () => {
			const { workerB, routerA, routerB, directA, pipesA } = await createRouters('two workers');
			const producer = await produceAudio(routerA, directA);
			const { pipeConsumer } = await routerA.pipeToRouter({
				producerId: producer.id,
				router: routerB,
			});

			workerB.close();

			expect(routerB.closed).toBe(true);
			expect(pipesA[0].closed).toBe(true);
			expect(pipeConsumer!.closed).toBe(true);
			expect(producer.closed).toBe(false);
			expect(await pipeTransportIds(routerA)).toEqual([]);
		},
		TEST_TIMEOUT
	);

	test(
		'A to B and B to A at the same time share one pair',
		async () => {
			const { routerA, routerB, directA, directB, pipesA, pipesB } =
				await createRouters('two workers');
			const producerA = await produceAudio(routerA, directA);
			const producerB = await produceAudio(routerB, directB);
			const [aToB, bToA] = await Promise.all([
				routerA.pipeToRouter({ producerId: producerA.id, router: routerB }),
				routerB.pipeToRouter({ producerId: producerB.id, router: routerA }),
			]);

			expect(pipesA).toHaveLength(1);
			expect(pipesB).toHaveLength(1);
			expect(aToB.pipeProducer!.id).toBe(producerA.id);
			expect(bToA.pipeProducer!.id).toBe(producerB.id);
			expect((await pipesA[0].dump()).producerIds).toEqual([producerB.id]);
			expect((await pipesB[0].dump()).producerIds).toEqual([producerA.id]);

			// Media both ways over it.
			const { received: onB } = await directConsumer(routerB, directB, producerA.id);
			const { received: onA } = await directConsumer(routerA, directA, producerB.id);
			const payloadType = payloadTypeOf(routerA, 'audio/opus');

			await sendUntilReceived(producerA, payloadType, Buffer.from('a'), onB, 5);
			await sendUntilReceived(producerB, payloadType, Buffer.from('b'), onA, 5);
		},
		TEST_TIMEOUT
	);
});

describe('pipeToRouter() options', () => {
	test('keepId defaults to true', async () => {
		const { routerA, routerB, directA } = await createRouters('two workers');
		const producer = await produceAudio(routerA, directA);
		const dataProducer = await directA.produceData();
		const { pipeProducer } = await routerA.pipeToRouter({
			producerId: producer.id,
			router: routerB,
		});
		const { pipeDataProducer } = await routerA.pipeToRouter({
			dataProducerId: dataProducer.id,
			router: routerB,
		});

		expect(pipeProducer!.id).toBe(producer.id);
		expect(pipeDataProducer!.id).toBe(dataProducer.id);
	});

	test(
		'keepId: true with both Routers in one Worker rejects Error and leaves no pipe entity',
		async () => {
			const { routerA, routerB, directA, pipesA, pipesB } = await createRouters('one worker');
			const producer = await produceAudio(routerA, directA);
			const dataProducer = await directA.produceData();

			await expect(
				routerA.pipeToRouter({ producerId: producer.id, router: routerB })
			).rejects.toBeInstanceOf(Error);
			await expect(
				routerA.pipeToRouter({ dataProducerId: dataProducer.id, router: routerB, keepId: true })
			).rejects.toBeInstanceOf(Error);

			await sleep(100);

			expect((await pipesA[0].dump()).consumerIds).toEqual([]);
			expect((await pipesA[0].dump()).dataConsumerIds).toEqual([]);
			expect((await pipesB[0].dump()).producerIds).toEqual([]);
			expect((await pipesB[0].dump()).dataProducerIds).toEqual([]);
			expect((await routerA.dump()).mapProducerIdConsumerIds).toEqual([
				{ key: producer.id, values: [] },
			]);

			// keepId: false works.
			const { pipeProducer } = await routerA.pipeToRouter({
				producerId: producer.id,
				router: routerB,
				keepId: false,
			});

			expect(pipeProducer!.closed).toBe(false);
		},
		TEST_TIMEOUT
	);

	test.each<Setup>(['one worker', 'two workers'])(
		'enableSrtp and enableRtx (%s): SRTP pipe transports with RTX, video flows',
		async setup => {
			const { routerA, routerB, directA, directB, pipesA, pipesB } = await createRouters(setup);
			const producer = await produceVideo(routerA, directA);
			const { pipeConsumer, pipeProducer } = await routerA.pipeToRouter({
				producerId: producer.id,
				router: routerB,
				keepId: false,
				enableSrtp: true,
				enableRtx: true,
			});

			for (const pipe of [pipesA[0], pipesB[0]]) {
				expect(pipe.srtpParameters?.cryptoSuite).toBe('AEAD_AES_256_GCM');
				expect((await pipe.dump()).rtx).toBe(true);
			}

			expect(pipeConsumer!.rtpParameters.codecs.map(c => c.mimeType)).toEqual([
				'video/VP8',
				'video/rtx',
			]);
			expect(pipeConsumer!.rtpParameters.encodings![0].rtx?.ssrc).toEqual(expect.any(Number));
			expect(pipeProducer!.rtpParameters.codecs.map(c => c.mimeType)).toEqual([
				'video/VP8',
				'video/rtx',
			]);

			const { received } = await directConsumer(routerB, directB, pipeProducer!.id);

			await sendUntilReceived(
				producer,
				payloadTypeOf(routerA, 'video/VP8'),
				VP8_KEY_FRAME,
				received,
				10
			);
		},
		TEST_TIMEOUT
	);

	test('listenIp (deprecated) as a string and as an object', async () => {
		const { routerA, routerB, directA, pipesA, pipesB } = await createRouters('two workers');
		const producer = await produceAudio(routerA, directA);

		await routerA.pipeToRouter({ producerId: producer.id, router: routerB, listenIp: '127.0.0.1' });

		expect(pipesA[0].tuple.localAddress).toBe('127.0.0.1');
		expect(pipesB[0].tuple.localAddress).toBe('127.0.0.1');

		const routerC = await (await createWorker()).createRouter({ mediaCodecs });
		const pipesC = collectPipeTransports(routerC);

		await routerA.pipeToRouter({
			producerId: producer.id,
			router: routerC,
			listenIp: { ip: '127.0.0.1' },
		});

		expect(pipesC[0].tuple.localAddress).toBe('127.0.0.1');
	});

	test('listenInfo is used by both pipe transports', async () => {
		const { routerA, routerB, directA, pipesA, pipesB } = await createRouters('two workers');
		const producer = await produceAudio(routerA, directA);

		await routerA.pipeToRouter({
			producerId: producer.id,
			router: routerB,
			listenInfo: { protocol: 'udp', ip: '127.0.0.1', portRange: { min: 40100, max: 40199 } },
		});

		for (const pipe of [pipesA[0], pipesB[0]]) {
			expect(pipe.tuple.localAddress).toBe('127.0.0.1');
			expect(pipe.tuple.localPort).toBeGreaterThanOrEqual(40100);
			expect(pipe.tuple.localPort).toBeLessThanOrEqual(40199);
		}
	});

	test('the SCTP options reach the pipe transports; enableSctp: false creates them without SCTP', async () => {
		const { routerA, routerB, directA, pipesA, pipesB } = await createRouters('two workers');
		const producer = await produceAudio(routerA, directA);

		await routerA.pipeToRouter({
			producerId: producer.id,
			router: routerB,
			maxSendMessageSize: 10000,
			maxReceiveMessageSize: 20000,
			sctpSendBufferSize: 300000,
			sctpPerStreamSendQueueLimit: 200000,
			sctpMaxReceiverWindowBufferSize: 1000000,
			sctpDefaultStreamBufferedAmountLowThreshold: 2048,
		});

		for (const pipe of [pipesA[0], pipesB[0]]) {
			expect(pipe.sctpParameters).toMatchObject({
				isDataChannel: false,
				maxSendMessageSize: 10000,
				maxReceiveMessageSize: 20000,
				sendBufferSize: 300000,
				perStreamSendQueueLimit: 200000,
				maxReceiverWindowBufferSize: 1000000,
			});
		}

		const routerC = await (await createWorker()).createRouter({ mediaCodecs });
		const pipesC = collectPipeTransports(routerC);
		const dataProducer = await directA.produceData();

		await routerA.pipeToRouter({ producerId: producer.id, router: routerC, enableSctp: false });

		expect(pipesA[1].sctpParameters).toBeUndefined();
		expect(pipesC[0].sctpParameters).toBeUndefined();

		// No SCTP on that pair: data cannot be piped over it.
		await expect(
			routerA.pipeToRouter({ dataProducerId: dataProducer.id, router: routerC })
		).rejects.toBeInstanceOf(Error);
		expect((await pipesA[1].dump()).dataConsumerIds).toEqual([]);
	});
});

describe('pipeToRouter() bad input', () => {
	let routerA: Router;
	let routerB: Router;
	let producer: Producer;
	let pipesA: PipeTransport[];
	let pipesB: PipeTransport[];

	beforeEach(async () => {
		const routers = await createRouters('two workers');

		({ routerA, routerB, pipesA, pipesB } = routers);
		producer = await produceAudio(routerA, routers.directA);
	});

	afterEach(() => {
		// Nothing was created by a rejected call.
		expect(pipesA).toEqual([]);
		expect(pipesB).toEqual([]);
	});

	const typeErrorCases: [string, (a: Router, b: Router, producerId: string) => unknown][] = [
		['no options', () => undefined],
		['options not an object', () => 'foo'],
		['neither producerId nor dataProducerId', (_a, b) => ({ router: b })],
		[
			'both producerId and dataProducerId',
			(_a, b, producerId) => ({ producerId, dataProducerId: producerId, router: b }),
		],
		['producerId not a string', (_a, b) => ({ producerId: 123, router: b })],
		['missing router', (_a, _b, producerId) => ({ producerId })],
		['router not an object', (_a, _b, producerId) => ({ producerId, router: 'foo' })],
		['router is this Router', (a, _b, producerId) => ({ producerId, router: a })],
		[
			'both listenInfo and listenIp',
			(_a, b, producerId) => ({
				producerId,
				router: b,
				listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
				listenIp: '127.0.0.1',
			}),
		],
		[
			'a tcp listenInfo',
			(_a, b, producerId) => ({
				producerId,
				router: b,
				listenInfo: { protocol: 'tcp', ip: '127.0.0.1' },
			}),
		],
		['a bad listenIp', (_a, b, producerId) => ({ producerId, router: b, listenIp: 'foo' })],
		['keepId not a boolean', (_a, b, producerId) => ({ producerId, router: b, keepId: 'yes' })],
		['enableSrtp not a boolean', (_a, b, producerId) => ({ producerId, router: b, enableSrtp: 1 })],
		[
			'maxSendMessageSize not a positive integer',
			(_a, b, producerId) => ({ producerId, router: b, maxSendMessageSize: -1 }),
		],
	];

	test.each(typeErrorCases)('%s rejects TypeError', async (_name, options) => {
		await expect(
			routerA.pipeToRouter(options(routerA, routerB, producer.id) as never)
		).rejects.toBeInstanceOf(TypeError);
	});

	test('an unknown Producer or DataProducer rejects NotFoundError', async () => {
		await expect(
			routerA.pipeToRouter({ producerId: 'foo', router: routerB })
		).rejects.toBeInstanceOf(NotFoundError);
		await expect(
			routerA.pipeToRouter({ dataProducerId: 'foo', router: routerB })
		).rejects.toBeInstanceOf(NotFoundError);

		// A Producer of the destination Router is not one of this Router.
		const producerB = await produceAudio(routerB, await routerB.createDirectTransport());

		await expect(
			routerA.pipeToRouter({ producerId: producerB.id, router: routerB })
		).rejects.toBeInstanceOf(NotFoundError);
	});

	test('a closed destination Router rejects NotFoundError', async () => {
		routerB.close();

		await expect(
			routerA.pipeToRouter({ producerId: producer.id, router: routerB })
		).rejects.toBeInstanceOf(NotFoundError);

		const routerC = await (await createWorker()).createRouter({ mediaCodecs });

		routerC.close();

		await expect(
			routerA.pipeToRouter({ producerId: producer.id, router: routerC })
		).rejects.toBeInstanceOf(NotFoundError);
	});

	test('a destination Router whose Worker closed rejects NotFoundError', async () => {
		const workerC = await createWorker();
		const routerC = await workerC.createRouter({ mediaCodecs });

		workerC.close();

		await expect(
			routerA.pipeToRouter({ producerId: producer.id, router: routerC })
		).rejects.toBeInstanceOf(NotFoundError);
	});

	test('a closed Router rejects NotFoundError, WorkerClosedError once its Worker closed', async () => {
		const router = await (await createWorker()).createRouter({ mediaCodecs });

		router.close();

		await expect(
			router.pipeToRouter({ producerId: producer.id, router: routerB })
		).rejects.toBeInstanceOf(NotFoundError);

		for (const worker of workers) {
			worker.close();
		}

		await expect(
			routerA.pipeToRouter({ producerId: producer.id, router: routerB })
		).rejects.toBeInstanceOf(WorkerClosedError);
	});

	test('this Router closing while the pair is created closes the pipe transport of the destination', async () => {
		routerA.observer.once('newtransport', () => routerA.close());

		await expect(
			routerA.pipeToRouter({ producerId: producer.id, router: routerB })
		).rejects.toBeInstanceOf(Error);
		await sleep(100);

		expect(pipesB).toHaveLength(1);
		expect(pipesB[0].closed).toBe(true);
		expect(await pipeTransportIds(routerB)).toEqual([]);
		// Just its DirectTransport.
		expect((await routerB.dump()).transportIds).toHaveLength(1);

		// Not a rejected call after all: let afterEach() see no pipes.
		pipesA.length = 0;
		pipesB.length = 0;
	});

	test('the destination Router closing while the pair is created rejects, and a later call works', async () => {
		const routerC = await (await createWorker()).createRouter({ mediaCodecs });
		const promise = routerA.pipeToRouter({ producerId: producer.id, router: routerC });

		routerC.close();

		await expect(promise).rejects.toBeInstanceOf(Error);
		await sleep(100);

		// Whatever it created on A is closed again.
		expect(await pipeTransportIds(routerA)).toEqual([]);
		expect((await routerA.dump()).transportIds).toHaveLength(1);

		// Again, closing the destination once its pipe transport exists (before
		// the two are connected).
		const routerD = await (await createWorker()).createRouter({ mediaCodecs });

		routerD.observer.once('newtransport', () => routerD.close());

		await expect(
			routerA.pipeToRouter({ producerId: producer.id, router: routerD })
		).rejects.toBeInstanceOf(Error);
		await sleep(100);

		expect(await pipeTransportIds(routerA)).toEqual([]);
		expect((await routerA.dump()).transportIds).toHaveLength(1);

		// Not a rejected call after all: let afterEach() see no pipes.
		pipesA.length = 0;

		const { pipeProducer } = await routerA.pipeToRouter({
			producerId: producer.id,
			router: routerB,
		});

		expect(pipeProducer!.closed).toBe(false);
		pipesA.length = 0;
		pipesB.length = 0;
	});
});
