import type * as flatbuffers from 'flatbuffers';
import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import type { Channel } from './Channel';
import { NotFoundError, WorkerClosedError } from './errors';
import {
	normalizeListenInfo,
	serializeListenInfo,
	type NormalizedListenInfo,
} from './transportOptions';
import { optionsRecord, validateAppData } from './validation';
import type {
	IceUserNameFragment,
	IpPort,
	WebRtcServer,
	WebRtcServerDump,
	WebRtcServerEvents,
	WebRtcServerObserver,
	WebRtcServerObserverEvents,
} from './WebRtcServerTypes';
import type { WebRtcTransport } from './WebRtcTransportTypes';
import type { AppData } from './typesGeneric';
import { readStrings } from './fbsUtils';
import { Method } from './fbs/request/method';
import { Body as RequestBody } from './fbs/request/body';
import { Body as ResponseBody } from './fbs/response/body';
import { CreateWebRtcServerRequest as FbsCreateWebRtcServerRequest } from './fbs/worker/create-web-rtc-server-request';
import { CloseWebRtcServerRequest as FbsCloseWebRtcServerRequest } from './fbs/worker/close-web-rtc-server-request';
import { DumpResponse as FbsDumpResponse } from './fbs/web-rtc-server/dump-response';
import type { IpPort as FbsIpPort } from './fbs/web-rtc-server/ip-port';

const logger = new Logger('WebRtcServer');

type WebRtcServerInternal = {
	webRtcServerId: string;
};

/**
 * createWebRtcServer() options once validated.
 */
export type NormalizedWebRtcServerOptions = {
	listenInfos: NormalizedListenInfo[];
	appData?: AppData;
};

