// The mediasoup Workers of the example and how loaded each one is (the
// number of peers on its routers, then the number of routers).

export class WorkerPool {
	#entries;

	constructor(workers) {
		this.#entries = workers.map(worker => ({ worker, peers: 0, routers: 0 }));
	}

	get workers() {
		return this.#entries.map(entry => entry.worker);
	}

	/**
	 * The least loaded worker, preferring one not in `avoid` (the workers a
	 * room already has a router on).
	 */
	leastLoaded(avoid = new Set()) {
		const byLoad = [...this.#entries].sort((a, b) => a.peers - b.peers || a.routers - b.routers);

		return (byLoad.find(entry => !avoid.has(entry.worker)) ?? byLoad[0]).worker;
	}

	addRouter(worker) {
		this.#entry(worker).routers++;
	}

	removeRouter(worker) {
		this.#entry(worker).routers--;
	}

	addPeer(worker) {
		this.#entry(worker).peers++;
	}

	removePeer(worker) {
		this.#entry(worker).peers--;
	}

	load() {
		return this.#entries.map(({ worker, peers, routers }) => ({
			pid: worker.pid,
			peers,
			routers,
		}));
	}

	#entry(worker) {
		const entry = this.#entries.find(e => e.worker === worker);

		if (!entry) {
			throw new Error('unknown worker');
		}

		return entry;
	}
}
