import type * as flatbuffers from 'flatbuffers';
import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import { TransportImpl, type TransportInternal, type TransportMessageSizes } from './Transport';
import {
	listenIpToListenInfo,
	normalizeListenInfo,
	normalizeSctpOptions,
	serializeListenInfo,
	serializeTransportOptions,
	type NormalizedListenInfo,
	type NormalizedSctpOptions,
} from './transportOptions';
import {
	optionsRecord,
	validateAppData,
	validateInteger,
	validateIp,
	validateOptionalBoolean,
} from './validation';
import {
	parseSrtpParameters,
	serializeSrtpCryptoSuite,
	serializeSrtpParameters,
	validateSrtpCryptoSuite,
	validateSrtpParameters,
} from './srtpParametersFbs';
import { parseTuple } from './transportFbs';
import type { SctpState, TransportTuple } from './TransportTypes';
import type {
	PlainTransport,
	PlainTransportDump,
	PlainTransportEvents,
	PlainTransportObserver,
	PlainTransportObserverEvents,
	PlainTransportStat,
} from './PlainTransportTypes';
import type { SctpNegotiatedCapabilities, SctpParameters } from './sctpParametersTypes';
import type { SrtpCryptoSuite, SrtpParameters } from './srtpParametersTypes';
import type { AppData } from './typesGeneric';
import { clone } from './utils';
import { Method } from './fbs/request/method';
import { Body as RequestBody } from './fbs/request/body';
import { Body as ResponseBody } from './fbs/response/body';
import type { Response } from './fbs/response/response';
import { Event } from './fbs/notification/event';
import type { Notification } from './fbs/notification/notification';
import { CreatePlainTransportRequest as FbsCreatePlainTransportRequest } from './fbs/router/create-plain-transport-request';
import { PlainTransportOptions as FbsPlainTransportOptions } from './fbs/plain-transport/plain-transport-options';
import { DumpResponse as FbsDumpResponse } from './fbs/plain-transport/dump-response';
import { GetStatsResponse as FbsGetStatsResponse } from './fbs/plain-transport/get-stats-response';
import { ConnectRequest as FbsConnectRequest } from './fbs/plain-transport/connect-request';
import { ConnectResponse as FbsConnectResponse } from './fbs/plain-transport/connect-response';
import { TupleNotification as FbsTupleNotification } from './fbs/plain-transport/tuple-notification';
import { RtcpTupleNotification as FbsRtcpTupleNotification } from './fbs/plain-transport/rtcp-tuple-notification';

const logger = new Logger('PlainTransport');

/**
 * State of a PlainTransport, learnt from the worker at creation and kept up
 * to date by connect() and its notifications.
 */
export type PlainTransportData = {
	rtcpMux: boolean;
	comedia: boolean;
	tuple: TransportTuple;
	rtcpTuple?: TransportTuple;
	srtpParameters?: SrtpParameters;
};

/**
 * createPlainTransport() options once validated.
 */
export type NormalizedPlainTransportOptions = {
	listenInfo: NormalizedListenInfo;
	rtcpListenInfo?: NormalizedListenInfo;
	rtcpMux: boolean;
	comedia: boolean;
	enableSrtp: boolean;
	srtpCryptoSuite: SrtpCryptoSuite;
	sctp: NormalizedSctpOptions;
	appData?: AppData;
};

