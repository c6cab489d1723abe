import * as mediasoup from '../';
import { DataProducerImpl } from '../DataProducer';
import type { Worker } from '../WorkerTypes';
import type { Router } from '../RouterTypes';
import type { WebRtcTransport } from '../WebRtcTransportTypes';
import type { PlainTransport } from '../PlainTransportTypes';
import type { DirectTransport } from '../DirectTransportTypes';
import type { DataProducer } from '../DataProducerTypes';
import type { DataConsumer } from '../DataConsumerTypes';
import type * as types from '../types';
import { expectUnawaitedPauseResumeInCallOrder } from './helpers/pauseResume';

const { EnhancedEventEmitter } = mediasoup.extras;
const { WorkerClosedError, NotFoundError } = mediasoup.errors;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const workers = new Set<Worker>();
let worker: Worker;
let router: Router;
let webRtcTransport: WebRtcTransport;
let plainTransport: PlainTransport;
let directTransport: DirectTransport;

beforeEach(async () => {
	worker = await mediasoup.createWorker();
	workers.add(worker);
	router = await worker.createRouter();
	webRtcTransport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		enableSctp: true,
	});
	plainTransport = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
		enableSctp: true,
	});
	directTransport = await router.createDirectTransport({ maxReceiveMessageSize: 1000 });
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

