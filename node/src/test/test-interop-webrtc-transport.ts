/// <reference lib="dom" />

// A real browser completes ICE and DTLS with a WebRtcTransport: over UDP, over
// TCP only, through a WebRtcServer, after restartIce(), and with each DTLS
// role; a wrong fingerprint ends in DTLS 'failed'. The test writes the SDP
// answer itself from the transport's parameters (no mediasoup-client here).

import * as mediasoup from '../';
import type {
	DtlsParameters,
	DtlsRole,
	IceCandidate,
	IceParameters,
	Router,
	WebRtcTransport,
	Worker,
} from '../types';
import { launchBrowser, type TestBrowser } from './helpers/browser';
import { createTestNetwork, SERVER_IP, type TestNetwork } from './helpers/netns';

const WAIT_MS = 15000;

let network: TestNetwork;
let browser: TestBrowser;
let worker: Worker;
let router: Router;

beforeAll(async () => {
	network = createTestNetwork();
	browser = await launchBrowser({ executablePath: network.wrap('/usr/bin/chromium') });
	worker = await mediasoup.createWorker({
		workerBin: network.wrap(mediasoup.workerBin),
		logLevel: 'warn',
	});
	router = await worker.createRouter({
		mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
	});
}, 60000);

afterAll(async () => {
	worker?.close();
	await browser?.close();
	network?.destroy();
});

afterEach(async () => {
	await browser.page.evaluate(() => {
		const w = window as unknown as { pc?: RTCPeerConnection };

		w.pc?.close();
		delete w.pc;
	});
});

type BrowserOffer = { sdp: string; fingerprint: string; mid: string };

/**
 * Creates an RTCPeerConnection sending audio and returns its offer.
 */
async function createBrowserOffer(): Promise<BrowserOffer> {
	return browser.page.evaluate(async () => {
		const pc = new RTCPeerConnection();

		(window as unknown as { pc: RTCPeerConnection }).pc = pc;
		pc.addTransceiver('audio', { direction: 'sendonly' });
		await pc.setLocalDescription(await pc.createOffer());

		const sdp = pc.localDescription!.sdp;
		const fingerprint = /a=fingerprint:sha-256 ([0-9A-F:]+)/.exec(sdp)![1];
		const mid = /a=mid:(\S+)/.exec(sdp)![1];

		return { sdp, fingerprint, mid };
	});
}

/**
 * Our SDP answer: ICE-lite with the transport's credentials and candidates,
 * its sha-256 fingerprint, and the DTLS setup role the browser must take.
 */
function buildAnswer({
	iceParameters,
	iceCandidates,
	dtlsParameters,
	setup,
	mid,
}: {
	iceParameters: IceParameters;
	iceCandidates: IceCandidate[];
	dtlsParameters: DtlsParameters;
	setup: 'active' | 'passive';
	mid: string;
}): string {
	const fingerprint = dtlsParameters.fingerprints.find(f => f.algorithm === 'sha-256')!;
	const lines = [
		'v=0',
		'o=- 1 1 IN IP4 0.0.0.0',
		's=-',
		't=0 0',
		'a=ice-lite',
		`a=group:BUNDLE ${mid}`,
		'm=audio 9 UDP/TLS/RTP/SAVPF 111',
		'c=IN IP4 0.0.0.0',
		`a=ice-ufrag:${iceParameters.usernameFragment}`,
		`a=ice-pwd:${iceParameters.password}`,
		`a=fingerprint:sha-256 ${fingerprint.value}`,
		`a=setup:${setup}`,
		`a=mid:${mid}`,
		'a=recvonly',
		'a=rtcp-mux',
		'a=rtpmap:111 opus/48000/2',
		...iceCandidates.map(
			c =>
				`a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ host${
					c.tcpType ? ` tcptype ${c.tcpType}` : ''
				}`
		),
		'a=end-of-candidates',
	];

	return `${lines.join('\r\n')}\r\n`;
}

