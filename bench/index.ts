// pnpm bench [--write] [--turns N]
// Runs every benchmark, prints its table, and with --write stores it in docs/benchmarks.md.
import { parseArgs } from 'node:util';
import { writeSection } from './report.js';
import { turnLatency } from './turn-latency.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    write: { type: 'boolean', default: false },
    turns: { type: 'string', default: '600' },
  },
});

const table = await turnLatency({ turns: Number(values.turns) });
console.log(table);
if (values.write) await writeSection('turn-latency', table);
