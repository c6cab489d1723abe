import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import { NotFoundError, WorkerClosedError } from './errors';
import type {
	DataConsumer,
	DataConsumerDump,
	DataConsumerEvents,
	DataConsumerObserver,
	DataConsumerObserverEvents,
	DataConsumerStat,
	DataConsumerType,
} from './DataConsumerTypes';
import type { SctpStreamParameters } from './sctpParametersTypes';
import type { AppData } from './typesGeneric';
import { clone } from './utils';
import { PauseState } from './pauseState';
import { MAX_UINT32, validateInteger } from './validation';
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
import type { Response } from './fbs/response/response';
import { Event } from './fbs/notification/event';
import type { Notification } from './fbs/notification/notification';
import { CloseDataConsumerRequest as FbsCloseDataConsumerRequest } from './fbs/transport/close-data-consumer-request';
import { DumpResponse as FbsDumpResponse } from './fbs/data-consumer/dump-response';
import { GetStatsResponse as FbsGetStatsResponse } from './fbs/data-consumer/get-stats-response';
import { GetBufferedAmountResponse as FbsGetBufferedAmountResponse } from './fbs/data-consumer/get-buffered-amount-response';
import { SetBufferedAmountLowThresholdRequest as FbsSetBufferedAmountLowThresholdRequest } from './fbs/data-consumer/set-buffered-amount-low-threshold-request';
import { SendRequest as FbsSendRequest } from './fbs/data-consumer/send-request';
import { SetSubchannelsRequest as FbsSetSubchannelsRequest } from './fbs/data-consumer/set-subchannels-request';
import { SetSubchannelsResponse as FbsSetSubchannelsResponse } from './fbs/data-consumer/set-subchannels-response';
import { AddSubchannelRequest as FbsAddSubchannelRequest } from './fbs/data-consumer/add-subchannel-request';
import { RemoveSubchannelRequest as FbsRemoveSubchannelRequest } from './fbs/data-consumer/remove-subchannel-request';
import { BufferedAmountLowNotification as FbsBufferedAmountLowNotification } from './fbs/data-consumer/buffered-amount-low-notification';
import { MessageNotification as FbsMessageNotification } from './fbs/data-consumer/message-notification';

const logger = new Logger('DataConsumer');

export type DataConsumerInternal = {
	transportId: string;
	dataConsumerId: string;
};

export type DataConsumerData = {
	dataProducerId: string;
	type: DataConsumerType;
	sctpStreamParameters?: SctpStreamParameters;
	label: string;
	protocol: string;
	/**
	 * Largest message send() accepts: the transport's maxSendMessageSize.
	 */
	maxMessageSize: number;
};

