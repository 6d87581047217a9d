import fs from 'node:fs';
import { ChildCommand } from './child-command.ts';

/** A standalone `llmcost pricing`, with its memory read from /proc. */
export class PricingProcess extends ChildCommand {
  constructor(brokers: string, topicPrefix: string, nodeArgs: string[] = []) {
    super(['pricing'], { brokers, topicPrefix, nodeArgs });
  }

  /** Resident and peak resident memory of the process, in MiB. */
  memory(): { rssMiB: number; peakMiB: number } {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  }
}
