import { describe, expect, it } from 'vitest';
import { FamilySet, renderFamilies } from '../../../src/metrics/family.js';

describe('renderFamilies', () => {
  it('writes the text format with escaped labels and help, spelled-out NaN/Inf, and skips empty families', () => {
    const set = new FamilySet();
    const labels = { ensemble: 'e', server: 'h:1' };
    const g = set.family('x_value', 'Help with \\ and\nnewline.', 'gauge');
    g.add(1.5, labels);
    g.add(Number.NaN, { ...labels, server: 'quote"back\\slash\nnl' });
    set.family('x_empty', 'Nothing.', 'gauge');
    const s = set.family('x_summary', 'A summary.', 'summary');
    s.add(Infinity, { quantile: '0.5' });
    s.add(-Infinity, {}, 'x_summary_sum');
    s.add(3, {}, 'x_summary_count');
    expect(renderFamilies(set.all())).toBe(
      [
        '# HELP x_value Help with \\\\ and\\nnewline.',
        '# TYPE x_value gauge',
        'x_value{ensemble="e",server="h:1"} 1.5',
        'x_value{ensemble="e",server="quote\\"back\\\\slash\\nnl"} NaN',
        '',
        '# HELP x_summary A summary.',
        '# TYPE x_summary summary',
        'x_summary{quantile="0.5"} +Inf',
        'x_summary_sum -Inf',
        'x_summary_count 3',
        '',
      ].join('\n'),
    );
  });

  it('renders nothing for no samples', () => {
    expect(renderFamilies(new FamilySet().all())).toBe('');
  });
});
