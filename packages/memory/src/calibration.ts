/**
 * The calibration factor after one turn: how far off the estimate was (reported ÷ estimated),
 * folded into the previous factor (half each), so estimates converge on the model's own counts
 * without jumping on one odd turn.
 */
export function calibrate(
  previous: number | undefined,
  estimatedRaw: number,
  reported: number | undefined,
): number | undefined {
  if (!reported || reported <= 0 || estimatedRaw <= 0) return previous;
  const observed = reported / estimatedRaw;
  return previous === undefined ? observed : (previous + observed) / 2;
}
