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
	serializeSrtpParameters,
	validateSrtpParameters,
} from './srtpParametersFbs';
import { parseTuple } from './transportFbs';
import type { SctpState, TransportTuple } from './TransportTypes';
import type {
	PipeConsumerOptions,
	PipeTransport,
	PipeTransportDump,
	PipeTransportEvents,
	PipeTransportObserver,
	PipeTransportObserverEvents,
	PipeTransportStat,
} from './PipeTransportTypes';
import type { SctpNegotiatedCapabilities, SctpParameters } from './sctpParametersTypes';
import type { SrtpParameters } from './srtpParametersTypes';
import type { AppData } from './typesGeneric';
import type { Consumer } from './ConsumerTypes';
import { NotFoundError } from './errors';
import * as ortc from './ortc';
import { clone } from './utils';
import { Method } from './fbs/request/method';
import { Body as RequestBody } from './fbs/request/body';
import { Body as ResponseBody } from './fbs/response/body';
import type { Response } from './fbs/response/response';
import { CreatePipeTransportRequest as FbsCreatePipeTransportRequest } from './fbs/router/create-pipe-transport-request';
import { PipeTransportOptions as FbsPipeTransportOptions } from './fbs/pipe-transport/pipe-transport-options';
import { DumpResponse as FbsDumpResponse } from './fbs/pipe-transport/dump-response';
import { GetStatsResponse as FbsGetStatsResponse } from './fbs/pipe-transport/get-stats-response';
import { ConnectRequest as FbsConnectRequest } from './fbs/pipe-transport/connect-request';
import { ConnectResponse as FbsConnectResponse } from './fbs/pipe-transport/connect-response';

const logger = new Logger('PipeTransport');

/**
 * State of a PipeTransport, learnt from the worker at creation and kept up to
 * date by connect().
 */
export type PipeTransportData = {
	tuple: TransportTuple;
	rtx: boolean;
	srtpParameters?: SrtpParameters;
};

/**
 * createPipeTransport() options once validated.
 */
export type NormalizedPipeTransportOptions = {
	listenInfo: NormalizedListenInfo;
	enableRtx: boolean;
	enableSrtp: boolean;
	sctp: NormalizedSctpOptions;
	appData?: AppData;
};

