/** Renders every dashboard in dashboards/src to its committed JSON file next to this script (`npm run dashboards`). */
import fs from 'node:fs';
import path from 'node:path';
import { DASHBOARDS, render } from './src/index.js';

for (const { file, build } of DASHBOARDS) {
  const target = path.join(import.meta.dirname, file);
  fs.writeFileSync(target, render(build()));
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}
