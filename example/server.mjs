// The example room server: `npm start` runs it (after building the worker and
// the TypeScript), or `node example/server.mjs` once built.
//
// HTTP serves the page (example/public and the bundled example/client);
// a WebSocket at /ws carries the JSON signalling described in README.md.
// One mediasoup Worker per CPU core; rooms by name (/?room=NAME).

import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { WebSocketServer } from 'ws';
import { configFromEnv } from './config.mjs';
import { Peer, Room, SignallingError } from './room.mjs';
import { WorkerPool } from './workerPool.mjs';

// The library as an application gets it: the package's main (node/lib).
const mediasoup = createRequire(import.meta.url)('..');

const EXAMPLE_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOM_NAME = /^[\w-]{1,64}$/;
// A client that does not answer pings for this long is gone.
const PING_INTERVAL_MS = 10000;

async function buildClient() {
	const result = await esbuild.build({
		entryPoints: [path.join(EXAMPLE_DIR, 'client', 'index.ts')],
		bundle: true,
		write: false,
		format: 'iife',
		platform: 'browser',
		target: 'chrome100',
		logLevel: 'warning',
		define: { 'process.env.NODE_ENV': '"production"' },
	});

	return result.outputFiles[0].text;
}

function staticFiles(clientScript) {
	const read = name => fs.readFileSync(path.join(EXAMPLE_DIR, 'public', name));

	return new Map([
		['/', { type: 'text/html; charset=utf-8', body: read('index.html') }],
		['/index.html', { type: 'text/html; charset=utf-8', body: read('index.html') }],
		['/style.css', { type: 'text/css; charset=utf-8', body: read('style.css') }],
		['/client.js', { type: 'text/javascript; charset=utf-8', body: clientScript }],
	]);
}

/**
 * Starts the workers and the HTTP + WebSocket server. Resolves with
 * { url, port, dump(), close() }.
 */
