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
import type { SrtpCryptoSuite, SrtpParameters } from './srtpParametersTypes';
import type { AppData, Either } from './typesGeneric';

export type PlainTransportOptions<PlainTransportAppData extends AppData = AppData> =
	PlainTransportOptionsBase<PlainTransportAppData> & PlainTransportListen;

type PlainTransportOptionsBase<PlainTransportAppData extends AppData> = {
	/**
	 * Use RTCP-mux (RTP and RTCP in the same port). Default true.
	 */
	rtcpMux?: boolean;

	/**
	 * Whether remote IP:port should be auto-detected based on first RTP/RTCP
	 * packet received. If enabled, connect() must only be called if SRTP is
	 * enabled by providing the remote srtpParameters and nothing else.
	 * Default false.
	 */
	comedia?: boolean;

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
	 * Enable SRTP. The remote SRTP parameters must then be given in connect().
	 * Default false.
	 */
	enableSrtp?: boolean;

	/**
	 * The SRTP crypto suite to be used if enableSrtp is set. Default
	 * 'AES_CM_128_HMAC_SHA1_80'.
	 */
	srtpCryptoSuite?: SrtpCryptoSuite;

	/**
	 * Custom application data.
	 */
	appData?: PlainTransportAppData;
};

type PlainTransportListen = Either<PlainTransportListenInfo, PlainTransportListenIp>;

type PlainTransportListenInfo = {
	/**
	 * Listening info (protocol must be 'udp').
	 */
	listenInfo: TransportListenInfo;

	/**
	 * Optional listening info for RTCP (forces rtcpMux to false).
	 */
	rtcpListenInfo?: TransportListenInfo;
};

type PlainTransportListenIp = {
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

export type PlainTransportDump = BaseTransportDump & {
	rtcpMux: boolean;
	comedia: boolean;
	tuple: TransportTuple;
	rtcpTuple?: TransportTuple;
	srtpParameters?: SrtpParameters;
};

export type PlainTransportStat = BaseTransportStats & {
	type: string;
	rtcpMux: boolean;
	comedia: boolean;
	tuple: TransportTuple;
	rtcpTuple?: TransportTuple;
};

export type PlainTransportEvents = TransportEvents & {
	tuple: [TransportTuple];
	rtcptuple: [TransportTuple];
	sctpstatechange: [SctpState];
};

export type PlainTransportObserver = EnhancedEventEmitter<PlainTransportObserverEvents>;

export type PlainTransportObserverEvents = TransportObserverEvents & {
	tuple: [TransportTuple];
	rtcptuple: [TransportTuple];
	sctpstatechange: [SctpState];
};

export interface PlainTransport<PlainTransportAppData extends AppData = AppData> extends Transport<
	PlainTransportAppData,
	PlainTransportEvents,
	PlainTransportObserver
> {
	/**
	 * Transport type.
	 */
	get type(): 'plain';

	/**
	 * Observer.
	 */
	get observer(): PlainTransportObserver;

	/**
	 * Local (and, once known, remote) RTP address.
	 */
	get tuple(): TransportTuple;

	/**
	 * Local (and, once known, remote) RTCP address (only without RTCP-mux).
	 */
	get rtcpTuple(): TransportTuple | undefined;

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
	 * Dump PlainTransport.
	 */
	dump(): Promise<PlainTransportDump>;

	/**
	 * Get PlainTransport stats.
	 */
	getStats(): Promise<PlainTransportStat[]>;

	/**
	 * Provide the remote parameters.
	 */
	connect({
		ip,
		port,
		rtcpPort,
		srtpParameters,
	}: {
		ip?: string;
		port?: number;
		rtcpPort?: number;
		srtpParameters?: SrtpParameters;
	}): Promise<void>;
}
