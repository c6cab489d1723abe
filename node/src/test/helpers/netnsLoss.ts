// Random UDP packet loss inside a test network namespace, with nftables
// (Debian package `nftables`). The rule sits on the namespace's input hook,
// so every UDP packet received there (browser and worker alike, both
// directions) is dropped with the given probability. Not the output hook: a
// packet dropped there fails the sender's sendmsg() with EPERM, and Chromium
// then sends it again, so its outgoing media would see almost no loss. It only ever touches the test's own
// namespace, which goes away with the test.

import { execFileSync } from 'node:child_process';
import type { TestNetwork } from './netns';

const TABLE = 'mstest_loss';

export type PacketLoss = {
	/**
	 * Packets the rule dropped so far.
	 */
	droppedPackets: () => number;
	remove: () => void;
};

function nft(network: TestNetwork, ...args: string[]): string {
	return execFileSync('ip', ['netns', 'exec', network.name, 'nft', ...args], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

export function hasNft(): boolean {
	try {
		execFileSync('nft', ['--version'], { stdio: 'ignore' });

		return true;
	} catch {
		return false;
	}
}

export function addRandomUdpLoss(network: TestNetwork, percent: number): PacketLoss {
	if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
		throw new TypeError('percent must be an integer in 0..100');
	}

	nft(network, 'add', 'table', 'inet', TABLE);
	nft(
		network,
		'add',
		'chain',
		'inet',
		TABLE,
		'in',
		'{ type filter hook input priority 0 ; policy accept ; }'
	);
	nft(
		network,
		'add',
		'rule',
		'inet',
		TABLE,
		'in',
		'meta',
		'l4proto',
		'udp',
		'numgen',
		'random',
		'mod',
		'100',
		'<',
		String(percent),
		'counter',
		'drop'
	);

	return {
		droppedPackets: () => {
			const listing = nft(network, 'list', 'chain', 'inet', TABLE, 'in');
			const match = /counter packets (\d+)/.exec(listing);

			return match ? Number(match[1]) : 0;
		},
		remove: () => {
			try {
				nft(network, 'delete', 'table', 'inet', TABLE);
			} catch {
				// Namespace already gone.
			}
		},
	};
}
