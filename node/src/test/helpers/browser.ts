// Headless Chromium driven by playwright-core, with the flags the project
// runs it with everywhere.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export type TestBrowser = {
	context: BrowserContext;
	page: Page;
	close: () => Promise<void>;
};

/**
 * `extraArgs` are added to the project's flags (e.g. a video file for the
 * fake camera).
 */
export async function launchBrowser({
	executablePath = CHROMIUM_PATH,
	extraArgs = [],
}: { executablePath?: string; extraArgs?: string[] } = {}): Promise<TestBrowser> {
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mstest-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath,
		headless: true,
		args: [
			'--headless=new',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
			'--disable-quic',
			'--use-fake-ui-for-media-stream',
			'--use-fake-device-for-media-stream',
			// Real IPs in candidates (no mDNS names): they are test addresses.
			'--disable-features=WebRtcHideLocalIpsWithMdns',
			...extraArgs,
		],
	});
	const page = context.pages()[0] ?? (await context.newPage());

	return {
		context,
		page,
		close: async () => {
			await context.close();
			fs.rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}
