/**
 * Layers described by a scalability mode string such as 'L3T3_KEY'.
 */
export type ScalabilityMode = {
	spatialLayers: number;
	temporalLayers: number;
	/**
	 * Whether the mode is K-SVC ('_KEY' suffix): spatial layers depend on each
	 * other only at key frames.
	 */
	ksvc: boolean;
};
