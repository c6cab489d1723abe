import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import { NotFoundError, WorkerClosedError } from './errors';
import type {
	DataProducer,
	DataProducerDump,
	DataProducerEvents,
	DataProducerObserver,
	DataProducerObserverEvents,
	DataProducerStat,
	DataProducerType,
} from './DataProducerTypes';
import type { SctpStreamParameters } from './sctpParametersTypes';
import type { AppData } from './typesGeneric';
import { clone } from './utils';
import { PauseState } from './pauseState';
import {
	normalizeMessage,
	normalizeSubchannel,
	normalizeSubchannels,
	parseDataType,
	parseSctpStreamParameters,
} from './sctpParametersFbs';
import { Method } from './fbs/request/method';
import { Body as RequestBody } from './fbs/request/body';
import { Body as ResponseBody } from './fbs/response/body';
import { Event } from './fbs/notification/event';
import { Body as NotificationBody } from './fbs/notification/body';
import type { Notification } from './fbs/notification/notification';
import { CloseDataProducerRequest as FbsCloseDataProducerRequest } from './fbs/transport/close-data-producer-request';
import { DumpResponse as FbsDumpResponse } from './fbs/data-producer/dump-response';
import { GetStatsResponse as FbsGetStatsResponse } from './fbs/data-producer/get-stats-response';
import { SendNotification as FbsSendNotification } from './fbs/data-producer/send-notification';

const logger = new Logger('DataProducer');

export type DataProducerInternal = {
	transportId: string;
	dataProducerId: string;
};

export type DataProducerData = {
	type: DataProducerType;
	sctpStreamParameters?: SctpStreamParameters;
	label: string;
	protocol: string;
	/**
	 * Largest message send() accepts: the DirectTransport's
	 * maxReceiveMessageSize.
	 */
	maxMessageSize: number;
};

