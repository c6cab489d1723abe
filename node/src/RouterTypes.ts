import type { EnhancedEventEmitter } from './enhancedEvents';
import type { RouterRtpCodecCapability, RtpCapabilities } from './rtpParametersTypes';
import type { AppData } from './typesGeneric';
import type { Transport, TransportListenInfo, TransportListenIp } from './TransportTypes';
import type { WebRtcTransport, WebRtcTransportOptions } from './WebRtcTransportTypes';
import type { PlainTransport, PlainTransportOptions } from './PlainTransportTypes';
import type { PipeTransport, PipeTransportOptions } from './PipeTransportTypes';
import type { DirectTransport, DirectTransportOptions } from './DirectTransportTypes';
import type { RtpObserver } from './RtpObserverTypes';
import type {
	ActiveSpeakerObserver,
	ActiveSpeakerObserverOptions,
} from './ActiveSpeakerObserverTypes';
import type { AudioLevelObserver, AudioLevelObserverOptions } from './AudioLevelObserverTypes';
import type { Producer } from './ProducerTypes';
import type { Consumer } from './ConsumerTypes';
import type { DataProducer } from './DataProducerTypes';
import type { DataConsumer } from './DataConsumerTypes';
import type { Either } from './typesGeneric';

export type RouterOptions<RouterAppData extends AppData = AppData> = {
	/**
	 * Router media codecs.
	 */
	mediaCodecs?: RouterRtpCodecCapability[];

	/**
	 * Custom application data.
	 */
	appData?: RouterAppData;
};

export type PipeToRouterOptions = PipeToRouterOptionsBase & PipeToRouterListen;

type PipeToRouterOptionsBase = {
	/**
	 * The id of the Producer to pipe (exactly one of producerId and
	 * dataProducerId).
	 */
	producerId?: string;

	/**
	 * The id of the DataProducer to pipe (exactly one of producerId and
	 * dataProducerId).
	 */
	dataProducerId?: string;

	/**
	 * The destination Router (not this one).
	 */
	router: Router;

	/**
	 * Give the pipe Producer/DataProducer the id of the original. Default
	 * true. Ids are unique per Worker, so routers in the same Worker need
	 * false.
	 */
	keepId?: boolean;

	/**
	 * Create a SCTP association between the pipe transports. Default true.
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
	 * Enable RTX and NACK for RTP retransmission. Default false.
	 */
	enableRtx?: boolean;

	/**
	 * Enable SRTP. Default false.
	 */
	enableSrtp?: boolean;
};

type PipeToRouterListen = Either<PipeToRouterListenInfo, PipeToRouterListenIp>;

type PipeToRouterListenInfo = {
	/**
	 * Listening info of both pipe transports. Default
	 * { protocol: 'udp', ip: '127.0.0.1' }.
	 */
	listenInfo: TransportListenInfo;
};

type PipeToRouterListenIp = {
	/**
	 * Listening IP address of both pipe transports.
	 *
	 * @deprecated Use |listenInfo| instead.
	 */
	listenIp?: TransportListenIp | string;
};

export type PipeToRouterResult = {
	/**
	 * The Consumer created in the pipe transport of this Router.
	 */
	pipeConsumer?: Consumer;

	/**
	 * The Producer created in the pipe transport of the destination Router.
	 */
	pipeProducer?: Producer;

	/**
	 * The DataConsumer created in the pipe transport of this Router.
	 */
	pipeDataConsumer?: DataConsumer;

	/**
	 * The DataProducer created in the pipe transport of the destination
	 * Router.
	 */
	pipeDataProducer?: DataProducer;
};

/**
 * The two connected PipeTransports between two Routers, by Router id.
 */
export type PipeTransportPair = {
	[key: string]: PipeTransport;
};

