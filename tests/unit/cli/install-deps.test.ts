// scripts/install-deps.sh against stub dpkg-query, apt-get, id and docker on PATH: what each
// profile installs, that apt is never quiet nor allowed to remove anything, that docker.io is
// never installed over another engine, and that each change to the host is printed once.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const STUBS: Record<string, string> = {
  'dpkg-query':
    'for p in $STUB_INSTALLED; do [[ $p == "${!#}" ]] && echo "install ok installed" && exit 0; done; exit 1',
  'apt-get': 'echo "apt-get $*" >> "$STUB_LOG"',
  id: '[[ $1 == -u ]] && echo "$STUB_UID"',
  docker: 'exit "$STUB_DOCKER_RC"',
};

interface Run {
  code: number | null;
  out: string;
  apt: string[];
}

describe('scripts/install-deps.sh (stub apt and dpkg)', () => {
  let dir: string;
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'fabric-deps-')));
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'stub'));
    copyFileSync('scripts/install-deps.sh', join(dir, 'scripts', 'install-deps.sh'));
    // A linked node_modules is left alone: the npm step does nothing here.
    symlinkSync(dir, join(dir, 'node_modules'));
    for (const [name, body] of Object.entries(STUBS)) {
      writeFileSync(join(dir, 'stub', name), `#!/usr/bin/env bash\n${body}\n`);
      chmodSync(join(dir, 'stub', name), 0o755);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function deps(args: string[], o: { installed?: string[]; uid?: number; dockerRc?: number; sock?: string } = {}): Run {
    const log = join(dir, 'apt.log');
    writeFileSync(log, '');
    const r = spawnSync('bash', [join(dir, 'scripts', 'install-deps.sh'), ...args], {
      encoding: 'utf8',
      env: {
        PATH: `${join(dir, 'stub')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        STUB_INSTALLED: (o.installed ?? []).join(' '),
        STUB_LOG: log,
        STUB_UID: String(o.uid ?? 0),
        STUB_DOCKER_RC: String(o.dockerRc ?? 1),
        ...(o.sock ? { DOCKER_HOST: `unix://${o.sock}` } : {}),
      },
    });
    return { code: r.status, out: r.stdout + r.stderr, apt: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  }

  const installs = (r: Run) => r.apt.find((l) => l.startsWith('apt-get install')) ?? '';

  it('netns installs only what a netns lab needs, apt visible (no -q) and never removing anything', () => {
    const r = deps(['netns'], { installed: ['iproute2', 'procps'] });
    expect(r.code, r.out).to.equal(0);
    const line = installs(r);
    expect(line).to.contain('--no-remove').and.contain('openvswitch-switch').and.contain('tcpdump');
    expect(line).to.not.match(/ -q| -qq|docker|qemu|chromium|tshark| iproute2| procps/);
    expect(r.apt[0]).to.equal('apt-get update');
    expect(r.out.match(/host change/g), r.out).to.have.length(1);
    expect(r.out).to.contain('host change: installing Debian packages (netns): openvswitch-switch');
  });

  it('make lab-up asks for netns and vm only: no docker.io, no chromium', () => {
    const mk = readFileSync('Makefile', 'utf8');
    expect(mk).to.match(/^lab-up: deps-lab /m);
    const profiles = /^deps-lab:\n\t.*install-deps\.sh (.+)$/m.exec(mk)?.[1]?.split(' ') ?? [];
    expect(profiles).to.deep.equal(['netns', 'vm']);
    const line = installs(deps(profiles));
    expect(line).to.contain('qemu-system-x86');
    expect(line).to.not.match(/docker\.io|chromium|tshark/);
  });

  it('each make target asks for what it needs: docker and chromium only for make test and make bench', () => {
    const mk = readFileSync('Makefile', 'utf8');
    const deps = (target: string) => new RegExp(`^${target}:(.*)$`, 'm').exec(mk)?.[1]?.trim().split(/\s+/) ?? [];
    for (const t of ['lab-up', 'guest', 'soak']) expect(deps(t), t).to.include('deps-lab').and.not.include('deps');
    expect(deps('lab-down'), 'lab-down').to.include('deps-netns');
    for (const t of ['test', 'test-integration', 'bench']) expect(deps(t), t).to.include('deps');
    expect(deps('fuzz'), 'fuzz').to.deep.equal(['npm-deps']);
  });

  it('changes nothing and prints no host change when everything is installed', () => {
    const all = ['openvswitch-switch', 'ethtool', 'iproute2', 'tcpdump', 'tcpreplay', 'iputils-ping'];
    const r = deps(['netns'], { installed: [...all, 'iputils-arping', 'procps'] });
    expect([r.code, r.apt, r.out]).to.deep.equal([0, [], '']);
  });

  for (const engine of ['docker-ce', 'moby-engine', 'containerd.io'])
    it(`never installs docker.io next to ${engine}, and says so`, () => {
      const r = deps(['docker'], { installed: [engine] });
      expect(r.code, r.out).to.equal(0);
      expect(installs(r)).to.contain('busybox-static');
      expect(installs(r)).to.not.contain('docker.io');
      expect(r.out).to.contain(`not installing docker.io: this host already has a container engine (${engine})`);
    });

  describe('with a dockerd answering on the socket DOCKER_HOST names', () => {
    let server: Server;
    let sock: string;
    before(async () => {
      sock = join(dir, 'engine.sock');
      server = createServer();
      await new Promise<void>((res) => server.listen(sock, res));
    });
    after(() => server.close());

    it('leaves docker.io out, naming that socket', () => {
      const r = deps(['docker'], { dockerRc: 0, sock });
      expect(installs(r)).to.not.contain('docker.io');
      expect(r.out).to.contain(`a dockerd answering on ${sock}`);
    });

    it('installs docker.io when nothing answers there', () => {
      expect(installs(deps(['docker'], { dockerRc: 1, sock }))).to.contain('docker.io');
    });
  });

  it('as a user: names the missing packages and the command, runs no apt, exits 1', () => {
    const r = deps(['vm'], { uid: 1000 });
    expect([r.code, r.apt]).to.deep.equal([1, []]);
    expect(r.out).to.contain('missing Debian packages: qemu-system-x86 kmod busybox-static');
  });

  it('refuses an unknown profile', () => {
    const r = deps(['kvm']);
    expect(r.code).to.equal(2);
    expect(r.out).to.contain('unknown profile kvm');
  });
});
