import * as path from 'node:path';
import { EnhancedEventEmitter } from './enhancedEvents';
import { Logger, type LogEventListeners } from './Logger';
import { WorkerImpl, validateWorkerSettings } from './Worker';
import type { Worker, WorkerSettings } from './WorkerTypes';
import type { Observer, ObserverEvents } from './indexTypes';
import type { AppData } from './typesGeneric';
import type { RouterRtpCapabilities } from './rtpParametersTypes';
import { getSupportedRtpCapabilities as getSupportedRtpCapabilitiesImpl } from './supportedRtpCapabilities';
import { parseScalabilityMode as parseScalabilityModeImpl } from './scalabilityModes';
import type { ScalabilityMode } from './scalabilityModesTypes';
import { version as packageVersion } from './version';

import * as types from './types';
import * as errors from './errors';
import * as ortc from './ortc';
import * as extras from './extras';

export { types, errors, ortc, extras };

const logger = new Logger();

/**
 * Emits `newworker` after each successful createWorker().
 */
export const observer: Observer = new EnhancedEventEmitter<ObserverEvents>();

/**
 * Version of this library.
 */
export const version: string = packageVersion;

/**
 * Absolute path of the worker executable: MEDIASOUP_WORKER_BIN if set, else
 * the one this package builds (worker/out/Release, or Debug with
 * MEDIASOUP_BUILDTYPE=Debug).
 */
export const workerBin: string = process.env.MEDIASOUP_WORKER_BIN
	? process.env.MEDIASOUP_WORKER_BIN
	: path.join(
			__dirname,
			'..',
			'..',
			'worker',
			'out',
			process.env.MEDIASOUP_BUILDTYPE === 'Debug' ? 'Debug' : 'Release',
			'mediasoup-worker'
		);

/**
 * Installs process-wide log callbacks; each absent one disables that level,
 * no argument disables them all.
 */
export function setLogEventListeners(listeners?: LogEventListeners): void {
	logger.debug('setLogEventListeners()');

	Logger.setLogEventListeners(listeners);
}

/**
 * Creates a Worker: spawns a worker process and resolves once it is ready.
 */
export async function createWorker<WorkerAppData extends AppData = AppData>(
	settings: WorkerSettings<WorkerAppData> = {}
): Promise<Worker<WorkerAppData>> {
	logger.debug('createWorker()');

	validateWorkerSettings(settings);

	const worker = new WorkerImpl<WorkerAppData>({
		...settings,
		workerBin: settings.workerBin ?? workerBin,
	});

	return new Promise<Worker<WorkerAppData>>((resolve, reject) => {
		worker.on('@success', () => {
			observer.safeEmit('newworker', worker);
			resolve(worker);
		});

		worker.on('@failure', reject);
	});
}

/**
 * The RTP capabilities this library supports (a fresh copy each call).
 */
export function getSupportedRtpCapabilities(): RouterRtpCapabilities {
	return getSupportedRtpCapabilitiesImpl();
}

/**
 * Parses a scalability mode such as 'L3T3_KEY'.
 */
export function parseScalabilityMode(scalabilityMode?: string): ScalabilityMode {
	return parseScalabilityModeImpl(scalabilityMode);
}
