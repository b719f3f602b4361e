#!/usr/bin/env python3
"""Regenerates the "Test cases" section of dal-testkit/README.md from the contract sources.

Keeps each contract's description paragraph and each test's extra notes already in the README; a new
contract gets the first sentence of its Javadoc. ReadmeListsEveryContractTestTest checks the result.
Run from the repository root: python3 dal-testkit/update-readme.py
"""
import re

BASE = 'dal-testkit/src/main/java/dev/dal/testkit/'
README = 'dal-testkit/README.md'


def contracts():
    conf = open(BASE + 'DataAccessConformance.java').read()
    m = re.search(r'interface DataAccessConformance\s+extends([^{]*)\{', conf)
    return [n.strip() for n in m.group(1).split(',')]


def tests(name):
    src = open(BASE + name + '.java').read()
    out = []
    for mm in re.finditer(r'@Test\s*\n((?:\s*@[^\n]*\n)*)\s*default void (\w+)\(', src):
        r = re.search(r'@Requires\((.*?)\)', mm.group(1), re.S)
        out.append((mm.group(2), re.findall(r'Capability\.(\w+)', r.group(1)) if r else []))
    return out


def javadoc(name):
    src = open(BASE + name + '.java').read()
    j = re.search(r'/\*\*(.*?)\*/\s*(?:@\w+[^\n]*\n\s*)*public interface', src, re.S)
    text = ' '.join(l.strip().lstrip('*').strip() for l in j.group(1).splitlines()).strip()
    text = re.sub(r'\{@(?:link|code) ([^}]*)\}', r'`\1`', text)
    return text.split('. ')[0].rstrip('.') + '.'


def main():
    readme = open(README).read()
    start = readme.index('## Test cases')
    end = readme.index('The list above is generated from the sources')
    old = readme[start:end]
    desc = {m.group(1): m.group(2) for m in re.finditer(r'### (\w+)\n\n(.*?)\n\n', old, re.S)}
    items, cur = {}, None
    for line in old.splitlines():
        m = re.match(r'- `(\w+)`', line)
        if m:
            cur = m.group(1)
            items[cur] = [line]
        elif cur and line.startswith('  ') and line.strip():
            items[cur].append(line)
        else:
            cur = None
    table, body, total = ['## Test cases', '', '| area | tests |', '|---|---|'], [], 0
    for name in contracts():
        found = tests(name)
        total += len(found)
        table.append('| [`%s`](#%s) | %d |' % (name, name.lower(), len(found)))
        body += ['### ' + name, '', desc.get(name) or javadoc(name), '']
        for test, caps in found:
            line = '- `%s`' % test + (' — needs ' + ', '.join('`%s`' % c for c in caps) if caps else '')
            kept = items.get(test)
            body += kept if kept and kept[0].startswith(line) else [line]
        body.append('')
    table += ['| **total** | **%d** |' % total, '']
    open(README, 'w').write(readme[:start] + '\n'.join(table + body) + '\n' + readme[end:])


if __name__ == '__main__':
    main()
