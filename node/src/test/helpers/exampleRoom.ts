// Runs the example room server (example/server.mjs, what `npm start` serves)
// as a child process inside a test network namespace, so that Chromium in
// the same namespace reaches its page on loopback and its WebRtcTransports
// on SERVER_IP. Its GET /dump (EXAMPLE_DUMP=1) is read through a page.

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { SERVER_IP, type TestNetwork } from './netns';

const SERVER_SCRIPT = path.join(__dirname, '..', '..', '..', '..', 'example', 'server.mjs');

// What GET /dump answers (only the fields the tests read).
export type ExampleRouterDump = {
	id: string;
	transportIds: string[];
	rtpObserverIds: string[];
	mapProducerIdConsumerIds: { key: string; values: string[] }[];
	mapProducerIdObserverIds: { key: string; values: string[] }[];
	mapDataProducerIdDataConsumerIds: { key: string; values: string[] }[];
};

export type ExamplePeerDump = {
	peerId: string;
	displayName: string;
	routerId: string;
	transportIds: string[];
	producerIds: string[];
	consumerIds: string[];
	dataProducerIds: string[];
	dataConsumerIds: string[];
};

export type ExampleDump = {
	workers: { pid: number; routerIds: string[] }[];
	rooms: {
		name: string;
		routers: { routerId: string; workerPid: number; peerIds: string[]; dump: ExampleRouterDump }[];
		peers: ExamplePeerDump[];
	}[];
};

export type ExampleServer = {
	/** The page of a room, as the browser in the namespace reaches it. */
	pageUrl: (room: string, name: string) => string;
	/** The server's GET /dump, fetched by a page of the server. */
	dump: (page: Page) => Promise<ExampleDump>;
	/** Everything the server printed. */
	output: () => string;
	close: () => Promise<void>;
};

export async function startExampleServer({
	network,
	port = 3000,
	env = {},
}: {
	network: TestNetwork;
	port?: number;
	env?: Record<string, string>;
}): Promise<ExampleServer> {
	const child: ChildProcess = spawn(network.wrap(process.execPath), [SERVER_SCRIPT], {
		env: {
			...process.env,
			PORT: String(port),
			HOST: '127.0.0.1',
			MEDIASOUP_LISTEN_IP: SERVER_IP,
			EXAMPLE_DUMP: '1',
			...env,
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';

	child.stdout!.on('data', chunk => (output += String(chunk)));
	child.stderr!.on('data', chunk => (output += String(chunk)));

	const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));

	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`example server did not start:\n${output}`)),
			60000
		);

		child.stdout!.on('data', () => {
			if (/open http:\/\//.test(output)) {
				clearTimeout(timer);
				resolve();
			}
		});
		child.once('exit', code => {
			clearTimeout(timer);
			reject(new Error(`example server exited (${code}):\n${output}`));
		});
	});

	return {
		pageUrl: (room, name) =>
			`http://127.0.0.1:${port}/?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}`,
		dump: page =>
			page.evaluate(async () => {
				const response = await fetch('/dump');

				return (await response.json()) as ExampleDump;
			}),
		output: () => output,
		close: async () => {
			if (child.exitCode !== null || child.signalCode !== null) {
				return;
			}

			child.kill('SIGTERM');

			const timer = setTimeout(() => child.kill('SIGKILL'), 10000);

			await exited;
			clearTimeout(timer);
		},
	};
}
