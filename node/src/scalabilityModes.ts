import type { ScalabilityMode } from './scalabilityModesTypes';

// 'L' (SVC) or 'S' (simulcast-like) spatial layers, then temporal layers; both
// in 1..99. Anything after the optional '_KEY' (e.g. '_SHIFT', 'h') is
// accepted and ignored.
const ScalabilityModeRegex = /^[LS]([1-9][0-9]?)T([1-9][0-9]?)(_KEY)?/;

/**
 * Parses a scalability mode string. Unknown or missing modes mean a single
 * spatial and temporal layer.
 */
export function parseScalabilityMode(scalabilityMode?: string): ScalabilityMode {
	const match =
		typeof scalabilityMode === 'string' ? ScalabilityModeRegex.exec(scalabilityMode) : null;

	if (!match) {
		return { spatialLayers: 1, temporalLayers: 1, ksvc: false };
	}

	return {
		spatialLayers: Number(match[1]),
		temporalLayers: Number(match[2]),
		ksvc: match[3] !== undefined,
	};
}