export class WebRtcServerImpl<WebRtcServerAppData extends AppData = AppData>
	extends EnhancedEventEmitter<WebRtcServerEvents>
	implements WebRtcServer<WebRtcServerAppData>
{
	readonly #internal: WebRtcServerInternal;
	readonly #channel: Channel;
	#closed = false;
	#appData: WebRtcServerAppData;
	// WebRtcTransports using this server, by id.
	readonly #webRtcTransports: Map<string, WebRtcTransport> = new Map();
	readonly #observer: WebRtcServerObserver = new EnhancedEventEmitter<WebRtcServerObserverEvents>();

	constructor({
		internal,
		channel,
		appData,
	}: {
		internal: WebRtcServerInternal;
		channel: Channel;
		appData?: WebRtcServerAppData;
	}) {
		super();

		logger.debug('constructor()');

		this.#internal = internal;
		this.#channel = channel;
		this.#appData = appData || ({} as WebRtcServerAppData);

		this.on('listenererror', (eventName, error) => {
			logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
		});
	}

	get id(): string {
		return this.#internal.webRtcServerId;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get appData(): WebRtcServerAppData {
		return this.#appData;
	}

	set appData(appData: WebRtcServerAppData) {
		this.#appData = appData;
	}

	get observer(): WebRtcServerObserver {
		return this.#observer;
	}

	/**
	 * Just for testing purposes.
	 */
	get webRtcTransportsForTesting(): Map<string, WebRtcTransport> {
		return this.#webRtcTransports;
	}

	close(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('close()');

		this.#closed = true;

		// The worker closes the server's transports along with it.
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsCloseWebRtcServerRequest.createCloseWebRtcServerRequest(
			builder,
			builder.createString(this.#internal.webRtcServerId)
		);

		this.#channel
			.request(
				Method.WORKER_WEBRTCSERVER_CLOSE,
				RequestBody.Worker_CloseWebRtcServerRequest,
				bodyOffset
			)
			.catch(() => {});

		const webRtcTransports = [...this.#webRtcTransports.values()];

		// Forgotten first, so that their own '@close' does not report them again.
		this.#webRtcTransports.clear();

		for (const webRtcTransport of webRtcTransports) {
			webRtcTransport.listenServerClosed();

			this.#observer.safeEmit('webrtctransportunhandled', webRtcTransport);
		}

		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	workerClosed(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('workerClosed()');

		this.#closed = true;

		// Its transports are closed by their Routers (routerclose).
		this.#webRtcTransports.clear();

		this.safeEmit('workerclose');
		this.#observer.safeEmit('close');
	}

	async dump(): Promise<WebRtcServerDump> {
		logger.debug('dump()');

		if (this.#channel.closed) {
			throw new WorkerClosedError('worker closed');
		}

		if (this.#closed) {
			throw new NotFoundError(`WebRtcServer closed [webRtcServerId:${this.id}]`);
		}

		const response = await this.#channel.request(
			Method.WEBRTCSERVER_DUMP,
			undefined,
			undefined,
			this.#internal.webRtcServerId
		);

		if (response.bodyType() !== ResponseBody.WebRtcServer_DumpResponse) {
			throw new Error('unexpected response body to WebRtcServer dump()');
		}

		const body = new FbsDumpResponse();

		response.body(body);

		const localIceUsernameFragments: IceUserNameFragment[] = [];
		const tupleHashes: WebRtcServerDump['tupleHashes'] = [];

		for (let i = 0; i < body.localIceUsernameFragmentsLength(); ++i) {
			const fragment = body.localIceUsernameFragments(i)!;

			localIceUsernameFragments.push({
				localIceUsernameFragment: fragment.localIceUsernameFragment()!,
				webRtcTransportId: fragment.webRtcTransportId()!,
			});
		}

		for (let i = 0; i < body.tupleHashesLength(); ++i) {
			const tupleHash = body.tupleHashes(i)!;

			tupleHashes.push({
				tupleHash: Number(tupleHash.tupleHash()),
				webRtcTransportId: tupleHash.webRtcTransportId()!,
			});
		}

		return {
			id: body.id()!,
			udpSockets: readIpPorts(i => body.udpSockets(i), body.udpSocketsLength()),
			tcpServers: readIpPorts(i => body.tcpServers(i), body.tcpServersLength()),
			webRtcTransportIds: readStrings(
				i => body.webRtcTransportIds(i),
				body.webRtcTransportIdsLength()
			),
			localIceUsernameFragments,
			tupleHashes,
			tcpConnectionCount: body.tcpConnectionCount(),
			tcpConnectionRejected: Number(body.tcpConnectionRejected()),
			tcpConnectionTimedOut: Number(body.tcpConnectionTimedOut()),
			droppedPackets: {
				invalidStun: Number(body.droppedInvalidStun()),
				stunUnauthorized: Number(body.droppedStunUnauthorized()),
				unknownTuple: Number(body.droppedUnknownTuple()),
			},
		};
	}

	handleWebRtcTransport(webRtcTransport: WebRtcTransport): void {
		logger.debug('handleWebRtcTransport()');

		this.#webRtcTransports.set(webRtcTransport.id, webRtcTransport);

		// Whatever the reason the transport closes (but not when this server
		// closed it, since it was forgotten first).
		webRtcTransport.on('@close', () => {
			if (this.#webRtcTransports.delete(webRtcTransport.id)) {
				this.#observer.safeEmit('webrtctransportunhandled', webRtcTransport);
			}
		});

		this.#observer.safeEmit('webrtctransporthandled', webRtcTransport);
	}
}

/**
 * Validates createWebRtcServer() options (TypeError naming the field).
 */
export function normalizeWebRtcServerOptions(options: unknown): NormalizedWebRtcServerOptions {
	const { listenInfos, appData } = optionsRecord(options);

	validateAppData(appData);

	if (!Array.isArray(listenInfos)) {
		throw new TypeError('missing listenInfos (must be an array)');
	}

	if (listenInfos.length === 0) {
		throw new TypeError('listenInfos must not be empty');
	}

	return {
		listenInfos: listenInfos.map((listenInfo: unknown, idx) =>
			normalizeListenInfo(listenInfo, `listenInfos[${idx}]`)
		),
		appData: appData as AppData | undefined,
	};
}

export function serializeCreateWebRtcServerRequest(
	builder: flatbuffers.Builder,
	webRtcServerId: string,
	options: NormalizedWebRtcServerOptions
): number {
	const webRtcServerIdOffset = builder.createString(webRtcServerId);
	const listenInfoOffsets = options.listenInfos.map(listenInfo =>
		serializeListenInfo(builder, listenInfo)
	);

	return FbsCreateWebRtcServerRequest.createCreateWebRtcServerRequest(
		builder,
		webRtcServerIdOffset,
		FbsCreateWebRtcServerRequest.createListenInfosVector(builder, listenInfoOffsets)
	);
}

function readIpPorts(get: (i: number) => FbsIpPort | null, length: number): IpPort[] {
	const ipPorts: IpPort[] = [];

	for (let i = 0; i < length; ++i) {
		const ipPort = get(i)!;

		ipPorts.push({ ip: ipPort.ip()!, port: ipPort.port() });
	}

	return ipPorts;
}
