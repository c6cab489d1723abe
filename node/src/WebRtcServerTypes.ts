import type { EnhancedEventEmitter } from './enhancedEvents';
import type { TransportListenInfo } from './TransportTypes';
import type { WebRtcTransport } from './WebRtcTransportTypes';
import type { AppData } from './typesGeneric';

export type WebRtcServerOptions<WebRtcServerAppData extends AppData = AppData> = {
	/**
	 * Listen infos: one UDP socket or one TCP server each.
	 */
	listenInfos: TransportListenInfo[];

	/**
	 * Custom application data.
	 */
	appData?: WebRtcServerAppData;
};

/**
 * @deprecated Use TransportListenInfo instead.
 */
export type WebRtcServerListenInfo = TransportListenInfo;

export type IpPort = {
	ip: string;
	port: number;
};

export type IceUserNameFragment = {
	localIceUsernameFragment: string;
	webRtcTransportId: string;
};

export type WebRtcServerDump = {
	id: string;
	udpSockets: IpPort[];
	tcpServers: IpPort[];
	webRtcTransportIds: string[];
	localIceUsernameFragments: IceUserNameFragment[];
	/**
	 * Known remote tuples and the transport each belongs to.
	 */
	tupleHashes: { tupleHash: number; webRtcTransportId: string }[];
	/**
	 * ICE-TCP connections open now (an addition of this library).
	 */
	tcpConnectionCount: number;
	/**
	 * ICE-TCP connections closed at once: the server's connection cap was
	 * reached, or a frame too large arrived before authentication.
	 */
	tcpConnectionRejected: number;
	/**
	 * ICE-TCP connections closed for sending nothing valid in time (5 s before
	 * authentication, 30 s after).
	 */
	tcpConnectionTimedOut: number;
	/**
	 * Network input the server dropped itself, having no transport to hand it
	 * to (an addition of this library; not in the reference): STUN that does
	 * not parse, STUN for a username fragment of no transport, and anything
	 * else from a tuple of no transport.
	 */
	droppedPackets: {
		invalidStun: number;
		stunUnauthorized: number;
		unknownTuple: number;
	};
};

export type WebRtcServerEvents = {
	workerclose: [];
	listenererror: [string, Error];
	// Private events.
	'@close': [];
};

export type WebRtcServerObserver = EnhancedEventEmitter<WebRtcServerObserverEvents>;

export type WebRtcServerObserverEvents = {
	close: [];
	webrtctransporthandled: [WebRtcTransport];
	webrtctransportunhandled: [WebRtcTransport];
};

export interface WebRtcServer<
	WebRtcServerAppData extends AppData = AppData,
> extends EnhancedEventEmitter<WebRtcServerEvents> {
	/**
	 * WebRtcServer id.
	 */
	get id(): string;

	/**
	 * Whether the WebRtcServer is closed.
	 */
	get closed(): boolean;

	/**
	 * App custom data.
	 */
	get appData(): WebRtcServerAppData;

	set appData(appData: WebRtcServerAppData);

	/**
	 * Observer.
	 */
	get observer(): WebRtcServerObserver;

	/**
	 * Close the WebRtcServer.
	 */
	close(): void;

	/**
	 * Worker was closed.
	 *
	 * @private
	 */
	workerClosed(): void;

	/**
	 * Dump WebRtcServer.
	 */
	dump(): Promise<WebRtcServerDump>;

	/**
	 * Called by the Router when a WebRtcTransport is created on this server.
	 *
	 * @private
	 */
	handleWebRtcTransport(webRtcTransport: WebRtcTransport): void;
}
