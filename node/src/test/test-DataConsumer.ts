import * as flatbuffers from 'flatbuffers';
import * as mediasoup from '../';
import { DataConsumerImpl } from '../DataConsumer';
import type { Channel } from '../Channel';
import type { Worker } from '../WorkerTypes';
import type { Router } from '../RouterTypes';
import type { WebRtcTransport } from '../WebRtcTransportTypes';
import type { DirectTransport } from '../DirectTransportTypes';
import type { DataProducer } from '../DataProducerTypes';
import type { DataConsumer } from '../DataConsumerTypes';
import { Notification } from '../fbs/notification/notification';
import { Event } from '../fbs/notification/event';
import { Body as NotificationBody } from '../fbs/notification/body';
import { SctpState as FbsSctpState } from '../fbs/transport/sctp-state';
import { SctpStateChangeNotification as FbsSctpStateChangeNotification } from '../fbs/transport/sctp-state-change-notification';
import { SctpNegotiatedCapabilities as FbsSctpNegotiatedCapabilities } from '../fbs/transport/sctp-negotiated-capabilities';
import { BufferedAmountLowNotification as FbsBufferedAmountLowNotification } from '../fbs/data-consumer/buffered-amount-low-notification';
import { MessageNotification as FbsMessageNotification } from '../fbs/data-consumer/message-notification';
import { expectUnawaitedPauseResumeInCallOrder, recordPauseEvents } from './helpers/pauseResume';

const { EnhancedEventEmitter } = mediasoup.extras;
const { WorkerClosedError, NotFoundError } = mediasoup.errors;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const workers = new Set<Worker>();
let worker: Worker;
let router: Router;
let transport1: WebRtcTransport;
let transport2: WebRtcTransport;
let directTransport: DirectTransport;
let sctpDataProducer: DataProducer;
let directDataProducer: DataProducer;

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	workers.add(worker);
	router = await worker.createRouter();
	transport1 = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		enableSctp: true,
	});
	transport2 = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		enableSctp: true,
		maxSendMessageSize: 1000,
		sctpDefaultStreamBufferedAmountLowThreshold: 2048,
	});
	directTransport = await router.createDirectTransport();
	sctpDataProducer = await transport1.produceData({
		sctpStreamParameters: { streamId: 123, ordered: false, maxPacketLifeTime: 5000 },
		label: 'foo',
		protocol: 'bar',
	});
	directDataProducer = await directTransport.produceData({ label: 'direct', protocol: 'p' });
});

afterEach(() => {
	for (const w of workers) {
		w.close();
	}

	workers.clear();
});

afterAll(async () => {
	await sleep(50);
});

async function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
	return promise.then(
		() => {
			throw new Error('expected a rejection');
		},
		(error: Error) => error
	);
}

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
	const start = Date.now();

	while (!check()) {
		if (Date.now() - start > timeoutMs) {
			throw new Error('condition not met in time');
		}

		await sleep(10);
	}
}

function channelOf(entity: unknown): Channel {
	return (entity as { channelForTesting: Channel }).channelForTesting;
}

function notification(
	handlerId: string,
	event: Event,
	bodyType: NotificationBody,
	body: (builder: flatbuffers.Builder) => number
): Notification {
	const builder = new flatbuffers.Builder(256);
	const bodyOffset = bodyType === NotificationBody.NONE ? 0 : body(builder);
	const handlerIdOffset = builder.createString(handlerId);

	builder.finish(
		Notification.createNotification(builder, handlerIdOffset, event, bodyType, bodyOffset)
	);

	return Notification.getRootAsNotification(new flatbuffers.ByteBuffer(builder.asUint8Array()));
}

/**
 * Pretends the worker reported the SCTP association of `transport` connected
 * with `outboundStreams` outgoing streams.
 */
function injectSctpConnected(transport: { id: string }, outboundStreams: number): void {
	injectSctpState(transport, FbsSctpState.CONNECTED, outboundStreams);
}

/**
 * Pretends the worker reported a new SCTP state (with negotiated
 * capabilities when `outboundStreams` is given).
 */
function injectSctpState(
	transport: { id: string },
	state: FbsSctpState,
	outboundStreams?: number
): void {
	channelOf(transport).emit(
		transport.id,
		Event.TRANSPORT_SCTP_STATE_CHANGE,
		notification(
			transport.id,
			Event.TRANSPORT_SCTP_STATE_CHANGE,
			NotificationBody.Transport_SctpStateChangeNotification,
			builder => {
				const capabilitiesOffset =
					outboundStreams === undefined
						? 0
						: FbsSctpNegotiatedCapabilities.createSctpNegotiatedCapabilities(
								builder,
								outboundStreams,
								outboundStreams
							);

				FbsSctpStateChangeNotification.startSctpStateChangeNotification(builder);
				FbsSctpStateChangeNotification.addSctpState(builder, state);

				if (capabilitiesOffset) {
					FbsSctpStateChangeNotification.addNegotiatedCapabilities(builder, capabilitiesOffset);
				}

				return FbsSctpStateChangeNotification.endSctpStateChangeNotification(builder);
			}
		)
	);
}

