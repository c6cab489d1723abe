import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import { NotFoundError, UnsupportedError, WorkerClosedError } from './errors';
import * as ortc from './ortc';
import type {
	Router,
	RouterDump,
	RouterEvents,
	RouterObserver,
	RouterObserverEvents,
} from './RouterTypes';
import type {
	RouterRtpCodecCapability,
	RtpCapabilities,
	RtpParameters,
} from './rtpParametersTypes';
import type { AppData } from './typesGeneric';
import { clone } from './utils';
import { readStrings } from './fbsUtils';
import { Method } from './fbs/request/method';
import { Body as RequestBody } from './fbs/request/body';
import { Body as ResponseBody } from './fbs/response/body';
import { CloseRouterRequest as FbsCloseRouterRequest } from './fbs/worker/close-router-request';
import { DumpResponse as FbsRouterDumpResponse } from './fbs/router/dump-response';
import type { StringString } from './fbs/common/string-string';
import type { StringStringArray } from './fbs/common/string-string-array';

const logger = new Logger('Router');

type RouterInternal = {
	routerId: string;
};

type RouterData = {
	rtpCapabilities: RtpCapabilities;
};

/**
 * What a Router needs to know of a Producer to answer canConsume().
 */
export type RouterProducerInfo = {
	consumableRtpParameters: RtpParameters;
};

