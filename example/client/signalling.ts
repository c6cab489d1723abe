/// <reference lib="dom" />

// The page's end of the signalling: JSON requests { id, method, data } over a
// WebSocket, answered by { response: true, id, ok, data | error }, and
// notifications { notification: true, method, data } from the server.

type Pending = { resolve: (data: unknown) => void; reject: (error: Error) => void };

type Message = {
	response?: boolean;
	notification?: boolean;
	id?: number | null;
	ok?: boolean;
	method?: string;
	data?: unknown;
	error?: string;
};

export class Signalling {
	onNotification: (method: string, data: unknown) => void = () => {};
	onClose: () => void = () => {};

	private readonly pending = new Map<number, Pending>();
	private lastId = 0;

	private constructor(private readonly socket: WebSocket) {
		socket.addEventListener('message', event => this.receive(String(event.data)));
		socket.addEventListener('close', () => {
			for (const { reject } of this.pending.values()) {
				reject(new Error('signalling closed'));
			}

			this.pending.clear();
			this.onClose();
		});
	}

	static open(url: string): Promise<Signalling> {
		return new Promise((resolve, reject) => {
			const socket = new WebSocket(url);

			socket.addEventListener('open', () => resolve(new Signalling(socket)), { once: true });
			socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), {
				once: true,
			});
		});
	}

	request<T = Record<string, never>>(method: string, data: object = {}): Promise<T> {
		const id = ++this.lastId;

		return new Promise<T>((resolve, reject) => {
			this.pending.set(id, { resolve: value => resolve(value as T), reject });
			this.socket.send(JSON.stringify({ id, method, data }));
		});
	}

	close(): void {
		this.socket.close();
	}

	private receive(text: string): void {
		const message = JSON.parse(text) as Message;

		if (message.notification && message.method) {
			this.onNotification(message.method, message.data);

			return;
		}

		const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;

		if (!pending) {
			return;
		}

		this.pending.delete(message.id as number);

		if (message.ok) {
			pending.resolve(message.data);
		} else {
			pending.reject(new Error(message.error ?? 'request failed'));
		}
	}
}
