import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import { NotFoundError, WorkerClosedError } from './errors';
import type { Producer } from './ProducerTypes';
import type {
	RtpObserver,
	RtpObserverEvents,
	RtpObserverObserver,
	RtpObserverType,
} from './RtpObserverTypes';
import type { AppData } from './typesGeneric';
import { isPlainObject } from './utils';
import { PauseState } from './pauseState';
import { Method } from './fbs/request/method';
import { Body as RequestBody } from './fbs/request/body';
import { AddProducerRequest as FbsAddProducerRequest } from './fbs/rtp-observer/add-producer-request';
import { RemoveProducerRequest as FbsRemoveProducerRequest } from './fbs/rtp-observer/remove-producer-request';
import { CloseRtpObserverRequest as FbsCloseRtpObserverRequest } from './fbs/router/close-rtp-observer-request';
import { MAX_UINT16 } from './validation';

const logger = new Logger('RtpObserver');

/**
 * Ids an RtpObserver needs to address itself and its Router in the worker,
 * and the Router's Producers it can be given.
 */
export type RtpObserverInternal = {
	routerId: string;
	rtpObserverId: string;
	/**
	 * A Producer of any transport of the Router.
	 */
	getProducerById: (producerId: string) => Producer | undefined;
};

export type RtpObserverConstructorOptions<RtpObserverAppData, Observer> = {
	internal: RtpObserverInternal;
	channel: Channel;
	appData?: RtpObserverAppData;
	observer: Observer;
};

/**
 * Everything RtpObservers have in common. Subclasses provide `type`, the
 * observer instance and the handling of their own notifications.
 */
export abstract class RtpObserverImpl<
	RtpObserverAppData extends AppData,
	Events extends RtpObserverEvents,
	Observer extends RtpObserverObserver,
>
	extends EnhancedEventEmitter<Events>
	implements RtpObserver<RtpObserverAppData, Events, Observer>
{
	readonly #internal: RtpObserverInternal;
	readonly #channel: Channel;
	readonly #observer: Observer;
	#closed = false;
	readonly #pauseState: PauseState;
	#appData: RtpObserverAppData;

	protected constructor({
		internal,
		channel,
		appData,
		observer,
	}: RtpObserverConstructorOptions<RtpObserverAppData, Observer>) {
		super();

		logger.debug('constructor()');

		this.#internal = internal;
		this.#channel = channel;
		this.#observer = observer;
		this.#appData = appData || ({} as RtpObserverAppData);
		this.#pauseState = new PauseState({
			paused: false,
			request: async toPause =>
				this.#channel.request(
					toPause ? Method.RTPOBSERVER_PAUSE : Method.RTPOBSERVER_RESUME,
					undefined,
					undefined,
					this.#internal.rtpObserverId
				),
			onChange: nowPaused => {
				if (!this.#closed) {
					this.#observer.safeEmit(nowPaused ? 'pause' : 'resume');
				}
			},
		});

		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});
	}

	get id(): string {
		return this.#internal.rtpObserverId;
	}

	get closed(): boolean {
		return this.#closed;
	}

	abstract get type(): RtpObserverType;

	get paused(): boolean {
		return this.#pauseState.paused;
	}

	get appData(): RtpObserverAppData {
		return this.#appData;
	}

	set appData(appData: RtpObserverAppData) {
		this.#appData = appData;
	}

	get observer(): Observer {
		return this.#observer;
	}

	protected get channel(): Channel {
		return this.#channel;
	}

	close(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('close()');

		this.#setClosed();

		// Fire and forget: a closed Router or a dead worker make it fail, and
		// either way the RtpObserver is gone there.
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsCloseRtpObserverRequest.createCloseRtpObserverRequest(
			builder,
			builder.createString(this.#internal.rtpObserverId)
		);

		this.#channel
			.request(
				Method.ROUTER_CLOSE_RTPOBSERVER,
				RequestBody.Router_CloseRtpObserverRequest,
				bodyOffset,
				this.#internal.routerId
			)
			.catch(() => {});

		this.#events.emit('@close');
		this.#observer.safeEmit('close');
	}

	routerClosed(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('routerClosed()');

		// The worker closed it along with its Router.
		this.#setClosed();

		this.#events.emit('@close');
		this.#events.safeEmit('routerclose');
		this.#observer.safeEmit('close');
	}

	async pause(): Promise<void> {
		logger.debug('pause()');

		this.#assertNotClosed();

		await this.#pauseState.set(true);
	}

	async resume(): Promise<void> {
		logger.debug('resume()');

		this.#assertNotClosed();

		await this.#pauseState.set(false);
	}

	async addProducer(options: { producerId: string }): Promise<void> {
		logger.debug('addProducer()');

		const producer = this.#producerOf(options);
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsAddProducerRequest.createAddProducerRequest(
			builder,
			builder.createString(producer.id)
		);

		await this.#channel.request(
			Method.RTPOBSERVER_ADD_PRODUCER,
			RequestBody.RtpObserver_AddProducerRequest,
			bodyOffset,
			this.#internal.rtpObserverId
		);

		this.#observer.safeEmit('addproducer', producer);
	}

	async removeProducer(options: { producerId: string }): Promise<void> {
		logger.debug('removeProducer()');

		const producer = this.#producerOf(options);
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsRemoveProducerRequest.createRemoveProducerRequest(
			builder,
			builder.createString(producer.id)
		);

		await this.#channel.request(
			Method.RTPOBSERVER_REMOVE_PRODUCER,
			RequestBody.RtpObserver_RemoveProducerRequest,
			bodyOffset,
			this.#internal.rtpObserverId
		);

		this.#observer.safeEmit('removeproducer', producer);
	}

	/**
	 * A Producer of the Router (subclasses resolve the ids of notifications).
	 */
	protected getProducerById(producerId: string): Producer | undefined {
		return this.#internal.getProducerById(producerId);
	}

	/**
	 * The Producer addProducer()/removeProducer() name. The closed checks come
	 * first, then the argument checks (TypeError), then the Producer must
	 * exist in the Router (NotFoundError).
	 */
	#producerOf(options: unknown): Producer {
		this.#assertNotClosed();

		if (!isPlainObject(options)) {
			throw new TypeError('options must be an object');
		}

		const { producerId } = options;

		if (typeof producerId !== 'string') {
			throw new TypeError('producerId must be a string');
		}

		const producer = this.#internal.getProducerById(producerId);

		if (!producer) {
			throw new NotFoundError(`Producer with id "${producerId}" not found`);
		}

		return producer;
	}

	/**
	 * A closed RtpObserver rejects with NotFoundError while its Worker lives,
	 * and with WorkerClosedError once the Worker is gone.
	 */
	#assertNotClosed(): void {
		if (this.#channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.#closed) {
			throw new NotFoundError(`RtpObserver closed [rtpObserverId:${this.#internal.rtpObserverId}]`);
		}
	}

	get #events(): EnhancedEventEmitter<RtpObserverEvents> {
		return this as unknown as EnhancedEventEmitter<RtpObserverEvents>;
	}

	#setClosed(): void {
		this.#closed = true;

		// No notification of a closed RtpObserver is of interest.
		this.#channel.removeAllListeners(this.#internal.rtpObserverId);
	}
}

/**
 * A number the worker reads as uint16 (options of the RtpObservers),
 * truncated and saturated rather than wrapped.
 */
export function toUint16(value: number): number {
	return Math.min(Math.max(Math.trunc(value), 0), MAX_UINT16);
}
