import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import { NotFoundError, WorkerClosedError } from './errors';
import type {
	Consumer,
	ConsumerDump,
	ConsumerEvents,
	ConsumerLayers,
	ConsumerObserver,
	ConsumerObserverEvents,
	ConsumerScore,
	ConsumerStat,
	ConsumerTraceEventType,
	ConsumerType,
} from './ConsumerTypes';
import type { ProducerStat } from './ProducerTypes';
import type { MediaKind, RtpParameters } from './rtpParametersTypes';
import type { AppData } from './typesGeneric';
import { clone } from './utils';
import { PauseState } from './pauseState';
import {
	addOptionalScalar,
	parseMediaKind,
	parseRtpEncodingParameters,
	parseRtpParameters,
	readVector,
} from './rtpParametersFbs';
import type * as flatbuffers from 'flatbuffers';
import { Method } from './fbs/request/method';
import { SetPreferredLayersRequest as FbsSetPreferredLayersRequest } from './fbs/consumer/set-preferred-layers-request';
import { SetPreferredLayersResponse as FbsSetPreferredLayersResponse } from './fbs/consumer/set-preferred-layers-response';
import { TraceNotification as FbsTraceNotification } from './fbs/trace/trace-notification';
import { parseTraceEventData, serializeEnableTraceEventRequest } from './traceEventsFbs';
import { Body as RequestBody } from './fbs/request/body';
import { Body as ResponseBody } from './fbs/response/body';
import type { Notification } from './fbs/notification/notification';
import { Event } from './fbs/notification/event';
import { PacketData as FbsPacketData } from './fbs/notification/packet-data';
import { CloseConsumerRequest as FbsCloseConsumerRequest } from './fbs/transport/close-consumer-request';
import { Type as FbsConsumerType } from './fbs/consumer/type';
import { ConsumerLayers as FbsConsumerLayers } from './fbs/consumer/consumer-layers';
import type { ConsumerScore as FbsConsumerScore } from './fbs/consumer/consumer-score';
import { DumpResponse as FbsDumpResponse } from './fbs/consumer/dump-response';
import { GetStatsResponse as FbsGetStatsResponse } from './fbs/consumer/get-stats-response';
import type { SendStreamStats as FbsSendStreamStats } from './fbs/consumer/send-stream-stats';
import { SetPriorityRequest as FbsSetPriorityRequest } from './fbs/consumer/set-priority-request';
import { SetPriorityResponse as FbsSetPriorityResponse } from './fbs/consumer/set-priority-response';
import { ScoreNotification as FbsScoreNotification } from './fbs/consumer/score-notification';
import { LayersChangeNotification as FbsLayersChangeNotification } from './fbs/consumer/layers-change-notification';

const logger = new Logger('Consumer');

/**
 * Trace event types a Consumer knows, in the order dumps list them.
 */
const CONSUMER_TRACE_EVENT_TYPES: readonly ConsumerTraceEventType[] = [
	'rtp',
	'keyframe',
	'nack',
	'pli',
	'fir',
];

const MAX_PRIORITY = 255;

export type ConsumerInternal = {
	routerId: string;
	transportId: string;
	consumerId: string;
};

export type ConsumerData = {
	producerId: string;
	kind: MediaKind;
	rtpParameters: RtpParameters;
	type: ConsumerType;
};

