import * as net from 'node:net';
import type * as flatbuffers from 'flatbuffers';
import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import { NotFoundError, UnsupportedError, WorkerClosedError } from './errors';
import type {
	BaseTransportDump,
	BaseTransportStats,
	Transport,
	TransportEvents,
	TransportListenInfo,
	TransportObserver,
	TransportProtocol,
	TransportTraceEventType,
	TransportTuple,
	TransportType,
} from './TransportTypes';
import type { SctpParameters } from './sctpParametersTypes';
import type { SrtpCryptoSuite, SrtpParameters } from './srtpParametersTypes';
import type { AppData } from './typesGeneric';
import { isPlainObject } from './utils';
import { readStrings } from './fbsUtils';
import { Method } from './fbs/request/method';
import { Body as RequestBody } from './fbs/request/body';
import type { Response } from './fbs/response/response';
import { CloseTransportRequest as FbsCloseTransportRequest } from './fbs/router/close-transport-request';
import { Protocol as FbsProtocol } from './fbs/transport/protocol';
import { ListenInfo as FbsListenInfo } from './fbs/transport/listen-info';
import { PortRange as FbsPortRange } from './fbs/transport/port-range';
import { SocketFlags as FbsSocketFlags } from './fbs/transport/socket-flags';
import { Options as FbsTransportOptions } from './fbs/transport/options';
import type { Tuple as FbsTuple } from './fbs/transport/tuple';
import type { Dump as FbsTransportDump } from './fbs/transport/dump';
import type { Stats as FbsTransportStats } from './fbs/transport/stats';
import { SetMaxIncomingBitrateRequest as FbsSetMaxIncomingBitrateRequest } from './fbs/transport/set-max-incoming-bitrate-request';
import { SetMaxOutgoingBitrateRequest as FbsSetMaxOutgoingBitrateRequest } from './fbs/transport/set-max-outgoing-bitrate-request';
import { SetMinOutgoingBitrateRequest as FbsSetMinOutgoingBitrateRequest } from './fbs/transport/set-min-outgoing-bitrate-request';
import { EnableTraceEventRequest as FbsEnableTraceEventRequest } from './fbs/transport/enable-trace-event-request';
import { SrtpParameters as FbsSrtpParameters } from './fbs/srtp-parameters/srtp-parameters';
import { SrtpCryptoSuite as FbsSrtpCryptoSuite } from './fbs/srtp-parameters/srtp-crypto-suite';

const logger = new Logger('Transport');

const MAX_UINT16 = 65535;
const MAX_UINT32 = 4294967295;

/**
 * Ids a transport needs to address itself and its Router in the worker.
 */
export type TransportInternal = {
	routerId: string;
	transportId: string;
};

/**
 * Message size limits of a transport (kept here: the worker only knows the
 * one it enforces).
 */
export type TransportMessageSizes = {
	maxSendMessageSize: number;
	maxReceiveMessageSize: number;
};

export type TransportConstructorOptions<TransportAppData, Observer> = {
	internal: TransportInternal;
	channel: Channel;
	appData?: TransportAppData;
	messageSizes: TransportMessageSizes;
	observer: Observer;
};

/**
 * Everything transports have in common. Subclasses provide `type`, the
 * observer instance, dump()/getStats()/connect() and, through
 * `handleClosure()`, the state they reset when closed.
 */
export abstract class TransportImpl<
	TransportAppData extends AppData,
	Events extends TransportEvents,
	Observer extends TransportObserver,
