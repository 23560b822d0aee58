'use strict';
// Scenario 9: a three-stage pipeline moving cfg.pipeline.bytes (1 GB at full scale), with the host's
// CPU time measured side by side: procdesc's pipeline() (kernel pipes made for the children: the
// host only spawns and waits) against the same stages piped through the host with Node streams.
// Each run is a fresh Node process (pipeline_worker.js), the two modes alternating, round after
// round. The goal (issue 15): procdesc's host CPU under 5% of the streams'.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const WORKER = path.join(__dirname, 'pipeline_worker.js');

function once(mode, bytes) {
  const out = execFileSync(process.execPath, [WORKER, mode, String(bytes)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const r = JSON.parse(out.trim().split('\n').pop());
  if (r.counted !== bytes) throw new Error(`${mode}: ${r.counted} bytes arrived, not ${bytes}`);
  return r;
}

/** Raw samples: per mode, the host's CPU µs and wall ms of each run. */
function pipelineScenario(cfg) {
  const { bytes, rounds } = cfg.pipeline;
  const raw = { bytes, procdesc: { cpuUs: [], wallMs: [] }, streams: { cpuUs: [], wallMs: [] } };
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 ? ['streams', 'procdesc'] : ['procdesc', 'streams']) {
      const { cpuUs, wallMs } = once(mode, bytes);
      raw[mode].cpuUs.push(cpuUs);
      raw[mode].wallMs.push(wallMs);
    }
  }
  return raw;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The report's section for scenario 9. */
function pipelineMarkdown(raw) {
  const p = median(raw.procdesc.cpuUs) / 1000, s = median(raw.streams.cpuUs) / 1000;
  const pw = median(raw.procdesc.wallMs), sw = median(raw.streams.wallMs);
  const mb = (raw.bytes / 1024 ** 2).toFixed(0);
  return `
## 9. Pipeline: \`head -c ${mb}M /dev/zero | cat | wc -c\`, the host's CPU time

| joined by | host CPU (median, ms) | wall (median, ms) | runs |
| --- | ---: | ---: | ---: |
| procdesc pipeline() (kernel pipes) | ${p.toFixed(1)} | ${pw.toFixed(0)} | ${raw.procdesc.cpuUs.length} |
| Node streams through the host | ${s.toFixed(1)} | ${sw.toFixed(0)} | ${raw.streams.cpuUs.length} |

procdesc's host CPU is **${((100 * p) / s).toFixed(1)}%** of the streams' (goal: under 5%).
`;
}

module.exports = { pipelineScenario, pipelineMarkdown };
