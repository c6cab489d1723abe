// A private network namespace for tests that need a browser: Chromium only
// gathers ICE candidates on a non-loopback interface with a default route,
// and tests must never use the host's own network. The namespace holds a
// veth pair (10.77.0.1 <-> 10.77.0.2) and nothing else; processes are put in
// it through small wrapper scripts (`ip netns exec` keeps the pid and the
// inherited file descriptors, so the worker's channel pipes pass through).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const BROWSER_IP = '10.77.0.1';
export const SERVER_IP = '10.77.0.2';

export type TestNetwork = {
	name: string;
	/**
	 * Writes an executable script that runs `program` inside the namespace.
	 */
	wrap: (program: string) => string;
	destroy: () => void;
};

function ip(...args: string[]): void {
	execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createTestNetwork(): TestNetwork {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
		throw new Error('browser interop tests need root to create a network namespace');
	}

	const name = `mstest-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));

	ip('netns', 'add', name);

	try {
		const inNs = (...args: string[]): void => ip('netns', 'exec', name, 'ip', ...args);

		inNs('link', 'set', 'lo', 'up');
		inNs('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
		inNs('addr', 'add', `${BROWSER_IP}/24`, 'dev', 'veth0');
		inNs('addr', 'add', `${SERVER_IP}/24`, 'dev', 'veth1');
		inNs('link', 'set', 'veth0', 'up');
		inNs('link', 'set', 'veth1', 'up');
		inNs('route', 'add', 'default', 'via', SERVER_IP, 'dev', 'veth0');
	} catch (error) {
		ip('netns', 'del', name);

		throw error;
	}

	let counter = 0;

	return {
		name,
		wrap: (program: string): string => {
			const script = path.join(dir, `wrapper-${++counter}.sh`);

			fs.writeFileSync(script, `#!/bin/sh\nexec ip netns exec ${name} ${program} "$@"\n`, {
				mode: 0o755,
			});

			return script;
		},
		destroy: (): void => {
			try {
				ip('netns', 'del', name);
			} catch {
				// Already gone.
			}

			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
