import type { EnhancedEventEmitter } from './enhancedEvents';
import type { ProducerStat } from './ProducerTypes';
import type {
	MediaKind,
	RtpCapabilities,
	RtpEncodingParameters,
	RtpParameters,
} from './rtpParametersTypes';
import type { RtpStreamSendStats } from './rtpStreamStatsTypes';
import type { AppData } from './typesGeneric';

export type ConsumerOptions<ConsumerAppData extends AppData = AppData> = {
	/**
	 * The id of the Producer to consume.
	 */
	producerId: string;

	/**
	 * RTP capabilities of the consuming endpoint.
	 */
	rtpCapabilities: RtpCapabilities;

	/**
	 * Whether the Consumer starts paused. Default false.
	 *
	 * For video it is advisable to create it paused, let the endpoint set up
	 * its side and then resume() it, so that the first key frame is not lost.
	 */
	paused?: boolean;

	/**
	 * MID of the Consumer. If not given, a per transport counter ('0', '1'...)
	 * is used.
	 */
	mid?: string;

	/**
	 * Preferred spatial and temporal layers (simulcast and SVC). Default the
	 * highest ones.
	 */
	preferredLayers?: ConsumerLayers;

	/**
	 * Whether to enable RTP retransmission (RTX and NACK). Default true for
	 * video and false for audio.
	 */
	enableRtx?: boolean;

	/**
	 * Whether to drop Opus DTX packets. Default false.
	 */
	ignoreDtx?: boolean;

	/**
	 * Whether to consume every RTP stream of the Producer (as a pipe Consumer
	 * does). Default false.
	 */
	pipe?: boolean;

	/**
	 * Custom application data.
	 */
	appData?: ConsumerAppData;
};

/**
 * Consumer type.
 */
export type ConsumerType = 'simple' | 'simulcast' | 'svc' | 'pipe';

export type ConsumerScore = {
	/**
	 * Score of the RTP stream the Consumer sends.
	 */
	score: number;

	/**
	 * Score of the Producer RTP stream currently forwarded.
	 */
	producerScore: number;

	/**
	 * Scores of every RTP stream of the Producer, by encoding.
	 */
	producerScores: number[];
};

export type ConsumerLayers = {
	/**
	 * Spatial layer index (0..N).
	 */
	spatialLayer: number;

	/**
	 * Temporal layer index (0..N).
	 */
	temporalLayer?: number;
};

export type ConsumerDump =
	SimpleConsumerDump | SimulcastConsumerDump | SvcConsumerDump | PipeConsumerDump;

/**
 * `rtpStream` is not reported by this worker yet.
 */
export type SimpleConsumerDump = BaseConsumerDump & {
	type: string;
	rtpStream?: RtpStreamDump;
};

/**
 * `rtpStream` and the layer fields are not reported by this worker yet.
 */
export type SimulcastConsumerDump = BaseConsumerDump & {
	type: string;
	rtpStream?: RtpStreamDump;
	preferredSpatialLayer?: number;
	targetSpatialLayer?: number;
	currentSpatialLayer?: number;
	preferredTemporalLayer?: number;
	targetTemporalLayer?: number;
	currentTemporalLayer?: number;
};

export type SvcConsumerDump = SimulcastConsumerDump;

/**
 * `rtpStreams` is not reported by this worker yet.
 */
export type PipeConsumerDump = BaseConsumerDump & {
	type: string;
	rtpStreams?: RtpStreamDump[];
};

export type BaseConsumerDump = {
	id: string;
	producerId: string;
	kind: MediaKind;
	rtpParameters: RtpParameters;
	consumableRtpEncodings?: RtpEncodingParameters[];
	supportedCodecPayloadTypes: number[];
	traceEventTypes: string[];
	paused: boolean;
	producerPaused: boolean;
	priority: number;
};

export type RtpStreamDump = {
	params: RtpStreamParametersDump;
	score: number;
	rtxStream?: RtxStreamDump;
};

export type RtpStreamParametersDump = {
	encodingIdx: number;
	ssrc: number;
	payloadType: number;
	mimeType: string;
	clockRate: number;
	rid?: string;
	cname: string;
	rtxSsrc?: number;
	rtxPayloadType?: number;
	useNack: boolean;
	usePli: boolean;
	useFir: boolean;
	useInBandFec: boolean;
	useDtx: boolean;
	spatialLayers: number;
	temporalLayers: number;
};

