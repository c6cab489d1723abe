/**
 * Error produced when calling a method in an invalid state or when asking for
 * a feature (codec, parameter) this library does not support.
 */
export class UnsupportedError extends Error {
	constructor(message: string) {
		super(message);

		this.name = 'UnsupportedError';

		Error.captureStackTrace(this, UnsupportedError);
	}
}

/**
 * Error produced when a request needs the worker but it is closed or died.
 */
export class WorkerClosedError extends Error {
	constructor(message: string) {
		super(message);

		this.name = 'WorkerClosedError';

		Error.captureStackTrace(this, WorkerClosedError);
	}
}

/**
 * Error produced when the target entity of a request is closed or unknown.
 */
export class NotFoundError extends Error {
	constructor(message: string) {
		super(message);

		this.name = 'NotFoundError';

		Error.captureStackTrace(this, NotFoundError);
	}
}