export type RouterDump = {
	/**
	 * The Router id.
	 */
	id: string;
	/**
	 * Id of Transports.
	 */
	transportIds: string[];
	/**
	 * Id of RtpObservers.
	 */
	rtpObserverIds: string[];
	/**
	 * Array of Producer id and its respective Consumer ids.
	 */
	mapProducerIdConsumerIds: { key: string; values: string[] }[];
	/**
	 * Array of Consumer id and its Producer id.
	 */
	mapConsumerIdProducerId: { key: string; value: string }[];
	/**
	 * Array of Producer id and its respective Observer ids.
	 */
	mapProducerIdObserverIds: { key: string; values: string[] }[];
	/**
	 * Array of Producer id and its respective DataConsumer ids.
	 */
	mapDataProducerIdDataConsumerIds: { key: string; values: string[] }[];
	/**
	 * Array of DataConsumer id and its DataProducer id.
	 */
	mapDataConsumerIdDataProducerId: { key: string; value: string }[];
};

export type RouterEvents = {
	workerclose: [];
	listenererror: [string, Error];
	// Private events.
	'@close': [];
};

export type RouterObserver = EnhancedEventEmitter<RouterObserverEvents>;

export type RouterObserverEvents = {
	close: [];
	newtransport: [Transport];
	newrtpobserver: [RtpObserver];
};

export interface Router<
	RouterAppData extends AppData = AppData,
> extends EnhancedEventEmitter<RouterEvents> {
	/**
	 * Router id.
	 */
	get id(): string;

	/**
	 * Whether the Router is closed.
	 */
	get closed(): boolean;

	/**
	 * RTP capabilities of the Router.
	 */
	get rtpCapabilities(): RtpCapabilities;

	/**
	 * App custom data.
	 */
	get appData(): RouterAppData;

	set appData(appData: RouterAppData);

	/**
	 * Observer.
	 */
	get observer(): RouterObserver;

	/**
	 * Close the Router.
	 */
	close(): void;

	/**
	 * Worker was closed.
	 *
	 * @private
	 */
	workerClosed(): void;

	/**
	 * Dump Router.
	 */
	dump(): Promise<RouterDump>;

	/**
	 * Check whether the given RTP capabilities can consume the given Producer.
	 */
	canConsume({
		producerId,
		rtpCapabilities,
	}: {
		producerId: string;
		rtpCapabilities: RtpCapabilities;
	}): boolean;

	/**
	 * Update the Router media codecs. Existing Producers and Consumers are not
	 * affected.
	 */
	updateMediaCodecs(mediaCodecs: RouterRtpCodecCapability[]): void;

	/**
	 * Create a WebRtcTransport.
	 */
	createWebRtcTransport<WebRtcTransportAppData extends AppData = AppData>(
		options: WebRtcTransportOptions<WebRtcTransportAppData>
	): Promise<WebRtcTransport<WebRtcTransportAppData>>;

	/**
	 * Create a PlainTransport.
	 */
	createPlainTransport<PlainTransportAppData extends AppData = AppData>(
		options: PlainTransportOptions<PlainTransportAppData>
	): Promise<PlainTransport<PlainTransportAppData>>;

	/**
	 * Create a PipeTransport.
	 */
	createPipeTransport<PipeTransportAppData extends AppData = AppData>(
		options: PipeTransportOptions<PipeTransportAppData>
	): Promise<PipeTransport<PipeTransportAppData>>;

	/**
	 * Create a DirectTransport.
	 */
	createDirectTransport<DirectTransportAppData extends AppData = AppData>(
		options?: DirectTransportOptions<DirectTransportAppData>
	): Promise<DirectTransport<DirectTransportAppData>>;

	/**
	 * Pipe a Producer or a DataProducer of this Router into another Router
	 * (in this Worker or in another one).
	 */
	pipeToRouter(options: PipeToRouterOptions): Promise<PipeToRouterResult>;

	/**
	 * Create an ActiveSpeakerObserver.
	 */
	createActiveSpeakerObserver<ActiveSpeakerObserverAppData extends AppData = AppData>(
		options?: ActiveSpeakerObserverOptions<ActiveSpeakerObserverAppData>
	): Promise<ActiveSpeakerObserver<ActiveSpeakerObserverAppData>>;

	/**
	 * Create an AudioLevelObserver.
	 */
	createAudioLevelObserver<AudioLevelObserverAppData extends AppData = AppData>(
		options?: AudioLevelObserverOptions<AudioLevelObserverAppData>
	): Promise<AudioLevelObserver<AudioLevelObserverAppData>>;
}
