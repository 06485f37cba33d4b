// `fabric generate <fabric.yml>`: intent → labs/<lab>/<lab>.clab.yml (containerlab topology) and
// <lab>.bridges.sh (the host bridges containerlab expects). `--without-hypervisors`: the fabric
// part of a hypervisor lab (containerlab cannot deploy its generic_vm nodes yet).
// `fabric generate --scale N`: an N-node network-only lab for the runtime bench.
// `fabric generate <lab> --hosts hosts.yml`: one containerlab topology per host (docs/scale-out.md).
// `fabric generate <lab> --clabernetes`: a clabernetes Topology resource.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { DiagnosticsError } from '../errors/diagnostics.js';
import { FabricError } from '../errors/fabric-error.js';
import { bridgesScript } from '../runtime/containerlab/bridges-script.js';
import { generateClab, loadIntent, resolve, scaleLab } from '../topology/index.js';
import { fabricPart, hypervisorDiagnostic } from '../topology/clab-hypervisors.js';
import { labFileOf, labOperand } from './lab-arg.js';
import type { HostsFile } from '../scaleout/hosts.js';

interface GenerateOptions {
  scale?: string;
  out?: string;
  model?: boolean;
  topo?: string;
  withoutHypervisors?: boolean;
  hosts?: string;
  clabernetes?: boolean;
  tls?: boolean;
}

export function register(program: Command): void {
  labOperand(
    program
      .command('generate')
      .description(
        'write the containerlab topology of a lab (labs/<lab>/<lab>.clab.yml) and its bridges script, or an N-node scale lab',
      ),
    'lab file, folder or lab name, e.g. labs/mtdc/fabric.yml',
  )
    .option('--scale <n>', 'generate a network-only lab of n nodes instead (printed unless --out)')
    .option('--out <file>', 'write here instead of the default')
    .option('--model', 'write the resolved LabModel as JSON instead of the containerlab topology')
    .option(
      '--hosts <file>',
      'place the lab on the hosts of this file: one containerlab topology per host (--out: a folder)',
    )
    .option(
      '--tls',
      'with --hosts: OpenFlow listeners are pssl: and the lab PKI (<lab>.pki/: CA, one certificate per host, the controller) is written beside the files',
    )
    .option('--clabernetes', 'write a clabernetes Topology resource (<lab>.c9s.yml) instead')
    .option(
      '--without-hypervisors',
      'leave generic_vm nodes, hypervisors and their gateways out (the deployable fabric part)',
    )
    .action(async (operand: string | undefined, opts: GenerateOptions) => {
      if (operand && opts.topo) throw new FabricError('E_USAGE', `two labs given: ${operand} and --topo ${opts.topo}`);
      const labArg = operand ?? opts.topo;
      if (opts.scale !== undefined) {
        if (labArg) throw new FabricError('E_USAGE', 'give either a lab file or --scale, not both');
        const n = Number(opts.scale);
        const model = scaleLab(n);
        const text = opts.model ? JSON.stringify(model, null, 2) + '\n' : generateClab(model, `--scale ${n}`);
        if (opts.out) await write(opts.out, text);
        else process.stdout.write(text);
        return;
      }
      if (!labArg)
        throw new FabricError('E_USAGE', 'missing lab file', { hint: 'fabric generate labs/mtdc/fabric.yml' });
      const labFile = labFileOf(labArg);
      if (opts.tls && !opts.hosts)
        throw new FabricError('E_USAGE', '--tls secures the listeners of --hosts: give both');
      if (opts.hosts || opts.clabernetes) return scaleOut(labFile, opts);
      const loaded = await loadIntent(labFile);
      const full = resolve(loaded, resolvePath(labFile));
      if (opts.model) {
        const out = opts.out ?? join(dirname(labFile), `${full.name}.model.json`);
        await write(out, JSON.stringify({ ...full, source: basename(labFile) }, null, 2) + '\n');
        process.stderr.write(`wrote ${out} (${full.nodes.length} nodes, ${full.links.length} links)\n`);
        return;
      }
      let model = full;
      let note: string | undefined;
      if (opts.withoutHypervisors) {
        const part = fabricPart(full);
        model = part.model;
        note = part.note;
        if (note) process.stderr.write(`${full.name}: ${note}\n`);
      } else {
        const d = hypervisorDiagnostic(loaded, full);
        if (d) throw new DiagnosticsError('generate', [d]);
      }
      const out = opts.out ?? join(dirname(labFile), `${model.name}.clab.yml`);
      await write(out, generateClab(model, basename(labFile), note));
      process.stderr.write(`wrote ${out} (${model.nodes.length} nodes, ${model.links.length} links)\n`);
      // The host bridges containerlab expects, beside the topology (run before the deploy).
      const script = join(dirname(out), `${model.name}.bridges.sh`);
      await write(script, bridgesScript(model, basename(labFile)));
      await chmod(script, 0o755);
      process.stderr.write(`wrote ${script} (up before containerlab deploy, ports after it, down after destroy)\n`);
    });
}

