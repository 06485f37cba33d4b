// `fabric images build`: the container images generated topologies name (fabric/<role>:<version>),
// made from this machine's Debian packages and imported into the local Docker engine. Nothing is
// pulled. An image whose content is already there is left alone.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { dockerClient, ensureDockerd } from '../runtime/docker/engine.js';
import type { ImageClient } from '../runtime/images/index.js';
import { buildRoleImages } from '../runtime/images/roles.js';
import { IMAGE_ROLES, type ImageRole } from '../topology/kinds/linux/images.js';

export function register(program: Command): void {
  const images = program.command('images').description('container images for the container runtimes and containerlab');
  images
    .command('build')
    .description(`build ${IMAGE_ROLES.map((r) => `fabric/${r}`).join(', ')} locally from Debian packages (no registry)`)
    .option('--role <role...>', `only these roles (${IMAGE_ROLES.join(', ')})`)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { role?: string[]; json?: boolean }) => {
      const roles = (opts.role ?? [...IMAGE_ROLES]).map((r): ImageRole => {
        if (!(IMAGE_ROLES as readonly string[]).includes(r))
          throw new FabricError('E_USAGE', `unknown image role ${JSON.stringify(r)}`, {
            hint: `roles: ${IMAGE_ROLES.join(', ')}`,
          });
        return r as ImageRole;
      });
      const engine = await ensureDockerd();
      const out = await buildRoleImages(dockerClient(engine.socket) as unknown as ImageClient, roles);
      if (opts.json) {
        process.stdout.write(
          JSON.stringify(out.map(({ role, tag, hash, built, bytes }) => ({ role, tag, hash, built, bytes }))) + '\n',
        );
        return;
      }
      for (const r of out)
        process.stdout.write(
          `${r.tag}  ${r.built ? 'built' : 'up to date'}  content ${r.hash}  ${(r.bytes / 1e6).toFixed(1)} MB rootfs\n`,
        );
    });
}
