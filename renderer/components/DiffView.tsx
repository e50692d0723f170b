// Line diff of two values (a pinned tool's old and new definition), with the `diff` package.
import { diffLines } from 'diff';

function asText(value: unknown): string {
  if (typeof value === 'string') return value.endsWith('\n') ? value : `${value}\n`;
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function DiffView({ before, after }: { before: unknown; after: unknown }) {
  const parts = diffLines(asText(before), asText(after));
  return (
    <pre className="diff" tabIndex={0} aria-label="Changes">
      {parts.map((part, index) => {
        const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
        const prefix = part.added ? '+ ' : part.removed ? '- ' : '  ';
        const lines = part.value.replace(/\n$/, '').split('\n');
        return (
          <span key={index} className={`diff-${kind}`}>
            {lines.map((line) => `${prefix}${line}`).join('\n')}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}
