// SRTP parameters: validation, and conversion to and from FlatBuffers.

import type * as flatbuffers from 'flatbuffers';
import type { SrtpCryptoSuite, SrtpParameters } from './srtpParametersTypes';
import { isPlainObject } from './utils';
import { SrtpParameters as FbsSrtpParameters } from './fbs/srtp-parameters/srtp-parameters';
import { SrtpCryptoSuite as FbsSrtpCryptoSuite } from './fbs/srtp-parameters/srtp-crypto-suite';

const SRTP_CRYPTO_SUITES: readonly SrtpCryptoSuite[] = [
	'AEAD_AES_256_GCM',
	'AEAD_AES_128_GCM',
	'AES_CM_128_HMAC_SHA1_80',
	'AES_CM_128_HMAC_SHA1_32',
];

export function parseSrtpCryptoSuite(suite: FbsSrtpCryptoSuite): SrtpCryptoSuite {
	switch (suite) {
		case FbsSrtpCryptoSuite.AEAD_AES_256_GCM:
			return 'AEAD_AES_256_GCM';
		case FbsSrtpCryptoSuite.AEAD_AES_128_GCM:
			return 'AEAD_AES_128_GCM';
		case FbsSrtpCryptoSuite.AES_CM_128_HMAC_SHA1_80:
			return 'AES_CM_128_HMAC_SHA1_80';
		case FbsSrtpCryptoSuite.AES_CM_128_HMAC_SHA1_32:
			return 'AES_CM_128_HMAC_SHA1_32';
		default:
			throw new TypeError(`invalid SRTP crypto suite: ${suite}`);
	}
}

export function serializeSrtpCryptoSuite(suite: SrtpCryptoSuite): FbsSrtpCryptoSuite {
	switch (suite) {
		case 'AEAD_AES_256_GCM':
			return FbsSrtpCryptoSuite.AEAD_AES_256_GCM;
		case 'AEAD_AES_128_GCM':
			return FbsSrtpCryptoSuite.AEAD_AES_128_GCM;
		case 'AES_CM_128_HMAC_SHA1_80':
			return FbsSrtpCryptoSuite.AES_CM_128_HMAC_SHA1_80;
		case 'AES_CM_128_HMAC_SHA1_32':
			return FbsSrtpCryptoSuite.AES_CM_128_HMAC_SHA1_32;
		default:
			throw new TypeError(`invalid SRTP crypto suite: ${String(suite)}`);
	}
}

export function parseSrtpParameters(parameters: FbsSrtpParameters): SrtpParameters {
	return {
		cryptoSuite: parseSrtpCryptoSuite(parameters.cryptoSuite()),
		keyBase64: parameters.keyBase64()!,
	};
}

export function serializeSrtpParameters(
	builder: flatbuffers.Builder,
	parameters: SrtpParameters
): number {
	return FbsSrtpParameters.createSrtpParameters(
		builder,
		serializeSrtpCryptoSuite(parameters.cryptoSuite),
		builder.createString(parameters.keyBase64)
	);
}

/**
 * Throws TypeError unless `suite` names a supported SRTP crypto suite.
 */
export function validateSrtpCryptoSuite(
	suite: unknown,
	field: string
): asserts suite is SrtpCryptoSuite {
	if (typeof suite !== 'string' || !SRTP_CRYPTO_SUITES.includes(suite as SrtpCryptoSuite)) {
		throw new TypeError(`${field} must be one of ${SRTP_CRYPTO_SUITES.join(', ')}`);
	}
}

/**
 * Throws TypeError unless `parameters` has a valid shape (the key itself is
 * checked by the worker).
 */
export function validateSrtpParameters(
	parameters: unknown,
	field = 'srtpParameters'
): asserts parameters is SrtpParameters {
	if (!isPlainObject(parameters)) {
		throw new TypeError(`${field} must be an object`);
	}

	validateSrtpCryptoSuite(parameters.cryptoSuite, `${field}.cryptoSuite`);

	if (typeof parameters.keyBase64 !== 'string' || parameters.keyBase64.length === 0) {
		throw new TypeError(`${field}.keyBase64 must be a non-empty string`);
	}
}
