// `fabric inspect <file...>`: thin verb over src/inspect (see docs/inspect.md).
import { Command, InvalidArgumentError, Option } from 'commander';
import { runInspect } from '../inspect/index.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const collectInt =
  (name: string) =>
  (v: string, prev: number[] = []) => {
    if (!/^\d+$/.test(v))
      throw new InvalidArgumentError(`--${name} expects a decimal number, got ${JSON.stringify(v)}`);
    return [...prev, Number(v)];
  };

export function register(program: Command): void {
  program
    .command('inspect')
    .description('decode capture files (pcap/pcapng; - = stdin): one line per frame, outer to inner')
    .argument('<file...>', 'capture files; - reads stdin')
    .option('--json', 'JSON Lines, one object per frame (schemas/inspect-frame.schema.json)')
    .option('--stats', 'count frames per distinct stack shape')
    .option('--vlan <vid>', 'frames with this VLAN ID at any depth (repeatable: any of)', collectInt('vlan'))
    .option('--label <label>', 'frames with this MPLS label at any depth (repeatable)', collectInt('label'))
    .option('--vni <vni>', 'frames with this VXLAN VNI (repeatable)', collectInt('vni'))
    .option(
      '--ip <addr>',
      'frames with this IPv4/IPv6 address as source or destination, any depth (repeatable)',
      collect,
    )
    .option(
      '--contains <text>',
      'frames whose bytes contain this marker (text, or 0x-prefixed hex; repeatable)',
      collect,
    )
    .option(
      '--decode-as <spec>',
      'pseudowire payload: KIND, LABEL=KIND or FROM-TO=KIND, KIND = pw-eth-cw|pw-eth-nocw|ipv4|ipv6|raw; tshark forms mpls.label==1000-1010,pwethnocw and udp.port==8472,vxlan (repeatable)',
      collect,
    )
    .option('-w, --write <file>', 'write the matched frames to this capture file (- = stdout) instead of printing them')
    .addOption(
      new Option('-F, --write-format <format>', 'format for -w (default: by extension)').choices(['pcap', 'pcapng']),
    )
    .option('-c, --count <n>', 'stop after this many matched frames', (v: string) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`-c expects a whole number, got ${JSON.stringify(v)}`);
      return Number(v);
    })
    .option('--abs-time', 'print epoch timestamps instead of time since the first frame')
    .addOption(
      new Option('--engine <engine>', 'capture reader').choices(['auto', 'fast', 'pcap-parser']).default('auto'),
    )
    .action(async (files: string[], o: Record<string, unknown>) => {
      process.exitCode = await runInspect(
        files,
        {
          json: o.json === true,
          stats: o.stats === true,
          vlan: o.vlan as number[] | undefined,
          label: o.label as number[] | undefined,
          vni: o.vni as number[] | undefined,
          ip: o.ip as string[] | undefined,
          contains: o.contains as string[] | undefined,
          decodeAs: o.decodeAs as string[] | undefined,
          absTime: o.absTime === true,
          engine: o.engine as 'auto' | 'fast' | 'pcap-parser',
          ...(typeof o.write === 'string' ? { write: o.write } : {}),
          ...(typeof o.writeFormat === 'string' ? { writeFormat: o.writeFormat } : {}),
          ...(typeof o.count === 'number' ? { count: o.count } : {}),
        },
        { out: process.stdout, err: process.stderr, reuseWritten: true },
      );
    });
}
