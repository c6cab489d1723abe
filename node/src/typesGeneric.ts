/**
 * Custom data an application attaches to an entity.
 */
export type AppData = {
	[key: string]: unknown;
};

type Only<T, U> = {
	[P in keyof T]: T[P];
} & {
	[P in Exclude<keyof U, keyof T>]?: never;
};

/**
 * Exactly one of two shapes.
 */
export type Either<T, U> = Only<T, U> | Only<U, T>;
