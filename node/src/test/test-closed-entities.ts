import * as mediasoup from '../';
import type {
	ActiveSpeakerObserver,
	AudioLevelObserver,
	Consumer,
	DataConsumer,
	DataProducer,
	DirectTransport,
	PipeTransport,
	PlainTransport,
	Producer,
	Router,
	RtpParameters,
	WebRtcServer,
	WebRtcTransport,
	Worker,
} from '../types';
import { routerMediaCodecs } from './fixtures/browserRtpCapabilities';

const { WorkerClosedError, NotFoundError } = mediasoup.errors;

/**
 * Issue 10: a closed entity rejects with its closed error (NotFoundError, or
 * WorkerClosedError once the Worker is gone) even when the arguments are
 * also wrong. Every call below has bad arguments where the method takes any.
 */

type Entities = {
	worker: Worker;
	webRtcServer: WebRtcServer;
	router: Router;
	webRtcTransport: WebRtcTransport;
	plainTransport: PlainTransport;
	pipeTransport: PipeTransport;
	directTransport: DirectTransport;
	producer: Producer;
	consumer: Consumer;
	dataProducer: DataProducer;
	dataConsumer: DataConsumer;
	activeSpeakerObserver: ActiveSpeakerObserver;
	audioLevelObserver: AudioLevelObserver;
};

type Row = [name: string, call: (e: Entities) => Promise<unknown>];

// Cast helper: the calls are wrong on purpose.
const bad = (value: unknown): never => value as never;

function transportRows(kind: 'webRtcTransport' | 'plainTransport' | 'pipeTransport'): Row[] {
	return [
		[`${kind}.dump()`, e => e[kind].dump()],
		[`${kind}.getStats()`, e => e[kind].getStats()],
		[`${kind}.connect()`, e => e[kind].connect(bad({ ip: 42, port: -1, dtlsParameters: 'x' }))],
		[`${kind}.setMaxIncomingBitrate()`, e => e[kind].setMaxIncomingBitrate(-1)],
		[`${kind}.setMaxOutgoingBitrate()`, e => e[kind].setMaxOutgoingBitrate(bad('x'))],
		[`${kind}.setMinOutgoingBitrate()`, e => e[kind].setMinOutgoingBitrate(NaN)],
		[`${kind}.enableTraceEvent()`, e => e[kind].enableTraceEvent(bad('bwe'))],
		[`${kind}.produce()`, e => e[kind].produce(bad({ kind: 'text' }))],
		[`${kind}.consume()`, e => e[kind].consume(bad({}))],
		[`${kind}.produceData()`, e => e[kind].produceData(bad({ label: 42 }))],
		[`${kind}.consumeData()`, e => e[kind].consumeData(bad({}))],
	];
}

function rtpObserverRows(kind: 'activeSpeakerObserver' | 'audioLevelObserver'): Row[] {
	return [
		[`${kind}.pause()`, e => e[kind].pause()],
		[`${kind}.resume()`, e => e[kind].resume()],
		[`${kind}.addProducer()`, e => e[kind].addProducer(bad({}))],
		[`${kind}.removeProducer()`, e => e[kind].removeProducer(bad(null))],
	];
}

/**
 * Every async method of every entity below the Worker.
 */
