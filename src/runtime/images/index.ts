// Local images, no registry: the endpoint rootfs (./rootfs.ts) as a tar stream into the engine's
// import endpoint (dockerode `importImage`, i.e. `docker import`), tagged by the content hash,
// `fabric/endpoint:<sha256[:12]>`. The same files give the same tag, so a present tag means the
// image is current and nothing is built. Images are never pulled: a named image that is not
// present locally is an error (E_IMAGE_MISSING).
import type Docker from 'dockerode';
import { FabricError } from '../../errors/fabric-error.js';
import { isFabricImage } from '../../topology/kinds/linux/images.js';
import { endpointRootfs } from './rootfs.js';
import { importTarball } from './import.js';
import { sha256, tarBuffer } from './tar.js';

export const ENDPOINT_REPO = 'fabric/endpoint';
/** Command of every endpoint container: PID 1 that never exits (busybox applet). */
export const ENDPOINT_CMD = ['/bin/busybox', 'sleep', 'infinity'];

export type ImageClient = Pick<Docker, 'getImage' | 'importImage'> & {
  modem: { followProgress: Docker['modem']['followProgress'] };
};

export interface ImageResult {
  tag: string;
  built: boolean;
  bytes: number;
}

export async function imageExists(docker: Pick<Docker, 'getImage'>, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

export function imageMissing(name: string, nodes: string[]): FabricError {
  const who = nodes.length ? ` (nodes ${nodes.slice(0, 5).join(', ')}${nodes.length > 5 ? ', ...' : ''})` : '';
  return new FabricError('E_IMAGE_MISSING', `image ${name} is not present in the local Docker engine${who}`, {
    hint: isFabricImage(name)
      ? "build it from this machine's Debian packages: fabric images build (fabric never pulls from a registry)"
      : `fabric never pulls from a registry: build or load it locally (docker import / docker load), or drop the node's image attribute to use fabric's own image (fabric images build)`,
  });
}

/** Every named image must already be local; one error lists all missing ones. */
export async function requireImages(docker: Pick<Docker, 'getImage'>, byImage: Map<string, string[]>): Promise<void> {
  for (const [name, nodes] of byImage) {
    if (!(await imageExists(docker, name))) throw imageMissing(name, nodes);
  }
}

let memo: { tag: string; tar: Buffer } | undefined;

/** The endpoint tarball and its tag (memoised per process: the files do not change under us). */
export async function endpointTarball(): Promise<{ tag: string; tar: Buffer }> {
  if (!memo) {
    const tar = tarBuffer(await endpointRootfs());
    memo = { tag: `${ENDPOINT_REPO}:${sha256(tar).slice(0, 12)}`, tar };
  }
  return memo;
}

/** Imports the endpoint image unless its content-hash tag is already present. */
export async function ensureEndpointImage(docker: ImageClient): Promise<ImageResult> {
  const { tag, tar } = await endpointTarball();
  if (await imageExists(docker, tag)) return { tag, built: false, bytes: tar.length };
  await importTarball(docker, tag, tar, [`CMD ${JSON.stringify(ENDPOINT_CMD)}`, 'LABEL fabric-image=endpoint']);
  if (!(await imageExists(docker, tag)))
    throw new FabricError('E_IMAGE_BUILD', `docker import reported success but ${tag} is not present`);
  return { tag, built: true, bytes: tar.length };
}
