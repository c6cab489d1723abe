// A second private network namespace, joined to a test network's namespace
// by a veth pair, standing for another host: PEER_NEAR_IP is the test
// network's end of the link, PEER_FAR_IP the far namespace's. Processes are
// put in the far namespace through wrapper scripts, as in netns.ts.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestNetwork } from './netns';

export const PEER_NEAR_IP = '10.79.0.1';
export const PEER_FAR_IP = '10.79.0.2';
// The link's interfaces (names are at most 15 characters): PEER_NEAR_IF is in
// the test network's namespace, so its egress is the traffic towards the far
// namespace, PEER_FAR_IF in the far one.
export const PEER_NEAR_IF = 'vpeer0';
export const PEER_FAR_IF = 'vpeer1';

function ip(...args: string[]): void {
	execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * With `defaultRoute`, the far namespace routes everything through the link
 * (Chromium gathers ICE candidates only on an interface with a default
 * route; it reaches the test network's addresses, e.g. SERVER_IP, that way).
 */
export function createPeerNetwork(
	near: TestNetwork,
	{ defaultRoute = false }: { defaultRoute?: boolean } = {}
): TestNetwork {
	const name = `${near.name}-peer`;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
	const nearIf = PEER_NEAR_IF;
	const farIf = PEER_FAR_IF;

	ip('netns', 'add', name);

	try {
		ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
		ip(
			'netns',
			'exec',
			near.name,
			'ip',
			'link',
			'add',
			nearIf,
			'type',
			'veth',
			'peer',
			'name',
			farIf
		);
		ip('netns', 'exec', near.name, 'ip', 'link', 'set', farIf, 'netns', name);
		ip('netns', 'exec', near.name, 'ip', 'addr', 'add', `${PEER_NEAR_IP}/24`, 'dev', nearIf);
		ip('netns', 'exec', name, 'ip', 'addr', 'add', `${PEER_FAR_IP}/24`, 'dev', farIf);
		ip('netns', 'exec', near.name, 'ip', 'link', 'set', nearIf, 'up');
		ip('netns', 'exec', name, 'ip', 'link', 'set', farIf, 'up');

		if (defaultRoute) {
			ip('netns', 'exec', name, 'ip', 'route', 'add', 'default', 'via', PEER_NEAR_IP, 'dev', farIf);
		}
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
				// Deleting the namespace deletes the veth pair with it.
				ip('netns', 'del', name);
			} catch {
				// Already gone.
			}

			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
