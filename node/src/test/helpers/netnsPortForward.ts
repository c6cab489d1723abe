// Makes a server of the test process (which lives in the host's network
// namespace) reachable from inside a test namespace: the server listens on a
// Unix socket (a path in the file system, which namespaces share), and a
// small Node process run inside the namespace accepts TCP connections on the
// given addresses and pipes each one to that socket. No address outside the
// namespace is used.

import { spawn, type ChildProcess } from 'node:child_process';
import type { TestNetwork } from './netns';

// Runs inside the namespace: argv = [node, unixPath, port, ...ips]. It exits
// when its stdin closes, so it never outlives the test process.
const FORWARDER_SOURCE = `
const net = require('node:net');
const [unixPath, port, ...ips] = process.argv.slice(1);
let listening = 0;
for (const ip of ips) {
	const server = net.createServer(client => {
		const upstream = net.connect(unixPath);
		client.pipe(upstream);
		upstream.pipe(client);
		client.on('error', () => upstream.destroy());
		upstream.on('error', () => client.destroy());
		client.on('close', () => upstream.destroy());
		upstream.on('close', () => client.destroy());
	});
	server.on('error', error => {
		process.stderr.write(String(error) + '\\n');
		process.exit(1);
	});
	server.listen(Number(port), ip, () => {
		if (++listening === ips.length) {
			process.stdout.write('ready\\n');
		}
	});
}
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export type PortForward = {
	close: () => void;
};

export async function forwardIntoNamespace({
	network,
	unixPath,
	port,
	ips,
}: {
	network: TestNetwork;
	unixPath: string;
	port: number;
	ips: string[];
}): Promise<PortForward> {
	const child: ChildProcess = spawn(
		network.wrap(process.execPath),
		['-e', FORWARDER_SOURCE, unixPath, String(port), ...ips],
		{ stdio: ['pipe', 'pipe', 'pipe'] }
	);
	let stderr = '';

	child.stderr!.on('data', chunk => (stderr += String(chunk)));

	await new Promise<void>((resolve, reject) => {
		child.stdout!.on('data', chunk => {
			if (String(chunk).includes('ready')) {
				resolve();
			}
		});
		child.once('exit', code => reject(new Error(`port forwarder exited (${code}): ${stderr}`)));
		child.once('error', reject);
	});

	return {
		close: () => {
			child.stdin!.end();
			child.kill('SIGTERM');
		},
	};
}
