import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger } from './Logger';
import { Channel } from './Channel';
import { WorkerClosedError } from './errors';
import * as ortc from './ortc';
import { RouterImpl } from './Router';
import type { Router, RouterOptions } from './RouterTypes';
import {
	WebRtcServerImpl,
	normalizeWebRtcServerOptions,
	serializeCreateWebRtcServerRequest,
} from './WebRtcServer';
import type { WebRtcServer, WebRtcServerOptions } from './WebRtcServerTypes';
import type {
	Worker,
	WorkerDump,
	WorkerEvents,
	WorkerLogLevel,
	WorkerLogTag,
	WorkerObserver,
	WorkerObserverEvents,
	WorkerResourceUsage,
	WorkerSettings,
	WorkerUpdateableSettings,
} from './WorkerTypes';
import type { AppData } from './typesGeneric';
import { clone, generateUUIDv4 } from './utils';
import { readStrings } from './fbsUtils';
import { version } from './version';
import { Method } from './fbs/request/method';
import { Body as RequestBody } from './fbs/request/body';
import { Body as ResponseBody } from './fbs/response/body';
import { Event } from './fbs/notification/event';
import { DumpResponse as FbsWorkerDumpResponse } from './fbs/worker/dump-response';
import { ResourceUsageResponse as FbsResourceUsageResponse } from './fbs/worker/resource-usage-response';
import { UpdateSettingsRequest as FbsUpdateSettingsRequest } from './fbs/worker/update-settings-request';
import { CreateRouterRequest as FbsCreateRouterRequest } from './fbs/worker/create-router-request';

const logger = new Logger('Worker');
const workerLogger = new Logger('Worker');

const LOG_LEVELS: readonly WorkerLogLevel[] = ['debug', 'warn', 'error', 'none'];

// Notifications of the Worker itself carry this handler id.
const WORKER_HANDLER_ID = '';

// The worker exits with this code when its settings are invalid.
const EXIT_CODE_SETTINGS_ERROR = 42;

// How long close() waits for the worker to exit before killing it.
const CLOSE_KILL_TIMEOUT_MS = 5000;

// How long a failed start waits for the rest of the worker's stderr.
const STDERR_DRAIN_TIMEOUT_MS = 1000;

