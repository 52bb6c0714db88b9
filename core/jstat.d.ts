/**
 * Types for the parts of jstat (a plain-JavaScript statistics library, no platform imports) that
 * core/experiment-stats.ts uses. jstat ships no type declarations and there is no @types package.
 */
declare module "jstat" {
  interface JStat {
    normal: {
      /** P(X ≤ x) for X ~ N(mean, std²). */
      cdf(x: number, mean: number, std: number): number;
      /** The p-quantile of N(mean, std²). */
      inv(p: number, mean: number, std: number): number;
    };
    chisquare: {
      /** P(X ≤ x) for X ~ χ²(dof). */
      cdf(x: number, dof: number): number;
    };
  }
  const jStat: JStat;
  export default jStat;
}