export class DataProducerImpl<DataProducerAppData extends AppData = AppData>
	extends EnhancedEventEmitter<DataProducerEvents>
	implements DataProducer<DataProducerAppData>
{
	readonly #internal: DataProducerInternal;
	readonly #data: DataProducerData;
	readonly #channel: Channel;
	#closed = false;
	#appData: DataProducerAppData;
	readonly #pauseState: PauseState;
	readonly #observer: DataProducerObserver = new EnhancedEventEmitter<DataProducerObserverEvents>();

	constructor({
		internal,
		data,
		channel,
		appData,
		paused,
	}: {
		internal: DataProducerInternal;
		data: DataProducerData;
		channel: Channel;
		appData?: DataProducerAppData;
		paused: boolean;
	}) {
		super();

		logger.debug('constructor()');

		this.#internal = internal;
		this.#data = data;
		this.#channel = channel;
		this.#appData = appData || ({} as DataProducerAppData);
		this.#pauseState = new PauseState({
			paused,
			request: async toPause =>
				this.#channel.request(
					toPause ? Method.DATAPRODUCER_PAUSE : Method.DATAPRODUCER_RESUME,
					undefined,
					undefined,
					this.#internal.dataProducerId
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

		this.#handleWorkerNotifications();
	}

	get id(): string {
		return this.#internal.dataProducerId;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get type(): DataProducerType {
		return this.#data.type;
	}

	get sctpStreamParameters(): SctpStreamParameters | undefined {
		return clone(this.#data.sctpStreamParameters);
	}

	get label(): string {
		return this.#data.label;
	}

	get protocol(): string {
		return this.#data.protocol;
	}

	get paused(): boolean {
		return this.#pauseState.paused;
	}

	get appData(): DataProducerAppData {
		return this.#appData;
	}

	set appData(appData: DataProducerAppData) {
		this.#appData = appData;
	}

	get observer(): DataProducerObserver {
		return this.#observer;
	}

	/**
	 * Just for testing purposes.
	 */
	get channelForTesting(): Channel {
		return this.#channel;
	}

	close(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('close()');

		this.#setClosed();

		// Fire and forget: a closed transport or a dead worker make it fail, and
		// either way the DataProducer is gone there. The worker tells its
		// DataConsumers.
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsCloseDataProducerRequest.createCloseDataProducerRequest(
			builder,
			builder.createString(this.#internal.dataProducerId)
		);

		this.#channel
			.request(
				Method.TRANSPORT_CLOSE_DATAPRODUCER,
				RequestBody.Transport_CloseDataProducerRequest,
				bodyOffset,
				this.#internal.transportId
			)
			.catch(() => {});

		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	transportClosed(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('transportClosed()');

		// The worker closed it along with its transport.
		this.#setClosed();

		this.emit('@close');
		this.safeEmit('transportclose');
		this.#observer.safeEmit('close');
	}

	async dump(): Promise<DataProducerDump> {
		logger.debug('dump()');

		this.#assertNotClosed();

		const response = await this.#channel.request(
			Method.DATAPRODUCER_DUMP,
			undefined,
			undefined,
			this.#internal.dataProducerId
		);

		if (response.bodyType() !== ResponseBody.DataProducer_DumpResponse) {
			throw new Error('unexpected response body to DataProducer dump()');
		}

		const body = new FbsDumpResponse();

		response.body(body);

		return parseDataProducerDumpResponse(body);
	}

	async getStats(): Promise<DataProducerStat[]> {
		logger.debug('getStats()');

		this.#assertNotClosed();

		const response = await this.#channel.request(
			Method.DATAPRODUCER_GET_STATS,
			undefined,
			undefined,
			this.#internal.dataProducerId
		);

		if (response.bodyType() !== ResponseBody.DataProducer_GetStatsResponse) {
			throw new Error('unexpected response body to DataProducer getStats()');
		}

		const body = new FbsGetStatsResponse();

		response.body(body);

		return [
			{
				type: 'data-producer',
				timestamp: Number(body.timestamp()) || Date.now(),
				label: body.label()!,
				protocol: body.protocol()!,
				messagesReceived: Number(body.messagesReceived()),
				bytesReceived: Number(body.bytesReceived()),
			},
		];
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

	/**
	 * Argument errors are TypeErrors thrown before anything else; a message
	 * sent through a closed DataProducer (worker alive) is silently dropped,
	 * as Producer.send() does.
	 */
	send(
		message: string | Buffer,
		ppid?: number,
		subchannels?: number[],
		requiredSubchannel?: number,
		ignoredSubchannel?: number
	): void {
		const normalized = normalizeMessage(message, ppid);

		if (this.#data.type !== 'direct') {
			throw new TypeError(
				`send() is only available in DataProducers of a DirectTransport (this one is '${this.#data.type}')`
			);
		}

		if (normalized.payload.length > this.#data.maxMessageSize) {
			throw new TypeError(
				`message too big (${normalized.payload.length} bytes, maxReceiveMessageSize of the DirectTransport is ${this.#data.maxMessageSize})`
			);
		}

		const normalizedSubchannels =
			subchannels === undefined || subchannels === null
				? undefined
				: normalizeSubchannels(subchannels, 'subchannels');
		const normalizedRequired =
			requiredSubchannel === undefined || requiredSubchannel === null
				? null
				: normalizeSubchannel(requiredSubchannel, 'requiredSubchannel');
		const normalizedIgnored =
			ignoredSubchannel === undefined || ignoredSubchannel === null
				? null
				: normalizeSubchannel(ignoredSubchannel, 'ignoredSubchannel');

		if (this.#channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.#closed) {
			return;
		}

		const builder = this.#channel.bufferBuilder;
		const dataOffset = FbsSendNotification.createDataVector(builder, normalized.payload);
		const subchannelsOffset = normalizedSubchannels
			? FbsSendNotification.createSubchannelsVector(builder, normalizedSubchannels)
			: 0;
		const bodyOffset = FbsSendNotification.createSendNotification(
			builder,
			normalized.ppid,
			dataOffset,
			subchannelsOffset,
			normalizedRequired,
			normalizedIgnored
		);

		this.#channel.notify(
			Event.DATAPRODUCER_SEND,
			NotificationBody.DataProducer_SendNotification,
			bodyOffset,
			this.#internal.dataProducerId
		);
	}

	/**
	 * A closed DataProducer rejects with NotFoundError while its Worker lives,
	 * and with WorkerClosedError once the Worker is gone.
	 */
	#assertNotClosed(): void {
		if (this.#channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.#closed) {
			throw new NotFoundError(
				`DataProducer closed [dataProducerId:${this.#internal.dataProducerId}]`
			);
		}
	}

	#setClosed(): void {
		this.#closed = true;

		// No notification of a closed DataProducer is of interest.
		this.#channel.removeAllListeners(this.#internal.dataProducerId);
	}

	#handleWorkerNotifications(): void {
		// The worker sends no notification to DataProducers; anything else is
		// a mismatch worth logging.
		this.#channel.on(this.#internal.dataProducerId, (event: Event, _notification: Notification) => {
			logger.error(`ignoring unknown event "${event}"`);
		});
	}
}

export function parseDataProducerDumpResponse(body: FbsDumpResponse): DataProducerDump {
	const dump: DataProducerDump = {
		id: body.id()!,
		paused: body.paused(),
		type: parseDataType(body.type()),
		label: body.label()!,
		protocol: body.protocol()!,
	};
	const sctpStreamParameters = body.sctpStreamParameters();

	if (sctpStreamParameters) {
		dump.sctpStreamParameters = parseSctpStreamParameters(sctpStreamParameters);
	}

	return dump;
}
