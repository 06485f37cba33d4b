// `--hosts hosts.yml` on the verbs that talk OpenFlow (program, flows --diff): the lab runs on
// other machines, placed as `fabric generate --hosts` placed it, and this machine sits on the
// lab's management network. Every switch is then reached at its listener from the same
// placement (recomputed from the lab and the hosts file, so nothing is read back from the
// generated record), with `--tls` presenting the controller's certificate of the lab PKI.
// `--containers`: every switch runs its own Open vSwitch inside its node's container (the
// clabernetes definition deployed by containerlab or `fabric clab deploy`), reached there through
// `docker exec`; in a Kubernetes pod the same commands run through `kubectl exec`
// (docs/scale-out.md).
import { existsSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import type { LabModel } from '../topology/model.js';

export interface RemoteOptions {
  hosts?: string;
  tls?: boolean;
  pki?: string;
  containers?: boolean;
}

/** The container containerlab names for a node (`clab-<lab>-<node>`). */
export const clabContainer = (lab: string, node: string): string => `clab-${lab}-${node}`;

export function remoteOptions(cmd: Command): Command {
  return cmd
    .option(
      '--hosts <file>',
      'the lab runs on these hosts (fabric generate --hosts): reach each switch at its OpenFlow listener from here',
    )
    .option('--tls', 'with --hosts: ssl: listeners, this side presents the lab controller certificate')
    .option('--pki <folder>', 'with --tls: the lab PKI folder (default: <lab>.pki beside the hosts file)')
    .option(
      '--containers',
      'each switch runs its own Open vSwitch in its container clab-<lab>-<node> (the clabernetes definition): reach it through docker exec',
    );
}

/**
 * Registers every switch of `bridges` as reached over OpenFlow at its placed listener. Refuses a
 * bridge placed on a host without a management address (no listener), and missing PKI files.
 */
export async function reachRemote(
  model: LabModel,
  switches: readonly { bridge: string; node: string }[],
  o: RemoteOptions,
): Promise<string> {
  const bridges = switches.map((s) => s.bridge);
  if (o.containers) {
    if (o.hosts || o.tls || o.pki) throw new FabricError('E_USAGE', 'give either --containers or --hosts');
    const { useRemoteSwitches } = await import('../hostnet/index.js');
    useRemoteSwitches(
      switches.map((s) => ({ bridge: s.bridge, connect: s.bridge, container: clabContainer(model.name, s.node) })),
    );
    return ` through docker exec in ${switches.length} containers`;
  }
  if (!o.hosts) {
    if (o.tls || o.pki) throw new FabricError('E_USAGE', '--tls and --pki go with --hosts');
    return '';
  }
  if (o.pki && !o.tls) throw new FabricError('E_USAGE', '--pki goes with --tls');
  const { loadHosts, place, switchReach, pkiDir, PKI_CONTROLLER, tlsFilesIn } = await import('../scaleout/index.js');
  const { useRemoteSwitches } = await import('../hostnet/index.js');
  const hostsFile = await loadHosts(o.hosts);
  const reach = new Map(
    switchReach(model, hostsFile, place(model, hostsFile), o.tls === true).map((s) => [s.bridge, s]),
  );
  const missing = bridges.filter((b) => !reach.has(b));
  if (missing.length)
    throw new FabricError(
      'E_SWITCH_UNREACHABLE',
      `${missing.length} bridge(s) of ${model.name} have no OpenFlow listener on the hosts of ${o.hosts}: ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? ', ...' : ''}`,
      { hint: 'give every host that runs switches its management address (mgmt: in the hosts file)' },
    );
  const pki = o.tls ? resolvePath(o.pki ?? join(dirname(o.hosts), pkiDir(model.name))) : '';
  const ssl = o.tls ? tlsFilesIn(pki, PKI_CONTROLLER) : undefined;
  const absent = Object.values(ssl ?? {}).filter((f) => !existsSync(f));
  if (absent.length)
    throw new FabricError('E_PKI', `--tls: the lab PKI has no ${absent.join(', ')}`, {
      hint: `fabric generate ${model.name} --hosts ${o.hosts} --tls writes it; or give --pki <folder>`,
    });
  useRemoteSwitches(bridges.map((b) => ({ bridge: b, connect: reach.get(b)!.connect, ...(ssl ? { ssl } : {}) })));
  const hosts = new Set(bridges.map((b) => reach.get(b)!.host));
  return ` over OpenFlow ${o.tls ? 'SSL' : 'TCP'} at ${bridges.length} listeners on ${hosts.size} hosts`;
}
