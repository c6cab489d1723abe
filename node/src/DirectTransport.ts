import type * as flatbuffers from 'flatbuffers';
import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import { UnsupportedError, WorkerClosedError } from './errors';
import { TransportImpl, type TransportInternal, type TransportMessageSizes } from './Transport';
import { MAX_UINT32, optionsRecord, validateAppData, validateInteger } from './validation';
import { serializeTransportOptions } from './transportOptions';
import type {
	DirectTransport,
	DirectTransportDump,
	DirectTransportEvents,
	DirectTransportObserver,
	DirectTransportObserverEvents,
	DirectTransportStat,
} from './DirectTransportTypes';
import type { AppData } from './typesGeneric';
import { Body as ResponseBody } from './fbs/response/body';
import type { Response } from './fbs/response/response';
import { CreateDirectTransportRequest as FbsCreateDirectTransportRequest } from './fbs/router/create-direct-transport-request';
import { DirectTransportOptions as FbsDirectTransportOptions } from './fbs/direct-transport/direct-transport-options';
import { DumpResponse as FbsDumpResponse } from './fbs/direct-transport/dump-response';
import { GetStatsResponse as FbsGetStatsResponse } from './fbs/direct-transport/get-stats-response';
import { Event } from './fbs/notification/event';
import { Body as NotificationBody } from './fbs/notification/body';
import type { Notification } from './fbs/notification/notification';
import { PacketData as FbsPacketData } from './fbs/notification/packet-data';

const logger = new Logger('DirectTransport');

const DEFAULT_MAX_MESSAGE_SIZE = 262144;

/**
 * createDirectTransport() options once validated.
 */
export type NormalizedDirectTransportOptions = {
	maxSendMessageSize: number;
	maxReceiveMessageSize: number;
	appData?: AppData;
};

export class DirectTransportImpl<DirectTransportAppData extends AppData = AppData>
	extends TransportImpl<DirectTransportAppData, DirectTransportEvents, DirectTransportObserver>
	implements DirectTransport<DirectTransportAppData>
{
	constructor({
		internal,
		channel,
		appData,
		messageSizes,
	}: {
		internal: TransportInternal;
		channel: Channel;
		appData?: DirectTransportAppData;
		messageSizes: TransportMessageSizes;
	}) {
		super({
			internal,
			channel,
			appData,
			messageSizes,
			observer: new EnhancedEventEmitter<DirectTransportObserverEvents>(),
		});

		logger.debug('constructor()');
	}

	get type(): 'direct' {
		return 'direct';
	}

	async dump(): Promise<DirectTransportDump> {
		logger.debug('dump()');

		const response = await this.requestDump();

		checkDumpResponse(response);

		const body = new FbsDumpResponse();

		response.body(body);

		return this.parseBaseDump(body.base()!);
	}

	async getStats(): Promise<DirectTransportStat[]> {
		logger.debug('getStats()');

		const response = await this.requestStats();

		if (response.bodyType() !== ResponseBody.DirectTransport_GetStatsResponse) {
			throw new Error('unexpected response body to DirectTransport getStats()');
		}

		const body = new FbsGetStatsResponse();

		response.body(body);

		return [{ ...this.parseBaseStats(body.base()!), type: 'direct-transport' }];
	}

	/**
	 * No-op: a DirectTransport has no remote.
	 */
	async connect(): Promise<void> {
		logger.debug('connect()');
	}

	override async setMaxIncomingBitrate(): Promise<void> {
		this.assertNotClosed();

		throw new UnsupportedError('setMaxIncomingBitrate() not implemented in DirectTransport');
	}

	override async setMaxOutgoingBitrate(): Promise<void> {
		this.assertNotClosed();

		throw new UnsupportedError('setMaxOutgoingBitrate() not implemented in DirectTransport');
	}

	override async setMinOutgoingBitrate(): Promise<void> {
		this.assertNotClosed();

		throw new UnsupportedError('setMinOutgoingBitrate() not implemented in DirectTransport');
	}

	sendRtcp(rtcpPacket: Buffer): void {
		if (!Buffer.isBuffer(rtcpPacket)) {
			throw new TypeError('rtcpPacket must be a Buffer');
		}

		if (this.channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.closed) {
			return;
		}

		const builder = this.channel.bufferBuilder;
		const dataOffset = FbsPacketData.createDataVector(builder, rtcpPacket);
		const bodyOffset = FbsPacketData.createPacketData(builder, dataOffset);

		this.channel.notify(
			Event.TRANSPORT_SEND_RTCP,
			NotificationBody.PacketData,
			bodyOffset,
			this.id
		);
	}

	protected override handleWorkerNotification(event: Event, notification: Notification): void {
		switch (event) {
			case Event.DIRECTTRANSPORT_RTCP: {
				if (this.closed) {
					break;
				}

				const body = new FbsPacketData();

				notification.body(body);

				this.safeEmit('rtcp', Buffer.from(body.dataArray()!));

				break;
			}

			default: {
				super.handleWorkerNotification(event, notification);
			}
		}
	}
}

/**
 * Validates createDirectTransport() options (TypeError naming the field) and
 * resolves their defaults. `maxMessageSize` (older name) wins over
 * `maxReceiveMessageSize`.
 */
export function normalizeDirectTransportOptions(
	options: unknown
): NormalizedDirectTransportOptions {
	const o = optionsRecord(options, true);

	validateAppData(o.appData);

	for (const key of ['maxSendMessageSize', 'maxReceiveMessageSize', 'maxMessageSize']) {
		if (o[key] !== undefined) {
			validateInteger(o[key], key, 1, MAX_UINT32);
		}
	}

	return {
		maxSendMessageSize: (o.maxSendMessageSize as number | undefined) ?? DEFAULT_MAX_MESSAGE_SIZE,
		maxReceiveMessageSize:
			(o.maxMessageSize as number | undefined) ??
			(o.maxReceiveMessageSize as number | undefined) ??
			DEFAULT_MAX_MESSAGE_SIZE,
		appData: o.appData as AppData | undefined,
	};
}

export function serializeCreateDirectTransportRequest(
	builder: flatbuffers.Builder,
	transportId: string,
	options: NormalizedDirectTransportOptions
): number {
	const transportIdOffset = builder.createString(transportId);
	const baseOffset = serializeTransportOptions(builder, {
		direct: true,
		maxMessageSize: options.maxReceiveMessageSize,
	});
	const optionsOffset = FbsDirectTransportOptions.createDirectTransportOptions(builder, baseOffset);

	FbsCreateDirectTransportRequest.startCreateDirectTransportRequest(builder);
	FbsCreateDirectTransportRequest.addTransportId(builder, transportIdOffset);
	FbsCreateDirectTransportRequest.addOptions(builder, optionsOffset);

	return FbsCreateDirectTransportRequest.endCreateDirectTransportRequest(builder);
}

/**
 * Checks the TRANSPORT_DUMP response that follows a DirectTransport creation
 * (a DirectTransport has no state of its own to learn from it).
 */
export function checkDumpResponse(response: Response): void {
	if (response.bodyType() !== ResponseBody.DirectTransport_DumpResponse) {
		throw new Error('unexpected response body to DirectTransport dump');
	}
}
