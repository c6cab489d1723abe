import type { EnhancedEventEmitter } from './enhancedEvents';
import type { SctpNegotiatedCapabilities, SctpParameters } from './sctpParametersTypes';
import type { AppData } from './typesGeneric';
import type { Producer, ProducerOptions } from './ProducerTypes';
import type { Consumer, ConsumerOptions } from './ConsumerTypes';
import type { DataProducer, DataProducerOptions } from './DataProducerTypes';
import type { DataConsumer, DataConsumerOptions } from './DataConsumerTypes';

/**
 * Transport type.
 */
export type TransportType = 'webrtc' | 'plain' | 'pipe' | 'direct';

/**
 * Where and how a transport (or a WebRtcServer) listens.
 */
export type TransportListenInfo = {
	/**
	 * Network protocol.
	 */
	protocol: TransportProtocol;

	/**
	 * Listening IPv4 or IPv6 (may be '0.0.0.0' or '::').
	 */
	ip: string;

	/**
	 * Announced IPv4, IPv6 or hostname (useful when running behind NAT with a
	 * private IP). It is what ICE candidates and tuples advertise.
	 */
	announcedAddress?: string;

	/**
	 * @deprecated Use |announcedAddress| instead.
	 */
	announcedIp?: string;

	/**
	 * In transports with ICE candidates, whether to also expose a candidate
	 * with the |ip| value when |announcedAddress| is given.
	 */
	exposeInternalIp?: boolean;

	/**
	 * Listening port. Ignored if |portRange| has both bounds.
	 */
	port?: number;

	/**
	 * Listening port range. If given |port| is ignored.
	 */
	portRange?: TransportPortRange;

	/**
	 * Socket flags.
	 */
	flags?: TransportSocketFlags;

	/**
	 * Send buffer size (bytes).
	 */
	sendBufferSize?: number;

	/**
	 * Recv buffer size (bytes).
	 */
	recvBufferSize?: number;
};

/**
 * @deprecated Use TransportListenInfo instead.
 */
export type TransportListenIp = {
	/**
	 * Listening IPv4 or IPv6.
	 */
	ip: string;

	/**
	 * Announced IPv4, IPv6 or hostname.
	 */
	announcedIp?: string;
};

/**
 * Transport protocol.
 */
export type TransportProtocol = 'udp' | 'tcp';

/**
 * Port range.
 */
export type TransportPortRange = {
	/**
	 * Lowest port in the range.
	 */
	min: number;

	/**
	 * Highest port in the range.
	 */
	max: number;
};

/**
 * UDP/TCP socket flags.
 */
export type TransportSocketFlags = {
	/**
	 * Disable dual-stack support so only IPv6 is used (only if |ip| is IPv6).
	 * Default false.
	 */
	ipv6Only?: boolean;

	/**
	 * Make different transports bind to the same IP and port (only for UDP).
	 * Default false.
	 */
	udpReusePort?: boolean;
};

/**
 * A local address and, once known, the remote one.
 */
export type TransportTuple = {
	/**
	 * @deprecated Use |localAddress| instead.
	 */
	localIp: string;
	localAddress: string;
	localPort: number;
	remoteIp?: string;
	remotePort?: number;
	protocol: TransportProtocol;
};

export type SctpState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export type RtpListenerDump = {
	ssrcTable: { key: number; value: string }[];
	midTable: { key: number; value: string }[];
	ridTable: { key: number; value: string }[];
};

export type SctpListenerDump = {
	streamIdTable: { key: number; value: string }[];
};

export type RecvRtpHeaderExtensions = {
	mid?: number;
	rid?: number;
	rrid?: number;
	absSendTime?: number;
	transportWideCc01?: number;
};

export type BaseTransportDump = {
	id: string;
	producerIds: string[];
	consumerIds: string[];
	mapSsrcConsumerId: { key: number; value: string }[];
	mapRtxSsrcConsumerId: { key: number; value: string }[];
	recvRtpHeaderExtensions: RecvRtpHeaderExtensions;
	rtpListener: RtpListenerDump;
	maxSendMessageSize: number;
	maxReceiveMessageSize: number;
	dataProducerIds: string[];
	dataConsumerIds: string[];
	sctpParameters?: SctpParameters;
	sctpState?: SctpState;
	sctpNegotiatedCapabilities?: SctpNegotiatedCapabilities;
	sctpListener?: SctpListenerDump;
	traceEventTypes?: string[];
	/**
	 * Counters of malformed or unexpected network input the transport dropped
	 * (an addition of this library; not in the reference).
	 */
	droppedPackets: {
		notStunDtlsRtpRtcp: number;
		invalidStun: number;
		stunUnauthorized: number;
		dtlsUnexpected: number;
		rtpBeforeSrtp: number;
		srtpDecryptFailed: number;
		srtcpDecryptFailed: number;
		invalidRtp: number;
		invalidRtcp: number;
		unknownTuple: number;
		/**
		 * ICE-TCP connections to the transport's own TCP servers closed at once
		 * (connection cap reached, or a frame too large before authentication).
		 */
		tcpConnectionRejected: number;
		/**
		 * ICE-TCP connections to the transport's own TCP servers closed for
		 * sending nothing valid in time (5 s before authentication, 30 s after).
		 */
		tcpConnectionTimedOut: number;
	};
};

