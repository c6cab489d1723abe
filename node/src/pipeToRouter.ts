// Router.pipeToRouter(): the PipeTransport pairs between Routers and the
// pipe Consumer/Producer (or DataConsumer/DataProducer) couples that carry a
// Producer (or DataProducer) of one Router into another.

import { Logger } from './Logger';
import { NotFoundError } from './errors';
import { optionsRecord, validateOptionalBoolean } from './validation';
import { normalizePipeTransportOptions } from './PipeTransport';
import type { PipeToRouterResult, PipeTransportPair, Router } from './RouterTypes';
import type { PipeTransport, PipeTransportOptions } from './PipeTransportTypes';
import type { Producer } from './ProducerTypes';
import type { Consumer } from './ConsumerTypes';
import type { DataProducer } from './DataProducerTypes';
import type { DataConsumer } from './DataConsumerTypes';

const logger = new Logger('Router');

/**
 * Where the pipe transports listen when neither listenInfo nor listenIp is
 * given.
 */
const DEFAULT_LISTEN_INFO = { protocol: 'udp', ip: '127.0.0.1' } as const;

/**
 * Options of pipeToRouter() that are passed as they are to
 * createPipeTransport() on both sides (validated there).
 */
const PIPE_TRANSPORT_KEYS = [
	'maxSendMessageSize',
	'maxReceiveMessageSize',
	'sctpSendBufferSize',
	'sctpPerStreamSendQueueLimit',
	'sctpMaxReceiverWindowBufferSize',
	'sctpDefaultStreamBufferedAmountLowThreshold',
	'enableRtx',
	'enableSrtp',
] as const;

/**
 * pipeToRouter() options once validated.
 */
export type NormalizedPipeToRouterOptions = {
	producerId?: string;
	dataProducerId?: string;
	router: Router;
	keepId: boolean;
	// For createPipeTransport() on both Routers, when the pair is created.
	pipeTransportOptions: PipeTransportOptions;
};

/**
 * The local checks of pipeToRouter() (all TypeError), so that nothing is
 * created with bad options. `self` is the Router whose method was called.
 */
export function normalizePipeToRouterOptions(
	options: unknown,
	self: Router
): NormalizedPipeToRouterOptions {
	const o = optionsRecord(options);
	const { listenInfo, listenIp, router, keepId } = o;

	if (listenInfo !== undefined && listenIp !== undefined) {
		throw new TypeError('only one of listenInfo and listenIp must be given');
	}

	const producerId = optionalId(o.producerId, 'producerId');
	const dataProducerId = optionalId(o.dataProducerId, 'dataProducerId');

	if (producerId === undefined && dataProducerId === undefined) {
		throw new TypeError('missing producerId or dataProducerId');
	}

	if (producerId !== undefined && dataProducerId !== undefined) {
		throw new TypeError('just one of producerId and dataProducerId must be given');
	}

	if (!router || typeof router !== 'object') {
		throw new TypeError('missing router');
	}

	if (router === self) {
		throw new TypeError('cannot pipe to this same Router');
	}

	validateOptionalBoolean(keepId, 'keepId');

	const pipeTransportOptions: Record<string, unknown> = {
		enableSctp: o.enableSctp ?? true,
	};

	if (listenIp !== undefined) {
		pipeTransportOptions.listenIp = listenIp;
	} else {
		pipeTransportOptions.listenInfo = listenInfo ?? { ...DEFAULT_LISTEN_INFO };
	}

	for (const key of PIPE_TRANSPORT_KEYS) {
		if (o[key] !== undefined) {
			pipeTransportOptions[key] = o[key];
		}
	}

	// Only for its TypeErrors: each Router normalises them again.
	normalizePipeTransportOptions(pipeTransportOptions);

	return {
		producerId,
		dataProducerId,
		router: router as Router,
		keepId: keepId !== false,
		pipeTransportOptions: pipeTransportOptions as PipeTransportOptions,
	};
}