export type RtxStreamDump = {
	params: RtxStreamParameters;
};

export type RtxStreamParameters = {
	ssrc: number;
	payloadType: number;
	mimeType: string;
	clockRate: number;
	rrid?: string;
	cname: string;
};

export type ConsumerStat = RtpStreamSendStats;

/**
 * Valid types for the 'trace' event.
 */
export type ConsumerTraceEventType = 'rtp' | 'keyframe' | 'nack' | 'pli' | 'fir';

/**
 * 'trace' event data.
 */
export type ConsumerTraceEventData = {
	/**
	 * Trace type.
	 */
	type: ConsumerTraceEventType;

	/**
	 * Event timestamp.
	 */
	timestamp: number;

	/**
	 * Event direction.
	 */
	direction: 'in' | 'out';

	/**
	 * Per type information.
	 */
	info: unknown;
};

export type ConsumerEvents = {
	transportclose: [];
	producerclose: [];
	producerpause: [];
	producerresume: [];
	score: [ConsumerScore];
	layerschange: [ConsumerLayers?];
	trace: [ConsumerTraceEventData];
	rtp: [Buffer];
	listenererror: [string, Error];
	// Private events.
	/**
	 * Emitted whenever the Consumer closes, whatever the reason (before the
	 * public events), so that its transport forgets it.
	 */
	'@close': [];
	'@producerclose': [];
};

export type ConsumerObserver = EnhancedEventEmitter<ConsumerObserverEvents>;

export type ConsumerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
	score: [ConsumerScore];
	layerschange: [ConsumerLayers?];
	trace: [ConsumerTraceEventData];
};

export interface Consumer<
	ConsumerAppData extends AppData = AppData,
> extends EnhancedEventEmitter<ConsumerEvents> {
	/**
	 * Consumer id.
	 */
	get id(): string;

	/**
	 * Id of the consumed Producer.
	 */
	get producerId(): string;

	/**
	 * Whether the Consumer is closed.
	 */
	get closed(): boolean;

	/**
	 * Media kind.
	 */
	get kind(): MediaKind;

	/**
	 * RTP parameters.
	 */
	get rtpParameters(): RtpParameters;

	/**
	 * Consumer type.
	 */
	get type(): ConsumerType;

	/**
	 * Whether the Consumer is paused (by the app).
	 */
	get paused(): boolean;

	/**
	 * Whether its Producer is paused.
	 */
	get producerPaused(): boolean;

	/**
	 * Current priority.
	 */
	get priority(): number;

	/**
	 * Consumer score.
	 */
	get score(): ConsumerScore;

	/**
	 * Preferred layers (simulcast and SVC only).
	 */
	get preferredLayers(): ConsumerLayers | undefined;

	/**
	 * Layers currently sent (last 'layerschange' value).
	 */
	get currentLayers(): ConsumerLayers | undefined;

	/**
	 * App custom data.
	 */
	get appData(): ConsumerAppData;

	set appData(appData: ConsumerAppData);

	/**
	 * Observer.
	 */
	get observer(): ConsumerObserver;

	/**
	 * Close the Consumer.
	 */
	close(): void;

	/**
	 * Transport was closed.
	 *
	 * @private
	 */
	transportClosed(): void;

	/**
	 * Dump Consumer.
	 */
	dump(): Promise<ConsumerDump>;

	/**
	 * Get Consumer stats.
	 */
	getStats(): Promise<(ConsumerStat | ProducerStat)[]>;

	/**
	 * Pause the Consumer.
	 */
	pause(): Promise<void>;

	/**
	 * Resume the Consumer.
	 */
	resume(): Promise<void>;

	/**
	 * Set preferred layers (simulcast and SVC).
	 */
	setPreferredLayers({ spatialLayer, temporalLayer }: ConsumerLayers): Promise<void>;

	/**
	 * Set priority.
	 */
	setPriority(priority: number): Promise<void>;

	/**
	 * Unset priority (back to 1).
	 */
	unsetPriority(): Promise<void>;

	/**
	 * Request a key frame to the Producer.
	 */
	requestKeyFrame(): Promise<void>;

	/**
	 * Enable 'trace' event. Unknown types are ignored; [] disables them all.
	 */
	enableTraceEvent(types?: ConsumerTraceEventType[]): Promise<void>;
}
