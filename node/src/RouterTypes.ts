import type { EnhancedEventEmitter } from './enhancedEvents';
import type { RouterRtpCodecCapability, RtpCapabilities } from './rtpParametersTypes';
import type { AppData } from './typesGeneric';
import type { Transport } from './TransportTypes';
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
	 * Pipes arrive with later work; until then this rejects with
	 * UnsupportedError.
	 */
	pipeToRouter(options?: unknown): Promise<never>;

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
