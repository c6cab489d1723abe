/**
 * The paused flag of an entity whose pause() and resume() go to the worker
 * (Producer, Consumer, DataProducer, DataConsumer, RtpObserver).
 *
 * Apps do not always await them: after `void p.pause(); void p.resume()` the
 * entity must end resumed, and its observer must have seen 'pause' then
 * 'resume'. So each call flips the flag synchronously, sends its request
 * right away (the channel writes requests in call order and the worker
 * answers them in that order) and reports a real change at once. A call that
 * changes nothing (pause() of a paused entity) reports nothing but still
 * reaches the worker.
 *
 * A failed request left the worker as it was. The flag then goes back to the
 * state the worker last acknowledged, but only if no later call was made
 * meanwhile: a later call already decided the state, and its request follows
 * the failed one.
 */
export class PauseState {
	#paused: boolean;
	// What the worker has, as far as its answers tell.
	#acknowledged: boolean;
	// Number of the latest call, to tell whether a failed one is still the last.
	#lastCall = 0;
	readonly #request: (paused: boolean) => Promise<unknown>;
	readonly #onChange: (paused: boolean) => void;

	/**
	 * `request` sends the pause (true) or resume (false) request and must not
	 * throw synchronously (an async function); `onChange` is told each change
	 * of the flag, including one back after a failure.
	 */
	constructor({
		paused,
		request,
		onChange,
	}: {
		paused: boolean;
		request: (paused: boolean) => Promise<unknown>;
		onChange: (paused: boolean) => void;
	}) {
		this.#paused = paused;
		this.#acknowledged = paused;
		this.#request = request;
		this.#onChange = onChange;
	}

	get paused(): boolean {
		return this.#paused;
	}

	/**
	 * Everything up to the first await runs when the call is made: callers
	 * check their closed state before and rely on that.
	 */
	async set(paused: boolean): Promise<void> {
		const call = ++this.#lastCall;
		const previous = this.#paused;

		this.#paused = paused;

		// Sent before onChange() so that a listener calling pause() or resume()
		// sends its request after this one.
		const answered = this.#request(paused);

		if (paused !== previous) {
			this.#onChange(paused);
		}

		try {
			await answered;
		} catch (error) {
			if (call === this.#lastCall && this.#paused !== this.#acknowledged) {
				this.#paused = this.#acknowledged;
				this.#onChange(this.#paused);
			}

			throw error;
		}

		this.#acknowledged = paused;
	}
}