>
	extends EnhancedEventEmitter<Events>
	implements Transport<TransportAppData, Events, Observer>
{
	readonly #internal: TransportInternal;
	readonly #channel: Channel;
	readonly #messageSizes: TransportMessageSizes;
	readonly #observer: Observer;
	#closed = false;
	#appData: TransportAppData;

	protected constructor({
		internal,
		channel,
		appData,
		messageSizes,
		observer,
	}: TransportConstructorOptions<TransportAppData, Observer>) {
		super();

		logger.debug('constructor()');

		this.#internal = internal;
		this.#channel = channel;
		this.#messageSizes = messageSizes;
		this.#observer = observer;
		this.#appData = appData || ({} as TransportAppData);

		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});
	}

	get id(): string {
		return this.#internal.transportId;
	}

	get closed(): boolean {
		return this.#closed;
	}

	abstract get type(): TransportType;

	get appData(): TransportAppData {
		return this.#appData;
	}

	set appData(appData: TransportAppData) {
		this.#appData = appData;
	}

	get observer(): Observer {
		return this.#observer;
	}

	/**
	 * Just for testing purposes.
	 */
	get channelForTesting(): Channel {
		return this.#channel;
	}

	protected get channel(): Channel {
		return this.#channel;
	}

	protected get messageSizes(): TransportMessageSizes {
		return this.#messageSizes;
	}

	close(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('close()');

		this.#setClosed();

		// Fire and forget: a closed Router or a dead worker make it fail, and
		// either way the transport is gone there.
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsCloseTransportRequest.createCloseTransportRequest(
			builder,
			builder.createString(this.#internal.transportId)
		);

		this.#channel
			.request(
				Method.ROUTER_CLOSE_TRANSPORT,
				RequestBody.Router_CloseTransportRequest,
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

	listenServerClosed(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('listenServerClosed()');

		// The worker closed it along with its WebRtcServer.
		this.#setClosed();

		this.#events.emit('@close');
		this.#events.emit('@listenserverclose');
		this.#events.safeEmit('listenserverclose');
		this.#observer.safeEmit('close');
	}

	abstract dump(): Promise<BaseTransportDump>;

	abstract getStats(): Promise<BaseTransportStats[]>;

	abstract connect(params: unknown): Promise<void>;

	async setMaxIncomingBitrate(bitrate: number): Promise<void> {
		logger.debug(`setMaxIncomingBitrate() [bitrate:${bitrate}]`);

		validateBitrate(bitrate);
		this.assertNotClosed();

		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsSetMaxIncomingBitrateRequest.createSetMaxIncomingBitrateRequest(
			builder,
			bitrate
		);

		await this.#channel.request(
			Method.TRANSPORT_SET_MAX_INCOMING_BITRATE,
			RequestBody.Transport_SetMaxIncomingBitrateRequest,
			bodyOffset,
			this.id
		);
	}

	async setMaxOutgoingBitrate(bitrate: number): Promise<void> {
		logger.debug(`setMaxOutgoingBitrate() [bitrate:${bitrate}]`);

		validateBitrate(bitrate);
		this.assertNotClosed();

		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsSetMaxOutgoingBitrateRequest.createSetMaxOutgoingBitrateRequest(
			builder,
			bitrate
		);

		await this.#channel.request(
			Method.TRANSPORT_SET_MAX_OUTGOING_BITRATE,
			RequestBody.Transport_SetMaxOutgoingBitrateRequest,
			bodyOffset,
			this.id
		);
	}

	async setMinOutgoingBitrate(bitrate: number): Promise<void> {
		logger.debug(`setMinOutgoingBitrate() [bitrate:${bitrate}]`);

		validateBitrate(bitrate);
		this.assertNotClosed();

		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsSetMinOutgoingBitrateRequest.createSetMinOutgoingBitrateRequest(
			builder,
			bitrate
		);

		await this.#channel.request(
			Method.TRANSPORT_SET_MIN_OUTGOING_BITRATE,
			RequestBody.Transport_SetMinOutgoingBitrateRequest,
			bodyOffset,
			this.id
		);
	}

	async produce(): Promise<never> {
		return this.#notImplemented('produce');
	}

	async consume(): Promise<never> {
		return this.#notImplemented('consume');
	}

	async produceData(): Promise<never> {
		return this.#notImplemented('produceData');
	}

	async consumeData(): Promise<never> {
		return this.#notImplemented('consumeData');
	}

	async enableTraceEvent(types: TransportTraceEventType[] = []): Promise<void> {
		logger.debug('enableTraceEvent()');

		if (!Array.isArray(types)) {
			throw new TypeError('types must be an array');
		}

		if (types.some(type => typeof type !== 'string')) {
			throw new TypeError('every entry of types must be a string');
		}

		this.assertNotClosed();

		const builder = this.#channel.bufferBuilder;
		const eventsOffset = FbsEnableTraceEventRequest.createEventsVector(
			builder,
			types.map(type => builder.createString(type))
		);
		const bodyOffset = FbsEnableTraceEventRequest.createEnableTraceEventRequest(
			builder,
			eventsOffset
		);

		await this.#channel.request(
			Method.TRANSPORT_ENABLE_TRACE_EVENT,
			RequestBody.Transport_EnableTraceEventRequest,
			bodyOffset,
			this.id
		);
	}

	/**
	 * Resets the subclass state a closed transport reports (ICE/DTLS/SCTP
	 * states...). Called once, on whichever closure path, before any event.
	 */
	protected handleClosure(): void {}

	/**
	 * A closed transport rejects with NotFoundError while its Worker lives, and
	 * with WorkerClosedError once the Worker is gone.
	 */
	protected assertNotClosed(): void {
		if (this.#channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.#closed) {
			throw new NotFoundError(`Transport closed [transportId:${this.id}]`);
		}
	}

	/**
	 * Sends TRANSPORT_DUMP (after the closed checks).
	 */
	protected async requestDump(): Promise<Response> {
		this.assertNotClosed();

		return this.#channel.request(Method.TRANSPORT_DUMP, undefined, undefined, this.id);
	}

	/**
	 * Sends TRANSPORT_GET_STATS (after the closed checks).
	 */
	protected async requestStats(): Promise<Response> {
		this.assertNotClosed();

		return this.#channel.request(Method.TRANSPORT_GET_STATS, undefined, undefined, this.id);
	}

	/**
	 * Base events typed as such (the generic `Events` cannot be narrowed).
	 */
	get #events(): EnhancedEventEmitter<TransportEvents> {
		return this as unknown as EnhancedEventEmitter<TransportEvents>;
	}

	#setClosed(): void {
		this.#closed = true;

		// No notification of a closed transport is of interest.
		this.#channel.removeAllListeners(this.#internal.transportId);

		this.handleClosure();
	}

	#notImplemented(method: string): never {
		this.assertNotClosed();

		throw new UnsupportedError(`${method}() is not implemented yet`);
	}
}