export class ConsumerImpl<ConsumerAppData extends AppData = AppData>
	extends EnhancedEventEmitter<ConsumerEvents>
	implements Consumer<ConsumerAppData>
{
	readonly #internal: ConsumerInternal;
	readonly #data: ConsumerData;
	readonly #channel: Channel;
	#closed = false;
	#appData: ConsumerAppData;
	readonly #pauseState: PauseState;
	#producerPaused: boolean;
	#priority = 1;
	#score: ConsumerScore;
	#preferredLayers?: ConsumerLayers;
	#currentLayers?: ConsumerLayers;
	// Trace event types enabled by enableTraceEvent(). The worker has no trace
	// notifications yet, so they are only kept here (and reported by dump()).
	#traceEventTypes: Set<ConsumerTraceEventType> = new Set();
	readonly #observer: ConsumerObserver = new EnhancedEventEmitter<ConsumerObserverEvents>();

	constructor({
		internal,
		data,
		channel,
		appData,
		paused,
		producerPaused,
		score = { score: 10, producerScore: 10, producerScores: [] },
		preferredLayers,
	}: {
		internal: ConsumerInternal;
		data: ConsumerData;
		channel: Channel;
		appData?: ConsumerAppData;
		paused: boolean;
		producerPaused: boolean;
		score?: ConsumerScore;
		preferredLayers?: ConsumerLayers;
	}) {
		super();

		logger.debug('constructor()');

		this.#internal = internal;
		this.#data = data;
		this.#channel = channel;
		this.#appData = appData || ({} as ConsumerAppData);
		this.#pauseState = new PauseState({
			paused,
			request: async toPause =>
				this.#channel.request(
					toPause ? Method.CONSUMER_PAUSE : Method.CONSUMER_RESUME,
					undefined,
					undefined,
					this.#internal.consumerId
				),
			onChange: nowPaused => {
				if (!this.#closed && !this.#producerPaused) {
					this.#observer.safeEmit(nowPaused ? 'pause' : 'resume');
				}
			},
		});
		this.#producerPaused = producerPaused;
		this.#score = score;
		this.#preferredLayers = preferredLayers;

		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});

		this.#handleWorkerNotifications();
	}

	get id(): string {
		return this.#internal.consumerId;
	}

	get producerId(): string {
		return this.#data.producerId;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get kind(): MediaKind {
		return this.#data.kind;
	}

	get rtpParameters(): RtpParameters {
		return clone(this.#data.rtpParameters);
	}

	get type(): ConsumerType {
		return this.#data.type;
	}

	get paused(): boolean {
		return this.#pauseState.paused;
	}

	get producerPaused(): boolean {
		return this.#producerPaused;
	}

	get priority(): number {
		return this.#priority;
	}

	get score(): ConsumerScore {
		return clone(this.#score);
	}

	get preferredLayers(): ConsumerLayers | undefined {
		return clone(this.#preferredLayers);
	}

	get currentLayers(): ConsumerLayers | undefined {
		return clone(this.#currentLayers);
	}

	get appData(): ConsumerAppData {
		return this.#appData;
	}

	set appData(appData: ConsumerAppData) {
		this.#appData = appData;
	}

	get observer(): ConsumerObserver {
		return this.#observer;
	}

	/**
	 * Just for testing purposes.
	 */
	get channelForTesting(): Channel {
		return this.#channel;
	}

	close(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('close()');

		this.#setClosed();

		// Fire and forget: a closed transport or a dead worker make it fail, and
		// either way the Consumer is gone there.
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsCloseConsumerRequest.createCloseConsumerRequest(
			builder,
			builder.createString(this.#internal.consumerId)
		);

		this.#channel
			.request(
				Method.TRANSPORT_CLOSE_CONSUMER,
				RequestBody.Transport_CloseConsumerRequest,
				bodyOffset,
				this.#internal.transportId
			)
			.catch(() => {});

		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	transportClosed(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('transportClosed()');

		// The worker closed it along with its transport.
		this.#setClosed();

		this.emit('@close');
		this.safeEmit('transportclose');
		this.#observer.safeEmit('close');
	}

	async dump(): Promise<ConsumerDump> {
		logger.debug('dump()');

		this.#assertNotClosed();

		const response = await this.#channel.request(
			Method.CONSUMER_DUMP,
			undefined,
			undefined,
			this.#internal.consumerId
		);

		if (response.bodyType() !== ResponseBody.Consumer_DumpResponse) {
			throw new Error('unexpected response body to Consumer dump()');
		}

		const body = new FbsDumpResponse();

		response.body(body);

		const dump: ConsumerDump = {
			id: body.id()!,
			producerId: body.producerId()!,
			kind: parseMediaKind(body.kind()),
			type: parseConsumerType(body.type()),
			rtpParameters: parseRtpParameters(body.rtpParameters()!),
			supportedCodecPayloadTypes: Array.from(body.supportedCodecPayloadTypesArray() ?? []),
			// Kept here, not in the worker (see enableTraceEvent()).
			traceEventTypes: this.#orderedTraceEventTypes(),
			paused: body.paused(),
			producerPaused: body.producerPaused(),
			priority: body.priority(),
		};

		if (body.consumableRtpEncodingsLength() > 0) {
			dump.consumableRtpEncodings = readVector(
				i => body.consumableRtpEncodings(i),
				body.consumableRtpEncodingsLength(),
				encoding => parseRtpEncodingParameters(encoding)
			);
		}

		return dump;
	}

	/**
	 * The worker reports the send streams only (no 'inbound-rtp' entry of the
	 * forwarded Producer stream yet).
	 */
	async getStats(): Promise<(ConsumerStat | ProducerStat)[]> {
		logger.debug('getStats()');

		this.#assertNotClosed();

		const response = await this.#channel.request(
			Method.CONSUMER_GET_STATS,
			undefined,
			undefined,
			this.#internal.consumerId
		);

		if (response.bodyType() !== ResponseBody.Consumer_GetStatsResponse) {
			throw new Error('unexpected response body to Consumer getStats()');
		}

		const body = new FbsGetStatsResponse();

		response.body(body);

		const timestamp = Date.now();

		return readVector(
			i => body.stats(i),
			body.statsLength(),
			stats => parseSendStreamStats(stats, this.#data.kind, timestamp)
		);
	}

	async pause(): Promise<void> {
		logger.debug('pause()');

		this.#assertNotClosed();

		await this.#pauseState.set(true);
	}

	async resume(): Promise<void> {
		logger.debug('resume()');

		this.#assertNotClosed();

		await this.#pauseState.set(false);
	}

	/**
	 * Simple and pipe Consumers have no layers to prefer: `preferredLayers`
	 * stays undefined. Simulcast and SVC Consumers get the layers clamped by
	 * the worker to what the Producer has.
	 */
	async setPreferredLayers(options: ConsumerLayers): Promise<void> {
		logger.debug('setPreferredLayers()');

		this.#assertNotClosed();

		const { spatialLayer, temporalLayer } = options;

		if (typeof spatialLayer !== 'number') {
			throw new TypeError('spatialLayer must be a number');
		}

		if (temporalLayer !== undefined && typeof temporalLayer !== 'number') {
			throw new TypeError('if given, temporalLayer must be a number');
		}

		const builder = this.#channel.bufferBuilder;
		const layersOffset = serializeConsumerLayers(builder, { spatialLayer, temporalLayer });
		const bodyOffset = FbsSetPreferredLayersRequest.createSetPreferredLayersRequest(
			builder,
			layersOffset
		);
		const response = await this.#channel.request(
			Method.CONSUMER_SET_PREFERRED_LAYERS,
			RequestBody.Consumer_SetPreferredLayersRequest,
			bodyOffset,
			this.#internal.consumerId
		);
		const body = new FbsSetPreferredLayersResponse();

		response.body(body);

		const layers = body.preferredLayers();

		this.#preferredLayers = layers ? parseConsumerLayers(layers) : undefined;
	}

	async setPriority(priority: number): Promise<void> {
		logger.debug('setPriority()');

		this.#assertNotClosed();

		if (typeof priority !== 'number' || Number.isNaN(priority) || priority < 0) {
			throw new TypeError('priority must be a positive number');
		}

		// The channel carries it as uint8.
		if (priority > MAX_PRIORITY) {
			throw new TypeError(`priority must not be greater than ${MAX_PRIORITY}`);
		}

		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsSetPriorityRequest.createSetPriorityRequest(
			builder,
			Math.floor(priority)
		);
		const response = await this.#channel.request(
			Method.CONSUMER_SET_PRIORITY,
			RequestBody.Consumer_SetPriorityRequest,
			bodyOffset,
			this.#internal.consumerId
		);

		if (response.bodyType() !== ResponseBody.Consumer_SetPriorityResponse) {
			throw new Error('unexpected response body to Consumer setPriority()');
		}

		const body = new FbsSetPriorityResponse();

		response.body(body);

		this.#priority = body.priority();
	}

	async unsetPriority(): Promise<void> {
		logger.debug('unsetPriority()');

		await this.setPriority(1);
	}

	async requestKeyFrame(): Promise<void> {
		logger.debug('requestKeyFrame()');

		this.#assertNotClosed();

		await this.#channel.request(
			Method.CONSUMER_REQUEST_KEY_FRAME,
			undefined,
			undefined,
			this.#internal.consumerId
		);
	}

	/**
	 * Unknown types are ignored; [] disables every type.
	 */
	async enableTraceEvent(types: ConsumerTraceEventType[] = []): Promise<void> {
		logger.debug('enableTraceEvent()');

		this.#assertNotClosed();

		if (!Array.isArray(types)) {
			throw new TypeError('types must be an array');
		}

		if (types.some(type => typeof type !== 'string')) {
			throw new TypeError('every entry of types must be a string');
		}

		const known = types.filter(type => CONSUMER_TRACE_EVENT_TYPES.includes(type));
		const bodyOffset = serializeEnableTraceEventRequest(this.#channel.bufferBuilder, known);

		await this.#channel.request(
			Method.CONSUMER_ENABLE_TRACE_EVENT,
			RequestBody.Trace_EnableTraceEventRequest,
			bodyOffset,
			this.#internal.consumerId
		);

		this.#traceEventTypes = new Set(known);
	}

	/**
	 * A closed Consumer rejects with NotFoundError while its Worker lives, and
	 * with WorkerClosedError once the Worker is gone.
	 */
	#assertNotClosed(): void {
		if (this.#channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.#closed) {
			throw new NotFoundError(`Consumer closed [consumerId:${this.#internal.consumerId}]`);
		}
	}

	#setClosed(): void {
		this.#closed = true;

		// No notification of a closed Consumer is of interest.
		this.#channel.removeAllListeners(this.#internal.consumerId);
	}

	#orderedTraceEventTypes(): string[] {
		return CONSUMER_TRACE_EVENT_TYPES.filter(type => this.#traceEventTypes.has(type));
	}

	#handleWorkerNotifications(): void {
		this.#channel.on(this.#internal.consumerId, (event: Event, notification: Notification) => {
			switch (event) {
				case Event.CONSUMER_PRODUCER_CLOSE: {
					if (this.#closed) {
						break;
					}

					logger.debug('producer closed');

					// The worker closed it along with its Producer.
					this.#setClosed();

					this.emit('@close');
					this.emit('@producerclose');
					this.safeEmit('producerclose');
					this.#observer.safeEmit('close');

					break;
				}

				case Event.CONSUMER_PRODUCER_PAUSE: {
					if (this.#producerPaused) {
						break;
					}

					const wasPaused = this.#pauseState.paused || this.#producerPaused;

					this.#producerPaused = true;

					this.safeEmit('producerpause');

					if (!wasPaused) {
						this.#observer.safeEmit('pause');
					}

					break;
				}

				case Event.CONSUMER_PRODUCER_RESUME: {
					if (!this.#producerPaused) {
						break;
					}

					const wasPaused = this.#pauseState.paused || this.#producerPaused;

					this.#producerPaused = false;

					this.safeEmit('producerresume');

					if (wasPaused && !this.#pauseState.paused) {
						this.#observer.safeEmit('resume');
					}

					break;
				}

				case Event.CONSUMER_SCORE: {
					const body = new FbsScoreNotification();

					notification.body(body);

					const score = parseConsumerScore(body.score()!);

					this.#score = score;

					this.safeEmit('score', clone(score));
					this.#observer.safeEmit('score', clone(score));

					break;
				}

				case Event.CONSUMER_LAYERS_CHANGE: {
					const body = new FbsLayersChangeNotification();

					notification.body(body);

					const fbsLayers = body.layers();
					// No layers: nothing is forwarded.
					const layers = fbsLayers ? parseConsumerLayers(fbsLayers) : undefined;

					this.#currentLayers = layers;

					this.safeEmit('layerschange', clone(layers));
					this.#observer.safeEmit('layerschange', clone(layers));

					break;
				}

				case Event.CONSUMER_RTP: {
					if (this.#closed) {
						break;
					}

					const body = new FbsPacketData();

					notification.body(body);

					this.safeEmit('rtp', Buffer.from(body.dataArray()!));

					break;
				}

				case Event.CONSUMER_TRACE: {
					const body = new FbsTraceNotification();

					notification.body(body);

					const trace = parseTraceEventData<ConsumerTraceEventType>(body);

					this.safeEmit('trace', trace);
					this.#observer.safeEmit('trace', trace);

					break;
				}

				default: {
					logger.error(`ignoring unknown event "${event}"`);
				}
			}
		});
	}
}

