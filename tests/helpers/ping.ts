// Reading ping's output in the integration suites: counts, lost ranges, replies as they come.
import type { execa } from 'execa';

/** Sent and received counts from ping's summary line. */
export function pingStats(text: string): { sent: number; received: number } {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(text);
  return m ? { sent: Number(m[1]), received: Number(m[2]) } : { sent: 0, received: 0 };
}

/** Replies by icmp_seq: the lost range is the gap(s) between answered sequence numbers. */
export function pingGaps(
  text: string,
  sent: number,
): { firstLost: number | null; lastLost: number | null; lost: number; longestGap: number } {
  const got = new Set([...text.matchAll(/icmp_seq=(\d+)/g)].map((m) => Number(m[1])));
  const lostSeqs: number[] = [];
  for (let i = 1; i <= sent; i++) if (!got.has(i)) lostSeqs.push(i);
  let longest = 0;
  let run = 0;
  for (let i = 1; i <= sent; i++) {
    run = got.has(i) ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return {
    firstLost: lostSeqs[0] ?? null,
    lastLost: lostSeqs.at(-1) ?? null,
    lost: lostSeqs.length,
    longestGap: longest,
  };
}

/** Resolves once `n` echo replies came back on the probe's stdout: the path carries it. Bounded. */
export function repliesSeen(probe: ReturnType<typeof execa>, n: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const done = (err?: Error): void => {
      clearTimeout(timer);
      probe.stdout?.off('data', onData);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer | string): void => {
      seen += String(chunk).match(/icmp_seq=/g)?.length ?? 0;
      if (seen >= n) done();
    };
    const timer = setTimeout(() => done(new Error(`probe: ${seen} of ${n} replies within ${timeoutMs} ms`)), timeoutMs);
    probe.stdout?.on('data', onData);
    void probe.then(
      () => done(new Error(`probe ended after ${seen} of ${n} replies`)),
      () => done(new Error(`probe failed after ${seen} of ${n} replies`)),
    );
  });
}
