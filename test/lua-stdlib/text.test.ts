// The `text` module as Wippy documents it: regexp with RE2 syntax and semantics (byte offsets on
// UTF-8, Go's empty-match rules, $-expansion, no backreferences, linear time), diff with Google's
// diff-match-patch (compare, summarize, pretty output, patches), and the recursive/markdown splitters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalLua } from '../helpers/lua';

const M = { modules: ['text'] };

test('regexp: match, find, submatches, named groups, split, and replace_all_string with $1/${name}/$$ as Go', async () => {
  const v = await evalLua(`
    local text = require("text")
    local re = text.regexp.compile("(?P<word>[a-z]+)(\\\\d+)")
    local digits = text.regexp.compile("[0-9]+")
    local sep = text.regexp.compile(",\\\\s*")
    return {re:match_string("xx abc12 yy"), re:match_string("ABC"), re:find_string("xx abc12 de3"), re:find_all_string("abc12 de3 f"),
            re:find_string_submatch("abc12"), re:num_subexp(), re:subexp_names(), re:replace_all_string("abc12 de3", "\${word}=$2$$"),
            sep:split("a, b,c,  d", -1), sep:split("a, b,c", 2), digits:string(), digits:find_string("none") == nil}`, M);
  assert.deepEqual(v, [true, false, 'abc12', ['abc12', 'de3'], ['abc12', 'abc', '12'], 2, ['', 'word', ''], 'abc=12$ de=3$',
    ['a', 'b', 'c', 'd'], ['a', 'b,c'], '[0-9]+', true]);
});

test('regexp indices are 1-based byte offsets into the UTF-8 string (as Go, for string.sub), not UTF-16 positions', async () => {
  const v = await evalLua(`
    local text = require("text")
    local re = text.regexp.compile("wörld|x")
    local s = "héllo wörld x"
    local idx = re:find_string_index(s)
    local all = re:find_all_string_index(s)
    return {idx[1], idx[2], s:sub(idx[1], idx[2]), #all, all[2][1], s:sub(all[2][1], all[2][2]), text.regexp.compile("é"):find_string_index("aé")}`, M);
  assert.deepEqual(v, [8, 13, 'wörld', 2, 15, 'x', [2, 3]]);
});

test('regexp: Go empty-match rules in find_all and replace_all ("a*" over "baaac")', async () => {
  const v = await evalLua(`
    local text = require("text")
    local re = text.regexp.compile("a*")
    return {re:find_all_string("baaac"), re:replace_all_string("baaac", "-")}`, M);
  // Go skips the empty match right after "aaa" (JS and Python would report it): ["", "aaa", ""], and "-b-c-"
  assert.deepEqual(v, [['', 'aaa', ''], '-b-c-']);
});

test('regexp: RE2 refuses backreferences and lookaround (nil, Invalid with Go\'s message); a catastrophic pattern runs in linear time', async () => {
  const v = await evalLua(`
    local text = require("text")
    local r1, e1 = text.regexp.compile("(a)\\\\1")
    local r2, e2 = text.regexp.compile("a(?=b)")
    local r3, e3 = text.regexp.compile("(")
    local evil = text.regexp.compile("(a+)+$")
    return {r1 == nil, e1:kind(), tostring(e1):match("^regex compile error: error parsing regexp: ") ~= nil, r2 == nil, e2:kind(), r3 == nil,
            e3:message(), evil:match_string(string.rep("a", 5000) .. "b")}`, M);
  assert.deepEqual(v, [true, 'Invalid', true, true, 'Invalid', true, 'error parsing regexp: missing closing ): `(`', false]);
});

test('diff: compare gives the raw character diff as Wippy (no semantic cleanup), summarize counts bytes, patch_make/patch_apply round trip', async () => {
  const v = await evalLua(`
    local text = require("text")
    local d = text.diff.new()
    local diffs = d:compare("The quick brown fox", "The quick red fox")
    local ops = {}
    for _, x in ipairs(diffs) do ops[#ops + 1] = x.operation .. ":" .. x.text end
    local sum = d:summarize(diffs)
    local patches = d:patch_make("hello world\\nline two\\n", "hello there world\\nline two\\n")
    local patched, ok = d:patch_apply(patches, "hello world\\nline two\\n")
    return {ops, sum.insertions, sum.deletions, sum.equals, patched, ok, #patches, d:pretty_text(diffs):find("\\27%[32med\\27%[0m", 1) ~= nil,
            d:pretty_html({{operation = "insert", text = "<b>\\n"}})}`, M);
  assert.deepEqual(v, [['equal:The quick ', 'delete:b', 'equal:r', 'delete:own', 'insert:ed', 'equal: fox'], 2, 4, 15, 'hello there world\nline two\n', true, 1, true,
    '<ins style="background:#e6ffe6;">&lt;b&gt;&para;<br></ins>']);
});

test('splitter.recursive: pieces merged up to chunk_size characters at the first separator, chunk_overlap carried over; split_batch keeps metadata', async () => {
  const v = await evalLua(`
    local text = require("text")
    local sp = text.splitter.recursive({chunk_size = 20, chunk_overlap = 0})
    local para = "one two three four five six seven eight nine ten"
    local batch = sp:split_batch({{content = para, metadata = {src = "doc1"}}})
    return {sp:split_text(para), text.splitter.recursive({chunk_size = 12, chunk_overlap = 0}):split_text("short one\\n\\nshort two"),
            sp:split_text("short one\\n\\nshort two"), text.splitter.recursive({chunk_size = 10, chunk_overlap = 5}):split_text("aa bb cc dd ee ff"),
            #batch, batch[3].content, batch[3].metadata.src}`, M);
  assert.deepEqual(v, [['one two three four', 'five six seven eight', 'nine ten'], ['short one', 'short two'], ['short one\n\nshort two'],
    ['aa bb cc', 'bb cc dd', 'cc dd ee', 'dd ee ff'], 3, 'nine ten', 'doc1']);
});

test('splitter.markdown: sections cut at headings (not inside code fences), heading_hierarchy prefixes the headings above', async () => {
  const v = await evalLua(`
    local text = require("text")
    local md = "# Title\\n\\nIntro text.\\n\\n## Part A\\n\\nAlpha body.\\n\\n\`\`\`\\n# not a heading\\n\`\`\`\\n\\n## Part B\\n\\nBeta body.\\n"
    local chunks = text.splitter.markdown({chunk_size = 60, chunk_overlap = 0, heading_hierarchy = true}):split_text(md)
    local out = {}
    for _, c in ipairs(chunks) do out[#out + 1] = c end
    return out`, M) as string[];
  assert.ok(v.length >= 3, JSON.stringify(v));
  assert.ok(v.some((c) => c.includes('Alpha body.') && c.includes('# not a heading') && c.includes('Part A')), JSON.stringify(v));
  assert.ok(v.some((c) => c.includes('Beta body.') && c.includes('# Title') && c.includes('## Part B')), JSON.stringify(v));
  assert.ok(!v.some((c) => c.includes('Alpha body.') && c.includes('Beta body.')), JSON.stringify(v));
});