const ENTITY_ROWS: Row[] = [
	['webRtcServer.dump()', e => e.webRtcServer.dump()],
	['router.dump()', e => e.router.dump()],
	['router.createWebRtcTransport()', e => e.router.createWebRtcTransport(bad({}))],
	['router.createPlainTransport()', e => e.router.createPlainTransport(bad({}))],
	['router.createPipeTransport()', e => e.router.createPipeTransport(bad({}))],
	[
		'router.createDirectTransport()',
		e => e.router.createDirectTransport(bad({ maxMessageSize: -1 })),
	],
	['router.pipeToRouter()', e => e.router.pipeToRouter(bad({}))],
	[
		'router.createActiveSpeakerObserver()',
		e => e.router.createActiveSpeakerObserver(bad({ interval: 'x' })),
	],
	[
		'router.createAudioLevelObserver()',
		e => e.router.createAudioLevelObserver(bad({ maxEntries: 0 })),
	],
	...transportRows('webRtcTransport'),
	['webRtcTransport.restartIce()', e => e.webRtcTransport.restartIce()],
	...transportRows('plainTransport'),
	...transportRows('pipeTransport'),
	['directTransport.dump()', e => e.directTransport.dump()],
	['directTransport.getStats()', e => e.directTransport.getStats()],
	['directTransport.setMaxIncomingBitrate()', e => e.directTransport.setMaxIncomingBitrate(-1)],
	['directTransport.setMaxOutgoingBitrate()', e => e.directTransport.setMaxOutgoingBitrate(-1)],
	['directTransport.setMinOutgoingBitrate()', e => e.directTransport.setMinOutgoingBitrate(-1)],
	['directTransport.enableTraceEvent()', e => e.directTransport.enableTraceEvent(bad([1]))],
	['directTransport.produce()', e => e.directTransport.produce(bad(null))],
	['directTransport.consume()', e => e.directTransport.consume(bad({ producerId: 1 }))],
	['directTransport.produceData()', e => e.directTransport.produceData(bad({ id: 1 }))],
	['directTransport.consumeData()', e => e.directTransport.consumeData(bad({}))],
	['producer.dump()', e => e.producer.dump()],
	['producer.getStats()', e => e.producer.getStats()],
	['producer.pause()', e => e.producer.pause()],
	['producer.resume()', e => e.producer.resume()],
	['producer.enableTraceEvent()', e => e.producer.enableTraceEvent(bad('rtp'))],
	['consumer.dump()', e => e.consumer.dump()],
	['consumer.getStats()', e => e.consumer.getStats()],
	['consumer.pause()', e => e.consumer.pause()],
	['consumer.resume()', e => e.consumer.resume()],
	['consumer.setPreferredLayers()', e => e.consumer.setPreferredLayers(bad(null))],
	['consumer.setPriority()', e => e.consumer.setPriority(-1)],
	['consumer.unsetPriority()', e => e.consumer.unsetPriority()],
	['consumer.requestKeyFrame()', e => e.consumer.requestKeyFrame()],
	['consumer.enableTraceEvent()', e => e.consumer.enableTraceEvent(bad('rtp'))],
	['dataProducer.dump()', e => e.dataProducer.dump()],
	['dataProducer.getStats()', e => e.dataProducer.getStats()],
	['dataProducer.pause()', e => e.dataProducer.pause()],
	['dataProducer.resume()', e => e.dataProducer.resume()],
	['dataConsumer.dump()', e => e.dataConsumer.dump()],
	['dataConsumer.getStats()', e => e.dataConsumer.getStats()],
	['dataConsumer.pause()', e => e.dataConsumer.pause()],
	['dataConsumer.resume()', e => e.dataConsumer.resume()],
	[
		'dataConsumer.setBufferedAmountLowThreshold()',
		e => e.dataConsumer.setBufferedAmountLowThreshold(-1),
	],
	['dataConsumer.getBufferedAmount()', e => e.dataConsumer.getBufferedAmount()],
	['dataConsumer.send()', e => e.dataConsumer.send(bad(42))],
	['dataConsumer.setSubchannels()', e => e.dataConsumer.setSubchannels(bad('x'))],
	['dataConsumer.addSubchannel()', e => e.dataConsumer.addSubchannel(bad('x'))],
	['dataConsumer.removeSubchannel()', e => e.dataConsumer.removeSubchannel(bad('x'))],
	...rtpObserverRows('activeSpeakerObserver'),
	...rtpObserverRows('audioLevelObserver'),
];

const WORKER_ROWS: Row[] = [
	['worker.dump()', e => e.worker.dump()],
	['worker.getResourceUsage()', e => e.worker.getResourceUsage()],
	['worker.updateSettings()', e => e.worker.updateSettings(bad({ logLevel: 'loud' }))],
	['worker.updateSettings(null)', e => e.worker.updateSettings(bad(null))],
	['worker.createWebRtcServer()', e => e.worker.createWebRtcServer(bad({}))],
	['worker.createRouter()', e => e.worker.createRouter(bad({ mediaCodecs: 'opus' }))],
	['worker.createRouter(null)', e => e.worker.createRouter(bad(null))],
];

function opusRtpParameters(ssrc: number): RtpParameters {
	return {
		codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
		encodings: [{ ssrc }],
	};
}

