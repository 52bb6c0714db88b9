/** Times in the admin: UTC to the minute (the dashboard and the preview show the same clock). */
export function formatTime(iso: string | null): string {
  return iso ? `${new Date(iso).toISOString().replace("T", " ").slice(0, 16)} UTC` : "—";
}

export function formatMs(ms: number | null): string {
  return ms === null ? "—" : `${Math.round(ms)} ms`;
}
