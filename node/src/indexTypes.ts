import type { EnhancedEventEmitter } from './enhancedEvents';
import type { Worker } from './WorkerTypes';

export type ObserverEvents = {
	newworker: [Worker];
};

export type Observer = EnhancedEventEmitter<ObserverEvents>;

export type { LogEventListeners } from './Logger';

/**
 * The module's own top-level shape.
 */
export type Index = {
	version: string;
	workerBin: string;
	observer: Observer;
};
