// Runs the example room server (example/server.mjs, what `npm start` serves)
// as a child process: inside a test network namespace, so that Chromium in
// the same namespace reaches its page on loopback and its WebRtcTransports
// on SERVER_IP (its GET /dump, EXAMPLE_DUMP=1, is then read through a page),
// or without a namespace on loopback only (for tests that signal from Node).

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
	port: number;
	/** The page of a room, as the browser in the namespace reaches it. */
	pageUrl: (room: string, name: string) => string;
	/** The server's GET /dump, fetched by a page of the server. */
	dump: (page: Page) => Promise<ExampleDump>;
	/** The same, fetched from this process (servers without a namespace). */
	fetchDump: () => Promise<ExampleDump>;
	/** Everything the server printed. */
	output: () => string;
	close: () => Promise<void>;
};

export async function startExampleServer({
	network,
	env = {},
}: {
	network?: TestNetwork;
	env?: Record<string, string>;
}): Promise<ExampleServer> {
	const node = network ? network.wrap(process.execPath) : process.execPath;
	const child: ChildProcess = spawn(node, [SERVER_SCRIPT], {
		env: {
			...process.env,
			// Any free port (the server prints the one it got).
			PORT: '0',
			HOST: '127.0.0.1',
			MEDIASOUP_LISTEN_IP: network ? SERVER_IP : '127.0.0.1',
			EXAMPLE_DUMP: '1',
			...env,
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';

	child.stdout!.on('data', chunk => (output += String(chunk)));
	child.stderr!.on('data', chunk => (output += String(chunk)));

	const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));

	const port = await new Promise<number>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`example server did not start:\n${output}`)),
			60000
		);

		child.stdout!.on('data', () => {
			const match = /open http:\/\/localhost:(\d+)\//.exec(output);

			if (match) {
				clearTimeout(timer);
				resolve(Number(match[1]));
			}
		});
		child.once('exit', code => {
			clearTimeout(timer);
			reject(new Error(`example server exited (${code}):\n${output}`));
		});
	});

	return {
		port,
		pageUrl: (room, name) =>
			`http://127.0.0.1:${port}/?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}`,
		dump: page =>
			page.evaluate(async () => {
				const response = await fetch('/dump');

				return (await response.json()) as ExampleDump;
			}),
		fetchDump: async () => {
			const response = await fetch(`http://127.0.0.1:${port}/dump`);

			return (await response.json()) as ExampleDump;
		},
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
