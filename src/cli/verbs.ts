// The verb registry: each verb file exports `register(program)`. Add new verbs here.
import type { Command } from 'commander';
import { register as generate } from './generate.js';
import { register as inspect } from './inspect.js';
import { register as up } from './up.js';
import { register as down } from './down.js';
import { register as status } from './status.js';
import { register as plan } from './plan.js';
import { register as programVerb } from './program.js';
import { register as flows } from './flows.js';
import { register as test } from './test.js';
import { register as capture } from './capture.js';
import { register as trace } from './trace.js';
import { register as failover } from './failover.js';
import { register as version } from './version.js';
import { register as exec } from './exec.js';
import { register as graph } from './graph.js';
import { register as clab } from './clab.js';
import { register as attach } from './attach.js';
import { register as impair } from './impair.js';
import { register as images } from './images.js';

export type RegisterVerb = (program: Command) => void;

export const verbs: RegisterVerb[] = [
  generate,
  inspect,
  up,
  down,
  status,
  plan,
  programVerb,
  flows,
  test,
  capture,
  trace,
  failover,
  exec,
  graph,
  clab,
  attach,
  impair,
  images,
  version,
];
