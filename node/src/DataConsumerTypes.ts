import type { EnhancedEventEmitter } from './enhancedEvents';
import type { SctpStreamParameters } from './sctpParametersTypes';
import type { AppData } from './typesGeneric';

export type DataConsumerOptions<DataConsumerAppData extends AppData = AppData> = {
	/**
	 * Id of the DataProducer to consume.
	 */
	dataProducerId: string;

	/**
	 * Whether messages must be delivered in order (SCTP only). Default: as
	 * the DataProducer's stream.
	 */
	ordered?: boolean;

	/**
	 * Partial reliability: time (ms) during which a message may be
	 * retransmitted (SCTP only). Default: as the DataProducer's stream.
	 */
	maxPacketLifeTime?: number;

	/**
	 * Partial reliability: how many times a message may be retransmitted
	 * (SCTP only). Default: as the DataProducer's stream.
	 */
	maxRetransmits?: number;

	/**
	 * Whether the DataConsumer starts paused. Default false.
	 */
	paused?: boolean;

	/**
	 * Subchannels the DataConsumer subscribes to (see DataProducer.send()).
	 */
	subchannels?: number[];

	/**
	 * Custom application data.
	 */
	appData?: DataConsumerAppData;
};

/**
 * 'sctp' on WebRtc, Plain and Pipe transports, 'direct' on a
 * DirectTransport.
 */
export type DataConsumerType = 'sctp' | 'direct';

export type DataConsumerDump = {
	id: string;
	paused: boolean;
	dataProducerPaused: boolean;
	subchannels: number[];
	dataProducerId: string;
	type: DataConsumerType;
	sctpStreamParameters?: SctpStreamParameters;
	label: string;
	protocol: string;
	bufferedAmount: number;
	bufferedAmountLowThreshold: number;
};

export type DataConsumerStat = {
	type: string;
	timestamp: number;
	label: string;
	protocol: string;
	messagesSent: number;
	bytesSent: number;
	bufferedAmount: number;
};

export type DataConsumerEvents = {
	transportclose: [];
	dataproducerclose: [];
	dataproducerpause: [];
	dataproducerresume: [];
	message: [Buffer, number];
	sctpsendbufferfull: [];
	bufferedamountlow: [number];
	listenererror: [string, Error];
	// Private events.
	/**
	 * Emitted whenever the DataConsumer closes, whatever the reason (before
	 * the public events), so that its transport forgets it and frees its SCTP
	 * stream id.
	 */
	'@close': [];
	'@dataproducerclose': [];
};

export type DataConsumerObserver = EnhancedEventEmitter<DataConsumerObserverEvents>;

export type DataConsumerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
};

export interface DataConsumer<
	DataConsumerAppData extends AppData = AppData,
> extends EnhancedEventEmitter<DataConsumerEvents> {
	/**
	 * DataConsumer id.
	 */
	get id(): string;

	/**
	 * Id of the consumed DataProducer.
	 */
	get dataProducerId(): string;

	/**
	 * Whether the DataConsumer is closed.
	 */
	get closed(): boolean;

	/**
	 * DataConsumer type.
	 */
	get type(): DataConsumerType;

	/**
	 * SCTP stream parameters (undefined for a 'direct' DataConsumer).
	 */
	get sctpStreamParameters(): SctpStreamParameters | undefined;

	/**
	 * DataChannel label (the DataProducer's).
	 */
	get label(): string;

	/**
	 * DataChannel sub-protocol (the DataProducer's).
	 */
	get protocol(): string;

	/**
	 * Whether the DataConsumer is paused (by the app).
	 */
	get paused(): boolean;

	/**
	 * Whether its DataProducer is paused.
	 */
	get dataProducerPaused(): boolean;

	/**
	 * Subchannels the DataConsumer is subscribed to.
	 */
	get subchannels(): number[];

	/**
	 * App custom data.
	 */
	get appData(): DataConsumerAppData;

	set appData(appData: DataConsumerAppData);

	/**
	 * Observer.
	 */
	get observer(): DataConsumerObserver;

	/**
	 * Close the DataConsumer.
	 */
	close(): void;

	/**
	 * Transport was closed.
	 *
	 * @private
	 */
	transportClosed(): void;

	/**
	 * Dump DataConsumer.
	 */
	dump(): Promise<DataConsumerDump>;

	/**
	 * Get DataConsumer stats.
	 */
	getStats(): Promise<DataConsumerStat[]>;

	/**
	 * Pause the DataConsumer.
	 */
	pause(): Promise<void>;

	/**
	 * Resume the DataConsumer.
	 */
	resume(): Promise<void>;

	/**
	 * Set the buffered amount low threshold (bytes) of its SCTP stream.
	 */
	setBufferedAmountLowThreshold(threshold: number): Promise<void>;

	/**
	 * Bytes queued in SCTP for its stream.
	 */
	getBufferedAmount(): Promise<number>;

	/**
	 * Send a message to the remote endpoint (SCTP DataConsumers only).
	 * Resolves with the buffered amount after queuing it.
	 */
	send(message: string | Buffer, ppid?: number): Promise<number>;

	/**
	 * Replace the subchannels the DataConsumer is subscribed to.
	 */
	setSubchannels(subchannels: number[]): Promise<void>;

	/**
	 * Subscribe to one more subchannel.
	 */
	addSubchannel(subchannel: number): Promise<void>;

	/**
	 * Unsubscribe from a subchannel.
	 */
	removeSubchannel(subchannel: number): Promise<void>;
}
