import { describe, expect, it } from 'vitest';
import { frozenRows, wallRows, type AllSamples } from './criu-bench-report.js';
import { CaseSamples } from './criu-bench-samples.js';

function samples(wall: number[], frozen: number[]): CaseSamples {
  const s = new CaseSamples();
  s.checkpointMs.push(...wall);
  s.restoreMs.push(...wall.map((ms) => ms / 2));
  s.frozenMs.push(...frozen);
  return s;
}

const all: AllSamples = {
  runc1: samples([200, 210, 190], [100, 100, 100]),
  cohort1: samples([240, 260, 250], [104, 104, 104]),
  runc4: samples([400, 420, 380], [150, 150, 150]),
  cohort4: samples([500, 520, 480], [160, 160, 160]),
};

describe("the CRIU benchmark's goals", () => {
  it('states each group against as many plain runc calls at once, as a ratio of medians', () => {
    expect(wallRows(all, 'checkpoint').map((r) => [r.case, r.vs_runc, r.goal])).toEqual([
      ['runc checkpoint, 1 at once', 1, 'baseline'],
      ['cohort group of 1', 1.25, '<= 1.15x: MISSED'],
      ['runc checkpoint, 4 at once', 1, 'baseline'],
      ['cohort group of 4', 1.25, '<= 1.3x: met'],
    ]);
    expect(wallRows(all, 'restore')[1]).toMatchObject({ p50_ms: 125, vs_runc: 1.25 });
  });

  it("states each member's frozen time as a difference of medians over plain runc's", () => {
    expect(frozenRows(all).map((r) => [r.added_ms, r.goal])).toEqual([
      [4, '<= +5 ms: met'],
      [10, '<= +5 ms: MISSED'],
    ]);
  });
});
