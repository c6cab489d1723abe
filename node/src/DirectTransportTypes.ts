import type { EnhancedEventEmitter } from './enhancedEvents';
import type {
	BaseTransportDump,
	BaseTransportStats,
	Transport,
	TransportEvents,
	TransportObserverEvents,
} from './TransportTypes';
import type { AppData } from './typesGeneric';

export type DirectTransportOptions<DirectTransportAppData extends AppData = AppData> = {
	/**
	 * Maximum allowed size for direct messages sent by DataConsumers (bytes).
	 * Default 262144.
	 */
	maxSendMessageSize?: number;

	/**
	 * Maximum allowed size for direct messages sent by DataProducers (bytes).
	 * Default 262144.
	 */
	maxReceiveMessageSize?: number;

	/**
	 * Maximum allowed size for direct messages sent by DataProducers (bytes).
	 *
	 * @deprecated Use |maxReceiveMessageSize| instead (this one wins if both
	 * are given).
	 */
	maxMessageSize?: number;

	/**
	 * Custom application data.
	 */
	appData?: DirectTransportAppData;
};

export type DirectTransportDump = BaseTransportDump;

export type DirectTransportStat = BaseTransportStats & {
	type: string;
};

export type DirectTransportEvents = TransportEvents & {
	rtcp: [Buffer];
};

export type DirectTransportObserver = EnhancedEventEmitter<DirectTransportObserverEvents>;

export type DirectTransportObserverEvents = TransportObserverEvents & {
	rtcp: [Buffer];
};

export interface DirectTransport<
	DirectTransportAppData extends AppData = AppData,
> extends Transport<DirectTransportAppData, DirectTransportEvents, DirectTransportObserver> {
	/**
	 * Transport type.
	 */
	get type(): 'direct';

	/**
	 * Observer.
	 */
	get observer(): DirectTransportObserver;

	/**
	 * Dump DirectTransport.
	 */
	dump(): Promise<DirectTransportDump>;

	/**
	 * Get DirectTransport stats.
	 */
	getStats(): Promise<DirectTransportStat[]>;

	/**
	 * No-op: a DirectTransport has no remote.
	 */
	connect(): Promise<void>;

	/**
	 * Inject an RTCP packet as if it had been received.
	 */
	sendRtcp(rtcpPacket: Buffer): void;
}
