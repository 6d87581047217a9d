import fs from 'node:fs';
import type { RealConversation } from './real-conversation.ts';

interface MtBenchLine {
  task: string;
  id: number;
  history: { user: string; bot: string }[];
}

/** MT-Bench-101 dialogues: each round a user turn and the assistant's answer. */
export function loadMtBench(file: string): RealConversation[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return lines.map((line) => {
    const dialogue = JSON.parse(line) as MtBenchLine;
    return {
      source: 'mt-bench-101',
      id: `${dialogue.task}-${dialogue.id}`,
      messages: dialogue.history.flatMap((round) => [
        { role: 'user' as const, content: round.user },
        { role: 'assistant' as const, content: round.bot },
      ]),
    };
  });
}
