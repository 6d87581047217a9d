import path from 'node:path';
import { packageRoot } from '../../lib/config.ts';
import { loadMtBench } from './mt-bench.ts';
import { loadOasst, loadOasstBranches } from './oasst.ts';
import type { RealBranches, RealConversation } from './real-conversation.ts';
import { loadAnthropicRecording, loadGlaive, loadTauBench } from './tool-trajectories.ts';

const dataDir = path.join(packageRoot, 'data');
const file = (...parts: string[]) => path.join(dataDir, ...parts);

/** Every conversation of the bundled data sets (see data/*\/SOURCE.md). */
export function loadAllConversations(): RealConversation[] {
  return [
    ...loadMtBench(file('conversations', 'mt-bench-101-4plus-rounds.jsonl')),
    ...loadOasst(file('conversations', 'oasst-en-100-trees.jsonl')),
    ...loadTauBench(file('tool-conversations', 'tau-bench-airline-gpt4o.json')),
    ...loadGlaive(file('tool-conversations', 'glaive-toolcall-en-demo.json')),
    ...loadAnthropicRecording(file('tool-conversations', 'anthropic-tool-runner-recording.json')),
  ];
}

/** Real branch pairs for the merge strategies. */
export function loadAllBranches(): RealBranches[] {
  return loadOasstBranches(file('conversations', 'oasst-en-100-trees.jsonl'));
}