export async function startServer(config) {
	const workers = [];
	let closing = false;

	for (let i = 0; i < config.numWorkers; ++i) {
		const worker = await mediasoup.createWorker({
			logLevel: config.logLevel,
			rtcMinPort: config.rtcMinPort,
			rtcMaxPort: config.rtcMaxPort,
		});

		worker.on('died', error => {
			// A Ctrl-C in the terminal reaches the workers too: they close
			// themselves while the server shuts down.
			if (closing) {
				return;
			}

			console.error(`example: worker ${worker.pid} died (${error.message}), exiting`);
			process.exit(1);
		});
		workers.push(worker);
	}

	const pool = new WorkerPool(workers);
	const rooms = new Map();
	const files = staticFiles(await buildClient());

	async function dump() {
		return {
			workers: await Promise.all(
				pool.workers.map(async worker => ({
					...(await worker.dump()),
					load: pool.load().find(entry => entry.pid === worker.pid),
				}))
			),
			rooms: await Promise.all([...rooms.values()].map(room => room.dump())),
		};
	}

	const httpServer = http.createServer((req, res) => {
		const { pathname } = new URL(req.url ?? '/', 'http://localhost');

		if (config.enableDump && pathname === '/dump') {
			dump().then(
				result => {
					res.writeHead(200, { 'content-type': 'application/json' });
					res.end(JSON.stringify(result, null, '\t'));
				},
				error => {
					res.writeHead(500).end(String(error));
				}
			);

			return;
		}

		const file = files.get(pathname);

		if (!file || req.method !== 'GET') {
			res.writeHead(pathname === '/favicon.ico' ? 204 : 404).end();

			return;
		}

		res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' });
		res.end(file.body);
	});
	const wsServer = new WebSocketServer({ server: httpServer, path: '/ws', maxPayload: 1 << 20 });

	function roomNamed(name) {
		let room = rooms.get(name);

		if (!room || room.closed) {
			room = new Room({
				name,
				pool,
				config,
				onClose: () => {
					if (rooms.get(name) === room) {
						rooms.delete(name);
					}
				},
			});
			rooms.set(name, room);
		}

		return room;
	}

	wsServer.on('connection', socket => {
		// The socket's peer, from join to leave (a socket may join again).
		let peer;
		let room;
		let alive = true;

		const send = message => {
			if (socket.readyState === socket.OPEN) {
				socket.send(JSON.stringify(message));
			}
		};

		const handle = async (method, data) => {
			if (method === 'join') {
				if (peer) {
					throw new SignallingError('joined already');
				}

				if (typeof data.room !== 'string' || !ROOM_NAME.test(data.room)) {
					throw new SignallingError('"room" must be 1 to 64 letters, digits, "-" or "_"');
				}

				const displayName =
					typeof data.displayName === 'string' && data.displayName.trim()
						? data.displayName.trim().slice(0, 40)
						: 'Guest';
				const joining = new Peer({
					displayName,
					notify: (notification, notificationData) =>
						send({ notification: true, method: notification, data: notificationData }),
				});
				const joiningRoom = roomNamed(data.room);

				peer = joining;
				room = joiningRoom;

				try {
					return await joiningRoom.join(joining);
				} catch (error) {
					if (peer === joining) {
						peer = undefined;
						room = undefined;
					}

					throw error;
				}
			}

			if (!peer) {
				throw new SignallingError(`"${method}" before join`);
			}

			if (method === 'leave') {
				room.removePeer(peer);
				peer = undefined;
				room = undefined;

				return {};
			}

			return room.handle(peer, method, data);
		};

		socket.on('message', async raw => {
			let request;

			try {
				request = JSON.parse(String(raw));
			} catch {
				send({ response: true, id: null, ok: false, error: 'malformed JSON' });

				return;
			}

			const id =
				typeof request?.id === 'number' || typeof request?.id === 'string' ? request.id : null;
			const data = request?.data ?? {};

			if (
				id === null ||
				typeof request.method !== 'string' ||
				typeof data !== 'object' ||
				data === null ||
				Array.isArray(data)
			) {
				send({
					response: true,
					id,
					ok: false,
					error: 'a request is { id, method, data: {...} }',
				});

				return;
			}

			try {
				const result = await handle(request.method, data);

				send({ response: true, id, ok: true, data: result ?? {} });
			} catch (error) {
				if (!(error instanceof SignallingError)) {
					console.warn(`example: ${request.method} failed: ${error.message}`);
				}

				send({ response: true, id, ok: false, error: error.message ?? String(error) });
			}
		});

		socket.on('pong', () => (alive = true));

		const pinger = setInterval(() => {
			if (!alive) {
				socket.terminate();

				return;
			}

			alive = false;
			socket.ping();
		}, PING_INTERVAL_MS);

		socket.on('error', () => {});
		socket.on('close', () => {
			clearInterval(pinger);

			if (peer) {
				// Everything of a peer that goes away mid-way is closed.
				peer.closed = true;
				room.removePeer(peer);
				peer = undefined;
			}
		});
	});

	await new Promise((resolve, reject) => {
		httpServer.once('error', reject);
		httpServer.listen(config.port, config.host, resolve);
	});

	const port = httpServer.address().port;

	return {
		port,
		url: `http://localhost:${port}/`,
		dump,
		close: async () => {
			closing = true;

			for (const socket of wsServer.clients) {
				socket.terminate();
			}

			for (const room of [...rooms.values()]) {
				room.close();
			}

			await new Promise(resolve => wsServer.close(() => resolve()));
			httpServer.closeAllConnections();
			await new Promise(resolve => httpServer.close(() => resolve()));

			for (const worker of workers) {
				worker.close();
			}
		},
	};
}

async function main() {
	const config = configFromEnv();
	const server = await startServer(config);

	console.log(
		`example: ${config.numWorkers} worker(s), up to ${config.maxPeersPerRouter} peers per router, media on ${config.announcedAddress ?? config.listenIp}`
	);
	console.log(`example: open ${server.url}?room=hello in a browser (more tabs join the same room)`);

	let closing = false;

	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.on(signal, () => {
			if (closing) {
				process.exit(1);
			}

			closing = true;
			server.close().then(
				() => process.exit(0),
				() => process.exit(1)
			);
		});
	}
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	main().catch(error => {
		console.error(`example: ${error.message}`);
		process.exit(1);
	});
}