export class PlainTransportImpl<PlainTransportAppData extends AppData = AppData>
	extends TransportImpl<PlainTransportAppData, PlainTransportEvents, PlainTransportObserver>
	implements PlainTransport<PlainTransportAppData>
{
	readonly #data: PlainTransportData;
	// Fixed at creation (srtpParameters change with connect()).
	readonly #enableSrtp: boolean;

	constructor({
		internal,
		channel,
		appData,
		messageSizes,
		data,
		sctpParameters,
	}: {
		internal: TransportInternal;
		channel: Channel;
		appData?: PlainTransportAppData;
		messageSizes: TransportMessageSizes;
		data: PlainTransportData;
		sctpParameters?: SctpParameters;
	}) {
		super({
			internal,
			channel,
			appData,
			messageSizes,
			observer: new EnhancedEventEmitter<PlainTransportObserverEvents>(),
			sctpParameters,
		});

		logger.debug('constructor()');

		this.#data = data;
		this.#enableSrtp = data.srtpParameters !== undefined;
	}

	get type(): 'plain' {
		return 'plain';
	}

	get tuple(): TransportTuple {
		return clone(this.#data.tuple);
	}

	get rtcpTuple(): TransportTuple | undefined {
		return clone(this.#data.rtcpTuple);
	}

	get sctpParameters(): SctpParameters | undefined {
		return this.getSctpParameters();
	}

	get sctpState(): SctpState | undefined {
		return this.getSctpState();
	}

	get sctpNegotiatedCapabilities(): SctpNegotiatedCapabilities | undefined {
		return this.getSctpNegotiatedCapabilities();
	}

	get srtpParameters(): SrtpParameters | undefined {
		return clone(this.#data.srtpParameters);
	}

	async dump(): Promise<PlainTransportDump> {
		logger.debug('dump()');

		const response = await this.requestDump();

		if (response.bodyType() !== ResponseBody.PlainTransport_DumpResponse) {
			throw new Error('unexpected response body to PlainTransport dump()');
		}

		const body = new FbsDumpResponse();

		response.body(body);

		return {
			...this.parseBaseDump(body.base()!),
			...parsePlainTransportDumpResponse(body),
		};
	}

	async getStats(): Promise<PlainTransportStat[]> {
		logger.debug('getStats()');

		const response = await this.requestStats();

		if (response.bodyType() !== ResponseBody.PlainTransport_GetStatsResponse) {
			throw new Error('unexpected response body to PlainTransport getStats()');
		}

		const body = new FbsGetStatsResponse();

		response.body(body);

		const stat: PlainTransportStat = {
			...this.parseBaseStats(body.base()!),
			type: 'plain-rtp-transport',
			rtcpMux: body.rtcpMux(),
			comedia: body.comedia(),
			tuple: parseTuple(body.tuple()!),
		};

		const rtcpTuple = body.rtcpTuple();

		if (rtcpTuple) {
			stat.rtcpTuple = parseTuple(rtcpTuple);
		}

		return [stat];
	}

	async connect(
		params: {
			ip?: string;
			port?: number;
			rtcpPort?: number;
			srtpParameters?: SrtpParameters;
		} = {}
	): Promise<void> {
		logger.debug('connect()');

		this.assertNotClosed();

		const { ip, port, rtcpPort, srtpParameters } = optionsRecord(params);

		if (ip !== undefined) {
			validateIp(ip, 'ip');
		}

		if (port !== undefined) {
			validateInteger(port, 'port', 1, 65535);
		}

		if (rtcpPort !== undefined) {
			validateInteger(rtcpPort, 'rtcpPort', 1, 65535);
		}

		if (!this.#data.comedia) {
			if (ip === undefined) {
				throw new TypeError('missing ip');
			}

			if (port === undefined) {
				throw new TypeError('missing port');
			}

			if (!this.#data.rtcpMux && rtcpPort === undefined) {
				throw new TypeError('missing rtcpPort (required since rtcpMux is false)');
			}
		}

		if (srtpParameters !== undefined) {
			if (!this.#enableSrtp) {
				throw new TypeError('srtpParameters given but SRTP is not enabled');
			}

			validateSrtpParameters(srtpParameters);
		} else if (this.#enableSrtp) {
			throw new TypeError('missing srtpParameters (required since SRTP is enabled)');
		}

		const builder = this.channel.bufferBuilder;
		const ipOffset = ip !== undefined ? builder.createString(ip) : 0;
		const srtpParametersOffset =
			srtpParameters !== undefined ? serializeSrtpParameters(builder, srtpParameters) : 0;

		FbsConnectRequest.startConnectRequest(builder);

		if (ipOffset) {
			FbsConnectRequest.addIp(builder, ipOffset);
		}

		if (port !== undefined) {
			FbsConnectRequest.addPort(builder, port);
		}

		if (rtcpPort !== undefined) {
			FbsConnectRequest.addRtcpPort(builder, rtcpPort);
		}

		if (srtpParametersOffset) {
			FbsConnectRequest.addSrtpParameters(builder, srtpParametersOffset);
		}

		const bodyOffset = FbsConnectRequest.endConnectRequest(builder);
		const response = await this.channel.request(
			Method.TRANSPORT_CONNECT,
			RequestBody.PlainTransport_ConnectRequest,
			bodyOffset,
			this.id
		);

		if (response.bodyType() !== ResponseBody.PlainTransport_ConnectResponse) {
			throw new Error('unexpected response body to PlainTransport connect()');
		}

		const body = new FbsConnectResponse();

		response.body(body);

		this.#data.tuple = parseTuple(body.tuple()!);

		const rtcpTupleBody = body.rtcpTuple();

		if (rtcpTupleBody) {
			this.#data.rtcpTuple = parseTuple(rtcpTupleBody);
		}

		const srtpParametersBody = body.srtpParameters();

		if (srtpParametersBody) {
			this.#data.srtpParameters = parseSrtpParameters(srtpParametersBody);
		}
	}

	protected override handleWorkerNotification(event: Event, notification: Notification): void {
		switch (event) {
			case Event.PLAINTRANSPORT_TUPLE: {
				const body = new FbsTupleNotification();

				notification.body(body);

				const tuple = parseTuple(body.tuple()!);

				this.#data.tuple = tuple;

				this.safeEmit('tuple', clone(tuple));
				this.observer.safeEmit('tuple', clone(tuple));

				break;
			}

			case Event.PLAINTRANSPORT_RTCP_TUPLE: {
				const body = new FbsRtcpTupleNotification();

				notification.body(body);

				const rtcpTuple = parseTuple(body.tuple()!);

				this.#data.rtcpTuple = rtcpTuple;

				this.safeEmit('rtcptuple', clone(rtcpTuple));
				this.observer.safeEmit('rtcptuple', clone(rtcpTuple));

				break;
			}

			default: {
				super.handleWorkerNotification(event, notification);
			}
		}
	}
}

/**
 * Validates createPlainTransport() options (TypeError naming the field) and
 * resolves their defaults.
 */
export function normalizePlainTransportOptions(options: unknown): NormalizedPlainTransportOptions {
	const o = optionsRecord(options);
	const { listenInfo, rtcpListenInfo, listenIp, port, appData } = o;

	validateAppData(appData);

	if (listenInfo !== undefined && listenIp !== undefined) {
		throw new TypeError('only one of listenInfo and listenIp must be given');
	}

	if (listenInfo === undefined && listenIp === undefined) {
		throw new TypeError('missing listenInfo and listenIp (one of them is mandatory)');
	}

	const normalizedListenInfo =
		listenInfo !== undefined
			? normalizeListenInfo(listenInfo, 'listenInfo')
			: listenIpToListenInfo(listenIp, 'listenIp', 'udp', port);

	if (normalizedListenInfo.protocol !== 'udp') {
		throw new TypeError("listenInfo.protocol must be 'udp'");
	}

	let normalizedRtcpListenInfo: NormalizedListenInfo | undefined;

	if (rtcpListenInfo !== undefined) {
		normalizedRtcpListenInfo = normalizeListenInfo(rtcpListenInfo, 'rtcpListenInfo');

		if (normalizedRtcpListenInfo.protocol !== 'udp') {
			throw new TypeError("rtcpListenInfo.protocol must be 'udp'");
		}
	}

	for (const key of ['rtcpMux', 'comedia', 'enableSrtp']) {
		validateOptionalBoolean(o[key], key);
	}

	let srtpCryptoSuite: SrtpCryptoSuite = 'AES_CM_128_HMAC_SHA1_80';

	if (o.srtpCryptoSuite !== undefined) {
		validateSrtpCryptoSuite(o.srtpCryptoSuite, 'srtpCryptoSuite');

		srtpCryptoSuite = o.srtpCryptoSuite;
	}

	const normalized: NormalizedPlainTransportOptions = {
		listenInfo: normalizedListenInfo,
		// An RTCP listen info forces RTCP-mux off.
		rtcpMux: normalizedRtcpListenInfo ? false : o.rtcpMux !== false,
		comedia: o.comedia === true,
		enableSrtp: o.enableSrtp === true,
		srtpCryptoSuite,
		sctp: normalizeSctpOptions(o),
		appData: appData as AppData | undefined,
	};

	if (normalizedRtcpListenInfo) {
		normalized.rtcpListenInfo = normalizedRtcpListenInfo;
	}

	return normalized;
}

export function serializeCreatePlainTransportRequest(
	builder: flatbuffers.Builder,
	transportId: string,
	options: NormalizedPlainTransportOptions
): number {
	const transportIdOffset = builder.createString(transportId);
	const baseOffset = serializeTransportOptions(builder, { sctp: options.sctp });
	const listenInfoOffset = serializeListenInfo(builder, options.listenInfo);
	const rtcpListenInfoOffset = options.rtcpListenInfo
		? serializeListenInfo(builder, options.rtcpListenInfo)
		: 0;

	FbsPlainTransportOptions.startPlainTransportOptions(builder);
	FbsPlainTransportOptions.addBase(builder, baseOffset);
	FbsPlainTransportOptions.addListenInfo(builder, listenInfoOffset);

	if (rtcpListenInfoOffset) {
		FbsPlainTransportOptions.addRtcpListenInfo(builder, rtcpListenInfoOffset);
	}

	FbsPlainTransportOptions.addRtcpMux(builder, options.rtcpMux);
	FbsPlainTransportOptions.addComedia(builder, options.comedia);
	FbsPlainTransportOptions.addEnableSrtp(builder, options.enableSrtp);
	FbsPlainTransportOptions.addSrtpCryptoSuite(
		builder,
		serializeSrtpCryptoSuite(options.srtpCryptoSuite)
	);

	const optionsOffset = FbsPlainTransportOptions.endPlainTransportOptions(builder);

	FbsCreatePlainTransportRequest.startCreatePlainTransportRequest(builder);
	FbsCreatePlainTransportRequest.addTransportId(builder, transportIdOffset);
	FbsCreatePlainTransportRequest.addOptions(builder, optionsOffset);

	return FbsCreatePlainTransportRequest.endCreatePlainTransportRequest(builder);
}

/**
 * Initial state of a new PlainTransport, from the TRANSPORT_DUMP response
 * that follows its creation.
 */
export function plainTransportDataFromDump(response: Response): PlainTransportData {
	if (response.bodyType() !== ResponseBody.PlainTransport_DumpResponse) {
		throw new Error('unexpected response body to PlainTransport dump');
	}

	const body = new FbsDumpResponse();

	response.body(body);

	return parsePlainTransportDumpResponse(body);
}

function parsePlainTransportDumpResponse(body: FbsDumpResponse): PlainTransportData {
	const data: PlainTransportData = {
		rtcpMux: body.rtcpMux(),
		comedia: body.comedia(),
		tuple: parseTuple(body.tuple()!),
	};

	const rtcpTuple = body.rtcpTuple();

	if (rtcpTuple) {
		data.rtcpTuple = parseTuple(rtcpTuple);
	}

	const srtpParameters = body.srtpParameters();

	if (srtpParameters) {
		data.srtpParameters = parseSrtpParameters(srtpParameters);
	}

	return data;
}
