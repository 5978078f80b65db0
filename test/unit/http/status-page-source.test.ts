import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const PAGE = path.resolve(import.meta.dirname, '..', '..', '..', 'src', 'http', 'page');

describe('status page files', () => {
  it('never turn a value into markup: no innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
    const script = fs.readFileSync(path.join(PAGE, 'app.js'), 'utf8');
    expect(script.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/g)).toBeNull();
  });

  it('load nothing from elsewhere: no absolute URL in the page, its script or its style', () => {
    for (const file of ['index.html', 'app.js', 'style.css']) {
      const text = fs.readFileSync(path.join(PAGE, file), 'utf8');
      // The SVG namespace is a name, not a request.
      const urls = (text.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s'")]*/gi) ?? []).filter(
        (u) => u !== 'http://www.w3.org/2000/svg',
      );
      expect(urls, file).toStrictEqual([]);
    }
  });
});
