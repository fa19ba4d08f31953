import { usd } from "./layout.tsx";
import type { IntentFigures } from "./metrics.ts";

const pct = (n: number | undefined) => (n === undefined ? "—" : `${(n * 100).toFixed(1)}%`);
const ms = (n: number | undefined) => (n === undefined ? "—" : `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`);

/** "pass/checked (rate)" of verifiers' verdicts, or a dash with none. */
function verified(v: IntentFigures["verified"]): string {
  const n = v.pass + v.fail;
  return n === 0 ? "—" : `${v.pass}/${n} (${pct(v.pass / n)})`;
}

/**
 * The overview's per-intent table (admin, from `GET /v1/metrics`'s `intents`): for each
 * (intent label, specialist) of the day, calls, success rate, verification, explicit
 * feedback (good / bad), mean latency and cost.
 */
export const IntentsTable = ({ rows }: { rows: IntentFigures[] }) => {
  if (rows.length === 0) return <p class="muted">No routed calls or feedback today.</p>;
  return (
    <div class="scroll">
      <table class="grid" id="intents">
        <thead>
          <tr>
            <th>intent</th>
            <th>specialist</th>
            <th class="num">calls</th>
            <th class="num">success</th>
            <th class="num">verified</th>
            <th class="num">feedback good / bad</th>
            <th class="num">mean latency</th>
            <th class="num">cost</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-intent={r.label} data-specialist={r.specialist}>
              <td>
                <code>{r.label}</code>
              </td>
              <td>{r.specialist}</td>
              <td class="num">{r.requests}</td>
              <td class="num">{pct(r.successRate)}</td>
              <td class="num">{verified(r.verified)}</td>
              <td class="num" data-feedback={`${r.feedback.good}/${r.feedback.bad}`}>
                {r.feedback.good} / {r.feedback.bad}
              </td>
              <td class="num">{ms(r.meanLatencyMs)}</td>
              <td class="num">{usd(r.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};