export class RouterImpl<RouterAppData extends AppData = AppData>
	extends EnhancedEventEmitter<RouterEvents>
	implements Router<RouterAppData>
{
	readonly #internal: RouterInternal;
	#data: RouterData;
	readonly #channel: Channel;
	#closed = false;
	#appData: RouterAppData;
	// Producers of every transport of this Router, by id (filled by transports).
	readonly #producers: Map<string, RouterProducerInfo> = new Map();
	readonly #observer: RouterObserver = new EnhancedEventEmitter<RouterObserverEvents>();

	constructor({
		internal,
		data,
		channel,
		appData,
	}: {
		internal: RouterInternal;
		data: RouterData;
		channel: Channel;
		appData?: RouterAppData;
	}) {
		super();

		logger.debug('constructor()');

		this.#internal = internal;
		this.#data = data;
		this.#channel = channel;
		this.#appData = appData || ({} as RouterAppData);
	}

	get id(): string {
		return this.#internal.routerId;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get rtpCapabilities(): RtpCapabilities {
		return clone(this.#data.rtpCapabilities);
	}

	get appData(): RouterAppData {
		return this.#appData;
	}

	set appData(appData: RouterAppData) {
		this.#appData = appData;
	}

	get observer(): RouterObserver {
		return this.#observer;
	}

	close(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('close()');

		this.#closed = true;

		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsCloseRouterRequest.createCloseRouterRequest(
			builder,
			builder.createString(this.#internal.routerId)
		);

		this.#channel
			.request(Method.WORKER_CLOSE_ROUTER, RequestBody.Worker_CloseRouterRequest, bodyOffset)
			.catch(() => {});

		this.#producers.clear();

		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	workerClosed(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('workerClosed()');

		this.#closed = true;
		this.#producers.clear();

		this.safeEmit('workerclose');
		this.#observer.safeEmit('close');
	}

	async dump(): Promise<RouterDump> {
		logger.debug('dump()');

		this.#assertNotClosed();

		const response = await this.#channel.request(
			Method.ROUTER_DUMP,
			undefined,
			undefined,
			this.#internal.routerId
		);

		if (response.bodyType() !== ResponseBody.Router_DumpResponse) {
			throw new Error('unexpected response body to Router dump()');
		}

		const body = new FbsRouterDumpResponse();

		response.body(body);

		return {
			id: body.id()!,
			transportIds: readStrings(i => body.transportIds(i), body.transportIdsLength()),
			rtpObserverIds: readStrings(i => body.rtpObserverIds(i), body.rtpObserverIdsLength()),
			mapProducerIdConsumerIds: readArrays(
				i => body.mapProducerIdConsumerIds(i),
				body.mapProducerIdConsumerIdsLength()
			),
			mapConsumerIdProducerId: readPairs(
				i => body.mapConsumerIdProducerId(i),
				body.mapConsumerIdProducerIdLength()
			),
			mapProducerIdObserverIds: readArrays(
				i => body.mapProducerIdObserverIds(i),
				body.mapProducerIdObserverIdsLength()
			),
			mapDataProducerIdDataConsumerIds: readArrays(
				i => body.mapDataProducerIdDataConsumerIds(i),
				body.mapDataProducerIdDataConsumerIdsLength()
			),
			mapDataConsumerIdDataProducerId: readPairs(
				i => body.mapDataConsumerIdDataProducerId(i),
				body.mapDataConsumerIdDataProducerIdLength()
			),
		};
	}

	canConsume({
		producerId,
		rtpCapabilities,
	}: {
		producerId: string;
		rtpCapabilities: RtpCapabilities;
	}): boolean {
		const producer = this.#producers.get(producerId);

		if (!producer) {
			logger.error(`canConsume() | Producer with id "${producerId}" not found`);

			return false;
		}

		try {
			return ortc.canConsume(producer.consumableRtpParameters, clone(rtpCapabilities));
		} catch (error) {
			logger.error(`canConsume() | unexpected error: ${error}`);

			return false;
		}
	}

	updateMediaCodecs(mediaCodecs: RouterRtpCodecCapability[]): void {
		logger.debug('updateMediaCodecs()');

		if (mediaCodecs !== undefined && !Array.isArray(mediaCodecs)) {
			throw new TypeError('mediaCodecs must be an array');
		}

		// Same rules as createRouter(): no codecs means none. This may throw.
		const rtpCapabilities = ortc.generateRouterRtpCapabilities(clone(mediaCodecs ?? []));

		this.#data = { ...this.#data, rtpCapabilities };
	}

	async createWebRtcTransport(): Promise<never> {
		return this.#notImplemented('createWebRtcTransport');
	}

	async createPlainTransport(): Promise<never> {
		return this.#notImplemented('createPlainTransport');
	}

	async createPipeTransport(): Promise<never> {
		return this.#notImplemented('createPipeTransport');
	}

	async createDirectTransport(): Promise<never> {
		return this.#notImplemented('createDirectTransport');
	}

	async pipeToRouter(): Promise<never> {
		return this.#notImplemented('pipeToRouter');
	}

	async createActiveSpeakerObserver(): Promise<never> {
		return this.#notImplemented('createActiveSpeakerObserver');
	}

	async createAudioLevelObserver(): Promise<never> {
		return this.#notImplemented('createAudioLevelObserver');
	}

	/**
	 * A closed Router rejects with NotFoundError while its Worker lives, and
	 * with WorkerClosedError once the Worker is gone.
	 */
	#assertNotClosed(): void {
		if (this.#channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.#closed) {
			throw new NotFoundError(`Router closed [routerId:${this.#internal.routerId}]`);
		}
	}

	#notImplemented(method: string): never {
		this.#assertNotClosed();

		throw new UnsupportedError(`${method}() is not implemented yet`);
	}
}

function readPairs(
	get: (i: number) => StringString | null,
	length: number
): { key: string; value: string }[] {
	const pairs: { key: string; value: string }[] = [];

	for (let i = 0; i < length; ++i) {
		const pair = get(i)!;

		pairs.push({ key: pair.key()!, value: pair.value()! });
	}

	return pairs;
}

function readArrays(
	get: (i: number) => StringStringArray | null,
	length: number
): { key: string; values: string[] }[] {
	const arrays: { key: string; values: string[] }[] = [];

	for (let i = 0; i < length; ++i) {
		const entry = get(i)!;

		arrays.push({
			key: entry.key()!,
			values: readStrings(j => entry.values(j), entry.valuesLength()),
		});
	}

	return arrays;
}
