// A bandwidth limit on one interface of a test network namespace, with the
// kernel's token bucket filter (`tc` from the Debian package `iproute2`). It
// shapes the interface's egress: put it on the interface that carries the
// traffic towards the receiver whose downlink is to be limited. tbf queues
// before it drops, like a real bottleneck (a delay-based estimator sees the
// queue grow); these kernels have no netem. It only ever touches the test's
// own namespace, which goes away with the test.

import { execFileSync } from 'node:child_process';
import type { TestNetwork } from './netns';

export type ShapingOptions = {
	/**
	 * Bucket size in kbit (how much may leave at line rate after an idle
	 * moment). At least one MTU.
	 */
	burstKbit?: number;
	/**
	 * Longest time a packet may wait in the queue before it is dropped.
	 */
	latencyMs?: number;
};

export type ShapingStats = {
	/**
	 * Packets dropped by the queue since the limit was (last) set.
	 */
	dropped: number;
	/**
	 * Packets that went through the queue since the limit was (last) set.
	 */
	sent: number;
};

export type Shaper = {
	/**
	 * Limits the interface's egress to `rateKbit` kbit/s (replacing any limit
	 * set before).
	 */
	limit: (rateKbit: number, options?: ShapingOptions) => void;
	/**
	 * Removes the limit (nothing happens when there is none).
	 */
	lift: () => void;
	/**
	 * The queue's counters, or undefined when no limit is set.
	 */
	stats: () => ShapingStats | undefined;
	/**
	 * The current limit in kbit/s, or undefined.
	 */
	readonly rateKbit: number | undefined;
};

function tc(network: TestNetwork, ...args: string[]): string {
	return execFileSync('ip', ['netns', 'exec', network.name, 'tc', ...args], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

export function hasTc(): boolean {
	try {
		execFileSync('tc', ['-V'], { stdio: 'ignore' });

		return true;
	} catch {
		return false;
	}
}

export function createShaper(network: TestNetwork, iface: string): Shaper {
	let rateKbit: number | undefined;

	return {
		get rateKbit() {
			return rateKbit;
		},
		limit: (rate: number, { burstKbit = 16, latencyMs = 100 }: ShapingOptions = {}): void => {
			if (!Number.isInteger(rate) || rate <= 0) {
				throw new TypeError('rateKbit must be a positive integer');
			}

			// `replace` adds the qdisc, or swaps the one there for the new rate.
			tc(
				network,
				...['qdisc', 'replace', 'dev', iface, 'root', 'tbf'],
				...['rate', `${rate}kbit`, 'burst', `${burstKbit}kbit`, 'latency', `${latencyMs}ms`]
			);
			rateKbit = rate;
		},
		lift: (): void => {
			if (rateKbit === undefined) {
				return;
			}

			try {
				tc(network, 'qdisc', 'del', 'dev', iface, 'root');
			} catch {
				// Namespace (and so the interface and its qdisc) already gone.
			}

			rateKbit = undefined;
		},
		stats: (): ShapingStats | undefined => {
			if (rateKbit === undefined) {
				return undefined;
			}

			const listing = tc(network, '-s', 'qdisc', 'show', 'dev', iface);
			const match = /Sent \d+ bytes (\d+) pkt \(dropped (\d+)/.exec(listing);

			return match ? { sent: Number(match[1]), dropped: Number(match[2]) } : undefined;
		},
	};
}