export class PipeTransportImpl<PipeTransportAppData extends AppData = AppData>
	extends TransportImpl<PipeTransportAppData, PipeTransportEvents, PipeTransportObserver>
	implements PipeTransport<PipeTransportAppData>
{
	readonly #data: PipeTransportData;

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
		appData?: PipeTransportAppData;
		messageSizes: TransportMessageSizes;
		data: PipeTransportData;
		sctpParameters?: SctpParameters;
	}) {
		super({
			internal,
			channel,
			appData,
			messageSizes,
			observer: new EnhancedEventEmitter<PipeTransportObserverEvents>(),
			sctpParameters,
		});

		logger.debug('constructor()');

		this.#data = data;
	}

	get type(): 'pipe' {
		return 'pipe';
	}

	get tuple(): TransportTuple {
		return clone(this.#data.tuple);
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

	async dump(): Promise<PipeTransportDump> {
		logger.debug('dump()');

		const response = await this.requestDump();

		if (response.bodyType() !== ResponseBody.PipeTransport_DumpResponse) {
			throw new Error('unexpected response body to PipeTransport dump()');
		}

		const body = new FbsDumpResponse();

		response.body(body);

		return {
			...this.parseBaseDump(body.base()!),
			...parsePipeTransportDumpResponse(body),
		};
	}

	async getStats(): Promise<PipeTransportStat[]> {
		logger.debug('getStats()');

		const response = await this.requestStats();

		if (response.bodyType() !== ResponseBody.PipeTransport_GetStatsResponse) {
			throw new Error('unexpected response body to PipeTransport getStats()');
		}

		const body = new FbsGetStatsResponse();

		response.body(body);

		const stat: PipeTransportStat = {
			...this.parseBaseStats(body.base()!),
			type: 'pipe-transport',
			tuple: parseTuple(body.tuple()!),
		};

		return [stat];
	}

	async connect(params: {
		ip: string;
		port: number;
		srtpParameters?: SrtpParameters;
	}): Promise<void> {
		logger.debug('connect()');

		this.assertNotClosed();

		const { ip, port, srtpParameters } = optionsRecord(params);

		if (ip === undefined) {
			throw new TypeError('missing ip');
		}

		validateIp(ip, 'ip');

		if (port === undefined) {
			throw new TypeError('missing port');
		}

		validateInteger(port, 'port', 1, 65535);

		if (srtpParameters !== undefined) {
			if (!this.#data.srtpParameters) {
				throw new TypeError('srtpParameters given but SRTP is not enabled');
			}

			validateSrtpParameters(srtpParameters);
		} else if (this.#data.srtpParameters) {
			throw new TypeError('missing srtpParameters (required since SRTP is enabled)');
		}

		const builder = this.channel.bufferBuilder;
		const ipOffset = builder.createString(ip);
		const srtpParametersOffset =
			srtpParameters !== undefined ? serializeSrtpParameters(builder, srtpParameters) : 0;

		FbsConnectRequest.startConnectRequest(builder);
		FbsConnectRequest.addIp(builder, ipOffset);
		FbsConnectRequest.addPort(builder, port);

		if (srtpParametersOffset) {
			FbsConnectRequest.addSrtpParameters(builder, srtpParametersOffset);
		}

		const bodyOffset = FbsConnectRequest.endConnectRequest(builder);
		const response = await this.channel.request(
			Method.TRANSPORT_CONNECT,
			RequestBody.PipeTransport_ConnectRequest,
			bodyOffset,
			this.id
		);

		if (response.bodyType() !== ResponseBody.PipeTransport_ConnectResponse) {
			throw new Error('unexpected response body to PipeTransport connect()');
		}

		const body = new FbsConnectResponse();

		response.body(body);

		this.#data.tuple = parseTuple(body.tuple()!);
	}

	/**
	 * Pipe Consumers take every stream of the Producer, have no MID and start
	 * unpaused; the worker scores them 10 (the far Router scores the streams)
	 * with the Producer's stream scores.
	 */
	override async consume<ConsumerAppData extends AppData = AppData>(
		options: PipeConsumerOptions<ConsumerAppData>
	): Promise<Consumer<ConsumerAppData>> {
		logger.debug('consume()');

		this.assertNotClosed();

		const { producerId, appData } = optionsRecord(options);

		if (!producerId || typeof producerId !== 'string') {
			throw new TypeError('missing producerId');
		}

		validateAppData(appData);

		const producer = this.getProducerById(producerId);

		if (!producer) {
			throw new NotFoundError(`Producer with id "${producerId}" not found`);
		}

		// This may throw.
		const rtpParameters = ortc.getPipeConsumerRtpParameters({
			consumableRtpParameters: producer.consumableRtpParameters,
			enableRtx: this.#data.rtx,
		});

		return this.createConsumer<ConsumerAppData>({
			producer,
			rtpParameters,
			type: 'pipe',
			paused: false,
			ignoreDtx: false,
			appData: appData as ConsumerAppData | undefined,
		});
	}
}

/**
 * Validates createPipeTransport() options (TypeError naming the field) and
 * resolves their defaults.
 */
export function normalizePipeTransportOptions(options: unknown): NormalizedPipeTransportOptions {
	const o = optionsRecord(options);
	const { listenInfo, listenIp, port, appData } = o;

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

	for (const key of ['enableRtx', 'enableSrtp']) {
		validateOptionalBoolean(o[key], key);
	}

	return {
		listenInfo: normalizedListenInfo,
		enableRtx: o.enableRtx === true,
		enableSrtp: o.enableSrtp === true,
		sctp: normalizeSctpOptions(o),
		appData: appData as AppData | undefined,
	};
}

export function serializeCreatePipeTransportRequest(
	builder: flatbuffers.Builder,
	transportId: string,
	options: NormalizedPipeTransportOptions
): number {
	const transportIdOffset = builder.createString(transportId);
	const baseOffset = serializeTransportOptions(builder, { sctp: options.sctp });
	const listenInfoOffset = serializeListenInfo(builder, options.listenInfo);

	FbsPipeTransportOptions.startPipeTransportOptions(builder);
	FbsPipeTransportOptions.addBase(builder, baseOffset);
	FbsPipeTransportOptions.addListenInfo(builder, listenInfoOffset);
	FbsPipeTransportOptions.addEnableRtx(builder, options.enableRtx);
	FbsPipeTransportOptions.addEnableSrtp(builder, options.enableSrtp);

	const optionsOffset = FbsPipeTransportOptions.endPipeTransportOptions(builder);

	FbsCreatePipeTransportRequest.startCreatePipeTransportRequest(builder);
	FbsCreatePipeTransportRequest.addTransportId(builder, transportIdOffset);
	FbsCreatePipeTransportRequest.addOptions(builder, optionsOffset);

	return FbsCreatePipeTransportRequest.endCreatePipeTransportRequest(builder);
}

/**
 * Initial state of a new PipeTransport, from the TRANSPORT_DUMP response that
 * follows its creation.
 */
export function pipeTransportDataFromDump(response: Response): PipeTransportData {
	if (response.bodyType() !== ResponseBody.PipeTransport_DumpResponse) {
		throw new Error('unexpected response body to PipeTransport dump');
	}

	const body = new FbsDumpResponse();

	response.body(body);

	return parsePipeTransportDumpResponse(body);
}

function parsePipeTransportDumpResponse(body: FbsDumpResponse): PipeTransportData {
	const data: PipeTransportData = {
		tuple: parseTuple(body.tuple()!),
		rtx: body.rtx(),
	};

	const srtpParameters = body.srtpParameters();

	if (srtpParameters) {
		data.srtpParameters = parseSrtpParameters(srtpParameters);
	}

	return data;
}