/**
 * Dump response bodies of every transport kind share this shape.
 */
export function parseBaseTransportDump(
	dump: FbsTransportDump,
	messageSizes: TransportMessageSizes
): BaseTransportDump {
	const dropped = dump.dropped()!;

	return {
		id: dump.id()!,
		producerIds: readStrings(i => dump.producerIds(i), dump.producerIdsLength()),
		consumerIds: readStrings(i => dump.consumerIds(i), dump.consumerIdsLength()),
		mapSsrcConsumerId: readUint32Strings(
			i => dump.mapSsrcConsumerId(i),
			dump.mapSsrcConsumerIdLength()
		),
		mapRtxSsrcConsumerId: readUint32Strings(
			i => dump.mapRtxSsrcConsumerId(i),
			dump.mapRtxSsrcConsumerIdLength()
		),
		// Filled by the worker once Producers exist.
		recvRtpHeaderExtensions: {},
		rtpListener: { ssrcTable: [], midTable: [], ridTable: [] },
		maxSendMessageSize: messageSizes.maxSendMessageSize,
		maxReceiveMessageSize: messageSizes.maxReceiveMessageSize,
		dataProducerIds: readStrings(i => dump.dataProducerIds(i), dump.dataProducerIdsLength()),
		dataConsumerIds: readStrings(i => dump.dataConsumerIds(i), dump.dataConsumerIdsLength()),
		traceEventTypes: readStrings(i => dump.traceEventTypes(i), dump.traceEventTypesLength()),
		droppedPackets: {
			notStunDtlsRtpRtcp: Number(dropped.notStunDtlsRtpRtcp()),
			invalidStun: Number(dropped.invalidStun()),
			stunUnauthorized: Number(dropped.stunUnauthorized()),
			dtlsUnexpected: Number(dropped.dtlsUnexpected()),
			rtpBeforeSrtp: Number(dropped.rtpBeforeSrtp()),
			srtpDecryptFailed: Number(dropped.srtpDecryptFailed()),
			srtcpDecryptFailed: Number(dropped.srtcpDecryptFailed()),
			invalidRtp: Number(dropped.invalidRtp()),
			invalidRtcp: Number(dropped.invalidRtcp()),
			unknownTuple: Number(dropped.unknownTuple()),
		},
	};
}