export class WorkerImpl<WorkerAppData extends AppData = AppData>
	extends EnhancedEventEmitter<WorkerEvents>
	implements Worker<WorkerAppData>
{
	readonly #child: ChildProcess;
	readonly #pid: number;
	readonly #channel: Channel;
	#closed = false;
	#died = false;
	#subprocessClosed = false;
	#spawnDone = false;
	#appData: WorkerAppData;
	readonly #routers: Set<Router> = new Set();
	readonly #webRtcServers: Set<WebRtcServer> = new Set();
	readonly #observer: WorkerObserver = new EnhancedEventEmitter<WorkerObserverEvents>();
	// Last lines the worker wrote to stderr, to explain a failed start.
	#stderrTail = '';
	#killTimer?: NodeJS.Timeout;

	/**
	 * Spawns the worker process. Settings must have been validated by the
	 * caller (createWorker()).
	 */
	constructor({
		logLevel,
		logTags,
		rtcMinPort,
		rtcMaxPort,
		dtlsCertificateFile,
		dtlsPrivateKeyFile,
		libwebrtcFieldTrials,
		workerBin,
		appData,
	}: WorkerSettings<WorkerAppData> & { workerBin: string }) {
		super();

		logger.debug('constructor()');

		const spawnArgs: string[] = [];

		if (logLevel) {
			spawnArgs.push(`--logLevel=${logLevel}`);
		}

		for (const logTag of logTags ?? []) {
			spawnArgs.push(`--logTag=${logTag}`);
		}

		if (rtcMinPort !== undefined) {
			spawnArgs.push(`--rtcMinPort=${rtcMinPort}`);
		}

		if (rtcMaxPort !== undefined) {
			spawnArgs.push(`--rtcMaxPort=${rtcMaxPort}`);
		}

		if (dtlsCertificateFile) {
			spawnArgs.push(`--dtlsCertificateFile=${dtlsCertificateFile}`);
		}

		if (dtlsPrivateKeyFile) {
			spawnArgs.push(`--dtlsPrivateKeyFile=${dtlsPrivateKeyFile}`);
		}

		if (libwebrtcFieldTrials) {
			spawnArgs.push(`--libwebrtcFieldTrials=${libwebrtcFieldTrials}`);
		}

		logger.debug(`spawning worker process: ${workerBin} ${spawnArgs.join(' ')}`);

		this.#appData = appData || ({} as WorkerAppData);

		this.#child = spawn(workerBin, spawnArgs, {
			env: { ...process.env, MEDIASOUP_VERSION: version },
			detached: false,
			// fd 0 (stdin): not used.
			// fd 1 (stdout) and fd 2 (stderr): logged.
			// fd 3: requests from us to the worker.
			// fd 4: responses, notifications and logs from the worker.
			stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
			windowsHide: true,
		});

		this.#pid = this.#child.pid ?? 0;

		this.#channel = new Channel({
			producerSocket: this.#child.stdio[3] as Writable,
			consumerSocket: this.#child.stdio[4] as Readable,
			pid: this.#pid,
		});

		this.#channel.once(WORKER_HANDLER_ID, (event: Event) => {
			if (!this.#spawnDone && event === Event.WORKER_RUNNING) {
				this.#spawnDone = true;

				logger.debug(`worker process running [pid:${this.#pid}]`);

				this.emit('@success');
			}
		});

		this.#child.on('exit', (code, signal) => this.#onChildExit(code, signal));

		this.#child.on('error', (error: NodeJS.ErrnoException) => {
			if (!this.#spawnDone) {
				this.#spawnDone = true;

				logger.error(`worker process failed [pid:${this.#pid}]: ${error.message}`);

				this.#close();

				// Node's own error carries errno, syscall, spawnargs...: give the
				// application one of ours, naming the executable.
				this.emit(
					'@failure',
					new Error(
						`cannot run the worker executable '${workerBin}': ${error.code ?? error.message}`
					)
				);
			} else {
				logger.error(`worker process error [pid:${this.#pid}]: ${error.message}`);
			}
		});

		this.#child.stdout!.on('data', (buffer: Buffer) => {
			for (const line of buffer.toString('utf8').split('\n')) {
				if (line) {
					workerLogger.debug(`(stdout) ${line}`);
				}
			}
		});

		this.#child.stderr!.on('data', (buffer: Buffer) => {
			const text = buffer.toString('utf8');

			this.#stderrTail = (this.#stderrTail + text).slice(-2000);

			for (const line of text.split('\n')) {
				if (line) {
					workerLogger.error(`(stderr) ${line}`);
				}
			}
		});
	}

	get pid(): number {
		return this.#pid;
	}

	get closed(): boolean {
		return this.#closed;
	}

	get died(): boolean {
		return this.#died;
	}

	get subprocessClosed(): boolean {
		return this.#subprocessClosed;
	}

	get appData(): WorkerAppData {
		return this.#appData;
	}

	set appData(appData: WorkerAppData) {
		this.#appData = appData;
	}

	get observer(): WorkerObserver {
		return this.#observer;
	}

	/**
	 * Just for testing purposes.
	 */
	get routersForTesting(): Set<Router> {
		return this.#routers;
	}

	/**
	 * Just for testing purposes.
	 */
	get webRtcServersForTesting(): Set<WebRtcServer> {
		return this.#webRtcServers;
	}

	close(): void {
		if (this.#closed) {
			return;
		}

		logger.debug('close()');

		this.#close();

		// The worker exits when its channel closes; make sure it does.
		this.#killTimer = setTimeout(() => {
			if (!this.#subprocessClosed) {
				logger.warn(`worker did not exit in time, killing it [pid:${this.#pid}]`);
				this.#child.kill('SIGKILL');
			}
		}, CLOSE_KILL_TIMEOUT_MS);
		this.#killTimer.unref();

		this.#observer.safeEmit('close');
	}

	async dump(): Promise<WorkerDump> {
		logger.debug('dump()');

		const response = await this.#channel.request(Method.WORKER_DUMP);
		const body = new FbsWorkerDumpResponse();

		response.body(body);

		const handlers = body.channelMessageHandlers()!;

		return {
			pid: body.pid(),
			webRtcServerIds: readStrings(i => body.webRtcServerIds(i), body.webRtcServerIdsLength()),
			routerIds: readStrings(i => body.routerIds(i), body.routerIdsLength()),
			channelMessageHandlers: {
				channelRequestHandlers: readStrings(
					i => handlers.channelRequestHandlers(i),
					handlers.channelRequestHandlersLength()
				),
				channelNotificationHandlers: readStrings(
					i => handlers.channelNotificationHandlers(i),
					handlers.channelNotificationHandlersLength()
				),
			},
			channelDroppedMessages: Number(body.channelDroppedMessages()),
			channelCoalescedNotifications: Number(body.channelCoalescedNotifications()),
		};
	}

	async getResourceUsage(): Promise<WorkerResourceUsage> {
		logger.debug('getResourceUsage()');

		const response = await this.#channel.request(Method.WORKER_GET_RESOURCE_USAGE);

		if (response.bodyType() !== ResponseBody.Worker_ResourceUsageResponse) {
			throw new Error('unexpected response body to getResourceUsage()');
		}

		const body = new FbsResourceUsageResponse();

		response.body(body);

		return {
			ru_utime: Number(body.ruUtime()),
			ru_stime: Number(body.ruStime()),
			ru_maxrss: Number(body.ruMaxrss()),
			ru_ixrss: Number(body.ruIxrss()),
			ru_idrss: Number(body.ruIdrss()),
			ru_isrss: Number(body.ruIsrss()),
			ru_minflt: Number(body.ruMinflt()),
			ru_majflt: Number(body.ruMajflt()),
			ru_nswap: Number(body.ruNswap()),
			ru_inblock: Number(body.ruInblock()),
			ru_oublock: Number(body.ruOublock()),
			ru_msgsnd: Number(body.ruMsgsnd()),
			ru_msgrcv: Number(body.ruMsgrcv()),
			ru_nsignals: Number(body.ruNsignals()),
			ru_nvcsw: Number(body.ruNvcsw()),
			ru_nivcsw: Number(body.ruNivcsw()),
		};
	}

	async updateSettings<T extends AppData = AppData>(
		settings: WorkerUpdateableSettings<T> = {}
	): Promise<void> {
		logger.debug('updateSettings()');

		if (this.#closed) {
			throw new WorkerClosedError('worker closed');
		}

		const { logLevel, logTags } = settings;

		if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
			throw new TypeError(`invalid logLevel: ${String(logLevel)}`);
		}

		if (logTags !== undefined && !isStringArray(logTags)) {
			throw new TypeError('logTags must be an array of strings');
		}

		const builder = this.#channel.bufferBuilder;
		const logLevelOffset = logLevel !== undefined ? builder.createString(logLevel) : 0;
		const logTagsOffset =
			logTags !== undefined
				? FbsUpdateSettingsRequest.createLogTagsVector(
						builder,
						logTags.map(tag => builder.createString(tag))
					)
				: 0;

		FbsUpdateSettingsRequest.startUpdateSettingsRequest(builder);

		if (logLevelOffset) {
			FbsUpdateSettingsRequest.addLogLevel(builder, logLevelOffset);
		}

		if (logTagsOffset) {
			FbsUpdateSettingsRequest.addLogTags(builder, logTagsOffset);
		}

		const bodyOffset = FbsUpdateSettingsRequest.endUpdateSettingsRequest(builder);

		await this.#channel.request(
			Method.WORKER_UPDATE_SETTINGS,
			RequestBody.Worker_UpdateSettingsRequest,
			bodyOffset
		);
	}

	async createWebRtcServer<WebRtcServerAppData extends AppData = AppData>(
		options: WebRtcServerOptions<WebRtcServerAppData>
	): Promise<WebRtcServer<WebRtcServerAppData>> {
		logger.debug('createWebRtcServer()');

		// The closed check comes before the argument checks.
		if (this.#closed) {
			throw new WorkerClosedError('worker closed');
		}

		const normalized = normalizeWebRtcServerOptions(options);

		const webRtcServerId = generateUUIDv4();
		const bodyOffset = serializeCreateWebRtcServerRequest(
			this.#channel.bufferBuilder,
			webRtcServerId,
			normalized
		);

		await this.#channel.request(
			Method.WORKER_CREATE_WEBRTCSERVER,
			RequestBody.Worker_CreateWebRtcServerRequest,
			bodyOffset
		);

		const webRtcServer: WebRtcServer<WebRtcServerAppData> =
			new WebRtcServerImpl<WebRtcServerAppData>({
				internal: { webRtcServerId },
				channel: this.#channel,
				appData: normalized.appData as WebRtcServerAppData | undefined,
			});

		this.#webRtcServers.add(webRtcServer);
		webRtcServer.on('@close', () => this.#webRtcServers.delete(webRtcServer));

		// The worker may have died while the request was in flight.
		if (this.#closed) {
			webRtcServer.workerClosed();
			this.#webRtcServers.delete(webRtcServer);

			throw new WorkerClosedError('worker closed');
		}

		this.#observer.safeEmit('newwebrtcserver', webRtcServer);

		return webRtcServer;
	}

	async createRouter<RouterAppData extends AppData = AppData>(
		options: RouterOptions<RouterAppData> = {}
	): Promise<Router<RouterAppData>> {
		logger.debug('createRouter()');

		if (this.#closed) {
			throw new WorkerClosedError('worker closed');
		}

		const { mediaCodecs, appData } = options;

		if (appData && typeof appData !== 'object') {
			throw new TypeError('if given, appData must be an object');
		}

		if (mediaCodecs !== undefined && !Array.isArray(mediaCodecs)) {
			throw new TypeError('if given, mediaCodecs must be an array');
		}

		// Computed (and maybe thrown) before anything reaches the worker.
		const rtpCapabilities = ortc.generateRouterRtpCapabilities(clone(mediaCodecs ?? []));

		const routerId = generateUUIDv4();
		const builder = this.#channel.bufferBuilder;
		const bodyOffset = FbsCreateRouterRequest.createCreateRouterRequest(
			builder,
			builder.createString(routerId)
		);

		await this.#channel.request(
			Method.WORKER_CREATE_ROUTER,
			RequestBody.Worker_CreateRouterRequest,
			bodyOffset
		);

		const router: Router<RouterAppData> = new RouterImpl<RouterAppData>({
			internal: { routerId },
			data: { rtpCapabilities },
			channel: this.#channel,
			appData,
		});

		this.#routers.add(router);
		router.on('@close', () => this.#routers.delete(router));

		// The worker may have died while the request was in flight.
		if (this.#closed) {
			router.workerClosed();

			throw new WorkerClosedError('worker closed');
		}

		this.#observer.safeEmit('newrouter', router);

		return router;
	}

	#close(): void {
		this.#closed = true;

		this.#channel.close();

		// Routers first (their transports get routerclose), then WebRtcServers.
		for (const router of this.#routers) {
			router.workerClosed();
		}

		this.#routers.clear();

		for (const webRtcServer of this.#webRtcServers) {
			webRtcServer.workerClosed();
		}

		this.#webRtcServers.clear();
	}

	/**
	 * Calls `callback` once the worker's stderr has been fully read (or after a
	 * short while, should a grandchild process keep it open).
	 */
	#afterStderrDrained(callback: () => void): void {
		const stderr = this.#child.stderr;

		if (!stderr || stderr.readableEnded || stderr.destroyed) {
			callback();

			return;
		}

		let called = false;
		const done = (): void => {
			if (called) {
				return;
			}

			called = true;
			clearTimeout(timer);
			stderr.off('end', done);
			stderr.off('close', done);
			callback();
		};
		const timer = setTimeout(done, STDERR_DRAIN_TIMEOUT_MS);

		stderr.once('end', done);
		stderr.once('close', done);
	}

	#onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
		if (this.#killTimer) {
			clearTimeout(this.#killTimer);
		}

		if (!this.#spawnDone) {
			// Failed to start.
			this.#spawnDone = true;
			this.#subprocessClosed = true;

			this.#close();

			// 'exit' may come before the last stderr output has been read, and
			// that output is what explains the failure.
			this.#afterStderrDrained(() => {
				const detail = this.#stderrTail.trim();

				if (code === EXIT_CODE_SETTINGS_ERROR) {
					this.emit(
						'@failure',
						new TypeError(`wrong settings: ${detail || 'rejected by the worker'}`)
					);
				} else {
					this.emit(
						'@failure',
						new Error(
							`worker process failed to start [pid:${this.#pid}, code:${code}, signal:${signal}]${detail ? `: ${detail}` : ''}`
						)
					);
				}
			});

			return;
		}

		this.#subprocessClosed = true;

		if (this.#closed) {
			// Expected: we closed it.
			this.safeEmit('subprocessclose');

			return;
		}

		logger.error(
			`worker process died unexpectedly [pid:${this.#pid}, code:${code}, signal:${signal}]`
		);

		this.#died = true;
		this.#close();

		this.safeEmit('died', new Error(`[pid:${this.#pid}, code:${code}, signal:${signal}]`));
		this.safeEmit('subprocessclose');
		this.#observer.safeEmit('close');
	}
}

