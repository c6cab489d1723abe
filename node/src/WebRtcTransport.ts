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
	MAX_UINT32,
	optionsRecord,
	validateAppData,
	validateInteger,
	validateOptionalBoolean,
} from './validation';
import { parseProtocol, parseTuple } from './transportFbs';
import type { SctpState, TransportProtocol, TransportTuple } from './TransportTypes';
import type {
	DtlsFingerprint,
	DtlsParameters,
	DtlsRole,
	DtlsState,
	FingerprintAlgorithm,
	IceCandidate,
	IceParameters,
	IceState,
	WebRtcTransport,
	WebRtcTransportDump,
	WebRtcTransportEvents,
	WebRtcTransportObserver,
	WebRtcTransportObserverEvents,
	WebRtcTransportStat,
} from './WebRtcTransportTypes';
import type { WebRtcServer } from './WebRtcServerTypes';
import type { SctpNegotiatedCapabilities, SctpParameters } from './sctpParametersTypes';
import type { AppData } from './typesGeneric';
import { clone, isPlainObject } from './utils';
import { Method } from './fbs/request/method';
import { Body as RequestBody } from './fbs/request/body';
import { Body as ResponseBody } from './fbs/response/body';
import type { Response } from './fbs/response/response';
import { Event } from './fbs/notification/event';
import type { Notification } from './fbs/notification/notification';
import { CreateWebRtcTransportRequest as FbsCreateWebRtcTransportRequest } from './fbs/router/create-web-rtc-transport-request';
import { WebRtcTransportOptions as FbsWebRtcTransportOptions } from './fbs/web-rtc-transport/web-rtc-transport-options';
import { Listen as FbsListen } from './fbs/web-rtc-transport/listen';
import { ListenIndividual as FbsListenIndividual } from './fbs/web-rtc-transport/listen-individual';
import { ListenServer as FbsListenServer } from './fbs/web-rtc-transport/listen-server';
import { DumpResponse as FbsDumpResponse } from './fbs/web-rtc-transport/dump-response';
import { GetStatsResponse as FbsGetStatsResponse } from './fbs/web-rtc-transport/get-stats-response';
import { ConnectRequest as FbsConnectRequest } from './fbs/web-rtc-transport/connect-request';
import { ConnectResponse as FbsConnectResponse } from './fbs/web-rtc-transport/connect-response';
import { RestartIceResponse as FbsRestartIceResponse } from './fbs/web-rtc-transport/restart-ice-response';
import { DtlsParameters as FbsDtlsParameters } from './fbs/web-rtc-transport/dtls-parameters';
import { Fingerprint as FbsFingerprint } from './fbs/web-rtc-transport/fingerprint';
import { FingerprintAlgorithm as FbsFingerprintAlgorithm } from './fbs/web-rtc-transport/fingerprint-algorithm';
import { DtlsRole as FbsDtlsRole } from './fbs/web-rtc-transport/dtls-role';
import { DtlsState as FbsDtlsState } from './fbs/web-rtc-transport/dtls-state';
import { IceState as FbsIceState } from './fbs/web-rtc-transport/ice-state';
import { IceCandidateTcpType as FbsIceCandidateTcpType } from './fbs/web-rtc-transport/ice-candidate-tcp-type';
import type { IceCandidate as FbsIceCandidate } from './fbs/web-rtc-transport/ice-candidate';
import { IceStateChangeNotification as FbsIceStateChangeNotification } from './fbs/web-rtc-transport/ice-state-change-notification';
import { IceSelectedTupleChangeNotification as FbsIceSelectedTupleChangeNotification } from './fbs/web-rtc-transport/ice-selected-tuple-change-notification';
import { DtlsStateChangeNotification as FbsDtlsStateChangeNotification } from './fbs/web-rtc-transport/dtls-state-change-notification';

const logger = new Logger('WebRtcTransport');

// ice_consent_timeout is a uint8 in the channel schema.
const MAX_ICE_CONSENT_TIMEOUT = 255;

const FINGERPRINT_ALGORITHMS: readonly FingerprintAlgorithm[] = [
	'sha-1',
	'sha-224',
	'sha-256',
	'sha-384',
	'sha-512',
];

const DTLS_ROLES: readonly DtlsRole[] = ['auto', 'client', 'server'];

/**
 * State of a WebRtcTransport, learnt from the worker at creation and kept up
 * to date by its notifications.
 */