export function parseConsumerType(type: FbsConsumerType): ConsumerType {
	switch (type) {
		case FbsConsumerType.SIMPLE:
			return 'simple';
		case FbsConsumerType.SIMULCAST:
			return 'simulcast';
		case FbsConsumerType.SVC:
			return 'svc';
		case FbsConsumerType.PIPE:
			return 'pipe';
		default:
			throw new TypeError(`invalid Consumer type: ${type}`);
	}
}

export function serializeConsumerType(type: ConsumerType): FbsConsumerType {
	switch (type) {
		case 'simple':
			return FbsConsumerType.SIMPLE;
		case 'simulcast':
			return FbsConsumerType.SIMULCAST;
		case 'svc':
			return FbsConsumerType.SVC;
		case 'pipe':
			return FbsConsumerType.PIPE;
		default:
			throw new TypeError(`invalid Consumer type: ${String(type)}`);
	}
}

export function parseConsumerScore(score: FbsConsumerScore): ConsumerScore {
	return {
		score: score.score(),
		producerScore: score.producerScore(),
		producerScores: Array.from(score.producerScoresArray() ?? []),
	};
}

export function parseConsumerLayers(layers: FbsConsumerLayers): ConsumerLayers {
	const result: ConsumerLayers = { spatialLayer: layers.spatialLayer() };
	const temporalLayer = layers.temporalLayer();

	if (temporalLayer !== null) {
		result.temporalLayer = temporalLayer;
	}

	return result;
}