export class DataConsumerImpl<DataConsumerAppData extends AppData = AppData>
	extends EnhancedEventEmitter<DataConsumerEvents>
	implements DataConsumer<DataConsumerAppData>
{
	readonly #internal: DataConsumerInternal;
	readonly #data: DataConsumerData;
	readonly #channel: Channel;
	#closed = false;
	#appData: DataConsumerAppData;
	readonly #pauseState: PauseState;
	#dataProducerPaused: boolean;
	#subchannels: number[];
	readonly #observer: DataConsumerObserver = new EnhancedEventEmitter<DataConsumerObserverEvents>();

	constructor({
		internal,
		data,
		channel,
		appData,
		paused,
		dataProducerPaused,
		subchannels,
	}: {
		internal: DataConsumerInternal;
		data: DataConsumerData;
		channel: Channel;
		appData?: DataConsumerAppData;
		paused: boolean;
		dataProducerPaused: boolean;
		subchannels: number[];
	}) {
		super();

		logger.debug('constructor()');

		this.#internal = internal;
		this.#data = data;
		this.#channel = channel;
		this.#appData = appData || ({} as DataConsumerAppData);
		this.#pauseState = new PauseState({
			paused,
			request: async toPause =>
				this.#channel.request(
					toPause ? Method.DATACONSUMER_PAUSE : Method.DATACONSUMER_RESUME,
					undefined,
					undefined,
					this.#internal.dataConsumerId
				),
			onChange: nowPaused => {
				if (!this.#closed && !this.#dataProducerPaused) {
					this.#observer.safeEmit(nowPaused ? 'pause' : 'resume');
				}
			},
		});
		this.#dataProducerPaused = dataProducerPaused;
		this.#subchannels = subchannels;

		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});

		this.#handleWorkerNotifications();
	}

	get id(): string {
		return this.#internal.dataConsumerId;
	}

	get dataProducerId(): string {
		return this.#data.dataProducerId;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get type(): DataConsumerType {
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

	get dataProducerPaused(): boolean {
		return this.#dataProducerPaused;
	}

	get subchannels(): number[] {
		return [...this.#subchannels];
	}

	get appData(): DataConsumerAppData {
		return this.#appData;
	}

	set appData(appData: DataConsumerAppData) {
		this.#appData = appData;
	}

	get observer(): DataConsumerObserver {
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
		// either way the DataConsumer is gone there.
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsCloseDataConsumerRequest.createCloseDataConsumerRequest(
			builder,
			builder.createString(this.#internal.dataConsumerId)
		);

		this.#channel
			.request(
				Method.TRANSPORT_CLOSE_DATACONSUMER,
				RequestBody.Transport_CloseDataConsumerRequest,
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

	async dump(): Promise<DataConsumerDump> {
		logger.debug('dump()');

		this.#assertNotClosed();

		const response = await this.#channel.request(
			Method.DATACONSUMER_DUMP,
			undefined,
			undefined,
			this.#internal.dataConsumerId
		);

		if (response.bodyType() !== ResponseBody.DataConsumer_DumpResponse) {
			throw new Error('unexpected response body to DataConsumer dump()');
		}

		const body = new FbsDumpResponse();

		response.body(body);

		return parseDataConsumerDumpResponse(body);
	}

	async getStats(): Promise<DataConsumerStat[]> {
		logger.debug('getStats()');

		this.#assertNotClosed();

		const response = await this.#channel.request(
			Method.DATACONSUMER_GET_STATS,
			undefined,
			undefined,
			this.#internal.dataConsumerId
		);

		if (response.bodyType() !== ResponseBody.DataConsumer_GetStatsResponse) {
			throw new Error('unexpected response body to DataConsumer getStats()');
		}

		const body = new FbsGetStatsResponse();

		response.body(body);

		return [
			{
				type: 'data-consumer',
				timestamp: Number(body.timestamp()) || Date.now(),
				label: body.label()!,
				protocol: body.protocol()!,
				messagesSent: Number(body.messagesSent()),
				bytesSent: Number(body.bytesSent()),
				bufferedAmount: body.bufferedAmount(),
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

	async setBufferedAmountLowThreshold(threshold: number): Promise<void> {
		logger.debug(`setBufferedAmountLowThreshold() [threshold:${threshold}]`);

		this.#assertNotClosed();

		validateInteger(threshold, 'threshold', 0, MAX_UINT32);

		const builder = this.#channel.bufferBuilder;
		const bodyOffset =
			FbsSetBufferedAmountLowThresholdRequest.createSetBufferedAmountLowThresholdRequest(
				builder,
				threshold
			);

		await this.#channel.request(
			Method.DATACONSUMER_SET_BUFFERED_AMOUNT_LOW_THRESHOLD,
			RequestBody.DataConsumer_SetBufferedAmountLowThresholdRequest,
			bodyOffset,
			this.#internal.dataConsumerId
		);
	}

	async getBufferedAmount(): Promise<number> {
		logger.debug('getBufferedAmount()');

		this.#assertNotClosed();

		const response = await this.#channel.request(
			Method.DATACONSUMER_GET_BUFFERED_AMOUNT,
			undefined,
			undefined,
			this.#internal.dataConsumerId
		);

		return parseBufferedAmount(response, 'getBufferedAmount()');
	}

	/**
	 * Same PPID rules as DataProducer.send(). A DataConsumer of a
	 * DirectTransport has no remote endpoint: its messages go out as 'message'
	 * events only.
	 */
	async send(message: string | Buffer, ppid?: number): Promise<number> {
		logger.debug('send()');

		this.#assertNotClosed();

		const normalized = normalizeMessage(message, ppid);

		if (this.#data.type !== 'sctp') {
			throw new TypeError(
				`send() is only available in SCTP DataConsumers (this one is '${this.#data.type}')`
			);
		}

		if (normalized.payload.length > this.#data.maxMessageSize) {
			throw new TypeError(
				`message too big (${normalized.payload.length} bytes, maxSendMessageSize of the transport is ${this.#data.maxMessageSize})`
			);
		}

		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsSendRequest.createSendRequest(
			builder,
			normalized.ppid,
			FbsSendRequest.createDataVector(builder, normalized.payload)
		);
		const response = await this.#channel.request(
			Method.DATACONSUMER_SEND,
			RequestBody.DataConsumer_SendRequest,
			bodyOffset,
			this.#internal.dataConsumerId
		);

		return parseBufferedAmount(response, 'send()');
	}

	async setSubchannels(subchannels: number[]): Promise<void> {
		logger.debug('setSubchannels()');

		this.#assertNotClosed();

		const normalized = normalizeSubchannels(subchannels, 'subchannels');

		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsSetSubchannelsRequest.createSetSubchannelsRequest(
			builder,
			FbsSetSubchannelsRequest.createSubchannelsVector(builder, normalized)
		);
		const response = await this.#channel.request(
			Method.DATACONSUMER_SET_SUBCHANNELS,
			RequestBody.DataConsumer_SetSubchannelsRequest,
			bodyOffset,
			this.#internal.dataConsumerId
		);

		this.#subchannels = parseSubchannelsResponse(response, 'setSubchannels()');
	}

	async addSubchannel(subchannel: number): Promise<void> {
		logger.debug('addSubchannel()');

		this.#assertNotClosed();

		const normalized = normalizeSubchannel(subchannel, 'subchannel');

		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsAddSubchannelRequest.createAddSubchannelRequest(builder, normalized);
		const response = await this.#channel.request(
			Method.DATACONSUMER_ADD_SUBCHANNEL,
			RequestBody.DataConsumer_AddSubchannelRequest,
			bodyOffset,
			this.#internal.dataConsumerId
		);

		this.#subchannels = parseSubchannelsResponse(response, 'addSubchannel()');
	}

	async removeSubchannel(subchannel: number): Promise<void> {
		logger.debug('removeSubchannel()');

		this.#assertNotClosed();

		const normalized = normalizeSubchannel(subchannel, 'subchannel');

		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsRemoveSubchannelRequest.createRemoveSubchannelRequest(
			builder,
			normalized
		);
		const response = await this.#channel.request(
			Method.DATACONSUMER_REMOVE_SUBCHANNEL,
			RequestBody.DataConsumer_RemoveSubchannelRequest,
			bodyOffset,
			this.#internal.dataConsumerId
		);

		this.#subchannels = parseSubchannelsResponse(response, 'removeSubchannel()');
	}

	/**
	 * A closed DataConsumer rejects with NotFoundError while its Worker lives,
	 * and with WorkerClosedError once the Worker is gone.
	 */
	#assertNotClosed(): void {
		if (this.#channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.#closed) {
			throw new NotFoundError(
				`DataConsumer closed [dataConsumerId:${this.#internal.dataConsumerId}]`
			);
		}
	}

	#setClosed(): void {
		this.#closed = true;

		// No notification of a closed DataConsumer is of interest.
		this.#channel.removeAllListeners(this.#internal.dataConsumerId);
	}

	#handleWorkerNotifications(): void {
		this.#channel.on(this.#internal.dataConsumerId, (event: Event, notification: Notification) => {
			switch (event) {
				case Event.DATACONSUMER_DATAPRODUCER_CLOSE: {
					if (this.#closed) {
						break;
					}

					logger.debug('dataProducer closed');

					// The worker closed it along with its DataProducer.
					this.#setClosed();

					this.emit('@close');
					this.emit('@dataproducerclose');
					this.safeEmit('dataproducerclose');
					this.#observer.safeEmit('close');

					break;
				}

				case Event.DATACONSUMER_DATAPRODUCER_PAUSE: {
					if (this.#dataProducerPaused) {
						break;
					}

					const wasPaused = this.#pauseState.paused || this.#dataProducerPaused;

					this.#dataProducerPaused = true;

					this.safeEmit('dataproducerpause');

					if (!wasPaused) {
						this.#observer.safeEmit('pause');
					}

					break;
				}

				case Event.DATACONSUMER_DATAPRODUCER_RESUME: {
					if (!this.#dataProducerPaused) {
						break;
					}

					const wasPaused = this.#pauseState.paused || this.#dataProducerPaused;

					this.#dataProducerPaused = false;

					this.safeEmit('dataproducerresume');

					if (wasPaused && !this.#pauseState.paused) {
						this.#observer.safeEmit('resume');
					}

					break;
				}

				case Event.DATACONSUMER_BUFFERED_AMOUNT_LOW: {
					const body = new FbsBufferedAmountLowNotification();

					notification.body(body);

					this.safeEmit('bufferedamountlow', body.bufferedAmount());

					break;
				}

				case Event.DATACONSUMER_SCTP_SENDBUFFER_FULL: {
					this.safeEmit('sctpsendbufferfull');

					break;
				}

				case Event.DATACONSUMER_MESSAGE: {
					if (this.#closed) {
						break;
					}

					const body = new FbsMessageNotification();

					notification.body(body);

					this.safeEmit('message', Buffer.from(body.dataArray()!), body.ppid());

					break;
				}

				default: {
					logger.error(`ignoring unknown event "${event}"`);
				}
			}
		});
	}
}