export type WebRtcTransportData = {
	iceRole: 'controlled';
	iceParameters: IceParameters;
	iceCandidates: IceCandidate[];
	iceState: IceState;
	iceSelectedTuple?: TransportTuple;
	dtlsParameters: DtlsParameters;
	dtlsState: DtlsState;
	dtlsRemoteCert?: string;
};

/**
 * createWebRtcTransport() options once validated.
 */
export type NormalizedWebRtcTransportOptions = {
	webRtcServer?: WebRtcServer;
	listenInfos?: NormalizedListenInfo[];
	enableUdp: boolean;
	enableTcp: boolean;
	preferUdp: boolean;
	preferTcp: boolean;
	iceConsentTimeout: number;
	initialAvailableOutgoingBitrate: number;
	sctp: NormalizedSctpOptions;
	appData?: AppData;
};

export class WebRtcTransportImpl<WebRtcTransportAppData extends AppData = AppData>
	extends TransportImpl<WebRtcTransportAppData, WebRtcTransportEvents, WebRtcTransportObserver>
	implements WebRtcTransport<WebRtcTransportAppData>
{
	readonly #data: WebRtcTransportData;

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
		appData?: WebRtcTransportAppData;
		messageSizes: TransportMessageSizes;
		data: WebRtcTransportData;
		sctpParameters?: SctpParameters;
	}) {
		super({
			internal,
			channel,
			appData,
			messageSizes,
			observer: new EnhancedEventEmitter<WebRtcTransportObserverEvents>(),
			sctpParameters,
		});

		logger.debug('constructor()');

		this.#data = data;
	}

	get type(): 'webrtc' {
		return 'webrtc';
	}

	get iceRole(): 'controlled' {
		return this.#data.iceRole;
	}

	get iceParameters(): IceParameters {
		return clone(this.#data.iceParameters);
	}

	get iceCandidates(): IceCandidate[] {
		return clone(this.#data.iceCandidates);
	}

	get iceState(): IceState {
		return this.#data.iceState;
	}

	get iceSelectedTuple(): TransportTuple | undefined {
		return clone(this.#data.iceSelectedTuple);
	}

	get dtlsParameters(): DtlsParameters {
		return clone(this.#data.dtlsParameters);
	}

	get dtlsState(): DtlsState {
		return this.#data.dtlsState;
	}

	get dtlsRemoteCert(): string | undefined {
		return this.#data.dtlsRemoteCert;
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

	async dump(): Promise<WebRtcTransportDump> {
		logger.debug('dump()');

		const response = await this.requestDump();

		if (response.bodyType() !== ResponseBody.WebRtcTransport_DumpResponse) {
			throw new Error('unexpected response body to WebRtcTransport dump()');
		}

		const body = new FbsDumpResponse();

		response.body(body);

		return {
			...this.parseBaseDump(body.base()!),
			...parseWebRtcTransportDumpResponse(body),
		};
	}

	async getStats(): Promise<WebRtcTransportStat[]> {
		logger.debug('getStats()');

		const response = await this.requestStats();

		if (response.bodyType() !== ResponseBody.WebRtcTransport_GetStatsResponse) {
			throw new Error('unexpected response body to WebRtcTransport getStats()');
		}

		const body = new FbsGetStatsResponse();

		response.body(body);

		const stat: WebRtcTransportStat = {
			...this.parseBaseStats(body.base()!),
			type: 'webrtc-transport',
			iceRole: 'controlled',
			iceState: parseIceState(body.iceState()),
			dtlsState: parseDtlsState(body.dtlsState()),
		};

		const selectedTuple = body.iceSelectedTuple();

		if (selectedTuple) {
			stat.iceSelectedTuple = parseTuple(selectedTuple);
		}

		return [stat];
	}

	async connect(params: { dtlsParameters: DtlsParameters }): Promise<void> {
		logger.debug('connect()');

		this.assertNotClosed();

		const { dtlsParameters } = optionsRecord(params);

		validateDtlsParameters(dtlsParameters);

		const builder = this.channel.bufferBuilder;
		const bodyOffset = FbsConnectRequest.createConnectRequest(
			builder,
			serializeDtlsParameters(builder, dtlsParameters)
		);
		const response = await this.channel.request(
			Method.TRANSPORT_CONNECT,
			RequestBody.WebRtcTransport_ConnectRequest,
			bodyOffset,
			this.id
		);

		if (response.bodyType() !== ResponseBody.WebRtcTransport_ConnectResponse) {
			throw new Error('unexpected response body to WebRtcTransport connect()');
		}

		const body = new FbsConnectResponse();

		response.body(body);

		this.#data.dtlsParameters.role = parseDtlsRole(body.dtlsLocalRole());
	}

	async restartIce(): Promise<IceParameters> {
		logger.debug('restartIce()');

		this.assertNotClosed();

		const response = await this.channel.request(
			Method.TRANSPORT_RESTART_ICE,
			undefined,
			undefined,
			this.id
		);

		if (response.bodyType() !== ResponseBody.WebRtcTransport_RestartIceResponse) {
			throw new Error('unexpected response body to WebRtcTransport restartIce()');
		}

		const body = new FbsRestartIceResponse();

		response.body(body);

		this.#data.iceParameters = {
			usernameFragment: body.usernameFragment()!,
			password: body.password()!,
			iceLite: body.iceLite(),
		};

		return clone(this.#data.iceParameters);
	}

	protected override handleClosure(): void {
		this.#data.iceState = 'closed';
		this.#data.iceSelectedTuple = undefined;
		this.#data.dtlsState = 'closed';
	}

	protected override handleWorkerNotification(event: Event, notification: Notification): void {
		switch (event) {
			case Event.WEBRTCTRANSPORT_ICE_STATE_CHANGE: {
				const body = new FbsIceStateChangeNotification();

				notification.body(body);

				const iceState = parseIceState(body.iceState());

				this.#data.iceState = iceState;

				// The worker drops its tuples when consent lapses.
				if (iceState === 'disconnected') {
					this.#data.iceSelectedTuple = undefined;
				}

				this.safeEmit('icestatechange', iceState);
				this.observer.safeEmit('icestatechange', iceState);

				break;
			}

			case Event.WEBRTCTRANSPORT_ICE_SELECTED_TUPLE_CHANGE: {
				const body = new FbsIceSelectedTupleChangeNotification();

				notification.body(body);

				const tuple = parseTuple(body.tuple()!);

				this.#data.iceSelectedTuple = tuple;

				this.safeEmit('iceselectedtuplechange', clone(tuple));
				this.observer.safeEmit('iceselectedtuplechange', clone(tuple));

				break;
			}

			case Event.WEBRTCTRANSPORT_DTLS_STATE_CHANGE: {
				const body = new FbsDtlsStateChangeNotification();

				notification.body(body);

				const dtlsState = parseDtlsState(body.dtlsState());

				this.#data.dtlsState = dtlsState;

				if (dtlsState === 'connected') {
					this.#data.dtlsRemoteCert = body.remoteCert() ?? undefined;
				}

				this.safeEmit('dtlsstatechange', dtlsState);
				this.observer.safeEmit('dtlsstatechange', dtlsState);

				break;
			}

			default: {
				super.handleWorkerNotification(event, notification);
			}
		}
	}
}

/**
 * Validates createWebRtcTransport() options (TypeError naming the field) and
 * resolves their defaults.
 */
export function normalizeWebRtcTransportOptions(
	options: unknown
): NormalizedWebRtcTransportOptions {
	const o = optionsRecord(options);
	const { webRtcServer, listenInfos, listenIps, port, appData } = o;

	validateAppData(appData);

	for (const key of ['enableUdp', 'enableTcp', 'preferUdp', 'preferTcp']) {
		validateOptionalBoolean(o[key], key);
	}

	const hasServer = webRtcServer !== undefined && webRtcServer !== null;
	const enableUdp = (o.enableUdp as boolean | undefined) ?? true;
	const enableTcp = (o.enableTcp as boolean | undefined) ?? hasServer;
	const preferUdp = o.preferUdp === true;
	const preferTcp = o.preferTcp === true;

	let iceConsentTimeout = 30;

	if (o.iceConsentTimeout !== undefined) {
		if (
			typeof o.iceConsentTimeout !== 'number' ||
			Number.isNaN(o.iceConsentTimeout) ||
			o.iceConsentTimeout < 0
		) {
			throw new TypeError('iceConsentTimeout must be a non-negative number');
		}

		iceConsentTimeout = Math.min(Math.floor(o.iceConsentTimeout), MAX_ICE_CONSENT_TIMEOUT);
	}

	let initialAvailableOutgoingBitrate = 600000;

	if (o.initialAvailableOutgoingBitrate !== undefined) {
		validateInteger(
			o.initialAvailableOutgoingBitrate,
			'initialAvailableOutgoingBitrate',
			0,
			MAX_UINT32
		);

		initialAvailableOutgoingBitrate = o.initialAvailableOutgoingBitrate;
	}

	const sctp = normalizeSctpOptions(o);
	const normalized: NormalizedWebRtcTransportOptions = {
		enableUdp,
		enableTcp,
		preferUdp,
		preferTcp,
		iceConsentTimeout,
		initialAvailableOutgoingBitrate,
		sctp,
		appData: appData as AppData | undefined,
	};

	if (hasServer) {
		if (listenInfos !== undefined && listenIps !== undefined) {
			throw new TypeError('only one of webRtcServer, listenInfos and listenIps must be given');
		}

		const server = webRtcServer as Partial<WebRtcServer>;

		if (
			typeof webRtcServer !== 'object' ||
			typeof server.id !== 'string' ||
			typeof server.handleWebRtcTransport !== 'function'
		) {
			throw new TypeError('webRtcServer must be a WebRtcServer');
		}

		if (!enableUdp && !enableTcp) {
			throw new TypeError('at least one of enableUdp and enableTcp must be true');
		}

		normalized.webRtcServer = webRtcServer as WebRtcServer;

		return normalized;
	}

	if (!Array.isArray(listenInfos) && !Array.isArray(listenIps)) {
		throw new TypeError(
			'missing webRtcServer, listenInfos or listenIps (one of them is mandatory, listenInfos and listenIps must be arrays)'
		);
	}

	if (listenIps !== undefined) {
		// As the reference: listenIps (deprecated) win over listenInfos.
		if (!Array.isArray(listenIps)) {
			throw new TypeError('listenIps must be an array');
		}

		if (listenIps.length === 0) {
			throw new TypeError('listenIps must not be empty');
		}

		if (!enableUdp && !enableTcp) {
			throw new TypeError('at least one of enableUdp and enableTcp must be true');
		}

		const protocols: TransportProtocol[] = [];

		if (enableUdp && (preferUdp || !enableTcp || !preferTcp)) {
			protocols.push('udp');

			if (enableTcp) {
				protocols.push('tcp');
			}
		} else {
			protocols.push('tcp');

			if (enableUdp) {
				protocols.push('udp');
			}
		}

		normalized.listenInfos = [];

		listenIps.forEach((listenIp: unknown, idx) => {
			for (const protocol of protocols) {
				normalized.listenInfos!.push(
					listenIpToListenInfo(listenIp, `listenIps[${idx}]`, protocol, port)
				);
			}
		});

		return normalized;
	}

	if (!Array.isArray(listenInfos)) {
		throw new TypeError('listenInfos must be an array');
	}

	if (listenInfos.length === 0) {
		throw new TypeError('listenInfos must not be empty');
	}

	normalized.listenInfos = listenInfos.map((listenInfo: unknown, idx) =>
		normalizeListenInfo(listenInfo, `listenInfos[${idx}]`)
	);

	return normalized;
}

export function serializeCreateWebRtcTransportRequest(
	builder: flatbuffers.Builder,
	transportId: string,
	options: NormalizedWebRtcTransportOptions
): number {
	const transportIdOffset = builder.createString(transportId);
	const baseOffset = serializeTransportOptions(builder, {
		initialAvailableOutgoingBitrate: options.initialAvailableOutgoingBitrate,
		sctp: options.sctp,
		isDataChannel: true,
	});

	let listenType: FbsListen;
	let listenOffset: number;

	if (options.webRtcServer) {
		listenType = FbsListen.ListenServer;
		listenOffset = FbsListenServer.createListenServer(
			builder,
			builder.createString(options.webRtcServer.id)
		);
	} else {
		const listenInfoOffsets = options.listenInfos!.map(listenInfo =>
			serializeListenInfo(builder, listenInfo)
		);

		listenType = FbsListen.ListenIndividual;
		listenOffset = FbsListenIndividual.createListenIndividual(
			builder,
			FbsListenIndividual.createListenInfosVector(builder, listenInfoOffsets)
		);
	}

	FbsWebRtcTransportOptions.startWebRtcTransportOptions(builder);
	FbsWebRtcTransportOptions.addBase(builder, baseOffset);
	FbsWebRtcTransportOptions.addListenType(builder, listenType);
	FbsWebRtcTransportOptions.addListen(builder, listenOffset);
	FbsWebRtcTransportOptions.addEnableUdp(builder, options.enableUdp);
	FbsWebRtcTransportOptions.addEnableTcp(builder, options.enableTcp);
	FbsWebRtcTransportOptions.addPreferUdp(builder, options.preferUdp);
	FbsWebRtcTransportOptions.addPreferTcp(builder, options.preferTcp);
	FbsWebRtcTransportOptions.addIceConsentTimeout(builder, options.iceConsentTimeout);

	const optionsOffset = FbsWebRtcTransportOptions.endWebRtcTransportOptions(builder);

	FbsCreateWebRtcTransportRequest.startCreateWebRtcTransportRequest(builder);
	FbsCreateWebRtcTransportRequest.addTransportId(builder, transportIdOffset);
	FbsCreateWebRtcTransportRequest.addOptions(builder, optionsOffset);

	return FbsCreateWebRtcTransportRequest.endCreateWebRtcTransportRequest(builder);
}

/**
 * Initial state of a new WebRtcTransport, from the TRANSPORT_DUMP response
 * that follows its creation.
 */
export function webRtcTransportDataFromDump(response: Response): WebRtcTransportData {
	if (response.bodyType() !== ResponseBody.WebRtcTransport_DumpResponse) {
		throw new Error('unexpected response body to WebRtcTransport dump');
	}

	const body = new FbsDumpResponse();

	response.body(body);

	return parseWebRtcTransportDumpResponse(body);
}

function parseWebRtcTransportDumpResponse(body: FbsDumpResponse): WebRtcTransportData {
	const iceParameters = body.iceParameters()!;
	const dtlsParameters = body.dtlsParameters()!;
	const iceCandidates: IceCandidate[] = [];
	const fingerprints: DtlsFingerprint[] = [];

	for (let i = 0; i < body.iceCandidatesLength(); ++i) {
		iceCandidates.push(parseIceCandidate(body.iceCandidates(i)!));
	}

	for (let i = 0; i < dtlsParameters.fingerprintsLength(); ++i) {
		const fingerprint = dtlsParameters.fingerprints(i)!;

		fingerprints.push({
			algorithm: parseFingerprintAlgorithm(fingerprint.algorithm()),
			value: fingerprint.value()!,
		});
	}

	const data: WebRtcTransportData = {
		iceRole: 'controlled',
		iceParameters: {
			usernameFragment: iceParameters.usernameFragment()!,
			password: iceParameters.password()!,
			iceLite: iceParameters.iceLite(),
		},
		iceCandidates,
		iceState: parseIceState(body.iceState()),
		dtlsParameters: {
			fingerprints,
			role: parseDtlsRole(dtlsParameters.role()),
		},
		dtlsState: parseDtlsState(body.dtlsState()),
	};

	const selectedTuple = body.iceSelectedTuple();

	if (selectedTuple) {
		data.iceSelectedTuple = parseTuple(selectedTuple);
	}

	const remoteCert = body.dtlsRemoteCert();

	if (remoteCert) {
		data.dtlsRemoteCert = remoteCert;
	}

	return data;
}

function parseIceCandidate(candidate: FbsIceCandidate): IceCandidate {
	const address = candidate.address()!;
	const result: IceCandidate = {
		foundation: candidate.foundation()!,
		priority: candidate.priority(),
		ip: address,
		address,
		protocol: parseProtocol(candidate.protocol()),
		port: candidate.port(),
		type: 'host',
	};

	if (candidate.tcpType() === FbsIceCandidateTcpType.PASSIVE) {
		result.tcpType = 'passive';
	}

	return result;
}

function parseIceState(state: FbsIceState): IceState {
	switch (state) {
		case FbsIceState.NEW:
			return 'new';
		case FbsIceState.CONNECTED:
			return 'connected';
		case FbsIceState.COMPLETED:
			return 'completed';
		case FbsIceState.DISCONNECTED:
			return 'disconnected';
		default:
			throw new TypeError(`invalid ICE state: ${state}`);
	}
}

function parseDtlsState(state: FbsDtlsState): DtlsState {
	switch (state) {
		case FbsDtlsState.NEW:
			return 'new';
		case FbsDtlsState.CONNECTING:
			return 'connecting';
		case FbsDtlsState.CONNECTED:
			return 'connected';
		case FbsDtlsState.FAILED:
			return 'failed';
		case FbsDtlsState.CLOSED:
			return 'closed';
		default:
			throw new TypeError(`invalid DTLS state: ${state}`);
	}
}

function parseDtlsRole(role: FbsDtlsRole): DtlsRole {
	switch (role) {
		case FbsDtlsRole.AUTO:
			return 'auto';
		case FbsDtlsRole.CLIENT:
			return 'client';
		case FbsDtlsRole.SERVER:
			return 'server';
		default:
			throw new TypeError(`invalid DTLS role: ${role}`);
	}
}

function serializeDtlsRole(role: DtlsRole): FbsDtlsRole {
	switch (role) {
		case 'auto':
			return FbsDtlsRole.AUTO;
		case 'client':
			return FbsDtlsRole.CLIENT;
		case 'server':
			return FbsDtlsRole.SERVER;
	}
}

function parseFingerprintAlgorithm(algorithm: FbsFingerprintAlgorithm): FingerprintAlgorithm {
	switch (algorithm) {
		case FbsFingerprintAlgorithm.SHA1:
			return 'sha-1';
		case FbsFingerprintAlgorithm.SHA224:
			return 'sha-224';
		case FbsFingerprintAlgorithm.SHA256:
			return 'sha-256';
		case FbsFingerprintAlgorithm.SHA384:
			return 'sha-384';
		case FbsFingerprintAlgorithm.SHA512:
			return 'sha-512';
		default:
			throw new TypeError(`invalid fingerprint algorithm: ${algorithm}`);
	}
}

function serializeFingerprintAlgorithm(algorithm: FingerprintAlgorithm): FbsFingerprintAlgorithm {
	switch (algorithm) {
		case 'sha-1':
			return FbsFingerprintAlgorithm.SHA1;
		case 'sha-224':
			return FbsFingerprintAlgorithm.SHA224;
		case 'sha-256':
			return FbsFingerprintAlgorithm.SHA256;
		case 'sha-384':
			return FbsFingerprintAlgorithm.SHA384;
		case 'sha-512':
			return FbsFingerprintAlgorithm.SHA512;
	}
}

/**
 * Throws TypeError naming the field unless the remote DTLS parameters are
 * well formed (the fingerprint value itself is checked by the worker).
 */
function validateDtlsParameters(dtlsParameters: unknown): asserts dtlsParameters is DtlsParameters {
	if (!isPlainObject(dtlsParameters)) {
		throw new TypeError('missing dtlsParameters (must be an object)');
	}

	const { role, fingerprints } = dtlsParameters;

	if (role !== undefined && !DTLS_ROLES.includes(role as DtlsRole)) {
		throw new TypeError(`dtlsParameters.role must be one of ${DTLS_ROLES.join(', ')}`);
	}

	if (!Array.isArray(fingerprints) || fingerprints.length === 0) {
		throw new TypeError('dtlsParameters.fingerprints must be a non-empty array');
	}

	fingerprints.forEach((fingerprint: unknown, idx) => {
		if (!isPlainObject(fingerprint)) {
			throw new TypeError(`dtlsParameters.fingerprints[${idx}] must be an object`);
		}

		if (!FINGERPRINT_ALGORITHMS.includes(fingerprint.algorithm as FingerprintAlgorithm)) {
			throw new TypeError(
				`dtlsParameters.fingerprints[${idx}].algorithm must be one of ${FINGERPRINT_ALGORITHMS.join(', ')}`
			);
		}

		if (typeof fingerprint.value !== 'string' || fingerprint.value.length === 0) {
			throw new TypeError(`dtlsParameters.fingerprints[${idx}].value must be a non-empty string`);
		}
	});
}

function serializeDtlsParameters(
	builder: flatbuffers.Builder,
	dtlsParameters: DtlsParameters
): number {
	const fingerprintOffsets = dtlsParameters.fingerprints.map(fingerprint =>
		FbsFingerprint.createFingerprint(
			builder,
			serializeFingerprintAlgorithm(fingerprint.algorithm),
			builder.createString(fingerprint.value)
		)
	);

	return FbsDtlsParameters.createDtlsParameters(
		builder,
		FbsDtlsParameters.createFingerprintsVector(builder, fingerprintOffsets),
		serializeDtlsRole(dtlsParameters.role ?? 'auto')
	);
}