/**
 * Serialises ConsumerLayers (layers are uint8 on the channel).
 */
export function serializeConsumerLayers(
	builder: flatbuffers.Builder,
	{ spatialLayer, temporalLayer }: ConsumerLayers
): number {
	FbsConsumerLayers.startConsumerLayers(builder);
	FbsConsumerLayers.addSpatialLayer(builder, clampLayer(spatialLayer));

	if (temporalLayer !== undefined) {
		addOptionalScalar(builder, () =>
			FbsConsumerLayers.addTemporalLayer(builder, clampLayer(temporalLayer))
		);
	}

	return FbsConsumerLayers.endConsumerLayers(builder);
}

/**
 * Out of range layers are clamped by the worker against the real number of
 * layers; here they only need to fit in a uint8.
 */
function clampLayer(layer: number): number {
	if (!Number.isFinite(layer) || layer < 0) {
		return 0;
	}

	return Math.min(Math.floor(layer), 255);
}

/**
 * The worker does not report the timestamp, the kind, the jitter nor the
 * repaired packets of send streams: the timestamp is the local time of the
 * response, the kind the Consumer's, and the other two are 0.
 */
function parseSendStreamStats(
	stats: FbsSendStreamStats,
	kind: MediaKind,
	timestamp: number
): ConsumerStat {
	const result: ConsumerStat = {
		type: 'outbound-rtp',
		timestamp,
		ssrc: stats.ssrc(),
		kind,
		mimeType: stats.mimeType()!,
		packetsLost: Number(stats.packetsLost()),
		fractionLost: stats.fractionLost(),
		jitter: 0,
		packetsDiscarded: Number(stats.packetsDiscarded()),
		packetsRetransmitted: Number(stats.packetsRetransmitted()),
		packetsRepaired: 0,
		nackCount: Number(stats.nackCount()),
		nackPacketCount: Number(stats.nackPacketCount()),
		pliCount: Number(stats.pliCount()),
		firCount: Number(stats.firCount()),
		score: stats.score(),
		packetCount: Number(stats.packetCount()),
		byteCount: Number(stats.byteCount()),
		bitrate: stats.bitrate(),
		retransmissionsSuppressed: Number(stats.retransmissionsSuppressed()),
		retransmissionsOverBudget: Number(stats.retransmissionsOverBudget()),
	};
	const rtxSsrc = stats.rtxSsrc();
	const roundTripTime = stats.roundTripTime();

	if (rtxSsrc !== null) {
		result.rtxSsrc = rtxSsrc;
	}

	if (roundTripTime !== null) {
		result.roundTripTime = roundTripTime;
	}

	return result;
}