/**
 * A Producer or DataProducer id option: absent (undefined, null or '') or a
 * string.
 */
function optionalId(value: unknown, field: string): string | undefined {
	if (value === undefined || value === null || value === '') {
		return undefined;
	}

	if (typeof value !== 'string') {
		throw new TypeError(`${field} must be a string`);
	}

	return value;
}

/**
 * The connected PipeTransport pair of every two Routers, keyed by both ids
 * (in id order, so that A.pipeToRouter({ router: B }) and
 * B.pipeToRouter({ router: A }) share it). A pair being created is here as
 * well: concurrent calls wait for it rather than create another one. An
 * entry goes away when its creation fails or when one of its transports
 * closes (a Router closing closes its transports).
 */
const pipeTransportPairs: Map<string, Promise<PipeTransportPair>> = new Map();

function pairKey(routerA: Router, routerB: Router): string {
	return routerA.id < routerB.id ? `${routerA.id}/${routerB.id}` : `${routerB.id}/${routerA.id}`;
}

/**
 * The PipeTransports between `local` and `remote`: the cached pair or a new
 * one created with `options` (the options of a later call are not applied
 * to an existing pair).
 */
export async function getPipeTransportPair(
	local: Router,
	remote: Router,
	options: PipeTransportOptions
): Promise<{ localPipeTransport: PipeTransport; remotePipeTransport: PipeTransport }> {
	const key = pairKey(local, remote);
	let promise = pipeTransportPairs.get(key);

	if (!promise) {
		logger.debug(`pipeToRouter() | creating a PipeTransport pair [key:${key}]`);

		const drop = (): void => {
			if (pipeTransportPairs.get(key) === promise) {
				pipeTransportPairs.delete(key);
			}
		};

		promise = createPipeTransportPair(local, remote, options, drop);
		pipeTransportPairs.set(key, promise);
		// The rejection itself reaches every caller waiting for it.
		promise.catch(drop);
	}

	const pair = await promise;

	return { localPipeTransport: pair[local.id], remotePipeTransport: pair[remote.id] };
}

/**
 * Creates a PipeTransport in each Router and connects each to the other's
 * tuple and SRTP parameters. From then on, closing either closes the other
 * and calls `onClose()`. On failure whatever was created is closed.
 */
async function createPipeTransportPair(
	local: Router,
	remote: Router,
	options: PipeTransportOptions,
	onClose: () => void
): Promise<PipeTransportPair> {
	const results = await Promise.allSettled([
		local.createPipeTransport(options),
		remote.createPipeTransport(options),
	]);
	const failure = results.find(result => result.status === 'rejected');

	if (failure) {
		for (const result of results) {
			if (result.status === 'fulfilled') {
				result.value.close();
			}
		}

		throw failure.reason;
	}

	const [localPipeTransport, remotePipeTransport] = results.map(
		result => (result as PromiseFulfilledResult<PipeTransport>).value
	);

	localPipeTransport.observer.once('close', () => {
		remotePipeTransport.close();
		onClose();
	});
	remotePipeTransport.observer.once('close', () => {
		localPipeTransport.close();
		onClose();
	});

	try {
		await Promise.all([
			localPipeTransport.connect({
				ip: remotePipeTransport.tuple.localAddress,
				port: remotePipeTransport.tuple.localPort,
				srtpParameters: remotePipeTransport.srtpParameters,
			}),
			remotePipeTransport.connect({
				ip: localPipeTransport.tuple.localAddress,
				port: localPipeTransport.tuple.localPort,
				srtpParameters: localPipeTransport.srtpParameters,
			}),
		]);
	} catch (error) {
		// Both: one of them may have closed (its Router did) before the links
		// above were set.
		localPipeTransport.close();
		remotePipeTransport.close();

		throw error;
	}

	return {
		[local.id]: localPipeTransport,
		[remote.id]: remotePipeTransport,
	};
}

/**
 * Consumes `producer` on the local pipe transport and produces the same
 * stream on the remote one; links pause, resume and close of the two.
 */