export type BaseTransportStats = {
	transportId: string;
	timestamp: number;
	sctpState?: SctpState;
	bytesReceived: number;
	recvBitrate: number;
	bytesSent: number;
	sendBitrate: number;
	rtpBytesReceived: number;
	rtpRecvBitrate: number;
	rtpBytesSent: number;
	rtpSendBitrate: number;
	rtxBytesReceived: number;
	rtxRecvBitrate: number;
	rtxBytesSent: number;
	rtxSendBitrate: number;
	probationBytesSent: number;
	probationSendBitrate: number;
	availableOutgoingBitrate?: number;
	availableIncomingBitrate?: number;
	maxIncomingBitrate?: number;
	maxOutgoingBitrate?: number;
	minOutgoingBitrate?: number;
	rtpPacketLossReceived?: number;
	rtpPacketLossSent?: number;
};

/**
 * Valid types for the 'trace' event.
 */
export type TransportTraceEventType = 'probation' | 'bwe';

/**
 * 'trace' event data.
 */
export type TransportTraceEventData = {
	/**
	 * Trace type.
	 */
	type: TransportTraceEventType;

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

export type TransportEvents = {
	routerclose: [];
	listenserverclose: [];
	trace: [TransportTraceEventData];
	listenererror: [string, Error];
	// Private events.
	/**
	 * Emitted whenever the transport closes, whatever the reason (before the
	 * public events), so that its Router and WebRtcServer forget it.
	 */
	'@close': [];
	'@listenserverclose': [];
	/**
	 * A Producer was created on the transport (so that its Router knows it).
	 */
	'@newproducer': [Producer];
	/**
	 * A DataProducer was created on the transport (so that its Router knows
	 * it).
	 */
	'@newdataproducer': [DataProducer];
};

export type TransportObserver = EnhancedEventEmitter<TransportObserverEvents>;

export type TransportObserverEvents = {
	close: [];
	newproducer: [Producer];
	newconsumer: [Consumer];
	newdataproducer: [DataProducer];
	newdataconsumer: [DataConsumer];
	trace: [TransportTraceEventData];
};

export interface Transport<
	TransportAppData extends AppData = AppData,
	Events extends TransportEvents = TransportEvents,
	Observer extends TransportObserver = TransportObserver,
> extends EnhancedEventEmitter<Events> {
	/**
	 * Transport id.
	 */
	get id(): string;

	/**
	 * Whether the Transport is closed.
	 */
	get closed(): boolean;

	/**
	 * Transport type (fixed per subclass).
	 */
	get type(): TransportType;

	/**
	 * App custom data.
	 */
	get appData(): TransportAppData;

	set appData(appData: TransportAppData);

	/**
	 * Observer.
	 */
	get observer(): Observer;

	/**
	 * Close the Transport.
	 */
	close(): void;

	/**
	 * Router was closed.
	 *
	 * @private
	 */
	routerClosed(): void;

	/**
	 * Listen server was closed (only WebRtcTransports created on a
	 * WebRtcServer).
	 *
	 * @private
	 */
	listenServerClosed(): void;

	/**
	 * Dump Transport.
	 */
	dump(): Promise<BaseTransportDump>;

	/**
	 * Get Transport stats.
	 */
	getStats(): Promise<BaseTransportStats[]>;

	/**
	 * Provide the Transport remote parameters.
	 */
	connect(params: unknown): Promise<void>;

	/**
	 * Set maximum incoming bitrate for receiving media (bps, 0 = unlimited).
	 */
	setMaxIncomingBitrate(bitrate: number): Promise<void>;

	/**
	 * Set maximum outgoing bitrate for sending media (bps, 0 = unlimited).
	 */
	setMaxOutgoingBitrate(bitrate: number): Promise<void>;

	/**
	 * Set minimum outgoing bitrate for sending media (bps, 0 = unset).
	 */
	setMinOutgoingBitrate(bitrate: number): Promise<void>;

	/**
	 * Create a Producer.
	 */
	produce<ProducerAppData extends AppData = AppData>(
		options: ProducerOptions<ProducerAppData>
	): Promise<Producer<ProducerAppData>>;

	/**
	 * Create a Consumer.
	 */
	consume<ConsumerAppData extends AppData = AppData>(
		options: ConsumerOptions<ConsumerAppData>
	): Promise<Consumer<ConsumerAppData>>;

	/**
	 * Create a DataProducer ('sctp' on WebRtc, Plain and Pipe transports with
	 * SCTP enabled, 'direct' on a DirectTransport).
	 */
	produceData<DataProducerAppData extends AppData = AppData>(
		options?: DataProducerOptions<DataProducerAppData>
	): Promise<DataProducer<DataProducerAppData>>;

	/**
	 * Create a DataConsumer of a DataProducer of the Router.
	 */
	consumeData<DataConsumerAppData extends AppData = AppData>(
		options: DataConsumerOptions<DataConsumerAppData>
	): Promise<DataConsumer<DataConsumerAppData>>;

	/**
	 * Enable 'trace' event. Unknown types are ignored; [] disables them all.
	 */
	enableTraceEvent(types?: TransportTraceEventType[]): Promise<void>;
}
