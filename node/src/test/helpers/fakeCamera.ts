// A video clip for Chromium's fake camera (--use-file-for-fake-video-capture):
// FFmpeg's moving test pattern with noise. Chromium's built-in fake pattern
// compresses so well that its encoder sends far below its target bitrate
// (about 0.2 Mbit/s at 640x360, 0.7 Mbit/s at 1280x720, measured between two
// Chromium peers with a perfect estimate), so a test of how far a sender
// ramps up needs a source that actually takes the bits.

import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { requirePrograms } from './media-tools';

/**
 * Writes a two-second y4m clip (played in a loop by Chromium) into `dir`
 * and returns its path.
 */
export function makeFakeCameraFile({
	dir,
	width,
	height,
	frameRate,
}: {
	dir: string;
	width: number;
	height: number;
	frameRate: number;
}): string {
	requirePrograms(['ffmpeg']);

	const file = path.join(dir, `camera-${width}x${height}.y4m`);

	execFileSync(
		'ffmpeg',
		[
			...['-loglevel', 'error', '-y'],
			...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${frameRate}`],
			...['-vf', 'noise=alls=12:allf=t', '-t', '2', '-pix_fmt', 'yuv420p', file],
		],
		{ stdio: ['ignore', 'ignore', 'pipe'] }
	);

	return file;
}

/**
 * The Chromium flag that makes `file` its fake camera.
 */
export function fakeCameraArg(file: string): string {
	return `--use-file-for-fake-video-capture=${file}`;
}
