#!/usr/bin/env python3
"""Rewrite Go grouped import blocks `import ( ... )` as one `import` per line."""
import re, sys
spec = re.compile(r'^\s*(?:([A-Za-z_][A-Za-z0-9_]*|\.|_)\s+)?("[^"]*")\s*(//.*)?$')
def convert(text):
    out, lines, i, changed = [], text.split('\n'), 0, False
    while i < len(lines):
        ln = lines[i]
        if ln.strip() == 'import (' and not ln.startswith((' ', '\t')):
            j = i + 1
            body = []
            while lines[j].strip() != ')':
                body.append(lines[j]); j += 1
            new = []
            for b in body:
                s = b.strip()
                if s == '':
                    new.append('')
                elif s.startswith('//'):
                    new.append(s)
                else:
                    m = spec.match(b)
                    if not m:
                        raise SystemExit('cannot parse import line: %r' % b)
                    name, path, com = m.groups()
                    new.append('import ' + (name + ' ' if name else '') + path + (' ' + com if com else ''))
            while new and new[0] == '': new.pop(0)
            while new and new[-1] == '': new.pop()
            out.extend(new); i = j + 1; changed = True
        else:
            out.append(ln); i += 1
    return '\n'.join(out), changed
for f in sys.argv[1:]:
    t = open(f).read()
    n, c = convert(t)
    if c:
        open(f, 'w').write(n)