function thrown(fn: () => unknown): Error {
	try {
		fn();
	} catch (error) {
		return error as Error;
	}

	throw new Error('expected a throw');
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

/**
 * Collects the 'message' events of a DataConsumer.
 */
function collectMessages(dataConsumer: DataConsumer): { data: Buffer; ppid: number }[] {
	const messages: { data: Buffer; ppid: number }[] = [];

	dataConsumer.on('message', (data, ppid) => messages.push({ data, ppid }));

	return messages;
}

describe('transport.produceData()', () => {
	test('on a WebRtcTransport with SCTP succeeds', async () => {
		const onObserverNewDataProducer = jest.fn();

		webRtcTransport.observer.once('newdataproducer', onObserverNewDataProducer);

		const dataProducer = await webRtcTransport.produceData({
			sctpStreamParameters: { streamId: 12345, ordered: false, maxRetransmits: 3 },
			label: 'foo',
			protocol: 'bar',
			appData: { foo: 1, bar: '2' },
		});

		expect(onObserverNewDataProducer).toHaveBeenCalledTimes(1);
		expect(onObserverNewDataProducer).toHaveBeenCalledWith(dataProducer);
		expect(dataProducer).toBeInstanceOf(DataProducerImpl);
		expect(dataProducer.id).toMatch(UUID_V4);
		expect(dataProducer.closed).toBe(false);
		expect(dataProducer.type).toBe('sctp');
		expect(dataProducer.sctpStreamParameters).toEqual({
			streamId: 12345,
			ordered: false,
			maxRetransmits: 3,
		});
		expect(dataProducer.label).toBe('foo');
		expect(dataProducer.protocol).toBe('bar');
		expect(dataProducer.paused).toBe(false);
		expect(dataProducer.appData).toEqual({ foo: 1, bar: '2' });
		expect(dataProducer.observer).toBeInstanceOf(EnhancedEventEmitter);

		const transportDump = await webRtcTransport.dump();

		expect(transportDump.dataProducerIds).toEqual([dataProducer.id]);
		expect(transportDump.dataConsumerIds).toEqual([]);
		expect(transportDump.sctpListener).toEqual({
			streamIdTable: [{ key: 12345, value: dataProducer.id }],
		});

		const routerDump = await router.dump();

		expect(routerDump.mapDataProducerIdDataConsumerIds).toEqual([
			{ key: dataProducer.id, values: [] },
		]);
		expect(routerDump.mapDataConsumerIdDataProducerId).toEqual([]);
	});

	test('without label, protocol nor appData uses the defaults', async () => {
		const dataProducer = await webRtcTransport.produceData({
			sctpStreamParameters: { streamId: 1 },
		});

		expect(dataProducer.label).toBe('');
		expect(dataProducer.protocol).toBe('');
		expect(dataProducer.appData).toEqual({});
		// ordered defaults to true.
		expect(dataProducer.sctpStreamParameters).toEqual({ streamId: 1, ordered: true });
	});

	test('on a PlainTransport with SCTP and maxPacketLifeTime makes it unordered', async () => {
		const dataProducer = await plainTransport.produceData({
			sctpStreamParameters: { streamId: 4, maxPacketLifeTime: 500 },
		});

		expect(dataProducer.type).toBe('sctp');
		expect(dataProducer.sctpStreamParameters).toEqual({
			streamId: 4,
			ordered: false,
			maxPacketLifeTime: 500,
		});
	});

	test('on a PipeTransport with SCTP succeeds', async () => {
		const pipeTransport = await router.createPipeTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			enableSctp: true,
		});
		const dataProducer = await pipeTransport.produceData({
			sctpStreamParameters: { streamId: 65534 },
		});

		expect(dataProducer.type).toBe('sctp');
		expect(dataProducer.sctpStreamParameters).toEqual({ streamId: 65534, ordered: true });
	});

	test('on a DirectTransport is direct and ignores sctpStreamParameters', async () => {
		const dataProducer1 = await directTransport.produceData();
		const dataProducer2 = await directTransport.produceData({
			sctpStreamParameters: { streamId: 1 },
			label: 'x',
		});

		expect(dataProducer1.type).toBe('direct');
		expect(dataProducer1.sctpStreamParameters).toBeUndefined();
		expect(dataProducer2.type).toBe('direct');
		expect(dataProducer2.sctpStreamParameters).toBeUndefined();
		expect(dataProducer2.label).toBe('x');
		expect((await directTransport.dump()).dataProducerIds.sort()).toEqual(
			[dataProducer1.id, dataProducer2.id].sort()
		);
	});

	test('with paused: true starts paused', async () => {
		const dataProducer = await directTransport.produceData({ paused: true });

		expect(dataProducer.paused).toBe(true);
		await expect(dataProducer.dump()).resolves.toMatchObject({ paused: true });
	});

	test('with a given id uses it; the same id again on the transport rejects TypeError', async () => {
		const id = '2b1c5dd4-b0a9-4f48-9f3f-2a1a4e1fa6a1';
		const dataProducer = await webRtcTransport.produceData({
			id,
			sctpStreamParameters: { streamId: 1 },
		});

		expect(dataProducer.id).toBe(id);

		const error = await rejection(
			webRtcTransport.produceData({ id, sctpStreamParameters: { streamId: 2 } })
		);

		expect(error).toBeInstanceOf(TypeError);
		expect(error.message).toContain(id);
	});

	test('the id of a DataProducer of another transport of the Router rejects Error', async () => {
		const dataProducer = await webRtcTransport.produceData({
			sctpStreamParameters: { streamId: 1 },
		});
		const error = await rejection(
			plainTransport.produceData({ id: dataProducer.id, sctpStreamParameters: { streamId: 1 } })
		);

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
	});

	test('a stream id already used on the transport rejects Error', async () => {
		await webRtcTransport.produceData({ sctpStreamParameters: { streamId: 7 } });

		const error = await rejection(
			webRtcTransport.produceData({ sctpStreamParameters: { streamId: 7 } })
		);

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		expect((await webRtcTransport.dump()).dataProducerIds).toHaveLength(1);

		// The same stream id on another transport is fine.
		await expect(
			plainTransport.produceData({ sctpStreamParameters: { streamId: 7 } })
		).resolves.toBeDefined();
	});

	test('on a transport without SCTP rejects Error', async () => {
		const transport = await router.createWebRtcTransport({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
		});
		const error = await rejection(transport.produceData({ sctpStreamParameters: { streamId: 1 } }));

		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		expect((await transport.dump()).dataProducerIds).toEqual([]);
	});

	test.each([
		['non object options', 'foo'],
		['a non string id', { id: 123, sctpStreamParameters: { streamId: 1 } }],
		['a non object appData', { sctpStreamParameters: { streamId: 1 }, appData: 'foo' }],
		['a non string label', { sctpStreamParameters: { streamId: 1 }, label: 1 }],
		['a non string protocol', { sctpStreamParameters: { streamId: 1 }, protocol: {} }],
		['a non boolean paused', { sctpStreamParameters: { streamId: 1 }, paused: 'yes' }],
		['no sctpStreamParameters', {}],
		['non object sctpStreamParameters', { sctpStreamParameters: 1 }],
		['no streamId', { sctpStreamParameters: { ordered: true } }],
		['a non number streamId', { sctpStreamParameters: { streamId: '1' } }],
		['a negative streamId', { sctpStreamParameters: { streamId: -1 } }],
		['a streamId of 65535', { sctpStreamParameters: { streamId: 65535 } }],
		['a fractional streamId', { sctpStreamParameters: { streamId: 1.5 } }],
		[
			'both maxPacketLifeTime and maxRetransmits',
			{ sctpStreamParameters: { streamId: 1, maxPacketLifeTime: 10, maxRetransmits: 2 } },
		],
		[
			'ordered: true with maxRetransmits',
			{ sctpStreamParameters: { streamId: 1, ordered: true, maxRetransmits: 2 } },
		],
		[
			'a non number maxPacketLifeTime',
			{ sctpStreamParameters: { streamId: 1, maxPacketLifeTime: '10' } },
		],
		[
			'a maxRetransmits out of uint16',
			{ sctpStreamParameters: { streamId: 1, maxRetransmits: 70000 } },
		],
	])('with %s rejects TypeError', async (_name, options) => {
		await expect(webRtcTransport.produceData(options as never)).rejects.toBeInstanceOf(TypeError);
		expect((await webRtcTransport.dump()).dataProducerIds).toEqual([]);
	});

	test('does not modify the given options', async () => {
		const options = { sctpStreamParameters: { streamId: 3, maxRetransmits: 1 } };
		const dataProducer = await webRtcTransport.produceData(options);

		expect(options).toEqual({ sctpStreamParameters: { streamId: 3, maxRetransmits: 1 } });

		// And getters are clones.
		dataProducer.sctpStreamParameters!.streamId = 9;

		expect(dataProducer.sctpStreamParameters!.streamId).toBe(3);
	});

	test('on a closed transport rejects NotFoundError, even with bad options', async () => {
		webRtcTransport.close();

		await expect(
			webRtcTransport.produceData({ sctpStreamParameters: { streamId: 1 } })
		).rejects.toBeInstanceOf(NotFoundError);
		await expect(webRtcTransport.produceData({})).rejects.toBeInstanceOf(NotFoundError);

		directTransport.close();

		await expect(directTransport.produceData()).rejects.toBeInstanceOf(NotFoundError);
	});

	test('once the worker closed rejects WorkerClosedError', async () => {
		worker.close();

		await expect(directTransport.produceData()).rejects.toBeInstanceOf(WorkerClosedError);
	});
});

