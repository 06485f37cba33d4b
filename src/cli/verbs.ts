// The verb registry: each verb file exports `register(program)`. Add new verbs here.
import type { Command } from 'commander';

export type RegisterVerb = (program: Command) => void;

export const verbs: RegisterVerb[] = [];
