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
	TransportProtocol,
	TransportTuple,
} from './TransportTypes';
import type { WebRtcServer } from './WebRtcServerTypes';
import type { SctpNegotiatedCapabilities, SctpParameters } from './sctpParametersTypes';
import type { AppData, Either } from './typesGeneric';

export type WebRtcTransportOptions<WebRtcTransportAppData extends AppData = AppData> =
	WebRtcTransportOptionsBase<WebRtcTransportAppData> & WebRtcTransportListen;

type WebRtcTransportOptionsBase<WebRtcTransportAppData extends AppData> = {
	/**
	 * Listen in UDP. Default true.
	 */
	enableUdp?: boolean;

	/**
	 * Listen in TCP. Default true if webRtcServer is given, false otherwise.
	 */
	enableTcp?: boolean;

	/**
	 * Prefer UDP. Default false.
	 */
	preferUdp?: boolean;

	/**
	 * Prefer TCP. Default false.
	 */
	preferTcp?: boolean;

	/**
	 * ICE consent timeout (in seconds). If 0 it is disabled. Default 30.
	 */
	iceConsentTimeout?: number;

	/**
	 * Initial available outgoing bitrate (in bps). Default 600000.
	 */
	initialAvailableOutgoingBitrate?: number;

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
	 * Custom application data.
	 */
	appData?: WebRtcTransportAppData;
};

type WebRtcTransportListen = Either<
	Either<WebRtcTransportListenIndividualListenInfo, WebRtcTransportListenIndividualListenIp>,
	WebRtcTransportListenServer
>;

type WebRtcTransportListenIndividualListenInfo = {
	/**
	 * Listening info, in order of preference.
	 */
	listenInfos: TransportListenInfo[];
};

type WebRtcTransportListenIndividualListenIp = {
	/**
	 * Listening IPs in order of preference (first one is the preferred one).
	 *
	 * @deprecated Use |listenInfos| instead.
	 */
	listenIps: (TransportListenIp | string)[];

	/**
	 * Fixed port to listen on instead of one from the Worker's port range.
	 */
	port?: number;
};

type WebRtcTransportListenServer = {
	/**
	 * WebRtcServer whose sockets the transport uses.
	 */
	webRtcServer: WebRtcServer;
};

export type IceParameters = {
	usernameFragment: string;
	password: string;
	iceLite?: boolean;
};

export type IceCandidate = {
	foundation: string;
	priority: number;
	/**
	 * @deprecated Use |address| instead.
	 */
	ip: string;
	address: string;
	protocol: TransportProtocol;
	port: number;
	type: IceCandidateType;
	tcpType?: IceCandidateTcpType;
};

export type DtlsParameters = {
	role?: DtlsRole;
	fingerprints: DtlsFingerprint[];
};

/**
 * The hash function algorithm (as in the "Hash function Textual Names"
 * registry, RFC 4572 section 8).
 */
export type FingerprintAlgorithm = 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';

/**
 * The hash function algorithm and the certificate fingerprint (uppercase hex
 * pairs separated by ':').
 */
export type DtlsFingerprint = {
	algorithm: FingerprintAlgorithm;
	value: string;
};

export type IceRole = 'controlled' | 'controlling';

export type IceState = 'new' | 'connected' | 'completed' | 'disconnected' | 'closed';

export type IceCandidateType = 'host';

export type IceCandidateTcpType = 'passive';

export type DtlsRole = 'auto' | 'client' | 'server';

export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export type WebRtcTransportDump = BaseTransportDump & {
	iceRole: 'controlled';
	iceParameters: IceParameters;
	iceCandidates: IceCandidate[];
	iceState: IceState;
	iceSelectedTuple?: TransportTuple;
	dtlsParameters: DtlsParameters;
	dtlsState: DtlsState;
	dtlsRemoteCert?: string;
};

export type WebRtcTransportStat = BaseTransportStats & {
	type: string;
	iceRole: string;
	iceState: IceState;
	iceSelectedTuple?: TransportTuple;
	dtlsState: DtlsState;
};

export type WebRtcTransportEvents = TransportEvents & {
	icestatechange: [IceState];
	iceselectedtuplechange: [TransportTuple];
	dtlsstatechange: [DtlsState];
	sctpstatechange: [SctpState];
};

export type WebRtcTransportObserver = EnhancedEventEmitter<WebRtcTransportObserverEvents>;

export type WebRtcTransportObserverEvents = TransportObserverEvents & {
	icestatechange: [IceState];
	iceselectedtuplechange: [TransportTuple];
	dtlsstatechange: [DtlsState];
	sctpstatechange: [SctpState];
};

export interface WebRtcTransport<
	WebRtcTransportAppData extends AppData = AppData,
> extends Transport<WebRtcTransportAppData, WebRtcTransportEvents, WebRtcTransportObserver> {
	/**
	 * Transport type.
	 */
	get type(): 'webrtc';

	/**
	 * Observer.
	 */
	get observer(): WebRtcTransportObserver;

	/**
	 * ICE role (always 'controlled': ICE-lite).
	 */
	get iceRole(): 'controlled';

	/**
	 * Local ICE parameters.
	 */
	get iceParameters(): IceParameters;

	/**
	 * Local ICE candidates.
	 */
	get iceCandidates(): IceCandidate[];

	/**
	 * ICE state.
	 */
	get iceState(): IceState;

	/**
	 * ICE selected tuple.
	 */
	get iceSelectedTuple(): TransportTuple | undefined;

	/**
	 * Local DTLS parameters.
	 */
	get dtlsParameters(): DtlsParameters;

	/**
	 * DTLS state.
	 */
	get dtlsState(): DtlsState;

	/**
	 * Remote certificate in PEM format (once DTLS is connected).
	 */
	get dtlsRemoteCert(): string | undefined;

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
	 * Dump WebRtcTransport.
	 */
	dump(): Promise<WebRtcTransportDump>;

	/**
	 * Get WebRtcTransport stats.
	 */
	getStats(): Promise<WebRtcTransportStat[]>;

	/**
	 * Provide the remote DTLS parameters.
	 */
	connect({ dtlsParameters }: { dtlsParameters: DtlsParameters }): Promise<void>;

	/**
	 * Restart ICE: new local username fragment and password.
	 */
	restartIce(): Promise<IceParameters>;
}