/**
 * Stats response bodies of every transport kind share this shape.
 */
export function parseBaseTransportStats(stats: FbsTransportStats): BaseTransportStats {
	const result: BaseTransportStats = {
		transportId: stats.transportId()!,
		timestamp: Number(stats.timestamp()),
		bytesReceived: Number(stats.bytesReceived()),
		recvBitrate: stats.recvBitrate(),
		bytesSent: Number(stats.bytesSent()),
		sendBitrate: stats.sendBitrate(),
		rtpBytesReceived: Number(stats.rtpBytesReceived()),
		rtpRecvBitrate: stats.rtpRecvBitrate(),
		rtpBytesSent: Number(stats.rtpBytesSent()),
		rtpSendBitrate: stats.rtpSendBitrate(),
		rtxBytesReceived: Number(stats.rtxBytesReceived()),
		rtxRecvBitrate: stats.rtxRecvBitrate(),
		rtxBytesSent: Number(stats.rtxBytesSent()),
		rtxSendBitrate: stats.rtxSendBitrate(),
		probationBytesSent: Number(stats.probationBytesSent()),
		probationSendBitrate: stats.probationSendBitrate(),
	};

	const optionals: [keyof BaseTransportStats, number | null][] = [
		['availableOutgoingBitrate', stats.availableOutgoingBitrate()],
		['availableIncomingBitrate', stats.availableIncomingBitrate()],
		['maxIncomingBitrate', stats.maxIncomingBitrate()],
		['maxOutgoingBitrate', stats.maxOutgoingBitrate()],
		['minOutgoingBitrate', stats.minOutgoingBitrate()],
	];

	for (const [key, value] of optionals) {
		if (value !== null) {
			(result as Record<string, unknown>)[key] = value;
		}
	}

	return result;
}

export function parseProtocol(protocol: FbsProtocol): TransportProtocol {
	switch (protocol) {
		case FbsProtocol.UDP:
			return 'udp';
		case FbsProtocol.TCP:
			return 'tcp';
		default:
			throw new TypeError(`invalid protocol: ${protocol}`);
	}
}

export function serializeProtocol(protocol: TransportProtocol): FbsProtocol {
	switch (protocol) {
		case 'udp':
			return FbsProtocol.UDP;
		case 'tcp':
			return FbsProtocol.TCP;
		default:
			throw new TypeError(`invalid protocol: ${String(protocol)}`);
	}
}

/**
 * A tuple without remote part (no remote IP) has neither remoteIp nor
 * remotePort.
 */
export function parseTuple(tuple: FbsTuple): TransportTuple {
	const localAddress = tuple.localAddress()!;
	const remoteIp = tuple.remoteIp();
	const result: TransportTuple = {
		localIp: localAddress,
		localAddress,
		localPort: tuple.localPort(),
		protocol: parseProtocol(tuple.protocol()),
	};

	if (remoteIp) {
		result.remoteIp = remoteIp;
		result.remotePort = tuple.remotePort();
	}

	return result;
}

