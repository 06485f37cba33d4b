// Where each switch of a multi-host lab is reached for OpenFlow programming: a passive `ptcp:`
// listener per bridge, bound to its host's address on the lab's management network and to
// nothing else. Whoever reaches a listener can rewrite every tenant's isolation, so a listener
// never binds to 0.0.0.0 or to the address the hosts use to reach each other.
import { FabricError } from '../errors/fabric-error.js';
import { unicastProblem } from './hosts.js';

/** First TCP port of a host's listeners; each bridge on the host takes the next one. */
export const OPENFLOW_PORT_BASE = 6653;

export interface SwitchReach {
  node: string;
  bridge: string;
  host: string;
  /** What the switch listens on (`ovs-vsctl set-controller <bridge> <listen>`). */
  listen: string;
  /** What `ovs-ofctl` connects to from the management network. */
  connect: string;
}

/** The listener of one bridge; refuses any address that is not one unicast management address. */
export function listenerFor(mgmt: string, hostAddress: string, port: number): { listen: string; connect: string } {
  const why = unicastProblem(mgmt);
  if (why || mgmt === hostAddress || !Number.isInteger(port) || port < 1024 || port > 65535)
    throw new FabricError('E_HOST_ADDRESS', `refusing an OpenFlow listener on ${mgmt}:${port}`, {
      hint: 'a listener binds to the host address on the lab management network only (mgmt: in the hosts file), never 0.0.0.0 or the host address',
    });
  return { listen: `ptcp:${port}:${mgmt}`, connect: `tcp:${mgmt}:${port}` };
}
