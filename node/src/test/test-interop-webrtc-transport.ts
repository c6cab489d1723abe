/// <reference lib="dom" />

// A real browser completes ICE and DTLS with a WebRtcTransport: over UDP, over
// TCP only, through a WebRtcServer, after restartIce(), and with each DTLS
// role; a wrong fingerprint ends in DTLS 'failed'. The test writes the SDP
// answer itself from the transport's parameters (no mediasoup-client here).

import type { Router, WebRtcTransport, Worker } from '../types';
import type { TestBrowser } from './helpers/browser';
import { waitUntil } from './helpers/media-tools';
import { SERVER_IP } from './helpers/netns';
import {
	browserConnectionState,
	buildAnswer,
	closeBrowserPeerConnection,
	negotiate as negotiateOnPage,
	setBrowserAnswer,
	startRawPeerRig,
	stopRawPeerRig,
	type RawPeerRig,
} from './helpers/rawPeerConnection';

const WAIT_MS = 15000;

let rig: RawPeerRig;
let browser: TestBrowser;
let worker: Worker;
let router: Router;

beforeAll(async () => {
	rig = await startRawPeerRig();
	({ browser, worker, router } = rig);
}, 60000);

afterAll(async () => {
	await stopRawPeerRig(rig);
});

afterEach(async () => {
	await closeBrowserPeerConnection(browser.page);
});

function waitFor(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
	return waitUntil(check, WAIT_MS, what);
}

function negotiate(
	transport: WebRtcTransport,
	options?: Parameters<typeof negotiateOnPage>[2]
): Promise<void> {
	return negotiateOnPage(browser.page, transport, options);
}

async function expectConnected(transport: WebRtcTransport): Promise<void> {
	await waitFor(() => transport.dtlsState === 'connected', 'DTLS connected');
	await waitFor(
		async () => (await browserConnectionState(browser.page)) === 'connected',
		'browser connected'
	);

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
		browser.page,
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
