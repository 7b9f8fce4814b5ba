// Reports: one self-contained file (Plotly inlined), escaped text, charts as data, errors.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Report } from '../../src/index.ts';

describe('Report', () => {
  it('writes one HTML file with the Plotly bundle inlined and no external references', () => {
    const r = new Report('Fit <report>', 'subtitle & more')
      .heading('Results')
      .text('a < b and "quotes"')
      .table({
        columns: ['name', 'value'],
        rows: [
          ['θ₁', 0.000123456],
          ['n', 42],
          ['big', 1.5e7 + 0.5],
        ],
      })
      .chart({
        title: 'loss',
        traces: [{ x: [1, 2, 3], y: [1, 0.1, NaN], name: 'train' }],
        y: { log: true },
      });
    const dir = mkdtempSync(join(tmpdir(), 'scichain-report-'));
    const path = r.write(join(dir, 'nested', 'r.html'));
    const html = readFileSync(path, 'utf8');
    expect(html.length).toBeGreaterThan(1_000_000); // the inlined plotly.min.js
    expect(/<script[^>]+src=/.test(html)).toBe(false);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // Everything after the bundle: the document's own content.
    const body = html.slice(html.lastIndexOf('</head>'));
    expect(html.includes('<title>Fit &lt;report&gt;</title>')).toBe(true);
    expect(body).toContain('a &lt; b and &quot;quotes&quot;');
    expect(body).toContain('<td>1.235e-4</td>');
    expect(body).toContain('<td>42</td>');
    expect(body).toContain('<td>1.500e+7</td>');
    expect(body).toContain('"type":"log"');
    expect(body).toContain('"y":[1,0.1,null]'); // non-finite values become gaps
  });

  it('keeps embedded data from closing the script element', () => {
    const html = new Report('x')
      .chart({ traces: [{ x: [1], y: [1], name: '</script><b>' }] })
      .toHtml();
    const body = html.slice(html.lastIndexOf('</head>'));
    expect(body).toContain('\\u003c/script\\u003e\\u003cb\\u003e');
    expect(body.includes('</script><b>')).toBe(false);
  });

  it('rejects traces and rows of mismatched lengths, naming them', () => {
    expect(() => new Report('x').chart({ title: 'c', traces: [{ x: [1, 2], y: [1] }] })).toThrow(
      /chart 'c' trace 1 has 2 x values but 1 y values/,
    );
    expect(() => new Report('x').table({ columns: ['a', 'b'], rows: [[1]] })).toThrow(
      /table row 1 has 1 cells but there are 2 columns/,
    );
  });
});
