// The guest agent line protocol and the argv quoting it relies on.
import { expect } from 'chai';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { argvToShell, encodeRequest, LineSplitter, parseAgentLine, shellQuote } from '../../../src/vm/protocol.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('vm/protocol', () => {
  it('encodes a request as "<id> <base64>" on one line', () => {
    const line = encodeRequest(7, "echo 'a\nb'");
    expect(line.endsWith('\n')).to.equal(true);
    expect(line.slice(0, -1)).to.not.include('\n');
    const [id, data] = line.trim().split(' ');
    expect(id).to.equal('7');
    expect(Buffer.from(data!, 'base64').toString()).to.equal("echo 'a\nb'");
    expect(() => encodeRequest(0, 'true')).to.throw(RangeError);
  });

  it('parses responses, ready lines and noise', () => {
    expect(parseAgentLine(`=12 3 ${b64('out\n')} ${b64('err')}\r`)).to.deep.equal({
      kind: 'response',
      response: { id: 12, exitCode: 3, stdout: 'out\n', stderr: 'err' },
    });
    expect(parseAgentLine('=4 0  ')).to.deep.equal({
      kind: 'response',
      response: { id: 4, exitCode: 0, stdout: '', stderr: '' },
    });
    expect(parseAgentLine('!ready 6.1.0-56-amd64')).to.deep.equal({ kind: 'ready', release: '6.1.0-56-amd64' });
    for (const noise of ['12 dHJ1ZQ==', '=x 0 a b', '=1 0 !! ', '[   3.2] virtio_net', '=1 0 YQ==']) {
      expect(parseAgentLine(noise).kind, noise).to.equal('noise');
    }
  });

  it('splits a byte stream into lines across chunk boundaries', () => {
    const s = new LineSplitter();
    expect(s.push('=1 0 YQ')).to.deep.equal([]);
    expect(s.push('== \n=2')).to.deep.equal(['=1 0 YQ== ']);
    expect(s.pending).to.equal('=2');
    expect(s.push(' 1  \n\n')).to.deep.equal(['=2 1  ', '']);
  });

  it('quotes argv so a POSIX shell sees exactly the same words (property, real sh)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')),
          { minLength: 1, maxLength: 4 },
        ),
        (words) => {
          // printf '%s\0' prints each word NUL-terminated; the shell must not split, expand or glob.
          const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`]);
          expect(out.toString('utf8').split('\0').slice(0, -1)).to.deep.equal(words);
        },
      ),
      { numRuns: 60 },
    );
    expect(argvToShell(['ip', 'link', "it's $(x) *"])).to.equal(`'ip' 'link' 'it'\\''s $(x) *'`);
    expect(() => argvToShell([])).to.throw(/empty argv/);
  });
});
