// Tearing down what a test set up, in the reverse order, whatever fails.

/**
 * Runs `cleanups` last first; one that throws does not stop the others
 * (everything must still be closed).
 */
export async function runCleanups(cleanups: (() => unknown)[]): Promise<void> {
	for (const cleanup of cleanups.reverse()) {
		try {
			await cleanup();
		} catch {
			// Best effort.
		}
	}
}
