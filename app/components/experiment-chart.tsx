import type { DayPoint } from "../experiment.server";
import { percent } from "./experiment-table";

/**
 * Cumulative conversion per arm over the range, as a small inline SVG line chart. Not
 * @shopify/polaris-viz: its React peer range (^16.14 || ^17 || ^18) fits, but its LineChart throws
 * "window is not defined" when rendered on the server (tried with 16.16.0 and renderToString), so the
 * page would need a client-only island and ~d3 + react-spring for two lines. This one renders in the
 * SSR HTML, works without JavaScript, and tells its figures to a screen reader (a summary label and
 * a table of the points under "Figures behind the chart").
 */

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };
const LINES = [
  { arm: "wand", label: "WandStore", colour: "#005bd3", dash: undefined },
  { arm: "holdout", label: "Holdout", colour: "#616161", dash: "6 4" },
] as const;

const rate = (conversions: number, visitors: number) => (visitors > 0 ? conversions / visitors : null);

export function ExperimentChart(props: { series: DayPoint[] }) {
  const { series } = props;
  const rates = series.flatMap((p) => LINES.map((l) => rate(p.conversions[l.arm], p.visitors[l.arm]))).filter((r): r is number => r !== null);
  if (series.length < 2 || rates.length === 0) {
    return <p>Not enough days with visitors to draw a chart yet.</p>;
  }
  // A y axis in whole percent steps, at least 1 %.
  const top = Math.max(0.01, Math.ceil(Math.max(...rates) * 100) / 100);
  const x = (i: number) => PAD.left + ((WIDTH - PAD.left - PAD.right) * i) / (series.length - 1);
  const y = (r: number) => PAD.top + (HEIGHT - PAD.top - PAD.bottom) * (1 - r / top);
  const last = series[series.length - 1]!;
  const summary =
    `Cumulative conversion rate per day from ${series[0]!.day} to ${last.day}: ` +
    LINES.map((l) => {
      const r = rate(last.conversions[l.arm], last.visitors[l.arm]);
      return `${l.label} ${r === null ? "no visitors" : `${percent(r)} (${last.conversions[l.arm]} of ${last.visitors[l.arm]})`}`;
    }).join(", ");
  const ticks = [0, top / 2, top];
  const dayLabels = [0, Math.floor((series.length - 1) / 2), series.length - 1].filter((v, i, a) => a.indexOf(v) === i);

  return (
    <figure style={{ margin: 0 }} data-testid="experiment-chart">
      <svg role="img" aria-label={summary} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" style={{ maxWidth: WIDTH }}>
        <title>{summary}</title>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} stroke="#e3e3e3" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" fontSize="11" fill="#616161">
              {percent(t)}
            </text>
          </g>
        ))}
        {dayLabels.map((i) => (
          <text key={i} x={x(i)} y={HEIGHT - 8} textAnchor={i === 0 ? "start" : i === series.length - 1 ? "end" : "middle"} fontSize="11" fill="#616161">
            {series[i]!.day}
          </text>
        ))}
        {LINES.map((l) => {
          // Days before the arm's first visitor have no rate: the line starts where it has one.
          const points = series.flatMap((p, i) => {
            const r = rate(p.conversions[l.arm], p.visitors[l.arm]);
            return r === null ? [] : [{ x: x(i), y: y(r) }];
          });
          // A dot per day while days are few (a single day of traffic is a dot, not an invisible line), else the last one.
          const dots = points.length <= 60 ? points : points.slice(-1);
          return (
            <g key={l.arm}>
              <polyline
                data-arm={l.arm}
                points={points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ")}
                fill="none"
                stroke={l.colour}
                strokeWidth="2"
                strokeDasharray={l.dash}
                strokeLinejoin="round"
              />
              {dots.map((p) => (
                <circle key={p.x} cx={p.x.toFixed(1)} cy={p.y.toFixed(1)} r="3" fill={l.colour} />
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption style={{ display: "flex", gap: "16px", fontSize: "13px" }}>
        {LINES.map((l) => (
          <span key={l.arm}>
            <svg width="24" height="8" aria-hidden="true">
              <line x1="0" x2="24" y1="4" y2="4" stroke={l.colour} strokeWidth="2" strokeDasharray={l.dash} />
            </svg>{" "}
            {l.label}
          </span>
        ))}
      </figcaption>
      <details>
        <summary>Figures behind the chart</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {LINES.map((l) => (
                <th key={l.arm} scope="col">{`${l.label}: conversions / visitors`}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {series.map((p) => (
              <tr key={p.day}>
                <th scope="row">{p.day}</th>
                {LINES.map((l) => (
                  <td key={l.arm}>{`${p.conversions[l.arm]} / ${p.visitors[l.arm]}`}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
