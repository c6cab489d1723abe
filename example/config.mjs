// The example's settings, from the environment (each has a default that
// works for `npm start` on one machine).

import os from 'node:os';

function intFromEnv(name, fallback, min = 1) {
	const raw = process.env[name];

	if (raw === undefined || raw === '') {
		return fallback;
	}

	const value = Number(raw);

	if (!Number.isInteger(value) || value < min) {
		throw new TypeError(`${name} must be an integer >= ${min} (got "${raw}")`);
	}

	return value;
}

/**
 * The first IPv4 address of a real interface (what a browser on this machine
 * or the LAN can reach), or loopback when there is none.
 */
function detectIp() {
	for (const addresses of Object.values(os.networkInterfaces())) {
		for (const address of addresses ?? []) {
			if (address.family === 'IPv4' && !address.internal) {
				return address.address;
			}
		}
	}

	return '127.0.0.1';
}

export function configFromEnv() {
	return {
		// HTTP and WebSocket (the page and the signalling).
		port: intFromEnv('PORT', 3000, 0),
		host: process.env.HOST || undefined,
		// One mediasoup Worker (one C++ process, one core) per CPU core.
		numWorkers: intFromEnv(
			'MEDIASOUP_NUM_WORKERS',
			os.availableParallelism?.() ?? os.cpus().length
		),
		// A room's router takes this many peers; the next ones go to a router
		// in another worker, and media is piped between the two.
		maxPeersPerRouter: intFromEnv('MAX_PEERS_PER_ROUTER', 4),
		// Where the WebRtcTransports listen (UDP and TCP) and what address
		// they announce in their ICE candidates.
		listenIp: process.env.MEDIASOUP_LISTEN_IP || detectIp(),
		announcedAddress: process.env.MEDIASOUP_ANNOUNCED_ADDRESS || undefined,
		rtcMinPort: intFromEnv('MEDIASOUP_MIN_PORT', 40000),
		rtcMaxPort: intFromEnv('MEDIASOUP_MAX_PORT', 49999),
		// GET /dump answers with the state of every room and worker (for tests
		// and debugging; off by default).
		enableDump: process.env.EXAMPLE_DUMP === '1',
		logLevel: process.env.MEDIASOUP_LOG_LEVEL || 'warn',
	};
}

// What every router of the example offers (the browser picks from these).
export const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];