describe('DataProducer', () => {
	let sctpDataProducer: DataProducer;
	let directDataProducer: DataProducer;

	beforeEach(async () => {
		sctpDataProducer = await webRtcTransport.produceData({
			sctpStreamParameters: { streamId: 100, ordered: false, maxPacketLifeTime: 1000 },
			label: 'chat',
			protocol: 'json',
		});
		directDataProducer = await directTransport.produceData({ label: 'direct' });
	});

	test('dump()', async () => {
		await expect(sctpDataProducer.dump()).resolves.toEqual({
			id: sctpDataProducer.id,
			paused: false,
			type: 'sctp',
			sctpStreamParameters: {
				streamId: 100,
				ordered: false,
				maxPacketLifeTime: 1000,
				maxRetransmits: undefined,
			},
			label: 'chat',
			protocol: 'json',
		});

		const dump = await directDataProducer.dump();

		expect(dump).toEqual({
			id: directDataProducer.id,
			paused: false,
			type: 'direct',
			label: 'direct',
			protocol: '',
		});
		expect(dump.sctpStreamParameters).toBeUndefined();
	});

	test('getStats()', async () => {
		const stats = await sctpDataProducer.getStats();

		expect(stats).toEqual([
			{
				type: 'data-producer',
				timestamp: expect.any(Number),
				label: 'chat',
				protocol: 'json',
				messagesReceived: 0,
				bytesReceived: 0,
			},
		]);
	});

	test('getStats() counts the messages sent on a DirectTransport', async () => {
		directDataProducer.send('hello');
		directDataProducer.send(Buffer.from([1, 2, 3]));

		// Notifications carry no answer: give the worker time to count them.
		await sleep(50);

		const [stat] = await directDataProducer.getStats();

		expect(stat).toMatchObject({
			type: 'data-producer',
			label: 'direct',
			messagesReceived: 2,
			bytesReceived: 8,
		});
	});

	test('appData can be replaced', () => {
		directDataProducer.appData = { baz: 'qux' };

		expect(directDataProducer.appData).toEqual({ baz: 'qux' });
	});

	test('pause() and resume() emit observer events on change only', async () => {
		const onPause = jest.fn();
		const onResume = jest.fn();

		sctpDataProducer.observer.on('pause', onPause);
		sctpDataProducer.observer.on('resume', onResume);

		await sctpDataProducer.pause();

		expect(sctpDataProducer.paused).toBe(true);
		await expect(sctpDataProducer.dump()).resolves.toMatchObject({ paused: true });

		await sctpDataProducer.pause();

		expect(onPause).toHaveBeenCalledTimes(1);

		await sctpDataProducer.resume();

		expect(sctpDataProducer.paused).toBe(false);
		await expect(sctpDataProducer.dump()).resolves.toMatchObject({ paused: false });

		await sctpDataProducer.resume();

		expect(onResume).toHaveBeenCalledTimes(1);
	});

	test('pause() and resume() not awaited: one observer event per change, in call order', async () => {
		await expectUnawaitedPauseResumeInCallOrder(sctpDataProducer);
		await expectUnawaitedPauseResumeInCallOrder(directDataProducer);
	});

	test('pause() and resume() reach the DataConsumers', async () => {
		const dataConsumer = await directTransport.consumeData({
			dataProducerId: directDataProducer.id,
		});
		const events: string[] = [];

		dataConsumer.on('dataproducerpause', () => events.push('dataproducerpause'));
		dataConsumer.on('dataproducerresume', () => events.push('dataproducerresume'));

		await directDataProducer.pause();
		await waitFor(() => events.length === 1);

		expect(dataConsumer.dataProducerPaused).toBe(true);

		await directDataProducer.resume();
		await waitFor(() => events.length === 2);

		expect(events).toEqual(['dataproducerpause', 'dataproducerresume']);
		expect(dataConsumer.dataProducerPaused).toBe(false);
	});

	test('close() emits observer close, reaches the DataConsumers and rejects later calls', async () => {
		const dataConsumer = await webRtcTransport.consumeData({
			dataProducerId: sctpDataProducer.id,
		});
		const onObserverClose = jest.fn();
		const onTransportClose = jest.fn();
		const onDataProducerClose = jest.fn();

		sctpDataProducer.observer.on('close', onObserverClose);
		sctpDataProducer.on('transportclose', onTransportClose);
		dataConsumer.on('dataproducerclose', onDataProducerClose);

		sctpDataProducer.close();
		sctpDataProducer.close();

		expect(sctpDataProducer.closed).toBe(true);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		expect(onTransportClose).not.toHaveBeenCalled();

		await waitFor(() => onDataProducerClose.mock.calls.length === 1);

		expect(dataConsumer.closed).toBe(true);

		const transportDump = await webRtcTransport.dump();

		expect(transportDump.dataProducerIds).toEqual([]);
		expect(transportDump.dataConsumerIds).toEqual([]);
		expect((await router.dump()).mapDataProducerIdDataConsumerIds).toEqual([
			{ key: directDataProducer.id, values: [] },
		]);

		for (const call of [
			() => sctpDataProducer.dump(),
			() => sctpDataProducer.getStats(),
			() => sctpDataProducer.pause(),
			() => sctpDataProducer.resume(),
		]) {
			await expect(call()).rejects.toBeInstanceOf(NotFoundError);
		}

		// Consuming it is no longer possible.
		await expect(
			webRtcTransport.consumeData({ dataProducerId: sctpDataProducer.id })
		).rejects.toBeInstanceOf(NotFoundError);

		// Sending through a closed direct DataProducer is a silent no-op.
		directDataProducer.close();

		expect(() => directDataProducer.send('foo')).not.toThrow();
	});

	test('transport.close() emits transportclose and observer close', async () => {
		const events: string[] = [];

		sctpDataProducer.on('transportclose', () => events.push('transportclose'));
		sctpDataProducer.observer.on('close', () => events.push('observer close'));

		webRtcTransport.close();

		expect(events).toEqual(['transportclose', 'observer close']);
		expect(sctpDataProducer.closed).toBe(true);
		await expect(sctpDataProducer.dump()).rejects.toBeInstanceOf(NotFoundError);
		expect((await router.dump()).mapDataProducerIdDataConsumerIds).toEqual([
			{ key: directDataProducer.id, values: [] },
		]);
	});

	test('router.close() emits transportclose', async () => {
		const onTransportClose = jest.fn();

		directDataProducer.on('transportclose', onTransportClose);
		router.close();

		expect(onTransportClose).toHaveBeenCalledTimes(1);
		expect(directDataProducer.closed).toBe(true);
		await expect(directDataProducer.dump()).rejects.toBeInstanceOf(NotFoundError);
	});

	test('worker.close() emits transportclose; then WorkerClosedError', async () => {
		const onTransportClose = jest.fn();

		directDataProducer.on('transportclose', onTransportClose);
		worker.close();

		expect(onTransportClose).toHaveBeenCalledTimes(1);
		expect(directDataProducer.closed).toBe(true);
		await expect(directDataProducer.dump()).rejects.toBeInstanceOf(WorkerClosedError);
		await expect(directDataProducer.pause()).rejects.toBeInstanceOf(WorkerClosedError);
		expect(() => directDataProducer.send('foo')).toThrow(WorkerClosedError);
		// Argument checks still come first.
		expect(() => directDataProducer.send(1 as never)).toThrow(TypeError);
	});

	test('send() on an SCTP DataProducer throws TypeError', () => {
		expect(() => sctpDataProducer.send('foo')).toThrow(TypeError);
	});

	test.each([
		['a number message', [1]],
		['an array message', [[1, 2]]],
		['a Uint8Array message', [new Uint8Array(2)]],
		['a non integer ppid', ['foo', 51.5]],
		['a string ppid', ['foo', '51']],
		['a negative ppid', ['foo', -1]],
		['non array subchannels', ['foo', undefined, 1]],
		['non integer subchannels', ['foo', undefined, [1, 'a']]],
		['a non integer requiredSubchannel', ['foo', undefined, undefined, 1.5]],
		['a non integer ignoredSubchannel', ['foo', undefined, undefined, undefined, '2']],
	])('send() with %s throws TypeError', (_name, args) => {
		expect(() => (directDataProducer.send as (...a: unknown[]) => void)(...args)).toThrow(
			TypeError
		);
	});

	test('send() of a message bigger than maxReceiveMessageSize throws TypeError naming both sizes', () => {
		const error = thrown(() => directDataProducer.send(Buffer.alloc(1001)));

		expect(error).toBeInstanceOf(TypeError);
		expect(error.message).toContain('1001');
		expect(error.message).toContain('1000');
		expect(() => directDataProducer.send('x'.repeat(1001))).toThrow(TypeError);
		// Exactly the limit is fine.
		expect(() => directDataProducer.send(Buffer.alloc(1000))).not.toThrow();
	});
});

