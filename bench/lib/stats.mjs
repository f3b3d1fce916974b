// Small, dependency-free statistics for the benchmark report.
export function median(values) {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export const min = (values) => Math.min(...values)
export const max = (values) => Math.max(...values)
