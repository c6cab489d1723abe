import type { EnhancedEventEmitter } from './enhancedEvents';
import type {
	BaseTransportDump,
	BaseTransportStats,
	SctpState,
	Transport,
	TransportEvents,
	TransportListenInfo,
	TransportListenIp,
	TransportObserverEvents,
	TransportTuple,
} from './TransportTypes';
import type { SctpNegotiatedCapabilities, SctpParameters } from './sctpParametersTypes';
import type { SrtpParameters } from './srtpParametersTypes';
import type { AppData, Either } from './typesGeneric';
import type { Consumer } from './ConsumerTypes';

export type PipeTransportOptions<PipeTransportAppData extends AppData = AppData> =
	PipeTransportOptionsBase<PipeTransportAppData> & PipeTransportListen;

type PipeTransportOptionsBase<PipeTransportAppData extends AppData> = {
	/**
	 * Create a SCTP association. Default false.
	 */
	enableSctp?: boolean;

	/**
	 * Maximum allowed size for SCTP messages sent by DataConsumers (bytes).
	 * Default 262144.
	 */
	maxSendMessageSize?: number;

	/**
	 * Maximum allowed size for SCTP messages received by DataProducers (bytes).
	 * Default 262144.
	 */
	maxReceiveMessageSize?: number;

	/**
	 * Maximum SCTP send buffer used by DataConsumers (bytes). Default 2000000.
	 */
	sctpSendBufferSize?: number;

	/**
	 * Per stream send queue size limit (bytes). Default 2000000.
	 */
	sctpPerStreamSendQueueLimit?: number;

	/**
	 * Maximum received window buffer size (bytes). Default 5242880.
	 */
	sctpMaxReceiverWindowBufferSize?: number;

	/**
	 * Default buffered amount low threshold of DataConsumer streams (bytes).
	 * Default 1024.
	 */
	sctpDefaultStreamBufferedAmountLowThreshold?: number;

	/**
	 * Enable RTX and NACK for RTP retransmission (both sides must enable it).
	 * Default false.
	 */
	enableRtx?: boolean;

	/**
	 * Enable SRTP (suite 'AEAD_AES_256_GCM'). Default false.
	 */
	enableSrtp?: boolean;

	/**
	 * Custom application data.
	 */
	appData?: PipeTransportAppData;
};

type PipeTransportListen = Either<PipeTransportListenInfo, PipeTransportListenIp>;

type PipeTransportListenInfo = {
	/**
	 * Listening info (protocol must be 'udp').
	 */
	listenInfo: TransportListenInfo;
};

type PipeTransportListenIp = {
	/**
	 * Listening IP address.
	 *
	 * @deprecated Use |listenInfo| instead.
	 */
	listenIp: TransportListenIp | string;

	/**
	 * Fixed port to listen on instead of one from the Worker's port range.
	 */
	port?: number;
};

export type PipeConsumerOptions<ConsumerAppData extends AppData = AppData> = {
	/**
	 * The id of the Producer to consume.
	 */
	producerId: string;

	/**
	 * Custom application data.
	 */
	appData?: ConsumerAppData;
};

export type PipeTransportDump = BaseTransportDump & {
	tuple: TransportTuple;
	rtx: boolean;
	srtpParameters?: SrtpParameters;
};

export type PipeTransportStat = BaseTransportStats & {
	type: string;
	tuple: TransportTuple;
};

export type PipeTransportEvents = TransportEvents & {
	sctpstatechange: [SctpState];
};

export type PipeTransportObserver = EnhancedEventEmitter<PipeTransportObserverEvents>;

export type PipeTransportObserverEvents = TransportObserverEvents & {
	sctpstatechange: [SctpState];
};

export interface PipeTransport<PipeTransportAppData extends AppData = AppData> extends Transport<
	PipeTransportAppData,
	PipeTransportEvents,
	PipeTransportObserver
> {
	/**
	 * Transport type.
	 */
	get type(): 'pipe';

	/**
	 * Observer.
	 */
	get observer(): PipeTransportObserver;

	/**
	 * Local (and, once connected, remote) address.
	 */
	get tuple(): TransportTuple;

	/**
	 * SCTP parameters (iff SCTP is enabled).
	 */
	get sctpParameters(): SctpParameters | undefined;

	/**
	 * SCTP state (iff SCTP is enabled).
	 */
	get sctpState(): SctpState | undefined;

	/**
	 * SCTP negotiated capabilities (once the association is up).
	 */
	get sctpNegotiatedCapabilities(): SctpNegotiatedCapabilities | undefined;

	/**
	 * Local SRTP parameters (iff SRTP is enabled).
	 */
	get srtpParameters(): SrtpParameters | undefined;

	/**
	 * Dump PipeTransport.
	 */
	dump(): Promise<PipeTransportDump>;

	/**
	 * Get PipeTransport stats.
	 */
	getStats(): Promise<PipeTransportStat[]>;

	/**
	 * Provide the remote parameters.
	 */
	connect({
		ip,
		port,
		srtpParameters,
	}: {
		ip: string;
		port: number;
		srtpParameters?: SrtpParameters;
	}): Promise<void>;

	/**
	 * Create a pipe Consumer (every stream of the Producer, no MID).
	 */
	consume<ConsumerAppData extends AppData = AppData>(
		options: PipeConsumerOptions<ConsumerAppData>
	): Promise<Consumer<ConsumerAppData>>;
}
