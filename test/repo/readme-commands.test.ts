// Every `node bin/wippy.js ...` command the README shows works as written from the repository
// root: each one runs, in README order, in a copy of the repository (so the runs' stores and
// golden files land in the copy), through the real binary. `ID` is a workflow id taken from the
// first `workflow list` the README shows; `[optional parts]` are dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertNoJsStack } from '../helpers/cli';
import { tempDir } from '../../testkit/temp';
import { wippy, ROOT } from '../../testkit/wippy';

const PREFIX = 'node bin/wippy.js ';

/** Shell words of one command line: '...' and "..." quoting, \-escapes outside single quotes. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${line}`);
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        cur += line[j];
      }
      if (j >= line.length) throw new Error(`unclosed " in: ${line}`);
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break; // a comment
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** The wippy arguments of every `node bin/wippy.js` command in the markdown's sh code blocks. */
export function readmeCommands(markdown: string): string[][] {
  const out: string[][] = [];
  let inSh = false;
  let pending = '';
  for (const raw of markdown.split('\n')) {
    if (/^```/.test(raw)) {
      inSh = !inSh && /^```(sh|bash|shell)\s*$/.test(raw);
      continue;
    }
    if (!inSh) continue;
    const line = pending + raw;
    if (/\\\s*$/.test(raw)) { pending = line.replace(/\\\s*$/, ' '); continue; }
    pending = '';
    const at = line.indexOf(PREFIX);
    if (at < 0) continue;
    const rest = line.slice(at + PREFIX.length).split(/\s(?:&&|;|\|\|)\s/)[0];
    // `[--json]`, `[--reason R]`: optional parts a reader may leave out.
    out.push(shellWords(rest.replace(/\s\[--?[a-z][^\]]*\]/g, '')));
  }
  return out;
}

/** A copy of the repository's own files (no dependencies, builds, git data or dot-folders). */
function copyOfRepository(): string {
  const dir = tempDir('wippy-readme-');
  fs.cpSync(ROOT, dir, {
    recursive: true,
    filter: (src) => {
      const name = path.basename(src);
      return src === ROOT || !(name.startsWith('.') || name === 'node_modules' || name === 'dist');
    },
  });
  return dir;
}

test('the README\'s command extraction sees quoting, continuations, comments and optional parts', () => {
  const md = [
    '```sh',
    'npm install && node bin/wippy.js run examples/hello -x app:greet \'"world"\'',
    'node bin/wippy.js test --record a \\',
    '  --input \'{"a": 1}\' -o x.json   # a comment',
    'node bin/wippy.js workflow show ID [--json] --x \'{"a": ["b"]}\'     # status',
    '```',
    'node bin/wippy.js not-in-a-block',
  ].join('\n');
  assert.deepEqual(readmeCommands(md), [
    ['run', 'examples/hello', '-x', 'app:greet', '"world"'],
    ['test', '--record', 'a', '--input', '{"a": 1}', '-o', 'x.json'],
    ['workflow', 'show', 'ID', '--x', '{"a": ["b"]}'],
  ]);
});

test('every `node bin/wippy.js` command in the README works as written from the repository root', () => {
  const commands = readmeCommands(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  assert.ok(commands.length >= 10, `found only ${commands.length} commands in README.md`);
  const repo = copyOfRepository();
  let id: string | undefined;
  const failures: string[] = [];
  for (const cmd of commands) {
    const usesId = cmd.includes('ID');
    if (usesId && id === undefined) {
      failures.push(`${cmd.join(' ')}: no workflow id yet (no \`workflow list\` before it showed one)`);
      continue;
    }
    const args = cmd.map((a) => (a === 'ID' ? id! : a));
    const r = wippy(args, { cwd: repo, timeoutMs: 60_000 });
    const shown = `node bin/wippy.js ${cmd.join(' ')}`;
    assertNoJsStack(r.stderr);
    // signal/cancel/terminate reach a workflow that has finished: the store and the id resolved.
    const finished = r.code === 1 && ['signal', 'cancel', 'terminate'].includes(cmd[1]) && /has already (completed|failed|canceled|terminated); there is nothing to/.test(r.stderr);
    if (r.code !== 0 && !finished) failures.push(`${shown}: exit ${r.code}\n${r.stderr.split('\n').slice(0, 4).join('\n')}`);
    if (cmd[0] === 'workflow' && cmd[1] === 'list' && r.code === 0 && id === undefined) {
      id = /^([0-9a-f]{8}-[0-9a-f-]{27})\s/m.exec(r.stdout)?.[1];
    }
  }
  assert.deepEqual(failures, [], `README commands that fail from the repository root:\n${failures.join('\n\n')}`);
});
