/**
 * A small inline SVG line of recent values (generation latencies), oldest first. No chart library:
 * a trend needs a line, not axes. The numbers are in the accessible label.
 */
export function Sparkline(props: { values: number[]; width?: number; height?: number; label: string; unit?: string }) {
  const { values, width = 120, height = 28, unit = "ms" } = props;
  if (values.length < 2) {
    return <span aria-label={`${props.label}: not enough data`}>—</span>;
  }
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = max - min || 1;
  const step = width / (values.length - 1);
  const pad = 2;
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(pad + (height - 2 * pad) * (1 - (v - min) / span)).toFixed(1)}`)
    .join(" ");
  const last = values[values.length - 1];
  const summary = `${props.label}: ${values.length} values, last ${Math.round(last ?? 0)} ${unit}, min ${Math.round(min)} ${unit}, max ${Math.round(max)} ${unit}`;
  return (
    <svg role="img" aria-label={summary} width={width} height={height} viewBox={`0 0 ${width} ${height}`} data-testid="sparkline">
      <title>{summary}</title>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}