async function scaleOut(labFile: string, opts: GenerateOptions): Promise<void> {
  if (opts.hosts && opts.clabernetes)
    throw new FabricError('E_USAGE', 'give either --hosts or --clabernetes, not both');
  if (opts.model) throw new FabricError('E_USAGE', '--model writes the single-host model; drop --hosts/--clabernetes');
  const { generateForHosts, generateC9s, loadHosts } = await import('../scaleout/index.js');
  const loaded = await loadIntent(labFile);
  const model = resolve(loaded, resolvePath(labFile));
  if (opts.clabernetes) {
    const text = generateC9s(model, loaded, basename(labFile));
    const out = opts.out ?? join(dirname(labFile), `${model.name}.c9s.yml`);
    await write(out, text);
    process.stderr.write(`wrote ${out} (clabernetes Topology, ${model.nodes.length} nodes)\n`);
    return;
  }
  // Every problem (hosts file, capacity, MTU) is found before the first file is written.
  const hostsFile = await loadHosts(opts.hosts ?? '');
  const result = generateForHosts(model, hostsFile, basename(labFile), opts.tls === true);
  const dir = opts.out ?? dirname(labFile);
  if (opts.tls) await writePki(model.name, hostsFile, dir);
  for (const f of result.files) await write(join(dir, `${model.name}.${f.host}.clab.yml`), f.text);
  await write(join(dir, `${model.name}.placement.json`), result.record);
  for (const sc of result.scripts) {
    await write(join(dir, sc.name), sc.text);
    await chmod(join(dir, sc.name), 0o755);
    process.stderr.write(`wrote ${join(dir, sc.name)} (on host ${sc.host} after its bridges exist: up, or down)\n`);
  }
  for (const h of hostsFile.hosts)
    process.stderr.write(
      `${h.name} (${h.address}): ${(result.placement.nodesOf.get(h.name) ?? []).length} nodes` +
        (result.files.some((f) => f.host === h.name)
          ? ` -> ${join(dir, `${model.name}.${h.name}.clab.yml`)}\n`
          : ', no file\n'),
    );
  process.stderr.write(
    `${result.placement.stitched.length} stitched links (containerlab vxlan links); wrote ${join(dir, `${model.name}.placement.json`)}\n`,
  );
}

/** The lab PKI for pssl: listeners: a CA, each host with a management address, the controller. */
async function writePki(lab: string, hostsFile: HostsFile, dir: string): Promise<void> {
  const { pkiDir, PKI_CONTROLLER } = await import('../scaleout/index.js');
  const { ensureLabPki } = await import('../hostnet/pki.js');
  const members = hostsFile.hosts.filter((h) => h.mgmt !== undefined).map((h) => h.name);
  if (!members.length)
    throw new FabricError('E_TLS_NO_MGMT', `--tls: no host of ${hostsFile.file} has a management address`, {
      hint: 'give the hosts their address on the lab management network (mgmt: in the hosts file), or drop --tls',
    });
  const pki = await ensureLabPki(join(dir, pkiDir(lab)), lab, [...members, PKI_CONTROLLER]);
  process.stderr.write(
    `wrote ${pki.dir}/ (lab CA and certificates: made ${pki.made.join(', ') || 'none'}; kept ${pki.kept.join(', ') || 'none'}); keep ca-privkey.pem off the hosts\n`,
  );
}

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
