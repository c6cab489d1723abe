import { randomInt, randomUUID } from 'node:crypto';

/**
 * Deep clone of plain data (objects, arrays, numbers, strings, booleans,
 * undefined). Used for every getter that returns an object and for every
 * option object before it is normalised, so callers never share state with us.
 */
export function clone<T>(value: T): T {
	if (value === undefined) {
		return undefined as T;
	} else if (Number.isNaN(value)) {
		return NaN as T;
	} else if (typeof structuredClone === 'function') {
		return structuredClone(value);
	} else {
		return JSON.parse(JSON.stringify(value)) as T;
	}
}

/**
 * Random integer in [min, max).
 */
export function generateRandomNumber(min = 100000000, max = 999999999): number {
	return randomInt(min, max);
}

/**
 * Random UUID v4.
 */
export function generateUUIDv4(): string {
	return randomUUID();
}

/**
 * Whether the value is a plain object (not null, not an array).
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
