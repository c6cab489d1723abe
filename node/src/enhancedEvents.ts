import { EventEmitter, once } from 'node:events';
import { Logger } from './Logger';

const enhancedEventEmitterLogger = new Logger('EnhancedEventEmitter');

type Events = Record<string, unknown[]>;

/**
 * Node's EventEmitter with typed events and `safeEmit()`, which never lets a
 * listener's exception reach the emitter: it emits `listenererror` instead.
 */
export class EnhancedEventEmitter<E extends Events = Events> extends EventEmitter {
	constructor() {
		super();
		this.setMaxListeners(Infinity);
	}

	override emit<K extends keyof E & string>(eventName: K, ...args: E[K]): boolean {
		return super.emit(eventName, ...args);
	}

	/**
	 * Special addition to the EventEmitter API: a throwing listener does not
	 * propagate; `listenererror` is emitted with the event name and the error.
	 */
	safeEmit<K extends keyof E & string>(eventName: K, ...args: E[K]): boolean {
		const numListeners = super.listenerCount(eventName);

		try {
			return super.emit(eventName, ...args);
		} catch (error) {
			enhancedEventEmitterLogger.error(
				`safeEmit() | event listener threw an error [eventName:${eventName}]:`,
				error as Error
			);

			try {
				super.emit('listenererror', eventName, error);
			} catch {
				// Ignore errors of the listenererror listeners.
			}

			return Boolean(numListeners);
		}
	}

	override on<K extends keyof E & string>(eventName: K, listener: (...args: E[K]) => void): this {
		super.on(eventName, listener as (...args: unknown[]) => void);

		return this;
	}

	override off<K extends keyof E & string>(eventName: K, listener: (...args: E[K]) => void): this {
		super.off(eventName, listener as (...args: unknown[]) => void);

		return this;
	}

	override addListener<K extends keyof E & string>(
		eventName: K,
		listener: (...args: E[K]) => void
	): this {
		super.on(eventName, listener as (...args: unknown[]) => void);

		return this;
	}

	override prependListener<K extends keyof E & string>(
		eventName: K,
		listener: (...args: E[K]) => void
	): this {
		super.prependListener(eventName, listener as (...args: unknown[]) => void);

		return this;
	}

	override once<K extends keyof E & string>(eventName: K, listener: (...args: E[K]) => void): this {
		super.once(eventName, listener as (...args: unknown[]) => void);

		return this;
	}

	override prependOnceListener<K extends keyof E & string>(
		eventName: K,
		listener: (...args: E[K]) => void
	): this {
		super.prependOnceListener(eventName, listener as (...args: unknown[]) => void);

		return this;
	}

	override removeListener<K extends keyof E & string>(
		eventName: K,
		listener: (...args: E[K]) => void
	): this {
		super.off(eventName, listener as (...args: unknown[]) => void);

		return this;
	}

	override removeAllListeners<K extends keyof E & string>(eventName?: K): this {
		super.removeAllListeners(eventName);

		return this;
	}

	override listenerCount<K extends keyof E & string>(eventName: K): number {
		return super.listenerCount(eventName);
	}

	// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
	override listeners<K extends keyof E & string>(eventName: K): Function[] {
		return super.listeners(eventName);
	}

	// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
	override rawListeners<K extends keyof E & string>(eventName: K): Function[] {
		return super.rawListeners(eventName);
	}
}

/**
 * Same as Node's `events.once()`.
 */
export async function enhancedOnce<E extends Events = Events>(
	emmiter: EnhancedEventEmitter<E>,
	eventName: keyof E & string,
	options?: { signal?: AbortSignal }
): Promise<unknown[]> {
	return once(emmiter, eventName, options);
}
