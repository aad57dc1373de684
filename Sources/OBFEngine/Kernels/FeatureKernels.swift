import Foundation

/// The feature arithmetic of features.md §2–§3 as pure functions.
public enum FeatureKernels {
    /// `(B − A) / (B + A)`; `0` when `B + A = 0`.
    @inlinable
    public static func imbalance(bidTotal: Double, askTotal: Double) -> Double {
        let sum = bidTotal + askTotal
        return sum == 0 ? 0 : (bidTotal - askTotal) / sum
    }

    /// `(b[0] − a[0]) / (b[0] + a[0])`; `0` when both are `0`.
    @inlinable
    public static func depthAsymmetry(bidNearest: Double, askNearest: Double) -> Double {
        imbalance(bidTotal: bidNearest, askTotal: askNearest)
    }

    /// The EMA update of the depth reference: the first observation sets it.
    @inlinable
    public static func updatedReference(_ previous: Double?, depth: Double, alpha: Double) -> Double {
        guard let previous else { return depth }
        return (1 - alpha) * previous + alpha * depth
    }

    /// `d / ref`; `0` when `ref ≤ 0`.
    @inlinable
    public static func depthQuality(depth: Double, reference: Double) -> Double {
        reference <= 0 ? 0 : depth / reference
    }

    /// `1 − exp(−depth_quality)`.
    @inlinable
    public static func fillProbability(depthQuality: Double) -> Double {
        1 - exp(-depthQuality)
    }

    /// How far from mid, in bps, one side must be walked to reach 10 % of its notional within 1 %.
    public static func sideDistanceBps(_ side: [Double]) -> Double {
        let bands = side.count
        guard bands > 0 else { return 100 }
        var total = 0.0
        for value in side { total += value }
        guard total > 0 else { return 100 }
        let bandWidth = 100 / Double(bands)
        let target = 0.1 * total
        var cumulativeBefore = 0.0
        for k in 0..<bands {
            let cumulative = cumulativeBefore + side[k]
            if cumulative >= target {
                return (Double(k) + (target - cumulativeBefore) / side[k]) * bandWidth
            }
            cumulativeBefore = cumulative
        }
        // Rounding can leave the last cumulative a hair below 10 % of the total: the whole 1 %.
        return 100
    }

    /// `dist(bid) + dist(ask)`.
    public static func spreadProxyBps(bid: [Double], ask: [Double]) -> Double {
        sideDistanceBps(bid) + sideDistanceBps(ask)
    }

    /// Mean of the last `min(n, values.count)` values; `0` when empty.
    public static func meanOfLast<C: RandomAccessCollection>(_ n: Int, of values: C) -> Double
    where C.Element == Double, C.Index == Int {
        let window = min(n, values.count)
        guard window > 0 else { return 0 }
        var sum = 0.0
        for index in (values.endIndex - window)..<values.endIndex { sum += values[index] }
        return sum / Double(window)
    }

    /// `(#positive − #negative) / w` over the last `w = min(lookback, values.count)` values.
    public static func persistence<C: RandomAccessCollection>(lookback: Int, of values: C) -> Double
    where C.Element == Double, C.Index == Int {
        let window = min(lookback, values.count)
        guard window > 0 else { return 0 }
        var balance = 0
        for index in (values.endIndex - window)..<values.endIndex {
            let value = values[index]
            if value > 0 { balance += 1 } else if value < 0 { balance -= 1 }
        }
        return Double(balance) / Double(window)
    }

    /// Fractional change per observation over `k = min(lookback, len − 1)` observations;
    /// `0` when `k < 1` or the base value is `≤ 0`.
    public static func withdrawalVelocity<C: RandomAccessCollection>(lookback: Int, of history: C) -> Double
    where C.Element == Double, C.Index == Int {
        let k = min(lookback, history.count - 1)
        guard k >= 1 else { return 0 }
        let last = history[history.endIndex - 1]
        let base = history[history.endIndex - 1 - k]
        guard base > 0 else { return 0 }
        return (last - base) / (base * Double(k))
    }

    /// The median (mean of the two middle values for an even count); `0` when empty.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// `sign(x)` with `sign(0) = 0`.
    @inlinable
    public static func sign(_ value: Double) -> Int {
        value > 0 ? 1 : (value < 0 ? -1 : 0)
    }

    /// `100 · #{i : sign(x_i) = sign(median)} / n`.
    public static func agreementPct(_ values: [Double], median: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let target = sign(median)
        var agreeing = 0
        for value in values where sign(value) == target { agreeing += 1 }
        return 100 * Double(agreeing) / Double(values.count)
    }

    /// CALM below 20 % withdrawing, STRESS below 50 %, CASCADE from 50 %.
    public static func cascadeRegime(withdrawing: Int, of count: Int) -> CascadeRegime {
        guard count > 0 else { return .calm }
        let share = Double(withdrawing) / Double(count)
        if share < 0.2 { return .calm }
        return share < 0.5 ? .stress : .cascade
    }
}
