/** One checklist item of a Markdown runbook: a `- [ ]` item or a numbered step. */
export interface RunbookItem {
  /** 1-based line in the source document. */
  line: number;
  /** The item's text, Markdown emphasis removed, backticks kept (they mark commands). */
  text: string;
  /** Headings above the item, outermost first (the document title excluded). */
  headings: string[];
  numbered: boolean;
  /** Indentation in columns: nested items are still items, each one node. */
  indent: number;
  /** The lines under the item that are not items themselves (its explanation): read by rules only when the text alone says nothing. */
  detail: string;
  /** Lines of a fenced block nested under the item (the commands it means). */
  code?: string[];
}

/** A fenced block that stands on its own (not under an item): a procedure's commands, when its language is a shell. */
export interface CodeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word, lower case ('' when none). */
  language: string;
  headings: string[];
  /** Each line as written (trailing space trimmed), with its 1-based line number. */
  lines: Array<{ line: number; text: string }>;
}

export interface ParsedRunbook {
  title?: string;
  items: RunbookItem[];
  blocks: CodeBlock[];
}

const CHECKBOX = /^(\s*)[-*+]\s+\[[ xX]\]\s*(.*)$/;
const NUMBERED = /^(\s*)\d+[.)]\s+(?:\[[ xX]\]\s*)?(.*)$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;

/** Headings and list items of a Markdown document; fenced code is skipped (its `# 1.` lines are comments, not items). */
export function parseRunbook(markdown: string): ParsedRunbook {
  const lines = markdown.split(/\r?\n/);
  const items: Array<RunbookItem & { closed: boolean }> = [];
  const stack: Array<{ level: number; text: string }> = [];
  let title: string | undefined;
  let fence: string | undefined;
  let code: string[] | undefined;
  const blocks: CodeBlock[] = [];
  let block: CodeBlock | undefined;
  lines.forEach((raw, index) => {
    const last = items[items.length - 1];
    const fenceMatch = FENCE.exec(raw);
    if (fenceMatch) {
      if (!fence) {
        fence = fenceMatch[1];
        // A block indented under an open item belongs to it: "1. From `infra/terraform`:" + its commands.
        const indent = raw.length - raw.trimStart().length;
        code = last && !last.closed && indent > last.indent ? (last.code = []) : undefined;
        block = code ? undefined : { line: index + 1, language: /^\s*(?:```|~~~)\s*([\w+-]*)/.exec(raw)![1]!.toLowerCase(), headings: stack.map((h) => h.text), lines: [] };
        if (block) blocks.push(block);
      } else if (fenceMatch[1] === fence) fence = block = undefined;
      return;
    }
    if (fence) {
      code?.push(raw.trim());
      block?.lines.push({ line: index + 1, text: raw.trimEnd() });
      return;
    }
    const heading = HEADING.exec(raw);
    if (heading) {
      const level = heading[1]!.length;
      const text = plainText(heading[2]!);
      if (level === 1 && title === undefined && items.length === 0 && stack.length === 0) {
        title = text;
        return;
      }
      if (last) last.closed = true;
      while (stack.length && stack[stack.length - 1]!.level >= level) stack.pop();
      stack.push({ level, text });
      return;
    }
    const match = CHECKBOX.exec(raw) ?? NUMBERED.exec(raw);
    if (!match) {
      if (!raw.trim()) return;
      const indent = raw.length - raw.trimStart().length;
      if (last && !last.closed && indent > last.indent) last.detail = `${last.detail} ${plainText(raw.replace(/^\s*[-*+]\s+/, ''))}`.trim();
      else if (last) last.closed = true;
      return;
    }
    const text = plainText(match[2]!);
    if (!text) return;
    if (last) last.closed = true;
    items.push({ line: index + 1, text, detail: '', closed: false, headings: stack.map((h) => h.text), numbered: NUMBERED.test(raw) && !CHECKBOX.test(raw), indent: match[1]!.replace(/\t/g, '    ').length });
  });
  return { ...(title !== undefined ? { title } : {}), items: items.map(({ closed: _closed, ...item }) => item), blocks };
}

/** Emphasis and trailing colons go; backticks stay because rules read commands from them. */
function plainText(markdown: string): string {
  return markdown
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/__(.+?)__/g, '$1')
    .replace(/(^|\s)\*(\S.*?)\*(?=\s|$)/g, '$1$2')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/:$/, '')
    .trim();
}