const SRTP_CRYPTO_SUITES: readonly SrtpCryptoSuite[] = [
	'AEAD_AES_256_GCM',
	'AEAD_AES_128_GCM',
	'AES_CM_128_HMAC_SHA1_80',
	'AES_CM_128_HMAC_SHA1_32',
];

export function parseSrtpCryptoSuite(suite: FbsSrtpCryptoSuite): SrtpCryptoSuite {
	switch (suite) {
		case FbsSrtpCryptoSuite.AEAD_AES_256_GCM:
			return 'AEAD_AES_256_GCM';
		case FbsSrtpCryptoSuite.AEAD_AES_128_GCM:
			return 'AEAD_AES_128_GCM';
		case FbsSrtpCryptoSuite.AES_CM_128_HMAC_SHA1_80:
			return 'AES_CM_128_HMAC_SHA1_80';
		case FbsSrtpCryptoSuite.AES_CM_128_HMAC_SHA1_32:
			return 'AES_CM_128_HMAC_SHA1_32';
		default:
			throw new TypeError(`invalid SRTP crypto suite: ${suite}`);
	}
}

export function serializeSrtpCryptoSuite(suite: SrtpCryptoSuite): FbsSrtpCryptoSuite {
	switch (suite) {
		case 'AEAD_AES_256_GCM':
			return FbsSrtpCryptoSuite.AEAD_AES_256_GCM;
		case 'AEAD_AES_128_GCM':
			return FbsSrtpCryptoSuite.AEAD_AES_128_GCM;
		case 'AES_CM_128_HMAC_SHA1_80':
			return FbsSrtpCryptoSuite.AES_CM_128_HMAC_SHA1_80;
		case 'AES_CM_128_HMAC_SHA1_32':
			return FbsSrtpCryptoSuite.AES_CM_128_HMAC_SHA1_32;
		default:
			throw new TypeError(`invalid SRTP crypto suite: ${String(suite)}`);
	}
}

export function parseSrtpParameters(parameters: FbsSrtpParameters): SrtpParameters {
	return {
		cryptoSuite: parseSrtpCryptoSuite(parameters.cryptoSuite()),
		keyBase64: parameters.keyBase64()!,
	};
}

export function serializeSrtpParameters(
	builder: flatbuffers.Builder,
	parameters: SrtpParameters
): number {
	return FbsSrtpParameters.createSrtpParameters(
		builder,
		serializeSrtpCryptoSuite(parameters.cryptoSuite),
		builder.createString(parameters.keyBase64)
	);
}

/**
 * Throws TypeError unless `suite` names a supported SRTP crypto suite.
 */
export function validateSrtpCryptoSuite(
	suite: unknown,
	field: string
): asserts suite is SrtpCryptoSuite {
	if (typeof suite !== 'string' || !SRTP_CRYPTO_SUITES.includes(suite as SrtpCryptoSuite)) {
		throw new TypeError(`${field} must be one of ${SRTP_CRYPTO_SUITES.join(', ')}`);
	}
}

/**
 * Throws TypeError unless `parameters` has a valid shape (the key itself is
 * checked by the worker).
 */
export function validateSrtpParameters(
	parameters: unknown,
	field = 'srtpParameters'
): asserts parameters is SrtpParameters {
	if (!isPlainObject(parameters)) {
		throw new TypeError(`${field} must be an object`);
	}

	validateSrtpCryptoSuite(parameters.cryptoSuite, `${field}.cryptoSuite`);

	if (typeof parameters.keyBase64 !== 'string' || parameters.keyBase64.length === 0) {
		throw new TypeError(`${field}.keyBase64 must be a non-empty string`);
	}
}

/**
 * A listen info after validation: every field resolved.
 */
export type NormalizedListenInfo = {
	protocol: TransportProtocol;
	ip: string;
	announcedAddress?: string;
	exposeInternalIp: boolean;
	port: number;
	portRange: { min: number; max: number };
	flags: { ipv6Only: boolean; udpReusePort: boolean };
	sendBufferSize: number;
	recvBufferSize: number;
};

