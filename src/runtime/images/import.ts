// `docker import` of a rootfs tarball, shared by the endpoint image and the role images: the
// engine reports a failed import only inside its progress stream, so that stream is read to the
// end and any error in it becomes a FabricError.
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { FabricError } from '../../errors/fabric-error.js';

type ImportClient = Pick<Docker, 'importImage'> & {
  modem: { followProgress: Docker['modem']['followProgress'] };
};

/** Imports `tar` as `tag` (`repo:version`) with the given Dockerfile-style changes. */
export async function importTarball(
  docker: ImportClient,
  tag: string,
  tar: Buffer,
  changes: string[],
  hint?: string,
): Promise<void> {
  const [repo, version] = tag.split(':') as [string, string];
  const stream = await docker.importImage(Readable.from([tar]), { repo, tag: version, changes } as object);
  await new Promise<void>((res, rej) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: { error?: string; errorDetail?: { message?: string } }[]) => {
        const bad = out?.find((o) => o.error || o.errorDetail);
        if (err || bad)
          rej(
            new FabricError(
              'E_IMAGE_BUILD',
              `docker import of ${tag} failed: ${err?.message ?? bad?.error ?? bad?.errorDetail?.message}`,
              hint ? { cause: err, hint } : { cause: err },
            ),
          );
        else res();
      },
    );
  });
}
