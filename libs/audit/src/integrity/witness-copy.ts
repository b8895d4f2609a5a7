import { closeSync, createReadStream, fsyncSync, openSync } from 'node:fs';
import { parseSeal } from './seal';
import { writeAll } from './witness-file';

export interface WitnessCopy {
  /** Lines copied: seals, and any line that is none (copied as found, for `verify` to report). */
  readonly lines: number;
  /** The last seal copied, if any. */
  readonly lastSequence?: number;
}

/**
 * Copies a witness file's lines, byte for byte, up to and including the seal `through` (or the
 * last line before a later seal), to a new file `destination`. The sealer goes on appending while
 * this reads, so the copy stops at the seal asked for; a last line without its newline is one
 * being written and is left out. Lines that are no seal are copied as they are: what was found is
 * evidence, and `verify` names them.
 */
export async function copyWitnessThrough(source: string, destination: string, through: number): Promise<WitnessCopy> {
  const fd = openSync(destination, 'wx');
  let lines = 0;
  let lastSequence: number | undefined;
  try {
    let rest: Buffer = Buffer.alloc(0);
    reading: for await (const chunk of createReadStream(source) as AsyncIterable<Buffer>) {
      const buffer = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
      let start = 0;
      for (let end = buffer.indexOf(0x0a, start); end !== -1; end = buffer.indexOf(0x0a, start)) {
        const line = buffer.subarray(start, end + 1);
        start = end + 1;
        const sequence = sequenceOf(line);
        if (sequence !== undefined && sequence > through) break reading;
        writeAll(fd, line, destination);
        lines += 1;
        if (sequence !== undefined) lastSequence = sequence;
        if (sequence === through) break reading;
      }
      rest = buffer.subarray(start);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { lines, ...(lastSequence !== undefined ? { lastSequence } : {}) };
}

function sequenceOf(line: Buffer): number | undefined {
  try {
    return parseSeal(JSON.parse(line.toString('utf8')))?.sequence;
  } catch {
    return undefined;
  }
}