/**
 * Validates a TransportListenInfo (TypeError naming `field`) and resolves its
 * defaults; `announcedIp` is an alias of `announcedAddress`. IP syntax is
 * checked here too (the worker checks it again).
 */
export function normalizeListenInfo(info: unknown, field: string): NormalizedListenInfo {
	if (!isPlainObject(info)) {
		throw new TypeError(`${field} must be an object`);
	}

	const {
		protocol,
		ip,
		announcedAddress,
		announcedIp,
		exposeInternalIp,
		port,
		portRange,
		flags,
		sendBufferSize,
		recvBufferSize,
	} = info as Partial<Record<keyof TransportListenInfo, unknown>>;

	if (protocol !== 'udp' && protocol !== 'tcp') {
		throw new TypeError(`${field}.protocol must be 'udp' or 'tcp'`);
	}

	validateIp(ip, `${field}.ip`);

	// announcedIp is the deprecated name of announcedAddress.
	const announcedField =
		announcedAddress !== undefined && announcedAddress !== null
			? 'announcedAddress'
			: 'announcedIp';
	const announced = announcedAddress ?? announcedIp;

	if (announced !== undefined && announced !== null && typeof announced !== 'string') {
		throw new TypeError(`${field}.${announcedField} must be a string`);
	}

	validateOptionalBoolean(exposeInternalIp, `${field}.exposeInternalIp`);

	if (port !== undefined) {
		validateInteger(port, `${field}.port`, 0, MAX_UINT16);
	}

	const normalizedPortRange = { min: 0, max: 0 };

	if (portRange !== undefined) {
		if (!isPlainObject(portRange)) {
			throw new TypeError(`${field}.portRange must be an object`);
		}

		validateInteger(portRange.min, `${field}.portRange.min`, 0, MAX_UINT16);
		validateInteger(portRange.max, `${field}.portRange.max`, 0, MAX_UINT16);

		if (portRange.min !== 0 && portRange.max !== 0 && portRange.min > portRange.max) {
			throw new TypeError(`${field}.portRange.min cannot be greater than ${field}.portRange.max`);
		}

		normalizedPortRange.min = portRange.min;
		normalizedPortRange.max = portRange.max;
	}

	const normalizedFlags = { ipv6Only: false, udpReusePort: false };

	if (flags !== undefined) {
		if (!isPlainObject(flags)) {
			throw new TypeError(`${field}.flags must be an object`);
		}

		validateOptionalBoolean(flags.ipv6Only, `${field}.flags.ipv6Only`);
		validateOptionalBoolean(flags.udpReusePort, `${field}.flags.udpReusePort`);

		normalizedFlags.ipv6Only = flags.ipv6Only === true;
		normalizedFlags.udpReusePort = flags.udpReusePort === true;
	}

	if (sendBufferSize !== undefined) {
		validateInteger(sendBufferSize, `${field}.sendBufferSize`, 0, MAX_UINT32);
	}

	if (recvBufferSize !== undefined) {
		validateInteger(recvBufferSize, `${field}.recvBufferSize`, 0, MAX_UINT32);
	}

	const normalized: NormalizedListenInfo = {
		protocol,
		ip: ip as string,
		exposeInternalIp: exposeInternalIp === true,
		port: (port as number | undefined) ?? 0,
		portRange: normalizedPortRange,
		flags: normalizedFlags,
		sendBufferSize: (sendBufferSize as number | undefined) ?? 0,
		recvBufferSize: (recvBufferSize as number | undefined) ?? 0,
	};

	if (typeof announced === 'string' && announced.length > 0) {
		normalized.announcedAddress = announced;
	}

	return normalized;
}

/**
 * Converts a deprecated `listenIp` (a string or `{ ip, announcedIp }`) into a
 * listen info of the given protocol.
 */
