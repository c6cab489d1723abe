import type { EnhancedEventEmitter } from './enhancedEvents';
import type { SctpStreamParameters } from './sctpParametersTypes';
import type { AppData } from './typesGeneric';

export type DataProducerOptions<DataProducerAppData extends AppData = AppData> = {
	/**
	 * DataProducer id (for Router.pipeToRouter(); a random UUID if not given).
	 */
	id?: string;

	/**
	 * SCTP parameters of the stream the endpoint sends on. Required on WebRtc,
	 * Plain and Pipe transports; ignored on a DirectTransport.
	 */
	sctpStreamParameters?: SctpStreamParameters;

	/**
	 * Label of the DataChannel. Default ''.
	 */
	label?: string;

	/**
	 * Sub-protocol of the DataChannel. Default ''.
	 */
	protocol?: string;

	/**
	 * Whether the DataProducer starts paused. Default false.
	 */
	paused?: boolean;

	/**
	 * Custom application data.
	 */
	appData?: DataProducerAppData;
};

/**
 * 'sctp' on WebRtc, Plain and Pipe transports, 'direct' on a
 * DirectTransport.
 */
export type DataProducerType = 'sctp' | 'direct';

export type DataProducerDump = {
	id: string;
	paused: boolean;
	type: DataProducerType;
	sctpStreamParameters?: SctpStreamParameters;
	label: string;
	protocol: string;
};

export type DataProducerStat = {
	type: string;
	timestamp: number;
	label: string;
	protocol: string;
	messagesReceived: number;
	bytesReceived: number;
};

export type DataProducerEvents = {
	transportclose: [];
	listenererror: [string, Error];
	// Private events.
	/**
	 * Emitted whenever the DataProducer closes, whatever the reason (before
	 * the public events), so that its transport and Router forget it.
	 */
	'@close': [];
};

export type DataProducerObserver = EnhancedEventEmitter<DataProducerObserverEvents>;

export type DataProducerObserverEvents = {
	close: [];
	pause: [];
	resume: [];
};

export interface DataProducer<
	DataProducerAppData extends AppData = AppData,
> extends EnhancedEventEmitter<DataProducerEvents> {
	/**
	 * DataProducer id.
	 */
	get id(): string;

	/**
	 * Whether the DataProducer is closed.
	 */
	get closed(): boolean;

	/**
	 * DataProducer type.
	 */
	get type(): DataProducerType;

	/**
	 * SCTP stream parameters (undefined for a 'direct' DataProducer).
	 */
	get sctpStreamParameters(): SctpStreamParameters | undefined;

	/**
	 * DataChannel label.
	 */
	get label(): string;

	/**
	 * DataChannel sub-protocol.
	 */
	get protocol(): string;

	/**
	 * Whether the DataProducer is paused.
	 */
	get paused(): boolean;

	/**
	 * App custom data.
	 */
	get appData(): DataProducerAppData;

	set appData(appData: DataProducerAppData);

	/**
	 * Observer.
	 */
	get observer(): DataProducerObserver;

	/**
	 * Close the DataProducer.
	 */
	close(): void;

	/**
	 * Transport was closed.
	 *
	 * @private
	 */
	transportClosed(): void;

	/**
	 * Dump DataProducer.
	 */
	dump(): Promise<DataProducerDump>;

	/**
	 * Get DataProducer stats.
	 */
	getStats(): Promise<DataProducerStat[]>;

	/**
	 * Pause the DataProducer (its messages are dropped meanwhile).
	 */
	pause(): Promise<void>;

	/**
	 * Resume the DataProducer.
	 */
	resume(): Promise<void>;

	/**
	 * Send a message as if the endpoint had sent it (only DataProducers of a
	 * DirectTransport). `subchannels`, `requiredSubchannel` and
	 * `ignoredSubchannel` select which DataConsumers get it.
	 */
	send(
		message: string | Buffer,
		ppid?: number,
		subchannels?: number[],
		requiredSubchannel?: number,
		ignoredSubchannel?: number
	): void;
}