export function parseDataConsumerDumpResponse(body: FbsDumpResponse): DataConsumerDump {
	const dump: DataConsumerDump = {
		id: body.id()!,
		paused: body.paused(),
		dataProducerPaused: body.dataProducerPaused(),
		subchannels: Array.from(body.subchannelsArray() ?? []),
		dataProducerId: body.dataProducerId()!,
		type: parseDataType(body.type()),
		label: body.label()!,
		protocol: body.protocol()!,
		bufferedAmount: body.bufferedAmount(),
		bufferedAmountLowThreshold: body.bufferedAmountLowThreshold(),
	};
	const sctpStreamParameters = body.sctpStreamParameters();

	if (sctpStreamParameters) {
		dump.sctpStreamParameters = parseSctpStreamParameters(sctpStreamParameters);
	}

	return dump;
}

function parseBufferedAmount(response: Response, method: string): number {
	if (response.bodyType() !== ResponseBody.DataConsumer_GetBufferedAmountResponse) {
		throw new Error(`unexpected response body to DataConsumer ${method}`);
	}

	const body = new FbsGetBufferedAmountResponse();

	response.body(body);

	return body.bufferedAmount();
}

function parseSubchannelsResponse(response: Response, method: string): number[] {
	if (response.bodyType() !== ResponseBody.DataConsumer_SetSubchannelsResponse) {
		throw new Error(`unexpected response body to DataConsumer ${method}`);
	}

	const body = new FbsSetSubchannelsResponse();

	response.body(body);

	return Array.from(body.subchannelsArray() ?? []);
}