describe('PPID rules through DirectTransports', () => {
	test.each([
		['a non empty string', 'foo', undefined, Buffer.from('foo'), 51],
		['an empty string', '', undefined, Buffer.from(' '), 56],
		['a non empty Buffer', Buffer.from([1, 2, 3]), undefined, Buffer.from([1, 2, 3]), 53],
		['an empty Buffer', Buffer.alloc(0), undefined, Buffer.alloc(1), 57],
		['a string with ppid 1234', 'bar', 1234, Buffer.from('bar'), 1234],
		['a string with ppid 56', 'bar', 56, Buffer.from(' '), 56],
		['a Buffer with ppid 57', Buffer.from([9, 9]), 57, Buffer.alloc(1), 57],
		['a Buffer with ppid 51', Buffer.from('baz'), 51, Buffer.from('baz'), 51],
		['a UTF-8 string', 'ñ€', undefined, Buffer.from('ñ€', 'utf8'), 51],
	])('%s', async (_name, message, ppid, expectedData, expectedPpid) => {
		const dataProducer = await directTransport.produceData();
		const consumerTransport = await router.createDirectTransport();
		const dataConsumer = await consumerTransport.consumeData({
			dataProducerId: dataProducer.id,
		});
		const messages = collectMessages(dataConsumer);

		dataProducer.send(message, ppid);

		await waitFor(() => messages.length === 1);

		expect(messages[0].ppid).toBe(expectedPpid);
		expect(Buffer.isBuffer(messages[0].data)).toBe(true);
		expect(messages[0].data.equals(expectedData)).toBe(true);
	});

	test('messages arrive in order, to every DataConsumer, and not after close', async () => {
		const dataProducer = await directTransport.produceData();
		const dataConsumer1 = await directTransport.consumeData({ dataProducerId: dataProducer.id });
		const dataConsumer2 = await directTransport.consumeData({ dataProducerId: dataProducer.id });
		const messages1 = collectMessages(dataConsumer1);
		const messages2 = collectMessages(dataConsumer2);

		for (let i = 0; i < 20; ++i) {
			dataProducer.send(`message ${i}`);
		}

		await waitFor(() => messages1.length === 20 && messages2.length === 20);

		expect(messages1.map(({ data }) => data.toString())).toEqual(
			Array.from({ length: 20 }, (_, i) => `message ${i}`)
		);

		dataConsumer1.close();
		dataProducer.send('after');

		await waitFor(() => messages2.length === 21);
		await sleep(20);

		expect(messages1).toHaveLength(20);
	});

	test('a paused DataProducer drops messages', async () => {
		const dataProducer = await directTransport.produceData();
		const dataConsumer = await directTransport.consumeData({ dataProducerId: dataProducer.id });
		const messages = collectMessages(dataConsumer);

		await dataProducer.pause();
		dataProducer.send('dropped');
		await dataProducer.resume();
		dataProducer.send('delivered');

		await waitFor(() => messages.length >= 1);
		await sleep(50);

		expect(messages.map(({ data }) => data.toString())).toEqual(['delivered']);
	});
});

describe('types', () => {
	test('DataProducer and DataConsumer type names are exported', () => {
		// Compile-time check: each name must exist in the types module.
		type Exported = [
			types.DataProducerOptions,
			types.DataProducerType,
			types.DataProducerDump,
			types.DataProducerStat,
			types.DataProducerEvents,
			types.DataProducerObserver,
			types.DataProducerObserverEvents,
			types.DataProducer,
			types.DataConsumerOptions,
			types.DataConsumerType,
			types.DataConsumerDump,
			types.DataConsumerStat,
			types.DataConsumerEvents,
			types.DataConsumerObserver,
			types.DataConsumerObserverEvents,
			types.DataConsumer,
			types.SctpParameters,
			types.SctpNegotiatedCapabilities,
			types.SctpStreamParameters,
			types.SctpState,
			types.SctpListenerDump,
		];
		const count: Exported['length'] = 21;

		expect(count).toBe(21);
	});
});
