import { parseScalabilityMode } from '../scalabilityModes';
import type { ScalabilityMode } from '../scalabilityModesTypes';

const single: ScalabilityMode = {
	spatialLayers: 1,
	temporalLayers: 1,
	ksvc: false,
};

describe('parseScalabilityMode()', () => {
	test.each<[string, string | undefined, ScalabilityMode]>([
		['single layer', 'L1T1', single],
		['temporal layers only', 'L1T3', { spatialLayers: 1, temporalLayers: 3, ksvc: false }],
		['SVC', 'L3T3', { spatialLayers: 3, temporalLayers: 3, ksvc: false }],
		['K-SVC', 'L3T2_KEY', { spatialLayers: 3, temporalLayers: 2, ksvc: true }],
		['suffix after _KEY', 'L4T7_KEY_SHIFT', { spatialLayers: 4, temporalLayers: 7, ksvc: true }],
		['simulcast-like S mode', 'S2T3', { spatialLayers: 2, temporalLayers: 3, ksvc: false }],
		['suffix without _KEY', 'S3T3h', { spatialLayers: 3, temporalLayers: 3, ksvc: false }],
		['two digit spatial layers', 'L20T3', { spatialLayers: 20, temporalLayers: 3, ksvc: false }],
		['two digit temporal layers', 'L1T99', { spatialLayers: 1, temporalLayers: 99, ksvc: false }],
		[
			'incomplete _KEY is just a suffix',
			'L3T3_KE',
			{ spatialLayers: 3, temporalLayers: 3, ksvc: false },
		],
		['zero spatial layers', 'S0T3', single],
		['three digit spatial layers', 'S200T3', single],
		['zero temporal layers', 'L3T0', single],
		['no temporal part', 'L3', single],
		['lower case', 'l3t3', single],
		['leading space', ' L3T3', single],
		['not a mode', 'foo', single],
		['empty string', '', single],
		['undefined', undefined, single],
	])('%s (%p)', (_name, input, expected) => {
		expect(parseScalabilityMode(input)).toEqual(expected);
	});

	test('the default result is a new object each time', () => {
		const first = parseScalabilityMode(undefined);

		first.spatialLayers = 9;

		expect(parseScalabilityMode(undefined)).toEqual(single);
		expect(parseScalabilityMode('foo')).toEqual(single);
	});
});
