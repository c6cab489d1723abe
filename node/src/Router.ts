import type * as flatbuffers from 'flatbuffers';
import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import { NotFoundError, WorkerClosedError } from './errors';
import * as ortc from './ortc';
import type {
	PipeToRouterOptions,
	PipeToRouterResult,
	Router,
	RouterDump,
	RouterEvents,
	RouterObserver,
	RouterObserverEvents,
} from './RouterTypes';
import type { RouterRtpCodecCapability, RtpCapabilities } from './rtpParametersTypes';
import type { AppData } from './typesGeneric';
import type { Transport, TransportEvents, TransportObserver } from './TransportTypes';
import type { WebRtcTransport, WebRtcTransportOptions } from './WebRtcTransportTypes';
import type { PlainTransport, PlainTransportOptions } from './PlainTransportTypes';
import type { PipeTransport, PipeTransportOptions } from './PipeTransportTypes';
import type { DirectTransport, DirectTransportOptions } from './DirectTransportTypes';
import type { WebRtcServer } from './WebRtcServerTypes';
import type { Producer } from './ProducerTypes';
import type { DataProducer } from './DataProducerTypes';
import type { SctpParameters } from './sctpParametersTypes';
import type { RtpObserver, RtpObserverEvents, RtpObserverObserver } from './RtpObserverTypes';
import type {
	ActiveSpeakerObserver,
	ActiveSpeakerObserverOptions,
} from './ActiveSpeakerObserverTypes';
import type { AudioLevelObserver, AudioLevelObserverOptions } from './AudioLevelObserverTypes';
import type { RtpObserverInternal } from './RtpObserver';
import {
	ActiveSpeakerObserverImpl,
	normalizeActiveSpeakerObserverOptions,
	serializeCreateActiveSpeakerObserverRequest,
} from './ActiveSpeakerObserver';
import {
	AudioLevelObserverImpl,
	normalizeAudioLevelObserverOptions,
	serializeCreateAudioLevelObserverRequest,
} from './AudioLevelObserver';
import { type TransportInternal, type TransportMessageSizes } from './Transport';
import { buildSctpParameters, type NormalizedSctpOptions } from './transportOptions';
import {
	WebRtcTransportImpl,
	normalizeWebRtcTransportOptions,
	serializeCreateWebRtcTransportRequest,
	webRtcTransportDataFromDump,
} from './WebRtcTransport';
import {
	PlainTransportImpl,
	normalizePlainTransportOptions,
	plainTransportDataFromDump,
	serializeCreatePlainTransportRequest,
} from './PlainTransport';
import {
	PipeTransportImpl,
	normalizePipeTransportOptions,
	pipeTransportDataFromDump,
	serializeCreatePipeTransportRequest,
} from './PipeTransport';
import {
	DirectTransportImpl,
	checkDumpResponse as checkDirectTransportDumpResponse,
	normalizeDirectTransportOptions,
	serializeCreateDirectTransportRequest,
} from './DirectTransport';
import {
	getPipeTransportPair,
	normalizePipeToRouterOptions,
	pipeDataProducer,
	pipeProducer,
} from './pipeToRouter';
import { clone, generateUUIDv4 } from './utils';
import { readStrings } from './fbsUtils';
import { Method } from './fbs/request/method';
import { Body as RequestBody } from './fbs/request/body';
import { Body as ResponseBody } from './fbs/response/body';
import type { Response } from './fbs/response/response';
import { CloseTransportRequest as FbsCloseTransportRequest } from './fbs/router/close-transport-request';
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

