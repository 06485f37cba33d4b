// The vocabulary of expected frames: a layer with some fields, in the decoder's layer names.
import type { LayerName } from '../decode/types.js';

export const ANY = '*';
export type Wild<T> = T | typeof ANY;
/** A layer with some fields; a field set to '*' must exist but may hold any value. */
export type LayerPattern = { name: LayerName } & Record<string, Wild<string | number | boolean>>;
