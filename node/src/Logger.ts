import debug from 'debug';

const APP_NAME = 'mediasoup';

export type LoggerEmitterEvents = Record<string, never>;

/**
 * Process-wide log callbacks installed by `setLogEventListeners()`.
 */
export type LogEventListeners = {
	ondebug?: (namespace: string, log: string) => void;
	onwarn?: (namespace: string, log: string) => void;
	onerror?: (namespace: string, log: string, error?: Error) => void;
};

let logEventListeners: LogEventListeners | undefined;

/**
 * Logs under `mediasoup:<prefix>`, `mediasoup:WARN:<prefix>` and
 * `mediasoup:ERROR:<prefix>` through the `debug` package and the listeners of
 * `setLogEventListeners()`.
 */
export class Logger {
	readonly #debugNamespace: string;
	readonly #warnNamespace: string;
	readonly #errorNamespace: string;
	readonly #debug: debug.Debugger;
	readonly #warn: debug.Debugger;
	readonly #error: debug.Debugger;

	static setLogEventListeners(listeners?: LogEventListeners): void {
		logEventListeners = listeners;
	}

	constructor(prefix?: string) {
		this.#debugNamespace = prefix ? `${APP_NAME}:${prefix}` : APP_NAME;
		this.#warnNamespace = prefix ? `${APP_NAME}:WARN:${prefix}` : `${APP_NAME}:WARN`;
		this.#errorNamespace = prefix ? `${APP_NAME}:ERROR:${prefix}` : `${APP_NAME}:ERROR`;
		this.#debug = debug(this.#debugNamespace);
		this.#warn = debug(this.#warnNamespace);
		this.#error = debug(this.#errorNamespace);
		/* eslint-disable no-console */
		this.#debug.log = console.info.bind(console);
		this.#warn.log = console.warn.bind(console);
		this.#error.log = console.error.bind(console);
		/* eslint-enable no-console */
	}

	debug(log: string): void {
		this.#debug(log);
		logEventListeners?.ondebug?.(this.#debugNamespace, log);
	}

	warn(log: string): void {
		this.#warn(log);
		logEventListeners?.onwarn?.(this.#warnNamespace, log);
	}

	error(log: string, error?: Error): void {
		if (error) {
			this.#error(log, error);
		} else {
			this.#error(log);
		}

		logEventListeners?.onerror?.(this.#errorNamespace, log, error);
	}
}