export function listenIpToListenInfo(
	listenIp: unknown,
	field: string,
	protocol: TransportProtocol,
	port: unknown
): NormalizedListenInfo {
	let ip: unknown;
	let announcedIp: unknown;

	if (typeof listenIp === 'string') {
		ip = listenIp;
	} else if (isPlainObject(listenIp)) {
		ip = listenIp.ip;
		announcedIp = listenIp.announcedIp;
	} else {
		throw new TypeError(`${field} must be a string or an object`);
	}

	if (port !== undefined) {
		validateInteger(port, 'port', 0, MAX_UINT16);
	}

	validateIp(ip, typeof listenIp === 'string' ? field : `${field}.ip`);

	return normalizeListenInfo({ protocol, ip, announcedIp, port }, field);
}

export function serializeListenInfo(
	builder: flatbuffers.Builder,
	listenInfo: NormalizedListenInfo
): number {
	const ipOffset = builder.createString(listenInfo.ip);
	const announcedAddressOffset = listenInfo.announcedAddress
		? builder.createString(listenInfo.announcedAddress)
		: 0;
	const portRangeOffset = FbsPortRange.createPortRange(
		builder,
		listenInfo.portRange.min,
		listenInfo.portRange.max
	);
	const flagsOffset = FbsSocketFlags.createSocketFlags(
		builder,
		listenInfo.flags.ipv6Only,
		listenInfo.flags.udpReusePort
	);

	FbsListenInfo.startListenInfo(builder);
	FbsListenInfo.addProtocol(builder, serializeProtocol(listenInfo.protocol));
	FbsListenInfo.addIp(builder, ipOffset);

	if (announcedAddressOffset) {
		FbsListenInfo.addAnnouncedAddress(builder, announcedAddressOffset);
	}

	FbsListenInfo.addExposeInternalIp(builder, listenInfo.exposeInternalIp);
	FbsListenInfo.addPort(builder, listenInfo.port);
	FbsListenInfo.addPortRange(builder, portRangeOffset);
	FbsListenInfo.addFlags(builder, flagsOffset);
	FbsListenInfo.addSendBufferSize(builder, listenInfo.sendBufferSize);
	FbsListenInfo.addRecvBufferSize(builder, listenInfo.recvBufferSize);

	return FbsListenInfo.endListenInfo(builder);
}

/**
 * SCTP related options of WebRtc, Plain and Pipe transports, validated.
 */
export type NormalizedSctpOptions = {
	enableSctp: boolean;
	maxSendMessageSize: number;
	maxReceiveMessageSize: number;
	sctpSendBufferSize: number;
	sctpPerStreamSendQueueLimit: number;
	sctpMaxReceiverWindowBufferSize: number;
	sctpDefaultStreamBufferedAmountLowThreshold: number;
};

const SCTP_DEFAULTS: Omit<NormalizedSctpOptions, 'enableSctp'> = {
	maxSendMessageSize: 262144,
	maxReceiveMessageSize: 262144,
	sctpSendBufferSize: 2000000,
	sctpPerStreamSendQueueLimit: 2000000,
	sctpMaxReceiverWindowBufferSize: 5242880,
	sctpDefaultStreamBufferedAmountLowThreshold: 1024,
};

/**
 * Validates the SCTP options (TypeError naming the field) and resolves their
 * defaults. `enableSctp: true` itself is refused later by the caller (SCTP is
 * not available yet).
 */
export function normalizeSctpOptions(options: Record<string, unknown>): NormalizedSctpOptions {
	validateOptionalBoolean(options.enableSctp, 'enableSctp');

	const normalized: NormalizedSctpOptions = {
		enableSctp: options.enableSctp === true,
		...SCTP_DEFAULTS,
	};

	for (const key of Object.keys(SCTP_DEFAULTS) as (keyof typeof SCTP_DEFAULTS)[]) {
		const value = options[key];

		if (value === undefined) {
			continue;
		}

		const min = key === 'sctpDefaultStreamBufferedAmountLowThreshold' ? 0 : 1;

		validateInteger(value, key, min, MAX_UINT32);

		normalized[key] = value;
	}

	return normalized;
}