export async function pipeProducer({
	producer,
	localPipeTransport,
	remotePipeTransport,
	keepId,
}: {
	producer: Producer;
	localPipeTransport: PipeTransport;
	remotePipeTransport: PipeTransport;
	keepId: boolean;
}): Promise<PipeToRouterResult> {
	let pipeConsumer: Consumer | undefined;
	let pipeProducer: Producer | undefined;

	try {
		pipeConsumer = await localPipeTransport.consume({ producerId: producer.id });
		pipeProducer = await remotePipeTransport.produce({
			id: keepId ? producer.id : undefined,
			kind: pipeConsumer.kind,
			rtpParameters: pipeConsumer.rtpParameters,
			paused: pipeConsumer.producerPaused,
			appData: producer.appData,
		});

		// The Producer may have closed while the pipe Producer was being
		// created (its close already reached the pipe Consumer, unlinked yet).
		if (producer.closed || pipeConsumer.closed) {
			throw new NotFoundError(`original Producer closed [producerId:${producer.id}]`);
		}

		linkPipeConsumerAndProducer(pipeConsumer, pipeProducer);

		// It may have been paused or resumed meanwhile too.
		const paused = pipeConsumer.paused || pipeConsumer.producerPaused;

		if (paused && !pipeProducer.paused) {
			await pipeProducer.pause();
		} else if (!paused && pipeProducer.paused) {
			await pipeProducer.resume();
		}

		return { pipeConsumer, pipeProducer };
	} catch (error) {
		logger.error(`pipeToRouter() | failed piping the Producer: ${error}`);

		pipeConsumer?.close();
		pipeProducer?.close();

		throw error;
	}
}

function linkPipeConsumerAndProducer(pipeConsumer: Consumer, pipeProducer: Producer): void {
	// Whatever the reason it closes (its Producer or transport closed...).
	pipeConsumer.observer.once('close', () => pipeProducer.close());
	// Effective pause state: its Producer's pause, or its own.
	pipeConsumer.observer.on('pause', () => {
		pipeProducer.pause().catch(() => {});
	});
	pipeConsumer.observer.on('resume', () => {
		pipeProducer.resume().catch(() => {});
	});

	pipeProducer.observer.once('close', () => pipeConsumer.close());
}

/**
 * Consumes `dataProducer` on the local pipe transport and produces the same
 * SCTP stream on the remote one; links the close of the two.
 */
export async function pipeDataProducer({
	dataProducer,
	localPipeTransport,
	remotePipeTransport,
	keepId,
}: {
	dataProducer: DataProducer;
	localPipeTransport: PipeTransport;
	remotePipeTransport: PipeTransport;
	keepId: boolean;
}): Promise<PipeToRouterResult> {
	let pipeDataConsumer: DataConsumer | undefined;
	let pipeDataProducer: DataProducer | undefined;

	try {
		pipeDataConsumer = await localPipeTransport.consumeData({
			dataProducerId: dataProducer.id,
		});
		pipeDataProducer = await remotePipeTransport.produceData({
			id: keepId ? dataProducer.id : undefined,
			sctpStreamParameters: pipeDataConsumer.sctpStreamParameters,
			label: pipeDataConsumer.label,
			protocol: pipeDataConsumer.protocol,
			appData: dataProducer.appData,
		});

		if (dataProducer.closed || pipeDataConsumer.closed) {
			throw new NotFoundError(`original DataProducer closed [dataProducerId:${dataProducer.id}]`);
		}

		const consumer = pipeDataConsumer;
		const producer = pipeDataProducer;

		consumer.observer.once('close', () => producer.close());
		producer.observer.once('close', () => consumer.close());

		return { pipeDataConsumer, pipeDataProducer };
	} catch (error) {
		logger.error(`pipeToRouter() | failed piping the DataProducer: ${error}`);

		pipeDataConsumer?.close();
		pipeDataProducer?.close();

		throw error;
	}
}
