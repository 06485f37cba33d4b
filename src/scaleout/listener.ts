// Where each switch of a multi-host lab is reached for OpenFlow programming: a passive listener
// per bridge, bound to its host's address on the lab's management network and to nothing else.
// Whoever reaches a listener can rewrite every tenant's isolation, so a listener never binds to
// 0.0.0.0 or to the address the hosts use to reach each other. Between real hosts the listener is
// OVS's `pssl:`: it only accepts a peer whose certificate the lab's own CA signed (the files are
// made by `fabric generate --tls`, named here so the record and the generator agree).
import { FabricError } from '../errors/fabric-error.js';
import { unicastProblem } from './hosts.js';

/** First TCP port of a host's listeners; each bridge on the host takes the next one. */
export const OPENFLOW_PORT_BASE = 6653;

/** The three files OVS's SSL table (`ovs-vsctl set-ssl`) or `ovs-ofctl`'s options take. */
export interface TlsFiles {
  privateKey: string;
  certificate: string;
  caCert: string;
}

export interface SwitchReach {
  node: string;
  bridge: string;
  host: string;
  /** What the switch listens on (`ovs-vsctl set-controller <bridge> <listen>`). */
  listen: string;
  /** What `ovs-ofctl` connects to from the management network. */
  connect: string;
}

/** The folder of a lab's PKI, beside its generated files. */
export const pkiDir = (lab: string): string => `${lab}.pki`;
export const PKI_CA = 'cacert.pem';
export const PKI_CA_KEY = 'ca-privkey.pem';
/** The controller's identity: whoever programs the switches (`fabric`, `ovs-ofctl`). */
export const PKI_CONTROLLER = 'controller';

/** A PKI member's files, relative to the folder of the generated files. */
export function tlsFiles(lab: string, member: string): TlsFiles {
  return {
    privateKey: `${pkiDir(lab)}/${member}-privkey.pem`,
    certificate: `${pkiDir(lab)}/${member}-cert.pem`,
    caCert: `${pkiDir(lab)}/${PKI_CA}`,
  };
}

/** A PKI member's files in the PKI folder `dir` itself (absolute when `dir` is). */
export function tlsFilesIn(dir: string, member: string): TlsFiles {
  return {
    privateKey: `${dir}/${member}-privkey.pem`,
    certificate: `${dir}/${member}-cert.pem`,
    caCert: `${dir}/${PKI_CA}`,
  };
}

/** The listener of one bridge; refuses any address that is not one unicast management address. */
export function listenerFor(
  mgmt: string,
  hostAddress: string,
  port: number,
  tls = false,
): { listen: string; connect: string } {
  const why = unicastProblem(mgmt);
  if (why || mgmt === hostAddress || !Number.isInteger(port) || port < 1024 || port > 65535)
    throw new FabricError('E_HOST_ADDRESS', `refusing an OpenFlow listener on ${mgmt}:${port}`, {
      hint: 'a listener binds to the host address on the lab management network only (mgmt: in the hosts file), never 0.0.0.0 or the host address',
    });
  return tls
    ? { listen: `pssl:${port}:${mgmt}`, connect: `ssl:${mgmt}:${port}` }
    : { listen: `ptcp:${port}:${mgmt}`, connect: `tcp:${mgmt}:${port}` };
}
