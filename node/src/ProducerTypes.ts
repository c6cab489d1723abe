import type { EnhancedEventEmitter } from './enhancedEvents';
import type { MediaKind, RtpCodecsEncodingsMapping, RtpParameters } from './rtpParametersTypes';
import type { RtpStreamRecvStats } from './rtpStreamStatsTypes';
import type { AppData } from './typesGeneric';

export type ProducerOptions<ProducerAppData extends AppData = AppData> = {
	/**
	 * Producer id (for Router.pipeToRouter(); a random UUID if not given).
	 */
	id?: string;

	/**
	 * Media kind ('audio' or 'video').
	 */
	kind: MediaKind;

	/**
	 * RTP parameters of what the endpoint sends.
	 */
	rtpParameters: RtpParameters;

	/**
	 * Whether the Producer starts paused. Default false.
	 */
	paused?: boolean;

	/**
	 * Video only: minimum time (ms) between two key frame requests to the
	 * sender. Default 0.
	 */
	keyFrameRequestDelay?: number;

	/**
	 * Whether the worker adds the 'urn:mediasoup:params:rtp-hdrext:packet-id'
	 * header extension to received packets. Default false.
	 */
	enableMediasoupPacketIdHeaderExtension?: boolean;

	/**
	 * Custom application data.
	 */
	appData?: ProducerAppData;
};

/**
 * Producer type: more than one encoding is 'simulcast'; a single encoding
 * with several spatial or temporal layers (VP8, VP9, H264, AV1) is 'svc'.
 */
export type ProducerType = 'simple' | 'simulcast' | 'svc';

export type ProducerScore = {
	/**
	 * Index of the RTP stream in rtpParameters.encodings.
	 */
	encodingIdx: number;

	/**
	 * SSRC of the RTP stream.
	 */
	ssrc: number;

	/**
	 * RID of the RTP stream.
	 */
	rid?: string;

	/**
	 * Score of the RTP stream (0..10).
	 */
	score: number;
};

export type ProducerVideoOrientation = {
	/**
	 * Whether the source is a video camera.
	 */
	camera: boolean;

	/**
	 * Whether the video source is flipped.
	 */
	flip: boolean;

	/**
	 * Rotation degrees (0, 90, 180 or 270).
	 */
	rotation: number;
};

export type ProducerDump = {
	id: string;
	kind: MediaKind;
	type: ProducerType;
	rtpParameters: RtpParameters;
	rtpMapping: RtpCodecsEncodingsMapping;
	/**
	 * Not reported by this worker yet.
	 */
	rtpStreams?: unknown[];
	traceEventTypes: string[];
	paused: boolean;
};

export type ProducerStat = RtpStreamRecvStats;

/**
 * Valid types for the 'trace' event.
 */
export type ProducerTraceEventType = 'rtp' | 'keyframe' | 'nack' | 'pli' | 'fir' | 'sr';

/**
 * 'trace' event data.
 */
export type ProducerTraceEventData = {
	/**
	 * Trace type.
	 */
	type: ProducerTraceEventType;

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

export type ProducerEvents = {
	transportclose: [];
	score: [ProducerScore[]];
	videoorientationchange: [ProducerVideoOrientation];
	trace: [ProducerTraceEventData];
	listenererror: [string, Error];
	// Private events.
	/**
	 * Emitted whenever the Producer closes, whatever the reason (before the
	 * public events), so that its transport and Router forget it.
	 */
	'@close': [];
};

export type ProducerObserver = EnhancedEventEmitter<ProducerObserverEvents>;

export type ProducerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
	score: [ProducerScore[]];
	videoorientationchange: [ProducerVideoOrientation];
	trace: [ProducerTraceEventData];
};

export interface Producer<
	ProducerAppData extends AppData = AppData,
> extends EnhancedEventEmitter<ProducerEvents> {
	/**
	 * Producer id.
	 */
	get id(): string;

	/**
	 * Whether the Producer is closed.
	 */
	get closed(): boolean;

	/**
	 * Media kind.
	 */
	get kind(): MediaKind;

	/**
	 * RTP parameters (normalised, with the transport CNAME).
	 */
	get rtpParameters(): RtpParameters;

	/**
	 * Producer type.
	 */
	get type(): ProducerType;

	/**
	 * RTP parameters of the Producer as the Router forwards them.
	 *
	 * @private
	 */
	get consumableRtpParameters(): RtpParameters;

	/**
	 * Whether the Producer is paused.
	 */
	get paused(): boolean;

	/**
	 * Latest scores of its RTP streams.
	 */
	get score(): ProducerScore[];

	/**
	 * App custom data.
	 */
	get appData(): ProducerAppData;

	set appData(appData: ProducerAppData);

	/**
	 * Observer.
	 */
	get observer(): ProducerObserver;

	/**
	 * Close the Producer.
	 */
	close(): void;

	/**
	 * Transport was closed.
	 *
	 * @private
	 */
	transportClosed(): void;

	/**
	 * Dump Producer.
	 */
	dump(): Promise<ProducerDump>;

	/**
	 * Get Producer stats.
	 */
	getStats(): Promise<ProducerStat[]>;

	/**
	 * Pause the Producer.
	 */
	pause(): Promise<void>;

	/**
	 * Resume the Producer.
	 */
	resume(): Promise<void>;

	/**
	 * Enable 'trace' event. Unknown types are ignored; [] disables them all.
	 */
	enableTraceEvent(types?: ProducerTraceEventType[]): Promise<void>;

	/**
	 * Send an RTP packet (only Producers of a DirectTransport).
	 */
	send(rtpPacket: Buffer): void;
}