/**
 * SctpParameters a transport with SCTP enabled reports.
 */
export function buildSctpParameters(
	sctp: NormalizedSctpOptions,
	isDataChannel: boolean
): SctpParameters {
	return {
		port: 5000,
		OS: 65535,
		MIS: 65535,
		maxMessageSize: sctp.maxReceiveMessageSize,
		maxSendMessageSize: sctp.maxSendMessageSize,
		maxReceiveMessageSize: sctp.maxReceiveMessageSize,
		sendBufferSize: sctp.sctpSendBufferSize,
		perStreamSendQueueLimit: sctp.sctpPerStreamSendQueueLimit,
		maxReceiverWindowBufferSize: sctp.sctpMaxReceiverWindowBufferSize,
		isDataChannel,
	};
}

/**
 * The FBS Transport.Options every creation request carries.
 */
export function serializeTransportOptions(
	builder: flatbuffers.Builder,
	{
		direct = false,
		maxMessageSize = 0,
		initialAvailableOutgoingBitrate = 600000,
		sctp,
		isDataChannel = false,
	}: {
		direct?: boolean;
		maxMessageSize?: number;
		initialAvailableOutgoingBitrate?: number;
		sctp?: NormalizedSctpOptions;
		isDataChannel?: boolean;
	}
): number {
	FbsTransportOptions.startOptions(builder);
	FbsTransportOptions.addDirect(builder, direct);
	FbsTransportOptions.addMaxMessageSize(builder, maxMessageSize);
	FbsTransportOptions.addInitialAvailableOutgoingBitrate(builder, initialAvailableOutgoingBitrate);
	FbsTransportOptions.addEnableSctp(builder, sctp?.enableSctp ?? false);
	FbsTransportOptions.addMaxSctpMessageSize(
		builder,
		sctp?.maxReceiveMessageSize ?? SCTP_DEFAULTS.maxReceiveMessageSize
	);
	FbsTransportOptions.addSctpSendBufferSize(
		builder,
		sctp?.sctpSendBufferSize ?? SCTP_DEFAULTS.sctpSendBufferSize
	);
	FbsTransportOptions.addIsDataChannel(builder, isDataChannel);

	return FbsTransportOptions.endOptions(builder);
}

/**
 * Throws TypeError unless appData is absent (falsy) or an object.
 */
export function validateAppData(appData: unknown): void {
	if (appData && typeof appData !== 'object') {
		throw new TypeError('if given, appData must be an object');
	}
}

/**
 * Throws TypeError unless `options` is an object (or undefined, when allowed).
 */
export function optionsRecord(options: unknown, allowUndefined = false): Record<string, unknown> {
	if (options === undefined && allowUndefined) {
		return {};
	}

	if (!isPlainObject(options)) {
		throw new TypeError('options must be an object');
	}

	return options;
}

export function validateIp(ip: unknown, field: string): asserts ip is string {
	if (typeof ip !== 'string' || net.isIP(ip) === 0) {
		throw new TypeError(`${field} must be a valid IPv4 or IPv6 address`);
	}
}

export function validateInteger(
	value: unknown,
	field: string,
	min: number,
	max: number
): asserts value is number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw new TypeError(`${field} must be an integer in ${min}..${max}`);
	}
}

export function validateOptionalBoolean(value: unknown, field: string): void {
	if (value !== undefined && typeof value !== 'boolean') {
		throw new TypeError(`${field} must be a boolean`);
	}
}

function validateBitrate(bitrate: unknown): asserts bitrate is number {
	validateInteger(bitrate, 'bitrate', 0, MAX_UINT32);
}

function readUint32Strings(
	get: (i: number) => { key(): number; value(): string | null } | null,
	length: number
): { key: number; value: string }[] {
	const pairs: { key: number; value: string }[] = [];

	for (let i = 0; i < length; ++i) {
		const pair = get(i)!;

		pairs.push({ key: pair.key(), value: pair.value()! });
	}

	return pairs;
}