export class RouterImpl<RouterAppData extends AppData = AppData>
	extends EnhancedEventEmitter<RouterEvents>
	implements Router<RouterAppData>
{
	readonly #internal: RouterInternal;
	#data: RouterData;
	readonly #channel: Channel;
	#closed = false;
	#appData: RouterAppData;
	// Transports of this Router, by id.
	readonly #transports: Map<string, AnyTransport> = new Map();
	// Producers of every transport of this Router, by id (filled by transports).
	readonly #producers: Map<string, Producer> = new Map();
	// DataProducers of every transport of this Router, by id (filled by
	// transports).
	readonly #dataProducers: Map<string, DataProducer> = new Map();
	// RtpObservers of this Router, by id.
	readonly #rtpObservers: Map<string, AnyRtpObserver> = new Map();
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

	/**
	 * Just for testing purposes.
	 */
	get transportsForTesting(): Map<string, Transport> {
		return this.#transports as Map<string, Transport>;
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

		// The worker closes them along with the Router.
		this.#closeTransports();
		this.#closeRtpObservers();
		this.#producers.clear();
		this.#dataProducers.clear();

		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	workerClosed(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('workerClosed()');

		this.#closed = true;
		this.#closeTransports();
		this.#closeRtpObservers();
		this.#producers.clear();
		this.#dataProducers.clear();

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

	async createWebRtcTransport<WebRtcTransportAppData extends AppData = AppData>(
		options: WebRtcTransportOptions<WebRtcTransportAppData>
	): Promise<WebRtcTransport<WebRtcTransportAppData>> {
		logger.debug('createWebRtcTransport()');

		this.#assertNotClosed();

		const normalized = normalizeWebRtcTransportOptions(options);

		const { webRtcServer } = normalized;

		if (webRtcServer?.closed) {
			throw new Error(`WebRtcServer closed [webRtcServerId:${webRtcServer.id}]`);
		}

		const transportId = generateUUIDv4();
		const response = await this.#createTransport(
			transportId,
			Method.ROUTER_CREATE_WEBRTCTRANSPORT,
			RequestBody.Router_CreateWebRtcTransportRequest,
			builder => serializeCreateWebRtcTransportRequest(builder, transportId, normalized)
		);
		const data = webRtcTransportDataFromDump(response);

		if (webRtcServer?.closed) {
			// It was closed while the transport was being created: the worker closed
			// the transport along with it.
			throw new Error(`WebRtcServer closed [webRtcServerId:${webRtcServer.id}]`);
		}

		const transport = new WebRtcTransportImpl<WebRtcTransportAppData>({
			internal: this.#transportInternal(transportId),
			channel: this.#channel,
			appData: normalized.appData as WebRtcTransportAppData | undefined,
			messageSizes: messageSizesOf(normalized.sctp),
			data,
			sctpParameters: sctpParametersOf(normalized.sctp, true),
		});

		this.#registerTransport(transport, webRtcServer);

		return transport;
	}

	async createPlainTransport<PlainTransportAppData extends AppData = AppData>(
		options: PlainTransportOptions<PlainTransportAppData>
	): Promise<PlainTransport<PlainTransportAppData>> {
		logger.debug('createPlainTransport()');

		this.#assertNotClosed();

		const normalized = normalizePlainTransportOptions(options);

		const transportId = generateUUIDv4();
		const response = await this.#createTransport(
			transportId,
			Method.ROUTER_CREATE_PLAINTRANSPORT,
			RequestBody.Router_CreatePlainTransportRequest,
			builder => serializeCreatePlainTransportRequest(builder, transportId, normalized)
		);
		const transport = new PlainTransportImpl<PlainTransportAppData>({
			internal: this.#transportInternal(transportId),
			channel: this.#channel,
			appData: normalized.appData as PlainTransportAppData | undefined,
			messageSizes: messageSizesOf(normalized.sctp),
			data: plainTransportDataFromDump(response),
			sctpParameters: sctpParametersOf(normalized.sctp, false),
		});

		this.#registerTransport(transport);

		return transport;
	}

	async createPipeTransport<PipeTransportAppData extends AppData = AppData>(
		options: PipeTransportOptions<PipeTransportAppData>
	): Promise<PipeTransport<PipeTransportAppData>> {
		logger.debug('createPipeTransport()');

		this.#assertNotClosed();

		const normalized = normalizePipeTransportOptions(options);

		const transportId = generateUUIDv4();
		const response = await this.#createTransport(
			transportId,
			Method.ROUTER_CREATE_PIPETRANSPORT,
			RequestBody.Router_CreatePipeTransportRequest,
			builder => serializeCreatePipeTransportRequest(builder, transportId, normalized)
		);
		const transport = new PipeTransportImpl<PipeTransportAppData>({
			internal: this.#transportInternal(transportId),
			channel: this.#channel,
			appData: normalized.appData as PipeTransportAppData | undefined,
			messageSizes: messageSizesOf(normalized.sctp),
			data: pipeTransportDataFromDump(response),
			sctpParameters: sctpParametersOf(normalized.sctp, false),
		});

		this.#registerTransport(transport);

		return transport;
	}

	async createDirectTransport<DirectTransportAppData extends AppData = AppData>(
		options?: DirectTransportOptions<DirectTransportAppData>
	): Promise<DirectTransport<DirectTransportAppData>> {
		logger.debug('createDirectTransport()');

		this.#assertNotClosed();

		const normalized = normalizeDirectTransportOptions(options);

		const transportId = generateUUIDv4();
		const response = await this.#createTransport(
			transportId,
			Method.ROUTER_CREATE_DIRECTTRANSPORT,
			RequestBody.Router_CreateDirectTransportRequest,
			builder => serializeCreateDirectTransportRequest(builder, transportId, normalized)
		);

		checkDirectTransportDumpResponse(response);

		const transport = new DirectTransportImpl<DirectTransportAppData>({
			internal: this.#transportInternal(transportId),
			channel: this.#channel,
			appData: normalized.appData as DirectTransportAppData | undefined,
			messageSizes: {
				maxSendMessageSize: normalized.maxSendMessageSize,
				maxReceiveMessageSize: normalized.maxReceiveMessageSize,
			},
		});

		this.#registerTransport(transport);

		return transport;
	}

	async pipeToRouter(options: PipeToRouterOptions): Promise<PipeToRouterResult> {
		logger.debug('pipeToRouter()');

		this.#assertNotClosed();

		const { producerId, dataProducerId, router, keepId, pipeTransportOptions } =
			normalizePipeToRouterOptions(options, this);

		let producer: Producer | undefined;
		let dataProducer: DataProducer | undefined;

		if (producerId !== undefined) {
			producer = this.#producers.get(producerId);

			if (!producer) {
				throw new NotFoundError(`Producer with id "${producerId}" not found`);
			}
		} else {
			dataProducer = this.#dataProducers.get(dataProducerId!);

			if (!dataProducer) {
				throw new NotFoundError(`DataProducer with id "${dataProducerId}" not found`);
			}
		}

		if (router.closed) {
			throw new NotFoundError(`destination Router closed [routerId:${router.id}]`);
		}

		// One pair of connected PipeTransports per two Routers, shared by
		// every pipeToRouter() between them (in both directions).
		const { localPipeTransport, remotePipeTransport } = await getPipeTransportPair(
			this,
			router,
			pipeTransportOptions
		);

		if (producer) {
			return pipeProducer({ producer, localPipeTransport, remotePipeTransport, keepId });
		} else {
			return pipeDataProducer({
				dataProducer: dataProducer!,
				localPipeTransport,
				remotePipeTransport,
				keepId,
			});
		}
	}

	async createActiveSpeakerObserver<ActiveSpeakerObserverAppData extends AppData = AppData>(
		options?: ActiveSpeakerObserverOptions<ActiveSpeakerObserverAppData>
	): Promise<ActiveSpeakerObserver<ActiveSpeakerObserverAppData>> {
		logger.debug('createActiveSpeakerObserver()');

		this.#assertNotClosed();

		const normalized = normalizeActiveSpeakerObserverOptions(options);

		const rtpObserverId = generateUUIDv4();
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = serializeCreateActiveSpeakerObserverRequest(
			builder,
			rtpObserverId,
			normalized
		);

		await this.#channel.request(
			Method.ROUTER_CREATE_ACTIVESPEAKEROBSERVER,
			RequestBody.Router_CreateActiveSpeakerObserverRequest,
			bodyOffset,
			this.id
		);

		// Closed while the request was in flight: the worker closed the
		// RtpObserver along with the Router.
		this.#assertNotClosed();

		const rtpObserver = new ActiveSpeakerObserverImpl<ActiveSpeakerObserverAppData>({
			internal: this.#rtpObserverInternal(rtpObserverId),
			channel: this.#channel,
			appData: normalized.appData as ActiveSpeakerObserverAppData | undefined,
		});

		this.#registerRtpObserver(rtpObserver);

		return rtpObserver;
	}

	async createAudioLevelObserver<AudioLevelObserverAppData extends AppData = AppData>(
		options?: AudioLevelObserverOptions<AudioLevelObserverAppData>
	): Promise<AudioLevelObserver<AudioLevelObserverAppData>> {
		logger.debug('createAudioLevelObserver()');

		this.#assertNotClosed();

		const normalized = normalizeAudioLevelObserverOptions(options);

		const rtpObserverId = generateUUIDv4();
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = serializeCreateAudioLevelObserverRequest(builder, rtpObserverId, normalized);

		await this.#channel.request(
			Method.ROUTER_CREATE_AUDIOLEVELOBSERVER,
			RequestBody.Router_CreateAudioLevelObserverRequest,
			bodyOffset,
			this.id
		);

		// Closed while the request was in flight: the worker closed the
		// RtpObserver along with the Router.
		this.#assertNotClosed();

		const rtpObserver = new AudioLevelObserverImpl<AudioLevelObserverAppData>({
			internal: this.#rtpObserverInternal(rtpObserverId),
			channel: this.#channel,
			appData: normalized.appData as AudioLevelObserverAppData | undefined,
		});

		this.#registerRtpObserver(rtpObserver);

		return rtpObserver;
	}

	/**
	 * A closed Router rejects with NotFoundError while its Worker lives, and
	 * with WorkerClosedError once the Worker is gone. Methods call it before
	 * checking their arguments: being closed is the error an app must see.
	 */
	#assertNotClosed(): void {
		if (this.#channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.#closed) {
			throw new NotFoundError(`Router closed [routerId:${this.#internal.routerId}]`);
		}
	}

	/**
	 * Asks the worker to create a transport and then for its dump, which holds
	 * the initial state (ICE/DTLS parameters, tuples, SRTP keys...). Resolves
	 * with the dump response.
	 */
	async #createTransport(
		transportId: string,
		method: Method,
		bodyType: RequestBody,
		serialize: (builder: flatbuffers.Builder) => number
	): Promise<Response> {
		const bodyOffset = serialize(this.#channel.bufferBuilder);

		await this.#channel.request(method, bodyType, bodyOffset, this.id);

		// Closed while the request was in flight: the worker closed the
		// transport along with the Router.
		this.#assertNotClosed();

		let response: Response;

		try {
			response = await this.#channel.request(
				Method.TRANSPORT_DUMP,
				undefined,
				undefined,
				transportId
			);
		} catch (error) {
			this.#closeTransportInWorker(transportId);

			throw error;
		}

		this.#assertNotClosed();

		return response;
	}

	#closeTransportInWorker(transportId: string): void {
		if (this.#closed || this.#channel.closed) {
			return;
		}

		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsCloseTransportRequest.createCloseTransportRequest(
			builder,
			builder.createString(transportId)
		);

		this.#channel
			.request(
				Method.ROUTER_CLOSE_TRANSPORT,
				RequestBody.Router_CloseTransportRequest,
				bodyOffset,
				this.id
			)
			.catch(() => {});
	}

	/**
	 * Ids and Router callbacks of a new transport: any transport of the Router
	 * can consume any Producer of the Router.
	 */
	#transportInternal(transportId: string): TransportInternal {
		return {
			routerId: this.id,
			transportId,
			getRouterRtpCapabilities: () => clone(this.#data.rtpCapabilities),
			getProducerById: (producerId: string) => this.#producers.get(producerId),
			getDataProducerById: (dataProducerId: string) => this.#dataProducers.get(dataProducerId),
		};
	}

	#registerTransport(transport: AnyTransport, webRtcServer?: WebRtcServer): void {
		this.#transports.set(transport.id, transport);

		// Whatever the reason it closes.
		transport.on('@close', () => this.#transports.delete(transport.id));

		transport.on('@newproducer', (producer: Producer) => {
			this.#producers.set(producer.id, producer);

			// Whatever the reason it closes.
			producer.on('@close', () => {
				if (this.#producers.get(producer.id) === producer) {
					this.#producers.delete(producer.id);
				}
			});
		});

		transport.on('@newdataproducer', (dataProducer: DataProducer) => {
			this.#dataProducers.set(dataProducer.id, dataProducer);

			// Whatever the reason it closes.
			dataProducer.on('@close', () => {
				if (this.#dataProducers.get(dataProducer.id) === dataProducer) {
					this.#dataProducers.delete(dataProducer.id);
				}
			});
		});

		if (webRtcServer) {
			webRtcServer.handleWebRtcTransport(transport as WebRtcTransport);
		}

		this.#observer.safeEmit('newtransport', transport as Transport);
	}

	#closeTransports(): void {
		const transports = [...this.#transports.values()];

		this.#transports.clear();

		for (const transport of transports) {
			transport.routerClosed();
		}
	}

	#rtpObserverInternal(rtpObserverId: string): RtpObserverInternal {
		return {
			routerId: this.id,
			rtpObserverId,
			getProducerById: (producerId: string) => this.#producers.get(producerId),
		};
	}

	#registerRtpObserver(rtpObserver: AnyRtpObserver): void {
		this.#rtpObservers.set(rtpObserver.id, rtpObserver);

		// Whatever the reason it closes.
		rtpObserver.on('@close', () => this.#rtpObservers.delete(rtpObserver.id));

		this.#observer.safeEmit('newrtpobserver', rtpObserver as RtpObserver);
	}

	#closeRtpObservers(): void {
		const rtpObservers = [...this.#rtpObservers.values()];

		this.#rtpObservers.clear();

		for (const rtpObserver of rtpObservers) {
			rtpObserver.routerClosed();
		}
	}
}

/**
 * Any kind of transport, whatever its events and observer.
 */
type AnyTransport = Transport<AppData, TransportEvents, TransportObserver>;

/**
 * Any kind of RtpObserver, whatever its events and observer.
 */
type AnyRtpObserver = RtpObserver<AppData, RtpObserverEvents, RtpObserverObserver>;

/**
 * SctpParameters of a new transport (undefined without SCTP).
 */
function sctpParametersOf(
	sctp: NormalizedSctpOptions,
	isDataChannel: boolean
): SctpParameters | undefined {
	return sctp.enableSctp ? buildSctpParameters(sctp, isDataChannel) : undefined;
}

function messageSizesOf(sctp: NormalizedSctpOptions): TransportMessageSizes {
	return {
		maxSendMessageSize: sctp.maxSendMessageSize,
		maxReceiveMessageSize: sctp.maxReceiveMessageSize,
	};
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
