import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import { NotFoundError, WorkerClosedError } from './errors';
import type {
	Producer,
	ProducerDump,
	ProducerEvents,
	ProducerObserver,
	ProducerObserverEvents,
	ProducerScore,
	ProducerVideoOrientation,
	ProducerStat,
	ProducerTraceEventType,
	ProducerType,
} from './ProducerTypes';
import type { MediaKind, RtpParameters } from './rtpParametersTypes';
import type { AppData } from './typesGeneric';
import { clone } from './utils';
import { PauseState } from './pauseState';
import {
	parseMediaKind,
	parseRtpMapping,
	parseRtpParameters,
	readVector,
} from './rtpParametersFbs';
import { Method } from './fbs/request/method';
import { TraceNotification as FbsTraceNotification } from './fbs/trace/trace-notification';
import { parseTraceEventData, serializeEnableTraceEventRequest } from './traceEventsFbs';
import { Body as RequestBody } from './fbs/request/body';
import { Body as ResponseBody } from './fbs/response/body';
import type { Notification } from './fbs/notification/notification';
import { Event } from './fbs/notification/event';
import { PacketData as FbsPacketData } from './fbs/notification/packet-data';
import { VideoOrientationNotification as FbsVideoOrientationNotification } from './fbs/notification/video-orientation-notification';
import { Body as NotificationBody } from './fbs/notification/body';
import { CloseProducerRequest as FbsCloseProducerRequest } from './fbs/transport/close-producer-request';
import { Type as FbsProducerType } from './fbs/producer/type';
import { DumpResponse as FbsDumpResponse } from './fbs/producer/dump-response';
import { GetStatsResponse as FbsGetStatsResponse } from './fbs/producer/get-stats-response';
import type { RecvStreamStats as FbsRecvStreamStats } from './fbs/producer/recv-stream-stats';
import { ScoreNotification as FbsScoreNotification } from './fbs/producer/score-notification';

const logger = new Logger('Producer');

/**
 * Trace event types a Producer knows, in the order dumps list them.
 */
const PRODUCER_TRACE_EVENT_TYPES: readonly ProducerTraceEventType[] = [
	'rtp',
	'keyframe',
	'nack',
	'pli',
	'fir',
	'sr',
];

export type ProducerInternal = {
	routerId: string;
	transportId: string;
	producerId: string;
};

export type ProducerData = {
	kind: MediaKind;
	rtpParameters: RtpParameters;
	type: ProducerType;
	consumableRtpParameters: RtpParameters;
};

