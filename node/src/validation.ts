// Argument checks shared by the API classes: TypeError naming the field.

import * as net from 'node:net';
import { isPlainObject } from './utils';

export const MAX_UINT16 = 65535;
export const MAX_UINT32 = 4294967295;

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
