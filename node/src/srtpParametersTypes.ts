/**
 * SRTP keying for PlainTransport and PipeTransport.
 */
export type SrtpParameters = {
	/**
	 * Encryption and authentication transforms.
	 */
	cryptoSuite: SrtpCryptoSuite;

	/**
	 * Master key and salt, base64 encoded.
	 */
	keyBase64: string;
};

/**
 * SRTP crypto suites.
 */
export type SrtpCryptoSuite =
	'AEAD_AES_256_GCM' | 'AEAD_AES_128_GCM' | 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';