async function setBrowserAnswer(sdp: string): Promise<void> {
	await browser.page.evaluate(async answer => {
		const pc = (window as unknown as { pc: RTCPeerConnection }).pc;

		await pc.setRemoteDescription({ type: 'answer', sdp: answer });
	}, sdp);
}

async function browserConnectionState(): Promise<string> {
	return browser.page.evaluate(
		() => (window as unknown as { pc: RTCPeerConnection }).pc.connectionState
	);
}

async function waitFor(predicate: () => Promise<boolean> | boolean, what: string): Promise<void> {
	const deadline = Date.now() + WAIT_MS;

	while (!(await predicate())) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await new Promise(resolve => setTimeout(resolve, 50));
	}
}

/**
 * Signals a browser offer to the transport and back. `browserRole` is the
 * DTLS role the browser takes; the transport gets the opposite one.
 */
async function negotiate(
	transport: WebRtcTransport,
	{ browserRole = 'client', fingerprint }: { browserRole?: DtlsRole; fingerprint?: string } = {}
): Promise<void> {
	const offer = await createBrowserOffer();

	await transport.connect({
		dtlsParameters: {
			role: browserRole,
			fingerprints: [{ algorithm: 'sha-256', value: fingerprint ?? offer.fingerprint }],
		},
	});

	await setBrowserAnswer(
		buildAnswer({
			iceParameters: transport.iceParameters,
			iceCandidates: transport.iceCandidates,
			dtlsParameters: transport.dtlsParameters,
			setup: browserRole === 'client' ? 'passive' : 'active',
			mid: offer.mid,
		})
	);
}

async function expectConnected(transport: WebRtcTransport): Promise<void> {
	await waitFor(() => transport.dtlsState === 'connected', 'DTLS connected');
	await waitFor(async () => (await browserConnectionState()) === 'connected', 'browser connected');

	expect(['connected', 'completed']).toContain(transport.iceState);
	expect(transport.iceSelectedTuple).toBeDefined();
	expect(transport.dtlsRemoteCert).toMatch(/^-----BEGIN CERTIFICATE-----/);
}

test('a browser connects over UDP (we are the DTLS server)', async () => {
	const transport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: SERVER_IP }],
	});
	const iceStates: string[] = [];
	const dtlsStates: string[] = [];

	transport.on('icestatechange', state => iceStates.push(state));
	transport.on('dtlsstatechange', state => dtlsStates.push(state));

	await negotiate(transport, { browserRole: 'client' });
	await expectConnected(transport);

	expect(transport.dtlsParameters.role).toBe('server');
	expect(transport.iceSelectedTuple!.protocol).toBe('udp');
	expect(transport.iceSelectedTuple!.localAddress).toBe(SERVER_IP);
	expect(iceStates[0]).toBe('connected');
	expect(dtlsStates).toEqual(['connecting', 'connected']);

	const [stats] = await transport.getStats();

	expect(stats.bytesReceived).toBeGreaterThan(0);
	expect(stats.bytesSent).toBeGreaterThan(0);

	transport.close();
});

test('a browser connects over UDP with us as the DTLS client', async () => {
	const transport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: SERVER_IP }],
	});

	await negotiate(transport, { browserRole: 'server' });
	await expectConnected(transport);

	expect(transport.dtlsParameters.role).toBe('client');

	transport.close();
});

test('a browser connects over TCP only', async () => {
	const transport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'tcp', ip: SERVER_IP }],
	});

	expect(transport.iceCandidates).toHaveLength(1);
	expect(transport.iceCandidates[0].tcpType).toBe('passive');

	await negotiate(transport);
	await expectConnected(transport);

	expect(transport.iceSelectedTuple!.protocol).toBe('tcp');

	transport.close();
});