export class ProducerImpl<ProducerAppData extends AppData = AppData>
	extends EnhancedEventEmitter<ProducerEvents>
	implements Producer<ProducerAppData>
{
	readonly #internal: ProducerInternal;
	readonly #data: ProducerData;
	readonly #channel: Channel;
	#closed = false;
	#appData: ProducerAppData;
	readonly #pauseState: PauseState;
	#score: ProducerScore[] = [];
	// Trace event types enabled by enableTraceEvent(). The worker has no trace
	// notifications yet, so they are only kept here (and reported by dump()).
	#traceEventTypes: Set<ProducerTraceEventType> = new Set();
	readonly #observer: ProducerObserver = new EnhancedEventEmitter<ProducerObserverEvents>();

	constructor({
		internal,
		data,
		channel,
		appData,
		paused,
	}: {
		internal: ProducerInternal;
		data: ProducerData;
		channel: Channel;
		appData?: ProducerAppData;
		paused: boolean;
	}) {
		super();

		logger.debug('constructor()');

		this.#internal = internal;
		this.#data = data;
		this.#channel = channel;
		this.#appData = appData || ({} as ProducerAppData);
		this.#pauseState = new PauseState({
			paused,
			request: async toPause =>
				this.#channel.request(
					toPause ? Method.PRODUCER_PAUSE : Method.PRODUCER_RESUME,
					undefined,
					undefined,
					this.#internal.producerId
				),
			onChange: nowPaused => {
				if (!this.#closed) {
					this.#observer.safeEmit(nowPaused ? 'pause' : 'resume');
				}
			},
		});

		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});

		this.#handleWorkerNotifications();
	}

	get id(): string {
		return this.#internal.producerId;
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

	get type(): ProducerType {
		return this.#data.type;
	}

	get consumableRtpParameters(): RtpParameters {
		return clone(this.#data.consumableRtpParameters);
	}

	get paused(): boolean {
		return this.#pauseState.paused;
	}

	get score(): ProducerScore[] {
		return clone(this.#score);
	}

	get appData(): ProducerAppData {
		return this.#appData;
	}

	set appData(appData: ProducerAppData) {
		this.#appData = appData;
	}

	get observer(): ProducerObserver {
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
		// either way the Producer is gone there. The worker tells its Consumers.
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsCloseProducerRequest.createCloseProducerRequest(
			builder,
			builder.createString(this.#internal.producerId)
		);

		this.#channel
			.request(
				Method.TRANSPORT_CLOSE_PRODUCER,
				RequestBody.Transport_CloseProducerRequest,
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

	async dump(): Promise<ProducerDump> {
		logger.debug('dump()');

		this.#assertNotClosed();

		const response = await this.#channel.request(
			Method.PRODUCER_DUMP,
			undefined,
			undefined,
			this.#internal.producerId
		);

		if (response.bodyType() !== ResponseBody.Producer_DumpResponse) {
			throw new Error('unexpected response body to Producer dump()');
		}

		const body = new FbsDumpResponse();

		response.body(body);

		return {
			id: body.id()!,
			kind: parseMediaKind(body.kind()),
			type: parseProducerType(body.type()),
			rtpParameters: parseRtpParameters(body.rtpParameters()!),
			rtpMapping: parseRtpMapping(body.rtpMapping()!),
			// Kept here, not in the worker (see enableTraceEvent()).
			traceEventTypes: this.#orderedTraceEventTypes(),
			paused: body.paused(),
		};
	}

	async getStats(): Promise<ProducerStat[]> {
		logger.debug('getStats()');

		this.#assertNotClosed();

		const response = await this.#channel.request(
			Method.PRODUCER_GET_STATS,
			undefined,
			undefined,
			this.#internal.producerId
		);

		if (response.bodyType() !== ResponseBody.Producer_GetStatsResponse) {
			throw new Error('unexpected response body to Producer getStats()');
		}

		const body = new FbsGetStatsResponse();

		response.body(body);

		const timestamp = Date.now();

		return readVector(
			i => body.stats(i),
			body.statsLength(),
			stats => parseRecvStreamStats(stats, this.#data.kind, timestamp)
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
	 * Unknown types are ignored; [] disables every type.
	 */
	async enableTraceEvent(types: ProducerTraceEventType[] = []): Promise<void> {
		logger.debug('enableTraceEvent()');

		this.#assertNotClosed();

		if (!Array.isArray(types)) {
			throw new TypeError('types must be an array');
		}

		if (types.some(type => typeof type !== 'string')) {
			throw new TypeError('every entry of types must be a string');
		}

		const known = types.filter(type => PRODUCER_TRACE_EVENT_TYPES.includes(type));
		const bodyOffset = serializeEnableTraceEventRequest(this.#channel.bufferBuilder, known);

		await this.#channel.request(
			Method.PRODUCER_ENABLE_TRACE_EVENT,
			RequestBody.Trace_EnableTraceEventRequest,
			bodyOffset,
			this.#internal.producerId
		);

		this.#traceEventTypes = new Set(known);
	}

	send(rtpPacket: Buffer): void {
		if (!Buffer.isBuffer(rtpPacket)) {
			throw new TypeError('rtpPacket must be a Buffer');
		}

		if (this.#channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.#closed) {
			return;
		}

		const builder = this.#channel.bufferBuilder;
		const dataOffset = FbsPacketData.createDataVector(builder, rtpPacket);
		const bodyOffset = FbsPacketData.createPacketData(builder, dataOffset);

		this.#channel.notify(
			Event.PRODUCER_SEND,
			NotificationBody.PacketData,
			bodyOffset,
			this.#internal.producerId
		);
	}

	/**
	 * A closed Producer rejects with NotFoundError while its Worker lives, and
	 * with WorkerClosedError once the Worker is gone.
	 */
	#assertNotClosed(): void {
		if (this.#channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.#closed) {
			throw new NotFoundError(`Producer closed [producerId:${this.#internal.producerId}]`);
		}
	}

	#setClosed(): void {
		this.#closed = true;

		// No notification of a closed Producer is of interest.
		this.#channel.removeAllListeners(this.#internal.producerId);
	}

	#orderedTraceEventTypes(): string[] {
		return PRODUCER_TRACE_EVENT_TYPES.filter(type => this.#traceEventTypes.has(type));
	}

	#handleWorkerNotifications(): void {
		this.#channel.on(this.#internal.producerId, (event: Event, notification: Notification) => {
			switch (event) {
				case Event.PRODUCER_SCORE: {
					const body = new FbsScoreNotification();

					notification.body(body);

					const score: ProducerScore[] = readVector(
						i => body.scores(i),
						body.scoresLength(),
						entry => {
							const producerScore: ProducerScore = {
								encodingIdx: entry.encodingIdx(),
								ssrc: entry.ssrc(),
								score: entry.score(),
							};
							const rid = entry.rid();

							if (rid) {
								producerScore.rid = rid;
							}

							return producerScore;
						}
					);

					this.#score = score;

					this.safeEmit('score', clone(score));
					this.#observer.safeEmit('score', clone(score));

					break;
				}

				case Event.PRODUCER_VIDEO_ORIENTATION_CHANGE: {
					const body = new FbsVideoOrientationNotification();

					notification.body(body);

					const videoOrientation: ProducerVideoOrientation = {
						camera: body.camera(),
						flip: body.flip(),
						rotation: body.rotation(),
					};

					this.safeEmit('videoorientationchange', videoOrientation);
					this.#observer.safeEmit('videoorientationchange', videoOrientation);

					break;
				}

				case Event.PRODUCER_TRACE: {
					const body = new FbsTraceNotification();

					notification.body(body);

					const trace = parseTraceEventData<ProducerTraceEventType>(body);

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

export function parseProducerType(type: FbsProducerType): ProducerType {
	switch (type) {
		case FbsProducerType.SIMPLE:
			return 'simple';
		case FbsProducerType.SIMULCAST:
			return 'simulcast';
		case FbsProducerType.SVC:
			return 'svc';
		default:
			throw new TypeError(`invalid Producer type: ${type}`);
	}
}

/**
 * The worker does not report the timestamp, the kind, nor the bitrate by
 * layer: the timestamp is the local time of the response, the kind the
 * Producer's, and bitrateByLayer is empty.
 */
function parseRecvStreamStats(
	stats: FbsRecvStreamStats,
	kind: MediaKind,
	timestamp: number
): ProducerStat {
	const result: ProducerStat = {
		type: 'inbound-rtp',
		timestamp,
		ssrc: stats.ssrc(),
		kind,
		mimeType: stats.mimeType()!,
		packetsLost: Number(stats.packetsLost()),
		fractionLost: stats.fractionLost(),
		jitter: stats.jitter(),
		packetsDiscarded: Number(stats.packetsDiscarded()),
		packetsRetransmitted: Number(stats.packetsRetransmitted()),
		packetsRepaired: Number(stats.packetsRepaired()),
		nackCount: Number(stats.nackCount()),
		nackPacketCount: Number(stats.nackPacketCount()),
		pliCount: Number(stats.pliCount()),
		firCount: Number(stats.firCount()),
		score: stats.score(),
		packetCount: Number(stats.packetCount()),
		byteCount: Number(stats.byteCount()),
		bitrate: stats.bitrate(),
		bitrateByLayer: {},
	};
	const rtxSsrc = stats.rtxSsrc();
	const rid = stats.rid();

	if (rtxSsrc !== null) {
		result.rtxSsrc = rtxSsrc;
	}

	if (rid) {
		result.rid = rid;
	}

	return result;
}
