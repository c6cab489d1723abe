/**
 * What Producer, Consumer, DataProducer and DataConsumer share about pausing.
 */
export type Pausable = {
	readonly paused: boolean;
	readonly observer: { on(eventName: 'pause' | 'resume', listener: () => void): unknown };
	pause(): Promise<void>;
	resume(): Promise<void>;
	dump(): Promise<{ paused: boolean }>;
};

/**
 * The observer 'pause' and 'resume' events of the entity, in order.
 */
export function recordPauseEvents(entity: Pausable): string[] {
	const events: string[] = [];

	entity.observer.on('pause', () => events.push('pause'));
	entity.observer.on('resume', () => events.push('resume'));

	return events;
}

/**
 * Issue 10: pause() and resume() called without awaiting each other. The
 * flag flips when the call is made, the observer sees one event per real
 * change in call order, and the worker ends in the state of the last call.
 * The entity must start resumed.
 */
export async function expectUnawaitedPauseResumeInCallOrder(entity: Pausable): Promise<void> {
	const events = recordPauseEvents(entity);

	expect(entity.paused).toBe(false);

	void entity.pause();

	expect(entity.paused).toBe(true);

	void entity.resume();

	expect(entity.paused).toBe(false);

	void entity.pause();
	// Already paused: reaches the worker, changes nothing.
	void entity.pause();
	await entity.resume();

	expect(events).toEqual(['pause', 'resume', 'pause', 'resume']);
	expect(entity.paused).toBe(false);
	await expect(entity.dump()).resolves.toMatchObject({ paused: false });

	events.length = 0;

	await Promise.all([entity.pause(), entity.resume()]);

	expect(events).toEqual(['pause', 'resume']);
	expect(entity.paused).toBe(false);
	await expect(entity.dump()).resolves.toMatchObject({ paused: false });

	events.length = 0;

	await Promise.all([entity.pause(), entity.resume(), entity.pause()]);

	expect(events).toEqual(['pause', 'resume', 'pause']);
	expect(entity.paused).toBe(true);
	await expect(entity.dump()).resolves.toMatchObject({ paused: true });
}