let entities: Entities;

beforeEach(async () => {
	const worker = await mediasoup.createWorker();
	const webRtcServer = await worker.createWebRtcServer({
		listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
	});
	const router = await worker.createRouter({ mediaCodecs: routerMediaCodecs() });
	const listenInfo = { protocol: 'udp' as const, ip: '127.0.0.1' };
	const webRtcTransport = await router.createWebRtcTransport({ webRtcServer, enableSctp: true });
	const plainTransport = await router.createPlainTransport({ listenInfo, enableSctp: true });
	const pipeTransport = await router.createPipeTransport({ listenInfo, enableSctp: true });
	const directTransport = await router.createDirectTransport();
	const producer = await plainTransport.produce({
		kind: 'audio',
		rtpParameters: opusRtpParameters(11111111),
	});
	const consumer = await plainTransport.consume({
		producerId: producer.id,
		rtpCapabilities: router.rtpCapabilities,
	});
	const dataProducer = await directTransport.produceData();
	const dataConsumer = await directTransport.consumeData({ dataProducerId: dataProducer.id });
	const activeSpeakerObserver = await router.createActiveSpeakerObserver();
	const audioLevelObserver = await router.createAudioLevelObserver();

	entities = {
		worker,
		webRtcServer,
		router,
		webRtcTransport,
		plainTransport,
		pipeTransport,
		directTransport,
		producer,
		consumer,
		dataProducer,
		dataConsumer,
		activeSpeakerObserver,
		audioLevelObserver,
	};
});

afterEach(() => {
	entities.worker.close();
});

/**
 * The rows whose call does not reject with an instance of errorClass, with
 * what they did instead.
 */
async function mismatches(
	rows: Row[],
	errorClass: new (message: string) => Error
): Promise<string[]> {
	const wrong: string[] = [];

	for (const [name, call] of rows) {
		const outcome: unknown = await call(entities).then(
			() => 'resolved',
			(error: unknown) => error
		);

		if (!(outcome instanceof errorClass)) {
			wrong.push(
				`${name}: ${outcome instanceof Error ? `${outcome.name} ${outcome.message}` : String(outcome)}`
			);
		}
	}

	return wrong;
}

test('methods of closed entities reject NotFoundError before checking their arguments', async () => {
	const { worker, router, webRtcServer } = entities;

	// Closes every other entity along with them.
	router.close();
	webRtcServer.close();

	await expect(mismatches(ENTITY_ROWS, NotFoundError)).resolves.toEqual([]);

	// The Worker is alive.
	await expect(worker.dump()).resolves.toMatchObject({ routerIds: [] });
});

test('methods of the Worker and every entity reject WorkerClosedError once the Worker closed', async () => {
	entities.worker.close();

	await expect(mismatches([...WORKER_ROWS, ...ENTITY_ROWS], WorkerClosedError)).resolves.toEqual(
		[]
	);
});

test('a closed DirectTransport connect() still resolves (it is a no-op)', async () => {
	entities.directTransport.close();

	await expect(entities.directTransport.connect()).resolves.toBeUndefined();
});

test('sync senders: TypeError for bad arguments, WorkerClosedError once the Worker closed', async () => {
	const { worker, directTransport, dataProducer } = entities;
	const directProducer = await directTransport.produce({
		kind: 'audio',
		rtpParameters: opusRtpParameters(22222222),
	});
	const rtp = Buffer.alloc(20);

	// A closed sender (Worker alive) drops what it is given.
	directProducer.close();
	dataProducer.close();

	expect(() => directProducer.send(rtp)).not.toThrow();
	expect(() => dataProducer.send('hi')).not.toThrow();

	worker.close();

	expect(() => directProducer.send(rtp)).toThrow(WorkerClosedError);
	expect(() => dataProducer.send('hi')).toThrow(WorkerClosedError);
	expect(() => directTransport.sendRtcp(rtp)).toThrow(WorkerClosedError);

	expect(() => directProducer.send(bad('x'))).toThrow(TypeError);
	expect(() => dataProducer.send(bad(42))).toThrow(TypeError);
	expect(() => directTransport.sendRtcp(bad('x'))).toThrow(TypeError);
});
