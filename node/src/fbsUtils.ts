/**
 * Reads a FlatBuffers vector of strings through its generated accessor.
 */
export function readStrings(get: (i: number) => string | null, length: number): string[] {
	const strings: string[] = [];

	for (let i = 0; i < length; ++i) {
		strings.push(get(i) ?? '');
	}

	return strings;
}