/**
 * Validates the settings of createWorker(); throws TypeError naming the field.
 */
export function validateWorkerSettings(settings: unknown): void {
	if (settings === undefined) {
		return;
	}

	if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
		throw new TypeError('settings must be an object');
	}

	const {
		logLevel,
		logTags,
		rtcMinPort,
		rtcMaxPort,
		dtlsCertificateFile,
		dtlsPrivateKeyFile,
		libwebrtcFieldTrials,
		workerBin,
		appData,
	} = settings as Record<string, unknown>;

	if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel as WorkerLogLevel)) {
		throw new TypeError(`wrong settings: invalid logLevel ${String(logLevel)}`);
	}

	if (logTags !== undefined && !isStringArray(logTags)) {
		throw new TypeError('wrong settings: logTags must be an array of strings');
	}

	for (const [name, value] of [
		['rtcMinPort', rtcMinPort],
		['rtcMaxPort', rtcMaxPort],
	] as const) {
		if (value === undefined) {
			continue;
		}

		// As mediasoup, the range may start at 0 (port 0 itself is never bound).
		const min = name === 'rtcMinPort' ? 0 : 1;

		if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 65535) {
			throw new TypeError(`wrong settings: ${name} must be an integer in ${min}..65535`);
		}
	}

	if ((rtcMinPort ?? 10000) > (rtcMaxPort ?? 59999)) {
		throw new TypeError('wrong settings: rtcMinPort cannot be greater than rtcMaxPort');
	}

	for (const [name, value] of [
		['dtlsCertificateFile', dtlsCertificateFile],
		['dtlsPrivateKeyFile', dtlsPrivateKeyFile],
		['libwebrtcFieldTrials', libwebrtcFieldTrials],
		['workerBin', workerBin],
	] as const) {
		if (value !== undefined && typeof value !== 'string') {
			throw new TypeError(`wrong settings: ${name} must be a string`);
		}
	}

	if (Boolean(dtlsCertificateFile) !== Boolean(dtlsPrivateKeyFile)) {
		throw new TypeError(
			`wrong settings: dtlsCertificateFile and dtlsPrivateKeyFile must be given together (${dtlsCertificateFile ? 'dtlsPrivateKeyFile' : 'dtlsCertificateFile'} is missing)`
		);
	}

	// As the reference: a falsy appData means the default ({}).
	if (appData && typeof appData !== 'object') {
		throw new TypeError('if given, appData must be an object');
	}
}

function isStringArray(value: unknown): value is WorkerLogTag[] {
	return Array.isArray(value) && value.every(item => typeof item === 'string');
}