test('a browser connects through a WebRtcServer', async () => {
	const webRtcServer = await worker.createWebRtcServer({
		listenInfos: [
			{ protocol: 'udp', ip: SERVER_IP, port: 0 },
			{ protocol: 'tcp', ip: SERVER_IP, port: 0 },
		],
	});
	const transports = await Promise.all([
		router.createWebRtcTransport({ webRtcServer }),
		router.createWebRtcTransport({ webRtcServer }),
	]);

	// Both share the server's ports.
	expect(transports[0].iceCandidates.map(c => c.port)).toEqual(
		transports[1].iceCandidates.map(c => c.port)
	);

	await negotiate(transports[1]);
	await expectConnected(transports[1]);

	// The other transport saw nothing of it.
	expect(transports[0].iceState).toBe('new');

	const dump = await webRtcServer.dump();

	expect(dump.webRtcTransportIds.sort()).toEqual(transports.map(t => t.id).sort());

	webRtcServer.close();

	expect(transports.every(t => t.closed)).toBe(true);
});

test('ICE keeps working after restartIce()', async () => {
	const transport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: SERVER_IP }],
	});

	await negotiate(transport);
	await expectConnected(transport);

	const oldIceParameters = transport.iceParameters;
	const newIceParameters = await transport.restartIce();

	expect(newIceParameters.usernameFragment).not.toBe(oldIceParameters.usernameFragment);
	expect(transport.iceParameters).toEqual(newIceParameters);

	// The browser restarts ICE with a new offer; we answer with the new
	// credentials.
	const offer = await browser.page.evaluate(async () => {
		const pc = (window as unknown as { pc: RTCPeerConnection }).pc;

		pc.restartIce();
		await pc.setLocalDescription(await pc.createOffer());

		return { mid: /a=mid:(\S+)/.exec(pc.localDescription!.sdp)![1] };
	});
	const restarted = new Promise<void>(resolve =>
		transport.on('icestatechange', state => {
			if (state === 'completed' || state === 'connected') {
				resolve();
			}
		})
	);

	await setBrowserAnswer(
		buildAnswer({
			iceParameters: newIceParameters,
			iceCandidates: transport.iceCandidates,
			dtlsParameters: transport.dtlsParameters,
			setup: 'passive',
			mid: offer.mid,
		})
	);

	// Checks with the new username fragment succeed and keep DTLS up.
	await waitFor(
		async () =>
			(await browser.page.evaluate(
				() => (window as unknown as { pc: RTCPeerConnection }).pc.iceConnectionState
			)) === 'connected',
		'browser ICE connected after restart'
	);
	await Promise.race([restarted, new Promise(resolve => setTimeout(resolve, 3000))]);

	expect(['connected', 'completed']).toContain(transport.iceState);
	expect(transport.dtlsState).toBe('connected');

	transport.close();
});

test('a wrong remote fingerprint ends in DTLS failed', async () => {
	const transport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: SERVER_IP }],
	});
	const wrongFingerprint = Array.from({ length: 32 }, () => 'AB').join(':');

	await negotiate(transport, { fingerprint: wrongFingerprint });

	await waitFor(() => transport.dtlsState === 'failed', 'DTLS failed');

	expect(transport.dtlsRemoteCert).toBeUndefined();

	transport.close();
});

test('ICE goes disconnected when the browser stops sending consent checks', async () => {
	const transport = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: SERVER_IP }],
		iceConsentTimeout: 2,
	});

	await negotiate(transport);
	await expectConnected(transport);

	const disconnected = new Promise<void>(resolve =>
		transport.on('icestatechange', state => {
			if (state === 'disconnected') {
				resolve();
			}
		})
	);

	// Closing the peer connection stops its consent freshness checks.
	await browser.page.evaluate(() => (window as unknown as { pc: RTCPeerConnection }).pc.close());
	await disconnected;

	expect(transport.iceState).toBe('disconnected');
	expect(transport.iceSelectedTuple).toBeUndefined();

	transport.close();
});