function injectDataConsumerEvent(
	dataConsumer: DataConsumer,
	event: Event,
	bodyType: NotificationBody = NotificationBody.NONE,
	body: (builder: flatbuffers.Builder) => number = () => 0
): void {
	channelOf(dataConsumer).emit(
		dataConsumer.id,
		event,
		notification(dataConsumer.id, event, bodyType, body)
	);
}

function collectMessages(dataConsumer: DataConsumer): { data: Buffer; ppid: number }[] {
	const messages: { data: Buffer; ppid: number }[] = [];

	dataConsumer.on('message', (data, ppid) => messages.push({ data, ppid }));

	return messages;
}

describe('transport.consumeData()', () => {
	test('of an SCTP DataProducer on an SCTP transport succeeds', async () => {
		const onObserverNewDataConsumer = jest.fn();

		transport2.observer.once('newdataconsumer', onObserverNewDataConsumer);

		const dataConsumer = await transport2.consumeData({
			dataProducerId: sctpDataProducer.id,
			appData: { baz: 'LOL' },
		});

		expect(onObserverNewDataConsumer).toHaveBeenCalledTimes(1);
		expect(onObserverNewDataConsumer).toHaveBeenCalledWith(dataConsumer);
		expect(dataConsumer).toBeInstanceOf(DataConsumerImpl);
		expect(dataConsumer.id).toMatch(UUID_V4);
		expect(dataConsumer.dataProducerId).toBe(sctpDataProducer.id);
		expect(dataConsumer.closed).toBe(false);
		expect(dataConsumer.type).toBe('sctp');
		expect(dataConsumer.sctpStreamParameters).toEqual({
			streamId: 0,
			ordered: false,
			maxPacketLifeTime: 5000,
		});
		expect(dataConsumer.label).toBe('foo');
		expect(dataConsumer.protocol).toBe('bar');
		expect(dataConsumer.paused).toBe(false);
		expect(dataConsumer.dataProducerPaused).toBe(false);
		expect(dataConsumer.subchannels).toEqual([]);
		expect(dataConsumer.appData).toEqual({ baz: 'LOL' });
		expect(dataConsumer.observer).toBeInstanceOf(EnhancedEventEmitter);

		const transportDump = await transport2.dump();

		expect(transportDump.dataConsumerIds).toEqual([dataConsumer.id]);

		const routerDump = await router.dump();

		expect(routerDump.mapDataProducerIdDataConsumerIds).toEqual(
			expect.arrayContaining([{ key: sctpDataProducer.id, values: [dataConsumer.id] }])
		);
		expect(routerDump.mapDataConsumerIdDataProducerId).toEqual([
			{ key: dataConsumer.id, value: sctpDataProducer.id },
		]);
	});

	test('allocates stream ids upward, wrapping below the negotiated outbound streams', async () => {
		const onSctpStateChange = jest.fn();

		transport2.on('sctpstatechange', onSctpStateChange);
		injectSctpConnected(transport2, 4);

		expect(onSctpStateChange).toHaveBeenCalledWith('connected');
		expect(transport2.sctpState).toBe('connected');
		expect(transport2.sctpNegotiatedCapabilities).toEqual({
			negotiatedMaxOutboundStreams: 4,
			negotiatedMaxInboundStreams: 4,
		});

		const dataConsumers: DataConsumer[] = [];

		for (let i = 0; i < 4; ++i) {
			dataConsumers.push(await transport2.consumeData({ dataProducerId: sctpDataProducer.id }));
		}

		expect(dataConsumers.map(dc => dc.sctpStreamParameters!.streamId)).toEqual([0, 1, 2, 3]);

		// None free.
		const error = await rejection(transport2.consumeData({ dataProducerId: sctpDataProducer.id }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);

		// Freed by close() (and by any closure).
		dataConsumers[2].close();
		dataConsumers[1].close();

		const next1 = await transport2.consumeData({ dataProducerId: sctpDataProducer.id });
		const next2 = await transport2.consumeData({ dataProducerId: sctpDataProducer.id });

		expect(next1.sctpStreamParameters!.streamId).toBe(1);
		expect(next2.sctpStreamParameters!.streamId).toBe(2);

		// Another transport has its own ids.
		const other = await transport1.consumeData({ dataProducerId: sctpDataProducer.id });

		expect(other.sctpStreamParameters!.streamId).toBe(0);
	});

	test('scans upward from the last allocated id, skipping freed lower ones', async () => {
		const dataConsumer0 = await transport2.consumeData({ dataProducerId: sctpDataProducer.id });
		const dataConsumer1 = await transport2.consumeData({ dataProducerId: sctpDataProducer.id });

		dataConsumer0.close();

		const dataConsumer2 = await transport2.consumeData({ dataProducerId: sctpDataProducer.id });

		expect(dataConsumer1.sctpStreamParameters!.streamId).toBe(1);
		expect(dataConsumer2.sctpStreamParameters!.streamId).toBe(2);
	});

	test.each([
		['ordered: true drops partial reliability', { ordered: true }, { streamId: 0, ordered: true }],
		[
			'ordered: false keeps it',
			{ ordered: false },
			{ streamId: 0, ordered: false, maxPacketLifeTime: 5000 },
		],
		[
			'maxRetransmits replaces maxPacketLifeTime',
			{ maxRetransmits: 3 },
			{ streamId: 0, ordered: false, maxRetransmits: 3 },
		],
		[
			'maxPacketLifeTime replaces maxPacketLifeTime',
			{ maxPacketLifeTime: 100 },
			{ streamId: 0, ordered: false, maxPacketLifeTime: 100 },
		],
		[
			'ordered: true ignores maxRetransmits',
			{ ordered: true, maxRetransmits: 3 },
			{ streamId: 0, ordered: true },
		],
	])('%s', async (_name, options, expected) => {
		const dataConsumer = await transport2.consumeData({
			dataProducerId: sctpDataProducer.id,
			...options,
		});

		expect(dataConsumer.sctpStreamParameters).toEqual(expected);
		await expect(dataConsumer.dump()).resolves.toMatchObject({
			sctpStreamParameters: expected,
		});
	});

	test('of a direct DataProducer on an SCTP transport is reliable and ordered unless told', async () => {
		const dataConsumer1 = await transport2.consumeData({ dataProducerId: directDataProducer.id });
		const dataConsumer2 = await transport2.consumeData({
			dataProducerId: directDataProducer.id,
			maxRetransmits: 0,
		});

		expect(dataConsumer1.type).toBe('sctp');
		expect(dataConsumer1.sctpStreamParameters).toEqual({ streamId: 0, ordered: true });
		expect(dataConsumer1.label).toBe('direct');
		expect(dataConsumer1.protocol).toBe('p');
		expect(dataConsumer2.sctpStreamParameters).toEqual({
			streamId: 1,
			ordered: false,
			maxRetransmits: 0,
		});
	});

	test('on a DirectTransport is direct and ignores reliability options', async () => {
		const dataConsumer = await directTransport.consumeData({
			dataProducerId: sctpDataProducer.id,
			ordered: true,
			maxRetransmits: 3,
		});

		expect(dataConsumer.type).toBe('direct');
		expect(dataConsumer.sctpStreamParameters).toBeUndefined();
		expect(dataConsumer.label).toBe('foo');

		const dump = await dataConsumer.dump();

		expect(dump.type).toBe('direct');
		expect(dump.sctpStreamParameters).toBeUndefined();
	});

	test('with paused: true starts paused', async () => {
		const dataConsumer = await directTransport.consumeData({
			dataProducerId: directDataProducer.id,
			paused: true,
		});

		expect(dataConsumer.paused).toBe(true);
		await expect(dataConsumer.dump()).resolves.toMatchObject({ paused: true });
	});

	test('of a paused DataProducer starts with dataProducerPaused', async () => {
		await directDataProducer.pause();

		const dataConsumer = await directTransport.consumeData({
			dataProducerId: directDataProducer.id,
		});

		expect(dataConsumer.dataProducerPaused).toBe(true);
	});

	test('with subchannels subscribes to them (uint16, deduplicated)', async () => {
		const dataConsumer = await directTransport.consumeData({
			dataProducerId: directDataProducer.id,
			subchannels: [5, 1, 65536, 1],
		});

		expect([...dataConsumer.subchannels].sort((a, b) => a - b)).toEqual([0, 1, 5]);
		expect([...(await dataConsumer.dump()).subchannels].sort((a, b) => a - b)).toEqual([0, 1, 5]);
	});

	test.each([
		['non object options', 'foo'],
		['no dataProducerId', {}],
		['a non string dataProducerId', { dataProducerId: 123 }],
		['an empty dataProducerId', { dataProducerId: '' }],
		['a non object appData', { dataProducerId: 'x', appData: 1 }],
		['a non boolean ordered', { dataProducerId: 'x', ordered: 1 }],
		['a non boolean paused', { dataProducerId: 'x', paused: 'no' }],
		['a non integer maxPacketLifeTime', { dataProducerId: 'x', maxPacketLifeTime: 1.5 }],
		['a negative maxRetransmits', { dataProducerId: 'x', maxRetransmits: -1 }],
		[
			'both maxPacketLifeTime and maxRetransmits',
			{ dataProducerId: 'x', maxPacketLifeTime: 10, maxRetransmits: 1 },
		],
		['non array subchannels', { dataProducerId: 'x', subchannels: 1 }],
		['non integer subchannels', { dataProducerId: 'x', subchannels: [1, '2'] }],
	])('with %s rejects TypeError', async (_name, options) => {
		await expect(transport2.consumeData(options as never)).rejects.toBeInstanceOf(TypeError);
	});

	test('with an unknown dataProducerId rejects NotFoundError', async () => {
		await expect(transport2.consumeData({ dataProducerId: 'foo' })).rejects.toBeInstanceOf(
			NotFoundError
		);
		await expect(directTransport.consumeData({ dataProducerId: 'foo' })).rejects.toBeInstanceOf(
			NotFoundError
		);
	});

	test('of a DataProducer of another Router rejects NotFoundError', async () => {
		const router2 = await worker.createRouter();
		const transport = await router2.createDirectTransport();

		await expect(
			transport.consumeData({ dataProducerId: directDataProducer.id })
		).rejects.toBeInstanceOf(NotFoundError);
	});

	test('on a transport without SCTP rejects Error', async () => {
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		});
		const error = await rejection(transport.consumeData({ dataProducerId: sctpDataProducer.id }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
	});

	test('on a closed transport rejects NotFoundError, WorkerClosedError once the worker closed', async () => {
		transport2.close();

		await expect(
			transport2.consumeData({ dataProducerId: sctpDataProducer.id })
		).rejects.toBeInstanceOf(NotFoundError);

		worker.close();

		await expect(
			directTransport.consumeData({ dataProducerId: directDataProducer.id })
		).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('DataConsumer', () => {
	let sctpDataConsumer: DataConsumer;
	let directDataConsumer: DataConsumer;

	beforeEach(async () => {
		sctpDataConsumer = await transport2.consumeData({ dataProducerId: sctpDataProducer.id });
		directDataConsumer = await directTransport.consumeData({
			dataProducerId: directDataProducer.id,
		});
	});

	test('dump()', async () => {
		await expect(sctpDataConsumer.dump()).resolves.toEqual({
			id: sctpDataConsumer.id,
			paused: false,
			dataProducerPaused: false,
			subchannels: [],
			dataProducerId: sctpDataProducer.id,
			type: 'sctp',
			sctpStreamParameters: {
				streamId: 0,
				ordered: false,
				maxPacketLifeTime: 5000,
				maxRetransmits: undefined,
			},
			label: 'foo',
			protocol: 'bar',
			bufferedAmount: 0,
			// The transport's sctpDefaultStreamBufferedAmountLowThreshold.
			bufferedAmountLowThreshold: 2048,
		});

		const dump = await directDataConsumer.dump();

		expect(dump).toMatchObject({
			id: directDataConsumer.id,
			dataProducerId: directDataProducer.id,
			type: 'direct',
			label: 'direct',
			protocol: 'p',
			bufferedAmount: 0,
		});
	});

	test('getStats()', async () => {
		await expect(sctpDataConsumer.getStats()).resolves.toEqual([
			{
				type: 'data-consumer',
				timestamp: expect.any(Number),
				label: 'foo',
				protocol: 'bar',
				messagesSent: 0,
				bytesSent: 0,
				bufferedAmount: 0,
			},
		]);
	});

	test('getStats() counts the messages delivered on a DirectTransport', async () => {
		const messages = collectMessages(directDataConsumer);

		directDataProducer.send('abcd');
		directDataProducer.send('ef');

		await waitFor(() => messages.length === 2);

		await expect(directDataConsumer.getStats()).resolves.toEqual([
			expect.objectContaining({ type: 'data-consumer', messagesSent: 2, bytesSent: 6 }),
		]);
	});

	test('getBufferedAmount() and setBufferedAmountLowThreshold()', async () => {
		await expect(sctpDataConsumer.getBufferedAmount()).resolves.toBe(0);

		await sctpDataConsumer.setBufferedAmountLowThreshold(500);

		await expect(sctpDataConsumer.dump()).resolves.toMatchObject({
			bufferedAmountLowThreshold: 500,
		});
	});

	test.each([
		['a string', '1'],
		['a negative number', -1],
		['a fraction', 1.5],
		['undefined', undefined],
	])('setBufferedAmountLowThreshold() with %s rejects TypeError', async (_name, threshold) => {
		await expect(
			sctpDataConsumer.setBufferedAmountLowThreshold(threshold as never)
		).rejects.toBeInstanceOf(TypeError);
	});

	test('appData can be replaced; getters are clones', () => {
		sctpDataConsumer.appData = { foo: 'bar' };

		expect(sctpDataConsumer.appData).toEqual({ foo: 'bar' });

		sctpDataConsumer.sctpStreamParameters!.streamId = 99;
		sctpDataConsumer.subchannels.push(3);

		expect(sctpDataConsumer.sctpStreamParameters!.streamId).toBe(0);
		expect(sctpDataConsumer.subchannels).toEqual([]);
	});

	test('pause() and resume() emit observer events on effective change only', async () => {
		const events: string[] = [];

		directDataConsumer.observer.on('pause', () => events.push('pause'));
		directDataConsumer.observer.on('resume', () => events.push('resume'));
		directDataConsumer.on('dataproducerpause', () => events.push('dataproducerpause'));
		directDataConsumer.on('dataproducerresume', () => events.push('dataproducerresume'));

		await directDataConsumer.pause();

		expect(directDataConsumer.paused).toBe(true);
		await expect(directDataConsumer.dump()).resolves.toMatchObject({ paused: true });

		await directDataConsumer.pause();

		expect(events).toEqual(['pause']);

		// DataProducer paused while the DataConsumer is: no observer event.
		await directDataProducer.pause();
		await waitFor(() => directDataConsumer.dataProducerPaused);

		expect(events).toEqual(['pause', 'dataproducerpause']);

		// Still effectively paused by the DataProducer.
		await directDataConsumer.resume();

		expect(directDataConsumer.paused).toBe(false);
		expect(events).toEqual(['pause', 'dataproducerpause']);

		await directDataProducer.resume();
		await waitFor(() => !directDataConsumer.dataProducerPaused);

		expect(events).toEqual(['pause', 'dataproducerpause', 'dataproducerresume', 'resume']);

		// And without the DataConsumer paused.
		await directDataProducer.pause();
		await waitFor(() => directDataConsumer.dataProducerPaused);
		await directDataProducer.resume();
		await waitFor(() => !directDataConsumer.dataProducerPaused);

		expect(events.slice(4)).toEqual(['dataproducerpause', 'pause', 'dataproducerresume', 'resume']);
	});

	test('pause() and resume() not awaited: one observer event per change, in call order', async () => {
		await expectUnawaitedPauseResumeInCallOrder(sctpDataConsumer);
		await expectUnawaitedPauseResumeInCallOrder(directDataConsumer);
	});

	test('pause() and resume() not awaited while the DataProducer is paused emit no observer event', async () => {
		const events = recordPauseEvents(directDataConsumer);

		await directDataProducer.pause();
		await waitFor(() => directDataConsumer.dataProducerPaused);

		expect(events).toEqual(['pause']);

		void directDataConsumer.pause();
		void directDataConsumer.resume();
		await directDataConsumer.pause();

		expect(directDataConsumer.paused).toBe(true);
		expect(events).toEqual(['pause']);

		// Still paused by the app.
		await directDataProducer.resume();
		await waitFor(() => !directDataConsumer.dataProducerPaused);

		expect(events).toEqual(['pause']);

		await directDataConsumer.resume();

		expect(events).toEqual(['pause', 'resume']);
		await expect(directDataConsumer.dump()).resolves.toMatchObject({
			paused: false,
			dataProducerPaused: false,
		});
	});

	test('dataproducerpause and dataproducerresume are deduplicated', () => {
		const onPause = jest.fn();
		const onResume = jest.fn();

		directDataConsumer.on('dataproducerpause', onPause);
		directDataConsumer.on('dataproducerresume', onResume);

		injectDataConsumerEvent(directDataConsumer, Event.DATACONSUMER_DATAPRODUCER_PAUSE);
		injectDataConsumerEvent(directDataConsumer, Event.DATACONSUMER_DATAPRODUCER_PAUSE);
		injectDataConsumerEvent(directDataConsumer, Event.DATACONSUMER_DATAPRODUCER_RESUME);
		injectDataConsumerEvent(directDataConsumer, Event.DATACONSUMER_DATAPRODUCER_RESUME);

		expect(onPause).toHaveBeenCalledTimes(1);
		expect(onResume).toHaveBeenCalledTimes(1);
	});

	test('bufferedamountlow and sctpsendbufferfull events', () => {
		const onBufferedAmountLow = jest.fn();
		const onSctpSendBufferFull = jest.fn();

		sctpDataConsumer.on('bufferedamountlow', onBufferedAmountLow);
		sctpDataConsumer.on('sctpsendbufferfull', onSctpSendBufferFull);

		injectDataConsumerEvent(
			sctpDataConsumer,
			Event.DATACONSUMER_BUFFERED_AMOUNT_LOW,
			NotificationBody.DataConsumer_BufferedAmountLowNotification,
			builder => FbsBufferedAmountLowNotification.createBufferedAmountLowNotification(builder, 77)
		);
		injectDataConsumerEvent(sctpDataConsumer, Event.DATACONSUMER_SCTP_SENDBUFFER_FULL);

		expect(onBufferedAmountLow).toHaveBeenCalledWith(77);
		expect(onSctpSendBufferFull).toHaveBeenCalledTimes(1);
	});

	test('message events carry a Buffer and the PPID, none after close', () => {
		const messages = collectMessages(directDataConsumer);
		const injectMessage = (): void =>
			injectDataConsumerEvent(
				directDataConsumer,
				Event.DATACONSUMER_MESSAGE,
				NotificationBody.DataConsumer_MessageNotification,
				builder =>
					FbsMessageNotification.createMessageNotification(
						builder,
						53,
						FbsMessageNotification.createDataVector(builder, [1, 2, 3])
					)
			);

		injectMessage();

		expect(messages).toHaveLength(1);
		expect(messages[0].ppid).toBe(53);
		expect(messages[0].data).toEqual(Buffer.from([1, 2, 3]));

		directDataConsumer.close();
		injectMessage();

		expect(messages).toHaveLength(1);
	});

	test('setSubchannels(), addSubchannel() and removeSubchannel() update subchannels', async () => {
		await directDataConsumer.setSubchannels([3, 1, 3, 65537]);

		expect([...directDataConsumer.subchannels].sort((a, b) => a - b)).toEqual([1, 3]);

		await directDataConsumer.addSubchannel(7);
		await directDataConsumer.addSubchannel(7);

		expect([...directDataConsumer.subchannels].sort((a, b) => a - b)).toEqual([1, 3, 7]);

		await directDataConsumer.removeSubchannel(1);
		await directDataConsumer.removeSubchannel(12345);

		expect([...directDataConsumer.subchannels].sort((a, b) => a - b)).toEqual([3, 7]);
		expect([...(await directDataConsumer.dump()).subchannels].sort((a, b) => a - b)).toEqual([
			3, 7,
		]);

		await directDataConsumer.setSubchannels([]);

		expect(directDataConsumer.subchannels).toEqual([]);
	});

	test.each([
		['setSubchannels', 'a non array', 1],
		['setSubchannels', 'a non integer entry', [1, 2.5]],
		['addSubchannel', 'a string', '1'],
		['addSubchannel', 'undefined', undefined],
		['removeSubchannel', 'a fraction', 0.5],
	] as const)('%s() with %s rejects TypeError', async (method, _name, arg) => {
		await expect(
			(directDataConsumer[method] as (a: unknown) => Promise<void>)(arg)
		).rejects.toBeInstanceOf(TypeError);
	});

	test('send() on a DirectTransport DataConsumer rejects TypeError', async () => {
		await expect(directDataConsumer.send('foo')).rejects.toBeInstanceOf(TypeError);
	});

	test.each([
		['a number', 1],
		['an object', { foo: 1 }],
		['a Uint8Array', new Uint8Array(1)],
	])('send() with %s rejects TypeError', async (_name, message) => {
		await expect(sctpDataConsumer.send(message as never)).rejects.toBeInstanceOf(TypeError);
	});

	test('send() of a message bigger than maxSendMessageSize rejects TypeError naming both sizes', async () => {
		const error = await rejection(sctpDataConsumer.send(Buffer.alloc(1001)));

		expect(error).toBeInstanceOf(TypeError);
		expect(error.message).toContain('1001');
		expect(error.message).toContain('1000');
	});

	test('send() with a bad ppid rejects TypeError', async () => {
		await expect(sctpDataConsumer.send('foo', -5)).rejects.toBeInstanceOf(TypeError);
	});

	test('send() before the SCTP association connects rejects Error', async () => {
		const error = await rejection(sctpDataConsumer.send('foo'));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
	});

	test('close() emits observer close and rejects later calls', async () => {
		const onObserverClose = jest.fn();
		const onTransportClose = jest.fn();

		sctpDataConsumer.observer.on('close', onObserverClose);
		sctpDataConsumer.on('transportclose', onTransportClose);

		sctpDataConsumer.close();
		sctpDataConsumer.close();

		expect(sctpDataConsumer.closed).toBe(true);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(onTransportClose).not.toHaveBeenCalled();
		expect((await transport2.dump()).dataConsumerIds).toEqual([]);
		expect((await router.dump()).mapDataConsumerIdDataProducerId).toEqual([
			{ key: directDataConsumer.id, value: directDataProducer.id },
		]);

		for (const call of [
			() => sctpDataConsumer.dump(),
			() => sctpDataConsumer.getStats(),
			() => sctpDataConsumer.pause(),
			() => sctpDataConsumer.resume(),
			() => sctpDataConsumer.getBufferedAmount(),
			() => sctpDataConsumer.setBufferedAmountLowThreshold(10),
			() => sctpDataConsumer.send('foo'),
			() => sctpDataConsumer.setSubchannels([1]),
			() => sctpDataConsumer.addSubchannel(1),
			() => sctpDataConsumer.removeSubchannel(1),
		]) {
			await expect(call()).rejects.toBeInstanceOf(NotFoundError);
		}

		// The closed check comes first (issue 10).
		await expect(sctpDataConsumer.addSubchannel('x' as never)).rejects.toBeInstanceOf(
			NotFoundError
		);
	});

	test('dataProducer.close() emits dataproducerclose (async) and closes it', async () => {
		const events: string[] = [];

		sctpDataConsumer.on('dataproducerclose', () => events.push('dataproducerclose'));
		sctpDataConsumer.on('transportclose', () => events.push('transportclose'));
		sctpDataConsumer.observer.on('close', () => events.push('observer close'));

		sctpDataProducer.close();

		expect(events).toEqual([]);

		await waitFor(() => events.length === 2);

		expect(events).toEqual(['dataproducerclose', 'observer close']);
		expect(sctpDataConsumer.closed).toBe(true);
		expect((await transport2.dump()).dataConsumerIds).toEqual([]);
		await expect(sctpDataConsumer.dump()).rejects.toBeInstanceOf(NotFoundError);
	});

	test('closing the DataProducer transport emits dataproducerclose', async () => {
		const onDataProducerClose = jest.fn();

		sctpDataConsumer.on('dataproducerclose', onDataProducerClose);
		transport1.close();

		await waitFor(() => onDataProducerClose.mock.calls.length === 1);

		expect(sctpDataConsumer.closed).toBe(true);
	});

	test('transport.close() emits transportclose and observer close', async () => {
		const events: string[] = [];

		sctpDataConsumer.on('transportclose', () => events.push('transportclose'));
		sctpDataConsumer.on('dataproducerclose', () => events.push('dataproducerclose'));
		sctpDataConsumer.observer.on('close', () => events.push('observer close'));

		transport2.close();

		expect(events).toEqual(['transportclose', 'observer close']);
		expect(sctpDataConsumer.closed).toBe(true);
		await expect(sctpDataConsumer.dump()).rejects.toBeInstanceOf(NotFoundError);

		await sleep(50);

		expect(events).toEqual(['transportclose', 'observer close']);
		expect((await router.dump()).mapDataConsumerIdDataProducerId).toEqual([
			{ key: directDataConsumer.id, value: directDataProducer.id },
		]);
	});

	test('router.close() emits transportclose', () => {
		const onTransportClose = jest.fn();

		directDataConsumer.on('transportclose', onTransportClose);
		router.close();

		expect(onTransportClose).toHaveBeenCalledTimes(1);
		expect(directDataConsumer.closed).toBe(true);
	});

	test('worker.close() emits transportclose; then WorkerClosedError', async () => {
		const onTransportClose = jest.fn();

		directDataConsumer.on('transportclose', onTransportClose);
		worker.close();

		expect(onTransportClose).toHaveBeenCalledTimes(1);
		await expect(directDataConsumer.dump()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(directDataConsumer.setSubchannels([1])).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('subchannel filtering through DirectTransports', () => {
	let dataConsumerA: DataConsumer;
	let dataConsumerB: DataConsumer;
	let dataConsumerNone: DataConsumer;
	let received: Record<string, string[]>;

	beforeEach(async () => {
		dataConsumerA = await directTransport.consumeData({
			dataProducerId: directDataProducer.id,
			subchannels: [1, 3],
		});
		dataConsumerB = await directTransport.consumeData({
			dataProducerId: directDataProducer.id,
			subchannels: [2, 3],
		});
		dataConsumerNone = await directTransport.consumeData({
			dataProducerId: directDataProducer.id,
		});
		received = { A: [], B: [], none: [] };

		for (const [name, dataConsumer] of [
			['A', dataConsumerA],
			['B', dataConsumerB],
			['none', dataConsumerNone],
		] as const) {
			dataConsumer.on('message', data => received[name].push(data.toString()));
		}
	});

	/**
	 * Sends the message, then an unfiltered 'sync' message, and waits for the
	 * latter in the given DataConsumers (messages are delivered in order).
	 */
	async function sendAndSync(
		args: Parameters<DataProducer['send']>,
		waitOn: string[] = ['A', 'B', 'none']
	): Promise<void> {
		directDataProducer.send(...args);
		directDataProducer.send('sync');

		await waitFor(() => waitOn.every(name => received[name].includes('sync')));

		for (const list of Object.values(received)) {
			const idx = list.indexOf('sync');

			if (idx !== -1) {
				list.splice(idx, 1);
			}
		}
	}

	test.each([
		['no filter', [], ['A', 'B', 'none']],
		['subchannels [1]', [undefined, [1]], ['A']],
		['subchannels [3]', [undefined, [3]], ['A', 'B']],
		['subchannels [4]', [undefined, [4]], []],
		['empty subchannels', [undefined, []], ['A', 'B', 'none']],
		['requiredSubchannel 2', [undefined, undefined, 2], ['B']],
		['ignoredSubchannel 1', [undefined, undefined, undefined, 1], ['B', 'none']],
		['subchannels [1, 2] and ignoredSubchannel 2', [undefined, [1, 2], undefined, 2], ['A']],
		['subchannels [3] and requiredSubchannel 1', [undefined, [3], 1], ['A']],
		['requiredSubchannel 65537 (wraps to 1)', [undefined, undefined, 65537], ['A']],
	])('%s', async (_name, extraArgs, expectedReceivers) => {
		const [ppid, subchannels, requiredSubchannel, ignoredSubchannel] = extraArgs as [
			number | undefined,
			number[] | undefined,
			number | undefined,
			number | undefined,
		];

		await sendAndSync(['msg', ppid, subchannels, requiredSubchannel, ignoredSubchannel]);

		const receivers = Object.entries(received)
			.filter(([, list]) => list.includes('msg'))
			.map(([name]) => name);

		expect(receivers.sort()).toEqual([...expectedReceivers].sort());
	});

	test('subscriptions changed at run time apply to later messages', async () => {
		await dataConsumerNone.addSubchannel(4);
		await sendAndSync(['one', undefined, [4]]);

		expect(received.none).toEqual(['one']);
		expect(received.A).toEqual([]);

		await dataConsumerA.setSubchannels([4]);
		await dataConsumerNone.removeSubchannel(4);
		await sendAndSync(['two', undefined, [4]]);

		expect(received.A).toEqual(['two']);
		expect(received.none).toEqual(['one']);
	});

	test('a paused DataConsumer gets nothing', async () => {
		await dataConsumerB.pause();
		await sendAndSync(['x'], ['A', 'none']);
		await sleep(20);

		expect(received.B).toEqual([]);
		expect(received.A).toEqual(['x']);

		await dataConsumerB.resume();
		await sendAndSync(['y']);

		expect(received.B).toEqual(['y']);
	});
});

describe('SCTP state of transports', () => {
	test.each(['webrtc', 'plain', 'pipe'] as const)(
		'a %s transport emits sctpstatechange (entity and observer) and updates its getters',
		async kind => {
			const listenInfo = { protocol: 'udp' as const, ip: '127.0.0.1' };
			const transport =
				kind === 'webrtc'
					? await router.createWebRtcTransport({ listenInfos: [listenInfo], enableSctp: true })
					: kind === 'plain'
						? await router.createPlainTransport({ listenInfo, enableSctp: true })
						: await router.createPipeTransport({ listenInfo, enableSctp: true });
			const events: string[] = [];

			(transport as WebRtcTransport).on('sctpstatechange', state => events.push(state));
			(transport as WebRtcTransport).observer.on('sctpstatechange', state =>
				events.push(`observer ${state}`)
			);

			injectSctpState(transport, FbsSctpState.CONNECTING);

			expect(transport.sctpState).toBe('connecting');
			expect(transport.sctpNegotiatedCapabilities).toBeUndefined();

			injectSctpConnected(transport, 256);

			expect(transport.sctpState).toBe('connected');
			expect(transport.sctpNegotiatedCapabilities).toEqual({
				negotiatedMaxOutboundStreams: 256,
				negotiatedMaxInboundStreams: 256,
			});
			// dump() reports what the worker's association negotiated (nothing
			// here, where the notification was injected): test-sctp-pipe.ts
			// covers it with a real association.

			injectSctpState(transport, FbsSctpState.FAILED);

			expect(transport.sctpState).toBe('failed');
			expect(events).toEqual([
				'connecting',
				'observer connecting',
				'connected',
				'observer connected',
				'failed',
				'observer failed',
			]);

			// Nothing after close, where the state is 'closed'.
			transport.close();
			injectSctpState(transport, FbsSctpState.CONNECTED);

			expect(transport.sctpState).toBe('closed');
			expect(events).toHaveLength(6);
		}
	);

	test('a transport without SCTP ignores SCTP state notifications', async () => {
		const transport = await router.createWebRtcTransport({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		});
		const onSctpStateChange = jest.fn();

		transport.on('sctpstatechange', onSctpStateChange);
		injectSctpConnected(transport, 10);

		expect(transport.sctpState).toBeUndefined();
		expect(transport.sctpNegotiatedCapabilities).toBeUndefined();
		expect(onSctpStateChange).not.toHaveBeenCalled();
	});
});
