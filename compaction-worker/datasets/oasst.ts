import fs from 'node:fs';
import type { ChatMessage } from '../conversation/message.ts';
import type { RealBranches, RealConversation } from './real-conversation.ts';

interface TreeNode {
  message_id: string;
  text: string;
  role: 'prompter' | 'assistant';
  rank?: number;
  replies: TreeNode[];
}

/** Every root-to-leaf path of each OpenAssistant tree, best-ranked replies first. */
function paths(node: TreeNode, prefix: ChatMessage[] = []): ChatMessage[][] {
  const message: ChatMessage = {
    role: node.role === 'prompter' ? 'user' : 'assistant',
    content: node.text,
    id: node.message_id,
  };
  const path = [...prefix, message];
  if (node.replies.length === 0) return [path];
  const ranked = [...node.replies].sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99));
  return ranked.flatMap((reply) => paths(reply, path));
}

function trees(file: string): { id: string; prompt: TreeNode }[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return lines.map((line) => {
    const tree = JSON.parse(line) as { message_tree_id: string; prompt: TreeNode };
    return { id: tree.message_tree_id, prompt: tree.prompt };
  });
}

/** The best-ranked path of each tree: one conversation per tree. */
export function loadOasst(file: string): RealConversation[] {
  return trees(file).map((tree) => ({
    source: 'oasst',
    id: tree.id,
    messages: paths(tree.prompt)[0]!,
  }));
}

/**
 * The best path of each tree as `main` and the longest other path as
 * `branch`: two real branches that share their first messages (same ids).
 */
export function loadOasstBranches(file: string): RealBranches[] {
  return trees(file).flatMap((tree) => {
    const [main, ...others] = paths(tree.prompt);
    const branch = others.sort((a, b) => b.length - a.length)[0];
    return main && branch ? [{ source: 'oasst', id: tree.id, main, branch }] : [];
  });
}
